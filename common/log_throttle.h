// Rate limiting for repetitive log records (a stream of corrupt packets, malformed datagrams): the
// first record passes, then at most one per interval, each saying how many were held back.
// Not thread-safe: one per producing thread.
#pragma once

#include <cstdint>

#include "common/clock.h"

namespace fleetclip {

class LogThrottle {
 public:
  explicit LogThrottle(Nanos interval) : interval_(interval) {}

  // True when a record may be written at `now`; then *suppressed is the number held back since the
  // last record written.
  bool Allow(MonoTime now, int64_t* suppressed) {
    if (passed_once_ && now - last_ < interval_) {
      ++held_;
      return false;
    }
    passed_once_ = true;
    last_ = now;
    *suppressed = held_;
    held_ = 0;
    return true;
  }

 private:
  Nanos interval_;
  bool passed_once_ = false;
  MonoTime last_{};
  int64_t held_ = 0;
};

}  // namespace fleetclip

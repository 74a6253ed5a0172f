// A log line per problem kind at most once per interval, with the count of the ones held back, so a
// producer spewing garbage at 1 kHz costs one line every few seconds instead of flooding journald.
// Not thread-safe: owned by one thread (the signal thread).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/log.h"
#include "common/log_throttle.h"

namespace fleetclip::triggers {

class RateLimitedLog {
 public:
  RateLimitedLog(const Clock& clock, Logger log, Nanos interval = std::chrono::seconds(10))
      : clock_(clock), log_(std::move(log)), interval_(interval) {}

  // Logs `event=<event> reason=<reason> detail=<detail> suppressed=<n>` at warning level unless a
  // line for the same reason went out less than `interval` ago (then only counts it).
  void Warn(std::string_view event, std::string_view reason, std::string_view detail);

 private:
  const Clock& clock_;
  Logger log_;
  Nanos interval_;
  std::map<std::string, LogThrottle, std::less<>> throttles_;  // one per reason
};

}  // namespace fleetclip::triggers

// Capped exponential backoff with full jitter: the wait before retry n (n = 1, 2, …) is uniform in
// [0, min(cap, base * 2^(n-1))]. Full jitter spreads a fleet's retries after a shared outage
// instead of synchronising them. The random source is injected so tests see exact delays.
#pragma once

#include <cstdint>
#include <functional>

#include "common/clock.h"

namespace fleetclip::uploader {

struct BackoffConfig {
  int64_t base_ms = 1'000;
  int64_t cap_ms = 15 * 60'000;
};

class Backoff {
 public:
  // `uniform01` returns a double in [0, 1); it is called once per Delay(). Not thread-safe.
  Backoff(BackoffConfig config, std::function<double()> uniform01)
      : config_(config), uniform01_(std::move(uniform01)) {}

  // The delay before retry number `attempt` (1 for the first retry).
  Nanos Delay(int attempt) const;
  // The ceiling Delay(attempt) is drawn under.
  int64_t CeilingMs(int attempt) const;
  // The longest delay any attempt can get.
  Nanos Cap() const { return std::chrono::milliseconds(config_.cap_ms); }

 private:
  BackoffConfig config_;
  std::function<double()> uniform01_;
};

}  // namespace fleetclip::uploader

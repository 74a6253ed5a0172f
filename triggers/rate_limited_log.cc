// Per-reason log throttling for triggers/rate_limited_log.h.
#include "triggers/rate_limited_log.h"

namespace fleetclip::triggers {

void RateLimitedLog::Warn(std::string_view event, std::string_view reason,
                          std::string_view detail) {
  auto it = throttles_.find(reason);
  if (it == throttles_.end())
    it = throttles_.emplace(std::string(reason), LogThrottle(interval_)).first;
  int64_t suppressed = 0;
  if (!it->second.Allow(clock_.Now(), &suppressed)) return;
  log_.Warn(event, {{"reason", reason}, {"detail", detail}, {"suppressed", suppressed}});
}

}  // namespace fleetclip::triggers

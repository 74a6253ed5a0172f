// Per-reason log throttling for triggers/rate_limited_log.h.
#include "triggers/rate_limited_log.h"

namespace fleetclip::triggers {

void RateLimitedLog::Warn(std::string_view event, std::string_view reason,
                          std::string_view detail) {
  auto it = slots_.find(reason);
  if (it == slots_.end()) it = slots_.emplace(std::string(reason), Slot{}).first;
  Slot& slot = it->second;
  const MonoTime now = clock_.Now();
  if (slot.logged && now - slot.last < interval_) {
    ++slot.suppressed;
    return;
  }
  log_.Warn(event, {{"reason", reason}, {"detail", detail}, {"suppressed", slot.suppressed}});
  slot = Slot{now, 0, true};
}

}  // namespace fleetclip::triggers

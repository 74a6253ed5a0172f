// Stall detection of daemon/progress.h.
#include "daemon/progress.h"

namespace fleetclip::daemon {

ProgressBoard::Worker ProgressBoard::Add(std::string name, Nanos stall_limit, MonoTime now) {
  entries_.emplace_back(std::move(name), stall_limit, now.time_since_epoch().count());
  return entries_.size() - 1;
}

std::vector<std::string> ProgressBoard::Stalled(MonoTime now) const {
  std::vector<std::string> stalled;
  for (const Entry& e : entries_) {
    const Nanos since(now.time_since_epoch().count() - e.last_ns.load(std::memory_order_relaxed));
    if (since > e.stall_limit) {
      stalled.push_back(
          e.name + " (stalled " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) + " s)");
    }
  }
  return stalled;
}

}  // namespace fleetclip::daemon

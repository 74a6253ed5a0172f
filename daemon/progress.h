// Liveness of the daemon's worker threads, for the systemd watchdog (DESIGN.md §8): each worker
// beats when it makes progress (a frame, a packet, a clip, an upload pass, an idle wake-up), and
// the main loop pings WATCHDOG=1 only while no worker's last beat is older than its stall limit. A
// thread stuck in a deadlock or a hung call stops beating, the pings stop, and systemd restarts
// the service. Workers are registered before the threads start; Beat() is lock-free.
#pragma once

#include <atomic>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace fleetclip::daemon {

class ProgressBoard {
 public:
  using Worker = size_t;

  // Registers a worker that counts as stalled after `stall_limit` without a beat. Not thread-safe:
  // call during setup only. The worker's clock starts at `now`.
  Worker Add(std::string name, Nanos stall_limit, MonoTime now);

  void Beat(Worker worker, MonoTime now) {
    entries_[worker].last_ns.store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }

  // The workers whose last beat is older than their limit, as "name (stalled 42 s)".
  std::vector<std::string> Stalled(MonoTime now) const;

 private:
  struct Entry {
    // A constructor, not aggregate init: emplace_back's parenthesized aggregate initialization
    // (P0960) is C++20 that Clang 14 does not implement.
    Entry(std::string n, Nanos limit, int64_t last)
        : name(std::move(n)), stall_limit(limit), last_ns(last) {}
    std::string name;
    Nanos stall_limit;
    std::atomic<int64_t> last_ns;
  };
  std::deque<Entry> entries_;  // deque: entries never move once added
};

}  // namespace fleetclip::daemon

// Turns rule firings and manual/remote triggers into clip windows (DESIGN.md section 5).
//
// Each firing asks for [t - pre_roll, t + post_roll]. A window longer than the ring can hold
// (max_window) is shortened — post-roll kept, pre-roll cut — and its event says so. A firing
// whose window overlaps (or touches) the newest pending clip merges into it: the clip becomes the
// union and gains the firing as one more event; the clip's priority is the highest of its events.
// When the union would outgrow max_window, the firing starts its own clip instead (the two may
// overlap), so a long burst of events becomes consecutive clips that each fit the ring. A clip is
// handed to the ClipRequestSink by Poll() once its end has passed, or by Flush() at shutdown, cut
// at that moment.
//
// While a fired rule keeps holding, its event's peak follows the engine's peak reports, and the
// event moves up to a severity tier when |peak| reaches it (harsh braking -> severe).
//
// Thread-safe: the signal thread calls Observe/Poll, the control thread Trigger/Poll.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "triggers/clip_request.h"
#include "triggers/rule_engine.h"
#include "triggers/rule_gate.h"

namespace fleetclip::triggers {

struct SchedulerOptions {
  Nanos max_window = std::chrono::seconds(60);  // what the camera rings hold
  int64_t max_post_roll_ms = 300'000;
};

// A manual (CLI, control socket) or remote (fleet config) trigger.
struct ExternalTrigger {
  TriggerSource source = TriggerSource::kManual;
  std::string id;  // required for remote triggers: each id fires at most once
  std::string note;
  int priority = 50;
  int64_t pre_roll_ms = 30'000;
  int64_t post_roll_ms = 10'000;
};

struct SchedulerStats {
  uint64_t fired = 0;  // rule firings that became events
  uint64_t manual = 0;
  uint64_t remote = 0;
  uint64_t suppressed_cooldown = 0;
  uint64_t suppressed_rearm = 0;
  uint64_t suppressed_hour_limit = 0;
  uint64_t suppressed_day_limit = 0;
  uint64_t merged = 0;     // events that joined an existing clip
  uint64_t shortened = 0;  // events whose window was cut: longer than the ring, or by Flush()
  uint64_t clips = 0;      // ClipRequests submitted
};

class TriggerScheduler {
 public:
  // `clock`, `sink` and the logger's sink must outlive the scheduler.
  TriggerScheduler(const Clock& clock, Logger log, ClipRequestSink& sink,
                   SchedulerOptions options = {});

  // Installs a (re)compiled rule set. Cooldowns and limits carry over for rules of the same name.
  void SetRules(std::shared_ptr<const RuleSet> rules);

  // Applies the engine's observations for one frame.
  void Observe(std::span<const RuleObservation> observations);

  // A manual or remote trigger at the current time. Fails on a bad priority or roll, or a remote
  // id that already fired.
  Status Trigger(const ExternalTrigger& trigger);

  // Submits every pending clip whose end has passed. Returns how many.
  size_t Poll();

  // Submits every pending clip now, cut at the current time (shutdown: the rings are about to go).
  // An event whose window reached past now is marked shortened with `reason`. Returns how many.
  size_t Flush(std::string_view reason);

  // When the next pending clip is due, to sleep until then.
  std::optional<MonoTime> NextDue() const;
  size_t pending() const;
  SchedulerStats stats() const;

 private:
  struct Pending {
    ClipRequest request;
    bool open = true;  // accepts merges
  };
  struct RuleRuntime {
    RuleGate gate;
    std::optional<uint64_t> active_clip;  // the clip holding this rule's current event
    size_t active_event = 0;
  };

  // Adds one event, merging or opening a clip. Requires mu_. Returns the clip id.
  uint64_t AddEvent(ClipEvent event, Nanos pre_roll, Nanos post_roll);
  Pending* FindPending(uint64_t id);
  static void ApplyTier(const CompiledRule& rule, ClipEvent& event);
  void RecomputePriority(Pending& clip);
  // Logs and submits each of `due` to the sink; call without mu_.
  void HandToSink(std::vector<ClipRequest>& due);
  // Stores the earliest end of a pending clip in next_due_ns_. Requires mu_.
  void UpdateNextDue();

  static constexpr int64_t kNothingDue = std::numeric_limits<int64_t>::max();

  const Clock& clock_;
  const Logger log_;
  ClipRequestSink& sink_;
  const SchedulerOptions options_;

  mutable std::mutex mu_;
  std::shared_ptr<const RuleSet> rules_;        // guarded by mu_
  std::vector<RuleRuntime*> runtime_by_index_;  // guarded by mu_; points into runtime_
  std::map<std::string, RuleRuntime> runtime_;  // guarded by mu_; by rule name
  std::deque<Pending> pending_;                 // guarded by mu_; in creation order
  std::set<std::string> remote_ids_;            // guarded by mu_
  std::deque<std::string> remote_order_;        // guarded by mu_; to bound remote_ids_
  uint64_t next_id_ = 1;                        // guarded by mu_
  SchedulerStats stats_;                        // guarded by mu_
  // The earliest end among pending_ (kNothingDue when empty): written under mu_, read without it
  // so that Poll and NextDue, called after every frame, skip the lock while nothing is due.
  std::atomic<int64_t> next_due_ns_{kNothingDue};
};

}  // namespace fleetclip::triggers

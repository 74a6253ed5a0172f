// Gating, window merging, tiers and emission for triggers/trigger_scheduler.h.
#include "triggers/trigger_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fleetclip::triggers {
namespace {

constexpr size_t kMaxRememberedRemoteIds = 4096;
constexpr Nanos Ms(int64_t ms) { return std::chrono::milliseconds(ms); }

}  // namespace

std::string_view TriggerSourceName(TriggerSource source) {
  switch (source) {
    case TriggerSource::kRule:
      return "rule";
    case TriggerSource::kManual:
      return "manual";
    case TriggerSource::kRemote:
      return "remote";
  }
  return "unknown";
}

TriggerScheduler::TriggerScheduler(const Clock& clock, Logger log, ClipRequestSink& sink,
                                   SchedulerOptions options)
    : clock_(clock), log_(std::move(log)), sink_(sink), options_(options) {}

void TriggerScheduler::SetRules(std::shared_ptr<const RuleSet> rules) {
  std::lock_guard lock(mu_);
  rules_ = std::move(rules);
  runtime_by_index_.clear();
  for (const CompiledRule& rule : rules_->rules()) {
    RuleRuntime& rt = runtime_[rule.spec.name];
    rt.active_clip.reset();  // rule indices changed; a new engine reports fresh starts
    runtime_by_index_.push_back(&rt);
  }
}

void TriggerScheduler::ApplyTier(const CompiledRule& rule, ClipEvent& event) {
  event.priority = std::max(event.priority, rule.spec.priority);
  if (std::isnan(event.peak)) return;
  for (const SeverityTier& tier : rule.spec.tiers) {
    if (std::fabs(event.peak) >= tier.min_magnitude && tier.priority >= event.priority) {
      event.priority = tier.priority;
      event.tier = tier.name;
    }
  }
}

void TriggerScheduler::UpdateNextDue() {
  int64_t next = kNothingDue;
  for (const Pending& p : pending_) next = std::min(next, ToNanos(p.request.end));
  next_due_ns_.store(next, std::memory_order_release);
}

void TriggerScheduler::RecomputePriority(Pending& clip) {
  clip.request.priority = 0;
  for (const ClipEvent& e : clip.request.events) {
    clip.request.priority = std::max(clip.request.priority, e.priority);
  }
}

TriggerScheduler::Pending* TriggerScheduler::FindPending(uint64_t id) {
  for (Pending& p : pending_) {
    if (p.request.id == id) return &p;
  }
  return nullptr;
}

void TriggerScheduler::Observe(std::span<const RuleObservation> observations) {
  if (observations.empty()) return;
  std::lock_guard lock(mu_);
  const std::vector<CompiledRule>& rules = rules_->rules();
  for (const RuleObservation& o : observations) {
    if (o.rule >= rules.size()) continue;
    const CompiledRule& rule = rules[o.rule];
    RuleRuntime& rt = *runtime_by_index_[o.rule];
    switch (o.kind) {
      case RuleObservation::Kind::kStarted: {
        const GateVerdict verdict = rt.gate.OnStart(rule.spec, o.time);
        if (verdict != GateVerdict::kFire) {
          uint64_t* counter = verdict == GateVerdict::kCooldown    ? &stats_.suppressed_cooldown
                              : verdict == GateVerdict::kRearm     ? &stats_.suppressed_rearm
                              : verdict == GateVerdict::kHourLimit ? &stats_.suppressed_hour_limit
                                                                   : &stats_.suppressed_day_limit;
          ++*counter;
          if (!log_.Enabled(LogLevel::kDebug)) break;
          log_.Debug("trigger_suppressed", {{"rule", rule.spec.name},
                                            {"reason", GateVerdictName(verdict)},
                                            {"time_ms", ToMillis(o.time.time_since_epoch())}});
          break;
        }
        ClipEvent event;
        event.source = TriggerSource::kRule;
        event.rule = rule.spec.name;
        event.time = o.time;
        event.peak = o.peak;
        event.tag = o.tag;
        ApplyTier(rule, event);
        ++stats_.fired;
        rt.active_clip =
            AddEvent(std::move(event), Ms(rule.spec.pre_roll_ms), Ms(rule.spec.post_roll_ms));
        rt.active_event = FindPending(*rt.active_clip)->request.events.size() - 1;
        break;
      }
      case RuleObservation::Kind::kPeak: {
        if (!rt.active_clip) break;
        Pending* clip = FindPending(*rt.active_clip);
        if (clip == nullptr) break;  // already submitted
        ClipEvent& event = clip->request.events[rt.active_event];
        event.peak = o.peak;
        ApplyTier(rule, event);
        RecomputePriority(*clip);
        break;
      }
      case RuleObservation::Kind::kEnded:
        rt.gate.OnEnd(o.time);
        rt.active_clip.reset();
        break;
    }
  }
}

Status TriggerScheduler::Trigger(const ExternalTrigger& trigger) {
  const std::string_view what = TriggerSourceName(trigger.source);
  if (trigger.source == TriggerSource::kRule) {
    return Error(ErrorCode::kInvalidArgument, "a rule firing cannot enter as an external trigger");
  }
  if (trigger.priority < 0 || trigger.priority > 100) {
    return Error(ErrorCode::kInvalidArgument, std::string(what) + " trigger priority " +
                                                  std::to_string(trigger.priority) +
                                                  " is outside 0..100");
  }
  if (trigger.pre_roll_ms < 0 || trigger.post_roll_ms < 0 ||
      trigger.post_roll_ms > options_.max_post_roll_ms) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(what) +
                     " trigger pre_roll_ms must be >= 0 and post_roll_ms within 0.." +
                     std::to_string(options_.max_post_roll_ms));
  }
  std::lock_guard lock(mu_);
  if (trigger.source == TriggerSource::kRemote) {
    if (trigger.id.empty()) {
      return Error(ErrorCode::kInvalidArgument, "remote trigger has no id");
    }
    if (!remote_ids_.insert(trigger.id).second) {
      return Error(ErrorCode::kAlreadyExists,
                   "remote trigger \"" + trigger.id + "\" already fired; an id fires once");
    }
    remote_order_.push_back(trigger.id);
    if (remote_order_.size() > kMaxRememberedRemoteIds) {
      remote_ids_.erase(remote_order_.front());
      remote_order_.pop_front();
    }
  }
  ClipEvent event;
  event.source = trigger.source;
  event.rule = std::string(what);
  event.trigger_id = trigger.id;
  event.note = trigger.note;
  event.time = clock_.Now();
  event.peak = std::numeric_limits<double>::quiet_NaN();
  event.priority = trigger.priority;
  ++(trigger.source == TriggerSource::kManual ? stats_.manual : stats_.remote);
  AddEvent(std::move(event), Ms(trigger.pre_roll_ms), Ms(trigger.post_roll_ms));
  return Ok();
}

uint64_t TriggerScheduler::AddEvent(ClipEvent event, Nanos pre_roll, Nanos post_roll) {
  const Nanos max = options_.max_window;
  if (pre_roll + post_roll > max) {
    const Nanos kept_post = std::min(post_roll, max);
    event.window_shortened = true;
    event.shortened_reason =
        "window of " + std::to_string(ToMillis(pre_roll + post_roll)) + " ms exceeds the ring's " +
        std::to_string(ToMillis(max)) + " ms; pre-roll cut to " +
        std::to_string(ToMillis(max - kept_post)) + " ms" +
        (kept_post < post_roll ? " and post-roll to " + std::to_string(ToMillis(kept_post)) + " ms"
                               : "");
    pre_roll = max - kept_post;
    post_roll = kept_post;
    ++stats_.shortened;
  }
  event.window_start = event.time - pre_roll;
  event.window_end = event.time + post_roll;

  Pending* open = nullptr;
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
    if (it->open) {
      open = &*it;
      break;
    }
  }
  if (open != nullptr && event.window_start <= open->request.end &&
      event.window_end >= open->request.start) {
    const MonoTime start = std::min(open->request.start, event.window_start);
    const MonoTime end = std::max(open->request.end, event.window_end);
    if (end - start <= max) {
      open->request.start = start;
      open->request.end = end;
      if (log_.Enabled(LogLevel::kInfo)) {
        log_.Info("trigger_fired", {{"rule", event.rule},
                                    {"source", TriggerSourceName(event.source)},
                                    {"clip", open->request.id},
                                    {"priority", event.priority},
                                    {"merged", true}});
      }
      open->request.events.push_back(std::move(event));
      RecomputePriority(*open);
      UpdateNextDue();
      ++stats_.merged;
      return open->request.id;
    }
    open->open = false;  // the union would not fit the ring: this clip takes no more events
  }
  Pending& clip = pending_.emplace_back();
  clip.request.id = next_id_++;
  clip.request.start = event.window_start;
  clip.request.end = event.window_end;
  clip.request.mono_at_trigger = clock_.Now();
  clip.request.wall_at_trigger = clock_.WallNow();
  if (log_.Enabled(LogLevel::kInfo)) {
    log_.Info("trigger_fired", {{"rule", event.rule},
                                {"source", TriggerSourceName(event.source)},
                                {"clip", clip.request.id},
                                {"priority", event.priority},
                                {"merged", false}});
  }
  clip.request.events.push_back(std::move(event));
  RecomputePriority(clip);
  UpdateNextDue();
  return clip.request.id;
}

size_t TriggerScheduler::Poll() {
  const MonoTime now = clock_.Now();
  // Nothing ends by now: the common case, answered without the lock.
  if (ToNanos(now) < next_due_ns_.load(std::memory_order_acquire)) return 0;
  std::vector<ClipRequest> due;
  {
    std::lock_guard lock(mu_);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->request.end <= now) {
        due.push_back(std::move(it->request));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    stats_.clips += due.size();
    UpdateNextDue();
  }
  HandToSink(due);
  return due.size();
}

size_t TriggerScheduler::Flush(std::string_view reason) {
  const MonoTime now = clock_.Now();
  std::vector<ClipRequest> due;
  {
    std::lock_guard lock(mu_);
    for (Pending& p : pending_) {
      ClipRequest& request = p.request;
      if (request.end > now) {
        request.end = std::max(now, request.start);
        for (ClipEvent& e : request.events) {
          if (e.window_end <= request.end) continue;
          e.window_end = request.end;
          e.window_shortened = true;
          if (!e.shortened_reason.empty()) e.shortened_reason += "; ";
          e.shortened_reason += "post-roll cut at " +
                                std::to_string(ToMillis(e.window_end - e.time)) +
                                " ms: " + std::string(reason);
          ++stats_.shortened;
        }
      }
      due.push_back(std::move(request));
    }
    pending_.clear();
    for (auto& [name, runtime] : runtime_) runtime.active_clip.reset();
    stats_.clips += due.size();
    UpdateNextDue();
  }
  HandToSink(due);
  return due.size();
}

void TriggerScheduler::HandToSink(std::vector<ClipRequest>& due) {
  for (ClipRequest& request : due) {
    log_.Info("clip_requested", {{"clip", request.id},
                                 {"start_ms", ToMillis(request.start.time_since_epoch())},
                                 {"end_ms", ToMillis(request.end.time_since_epoch())},
                                 {"events", request.events.size()},
                                 {"priority", request.priority}});
    sink_.Submit(std::move(request));
  }
}

std::optional<MonoTime> TriggerScheduler::NextDue() const {
  const int64_t next = next_due_ns_.load(std::memory_order_acquire);
  if (next == kNothingDue) return std::nullopt;
  return MonoFromNanos(next);
}

size_t TriggerScheduler::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

SchedulerStats TriggerScheduler::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace fleetclip::triggers

// Cooldown, re-arm and sliding-window rate limits for triggers/rule_gate.h.
#include "triggers/rule_gate.h"

#include <algorithm>

namespace fleetclip::triggers {
namespace {

constexpr Nanos kHour = std::chrono::hours(1);
constexpr Nanos kDay = std::chrono::hours(24);
constexpr Nanos Ms(int64_t ms) { return std::chrono::milliseconds(ms); }

}  // namespace

std::string_view GateVerdictName(GateVerdict verdict) {
  switch (verdict) {
    case GateVerdict::kFire:
      return "fire";
    case GateVerdict::kCooldown:
      return "cooldown";
    case GateVerdict::kRearm:
      return "rearm";
    case GateVerdict::kHourLimit:
      return "max_per_hour";
    case GateVerdict::kDayLimit:
      return "max_per_day";
  }
  return "unknown";
}

GateVerdict RuleGate::OnStart(const RuleSpec& rule, MonoTime t) {
  while (!fires_.empty() && fires_.front() <= t - kDay) fires_.pop_front();
  if (last_fire_) {
    if (t - *last_fire_ < Ms(rule.cooldown_ms)) return GateVerdict::kCooldown;
    if (rule.rearm_ms > 0) {
      const bool ended_since_fire = last_end_ && *last_end_ >= *last_fire_;
      if (!ended_since_fire || t - *last_end_ < Ms(rule.rearm_ms)) return GateVerdict::kRearm;
    }
  }
  if (rule.max_per_hour > 0) {
    const auto in_hour =
        std::count_if(fires_.begin(), fires_.end(), [&](MonoTime f) { return f > t - kHour; });
    if (in_hour >= rule.max_per_hour) return GateVerdict::kHourLimit;
  }
  if (rule.max_per_day > 0 && static_cast<int64_t>(fires_.size()) >= rule.max_per_day) {
    return GateVerdict::kDayLimit;
  }
  last_fire_ = t;
  fires_.push_back(t);
  // Without limits the history is not needed; keep it bounded anyway.
  if (rule.max_per_hour == 0 && rule.max_per_day == 0) fires_.clear();
  return GateVerdict::kFire;
}

}  // namespace fleetclip::triggers

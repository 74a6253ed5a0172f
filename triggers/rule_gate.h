// Per-rule firing policy: cooldown, re-arm and hourly/daily rate limits. The engine reports when a
// rule's condition starts and ends holding; the gate decides whether a start becomes a firing.
//   cooldown   a firing less than cooldown_ms after the previous firing is suppressed
//   re-arm     after a firing, the condition must have been false for rearm_ms before the next
//   limits     at most max_per_hour firings in any sliding hour, max_per_day in any 24 hours
// Suppressed starts do not count against the limits. Not thread-safe (the scheduler locks).
#pragma once

#include <deque>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "triggers/rule_spec.h"

namespace fleetclip::triggers {

enum class GateVerdict { kFire, kCooldown, kRearm, kHourLimit, kDayLimit };

std::string_view GateVerdictName(GateVerdict verdict);

class RuleGate {
 public:
  // A start of the rule's condition at `t`; records the firing when the verdict is kFire.
  GateVerdict OnStart(const RuleSpec& rule, MonoTime t);
  // The rule's condition stopped holding at `t`.
  void OnEnd(MonoTime t) { last_end_ = t; }

 private:
  std::optional<MonoTime> last_fire_;
  std::optional<MonoTime> last_end_;
  std::deque<MonoTime> fires_;  // within the last 24 hours, oldest first
};

}  // namespace fleetclip::triggers

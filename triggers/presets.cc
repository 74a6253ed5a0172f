// The built-in rule presets of triggers/presets.h with their default windows and limits.
#include "triggers/presets.h"

namespace fleetclip::triggers {

std::vector<RuleSpec> BuiltinRules() {
  RuleSpec disengagement;
  disengagement.name = kDisengagementRule;
  disengagement.expr = "fell(autonomy_engaged for 2s)";
  disengagement.priority = 70;
  disengagement.pre_roll_ms = 30'000;
  disengagement.post_roll_ms = 15'000;
  disengagement.tag_signal = "disengage_reason";
  disengagement.never_limited = true;

  RuleSpec braking;
  braking.name = kHarshBrakingRule;
  braking.expr = "max(accel_long, 300ms) <= -3.5 and speed > 2.8";
  braking.priority = 60;
  braking.pre_roll_ms = 20'000;
  braking.post_roll_ms = 10'000;
  braking.cooldown_ms = 10'000;
  braking.rearm_ms = 1'000;
  braking.max_per_hour = 30;
  braking.max_per_day = 200;
  braking.tiers = {SeverityTier{"severe", 4.5, 80}};

  RuleSpec steering;
  steering.name = kSteeringJerkRule;
  steering.expr =
      "(min(abs(rate(steering_angle)), 100ms) >= 300"
      " or abs(rate(mean(accel_lat, 500ms))) >= 5 for 100ms) and speed > 8";
  steering.priority = 50;
  steering.pre_roll_ms = 15'000;
  steering.post_roll_ms = 10'000;
  steering.cooldown_ms = 10'000;
  steering.rearm_ms = 1'000;
  steering.max_per_hour = 30;
  steering.max_per_day = 200;

  return {disengagement, braking, steering};
}

}  // namespace fleetclip::triggers

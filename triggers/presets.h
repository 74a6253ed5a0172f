// The three built-in rules, written in the rule language so they are ordinary, overridable rules.
// Thresholds follow ../shared/CONTEXT.md.
//
//  disengagement  fell(autonomy_engaged for 2s)
//      Any engaged -> not engaged, after an engagement of at least 2 s: shorter engagements are
//      chatter, not disengagements. Tagged with disengage_reason. Never rate-limited.
//  harsh_braking  accel_long <= -3.5 for 300ms and speed > 2.8
//      Severe tier (higher priority) when the peak deceleration reaches 4.5 m/s².
//  steering_jerk  (abs(rate(steering_angle)) >= 300 for 100ms
//                  or abs(rate(mean(accel_lat, 500ms))) >= 5 for 100ms) and speed > 8
//      Steering-wheel rate held 100 ms, or lateral jerk by the UNECE R79 method (the derivative of
//      the 500 ms mean, which equals (a(t) - a(t - 500 ms)) / 500 ms). The jerk term is held 100 ms
//      too: a single-sample spike moves that derivative for exactly one frame and must not fire.
#pragma once

#include <vector>

#include "triggers/rule_spec.h"

namespace fleetclip::triggers {

inline constexpr char kDisengagementRule[] = "disengagement";
inline constexpr char kHarshBrakingRule[] = "harsh_braking";
inline constexpr char kSteeringJerkRule[] = "steering_jerk";

std::vector<RuleSpec> BuiltinRules();

}  // namespace fleetclip::triggers

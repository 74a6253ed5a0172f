// The three built-in rules, written in the rule language so they are ordinary, overridable rules.
// Thresholds follow ../shared/CONTEXT.md.
//
//  disengagement  fell(autonomy_engaged for 2s)
//      Any engaged -> not engaged, after an engagement of at least 2 s: shorter engagements are
//      chatter, not disengagements. Tagged with disengage_reason. Never rate-limited.
//  harsh_braking  max(accel_long, 300ms) <= -3.5 and speed > 2.8
//      Deceleration of at least 3.5 m/s² throughout the last 300 ms above 2.8 m/s: the same
//      condition as `accel_long <= -3.5 for 300ms`, written as a window so that the rule's peak is
//      the deepest deceleration *sustained* for 300 ms. The severe tier (higher priority) at
//      4.5 m/s² therefore cannot be reached by sensor noise or a single-sample spike.
//  steering_jerk  (min(abs(rate(steering_angle)), 100ms) >= 300
//                  or abs(rate(mean(accel_lat, 500ms))) >= 5 for 100ms) and speed > 8
//      Steering-wheel rate of at least 300 deg/s throughout 100 ms (peak: the highest rate
//      sustained for 100 ms), or lateral jerk by the UNECE R79 method (the derivative of the
//      500 ms mean, which equals (a(t) - a(t - 500 ms)) / 500 ms) held 100 ms: a single-sample
//      spike moves that derivative for exactly one frame and must not fire.
#pragma once

#include <vector>

#include "triggers/rule_spec.h"

namespace fleetclip::triggers {

inline constexpr char kDisengagementRule[] = "disengagement";
inline constexpr char kHarshBrakingRule[] = "harsh_braking";
inline constexpr char kSteeringJerkRule[] = "steering_jerk";

std::vector<RuleSpec> BuiltinRules();

}  // namespace fleetclip::triggers

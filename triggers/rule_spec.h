// What a trigger rule is before compilation: its expression in the rule language plus the
// scheduling policy the TriggerScheduler applies to its firings. Built from the presets
// (triggers/presets.h) and overridden by RuleConfig entries from the base or fleet config
// (triggers/rule_config.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fleetclip::triggers {

// A higher-priority tier reached when the rule's peak magnitude |peak| reaches `min_magnitude`,
// e.g. harsh braking becomes "severe" at 4.5 m/s².
struct SeverityTier {
  std::string name;
  double min_magnitude = 0;
  int priority = 0;
};

struct RuleSpec {
  std::string name;   // [a-z0-9_]{1,64}
  std::string expr;   // rule language, DESIGN.md section 5
  int priority = 50;  // 0..100
  int64_t pre_roll_ms = 10'000;
  int64_t post_roll_ms = 5'000;
  int64_t cooldown_ms = 0;  // minimum time between two firings
  int64_t rearm_ms = 0;     // after a firing, the condition must be false this long first
  int max_per_hour = 0;     // 0 = unlimited
  int max_per_day = 0;      // 0 = unlimited
  bool enabled = true;
  std::string tag_signal;           // a text signal copied into each event's tag
  std::vector<SeverityTier> tiers;  // ascending min_magnitude
  // Cooldown, re-arm and rate limits must stay 0 (disengagements are never rate-limited).
  bool never_limited = false;
};

}  // namespace fleetclip::triggers

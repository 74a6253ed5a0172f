// From config to rules: validates RuleSpecs and applies RuleConfig entries (base or fleet config)
// over the built-in presets. A config rule whose name is a preset's replaces that preset; an empty
// `expr` keeps the preset's expression and severity tiers, so a fleet can retune windows and limits
// without restating the condition. `enabled: false` turns a preset off. Other config rules are
// added as custom rules. Every error names the rule, the field, the value and the bound.
#pragma once

#include <cstdint>
#include <vector>

#include <google/protobuf/repeated_ptr_field.h>

#include "common/result.h"
#include "proto/config.pb.h"
#include "triggers/rule_spec.h"

namespace fleetclip::triggers {

struct RuleBounds {
  int64_t max_pre_roll_ms = 600'000;  // the camera ring's duration
  int64_t max_post_roll_ms = 300'000;
  int64_t max_cooldown_ms = 86'400'000;
  int64_t max_rearm_ms = 3'600'000;
  size_t max_rules = 256;
};

// `rule "hb": priority 120 is outside 0..100`.
Status ValidateRuleSpec(const RuleSpec& rule, const RuleBounds& bounds);

// `base` with every field `config` sets replaced: the preset of the same name, or RuleSpec{} for a
// custom rule. A left-out number keeps the base's value; an empty expr, tag_signal or tiers list
// keeps the base's.
RuleSpec RuleSpecFromConfig(const proto::RuleConfig& config, RuleSpec base);

// Presets overridden and extended by `configs`, each validated; names must be unique.
Result<std::vector<RuleSpec>> MergeRules(
    std::vector<RuleSpec> presets,
    const google::protobuf::RepeatedPtrField<proto::RuleConfig>& configs, const RuleBounds& bounds);

}  // namespace fleetclip::triggers

// Validation of rule policies and the preset-override merge of triggers/rule_config.h.
#include "triggers/rule_config.h"

#include <algorithm>
#include <string>

namespace fleetclip::triggers {
namespace {

bool IsValidRuleName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Error Bad(const RuleSpec& rule, const std::string& message) {
  return Error(ErrorCode::kInvalidArgument, "rule \"" + rule.name + "\": " + message);
}

Status CheckRange(const RuleSpec& rule, const char* field, int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return Ok();
  return Bad(rule, std::string(field) + " " + std::to_string(value) + " is outside " +
                       std::to_string(lo) + ".." + std::to_string(hi));
}

}  // namespace

Status ValidateRuleSpec(const RuleSpec& rule, const RuleBounds& bounds) {
  if (!IsValidRuleName(rule.name)) {
    return Error(ErrorCode::kInvalidArgument,
                 "rule name \"" + rule.name + "\" is not [a-z0-9_]{1,64}");
  }
  if (rule.expr.empty()) return Bad(rule, "expr is empty");
  const struct {
    const char* field;
    int64_t value, lo, hi;
  } checks[] = {
      {"priority", rule.priority, 0, 100},
      {"pre_roll_ms", rule.pre_roll_ms, 0, bounds.max_pre_roll_ms},
      {"post_roll_ms", rule.post_roll_ms, 0, bounds.max_post_roll_ms},
      {"cooldown_ms", rule.cooldown_ms, 0, bounds.max_cooldown_ms},
      {"rearm_ms", rule.rearm_ms, 0, bounds.max_rearm_ms},
      {"max_per_hour", rule.max_per_hour, 0, 3600},
      {"max_per_day", rule.max_per_day, 0, 86400},
  };
  for (const auto& c : checks) {
    if (Status s = CheckRange(rule, c.field, c.value, c.lo, c.hi); !s.ok()) return s;
  }
  if (rule.never_limited && (rule.cooldown_ms != 0 || rule.rearm_ms != 0 ||
                             rule.max_per_hour != 0 || rule.max_per_day != 0)) {
    return Bad(rule,
               "cooldown_ms, rearm_ms, max_per_hour and max_per_day must be 0: this rule is "
               "never rate-limited");
  }
  for (size_t i = 0; i < rule.tiers.size(); ++i) {
    const SeverityTier& tier = rule.tiers[i];
    if (!IsValidRuleName(tier.name) || tier.name.size() > 32) {
      return Bad(rule, "tier name \"" + tier.name + "\" is not [a-z0-9_]{1,32}");
    }
    if (i > 0 && !(tier.min_magnitude > rule.tiers[i - 1].min_magnitude)) {
      return Bad(rule, "tier \"" + tier.name + "\" min_magnitude " +
                           std::to_string(tier.min_magnitude) +
                           " is not above the previous tier's " +
                           std::to_string(rule.tiers[i - 1].min_magnitude));
    }
    if (tier.priority < 0 || tier.priority > 100) {
      return Bad(rule, "tier \"" + tier.name + "\" priority " + std::to_string(tier.priority) +
                           " is outside 0..100");
    }
  }
  return Ok();
}

RuleSpec RuleSpecFromConfig(const proto::RuleConfig& config, RuleSpec base) {
  RuleSpec rule = std::move(base);
  rule.name = config.name();
  if (!config.expr().empty()) rule.expr = config.expr();
  if (config.has_priority()) rule.priority = config.priority();
  if (config.has_pre_roll_ms()) rule.pre_roll_ms = config.pre_roll_ms();
  if (config.has_post_roll_ms()) rule.post_roll_ms = config.post_roll_ms();
  if (config.has_cooldown_ms()) rule.cooldown_ms = config.cooldown_ms();
  if (config.has_rearm_ms()) rule.rearm_ms = config.rearm_ms();
  if (config.has_max_per_hour()) rule.max_per_hour = config.max_per_hour();
  if (config.has_max_per_day()) rule.max_per_day = config.max_per_day();
  if (config.has_enabled()) rule.enabled = config.enabled();
  if (!config.tag_signal().empty()) rule.tag_signal = config.tag_signal();
  if (config.tiers_size() > 0) {
    rule.tiers.clear();
    for (const proto::SeverityTierConfig& tier : config.tiers()) {
      rule.tiers.push_back(SeverityTier{tier.name(), tier.min_magnitude(), tier.priority()});
    }
  }
  return rule;
}

Result<std::vector<RuleSpec>> MergeRules(
    std::vector<RuleSpec> presets,
    const google::protobuf::RepeatedPtrField<proto::RuleConfig>& configs,
    const RuleBounds& bounds) {
  std::vector<RuleSpec> rules = std::move(presets);
  std::vector<std::string> seen;
  for (const proto::RuleConfig& config : configs) {
    if (std::find(seen.begin(), seen.end(), config.name()) != seen.end()) {
      return Error(ErrorCode::kInvalidArgument,
                   "rule \"" + config.name() + "\" is defined twice in the config");
    }
    seen.push_back(config.name());
    auto preset = std::find_if(rules.begin(), rules.end(),
                               [&](const RuleSpec& r) { return r.name == config.name(); });
    if (preset == rules.end()) {
      rules.push_back(RuleSpecFromConfig(config, RuleSpec{}));
    } else {
      *preset = RuleSpecFromConfig(config, std::move(*preset));
    }
  }
  if (rules.size() > bounds.max_rules) {
    return Error(ErrorCode::kInvalidArgument, std::to_string(rules.size()) + " rules; at most " +
                                                  std::to_string(bounds.max_rules));
  }
  for (const RuleSpec& rule : rules) {
    if (Status s = ValidateRuleSpec(rule, bounds); !s.ok()) return s.error();
  }
  return rules;
}

}  // namespace fleetclip::triggers

// Rules from config: validation messages and overriding the presets.
#include "triggers/rule_config.h"

#include <catch2/catch.hpp>

#include "triggers/presets.h"

namespace fleetclip::triggers {

TEST_CASE("The presets are valid") {
  for (const RuleSpec& r : BuiltinRules()) REQUIRE(ValidateRuleSpec(r, RuleBounds{}).ok());
}

TEST_CASE("An out-of-range field names the rule, the field, the value and the bound") {
  RuleSpec r = BuiltinRules()[1];
  r.priority = 120;
  Status s = ValidateRuleSpec(r, RuleBounds{});
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.error().message() == "rule \"harsh_braking\": priority 120 is outside 0..100");
  r.priority = 10;
  r.pre_roll_ms = 90'000;
  s = ValidateRuleSpec(r, RuleBounds{.max_pre_roll_ms = 60'000});
  REQUIRE(s.error().message() == "rule \"harsh_braking\": pre_roll_ms 90000 is outside 0..60000");
}

TEST_CASE("Disengagement cannot be given a rate limit") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("disengagement");
  c->set_enabled(true);
  c->set_priority(70);
  c->set_pre_roll_ms(30'000);
  c->set_max_per_hour(5);
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE_FALSE(rules.ok());
  REQUIRE(rules.error().message().find("never rate-limited") != std::string::npos);
}

TEST_CASE("A config rule with a preset's name and no expr retunes the preset") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("harsh_braking");
  c->set_enabled(true);
  c->set_priority(65);
  c->set_pre_roll_ms(5'000);
  c->set_post_roll_ms(5'000);
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE(rules.ok());
  REQUIRE(rules->size() == 3);
  const RuleSpec& hb = (*rules)[1];
  REQUIRE(hb.expr == BuiltinRules()[1].expr);
  REQUIRE(hb.tiers.size() == 1);
  REQUIRE(hb.priority == 65);
  REQUIRE(hb.pre_roll_ms == 5'000);
}

TEST_CASE("A preset retuned in one field keeps every other field of the preset") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("harsh_braking");
  c->set_priority(65);
  c->set_max_per_hour(0);  // set to zero on purpose: unlimited, not "left out"
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE(rules.ok());
  const std::vector<RuleSpec> presets = BuiltinRules();
  const RuleSpec& preset = presets[1];
  const RuleSpec& hb = (*rules)[1];
  REQUIRE(hb.priority == 65);
  REQUIRE(hb.max_per_hour == 0);
  REQUIRE(preset.cooldown_ms > 0);
  REQUIRE(hb.cooldown_ms == preset.cooldown_ms);
  REQUIRE(hb.rearm_ms == preset.rearm_ms);
  REQUIRE(hb.max_per_day == preset.max_per_day);
  REQUIRE(hb.pre_roll_ms == preset.pre_roll_ms);
  REQUIRE(hb.post_roll_ms == preset.post_roll_ms);
  REQUIRE(hb.expr == preset.expr);
  REQUIRE(hb.tiers.size() == preset.tiers.size());
}

TEST_CASE("A custom rule that leaves out its numbers gets the documented custom defaults") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("hard_stop");
  c->set_expr("accel_long < -6 for 200ms");
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE(rules.ok());
  const RuleSpec& r = rules->back();
  REQUIRE(r.name == "hard_stop");
  REQUIRE(r.priority == 50);
  REQUIRE(r.pre_roll_ms == 10'000);
  REQUIRE(r.post_roll_ms == 5'000);
  REQUIRE(r.cooldown_ms == 0);
  REQUIRE(r.max_per_hour == 0);
  REQUIRE_FALSE(r.never_limited);
}

TEST_CASE("A config rule with a new name is added as a custom rule") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("shadow_steer");
  c->set_expr("abs(model.steering_pred - steering_angle) > 30 for 500ms");
  c->set_enabled(true);
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE(rules.ok());
  REQUIRE(rules->size() == 4);
  REQUIRE(rules->back().name == "shadow_steer");
}

TEST_CASE("A rule defined twice in one config is refused") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  for (int i = 0; i < 2; ++i) {
    proto::RuleConfig* c = configs.Add();
    c->set_name("x");
    c->set_expr("speed > 1");
  }
  auto rules = MergeRules({}, configs, RuleBounds{});
  REQUIRE(rules.error().message() == "rule \"x\" is defined twice in the config");
}

TEST_CASE("A config rule that does not say enabled is enabled") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("custom");
  c->set_expr("speed > 40");
  proto::RuleConfig* off = configs.Add();
  off->set_name("steering_jerk");
  off->set_enabled(false);
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE(rules.ok());
  REQUIRE(rules->back().enabled);
  REQUIRE_FALSE((*rules)[2].enabled);
}

TEST_CASE("Severity tiers from config replace a preset's and must ascend") {
  google::protobuf::RepeatedPtrField<proto::RuleConfig> configs;
  proto::RuleConfig* c = configs.Add();
  c->set_name("harsh_braking");
  c->set_priority(60);
  proto::SeverityTierConfig* t1 = c->add_tiers();
  t1->set_name("hard");
  t1->set_min_magnitude(4.0);
  t1->set_priority(70);
  proto::SeverityTierConfig* t2 = c->add_tiers();
  t2->set_name("extreme");
  t2->set_min_magnitude(6.0);
  t2->set_priority(90);
  auto rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE(rules.ok());
  REQUIRE((*rules)[1].tiers.size() == 2);
  REQUIRE((*rules)[1].tiers[1].name == "extreme");

  t2->set_min_magnitude(3.0);
  rules = MergeRules(BuiltinRules(), configs, RuleBounds{});
  REQUIRE_FALSE(rules.ok());
  REQUIRE(rules.error().message() ==
          "rule \"harsh_braking\": tier \"extreme\" min_magnitude 3.000000 is not above the "
          "previous tier's 4.000000");
}

}  // namespace fleetclip::triggers

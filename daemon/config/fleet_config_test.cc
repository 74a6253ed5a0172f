// The fleet config verifier: each rejection with its own reason and message, the not-modified
// case, acceptance, and what ApplyFleetConfig makes of the base config.
#include <catch2/catch.hpp>

#include "daemon/config/config_test_support.h"
#include "daemon/config/fleet_config.h"

namespace fleetclip::config {
namespace {

using testing::Serialize;
using testing::Sign;
using testing::SignPayload;
using testing::TestBase;
using testing::TestFleet;
using testing::TestNow;

struct FleetConfigFixture {
  Ed25519PrivateKey k1 = testing::NewKey();
  Ed25519PrivateKey k2 = testing::NewKey();
  Ed25519PrivateKey stranger = testing::NewKey();
  proto::BaseConfig base = TestBase({{"k1", &k1}, {"k2", &k2}});
  ActiveFleetState active{7, Serialize(TestFleet(7))};

  FleetVerification Verify(const std::string& bytes) {
    return VerifyFleetConfig(bytes, base, active, TestNow());
  }
  FleetVerification Verify(const proto::FleetConfig& fleet) {
    return Verify(Sign(fleet, {{"k1", &k1}}));
  }
};

void RequireRejected(const FleetVerification& v, FleetRejectReason reason,
                     const std::string& message) {
  INFO(v.message);
  REQUIRE(v.verdict == FleetVerdict::kRejected);
  CHECK(v.reason == reason);
  CHECK(v.message == message);
}

TEST_CASE("A config without any signature is rejected as unsigned") {
  FleetConfigFixture f;
  RequireRejected(f.Verify(SignPayload(Serialize(TestFleet(8)), {})), FleetRejectReason::kUnsigned,
                  "config is not signed");
}

TEST_CASE("A config signed only by a key the base config does not trust is rejected") {
  FleetConfigFixture f;
  RequireRejected(f.Verify(Sign(TestFleet(8), {{"k9", &f.stranger}})),
                  FleetRejectReason::kUnknownKey, "signed only by untrusted key ids: \"k9\"");
}

TEST_CASE("A trusted key id whose signature covers other bytes does not verify") {
  FleetConfigFixture f;
  proto::SignedFleetConfig envelope;
  envelope.set_payload(Serialize(TestFleet(8)));
  proto::FleetConfigSignature* sig = envelope.add_signatures();
  sig->set_key_id("k1");
  sig->set_ed25519_signature(*f.k1.Sign(Serialize(TestFleet(9))));
  RequireRejected(f.Verify(Serialize(envelope)), FleetRejectReason::kBadSignature,
                  "signature by key \"k1\" does not verify");
}

TEST_CASE("A signature made by another key under a trusted key id does not verify") {
  FleetConfigFixture f;
  RequireRejected(f.Verify(Sign(TestFleet(8), {{"k2", &f.stranger}})),
                  FleetRejectReason::kBadSignature, "signature by key \"k2\" does not verify");
}

TEST_CASE("A truncated download does not parse and is rejected as malformed") {
  FleetConfigFixture f;
  const std::string bytes = Sign(TestFleet(8), {{"k1", &f.k1}});
  const std::string cut = bytes.substr(0, bytes.size() - 10);
  RequireRejected(f.Verify(cut), FleetRejectReason::kMalformed,
                  "not a SignedFleetConfig (" + std::to_string(cut.size()) +
                      " bytes do not parse; truncated or corrupt)");
}

TEST_CASE("A config one byte over max_config_bytes is rejected before it is parsed") {
  FleetConfigFixture f;
  const std::string bytes(1'048'577, 'x');
  RequireRejected(f.Verify(bytes), FleetRejectReason::kTooLarge,
                  "config is 1048577 bytes; the limit is 1048576");
}

TEST_CASE("A config exactly at max_config_bytes passes the size check") {
  FleetConfigFixture f;
  f.base.mutable_backend()->set_max_config_bytes(4096);
  proto::FleetConfig fleet = TestFleet(8);
  // Pad a remote trigger's note until the envelope is exactly at the cap.
  proto::RemoteTrigger* t = fleet.add_remote_triggers();
  t->set_id("t1");
  std::string bytes = Sign(fleet, {{"k1", &f.k1}});
  for (int i = 0; i < 8 && bytes.size() != 4096; ++i) {
    const auto grow = static_cast<std::ptrdiff_t>(4096) - static_cast<std::ptrdiff_t>(bytes.size());
    t->set_note(std::string(
        static_cast<size_t>(static_cast<std::ptrdiff_t>(t->note().size()) + grow), 'n'));
    bytes = Sign(fleet, {{"k1", &f.k1}});
  }
  REQUIRE(bytes.size() == 4096);
  CHECK(f.Verify(bytes).accepted());
}

TEST_CASE("A version lower than the active one is rejected") {
  FleetConfigFixture f;
  RequireRejected(f.Verify(TestFleet(4)), FleetRejectReason::kVersionTooLow,
                  "version 4 is lower than the active version 7");
}

TEST_CASE("The active version number with different bytes is rejected") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(7);
  fleet.mutable_rules(0)->set_priority(81);
  RequireRejected(f.Verify(fleet), FleetRejectReason::kVersionConflict,
                  "version 7 is the active version but its payload differs from the active one");
}

TEST_CASE("The active version with the same bytes is not modified, not a rejection") {
  FleetConfigFixture f;
  const FleetVerification v = f.Verify(TestFleet(7));
  CHECK(v.verdict == FleetVerdict::kNotModified);
  CHECK(v.reason == FleetRejectReason::kNone);
  CHECK(v.message == "version 7 is already active");
}

TEST_CASE("An expired config is rejected with its expiry time") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.set_expires_unix_s(testing::kNowUnixS - 14 * 3600);  // 2026-11-21T10:00:00Z
  RequireRejected(f.Verify(fleet), FleetRejectReason::kExpired, "expired at 2026-11-21T10:00:00Z");
}

TEST_CASE("A config for other vehicles of the fleet is rejected") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.add_vehicle_ids("car-1");
  fleet.add_vehicle_ids("car-2");
  RequireRejected(f.Verify(fleet), FleetRejectReason::kWrongVehicle,
                  "vehicle \"car-7\" is not in the config's vehicle_ids");
}

TEST_CASE("A config for another fleet is rejected") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.set_fleet_id("fleet-b");
  RequireRejected(f.Verify(fleet), FleetRejectReason::kWrongFleet,
                  "config is for fleet \"fleet-b\", this vehicle is in fleet \"fleet-a\"");
}

TEST_CASE("A rule naming an unknown signal is rejected with the rule, column and signal") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  proto::RuleConfig* rule = fleet.add_rules();
  rule->set_name("hb");
  rule->set_expr("accel_long < -4 and sped > 3");
  rule->set_priority(60);
  const FleetVerification v = f.Verify(fleet);
  REQUIRE(v.verdict == FleetVerdict::kRejected);
  CHECK(v.reason == FleetRejectReason::kInvalidRule);
  CHECK_THAT(v.message, Catch::StartsWith("rule \"hb\": col 21: unknown signal \"sped\""));
}

TEST_CASE("A rule outside its bounds is rejected as an invalid rule") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.mutable_rules(0)->set_priority(120);
  RequireRejected(f.Verify(fleet), FleetRejectReason::kInvalidRule,
                  "rule \"hard_stop\": priority 120 is outside 0..100");
}

TEST_CASE("An upload policy outside its bounds is rejected as an invalid value") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.mutable_upload_policy()->set_parallel_parts(40);
  RequireRejected(f.Verify(fleet), FleetRejectReason::kInvalidValue,
                  "upload_policy.parallel_parts: 40 is outside 1..16");
}

TEST_CASE("A storage quota outside its bounds is rejected as an invalid value") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.mutable_storage()->set_quota_bytes(-5);
  RequireRejected(f.Verify(fleet), FleetRejectReason::kInvalidValue,
                  "storage.quota_bytes: -5 is outside 67108864..1125899906842624");
}

TEST_CASE("A payload that is not a FleetConfig is rejected even when properly signed") {
  FleetConfigFixture f;
  RequireRejected(f.Verify(SignPayload("\xff\xff\xff", {{"k1", &f.k1}})),
                  FleetRejectReason::kMalformedPayload,
                  "the signed payload is not a FleetConfig (3 bytes)");
}

TEST_CASE("Version 0 is never accepted") {
  FleetConfigFixture f;
  f.active = {};
  RequireRejected(f.Verify(TestFleet(0)), FleetRejectReason::kVersionTooLow,
                  "version 0 is not valid; versions start at 1");
}

TEST_CASE("A newer, properly signed config is accepted with its effective config") {
  FleetConfigFixture f;
  const FleetVerification v = f.Verify(TestFleet(8));
  INFO(v.message);
  REQUIRE(v.accepted());
  CHECK(v.reason == FleetRejectReason::kNone);
  CHECK(v.key_id == "k1");
  CHECK(v.message == "version 8 accepted, signed by \"k1\"");
  CHECK(v.effective.fleet_version == 8);
  CHECK(v.payload == Serialize(TestFleet(8)));
}

TEST_CASE("One good signature by a trusted key is enough beside unknown or bad ones") {
  FleetConfigFixture f;
  const std::string bytes =
      Sign(TestFleet(8), {{"k9", &f.stranger}, {"k1", &f.stranger}, {"k2", &f.k2}});
  const FleetVerification v = f.Verify(bytes);
  REQUIRE(v.accepted());
  CHECK(v.key_id == "k2");
}

TEST_CASE("Fleet rules replace the base rules and a fleet policy replaces the base policy") {
  FleetConfigFixture f;
  proto::RuleConfig* base_rule = f.base.add_rules();
  base_rule->set_name("base_only");
  base_rule->set_expr("speed > 40");
  f.base.mutable_upload_policy()->set_window_start("20:00");
  proto::FleetConfig fleet = TestFleet(8);
  fleet.mutable_upload_policy()->set_allow_metered(true);
  proto::RemoteTrigger* t = fleet.add_remote_triggers();
  t->set_id("rt-1");
  t->set_priority(70);
  t->set_post_roll_ms(30'000);

  Result<EffectiveConfig> e = ApplyFleetConfig(f.base, fleet);
  REQUIRE(e.ok());
  REQUIRE(e->config.rules_size() == 1);
  CHECK(e->config.rules(0).name() == "hard_stop");
  CHECK(e->config.upload_policy().allow_metered());
  CHECK(e->config.upload_policy().window_start() == "22:00");  // the fleet's, defaulted
  CHECK(e->config.storage().quota_bytes() == f.base.storage().quota_bytes());
  REQUIRE(e->remote_triggers.size() == 1);
  CHECK(e->remote_triggers[0].id() == "rt-1");

  Result<CompiledRules> rules = CompileRules(e->config);
  REQUIRE(rules.ok());
  std::vector<std::string> names;
  for (const auto& r : rules->rule_set->rules()) names.push_back(r.spec.name);
  CHECK(names ==
        std::vector<std::string>{"disengagement", "harsh_braking", "steering_jerk", "hard_stop"});
}

TEST_CASE("Without a fleet policy or storage the base ones stay") {
  FleetConfigFixture f;
  f.base.mutable_upload_policy()->set_window_start("20:00");
  proto::FleetConfig fleet = TestFleet(8);
  Result<EffectiveConfig> e = ApplyFleetConfig(f.base, fleet);
  REQUIRE(e.ok());
  CHECK(e->config.upload_policy().window_start() == "20:00");
}

TEST_CASE("Duplicate remote trigger ids are rejected") {
  FleetConfigFixture f;
  proto::FleetConfig fleet = TestFleet(8);
  fleet.add_remote_triggers()->set_id("a");
  fleet.add_remote_triggers()->set_id("a");
  RequireRejected(f.Verify(fleet), FleetRejectReason::kInvalidValue,
                  "remote_triggers[1].id: \"a\" is not unique");
}

}  // namespace
}  // namespace fleetclip::config

namespace fleetclip::config {
namespace {

TEST_CASE("No single bit flip anywhere in a signed config is accepted") {
  FleetConfigFixture f;
  const std::string good = Sign(TestFleet(8), {{"k1", &f.k1}});
  REQUIRE(f.Verify(good).accepted());
  for (size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      const FleetVerification v = f.Verify(bad);
      INFO("byte " << i << " bit " << bit << ": " << v.message);
      REQUIRE(v.verdict == FleetVerdict::kRejected);
    }
  }
}

}  // namespace
}  // namespace fleetclip::config

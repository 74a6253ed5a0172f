// FleetConfigStore: accepted configs are persisted and survive a restart; rejected ones change
// nothing; a persisted config that expired or no longer verifies is not applied at start.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "daemon/config/config_test_support.h"
#include "daemon/config/fleet_store.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::config {
namespace {

using testing::Sign;
using testing::TestBase;
using testing::TestFleet;
using testing::TestNow;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct StoreFixture {
  TempDir dir;
  MemoryLogSink sink;
  Logger log{sink, LogLevel::kDebug};
  Ed25519PrivateKey k1 = testing::NewKey();
  proto::BaseConfig base = TestBase({{"k1", &k1}}, dir.path().string());
};

TEST_CASE("With no persisted config the store runs the base config alone") {
  StoreFixture f;
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  CHECK_FALSE(store.fleet_applied());
  CHECK(store.active().version == 0);
  CHECK(store.effective().config.vehicle_id() == "car-7");
  CHECK_FALSE(store.last_rejection().has_value());
}

TEST_CASE("An accepted config is persisted and applied again after a restart") {
  StoreFixture f;
  const std::string bytes = Sign(TestFleet(8), {{"k1", &f.k1}});
  {
    FleetConfigStore store(f.dir.path(), f.log);
    REQUIRE(store.Load(f.base, TestNow()).ok());
    Result<FleetVerification> v = store.Offer(f.base, bytes, TestNow());
    REQUIRE(v.ok());
    REQUIRE(v->accepted());
    CHECK(store.fleet_applied());
    CHECK(store.active().version == 8);
    CHECK(ReadAll(store.path()) == bytes);
  }
  FleetConfigStore restarted(f.dir.path(), f.log);
  REQUIRE(restarted.Load(f.base, TestNow() + std::chrono::hours(1)).ok());
  CHECK(restarted.fleet_applied());
  CHECK(restarted.active().version == 8);
  REQUIRE(restarted.effective().config.rules_size() == 1);
  CHECK(restarted.effective().config.rules(0).name() == "hard_stop");
  CHECK(f.sink.Count("event=fleet_config_loaded") == 1);
}

TEST_CASE("An accepted config's ETag is kept beside it, so a restart polls with If-None-Match") {
  StoreFixture f;
  const std::string v8 = Sign(TestFleet(8), {{"k1", &f.k1}});
  {
    FleetConfigStore store(f.dir.path(), f.log);
    REQUIRE(store.Load(f.base, TestNow()).ok());
    CHECK(store.etag().empty());
    REQUIRE(store.Offer(f.base, v8, TestNow(), "\"v8-etag\"")->accepted());
    CHECK(store.etag() == "\"v8-etag\"");
    // A rejected offer keeps the accepted config's ETag.
    REQUIRE(store.Offer(f.base, Sign(TestFleet(5), {{"k1", &f.k1}}), TestNow(), "\"v5\"")->reason ==
            FleetRejectReason::kVersionTooLow);
    CHECK(store.etag() == "\"v8-etag\"");
  }
  FleetConfigStore restarted(f.dir.path(), f.log);
  REQUIRE(restarted.Load(f.base, TestNow()).ok());
  CHECK(restarted.etag() == "\"v8-etag\"");

  // A server without ETags: the next accepted config leaves none behind.
  REQUIRE(restarted.Offer(f.base, Sign(TestFleet(9), {{"k1", &f.k1}}), TestNow(), "")->accepted());
  CHECK(restarted.etag().empty());
  FleetConfigStore again(f.dir.path(), f.log);
  REQUIRE(again.Load(f.base, TestNow()).ok());
  CHECK(again.etag().empty());
}

TEST_CASE("A kept ETag that is not a plausible header value is ignored, not sent") {
  StoreFixture f;
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  REQUIRE(
      store.Offer(f.base, Sign(TestFleet(8), {{"k1", &f.k1}}), TestNow(), "\"ok\"")->accepted());
  for (const std::string& bad : {std::string("\"a\"\r\nX-Injected: 1"), std::string(300, 'e')}) {
    std::ofstream(f.dir.path() / kFleetConfigEtagFileName, std::ios::trunc) << bad;
    FleetConfigStore restarted(f.dir.path(), f.log);
    REQUIRE(restarted.Load(f.base, TestNow()).ok());
    CHECK(restarted.fleet_applied());
    CHECK(restarted.etag().empty());
  }
  CHECK(f.sink.Count("event=fleet_config_etag_ignored") == 2);
}

TEST_CASE("A rejected config leaves the active config and the persisted file unchanged") {
  StoreFixture f;
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  const std::string v8 = Sign(TestFleet(8), {{"k1", &f.k1}});
  REQUIRE(store.Offer(f.base, v8, TestNow())->accepted());

  Result<FleetVerification> older =
      store.Offer(f.base, Sign(TestFleet(5), {{"k1", &f.k1}}), TestNow());
  REQUIRE(older.ok());
  CHECK(older->reason == FleetRejectReason::kVersionTooLow);
  CHECK(store.active().version == 8);
  CHECK(store.effective().fleet_version == 8);
  CHECK(ReadAll(store.path()) == v8);
  REQUIRE(store.last_rejection().has_value());
  CHECK(store.last_rejection()->reason == FleetRejectReason::kVersionTooLow);
  CHECK(store.last_rejection()->version == 5);
  CHECK(f.sink.Count("event=fleet_config_rejected") == 1);

  const Status status = OfferStatus(older);
  REQUIRE_FALSE(status.ok());
  CHECK_FALSE(status.error().retryable());
  CHECK(status.error().message() ==
        "version_too_low: version 5 is lower than the active version 8");
}

TEST_CASE("Eleven bad configs are each rejected with their own reason and change nothing") {
  StoreFixture f;
  Ed25519PrivateKey stranger = testing::NewKey();
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  const std::string v7 = Sign(TestFleet(7), {{"k1", &f.k1}});
  REQUIRE(store.Offer(f.base, v7, TestNow())->accepted());
  const std::string v8 = Sign(TestFleet(8), {{"k1", &f.k1}});

  proto::SignedFleetConfig other_bytes;
  other_bytes.set_payload(testing::Serialize(TestFleet(8)));
  other_bytes.add_signatures()->set_key_id("k1");
  other_bytes.mutable_signatures(0)->set_ed25519_signature(
      *f.k1.Sign(testing::Serialize(TestFleet(9))));
  proto::FleetConfig changed7 = TestFleet(7);
  changed7.mutable_rules(0)->set_priority(81);
  proto::FleetConfig expired = TestFleet(8);
  expired.set_expires_unix_s(testing::kNowUnixS - 1);
  proto::FleetConfig other_vehicle = TestFleet(8);
  other_vehicle.add_vehicle_ids("car-1");
  proto::FleetConfig other_fleet = TestFleet(8);
  other_fleet.set_fleet_id("fleet-b");
  proto::FleetConfig bad_rule = TestFleet(8);
  bad_rule.mutable_rules(0)->set_expr("sped > 3");

  const std::pair<std::string, FleetRejectReason> cases[] = {
      {testing::SignPayload(testing::Serialize(TestFleet(8)), {}), FleetRejectReason::kUnsigned},
      {Sign(TestFleet(8), {{"k9", &stranger}}), FleetRejectReason::kUnknownKey},
      {testing::Serialize(other_bytes), FleetRejectReason::kBadSignature},
      {v8.substr(0, v8.size() - 10), FleetRejectReason::kMalformed},
      {std::string(1'048'577, 'x'), FleetRejectReason::kTooLarge},
      {Sign(TestFleet(6), {{"k1", &f.k1}}), FleetRejectReason::kVersionTooLow},
      {Sign(changed7, {{"k1", &f.k1}}), FleetRejectReason::kVersionConflict},
      {Sign(expired, {{"k1", &f.k1}}), FleetRejectReason::kExpired},
      {Sign(other_vehicle, {{"k1", &f.k1}}), FleetRejectReason::kWrongVehicle},
      {Sign(other_fleet, {{"k1", &f.k1}}), FleetRejectReason::kWrongFleet},
      {Sign(bad_rule, {{"k1", &f.k1}}), FleetRejectReason::kInvalidRule},
  };
  std::set<FleetRejectReason> reasons;
  for (const auto& [bytes, reason] : cases) {
    Result<FleetVerification> v = store.Offer(f.base, bytes, TestNow());
    REQUIRE(v.ok());
    INFO(FleetRejectReasonName(reason) << ": " << v->message);
    CHECK(v->verdict == FleetVerdict::kRejected);
    CHECK(v->reason == reason);
    CHECK_FALSE(v->message.empty());
    reasons.insert(v->reason);
    CHECK(store.active().version == 7);
    CHECK(store.effective().fleet_version == 7);
    CHECK(ReadAll(store.path()) == v7);
    CHECK(store.last_rejection()->reason == reason);
  }
  CHECK(reasons.size() == 11);
  CHECK(f.sink.Count("event=fleet_config_rejected") == 11);
}

TEST_CASE("Offering the active config again is not modified and not a rejection") {
  StoreFixture f;
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  const std::string v8 = Sign(TestFleet(8), {{"k1", &f.k1}});
  REQUIRE(store.Offer(f.base, v8, TestNow())->accepted());
  Result<FleetVerification> again = store.Offer(f.base, v8, TestNow());
  REQUIRE(again.ok());
  CHECK(again->verdict == FleetVerdict::kNotModified);
  CHECK(OfferStatus(again).ok());
  CHECK_FALSE(store.last_rejection().has_value());
}

TEST_CASE("The active config re-signed by another trusted key replaces the kept bytes and ETag") {
  // A key rotation: the backend re-signs the same version with k2 before k1 is retired.
  StoreFixture f;
  Ed25519PrivateKey k2 = testing::NewKey();
  const proto::BaseConfig both = TestBase({{"k1", &f.k1}, {"k2", &k2}}, f.dir.path().string());
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(both, TestNow()).ok());
  const std::string by_k1 = Sign(TestFleet(8), {{"k1", &f.k1}});
  const std::string by_k2 = Sign(TestFleet(8), {{"k2", &k2}});
  REQUIRE(store.Offer(both, by_k1, TestNow(), "\"k1\"")->accepted());
  Result<FleetVerification> again = store.Offer(both, by_k2, TestNow(), "\"k2\"");
  REQUIRE(again.ok());
  CHECK(again->verdict == FleetVerdict::kNotModified);
  CHECK(ReadAll(store.path()) == by_k2);
  CHECK(store.etag() == "\"k2\"");
  CHECK(f.sink.Count("event=fleet_config_resigned") == 1);
  // The same bytes again: nothing rewritten.
  REQUIRE(store.Offer(both, by_k2, TestNow(), "\"k2\"")->verdict == FleetVerdict::kNotModified);
  CHECK(f.sink.Count("event=fleet_config_resigned") == 1);

  // k1 retired: the kept copy still verifies at start, with its ETag.
  const proto::BaseConfig k2_only = TestBase({{"k2", &k2}}, f.dir.path().string());
  FleetConfigStore restarted(f.dir.path(), f.log);
  REQUIRE(restarted.Load(k2_only, TestNow()).ok());
  CHECK(restarted.fleet_applied());
  CHECK(restarted.active().version == 8);
  CHECK(restarted.etag() == "\"k2\"");
}

TEST_CASE(
    "A persisted config that expired is not applied at start, and its version stays the floor") {
  StoreFixture f;
  {
    FleetConfigStore store(f.dir.path(), f.log);
    REQUIRE(store.Load(f.base, TestNow()).ok());
    REQUIRE(store.Offer(f.base, Sign(TestFleet(8), {{"k1", &f.k1}}), TestNow())->accepted());
  }
  FleetConfigStore restarted(f.dir.path(), f.log);
  REQUIRE(restarted.Load(f.base, TestNow() + std::chrono::hours(48)).ok());
  CHECK_FALSE(restarted.fleet_applied());
  REQUIRE(restarted.last_rejection().has_value());
  CHECK(restarted.last_rejection()->reason == FleetRejectReason::kExpired);
  CHECK(restarted.last_rejection()->message == "expired at 2026-11-23T00:00:00Z");
  CHECK(f.sink.Count("reason=expired") == 1);
  // An older config replayed later is still refused.
  proto::FleetConfig old = TestFleet(6);
  old.set_expires_unix_s(testing::kNowUnixS + 30 * 86'400);
  Result<FleetVerification> replay =
      restarted.Offer(f.base, Sign(old, {{"k1", &f.k1}}), TestNow() + std::chrono::hours(48));
  REQUIRE(replay.ok());
  CHECK(replay->reason == FleetRejectReason::kVersionTooLow);
}

TEST_CASE("A persisted config whose key was removed from the base config is not applied") {
  StoreFixture f;
  {
    FleetConfigStore store(f.dir.path(), f.log);
    REQUIRE(store.Load(f.base, TestNow()).ok());
    REQUIRE(store.Offer(f.base, Sign(TestFleet(8), {{"k1", &f.k1}}), TestNow())->accepted());
  }
  Ed25519PrivateKey k2 = testing::NewKey();
  const proto::BaseConfig rotated = TestBase({{"k2", &k2}}, f.dir.path().string());
  FleetConfigStore restarted(f.dir.path(), f.log);
  REQUIRE(restarted.Load(rotated, TestNow()).ok());
  CHECK_FALSE(restarted.fleet_applied());
  CHECK(restarted.active().version == 0);
  REQUIRE(restarted.last_rejection().has_value());
  CHECK(restarted.last_rejection()->reason == FleetRejectReason::kUnknownKey);
}

TEST_CASE("An active config is dropped for the base config once it expires") {
  StoreFixture f;
  FleetConfigStore store(f.dir.path(), f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  REQUIRE(store.Offer(f.base, Sign(TestFleet(8), {{"k1", &f.k1}}), TestNow())->accepted());
  CHECK_FALSE(store.ExpireIfDue(TestNow() + std::chrono::hours(23)));
  CHECK(store.fleet_applied());
  CHECK(store.ExpireIfDue(TestNow() + std::chrono::hours(24)));
  CHECK_FALSE(store.fleet_applied());
  CHECK(store.active().version == 8);
  CHECK(store.last_rejection()->reason == FleetRejectReason::kExpired);
}

TEST_CASE("A failed persist keeps the active config and returns the error") {
  StoreFixture f;
  const std::filesystem::path blocked = f.dir.path() / "not-a-dir";
  std::ofstream(blocked) << "x";
  FleetConfigStore store(blocked, f.log);
  REQUIRE(store.Load(f.base, TestNow()).ok());
  Result<FleetVerification> v = store.Offer(f.base, Sign(TestFleet(8), {{"k1", &f.k1}}), TestNow());
  REQUIRE_FALSE(v.ok());
  CHECK_FALSE(store.fleet_applied());
  CHECK(store.active().version == 0);
}

}  // namespace
}  // namespace fleetclip::config

#include <catch2/catch.hpp>

#include "proto/clip_manifest.pb.h"
#include "proto/config.pb.h"
#include "proto/signal_frame.pb.h"

namespace fleetclip {

TEST_CASE("A signal frame survives a round trip through its wire form") {
  proto::SignalFrame f;
  f.set_mono_ns(123456789);
  f.set_seq(7);
  auto* v = f.add_values();
  v->set_name("speed");
  v->set_number(12.5);
  auto* r = f.add_values();
  r->set_name("disengage_reason");
  r->set_text("driver_steer");
  proto::SignalFrame g;
  REQUIRE(g.ParseFromString(f.SerializeAsString()));
  REQUIRE(g.mono_ns() == 123456789);
  REQUIRE(g.values(0).number() == 12.5);
  REQUIRE(g.values(1).value_case() == proto::SignalValue::kText);
}

TEST_CASE("A signed fleet config carries its payload bytes unchanged") {
  proto::FleetConfig cfg;
  cfg.set_version(42);
  cfg.set_fleet_id("fleet-a");
  auto* rule = cfg.add_rules();
  rule->set_name("harsh_braking");
  rule->set_expr("accel_long < -3.5 for 300ms and speed > 2.8");
  proto::SignedFleetConfig signed_cfg;
  signed_cfg.set_payload(cfg.SerializeAsString());
  proto::SignedFleetConfig back;
  REQUIRE(back.ParseFromString(signed_cfg.SerializeAsString()));
  proto::FleetConfig inner;
  REQUIRE(inner.ParseFromString(back.payload()));
  REQUIRE(inner.version() == 42);
  REQUIRE(inner.rules(0).expr() == rule->expr());
}

}  // namespace fleetclip

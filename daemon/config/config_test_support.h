// Test helpers for daemon/config: a valid base config, fresh Ed25519 keys, and signed fleet
// configs built the way `fleetclip config sign` builds them. Test-only.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "daemon/config/base_config.h"
#include "daemon/config/ed25519.h"
#include "proto/config.pb.h"

namespace fleetclip::config::testing {

// 2026-11-22T00:00:00Z, the "now" of the fleet config tests.
inline constexpr int64_t kNowUnixS = 1'795'305'600;
inline WallTime TestNow() { return WallTime(std::chrono::seconds(kNowUnixS)); }

inline Ed25519PrivateKey NewKey() {
  Result<Ed25519PrivateKey> key = Ed25519PrivateKey::Generate();
  if (!key.ok()) throw std::runtime_error(key.error().ToString());
  return std::move(*key);
}

// A loaded (defaulted, validated) base config for vehicle "car-7" of fleet "fleet-a" that trusts
// each (key id, key) given.
inline proto::BaseConfig TestBase(
    const std::vector<std::pair<std::string, const Ed25519PrivateKey*>>& trusted,
    const std::string& state_dir = "/var/lib/fleetclip") {
  proto::BaseConfig base;
  base.set_vehicle_id("car-7");
  base.set_fleet_id("fleet-a");
  base.set_state_dir(state_dir);
  proto::CameraConfig* cam = base.add_cameras();
  cam->set_name("front");
  cam->set_url("testsrc=size=320x240:rate=10");
  cam->set_input_format("lavfi");
  base.mutable_upload()->set_url("file:///var/lib/fleetclip-upload");
  base.mutable_backend()->set_config_url("https://backend.example/fleet-a/config");
  for (const auto& [id, key] : trusted) {
    proto::TrustedKey* k = base.add_trusted_keys();
    k->set_key_id(id);
    k->set_ed25519_public_key(key->PublicKey());
  }
  ApplyBaseDefaults(base);
  if (Status s = ValidateBaseConfig(base, "test.conf"); !s.ok()) {
    throw std::runtime_error(s.error().ToString());
  }
  return base;
}

// A FleetConfig for fleet-a, every vehicle, that expires a day after TestNow().
inline proto::FleetConfig TestFleet(uint64_t version) {
  proto::FleetConfig fleet;
  fleet.set_version(version);
  fleet.set_fleet_id("fleet-a");
  fleet.set_expires_unix_s(kNowUnixS + 86'400);
  proto::RuleConfig* rule = fleet.add_rules();
  rule->set_name("hard_stop");
  rule->set_expr("accel_long < -6 for 200ms and speed > 1");
  rule->set_priority(80);
  rule->set_pre_roll_ms(20'000);
  rule->set_post_roll_ms(10'000);
  return fleet;
}

inline std::string Serialize(const google::protobuf::Message& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

// The serialized SignedFleetConfig of `payload` signed by each (key id, key).
inline std::string SignPayload(
    const std::string& payload,
    const std::vector<std::pair<std::string, const Ed25519PrivateKey*>>& signers) {
  proto::SignedFleetConfig envelope;
  envelope.set_payload(payload);
  for (const auto& [id, key] : signers) {
    proto::FleetConfigSignature* sig = envelope.add_signatures();
    sig->set_key_id(id);
    Result<std::string> s = key->Sign(payload);
    if (!s.ok()) throw std::runtime_error(s.error().ToString());
    sig->set_ed25519_signature(*s);
  }
  return Serialize(envelope);
}

inline std::string Sign(
    const proto::FleetConfig& fleet,
    const std::vector<std::pair<std::string, const Ed25519PrivateKey*>>& signers) {
  return SignPayload(Serialize(fleet), signers);
}

}  // namespace fleetclip::config::testing

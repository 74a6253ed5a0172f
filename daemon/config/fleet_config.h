// The fleet config pushed by the backend (DESIGN.md §8): a SignedFleetConfig whose payload is a
// serialized FleetConfig, signed with Ed25519 by one or more key ids the base config trusts.
//
// VerifyFleetConfig runs the whole pipeline in a fixed order and stops at the first failure:
//   size cap → parse SignedFleetConfig → a signature by a trusted key that verifies over `payload`
//   exactly → parse FleetConfig → fleet scope → vehicle scope → version → expiry → rules compile →
//   every other bound (policy, storage, remote triggers, the whole effective config).
// Each rejection has its own FleetRejectReason and a message naming the exact reason. The same
// version with the same payload bytes is "not modified", not a rejection. Nothing here touches the
// active config: the caller (FleetConfigStore) swaps only on kAccepted.
//
// ApplyFleetConfig builds the effective config: fleet rules replace the base's initial rules
// (both merged over the presets), a fleet upload_policy / storage replaces the base's when present,
// remote triggers are carried. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "proto/config.pb.h"

namespace fleetclip::config {

enum class FleetRejectReason {
  kNone,              // accepted or not modified
  kTooLarge,          // more bytes than backend.max_config_bytes
  kMalformed,         // not a SignedFleetConfig (truncated, garbage)
  kUnsigned,          // no signature at all
  kUnknownKey,        // signatures only by key ids the base config does not trust
  kBadSignature,      // a trusted key's signature does not verify over the payload
  kMalformedPayload,  // signed, but the payload is not a FleetConfig
  kWrongFleet,        // fleet_id differs from the base config's
  kWrongVehicle,      // vehicle_ids is set and does not name this vehicle
  kVersionTooLow,     // lower than the active version (or 0)
  kVersionConflict,   // the active version number with different bytes
  kExpired,           // expires_unix_s is at or before now
  kInvalidRule,       // a rule that does not validate or compile against the catalogue
  kInvalidValue,      // a policy, storage or remote-trigger field outside its bound
};

// "too_large", "bad_signature", …: stable names for status, metrics and logs.
std::string_view FleetRejectReasonName(FleetRejectReason reason);

enum class FleetVerdict { kAccepted, kNotModified, kRejected };
std::string_view FleetVerdictName(FleetVerdict verdict);

// What is active now: version 0 and an empty payload when no fleet config is.
struct ActiveFleetState {
  uint64_t version = 0;
  std::string payload;  // the active SignedFleetConfig.payload bytes
};

// The base config with a fleet config applied: what the daemon runs with.
struct EffectiveConfig {
  proto::BaseConfig config;          // defaults filled, validated
  uint64_t fleet_version = 0;        // 0: the base config alone
  int64_t fleet_expires_unix_s = 0;  // 0: never
  std::vector<proto::RemoteTrigger> remote_triggers;
};

// The base config alone as an EffectiveConfig (no fleet config active).
EffectiveConfig EffectiveFromBase(const proto::BaseConfig& base);

// The effective config of `base` (defaulted, validated) with `fleet` applied, validated as a whole
// (the verifier's last two steps, without signature, scope, version or expiry: what
// `fleetclip config validate --fleet` runs). Errors name the fleet config's fields.
Result<EffectiveConfig> ApplyFleetConfig(const proto::BaseConfig& base,
                                         const proto::FleetConfig& fleet);

struct FleetVerification {
  FleetVerdict verdict = FleetVerdict::kRejected;
  FleetRejectReason reason = FleetRejectReason::kNone;
  // kRejected: the exact reason (`version 4 is lower than the active version 7`); otherwise a
  // one-line summary (`version 8 accepted, signed by "k1"`).
  std::string message;
  std::string key_id;         // the trusted key whose signature verified
  std::string payload;        // the verified payload bytes (empty before the signature step)
  proto::FleetConfig fleet;   // parsed payload, when it parsed
  EffectiveConfig effective;  // kAccepted only

  bool accepted() const { return verdict == FleetVerdict::kAccepted; }
};

// Runs the pipeline above on the downloaded bytes. `base` must be a loaded (defaulted, validated)
// base config; `now` is the wall time the expiry is checked against.
FleetVerification VerifyFleetConfig(std::string_view signed_bytes, const proto::BaseConfig& base,
                                    const ActiveFleetState& active, WallTime now);

// "2026-11-20T10:00:00Z".
std::string FormatUtc(int64_t unix_s);

}  // namespace fleetclip::config

// The fleet config verifier and ApplyFleetConfig of daemon/config/fleet_config.h.
#include "daemon/config/fleet_config.h"

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>

#include "daemon/config/base_config.h"
#include "daemon/config/config_keys.h"
#include "daemon/config/ed25519.h"

namespace fleetclip::config {
namespace {

struct Problem {
  FleetRejectReason reason = FleetRejectReason::kNone;
  std::string message;
};

// `base` with `fleet` applied, not yet validated.
EffectiveConfig Merge(const proto::BaseConfig& base, const proto::FleetConfig& fleet) {
  EffectiveConfig e = EffectiveFromBase(base);
  *e.config.mutable_rules() = fleet.rules();
  if (fleet.has_upload_policy()) {
    *e.config.mutable_upload_policy() = fleet.upload_policy();
    ApplyPolicyDefaults(*e.config.mutable_upload_policy());
  }
  if (fleet.has_storage()) {
    *e.config.mutable_storage() = fleet.storage();
    ApplyStorageDefaults(*e.config.mutable_storage());
  }
  e.fleet_version = fleet.version();
  e.fleet_expires_unix_s = fleet.expires_unix_s();
  e.remote_triggers.assign(fleet.remote_triggers().begin(), fleet.remote_triggers().end());
  return e;
}

// The effective config's rules compile (kInvalidRule); its policy, storage, remote triggers and
// every other field are in bounds (kInvalidValue).
std::optional<Problem> CheckContent(const proto::FleetConfig& fleet, const proto::BaseConfig& base,
                                    EffectiveConfig* out) {
  EffectiveConfig effective = Merge(base, fleet);
  // Rules first, so a rule error gets its own reason.
  if (Result<CompiledRules> rules = CompileRules(effective.config); !rules.ok()) {
    return Problem{FleetRejectReason::kInvalidRule, rules.error().message()};
  }
  std::vector<std::string> problems;
  if (fleet.has_upload_policy()) {
    CheckUploadPolicy(effective.config.upload_policy(), "upload_policy", problems);
  }
  if (fleet.has_storage()) CheckStorage(effective.config.storage(), "storage", problems);
  const int64_t max_pre_roll = RuleBoundsFor(base).max_pre_roll_ms;
  std::set<std::string> ids;
  for (int i = 0; i < fleet.remote_triggers_size(); ++i) {
    const proto::RemoteTrigger& t = fleet.remote_triggers(i);
    const std::string p = "remote_triggers[" + std::to_string(i) + "]";
    if (t.id().empty() || t.id().size() > 128) {
      problems.push_back(p + ".id: " + Quote(t.id()) + " is not 1..128 bytes");
    } else if (!ids.insert(t.id()).second) {
      problems.push_back(p + ".id: " + Quote(t.id()) + " is not unique");
    }
    auto range = [&](const char* field, int64_t v, int64_t lo, int64_t hi) {
      if (v < lo || v > hi) {
        problems.push_back(p + "." + field + ": " + std::to_string(v) + " is outside " +
                           std::to_string(lo) + ".." + std::to_string(hi));
      }
    };
    range("priority", t.priority(), 0, 100);
    range("pre_roll_ms", t.pre_roll_ms(), 0, max_pre_roll);
    range("post_roll_ms", t.post_roll_ms(), 0, 300'000);
  }
  if (fleet.remote_triggers_size() > 256) {
    problems.push_back("remote_triggers: " + std::to_string(fleet.remote_triggers_size()) +
                       " entries; at most 256");
  }
  if (!problems.empty()) {
    std::string message = problems.front();
    for (size_t i = 1; i < problems.size(); ++i) message += "; " + problems[i];
    return Problem{FleetRejectReason::kInvalidValue, std::move(message)};
  }
  // The whole effective config, as the base config is checked.
  if (Status s = ValidateBaseConfig(effective.config, "fleet config"); !s.ok()) {
    return Problem{FleetRejectReason::kInvalidValue, s.error().message()};
  }
  if (out != nullptr) *out = std::move(effective);
  return std::nullopt;
}

}  // namespace

std::string_view FleetRejectReasonName(FleetRejectReason reason) {
  switch (reason) {
    case FleetRejectReason::kNone:
      return "none";
    case FleetRejectReason::kTooLarge:
      return "too_large";
    case FleetRejectReason::kMalformed:
      return "malformed";
    case FleetRejectReason::kUnsigned:
      return "unsigned";
    case FleetRejectReason::kUnknownKey:
      return "unknown_key";
    case FleetRejectReason::kBadSignature:
      return "bad_signature";
    case FleetRejectReason::kMalformedPayload:
      return "malformed_payload";
    case FleetRejectReason::kWrongFleet:
      return "wrong_fleet";
    case FleetRejectReason::kWrongVehicle:
      return "wrong_vehicle";
    case FleetRejectReason::kVersionTooLow:
      return "version_too_low";
    case FleetRejectReason::kVersionConflict:
      return "version_conflict";
    case FleetRejectReason::kExpired:
      return "expired";
    case FleetRejectReason::kInvalidRule:
      return "invalid_rule";
    case FleetRejectReason::kInvalidValue:
      return "invalid_value";
  }
  return "unknown";
}

std::string_view FleetVerdictName(FleetVerdict verdict) {
  switch (verdict) {
    case FleetVerdict::kAccepted:
      return "accepted";
    case FleetVerdict::kNotModified:
      return "not_modified";
    case FleetVerdict::kRejected:
      return "rejected";
  }
  return "unknown";
}

std::string FormatUtc(int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_s);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

EffectiveConfig EffectiveFromBase(const proto::BaseConfig& base) {
  EffectiveConfig e;
  e.config = base;
  ApplyBaseDefaults(e.config);
  return e;
}

Result<EffectiveConfig> ApplyFleetConfig(const proto::BaseConfig& base,
                                         const proto::FleetConfig& fleet) {
  EffectiveConfig e;
  if (std::optional<Problem> p = CheckContent(fleet, base, &e)) {
    return Error(ErrorCode::kInvalidArgument, p->message);
  }
  return e;
}

FleetVerification VerifyFleetConfig(std::string_view signed_bytes, const proto::BaseConfig& base,
                                    const ActiveFleetState& active, WallTime now) {
  FleetVerification v;
  auto reject = [&](FleetRejectReason reason, std::string message) {
    v.verdict = FleetVerdict::kRejected;
    v.reason = reason;
    v.message = std::move(message);
    return v;
  };
  // 1. Size cap, before parsing anything.
  const int64_t cap = base.backend().max_config_bytes() > 0
                          ? base.backend().max_config_bytes()
                          : *Key("backend.max_config_bytes").default_value;
  if (static_cast<int64_t>(signed_bytes.size()) > cap) {
    return reject(FleetRejectReason::kTooLarge, "config is " + std::to_string(signed_bytes.size()) +
                                                    " bytes; the limit is " + std::to_string(cap));
  }
  // 2. The envelope.
  proto::SignedFleetConfig envelope;
  if (!envelope.ParseFromArray(signed_bytes.data(), static_cast<int>(signed_bytes.size()))) {
    return reject(FleetRejectReason::kMalformed, "not a SignedFleetConfig (" +
                                                     std::to_string(signed_bytes.size()) +
                                                     " bytes do not parse; truncated or corrupt)");
  }
  // 3. At least one signature by a trusted key that verifies over `payload` exactly.
  if (envelope.signatures_size() == 0) {
    return reject(FleetRejectReason::kUnsigned, "config is not signed");
  }
  std::optional<std::string> failed_key;
  std::vector<std::string> unknown;
  for (const proto::FleetConfigSignature& sig : envelope.signatures()) {
    const auto trusted =
        std::find_if(base.trusted_keys().begin(), base.trusted_keys().end(),
                     [&](const proto::TrustedKey& k) { return k.key_id() == sig.key_id(); });
    if (trusted == base.trusted_keys().end()) {
      unknown.push_back(Quote(sig.key_id()));
      continue;
    }
    if (Ed25519Verify(trusted->ed25519_public_key(), envelope.payload(), sig.ed25519_signature())) {
      v.key_id = sig.key_id();
      break;
    }
    if (!failed_key) failed_key = sig.key_id();
  }
  if (v.key_id.empty()) {
    if (failed_key) {
      return reject(FleetRejectReason::kBadSignature,
                    "signature by key " + Quote(*failed_key) + " does not verify");
    }
    std::string list;
    for (const std::string& k : unknown) list += (list.empty() ? "" : ", ") + k;
    return reject(FleetRejectReason::kUnknownKey, "signed only by untrusted key ids: " + list);
  }
  v.payload = envelope.payload();
  // 4. The payload.
  if (!v.fleet.ParseFromString(v.payload)) {
    return reject(
        FleetRejectReason::kMalformedPayload,
        "the signed payload is not a FleetConfig (" + std::to_string(v.payload.size()) + " bytes)");
  }
  const proto::FleetConfig& fleet = v.fleet;
  // 5. Scope: this fleet, this vehicle.
  if (fleet.fleet_id() != base.fleet_id()) {
    return reject(FleetRejectReason::kWrongFleet, "config is for fleet " + Quote(fleet.fleet_id()) +
                                                      ", this vehicle is in fleet " +
                                                      Quote(base.fleet_id()));
  }
  if (fleet.vehicle_ids_size() > 0 &&
      std::find(fleet.vehicle_ids().begin(), fleet.vehicle_ids().end(), base.vehicle_id()) ==
          fleet.vehicle_ids().end()) {
    return reject(FleetRejectReason::kWrongVehicle,
                  "vehicle " + Quote(base.vehicle_id()) + " is not in the config's vehicle_ids");
  }
  // 6. Version: never backwards; the same number must mean the same bytes.
  if (fleet.version() == 0) {
    return reject(FleetRejectReason::kVersionTooLow, "version 0 is not valid; versions start at 1");
  }
  if (fleet.version() < active.version) {
    return reject(FleetRejectReason::kVersionTooLow, "version " + std::to_string(fleet.version()) +
                                                         " is lower than the active version " +
                                                         std::to_string(active.version));
  }
  if (fleet.version() == active.version) {
    if (v.payload != active.payload) {
      return reject(FleetRejectReason::kVersionConflict,
                    "version " + std::to_string(fleet.version()) +
                        " is the active version but its payload differs from the active one");
    }
    v.verdict = FleetVerdict::kNotModified;
    v.message = "version " + std::to_string(fleet.version()) + " is already active";
    return v;
  }
  // 7. Expiry (0: never).
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (fleet.expires_unix_s() != 0 && fleet.expires_unix_s() <= now_s) {
    return reject(FleetRejectReason::kExpired, "expired at " + FormatUtc(fleet.expires_unix_s()));
  }
  // 8. Content: rules, then every other bound.
  if (std::optional<Problem> p = CheckContent(fleet, base, &v.effective)) {
    return reject(p->reason, std::move(p->message));
  }
  v.verdict = FleetVerdict::kAccepted;
  v.message =
      "version " + std::to_string(fleet.version()) + " accepted, signed by " + Quote(v.key_id);
  return v;
}

}  // namespace fleetclip::config

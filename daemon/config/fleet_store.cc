// Persisting and reloading the accepted fleet config; see daemon/config/fleet_store.h.
#include "daemon/config/fleet_store.h"

#include <algorithm>

#include "common/durable_file.h"

namespace fleetclip::config {
namespace {

// Rejections after which the signature and scope were sound: the version is the vehicle's own
// and stays the floor.
bool KeepsVersionFloor(FleetRejectReason r) {
  return r == FleetRejectReason::kExpired || r == FleetRejectReason::kInvalidRule ||
         r == FleetRejectReason::kInvalidValue;
}

// What an HTTP ETag may be here: visible ASCII (quotes and W/ included), nothing that could end
// or add a header line.
bool PlausibleEtag(std::string_view etag) {
  if (etag.empty() || etag.size() > kMaxEtagBytes) return false;
  return std::all_of(etag.begin(), etag.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

Status OfferStatus(const Result<FleetVerification>& offered) {
  if (!offered.ok()) return offered.error();
  if (offered->verdict != FleetVerdict::kRejected) return Ok();
  return Error(ErrorCode::kInvalidArgument,
               std::string(FleetRejectReasonName(offered->reason)) + ": " + offered->message);
}

FleetConfigStore::FleetConfigStore(FileSystem& fs, std::filesystem::path state_dir,
                                   const Logger& log)
    : fs_(fs), state_dir_(std::move(state_dir)), log_(log) {}

FleetConfigStore::FleetConfigStore(std::filesystem::path state_dir, const Logger& log)
    : fs_(posix_), state_dir_(std::move(state_dir)), log_(log) {}

void FleetConfigStore::Reject(const FleetVerification& v, WallTime now, std::string_view source) {
  last_rejection_ = FleetRejection{v.reason, v.message, v.fleet.version(), now};
  log_.Warn("fleet_config_rejected", {{"source", source},
                                      {"reason", FleetRejectReasonName(v.reason)},
                                      {"version", v.fleet.version()},
                                      {"active_version", active_.version},
                                      {"message", v.message}});
}

Status FleetConfigStore::Load(const proto::BaseConfig& base, WallTime now) {
  base_ = base;
  effective_ = EffectiveFromBase(base);
  active_ = ActiveFleetState{};
  etag_.clear();
  persisted_.clear();
  const std::filesystem::path file = path();
  auto bytes = ReadWholeFile(fs_, file, kMaxKeptConfigBytes);
  if (!bytes.ok()) {
    if (bytes.error().code() != ErrorCode::kNotFound) return bytes.error();
    log_.Info("fleet_config_none", {{"path", file.string()}});
    return Ok();
  }
  persisted_ = std::move(*bytes);
  FleetVerification v = VerifyFleetConfig(persisted_, base, ActiveFleetState{}, now);
  if (!v.accepted()) {
    if (KeepsVersionFloor(v.reason)) active_ = ActiveFleetState{v.fleet.version(), v.payload};
    Reject(v, now, "persisted");
    return Ok();
  }
  active_ = ActiveFleetState{v.fleet.version(), v.payload};
  effective_ = std::move(v.effective);
  LoadEtag();
  log_.Notice("fleet_config_loaded",
              {{"version", active_.version}, {"key_id", v.key_id}, {"path", file.string()}});
  return Ok();
}

Result<FleetVerification> FleetConfigStore::Offer(const proto::BaseConfig& base,
                                                  std::string_view signed_bytes, WallTime now,
                                                  std::string_view etag) {
  base_ = base;
  FleetVerification v = VerifyFleetConfig(signed_bytes, base, active_, now);
  if (v.verdict == FleetVerdict::kNotModified) {
    if (signed_bytes == persisted_) return v;
    // The active payload under other signatures (a key rotation re-signs it): keep these bytes,
    // so the copy on disk still verifies once the old key is retired, and their ETag.
    if (Status s = Persist(v, signed_bytes); !s.ok()) return s.error();
    KeepEtag(etag);
    log_.Notice("fleet_config_resigned", {{"version", active_.version}, {"key_id", v.key_id}});
    return v;
  }
  if (!v.accepted()) {
    Reject(v, now, "offered");
    return v;
  }
  if (Status s = Persist(v, signed_bytes); !s.ok()) return s.error();
  active_ = ActiveFleetState{v.fleet.version(), v.payload};
  effective_ = v.effective;
  last_rejection_.reset();
  KeepEtag(etag);
  log_.Notice("fleet_config_applied", {{"version", active_.version}, {"key_id", v.key_id}});
  return v;
}

Status FleetConfigStore::Persist(const FleetVerification& v, std::string_view signed_bytes) {
  Status s = CreateDirsDurably(fs_, state_dir_);
  if (s.ok()) s = WriteFileDurably(fs_, path(), signed_bytes);
  if (!s.ok()) {
    log_.Error("fleet_config_persist_failed",
               {{"version", v.fleet.version()}, {"error", s.error().ToString()}});
    return s;
  }
  persisted_ = std::string(signed_bytes);
  return Ok();
}

void FleetConfigStore::LoadEtag() {
  const std::filesystem::path file = state_dir_ / kFleetConfigEtagFileName;
  auto read = ReadWholeFile(fs_, file, kMaxEtagBytes);
  if (!read.ok() && read.error().code() == ErrorCode::kNotFound)
    return;  // the first poll downloads
  std::string etag = read.ok() ? std::move(*read) : std::string();
  if (!PlausibleEtag(etag)) {
    log_.Warn(
        "fleet_config_etag_ignored",
        {{"path", file.string()},
         {"reason", read.ok() ? "not 1.." + std::to_string(kMaxEtagBytes) + " visible ASCII bytes"
                              : read.error().ToString()}});
    return;
  }
  etag_ = std::move(etag);
}

void FleetConfigStore::KeepEtag(std::string_view etag) {
  const std::filesystem::path file = state_dir_ / kFleetConfigEtagFileName;
  etag_.clear();
  Status s = Ok();
  if (PlausibleEtag(etag)) {
    s = WriteFileDurably(fs_, file, etag);
    if (s.ok()) etag_ = std::string(etag);
  } else {
    s = fs_.Unlink(file);
    if (!s.ok() && s.error().code() == ErrorCode::kNotFound) s = Ok();
  }
  // The config itself is persisted: a missing ETag only costs one download after a restart.
  if (!s.ok()) log_.Warn("fleet_config_etag_not_kept", {{"error", s.error().ToString()}});
}

bool FleetConfigStore::ExpireIfDue(WallTime now) {
  const int64_t expires = effective_.fleet_expires_unix_s;
  if (effective_.fleet_version == 0 || expires == 0) return false;
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (now_s < expires) return false;
  const uint64_t version = effective_.fleet_version;
  effective_ = EffectiveFromBase(base_);
  last_rejection_ =
      FleetRejection{FleetRejectReason::kExpired, "expired at " + FormatUtc(expires), version, now};
  log_.Warn("fleet_config_expired", {{"version", version}, {"expired_at", FormatUtc(expires)}});
  return true;
}

}  // namespace fleetclip::config

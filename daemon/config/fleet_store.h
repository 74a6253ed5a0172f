// The accepted fleet config on disk: <state_dir>/fleet_config.signed holds the exact signed bytes
// last accepted, written atomically and durably (temp, fsync, rename, fsync dir), so a power cut
// leaves either the old or the new config, never a mix. At start (and on SIGHUP, with the reloaded
// base config) Load() re-verifies those bytes as if they had just been downloaded: an expired or
// now-invalid config (key rotated out, rule no longer compiles) is not applied, and the reason is
// logged and kept for status.
//
// Rollback protection: when the persisted config's signature and scope still check out but it is
// not applied (expired, invalid content), its version stays the floor, so an older signed config
// replayed by the backend or a man in the middle is still rejected as "lower than the active
// version".
//
// How the daemon uses it:
//   start:        store.Load(base, clock.WallNow())          → effective()
//   SIGHUP:       base = LoadBaseConfig(path); store.Load(base, clock.WallNow())
//   poller bytes: store.Offer(base, bytes, clock.WallNow())  → swap in effective() on kAccepted
//   periodic:     store.ExpireIfDue(clock.WallNow())         → back to the base config when due
// Files: every read and write of fleet_config.signed and fleet_config.etag goes through the
// FileSystem seam (common/file_system.h) given at construction.
// Not thread-safe: owned by one thread (the backend thread or the main loop), which publishes
// effective() to the others.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/log.h"
#include "common/result.h"
#include "daemon/config/fleet_config.h"

namespace fleetclip::config {

inline constexpr char kFleetConfigFileName[] = "fleet_config.signed";
// The ETag the accepted config was served with, written after it: a restart polls with
// If-None-Match instead of downloading the same bytes again. A crash between the two writes leaves
// the previous ETag, which only costs one download.
inline constexpr char kFleetConfigEtagFileName[] = "fleet_config.etag";
inline constexpr size_t kMaxEtagBytes = 256;
// A kept config larger than this is not read back (the poller accepts 1 MiB downloads).
inline constexpr size_t kMaxKeptConfigBytes = 4 << 20;

// The last config that was offered or loaded and not applied, for status and the heartbeat.
struct FleetRejection {
  FleetRejectReason reason = FleetRejectReason::kNone;
  std::string message;
  uint64_t version = 0;  // the rejected config's version when its payload parsed, else 0
  WallTime at{};
};

// An Offer() outcome as the backend poller's ConfigCallback wants it: Ok() for accepted or not
// modified; a rejection as kInvalidArgument (not retryable: the same bytes stay rejected) with
// `reason_name: message`; a failed persist as its own (usually retryable) error.
Status OfferStatus(const Result<FleetVerification>& offered);

class FleetConfigStore {
 public:
  // `fs` and `log` must outlive the store. Nothing is read until Load().
  FleetConfigStore(FileSystem& fs, std::filesystem::path state_dir, const Logger& log);
  // The same on the POSIX file system.
  FleetConfigStore(std::filesystem::path state_dir, const Logger& log);

  // Reads and re-verifies the persisted config against `base` (a loaded base config) at `now`.
  // No file: the base config alone. Returns an error only for an unreadable file (I/O); a config
  // that no longer verifies is not an error: effective() is then the base config and
  // last_rejection() says why.
  Status Load(const proto::BaseConfig& base, WallTime now);

  // Verifies downloaded bytes against `base` and the active state. On kAccepted persists them
  // durably and makes them active (effective() changes); otherwise nothing changes and a rejection
  // is recorded in last_rejection(). An error is returned only when persisting failed, in which
  // case the active config is unchanged too.
  // `etag` is the ETag the bytes were served with ("" for none); kept with an accepted config.
  // The active payload and version under other signatures (a key rotation) is kNotModified, and
  // its bytes and ETag replace the kept ones.
  Result<FleetVerification> Offer(const proto::BaseConfig& base, std::string_view signed_bytes,
                                  WallTime now, std::string_view etag = {});

  // Drops an active fleet config whose expiry has passed (back to the base config, version floor
  // kept). True when it did.
  bool ExpireIfDue(WallTime now);

  // What the daemon runs with: the base config, or the base with the accepted fleet config.
  const EffectiveConfig& effective() const { return effective_; }
  const ActiveFleetState& active() const { return active_; }
  // Whether a fleet config is applied now (effective().fleet_version != 0).
  bool fleet_applied() const { return effective_.fleet_version != 0; }
  const std::optional<FleetRejection>& last_rejection() const { return last_rejection_; }
  std::filesystem::path path() const { return state_dir_ / kFleetConfigFileName; }
  // The persisted config's ETag as kept by Load() or Offer(); "" when none is known.
  const std::string& etag() const { return etag_; }

 private:
  void Reject(const FleetVerification& v, WallTime now, std::string_view source);
  // Writes `signed_bytes` as the kept config (persisted_ too); the error is logged and returned.
  Status Persist(const FleetVerification& v, std::string_view signed_bytes);
  // Reads the kept ETag into etag_ (left empty when absent or implausible).
  void LoadEtag();
  // Writes `etag` beside the config (or removes the file for ""); failure is only logged.
  void KeepEtag(std::string_view etag);

  PosixFileSystem posix_;  // used by the constructor without a FileSystem
  FileSystem& fs_;
  const std::filesystem::path state_dir_;
  const Logger& log_;
  proto::BaseConfig base_;
  EffectiveConfig effective_;
  ActiveFleetState active_;
  std::optional<FleetRejection> last_rejection_;
  std::string etag_;
  std::string persisted_;  // the bytes in path(), as last read or written ("" for none)
};

}  // namespace fleetclip::config

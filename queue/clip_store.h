// ClipStore: the durable queue of clips on SQLite (DESIGN.md section 6). One row per clip folder
// under `<state_dir>/clips/`, with its events (one per trigger firing), its files (size, sha256,
// upload progress) and the multipart upload state of each file, so an upload resumes after a
// reboot.
//
// States: ready -> uploading -> uploaded; failed (permanent until `fleetclip retry`); evicted (made
// room for a newer clip); lost (the files vanished). A clip's folder exists exactly while
// `local_bytes > 0`; deletion follows the delete protocol: mark the row, commit, unlink the files,
// fsync `clips/`, then delete the row (or keep it as uploaded/evicted with local_bytes = 0). Open()
// finishes any deletion a crash interrupted, removes `clips/.tmp/`, adopts or removes orphan
// folders and marks rows whose files are gone as lost.
//
// Time: persisted deadlines (next_attempt) are wall time in unix ms, because CLOCK_MONOTONIC starts
// again at every boot; intervals are still computed on the monotonic clock by the caller, which
// moves the deadlines with a wall-clock step (ShiftRetryDeadlines, docs/uploader.md).
//
// Threading: a ClipStore is one SQLite connection guarded by an internal mutex; every method is
// safe to call from any thread. Several processes may open the same database (WAL): while the
// daemon runs it is the only writer (DESIGN.md §10) and the CLI reads (read_only); the CLI
// changes the store only under the writer lock (queue/writer_lock.h) when no daemon holds it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/log.h"
#include "common/result.h"

namespace fleetclip::queue {

enum class ClipState { kReady, kUploading, kUploaded, kFailed, kEvicted, kLost };

// "ready", "uploading", "uploaded", "failed", "evicted", "lost" (the strings stored in the database
// and shown by the CLI).
std::string_view ClipStateName(ClipState state);
std::optional<ClipState> ParseClipState(std::string_view name);

struct EventRecord {
  std::string rule;        // "harsh_braking", "manual", …
  std::string source;      // "rule", "manual", "remote"
  std::string trigger_id;  // remote/manual request id, empty for rules
  int64_t fired_unix_ms = 0;
  int priority = 0;
  double peak = 0;  // NaN when the rule has none
  std::string tier;
  std::string tag;
  std::string note;
  bool window_shortened = false;
};

struct FileRecord {
  std::string name;  // inside the clip folder: "front.mp4", "signals.pb.zst", "manifest.pb"
  int64_t bytes = 0;
  std::string sha256_hex;  // 64 lowercase hex digits
  bool uploaded = false;   // the transport confirmed the whole object
  // The MD5 of every md5_part_size slice of the file (the last may be shorter), 32 hex digits
  // each, concatenated: the Content-MD5 of each multipart part, taken by the clip writer in the
  // same read as sha256 (FileDigestsOf). 0 / "": none recorded; the uploader hashes itself.
  int64_t md5_part_size = 0;
  std::string part_md5_hex{};
};

struct ClipRecord {
  std::string id;  // UUIDv7, also the folder name
  ClipState state = ClipState::kReady;
  int priority = 0;                  // 0..100, the highest event priority
  int64_t bytes = 0;                 // sum of the files' sizes
  int64_t local_bytes = 0;           // bytes still on disk (0 once uploaded-and-removed/evicted)
  int64_t created_unix_ms = 0;       // when the clip was committed
  int64_t window_start_unix_ms = 0;  // the clip window on wall time (from the manifest's mapping)
  int64_t duration_ms = 0;
  int attempts = 0;                  // failed upload attempts so far
  int64_t next_attempt_unix_ms = 0;  // not before this wall time
  std::string last_error;
  bool pinned = false;  // never evicted
  std::string rules;    // distinct event rules, comma separated, in firing order (for listings)
  std::vector<EventRecord> events;  // filled by Get(), UploadCandidates()
  std::vector<FileRecord> files;    // filled by Get(), UploadCandidates()
};

// Resume state of one file's multipart upload.
struct UploadedPart {
  int part_number = 0;  // 1-based, as in S3
  int64_t bytes = 0;
  std::string etag;
};
struct UploadState {
  std::string upload_id;  // empty: no upload started
  int64_t part_size = 0;
  std::vector<UploadedPart> parts;  // by part_number
};

// A multipart upload left open on the server by a clip deleted or evicted before its upload
// finished; the upload thread aborts it (uploader/abort_drain.h) and then forgets it.
struct PendingAbort {
  std::string clip_id;
  std::string file;
  std::string upload_id;
  int64_t window_start_unix_ms = 0;  // names the object's date, as for the upload
};

struct ListFilter {
  std::optional<ClipState> state;
  std::string rule;           // clips with at least one event of this rule; empty = any
  int64_t since_unix_ms = 0;  // created at or after
  int limit = 50;             // newest first; <= 0 = no limit
};

struct StateTotals {
  int64_t clips = 0;
  int64_t bytes = 0;        // clip sizes
  int64_t local_bytes = 0;  // still on disk
};
struct Stats {
  std::vector<std::pair<std::string, StateTotals>> by_state;  // every state, in enum order
  std::vector<std::pair<std::string, StateTotals>> by_rule;   // clips per event rule, by name
  std::optional<ClipRecord> oldest_waiting;                   // oldest ready clip
  int64_t local_bytes = 0;                                    // all clip folders
  int64_t dropped_no_space = 0;  // incoming clips refused by the storage budget
  int64_t evicted = 0;           // clips evicted to make room (ever)
};

struct StoreOptions {
  std::filesystem::path state_dir;  // holds queue.db and clips/
  bool read_only = false;           // CLI listings: no recovery, no writes
  bool recover = true;              // run recovery at open (the daemon); ignored when read_only
  int busy_timeout_ms = 5000;
  // A file of this size kept at <state_dir>/reserve and given up when the disk is so full that
  // SQLite cannot even record a deletion; refilled once space returns. 0 = none.
  int64_t reserve_bytes = 4 << 20;
  // Every operation on clips/, the reserve and recovery's reads goes through it (DESIGN.md §10);
  // borrowed, must outlive the store. nullptr: the POSIX file system.
  FileSystem* file_system = nullptr;
};

class ClipStore {
 public:
  // Opens (creating and migrating when writable) `<state_dir>/queue.db`, checks it with
  // `PRAGMA quick_check` and, when `recover`, brings disk and rows back in line (see above).
  // `clock` and `log` must outlive the store.
  static Result<std::unique_ptr<ClipStore>> Open(const StoreOptions& options, const Clock& clock,
                                                 const Logger& log);
  ~ClipStore();
  ClipStore(const ClipStore&) = delete;
  ClipStore& operator=(const ClipStore&) = delete;

  const std::filesystem::path& clips_dir() const;
  // The seam the store writes clips/ through; the clip writer writes its folders through it too.
  FileSystem& file_system() const;
  std::filesystem::path ClipDir(std::string_view id) const;

  // ---- writer side (queue/ClipWriter) ----
  // Inserts a clip in `ready` with its events and files in one transaction. The folder
  // clips/<id>/ must already be complete and durable.
  Status InsertClip(const ClipRecord& clip);

  // ---- uploader contract ----
  // Clips in `ready` with next_attempt <= now, by priority (highest first) then age (oldest
  // first), with their events and files; at most `limit`.
  Result<std::vector<ClipRecord>> UploadCandidates(WallTime now, int limit);
  // ready -> uploading. kNotFound if the clip is gone, kInvalidArgument if not ready.
  Status MarkUploading(std::string_view clip_id);
  // uploading -> uploaded, once the manifest object is confirmed. Then removes the local folder by
  // the delete protocol; the row stays (state uploaded, local_bytes 0) and its upload state goes.
  Status MarkUploaded(std::string_view clip_id);
  // uploading/ready -> ready, attempts + 1, next_attempt and last_error set.
  Status ScheduleRetry(std::string_view clip_id, WallTime next_attempt, std::string_view error);
  // Every ready clip's next_attempt moved by `by` (a wall-clock step), then capped at `now` +
  // `max_wait`. Returns the number of clips changed.
  Result<int64_t> ShiftRetryDeadlines(Nanos by, WallTime now, Nanos max_wait);
  // -> failed (permanent), with the reason. `fleetclip retry` brings it back to ready.
  Status MarkFailed(std::string_view clip_id, std::string_view reason);
  // Multipart resume state, per file of a clip.
  Status SetUploadId(std::string_view clip_id, std::string_view file, std::string_view upload_id,
                     int64_t part_size);
  Status AddUploadedPart(std::string_view clip_id, std::string_view file, int part_number,
                         int64_t bytes, std::string_view etag);
  Result<UploadState> GetUploadState(std::string_view clip_id, std::string_view file);
  Status MarkFileUploaded(std::string_view clip_id, std::string_view file);
  // Forgets the upload id and parts (after an abort or when the upload id expired).
  Status ClearUploadState(std::string_view clip_id, std::string_view file);
  // The open multipart uploads of removed clips, oldest clip first; at most `limit`.
  Result<std::vector<PendingAbort>> PendingAborts(int limit);
  // The server no longer holds the upload (aborted, or it never knew the id).
  Status ForgetPendingAbort(const PendingAbort& abort);

  // ---- engineers (CLI) ----
  Result<ClipRecord> Get(std::string_view clip_id);
  Result<std::vector<ClipRecord>> List(const ListFilter& filter);
  Result<Stats> GetStats();
  // failed -> ready (attempts reset, next_attempt now). Returns the number of clips changed.
  Result<int> Retry(std::string_view clip_id);
  Result<int> RetryAllFailed();
  // kNotFound "no clip X" when there is none.
  Status SetPinned(std::string_view clip_id, bool pinned);
  // Removes the clip's folder (delete protocol) and its rows. Refused, checked in the same SQL
  // statement that marks the row, for a pinned clip ("clip X is pinned") and for one being
  // uploaded ("clip X is uploading"); kNotFound "no clip X". An open multipart upload of the clip
  // is kept in pending_aborts for the upload thread to abort.
  Status Delete(std::string_view clip_id);

  // ---- storage budget (queue/StorageBudget) ----
  // Clips that may be evicted to make room for an incoming clip of `incoming_priority`, in
  // eviction order: uploaded-but-still-local first (oldest first), then ready/failed clips with
  // priority <= incoming, lowest priority first, oldest first. Never pinned or uploading clips.
  Result<std::vector<ClipRecord>> EvictionCandidates(int incoming_priority);
  // Removes the clip's folder (delete protocol) and keeps the row as `evicted`. Refused like
  // Delete() for a clip pinned or uploading since the candidates were read: a pin wins.
  Status Evict(std::string_view clip_id);
  // Sum of local_bytes over all clips.
  Result<int64_t> LocalBytes();
  Status IncrementCounter(std::string_view name, int64_t by = 1);
  Result<int64_t> Counter(std::string_view name);

  // `PRAGMA integrity_check` ("ok" when sound), for tests and `fleetclip stats --check`.
  Result<std::string> IntegrityCheck();

  class Impl;

 private:
  explicit ClipStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Counter names used with IncrementCounter().
inline constexpr std::string_view kCounterDroppedNoSpace = "dropped_no_space";
inline constexpr std::string_view kCounterEvicted = "evicted";

}  // namespace fleetclip::queue

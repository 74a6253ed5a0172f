// The uploader's narrow view of the queue: what it reads and writes about clips (UploadQueue) and
// the per-file multipart resume state (UploadJournal). queue/ClipStore implements both over SQLite
// (see clip_store_adapter.h); transport tests use tests/support/memory_upload_journal.h. Everything
// here is durable when the call returns in the real store, so a SIGKILL after AddUploadedPart()
// never re-sends that part.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace fleetclip::uploader {

struct UploadedPart {
  int part_number = 0;  // 1-based
  int64_t bytes = 0;
  std::string etag;  // hex MD5 as the server returned it, no quotes
};

struct FileUploadState {
  std::string upload_id;  // empty: none started
  int64_t part_size_bytes = 0;
  std::vector<UploadedPart> parts;
};

// Resume state per (clip, file). Implementations are thread-safe: parallel part workers call
// AddUploadedPart() concurrently.
class UploadJournal {
 public:
  virtual ~UploadJournal() = default;
  virtual Result<FileUploadState> GetUploadState(const std::string& clip_id,
                                                 const std::string& file) = 0;
  virtual Status SetUploadId(const std::string& clip_id, const std::string& file,
                             const std::string& upload_id, int64_t part_size_bytes) = 0;
  virtual Status AddUploadedPart(const std::string& clip_id, const std::string& file,
                                 const UploadedPart& part) = 0;
  virtual Status MarkFileUploaded(const std::string& clip_id, const std::string& file) = 0;
  // Forgets the upload id and parts (after an abort, or when the server no longer knows the id).
  virtual Status ClearUploadState(const std::string& clip_id, const std::string& file) = 0;
};

// A multipart upload of a clip that was deleted or evicted before its upload finished: the server
// still holds its parts until it is aborted (uploader/abort_drain.h).
struct PendingUploadAbort {
  std::string clip_id;
  std::string file;
  std::string upload_id;
  WallTime captured_at;  // names the object's date, as for the upload
};

// Where the removals leave their open uploads (ClipStore's pending_aborts table): durable, so an
// abort that fails while the link is down is retried later, not forgotten. Thread-safe.
class AbortQueue {
 public:
  virtual ~AbortQueue() = default;
  virtual Result<std::vector<PendingUploadAbort>> PendingAborts(int limit) = 0;
  // The server no longer holds the upload.
  virtual Status ForgetPendingAbort(const PendingUploadAbort& abort) = 0;
};

// Durable named counters (ClipStore's counters table): the daily byte budget per link class lives
// here so a restart does not forget what was spent today. Called by the upload thread only.
class CounterStore {
 public:
  virtual ~CounterStore() = default;
  virtual Result<int64_t> Counter(const std::string& name) = 0;  // 0 when never incremented
  virtual Status IncrementCounter(const std::string& name, int64_t by) = 0;
};

struct LocalFile {
  std::string name;  // file name inside the clip folder: "front.mp4", "manifest.pb"
  std::filesystem::path path;
  int64_t bytes = 0;
  std::string sha256_hex;  // from the manifest
  bool uploaded = false;   // the object is already confirmed (MarkFileUploaded)
  // The MD5 of every md5_part_size slice (32 hex digits each, concatenated), taken by the clip
  // writer in the same read as the sha256. With them the S3 transport uses that part size, sends
  // each part's Content-MD5 without hashing, and libcurl reads the file straight into its send
  // buffer; bytes that changed on disk since are rejected by the server (BadDigest). 0 / "": the
  // transport hashes each part itself.
  int64_t md5_part_size = 0;
  std::string part_md5_hex{};
};

struct UploadCandidate {
  std::string clip_id;
  std::string vehicle_id;
  int32_t priority = 0;
  WallTime captured_at;          // names the object path (UTC date)
  int32_t attempts = 0;          // failed attempts so far
  std::vector<LocalFile> files;  // includes manifest.pb, which is uploaded last
};

// Clip state transitions. Not required to be thread-safe: the upload thread alone calls it.
class UploadQueue {
 public:
  virtual ~UploadQueue() = default;
  // Ready clips whose next attempt is due at `now`, priority descending then oldest first.
  virtual Result<std::vector<UploadCandidate>> UploadCandidates(WallTime now, int limit) = 0;
  virtual Status MarkUploading(const std::string& clip_id) = 0;
  // The manifest object is confirmed: the clip is uploaded and its local bundle is deleted.
  virtual Status MarkUploaded(const std::string& clip_id) = 0;
  // Back to ready, not before `next_attempt` (wall time: it must survive a reboot).
  virtual Status ScheduleRetry(const std::string& clip_id, WallTime next_attempt,
                               const std::string& error) = 0;
  virtual Status MarkFailed(const std::string& clip_id, const std::string& reason) = 0;
  // Moves every pending retry deadline by `by` (the wall clock was stepped by that much), then
  // pulls any deadline later than `now` + `max_wait` in to that. Returns the clips changed.
  virtual Result<int64_t> ShiftRetryDeadlines(Nanos by, WallTime now, Nanos max_wait) = 0;
};

}  // namespace fleetclip::uploader

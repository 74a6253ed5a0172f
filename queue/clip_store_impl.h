// ClipStore's private half: the connection, its mutex and the helpers shared by the store's
// source files (clip_store.cc: writes and queries; clip_store_upload.cc: the uploader contract;
// clip_store_recovery.cc: recovery at open). Private to queue/.
#pragma once

#include <mutex>

#include "queue/clip_store.h"
#include "queue/sqlite_db.h"

namespace fleetclip::queue {

// What happens to a row once its folder is gone (stored in clips.deleting while it is under way,
// so recovery can finish a deletion a crash interrupted).
enum class AfterRemoval : int { kDeleteRow = 1, kKeepUploaded = 2, kKeepEvicted = 3 };

inline constexpr const char* kClipColumns =
    "id,state,priority,bytes,local_bytes,created_unix_ms,window_start_unix_ms,duration_ms,"
    "attempts,next_attempt_unix_ms,last_error,pinned,rules";

class ClipStore::Impl {
 public:
  Impl(Db db, StoreOptions options, const Clock& clock, const Logger& log)
      : db_(std::move(db)),
        options_(std::move(options)),
        fs_(options_.file_system != nullptr ? *options_.file_system : posix_),
        clock_(clock),
        log_(log) {
    clips_dir_ = options_.state_dir / "clips";
  }

  // A clip from a row selected with kClipColumns first.
  static ClipRecord ReadClip(const Stmt& st);
  // Fills events and files of `clip`. Requires mu_.
  Status LoadChildrenLocked(ClipRecord& clip);
  Result<ClipRecord> GetLocked(std::string_view id, bool with_children);
  // The delete protocol: mark the row, commit, unlink the folder, fsync clips/, then finish the
  // row as `after` says. A delete or an eviction is refused, in SQL, for a clip that is pinned or
  // uploading (RemovalRefusedLocked says which). Requires mu_.
  Status RemoveBundleLocked(std::string_view id, AfterRemoval after);
  // Step 1 of the delete protocol in one transaction: the guarded mark, and the clip's open
  // multipart uploads moved to pending_aborts. Requires mu_.
  Status MarkForRemovalLocked(std::string_view id, AfterRemoval after);
  // Why a guarded removal changed no row: "no clip X" (kNotFound), "clip X is pinned", "clip X
  // is uploading" or "clip X is already being removed" (kInvalidArgument). Requires mu_.
  Error RemovalRefusedLocked(std::string_view id);
  Status FinishRemovalLocked(std::string_view id, AfterRemoval after);
  // After an UPDATE guarded by a state condition changed nothing: kNotFound when the clip does
  // not exist, else kInvalidArgument naming its state and the `expected` one.
  Error NoChangeErrorLocked(std::string_view id, std::string_view action,
                            std::string_view expected);
  // The clip's rows in one transaction (ClipStore::InsertClip, recovery's adoption).
  Status InsertClipLocked(const ClipRecord& clip);
  Status RecoverLocked();
  // The disk-full escape hatch (StoreOptions::reserve_bytes): refill creates the reserve file when
  // missing (best effort); release unlinks it and reports whether there was one.
  void RefillReserveLocked();
  bool ReleaseReserveLocked();
  int64_t NowUnixMs() const;

  Db db_;
  const StoreOptions options_;
  PosixFileSystem posix_;  // used when options_.file_system is null
  FileSystem& fs_;         // every file operation on clips/ and the reserve
  std::filesystem::path clips_dir_;
  const Clock& clock_;
  const Logger& log_;
  std::mutex mu_;  // guards db_ and the folders' lifecycle
};

}  // namespace fleetclip::queue

// StorageBudget: decides whether an incoming clip fits (DESIGN.md section 6) under a byte quota
// for all clip folders and a free-space floor on the state filesystem (the larger of a byte floor
// and a share of the filesystem). To make room it evicts, in ClipStore::EvictionCandidates order,
// uploaded clips still on disk, then ready/failed clips of priority <= the incoming one, lowest
// priority first, oldest first; never pinned or uploading clips (re-checked by the store at each
// eviction, so a clip pinned after the candidates were read is kept). When even that cannot make
// room, it evicts nothing, counts the incoming clip as dropped and says why.
//
// Free space comes through the DiskSpace interface so tests can simulate a filesystem; the daemon's
// is FileSystemDiskSpace over its FileSystem seam (statvfs lives in PosixFileSystem::Space).
// Thread-compatible: one writer thread calls MakeRoom.
#pragma once

#include <mutex>

#include <cstdint>
#include <filesystem>

#include "common/file_system.h"
#include "common/log.h"
#include "common/result.h"
#include "queue/clip_store.h"

namespace fleetclip::queue {

class DiskSpace {
 public:
  virtual ~DiskSpace() = default;
  virtual Result<FsSpace> Space(const std::filesystem::path& path) const = 0;
};

// The free space a FileSystem reports (statvfs(3) for PosixFileSystem). `fs` is borrowed.
class FileSystemDiskSpace final : public DiskSpace {
 public:
  explicit FileSystemDiskSpace(FileSystem& fs) : fs_(fs) {}
  Result<FsSpace> Space(const std::filesystem::path& path) const override {
    return fs_.Space(path);
  }

 private:
  FileSystem& fs_;
};

// statvfs(3) through PosixFileSystem.
class StatvfsDiskSpace final : public DiskSpace {
 public:
  Result<FsSpace> Space(const std::filesystem::path& path) const override;
};

struct StorageLimits {
  int64_t quota_bytes = 20LL << 30;
  int64_t min_free_bytes = 5LL << 30;
  double min_free_percent = 10;
};

// Checks limits: quota > 0, floor >= 0, percent in [0, 100). The message names field and value.
Status ValidateStorageLimits(const StorageLimits& limits);

class StorageBudget {
 public:
  // `store`, `disk` and `log` must outlive the budget.
  StorageBudget(ClipStore& store, const DiskSpace& disk, StorageLimits limits, const Logger& log)
      : store_(store), disk_(disk), limits_(limits), log_(log) {}

  // Makes room for `bytes` more at `priority`, evicting as above. kNoSpace (counted as dropped)
  // when the clip cannot fit.
  Status MakeRoom(int64_t bytes, int priority);
  // Counts a clip dropped for lack of space that MakeRoom admitted (ENOSPC while writing).
  void CountDropped(std::string_view clip_or_reason);

  // The limits now; SetLimits() replaces them (a config push) for the next MakeRoom().
  StorageLimits limits() const {
    std::lock_guard lock(mu_);
    return limits_;
  }
  void SetLimits(StorageLimits limits) {
    std::lock_guard lock(mu_);
    limits_ = limits;
  }

 private:
  // Counts the incoming clip as dropped; kNoSpace naming every figure of the decision.
  Status Refuse(int64_t bytes, int priority, int64_t used, int64_t quota_bytes, int64_t free_bytes,
                int64_t floor, int64_t evictable);

  ClipStore& store_;
  const DiskSpace& disk_;
  mutable std::mutex mu_;
  StorageLimits limits_;  // guarded by mu_
  const Logger& log_;
};

}  // namespace fleetclip::queue

// FaultFileSystem: a FileSystem wrapper for the fault sweep (DESIGN.md §10, LevelDB's SpecialEnv).
// It counts every operation that passes through it (open, create, write, fsync, close, read,
// rename, unlink, mkdir, rmdir, directory fsync, listing, stat, statvfs) and can fail the Nth one
// with a chosen errno, exactly as the kernel would report it: the same ErrnoError text as
// PosixFileSystem ("fsync <path>: Input/output error"), so the caller's error can be checked to
// name the operation and the file. Thread-safe (the clip muxer writes cameras in parallel).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"

namespace fleetclip::testing {

struct FsOp {
  std::string op;      // "write", "fsync directory", "rename", …
  std::string target;  // the path ("A to B" for a rename), as it appears in the error message
  std::string Text() const { return op + " " + target; }  // what the error message starts with
};

class FaultFileSystem final : public FileSystem {
 public:
  // `base` is borrowed and does the real work.
  explicit FaultFileSystem(FileSystem& base) : base_(base) {}

  // Restarts the count and fails the `n`th operation from now (1-based) with `errno_value`;
  // n = 0 fails nothing (counting only).
  void FailNth(int64_t n, int errno_value);
  // Operations counted since the last FailNth().
  int64_t ops() const;
  // The operation that was failed, once it was.
  std::optional<FsOp> failed() const;
  // Every operation counted since the last FailNth(), in order (history()[k - 1] is the kth).
  std::vector<FsOp> history() const;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::filesystem::path& path) override;
  Result<std::unique_ptr<ReadableFile>> NewReadableFile(const std::filesystem::path& path) override;
  Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
  Status Unlink(const std::filesystem::path& path) override;
  Status MakeDir(const std::filesystem::path& path) override;
  Status RemoveDir(const std::filesystem::path& path) override;
  Status SyncDir(const std::filesystem::path& path) override;
  Result<std::vector<DirEntry>> ListDir(const std::filesystem::path& path) override;
  Result<FileStat> Stat(const std::filesystem::path& path) override;
  Result<FsSpace> Space(const std::filesystem::path& path) override;

  // Counts one operation; the injected error when it is the one to fail. Used by the file wrappers.
  Status Check(std::string op, std::string target);

 private:
  FileSystem& base_;
  mutable std::mutex mu_;
  int64_t count_ = 0;           // guarded by mu_
  int64_t fail_at_ = 0;         // guarded by mu_
  int errno_ = 0;               // guarded by mu_
  std::optional<FsOp> failed_;  // guarded by mu_
  std::vector<FsOp> history_;   // guarded by mu_
};

}  // namespace fleetclip::testing

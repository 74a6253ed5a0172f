// FileSystem: the one seam every durable file operation of the queue and the fleet-config store
// goes through (DESIGN.md section 10, LevelDB's Env). `main` builds a PosixFileSystem and passes it
// down; tests wrap it to fail the Nth operation (tests/support/fault_file_system.h) or to record
// operations and "lose power" keeping only what was fsynced (tests/support/power_cut_fs.h).
//
// The interface is deliberately narrow: create/open, positional write, fsync, close, sequential
// read, rename, unlink, mkdir, rmdir, fsync of a directory, listing, stat and statvfs. Anything
// else (durable writes, removing a tree) is built on top in common/durable_file.h, so a wrapper
// sees every step. Errors are ErrnoError values whose message names the operation and the path
// ("fsync /var/lib/fleetclip/clips/.tmp/<id>/front.mp4: Input/output error").
//
// Thread-safety: implementations are safe to call from several threads at once (the clip muxer
// writes cameras in parallel); one WritableFile or ReadableFile is used by one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip {

struct FsSpace {
  int64_t total_bytes = 0;
  int64_t free_bytes = 0;  // available to unprivileged writers (f_bavail)
};

struct DirEntry {
  std::string name;  // file name only, never "." or ".."
  bool is_dir = false;
};

struct FileStat {
  int64_t bytes = 0;
  bool is_dir = false;
};

// A file opened for writing. Destroying it without Close() closes it and ignores the result.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data` at `offset` (pwrite, EINTR and short writes handled).
  virtual Status WriteAt(int64_t offset, std::string_view data) = 0;
  virtual Status Sync() = 0;  // fsync(2)
  virtual Status Close() = 0;
};

// A file opened for reading from its start.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to `n` bytes into `buf`; 0 at the end of the file.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Creates a new file (mode 0644); kAlreadyExists when the path exists.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::filesystem::path& path) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> NewReadableFile(
      const std::filesystem::path& path) = 0;
  virtual Status Rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  virtual Status Unlink(const std::filesystem::path& path) = 0;
  // kAlreadyExists when the path exists.
  virtual Status MakeDir(const std::filesystem::path& path) = 0;
  virtual Status RemoveDir(const std::filesystem::path& path) = 0;
  // fsync(2) of a directory: its entries (creations, renames, unlinks) become durable.
  virtual Status SyncDir(const std::filesystem::path& path) = 0;
  // Entries of a directory in no particular order.
  virtual Result<std::vector<DirEntry>> ListDir(const std::filesystem::path& path) = 0;
  // kNotFound when nothing is there.
  virtual Result<FileStat> Stat(const std::filesystem::path& path) = 0;
  virtual Result<FsSpace> Space(const std::filesystem::path& path) = 0;  // statvfs(3)
};

// The real thing: POSIX calls on absolute (or cwd-relative) paths. Stateless; safe to share.
class PosixFileSystem final : public FileSystem {
 public:
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
};

}  // namespace fleetclip

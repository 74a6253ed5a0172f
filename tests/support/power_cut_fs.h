// PowerCutFileSystem: a FileSystem wrapper that records what would survive a power cut, for the
// power-cut tests (DESIGN.md §10). Operations go through to the real file system; beside them it
// keeps a model of the tree under `root` with two views per inode, as ext4 with default options
// may leave it after a crash:
//   - a file's durable data is its content at its last fsync (never-fsynced data is lost, a file
//     fsynced while empty comes back empty);
//   - a directory's durable entries are its entries at its last fsync (a create, rename or
//     unlink not followed by an fsync of that directory is lost). Each directory is separate: a
//     rename between two directories becomes durable on each side only with that side's fsync, so
//     an image may hold the renamed thing under both names or under neither (stricter than ext4's
//     journal, which commits both sides together).
// What existed under `root` at construction counts as durable. CutBefore(n) "loses power" just
// before the nth mutating operation (create, write, fsync, close, rename, unlink, mkdir, rmdir,
// directory fsync) from now: the durable view is materialised into a fresh directory, the files
// named in `copied_as_is` (SQLite's, which do not go through the seam) are copied as they are at
// that moment, and every later operation fails with EIO, as on a machine that has lost power.
// Reads, listings, stat and statvfs pass through uncounted: they change nothing durable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/file_system.h"

namespace fleetclip::testing {

class PowerCutFileSystem final : public FileSystem {
 public:
  // `base` is borrowed. `copied_as_is`: names directly under `root` left out of the model and
  // copied byte for byte into the image (e.g. "queue.db", "queue.db-wal"); `left_out`: names
  // under `root` neither modelled nor imaged (e.g. "queue.db-shm", which SQLite rebuilds).
  PowerCutFileSystem(FileSystem& base, std::filesystem::path root,
                     std::vector<std::string> copied_as_is, std::vector<std::string> left_out = {});

  // Arms a cut just before the nth mutating operation from now (1-based), imaging into `image`
  // (which must not exist yet). Restarts the count.
  void CutBefore(int64_t n, std::filesystem::path image);
  // Cuts now: images into `image` and fails everything after.
  void CutNow(const std::filesystem::path& image);
  // Mutating operations since the last CutBefore().
  int64_t ops() const;
  bool powered_off() const;

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

  // Used by the file wrappers: counts a mutating operation (cutting the power when due) and
  // returns EIO once the power is off. Requires mu_ not held.
  Status Step(const std::string& what);
  // The model's side of a file's write and fsync.
  void ModelWrite(int inode, int64_t offset, std::string_view data);
  void ModelSync(int inode);

 private:
  struct Node {
    bool dir = false;
    std::string data, synced;                            // files
    std::map<std::string, int> entries, synced_entries;  // directories: name -> inode
  };
  // The components of `path` below root_; nullopt when it is not under root_ (or is root_).
  std::optional<std::vector<std::string>> Below(const std::filesystem::path& path) const;
  // The inode at `parts` in the current tree, or -1.
  int Lookup(const std::vector<std::string>& parts) const;
  int NewNode(bool dir);
  // The model's side of an unlink or rmdir: the entry leaves its parent's current view.
  void DropEntry(const std::filesystem::path& path);
  void ScanLocked(const std::filesystem::path& dir, int inode);
  void ImageLocked(const std::filesystem::path& image);
  void WriteImage(int inode, const std::filesystem::path& at, int depth) const;

  FileSystem& base_;
  const std::filesystem::path root_;
  const std::vector<std::string> copied_as_is_;
  const std::vector<std::string> left_out_;
  mutable std::mutex mu_;
  std::vector<Node> nodes_;      // guarded by mu_; nodes_[0] is root_
  int64_t count_ = 0;            // guarded by mu_
  int64_t cut_at_ = 0;           // guarded by mu_
  std::filesystem::path image_;  // guarded by mu_
  bool off_ = false;             // guarded by mu_
};

}  // namespace fleetclip::testing

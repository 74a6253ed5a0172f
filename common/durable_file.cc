// Temp file, fsync, rename, fsync directory, all through the FileSystem seam. See
// common/durable_file.h.
#include "common/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <vector>

#include "common/unique_handle.h"

namespace fleetclip {
namespace fs = std::filesystem;

fs::path TempPathFor(const fs::path& final_path) {
  static std::atomic<uint64_t> counter{0};  // uniqueness only; carries no state worth injecting
  // Appended piece by piece: `"." + std::string&&` trips GCC 12's -Wrestrict false positive at -O3
  // (GCC bug 105329, inside libstdc++'s inlined insert), which breaks a Release build with -Werror.
  std::string name = ".";
  name += final_path.filename().string();
  name += ".tmp-";
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(counter.fetch_add(1));
  return final_path.parent_path() / name;
}

Status FsyncPath(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path.string() + " for fsync", errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync " + path.string(), errno);
  return Ok();
}

static fs::path DirOf(const fs::path& p) {
  fs::path dir = p.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

Status RenameDurably(FileSystem& disk, const fs::path& from, const fs::path& to) {
  if (Status s = disk.Rename(from, to); !s.ok()) return s;
  if (Status s = disk.SyncDir(DirOf(to)); !s.ok()) return s;
  if (DirOf(from) != DirOf(to)) return disk.SyncDir(DirOf(from));
  return Ok();
}

Status WriteFileDurably(FileSystem& disk, const fs::path& path, std::string_view data) {
  const fs::path tmp = TempPathFor(path);
  auto file = disk.NewWritableFile(tmp);
  if (!file.ok()) return file.error();
  Status s = (*file)->WriteAt(0, data);
  if (s.ok()) s = (*file)->Sync();
  if (s.ok()) s = (*file)->Close();
  file->reset();
  if (s.ok()) s = RenameDurably(disk, tmp, path);
  if (!s.ok()) {
    // The temp name is ours alone; after a failed rename it may already be gone.
    (void)disk.Unlink(tmp);
    return s;
  }
  return Ok();
}

Status CreateDirsDurably(FileSystem& disk, const fs::path& dir) {
  std::vector<fs::path> created;
  fs::path p;
  for (const auto& part : dir) {
    p /= part;
    if (Status s = disk.MakeDir(p); s.ok()) {
      created.push_back(p);
    } else if (s.error().code() != ErrorCode::kAlreadyExists) {
      return s;
    }
  }
  for (const auto& c : created) {
    if (Status s = disk.SyncDir(DirOf(c)); !s.ok()) return s;
  }
  return Ok();
}

Status RemoveTree(FileSystem& disk, const fs::path& path) {
  auto st = disk.Stat(path);
  if (!st.ok()) return st.error().code() == ErrorCode::kNotFound ? Ok() : Status(st.error());
  if (!st->is_dir) return disk.Unlink(path);
  auto entries = disk.ListDir(path);
  if (!entries.ok()) return entries.error();
  for (const DirEntry& e : *entries) {
    Status s = e.is_dir ? RemoveTree(disk, path / e.name) : disk.Unlink(path / e.name);
    if (!s.ok() && s.error().code() != ErrorCode::kNotFound) return s;
  }
  return disk.RemoveDir(path);
}

Result<std::string> ReadWholeFile(FileSystem& disk, const fs::path& path, size_t max_bytes) {
  auto file = disk.NewReadableFile(path);
  if (!file.ok()) return file.error();
  std::string out;
  char buf[64 << 10];
  while (true) {
    auto n = (*file)->Read(buf, sizeof buf);
    if (!n.ok()) return n.error();
    if (*n == 0) return out;
    if (out.size() + *n > max_bytes) {
      return Error(ErrorCode::kInvalidArgument,
                   path.string() + " is over the limit of " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, *n);
  }
}

Status RenameDurably(const fs::path& from, const fs::path& to) {
  PosixFileSystem posix;
  return RenameDurably(posix, from, to);
}

Status WriteFileDurably(const fs::path& path, std::string_view data) {
  PosixFileSystem posix;
  return WriteFileDurably(posix, path, data);
}

Status CreateDirsDurably(const fs::path& dir) {
  PosixFileSystem posix;
  return CreateDirsDurably(posix, dir);
}

}  // namespace fleetclip

// PosixFileSystem: the FileSystem seam over open/pwrite/fsync/rename/unlink/mkdir/statvfs. Every
// error names the call and the path (see common/file_system.h).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "common/file_system.h"
#include "common/unique_handle.h"

namespace fleetclip {
namespace fs = std::filesystem;
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(UniqueFd fd, fs::path path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Status WriteAt(int64_t offset, std::string_view data) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(fd_.get(), data.data() + done, data.size() - done,
                           static_cast<off_t>(offset + static_cast<int64_t>(done)));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("write " + path_.string(), errno);
      }
      done += static_cast<size_t>(n);
    }
    return Ok();
  }
  Status Sync() override {
    if (::fsync(fd_.get()) != 0) return ErrnoError("fsync " + path_.string(), errno);
    return Ok();
  }
  Status Close() override {
    if (!fd_.valid()) return Ok();
    if (::close(fd_.Release()) != 0) return ErrnoError("close " + path_.string(), errno);
    return Ok();
  }

 private:
  UniqueFd fd_;
  const fs::path path_;
};

class PosixReadableFile final : public ReadableFile {
 public:
  PosixReadableFile(UniqueFd fd, fs::path path) : fd_(std::move(fd)), path_(std::move(path)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    while (true) {
      ssize_t r = ::read(fd_.get(), buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return ErrnoError("read " + path_.string(), errno);
    }
  }

 private:
  UniqueFd fd_;
  const fs::path path_;
};

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

}  // namespace

Result<std::unique_ptr<WritableFile>> PosixFileSystem::NewWritableFile(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("create " + path.string(), errno);
  return std::unique_ptr<WritableFile>(new PosixWritableFile(std::move(fd), path));
}

Result<std::unique_ptr<ReadableFile>> PosixFileSystem::NewReadableFile(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open " + path.string(), errno);
  return std::unique_ptr<ReadableFile>(new PosixReadableFile(std::move(fd), path));
}

Status PosixFileSystem::Rename(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError("rename " + from.string() + " to " + to.string(), errno);
  }
  return Ok();
}

Status PosixFileSystem::Unlink(const fs::path& path) {
  if (::unlink(path.c_str()) != 0) return ErrnoError("unlink " + path.string(), errno);
  return Ok();
}

Status PosixFileSystem::MakeDir(const fs::path& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return ErrnoError("mkdir " + path.string(), errno);
  return Ok();
}

Status PosixFileSystem::RemoveDir(const fs::path& path) {
  if (::rmdir(path.c_str()) != 0) return ErrnoError("rmdir " + path.string(), errno);
  return Ok();
}

Status PosixFileSystem::SyncDir(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoError("open directory " + path.string() + " for fsync", errno);
  if (::fsync(fd.get()) != 0) return ErrnoError("fsync directory " + path.string(), errno);
  return Ok();
}

Result<std::vector<DirEntry>> PosixFileSystem::ListDir(const fs::path& path) {
  std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (dir == nullptr) return ErrnoError("list " + path.string(), errno);
  std::vector<DirEntry> out;
  while (true) {
    errno = 0;
    const dirent* e = ::readdir(dir.get());
    if (e == nullptr) {
      if (errno != 0) return ErrnoError("list " + path.string(), errno);
      break;
    }
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::lstat((path / name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    out.push_back({std::string(name), is_dir});
  }
  return out;
}

Result<FileStat> PosixFileSystem::Stat(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return ErrnoError("stat " + path.string(), errno);
  return FileStat{static_cast<int64_t>(st.st_size), S_ISDIR(st.st_mode)};
}

Result<FsSpace> PosixFileSystem::Space(const fs::path& path) {
  struct statvfs s {};
  if (::statvfs(path.c_str(), &s) != 0) return ErrnoError("statvfs " + path.string(), errno);
  return FsSpace{static_cast<int64_t>(s.f_blocks) * static_cast<int64_t>(s.f_frsize),
                 static_cast<int64_t>(s.f_bavail) * static_cast<int64_t>(s.f_frsize)};
}

}  // namespace fleetclip

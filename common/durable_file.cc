// Temp file, fsync, rename, fsync directory. See common/durable_file.h.
#include "common/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
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

Status RenameDurably(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError("rename " + from.string() + " to " + to.string(), errno);
  }
  if (Status s = FsyncPath(DirOf(to)); !s.ok()) return s;
  if (DirOf(from) != DirOf(to)) return FsyncPath(DirOf(from));
  return Ok();
}

Status WriteFileDurably(const fs::path& path, std::string_view data) {
  const fs::path tmp = TempPathFor(path);
  auto fail = [&](Error e) -> Status {
    ::unlink(tmp.c_str());
    return e;
  };
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return ErrnoError("create " + tmp.string(), errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrnoError("write " + tmp.string(), errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail(ErrnoError("fsync " + tmp.string(), errno));
  if (::close(fd.Release()) != 0) return fail(ErrnoError("close " + tmp.string(), errno));
  if (Status s = RenameDurably(tmp, path); !s.ok()) return fail(s.error());
  return Ok();
}

Status CreateDirsDurably(const fs::path& dir) {
  std::vector<fs::path> created;
  fs::path p;
  for (const auto& part : dir) {
    p /= part;
    if (::mkdir(p.c_str(), 0755) == 0) {
      created.push_back(p);
    } else if (errno != EEXIST) {
      return ErrnoError("mkdir " + p.string(), errno);
    }
  }
  for (const auto& c : created) {
    if (Status s = FsyncPath(DirOf(c)); !s.ok()) return s;
  }
  return Ok();
}

}  // namespace fleetclip

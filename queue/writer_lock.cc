// flock(2) on <state_dir>/writer.lock; see queue/writer_lock.h.
#include "queue/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace fleetclip::queue {

Result<WriterLock> WriterLock::TryAcquire(const std::filesystem::path& state_dir,
                                          std::string_view holder) {
  const std::filesystem::path path = state_dir / kWriterLockFile;
  // Read-write to record the holder; read-only is enough to lock (a group member whose CLI may
  // not write the file can still find out whether the daemon holds it).
  bool writable = true;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid() && errno == EACCES) {
    writable = false;
    fd.Reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  if (!fd.valid()) return ErrnoError("open " + path.string(), errno);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      return Error(ErrorCode::kUnavailable,
                   path.string() + " is held by " + WriterLockHolder(state_dir));
    }
    return ErrnoError("flock " + path.string(), err);
  }
  if (writable) {
    const std::string text = std::string(holder) + " pid " + std::to_string(::getpid()) + "\n";
    // Best effort: the lock itself is what excludes; the text only names the holder.
    if (::ftruncate(fd.get(), 0) == 0) (void)!::pwrite(fd.get(), text.data(), text.size(), 0);
  }
  return WriterLock(std::move(fd), path);
}

std::string WriterLockHolder(const std::filesystem::path& state_dir) {
  std::ifstream in(state_dir / kWriterLockFile);
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return "another process";
  return line;
}

}  // namespace fleetclip::queue

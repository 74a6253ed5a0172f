// The single-writer lock of a state directory (DESIGN.md §10): an exclusive flock(2) on
// `<state_dir>/writer.lock`. fleetclipd takes it before it opens the queue and holds it while it
// runs, so the lock also says whether a daemon is there; the CLI takes it, without waiting, only
// to change queue.db itself when no daemon holds it. The holder writes "<program> pid <pid>" into
// the file, so a refused caller can say who holds it.
//
// flock(2) locks belong to the open file description: the kernel drops the lock when the holder
// exits, also on SIGKILL, so a crash never leaves the queue locked. Two WriterLocks in one process
// exclude each other as two processes would.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/result.h"
#include "common/unique_handle.h"

namespace fleetclip::queue {

inline constexpr std::string_view kWriterLockFile = "writer.lock";

class WriterLock {
 public:
  // Takes the lock if it is free. kUnavailable, naming the holder, when another holds it;
  // kPermissionDenied (or another errno code) when the lock file cannot be opened.
  static Result<WriterLock> TryAcquire(const std::filesystem::path& state_dir,
                                       std::string_view holder);
  // Waits up to `timeout` for the lock (the CLI holds it for milliseconds). `on_wait` is called
  // once, with the holder, when the lock is not free at once. kTimeout names the holder.
  // flock(2) cannot wait with a deadline, and the daemon reads SIGTERM from a signalfd (so a
  // blocked flock could not be interrupted): the wait retries every 50 ms on `clock`.
  template <typename OnWait>
  static Result<WriterLock> Acquire(const std::filesystem::path& state_dir, std::string_view holder,
                                    const Clock& clock, Nanos timeout, OnWait on_wait);

  WriterLock(WriterLock&&) noexcept = default;
  WriterLock& operator=(WriterLock&&) noexcept = default;

  const std::filesystem::path& path() const { return path_; }

 private:
  WriterLock(UniqueFd fd, std::filesystem::path path)
      : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::filesystem::path path_;
};

// What the lock file says about its holder ("fleetclipd pid 1234"), or "another process".
std::string WriterLockHolder(const std::filesystem::path& state_dir);

template <typename OnWait>
Result<WriterLock> WriterLock::Acquire(const std::filesystem::path& state_dir,
                                       std::string_view holder, const Clock& clock, Nanos timeout,
                                       OnWait on_wait) {
  Result<WriterLock> lock = TryAcquire(state_dir, holder);
  if (lock.ok() || lock.error().code() != ErrorCode::kUnavailable) return lock;
  on_wait(WriterLockHolder(state_dir));
  const MonoTime deadline = clock.Now() + timeout;
  while (clock.Now() < deadline) {
    clock.SleepFor(std::chrono::milliseconds(50), {});
    lock = TryAcquire(state_dir, holder);
    if (lock.ok() || lock.error().code() != ErrorCode::kUnavailable) return lock;
  }
  return Error(
      ErrorCode::kTimeout,
      "waited " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s for " + (state_dir / kWriterLockFile).string() + ", held by " +
          WriterLockHolder(state_dir));
}

}  // namespace fleetclip::queue

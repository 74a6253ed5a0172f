// RAII owners for C handles: one owner per handle, move-only, released exactly once.
// UniqueHandle<T, Free> wraps pointer handles (`UniqueHandle<sqlite3_stmt, sqlite3_finalize>`);
// UniqueFd owns a file descriptor.
#pragma once

#include <unistd.h>

#include <memory>
#include <utility>

namespace fleetclip {

template <auto FreeFn>
struct CallFree {
  template <typename T>
  void operator()(T* p) const {
    if (p != nullptr) FreeFn(p);
  }
};

template <typename T, auto FreeFn>
using UniqueHandle = std::unique_ptr<T, CallFree<FreeFn>>;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace fleetclip

// A small real tmpfs mounted for the length of a test, so that a write really runs out of space
// (ENOSPC from the kernel, not from a fake). mount(2) needs CAP_SYS_ADMIN, so these tests need
// root: as an ordinary user the mount fails (EPERM) and the test, through
// FLEETCLIP_SKIP_UNLESS_MOUNTED, prints "SKIPPED: <why>", counts itself skipped and stops; CTest
// reports it as skipped (skip.h, SKIP_RETURN_CODE), never as passed.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "tests/support/skip.h"

namespace fleetclip::testing {

class TmpfsMount {
 public:
  // Mounts a tmpfs with `options` ("size=128k") on the existing directory `dir`.
  TmpfsMount(std::filesystem::path dir, const std::string& options) : dir_(std::move(dir)) {
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
      return;
    }
    const int err = errno;
    why_not_ = "this test needs a real full file system: mount -t tmpfs -o " + options + " on " +
               dir_.string() + " failed: " + std::strerror(err);
    if (err == EPERM) {
      why_not_ += " (mounting needs root, CAP_SYS_ADMIN; running as uid " +
                  std::to_string(::geteuid()) + ")";
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }  // "" when mounted

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string why_not_;
};

}  // namespace fleetclip::testing

// In a Catch2 test case: stop the test as skipped, with the reason, when `mount` did not mount.
#define FLEETCLIP_SKIP_UNLESS_MOUNTED(mount)  \
  do {                                        \
    if (!(mount).mounted()) {                 \
      WARN("SKIPPED: " << (mount).why_not()); \
      ::fleetclip::testing::NoteSkipped();    \
      return;                                 \
    }                                         \
  } while (false)

// A fresh directory under $TMPDIR (or /tmp) that is removed with everything in it on destruction.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace fleetclip {

class TempDir {
 public:
  TempDir() : TempDir(DefaultBase()) {}
  // Under `base` instead: /dev/shm for a test whose subject is logic, not durability, and that
  // would otherwise spend its time in fsync.
  explicit TempDir(const std::string& base) {
    std::string tmpl = base + "/fleetclip-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + tmpl);
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static std::string DefaultBase() {
    const char* base = std::getenv("TMPDIR");
    return base != nullptr ? base : "/tmp";
  }
  std::filesystem::path path_;
};

}  // namespace fleetclip

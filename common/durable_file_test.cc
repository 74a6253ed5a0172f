#include "common/durable_file.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"
#include "tests/support/tmpfs_mount.h"

namespace fleetclip {
namespace fs = std::filesystem;

static std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("A durable write leaves exactly the final file with the bytes written") {
  TempDir dir;
  const fs::path f = dir.path() / "manifest.pb";
  REQUIRE(WriteFileDurably(f, "hello").ok());
  REQUIRE(ReadAll(f) == "hello");
  REQUIRE(WriteFileDurably(f, "replaced").ok());
  REQUIRE(ReadAll(f) == "replaced");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  REQUIRE(entries == 1);
}

TEST_CASE("A write into a missing directory fails with not_found and names the path") {
  TempDir dir;
  Status s = WriteFileDurably(dir.path() / "no" / "such" / "f", "x");
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.error().code() == ErrorCode::kNotFound);
  REQUIRE(s.error().message().find("no/such") != std::string::npos);
}

TEST_CASE("Creating nested directories durably succeeds and is idempotent") {
  TempDir dir;
  REQUIRE(CreateDirsDurably(dir.path() / "a" / "b" / "c").ok());
  REQUIRE(fs::is_directory(dir.path() / "a" / "b" / "c"));
  REQUIRE(CreateDirsDurably(dir.path() / "a" / "b" / "c").ok());
}

TEST_CASE("A full disk gives no_space and leaves no partial file behind") {
  TempDir dir;
  const fs::path mnt = dir.path() / "small";
  fs::create_directory(mnt);
  // Can move to FaultFileSystem (tests/support/fault_file_system.h, ENOSPC on a write): the
  // durable write goes through the FileSystem seam.
  testing::TmpfsMount small(mnt, "size=64k");
  FLEETCLIP_SKIP_UNLESS_MOUNTED(small);
  const std::string big(256 * 1024, 'x');
  Status s = WriteFileDurably(mnt / "big.bin", big);
  CHECK_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kNoSpace);
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(mnt)) ++entries;
  CHECK(entries == 0);
}

}  // namespace fleetclip

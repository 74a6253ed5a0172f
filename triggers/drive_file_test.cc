// Drive files: round trip, and corruption reported with the frame and byte offset.
#include "triggers/drive_file.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace fleetclip::triggers {

TEST_CASE("Frames written to a drive file read back in order") {
  TempDir dir;
  auto w = DriveWriter::Create(dir.path() / "d.drive");
  REQUIRE(w.ok());
  for (int i = 1; i <= 300; ++i) {
    proto::SignalFrame f;
    f.set_mono_ns(i * 10);
    f.set_seq(i);
    f.add_values()->set_name(std::string(i % 60 + 1, 'a'));  // lengths across a varint byte
    REQUIRE(w->Append(f).ok());
  }
  REQUIRE(w->Close().ok());
  auto r = DriveReader::Open(dir.path() / "d.drive");
  REQUIRE(r.ok());
  for (int i = 1; i <= 300; ++i) {
    auto f = r->Next();
    REQUIRE(f.ok());
    REQUIRE(f->has_value());
    REQUIRE((*f)->seq() == static_cast<uint64_t>(i));
  }
  auto end = r->Next();
  REQUIRE(end.ok());
  REQUIRE_FALSE(end->has_value());
}

TEST_CASE("A truncated last frame is corruption naming the frame and its offset") {
  TempDir dir;
  {
    std::ofstream out(dir.path() / "t.drive", std::ios::binary);
    out << '\x02' << "\x08\x01" << '\x05' << "ab";
  }
  auto r = DriveReader::Open(dir.path() / "t.drive");
  REQUIRE(r->Next().ok());
  auto bad = r->Next();
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.error().code() == ErrorCode::kCorruption);
  REQUIRE(bad.error().message().find("frame 1 at byte 3: truncated (5 bytes announced)") !=
          std::string::npos);
}

TEST_CASE("An absurd frame length is corruption, not an allocation") {
  TempDir dir;
  {
    std::ofstream out(dir.path() / "big.drive", std::ios::binary);
    out << "\xff\xff\xff\x7f";
  }
  auto r = DriveReader::Open(dir.path() / "big.drive");
  auto bad = r->Next();
  REQUIRE(bad.error().message().find("exceeds 65536") != std::string::npos);
}

TEST_CASE("A missing drive file is a not-found error") {
  auto r = DriveReader::Open("/nonexistent/x.drive");
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.error().code() == ErrorCode::kNotFound);
}

}  // namespace fleetclip::triggers

// candump log lines and files: every frame form can-utils writes, what is read past, and errors
// that name the file, line and column.
#include "can/candump.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/support/temp_dir.h"

namespace fleetclip::can {

TEST_CASE("A classic line gives time, interface, standard id and data") {
  CandumpRecord r;
  auto k = ParseCandumpLine("(1436509052.249713) can0 123#DEADBEEF", r);
  REQUIRE(k.ok());
  REQUIRE(*k == CandumpLine::kFrame);
  REQUIRE(r.time_ns == 1436509052249713000);
  REQUIRE(r.interface == "can0");
  REQUIRE(r.frame.id == 0x123);
  REQUIRE_FALSE(r.frame.extended);
  REQUIRE_FALSE(r.frame.fd);
  REQUIRE(r.frame.len == 4);
  REQUIRE(r.frame.data[0] == 0xDE);
  REQUIRE(r.frame.data[3] == 0xEF);
}

TEST_CASE("Eight id digits make an extended frame") {
  CandumpRecord r;
  REQUIRE(*ParseCandumpLine("(1.000001) vcan1 18FEF1FE#0102", r) == CandumpLine::kFrame);
  REQUIRE(r.frame.extended);
  REQUIRE(r.frame.id == 0x18FEF1FE);
  REQUIRE(r.time_ns == 1000001000);
}

TEST_CASE("A CAN FD line gives the flags nibble and up to 64 bytes") {
  CandumpRecord r;
  std::string line = "(2.5) can0 123##3";
  for (int i = 0; i < 64; ++i) line += "A5";
  REQUIRE(*ParseCandumpLine(line, r) == CandumpLine::kFrame);
  REQUIRE(r.frame.fd);
  REQUIRE(r.frame.fd_flags == 3);
  REQUIRE(r.frame.len == 64);
  REQUIRE(r.frame.data[63] == 0xA5);
  REQUIRE(r.time_ns == 2500000000);
}

TEST_CASE("Dots between data bytes, an empty payload and a direction suffix are accepted") {
  CandumpRecord r;
  REQUIRE(*ParseCandumpLine("(3.000000) can0 7FF#11.22.33 R", r) == CandumpLine::kFrame);
  REQUIRE(r.frame.len == 3);
  REQUIRE(r.frame.data[2] == 0x33);
  REQUIRE(*ParseCandumpLine("(3.000000) can0 100#", r) == CandumpLine::kFrame);
  REQUIRE(r.frame.len == 0);
}

TEST_CASE("Remote frames, error frames and lines without '(' are read past") {
  CandumpRecord r;
  REQUIRE(*ParseCandumpLine("(1.0) can0 123#R", r) == CandumpLine::kSkipped);
  REQUIRE(*ParseCandumpLine("(1.0) can0 20000080#0000000000000000", r) == CandumpLine::kSkipped);
  REQUIRE(*ParseCandumpLine("# recorded on the bench", r) == CandumpLine::kSkipped);
  REQUIRE(*ParseCandumpLine("", r) == CandumpLine::kSkipped);
}

TEST_CASE("Malformed lines name the column and what was expected") {
  CandumpRecord r;
  REQUIRE(ParseCandumpLine("(1.0) can0 12#00", r).error().message() ==
          "column 12: expected a hex CAN id of 3 or 8 digits and '#'");
  REQUIRE(ParseCandumpLine("(1.0) can0 123#0G", r).error().message() ==
          "column 16: expected data as pairs of hex digits");
  REQUIRE(ParseCandumpLine("(1.0) can0 123#000000000000000000", r).error().message() ==
          "column 32: more than 8 data bytes in a classic CAN frame");
  REQUIRE(ParseCandumpLine("(1.0) can0 123##0112233445566778899", r).error().message() ==
          "column 36: CAN FD frame of 9 bytes (allowed: 0-8, 12, 16, 20, 24, 32, 48, 64)");
  REQUIRE(ParseCandumpLine("(abc) can0 123#00", r).error().message() ==
          "column 2: expected a timestamp (seconds.microseconds) after '('");
  REQUIRE(ParseCandumpLine("(1.0) can0 800#00", r).error().message() ==
          "column 12: standard id 800 is above 7FF");
}

TEST_CASE("A formatted frame parses back to the same frame") {
  CanFrame f;
  f.id = 0x1ABCDEF0;
  f.extended = true;
  f.fd = true;
  f.fd_flags = 1;
  f.len = 12;
  for (int i = 0; i < 12; ++i) f.data[i] = static_cast<uint8_t>(i * 17);
  const std::string line = FormatCandumpLine(1436509052249713000, "can1", f);
  REQUIRE(line == "(1436509052.249713) can1 1ABCDEF0##100112233445566778899AABB");
  CandumpRecord r;
  REQUIRE(*ParseCandumpLine(line, r) == CandumpLine::kFrame);
  REQUIRE(r.frame.data == f.data);
  REQUIRE(r.frame.len == 12);
}

TEST_CASE("A time with nanoseconds is formatted with nine digits and parses back the same") {
  CanFrame f;
  f.id = 0x123;
  f.len = 1;
  CandumpRecord r;
  REQUIRE(*ParseCandumpLine("(1436509052.249713123) can0 123#AA", r) == CandumpLine::kFrame);
  REQUIRE(r.time_ns == 1436509052249713123);
  const std::string line = FormatCandumpLine(r.time_ns, "can0", r.frame);
  CHECK(line == "(1436509052.249713123) can0 123#AA");
  REQUIRE(*ParseCandumpLine(line, r) == CandumpLine::kFrame);
  CHECK(r.time_ns == 1436509052249713123);
  CHECK(FormatCandumpLine(1436509052249713000, "can0", f) == "(1436509052.249713) can0 123#00");
}

TEST_CASE("A timestamp beyond 64-bit nanoseconds is an error naming it") {
  CandumpRecord r;
  auto e = ParseCandumpLine("(999999999999.000001) can0 123#AA", r);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().message() ==
        "column 2: timestamp 999999999999.000001 is beyond what nanoseconds in 64 bits hold");
  REQUIRE(ParseCandumpLine("(9223372036.854775807) can0 123#AA", r).ok());
  CHECK(r.time_ns == INT64_MAX);
  CHECK_FALSE(ParseCandumpLine("(9223372036.854775808) can0 123#AA", r).ok());
}

TEST_CASE("A log file larger than the read buffer reads every frame, last line unterminated") {
  TempDir dir;
  const auto path = dir.path() / "big.log";
  constexpr int kLines = 60000;  // ~2.5 MB: crosses the 1 MiB read chunk twice
  {
    std::ofstream out(path);
    out << "# header\n";
    for (int i = 0; i < kLines; ++i) {
      CanFrame f;
      f.id = static_cast<uint32_t>(i % 2048);
      f.len = 8;
      f.data[0] = static_cast<uint8_t>(i);
      out << FormatCandumpLine(int64_t{1000000000} + i * 1000, "can0", f);
      if (i + 1 < kLines) out << '\n';
    }
  }
  auto reader = CandumpReader::Open(path);
  REQUIRE(reader.ok());
  CandumpRecord r;
  int n = 0;
  while (true) {
    auto more = reader->Next(r);
    REQUIRE(more.ok());
    if (!*more) break;
    REQUIRE(r.frame.id == static_cast<uint32_t>(n % 2048));
    REQUIRE(r.frame.data[0] == static_cast<uint8_t>(n));
    ++n;
  }
  REQUIRE(n == kLines);
  REQUIRE(reader->skipped() == 1);
}

TEST_CASE("A bad line in a file names the file and line number") {
  TempDir dir;
  const auto path = dir.path() / "bad.log";
  std::ofstream(path) << "(1.0) can0 123#00\n(1.1) can0 123#0\n";
  auto reader = CandumpReader::Open(path);
  REQUIRE(reader.ok());
  CandumpRecord r;
  REQUIRE(*reader->Next(r));
  auto bad = reader->Next(r);
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.error().message() ==
          path.native() + ":2: column 16: expected data as pairs of hex digits");
}

}  // namespace fleetclip::can

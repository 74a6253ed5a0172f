// McapWriter's layout, checked byte by byte against the MCAP specification in-process (the
// official reader checks whole clips in tests/e2e/viewer/mcap_check.mjs).
#include "cli/mcap_writer.h"

#include <zstd.h>

#include <catch2/catch.hpp>
#include <cstring>

namespace fleetclip::cli {
namespace {

template <typename T>
T Le(const std::string& s, size_t at) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

std::string TwoChannelFile(McapStats* stats = nullptr) {
  McapWriter w({.profile = "", .library = "test", .chunk_bytes = 64});
  const uint16_t s = w.AddSchema("a.B", "protobuf", "schema-bytes");
  const uint16_t c1 = w.AddChannel(s, "/one", "protobuf", {{"k", "v"}});
  const uint16_t c2 = w.AddChannel(s, "/two", "protobuf");
  for (int i = 0; i < 10; ++i) {
    w.AddMessage(i % 2 ? c1 : c2, 1000 + static_cast<uint64_t>(10 - i), 0, std::string(20, 'x'));
  }
  w.AddMetadata("clip", {{"id", "1"}});
  w.AddAttachment("manifest.pb", "application/x-protobuf", 1, 2, "abc");
  std::string out = w.Finish().value();
  if (stats != nullptr) *stats = w.stats();
  return out;
}

TEST_CASE("crc32 is the zlib CRC the MCAP spec names") {
  CHECK(Crc32("123456789") == 0xCBF43926u);
  CHECK(Crc32("6789", Crc32("12345")) == 0xCBF43926u);
}

TEST_CASE("an MCAP file opens and closes with the magic and its footer points at the summary") {
  const std::string f = TwoChannelFile();
  const std::string magic("\x89MCAP0\r\n", 8);
  CHECK(f.substr(0, 8) == magic);
  CHECK(f.substr(f.size() - 8) == magic);
  const size_t footer = f.size() - 8 - (1 + 8 + 20);
  REQUIRE(static_cast<uint8_t>(f[footer]) == 0x02);
  const auto summary_start = Le<uint64_t>(f, footer + 9);
  const auto offsets_start = Le<uint64_t>(f, footer + 17);
  CHECK(static_cast<uint8_t>(f[summary_start]) == 0x03);  // the summary opens with the schemas
  CHECK(static_cast<uint8_t>(f[offsets_start]) == 0x0E);  // then the summary offsets
  CHECK(Le<uint32_t>(f, footer + 25) ==
        Crc32(std::string_view(f).substr(summary_start, footer + 25 - summary_start)));
  // DataEnd sits just before the summary and holds the CRC of everything before it.
  const size_t data_end = summary_start - (1 + 8 + 4);
  REQUIRE(static_cast<uint8_t>(f[data_end]) == 0x0F);
  CHECK(Le<uint32_t>(f, data_end + 9) == Crc32(std::string_view(f).substr(0, data_end)));
}

TEST_CASE(
    "messages are chunked by size and counted per channel and sorted by log time in a chunk") {
  McapStats stats;
  const std::string f = TwoChannelFile(&stats);
  CHECK(stats.messages == 10);
  CHECK(stats.per_channel.at(1) == 5);
  CHECK(stats.per_channel.at(2) == 5);
  CHECK(stats.chunks > 1);  // 64-byte chunks
  // The first chunk: decompress it and read its first message's log time (the smallest, 1001).
  const size_t chunk = f.find('\x06', 8);
  REQUIRE(chunk != std::string::npos);
  size_t at = chunk + 9;
  const auto start_time = Le<uint64_t>(f, at);
  const auto uncompressed = Le<uint64_t>(f, at + 16);
  const auto crc = Le<uint32_t>(f, at + 24);
  at += 28;
  REQUIRE(Le<uint32_t>(f, at) == 4);
  CHECK(f.substr(at + 4, 4) == "zstd");
  at += 8;
  const auto compressed = Le<uint64_t>(f, at);
  std::string records(uncompressed, '\0');
  REQUIRE(ZSTD_decompress(records.data(), records.size(), f.data() + at + 8, compressed) ==
          uncompressed);
  CHECK(Crc32(records) == crc);
  CHECK(static_cast<uint8_t>(records[0]) == 0x05);
  CHECK(Le<uint64_t>(records, 9 + 2 + 4) == start_time);
  CHECK(start_time == 1001);
}

}  // namespace
}  // namespace fleetclip::cli

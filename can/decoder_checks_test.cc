// The decoder's counter and checksum checks (can/decoder.h) over can/test_check_dbc.h: frames
// with right and wrong checksums of each kind, counters that wrap, jump, repeat or resume after
// a gap, and the bus's health after runs of failing and passing frames.
#include <catch2/catch.hpp>
#include <initializer_list>
#include <memory>
#include <vector>

#include "can/decoder.h"
#include "can/message_check.h"
#include "can/test_check_dbc.h"

namespace fleetclip::can {
namespace {

constexpr int64_t kMs = 1'000'000;

std::shared_ptr<const Dbc> CheckDbc() {
  auto dbc = ParseDbc(testing::kCheckDbc, "check.dbc");
  REQUIRE(dbc.ok());
  return std::make_shared<const Dbc>(std::move(*dbc));
}

// ESP_21 checked with E2E Profile 1 and data id 0x1234; the DBC's own declarations with the
// Toyota sum.
Decoder CheckedDecoder(std::shared_ptr<const Dbc> dbc = CheckDbc()) {
  const std::vector<CheckSpec> specs = {{.message = "ESP_21",
                                         .counter = "ESP_21_BZ",
                                         .checksum = "ESP_21_CRC",
                                         .algorithm = "crc8_e2e_p1",
                                         .data_id = 0x1234,
                                         .where = "check[0]"}};
  auto checks = ResolveChecks(*dbc, specs, "sum_toyota", "checksum_algorithm");
  INFO((checks.ok() ? "" : checks.error().ToString()));
  REQUIRE(checks.ok());
  return Decoder(dbc, *checks);
}

CanFrame Frame(uint32_t id, int64_t mono_ns, std::initializer_list<uint8_t> bytes) {
  CanFrame f;
  f.id = id;
  f.mono_ns = mono_ns;
  f.len = static_cast<uint8_t>(bytes.size());
  size_t i = 0;
  for (uint8_t b : bytes) f.data[i++] = b;
  return f;
}

// A Wheel frame (8-bit counter, no checksum) with counter `c` at `ms`.
CanFrame Wheel(uint8_t c, int64_t ms) { return Frame(768, ms * kMs, {c, 0x10, 0x00, 0x00}); }

// An ESP_21 frame with counter `c` and its right CRC.
CanFrame Esp(uint8_t c, int64_t ms) {
  CanFrame f = Frame(256, ms * kMs, {0x00, c, 0x10, 0x27, 0, 0, 0, 0});
  f.data[0] = ComputeChecksum(ChecksumAlgorithm::kCrc8E2eP1, 256,
                              std::span<const uint8_t>(f.data.data(), 8), 0, 0x1234);
  return f;
}

uint32_t Index(const Decoder& d, std::string_view message) {
  return static_cast<uint32_t>(d.dbc().FindMessage(message) - d.dbc().messages.data());
}

}  // namespace

TEST_CASE("A frame whose E2E Profile 1 CRC is right keeps its signals") {
  Decoder d = CheckedDecoder();
  // CRC-8 (0x1D, from 0) over 34 12 01 10 27 00 00 00 00 = 0x0F (can/checksum_test.cc).
  const DecodeResult r = d.Decode(Frame(256, 0, {0x0F, 0x01, 0x10, 0x27, 0, 0, 0, 0}));
  CHECK_FALSE(r.bad_checksum);
  REQUIRE(r.signals.size() == 4);
  CHECK(d.stats(Index(d, "ESP_21")).bad_checksums == 0);
}

TEST_CASE("A frame with a wrong checksum is counted and dropped with none of its signals") {
  Decoder d = CheckedDecoder();
  const DecodeResult r = d.Decode(Frame(256, 0, {0x0E, 0x01, 0x10, 0x27, 0, 0, 0, 0}));
  CHECK(r.bad_checksum);
  CHECK(r.message == static_cast<int32_t>(Index(d, "ESP_21")));
  CHECK(r.signals.empty());
  CHECK(d.stats(Index(d, "ESP_21")).bad_checksums == 1);
  CHECK(d.bad_checksums() == 1);
}

TEST_CASE("A frame too short to carry its checksum byte is dropped as a bad checksum") {
  Decoder d = CheckedDecoder();
  CanFrame f = Esp(1, 0);
  f.len = 0;
  CHECK(d.Decode(f).bad_checksum);
  CHECK(d.stats(Index(d, "ESP_21")).bad_checksums == 1);
}

TEST_CASE("A DBC CHECKSUM signal is checked with the interface's algorithm") {
  Decoder d = CheckedDecoder();
  // STEER (0x2E4, 5 bytes): 5 + 0xE4 + 0x02 + 0x80 = 0x16B -> 0x6B in byte 4.
  const DecodeResult good = d.Decode(Frame(740, 0, {0x80, 0x00, 0x00, 0x00, 0x6B}));
  CHECK_FALSE(good.bad_checksum);
  CHECK(good.signals.size() == 3);
  const DecodeResult bad = d.Decode(Frame(740, 10 * kMs, {0x81, 0x00, 0x01, 0x00, 0x6B}));
  CHECK(bad.bad_checksum);
  CHECK(d.stats(Index(d, "STEER")).bad_checksums == 1);
}

TEST_CASE("A counter that wraps from its largest value to 0 is no skip") {
  Decoder d = CheckedDecoder();
  for (int i = 0; i < 300; ++i) {
    const DecodeResult r = d.Decode(Wheel(static_cast<uint8_t>((250 + i) % 256), 10 * i));
    REQUIRE_FALSE(r.counter_skip);
  }
  CHECK(d.stats(Index(d, "Wheel")).counter_skips == 0);
}

TEST_CASE("A 4-bit counter wraps from 15 to 0 without a skip") {
  Decoder d = CheckedDecoder();
  for (int i = 0; i < 40; ++i)
    REQUIRE_FALSE(d.Decode(Esp(static_cast<uint8_t>(i % 16), i)).counter_skip);
  CHECK(d.stats(Index(d, "ESP_21")).counter_skips == 0);
}

TEST_CASE("A counter that jumps is counted as a skip and its frame is kept") {
  Decoder d = CheckedDecoder();
  REQUIRE_FALSE(d.Decode(Wheel(1, 0)).counter_skip);
  REQUIRE_FALSE(d.Decode(Wheel(2, 10)).counter_skip);
  const DecodeResult r = d.Decode(Wheel(5, 20));
  CHECK(r.counter_skip);
  CHECK(r.signals.size() == 2);
  CHECK_FALSE(d.Decode(Wheel(6, 30)).counter_skip);  // 5 is the new previous value
  CHECK(d.stats(Index(d, "Wheel")).counter_skips == 1);
  CHECK(d.counter_skips() == 1);
}

TEST_CASE("A repeated counter value is a skip") {
  Decoder d = CheckedDecoder();
  REQUIRE_FALSE(d.Decode(Wheel(7, 0)).counter_skip);
  CHECK(d.Decode(Wheel(7, 10)).counter_skip);
  CHECK(d.stats(Index(d, "Wheel")).counter_skips == 1);
}

TEST_CASE("The first frame after more than a second without its message sets a new baseline") {
  Decoder d = CheckedDecoder();
  REQUIRE_FALSE(d.Decode(Wheel(7, 0)).counter_skip);
  CHECK_FALSE(d.Decode(Wheel(40, 1001)).counter_skip);
  CHECK_FALSE(d.Decode(Wheel(41, 1011)).counter_skip);
  CHECK(d.Decode(Wheel(50, 2000)).counter_skip);  // 989 ms later: no gap
  CHECK(d.stats(Index(d, "Wheel")).counter_skips == 1);
}

TEST_CASE("A frame dropped for its checksum counts once, not also as a counter skip") {
  Decoder d = CheckedDecoder();
  REQUIRE_FALSE(d.Decode(Esp(1, 0)).bad_checksum);
  CanFrame corrupt = Esp(2, 10);
  corrupt.data[3] ^= 0x40;
  REQUIRE(d.Decode(corrupt).bad_checksum);
  const DecodeResult next = d.Decode(Esp(3, 20));
  CHECK_FALSE(next.bad_checksum);
  CHECK_FALSE(next.counter_skip);
  CHECK(d.stats(Index(d, "ESP_21")).counter_skips == 0);
  CHECK(d.stats(Index(d, "ESP_21")).bad_checksums == 1);
}

TEST_CASE("Five failing checked frames in a row mark the bus unhealthy until twenty pass") {
  Decoder d = CheckedDecoder();
  int64_t ms = 0;
  REQUIRE_FALSE(d.Decode(Wheel(0, ms)).counter_skip);
  for (int i = 0; i < 4; ++i) REQUIRE(d.Decode(Wheel(0, ms += 10)).counter_skip);  // repeats
  CHECK(d.healthy());                                                              // four in a row
  d.Decode(Frame(1024, ms * kMs, {1, 2}));  // an unchecked message changes nothing
  REQUIRE(d.Decode(Wheel(0, ms += 10)).counter_skip);
  CHECK_FALSE(d.healthy());  // the fifth
  uint8_t c = 0;
  for (int i = 0; i < 19; ++i) REQUIRE_FALSE(d.Decode(Wheel(++c, ms += 10)).counter_skip);
  CHECK_FALSE(d.healthy());
  REQUIRE_FALSE(d.Decode(Wheel(++c, ms += 10)).counter_skip);
  CHECK(d.healthy());
}

TEST_CASE("Messages without checks count nothing and are not marked checked") {
  Decoder d = CheckedDecoder();
  for (int i = 0; i < 3; ++i) d.Decode(Frame(1024, i * 10 * kMs, {1, 2}));
  CHECK_FALSE(d.checked(Index(d, "Plain")));
  CHECK(d.checked(Index(d, "ESP_21")));
  CHECK(d.checked(Index(d, "STEER")));
  CHECK(d.checked(Index(d, "Wheel")));
  CHECK(d.counter_skips() == 0);
  CHECK(d.bad_checksums() == 0);
}

}  // namespace fleetclip::can

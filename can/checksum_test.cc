// The checksum algorithms against the CRC catalogue's check values ("123456789") and against
// frames worked out by hand (the XOR and sum ones byte by byte; the CRCs also with a bitwise
// CRC and crcmod, see can/crosscheck/checksum_crosscheck.py).
#include "can/checksum.h"

#include <catch2/catch.hpp>
#include <string_view>
#include <vector>

namespace fleetclip::can {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("CRC-8/SAE-J1850 gives the catalogue's check value 0x4B") {
  REQUIRE(Crc8SaeJ1850(Bytes("123456789")) == 0x4B);
}

TEST_CASE("CRC-8/AUTOSAR gives the catalogue's check value 0xDF") {
  REQUIRE(Crc8Autosar(Bytes("123456789")) == 0xDF);
}

TEST_CASE("E2E Profile 1 covers the data id's low and high byte, then the payload but the CRC") {
  // CRC-8 poly 0x1D from 0x00 over 34 12 | 01 10 27 00 00 00 00 = 0x0F.
  const std::vector<uint8_t> frame = {0x00, 0x01, 0x10, 0x27, 0, 0, 0, 0};
  REQUIRE(ComputeChecksum(ChecksumAlgorithm::kCrc8E2eP1, 0x100, frame, 0, 0x1234) == 0x0F);
}

TEST_CASE("E2E Profile 2 covers the payload but the CRC, then the data id") {
  // CRC-8/AUTOSAR over 02 11 22 33 44 55 66 | 5A = 0x97.
  const std::vector<uint8_t> frame = {0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};
  REQUIRE(ComputeChecksum(ChecksumAlgorithm::kCrc8E2eP2, 0x100, frame, 0, 0x5A) == 0x97);
}

TEST_CASE("The XOR checksum folds every payload byte but its own") {
  // 12 ^ 34 ^ 56 ^ 78 ^ 9A = 0x92; byte 2 holds the checksum.
  const std::vector<uint8_t> frame = {0x12, 0x34, 0xEE, 0x56, 0x78, 0x9A};
  REQUIRE(ComputeChecksum(ChecksumAlgorithm::kXor, 0x100, frame, 2, 0) == 0x92);
}

TEST_CASE("The Toyota sum adds the length, the id's bytes and every payload byte but its own") {
  // 5 + 0xE4 + 0x02 + 0x80 = 363 = 0x16B -> 0x6B; byte 4 holds the checksum.
  const std::vector<uint8_t> frame = {0x80, 0x00, 0x00, 0x00, 0xFF};
  REQUIRE(ComputeChecksum(ChecksumAlgorithm::kToyotaSum, 0x2E4, frame, 4, 0) == 0x6B);
}

TEST_CASE("No algorithm reads the checksum's own byte") {
  std::vector<uint8_t> a = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07};
  std::vector<uint8_t> b = a;
  b[3] = 0xA5;
  for (ChecksumAlgorithm alg : {ChecksumAlgorithm::kCrc8E2eP1, ChecksumAlgorithm::kCrc8E2eP2,
                                ChecksumAlgorithm::kXor, ChecksumAlgorithm::kToyotaSum}) {
    INFO(ChecksumAlgorithmName(alg));
    CHECK(ComputeChecksum(alg, 0x321, a, 3, 7) == ComputeChecksum(alg, 0x321, b, 3, 7));
    b[5] ^= 0x10;  // any other byte does change it
    CHECK(ComputeChecksum(alg, 0x321, a, 3, 7) != ComputeChecksum(alg, 0x321, b, 3, 7));
    b[5] ^= 0x10;
  }
}

TEST_CASE("Algorithm names parse back to their algorithm and nothing else parses") {
  for (ChecksumAlgorithm alg : {ChecksumAlgorithm::kCrc8E2eP1, ChecksumAlgorithm::kCrc8E2eP2,
                                ChecksumAlgorithm::kXor, ChecksumAlgorithm::kToyotaSum}) {
    CHECK(ParseChecksumAlgorithm(ChecksumAlgorithmName(alg)) == alg);
  }
  CHECK_FALSE(ParseChecksumAlgorithm("crc8").has_value());
  CHECK_FALSE(ParseChecksumAlgorithm("XOR").has_value());
}

}  // namespace fleetclip::can

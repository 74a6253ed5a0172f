// The checksum algorithms of can/checksum.h: table-driven CRC-8s (tables built at compile time)
// and the two byte folds.
#include "can/checksum.h"

#include <array>

namespace fleetclip::can {
namespace {

using CrcTable = std::array<uint8_t, 256>;

constexpr CrcTable MakeTable(uint8_t poly) {
  CrcTable t{};
  for (int i = 0; i < 256; ++i) {
    uint8_t r = static_cast<uint8_t>(i);
    for (int b = 0; b < 8; ++b) {
      r = static_cast<uint8_t>((r & 0x80) != 0 ? (r << 1) ^ poly : r << 1);
    }
    t[static_cast<size_t>(i)] = r;
  }
  return t;
}

constexpr CrcTable kSaeJ1850 = MakeTable(0x1D);
constexpr CrcTable kAutosar = MakeTable(0x2F);

// The register after feeding `bytes` (MSB first, unreflected), no final XOR.
uint8_t Feed(const CrcTable& t, uint8_t reg, std::span<const uint8_t> bytes) {
  for (uint8_t b : bytes) reg = t[reg ^ b];
  return reg;
}

// The payload around the checksum byte.
uint8_t FeedAround(const CrcTable& t, uint8_t reg, std::span<const uint8_t> payload,
                   uint32_t skip) {
  reg = Feed(t, reg, payload.first(skip));
  return Feed(t, reg, payload.subspan(skip + 1));
}

}  // namespace

std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name) {
  if (name == "crc8_e2e_p1") return ChecksumAlgorithm::kCrc8E2eP1;
  if (name == "crc8_e2e_p2") return ChecksumAlgorithm::kCrc8E2eP2;
  if (name == "xor") return ChecksumAlgorithm::kXor;
  if (name == "sum_toyota") return ChecksumAlgorithm::kToyotaSum;
  return std::nullopt;
}

std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc8E2eP1:
      return "crc8_e2e_p1";
    case ChecksumAlgorithm::kCrc8E2eP2:
      return "crc8_e2e_p2";
    case ChecksumAlgorithm::kXor:
      return "xor";
    case ChecksumAlgorithm::kToyotaSum:
      return "sum_toyota";
  }
  return "?";
}

std::string_view ChecksumAlgorithmList() { return "crc8_e2e_p1, crc8_e2e_p2, xor, sum_toyota"; }

uint32_t MaxDataId(ChecksumAlgorithm algorithm) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc8E2eP1:
      return 0xFFFF;
    case ChecksumAlgorithm::kCrc8E2eP2:
      return 0xFF;
    case ChecksumAlgorithm::kXor:
    case ChecksumAlgorithm::kToyotaSum:
      return 0;
  }
  return 0;
}

uint8_t Crc8SaeJ1850(std::span<const uint8_t> bytes) {
  return static_cast<uint8_t>(Feed(kSaeJ1850, 0xFF, bytes) ^ 0xFF);
}

uint8_t Crc8Autosar(std::span<const uint8_t> bytes) {
  return static_cast<uint8_t>(Feed(kAutosar, 0xFF, bytes) ^ 0xFF);
}

uint8_t ComputeChecksum(ChecksumAlgorithm algorithm, uint32_t can_id,
                        std::span<const uint8_t> payload, uint32_t checksum_byte,
                        uint32_t data_id) {
  switch (algorithm) {
    case ChecksumAlgorithm::kCrc8E2eP1: {
      const uint8_t id[2] = {static_cast<uint8_t>(data_id & 0xFF),
                             static_cast<uint8_t>((data_id >> 8) & 0xFF)};
      return FeedAround(kSaeJ1850, Feed(kSaeJ1850, 0x00, id), payload, checksum_byte);
    }
    case ChecksumAlgorithm::kCrc8E2eP2: {
      const uint8_t id[1] = {static_cast<uint8_t>(data_id & 0xFF)};
      const uint8_t reg = FeedAround(kAutosar, 0xFF, payload, checksum_byte);
      return static_cast<uint8_t>(Feed(kAutosar, reg, id) ^ 0xFF);
    }
    case ChecksumAlgorithm::kXor: {
      uint8_t x = 0;
      for (size_t i = 0; i < payload.size(); ++i) {
        if (i != checksum_byte) x ^= payload[i];
      }
      return x;
    }
    case ChecksumAlgorithm::kToyotaSum: {
      uint32_t s = static_cast<uint32_t>(payload.size());
      for (uint32_t id = can_id; id != 0; id >>= 8) s += id & 0xFF;
      for (size_t i = 0; i < payload.size(); ++i) {
        if (i != checksum_byte) s += payload[i];
      }
      return static_cast<uint8_t>(s & 0xFF);
    }
  }
  return 0;
}

}  // namespace fleetclip::can

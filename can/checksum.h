// The per-message checksum algorithms a CAN bus may use (docs/can.md "Counter and checksum
// checks"): AUTOSAR E2E Profile 1 (CRC-8/SAE-J1850 over the data id and the payload), AUTOSAR E2E
// Profile 2 (CRC-8/AUTOSAR, polynomial 0x2F), the XOR of the payload bytes (opendbc's
// xor_checksum) and Toyota's byte sum. Each is a pure function of the frame's id and payload, so
// the decoder checks a frame without allocating, and tests can hold it against the CRC
// catalogue's check values and an independent implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace fleetclip::can {

enum class ChecksumAlgorithm {
  kCrc8E2eP1,  // "crc8_e2e_p1"
  kCrc8E2eP2,  // "crc8_e2e_p2"
  kXor,        // "xor"
  kToyotaSum,  // "sum_toyota"
};

// The config names above; nullopt for anything else.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);
// "crc8_e2e_p1, crc8_e2e_p2, xor, sum_toyota", for error messages.
std::string_view ChecksumAlgorithmList();
// The largest data id the algorithm takes: 0xFFFF (Profile 1, both bytes), 0xFF (Profile 2, one
// id for every counter value), 0 (the algorithm has none).
uint32_t MaxDataId(ChecksumAlgorithm algorithm);

// The CRC catalogue's parameterisations (reveng.sourceforge.io/crc-catalogue), whole messages.
// CRC-8/SAE-J1850: poly 0x1D, init 0xFF, xorout 0xFF, check ("123456789") 0x4B.
uint8_t Crc8SaeJ1850(std::span<const uint8_t> bytes);
// CRC-8/AUTOSAR: poly 0x2F, init 0xFF, xorout 0xFF, check 0xDF.
uint8_t Crc8Autosar(std::span<const uint8_t> bytes);

// The checksum `algorithm` gives a frame of `can_id` whose payload is `payload`, the checksum
// itself being the byte at `checksum_byte` (< payload.size()), which every algorithm leaves out:
// - crc8_e2e_p1: CRC-8/SAE-J1850 polynomial with start value 0x00 and no final XOR (what
//   E2E_P01's chained Crc_CalculateCRC8 calls amount to) over the data id's low byte, its high
//   byte (DataIDMode BOTH), then the payload bytes but the checksum.
// - crc8_e2e_p2: CRC-8/AUTOSAR over the payload bytes but the checksum, then the data id (one
//   byte; Profile 2's DataIDList indexed by the counter is not modelled: one id for all values).
// - xor: the XOR of the payload bytes but the checksum.
// - sum_toyota: (payload length + every non-zero byte of the id + the payload bytes but the
//   checksum) mod 256, as Toyota's ECUs (opendbc's toyota_checksum) compute it.
uint8_t ComputeChecksum(ChecksumAlgorithm algorithm, uint32_t can_id,
                        std::span<const uint8_t> payload, uint32_t checksum_byte, uint32_t data_id);

}  // namespace fleetclip::can

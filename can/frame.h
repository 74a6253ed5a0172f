// One CAN or CAN FD frame as every source (SocketCAN, candump logs) hands it to the decoder: the
// bus id without flag bits, whether it is extended (29-bit) and FD, the payload (up to 64 bytes)
// and the CLOCK_MONOTONIC time of reception. A plain value with a fixed-size payload, so sources
// can reuse one frame per read and decoding never allocates.
#pragma once

#include <array>
#include <cstdint>

namespace fleetclip::can {

inline constexpr uint32_t kMaxStandardId = 0x7FF;
inline constexpr uint32_t kMaxExtendedId = 0x1FFFFFFF;
inline constexpr uint32_t kMaxClassicBytes = 8;
inline constexpr uint32_t kMaxFdBytes = 64;

struct CanFrame {
  uint32_t id = 0;        // 11-bit (standard) or 29-bit (extended) identifier, no flag bits
  bool extended = false;  // a 29-bit identifier
  bool fd = false;        // a CAN FD frame (payload up to 64 bytes)
  uint8_t fd_flags = 0;   // CAN FD flags nibble (bit 0: bit-rate switch, bit 1: error state)
  uint8_t len = 0;        // payload bytes, at most 8 (classic) or 64 (FD)
  int64_t mono_ns = 0;    // CLOCK_MONOTONIC of reception
  std::array<uint8_t, kMaxFdBytes> data{};
};

// The payload lengths a CAN FD frame may have (DLC 0..15 → bytes).
constexpr bool IsValidFdLength(uint32_t len) {
  return len <= 8 || len == 12 || len == 16 || len == 20 || len == 24 || len == 32 || len == 48 ||
         len == 64;
}

}  // namespace fleetclip::can

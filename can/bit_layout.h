// Where a signal's bits sit in a payload, for both the DBC checks and the decode plans. Intel
// (little-endian) signals count bits from bit 0 of byte 0 upwards and name their least
// significant bit. Motorola (big-endian) signals name their most significant bit in the same
// "sawtooth" numbering (bit 7 of byte 0 is 7, bit 0 of byte 1 is 8) and continue downwards
// within a byte, then to bit 7 of the next byte. In the big-endian linear numbering used below,
// bit 0 is the most significant bit of byte 0 and bit 8*n-1 the least significant bit of byte n-1.
#pragma once

#include <cstdint>

#include "can/dbc.h"

namespace fleetclip::can {

struct BitSpan {
  uint32_t first_byte = 0;  // lowest byte index holding one of the signal's bits
  uint32_t last_byte = 0;   // highest
  // The byte holding the signal's least significant bit and that bit's position (0..7) in it.
  uint32_t lsb_byte = 0;
  uint32_t lsb_bit = 0;
};

constexpr BitSpan SignalBits(ByteOrder order, uint32_t start_bit, uint32_t length) {
  BitSpan s;
  if (order == ByteOrder::kIntel) {
    s.first_byte = start_bit / 8;
    s.last_byte = (start_bit + length - 1) / 8;
    s.lsb_byte = start_bit / 8;
    s.lsb_bit = start_bit % 8;
  } else {
    const uint32_t msb_linear = (start_bit / 8) * 8 + (7 - start_bit % 8);
    const uint32_t lsb_linear = msb_linear + length - 1;
    s.first_byte = msb_linear / 8;
    s.last_byte = lsb_linear / 8;
    s.lsb_byte = lsb_linear / 8;
    s.lsb_bit = 7 - lsb_linear % 8;
  }
  return s;
}

}  // namespace fleetclip::can

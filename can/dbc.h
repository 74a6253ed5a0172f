// A CAN database (DBC file) as the decoder needs it: messages (BO_) with their signals (SG_),
// byte order, sign, IEEE float types (SIG_VALTYPE_), factor and offset, the physical range, units,
// value tables (VAL_) and multiplexing, simple (M / mN) and extended (SG_MUL_VAL_). Everything else
// in a DBC (comments, attributes, nodes, environment variables) is read past and not kept.
// ParseDbc checks what decoding relies on (bit positions inside the message, lengths, one
// multiplexer per simple-multiplexed message, switches that exist) and names file, line and column
// of whatever is wrong. A parsed Dbc is immutable and safe to share between threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace fleetclip::can {

enum class ByteOrder { kIntel, kMotorola };
enum class ValueType { kInteger, kFloat32, kFloat64 };

// Raw switch values [lo, hi] for which a multiplexed signal is present.
struct MuxRange {
  uint64_t lo = 0;
  uint64_t hi = 0;
};

struct ValueLabel {
  int64_t raw = 0;
  std::string label;
};

struct DbcSignal {
  std::string name;
  uint32_t start_bit = 0;  // Intel: the least significant bit; Motorola: the most significant
  uint32_t length = 0;     // 1..64 bits
  ByteOrder order = ByteOrder::kIntel;
  bool is_signed = false;
  ValueType type = ValueType::kInteger;
  double factor = 1;
  double offset = 0;
  double min = 0;  // physical range; [0|0] means none
  double max = 0;
  std::string unit;
  bool is_multiplexer = false;  // `M` (or `mNM`): other signals switch on this one's raw value
  int32_t mux_switch = -1;      // index of the switch signal in the message, -1: always present
  std::vector<MuxRange> mux_ranges;  // switch values for which this signal is present
  std::vector<ValueLabel> labels;    // VAL_, sorted by raw value
  uint32_t line = 0;                 // where the SG_ is, for messages that point at it

  bool has_range() const { return !(min == 0 && max == 0); }
};

struct DbcMessage {
  uint32_t id = 0;  // without the extended flag (bit 31 in the file)
  bool extended = false;
  std::string name;
  uint32_t size_bytes = 0;  // the DLC field: payload bytes, up to 64 for CAN FD
  std::string transmitter;
  std::vector<DbcSignal> signals;
  uint32_t line = 0;

  const DbcSignal* FindSignal(std::string_view name) const;
};

struct Dbc {
  std::string file;  // as given to ParseDbc, for messages
  std::vector<DbcMessage> messages;

  const DbcMessage* FindMessage(std::string_view name) const;
  const DbcMessage* FindMessage(uint32_t id, bool extended) const;
};

// Parses DBC text. `file` names the source in error messages ("body.dbc:12:5: …").
Result<Dbc> ParseDbc(std::string_view text, std::string_view file);
// Reads and parses a DBC file.
Result<Dbc> LoadDbc(const std::filesystem::path& path);

}  // namespace fleetclip::can

// A direct decoder of the SignalFrame wire format (proto/signal_frame.proto) into DecodedFrame.
// libprotobuf's generic parse builds a message object and a heap string per value name; on the
// signal thread that alone costs more than evaluating fifty rules. This decoder walks the bytes
// once, compares names in place (string_view into the datagram) and allocates nothing. It follows
// proto3 rules: fields in any order, the last of a repeated scalar wins, unknown fields skipped,
// the last member of a oneof wins, strings must be valid UTF-8. The fuzz harness checks it against
// libprotobuf: whatever this accepts, libprotobuf parses to the same values.
#pragma once

#include <cstdint>
#include <string_view>

namespace fleetclip::triggers {

// One SignalValue as it appears on the wire.
struct WireValue {
  enum class Kind { kNone, kNumber, kFlag, kText };
  std::string_view name;
  Kind kind = Kind::kNone;
  double number = 0;
  bool flag = false;
  std::string_view text;
};

// Walks a serialized SignalFrame. Usage: Init, then Next() until it returns false; check error().
class WireFrameReader {
 public:
  explicit WireFrameReader(std::string_view bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}

  // Reads fields up to the next SignalValue. Returns false at the end or on an error.
  bool Next(WireValue& value);
  // Non-null when the bytes are not a valid SignalFrame; a static description.
  const char* error() const { return error_; }
  int64_t mono_ns() const { return mono_ns_; }
  uint64_t seq() const { return seq_; }
  // SignalFrame.producer (the last one, as in proto3); valid UTF-8, not yet checked as a name.
  std::string_view producer() const { return producer_; }

 private:
  const char* p_;
  const char* end_;
  const char* error_ = nullptr;
  int64_t mono_ns_ = 0;
  uint64_t seq_ = 0;
  std::string_view producer_;
};

bool IsValidUtf8(std::string_view s);

}  // namespace fleetclip::triggers

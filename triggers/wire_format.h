// Protobuf wire-format primitives shared by the SignalFrame decoders (triggers/wire_decoder.cc and
// triggers/frame_layout.cc), so both read tags, varints and lengths by exactly the same rules.
// Private to triggers/.
#pragma once

#include <cstdint>
#include <string_view>

namespace fleetclip::triggers::wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// Reads a varint of at most max_bytes bytes; false when truncated or longer.
inline bool ReadVarint(const char*& p, const char* end, uint64_t& out, int max_bytes = 10) {
  if (p != end && (static_cast<uint8_t>(*p) & 0x80) == 0) {  // one byte: tags, lengths, flags
    out = static_cast<uint8_t>(*p++);
    return true;
  }
  uint64_t v = 0;
  for (int shift = 0; shift < 7 * max_bytes; shift += 7) {
    if (p == end) return false;
    const auto byte = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      out = v;
      return true;
    }
  }
  return false;  // longer than max_bytes
}

// A field tag: at most 5 bytes and 32 bits, as libprotobuf reads it; field number 0 is invalid.
inline bool ReadTag(const char*& p, const char* end, uint32_t& field, uint32_t& type) {
  uint64_t tag = 0;
  if (!ReadVarint(p, end, tag, 5) || tag > UINT32_MAX || tag >> 3 == 0) return false;
  field = static_cast<uint32_t>(tag >> 3);
  type = static_cast<uint32_t>(tag & 7);
  return true;
}

// Skips a field of `type`; false when malformed.
inline bool Skip(const char*& p, const char* end, uint32_t type) {
  uint64_t n = 0;
  switch (type) {
    case kVarint:
      return ReadVarint(p, end, n);
    case kFixed64:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case kFixed32:
      if (end - p < 4) return false;
      p += 4;
      return true;
    case kLen:
      if (!ReadVarint(p, end, n) || n > static_cast<uint64_t>(end - p)) return false;
      p += n;
      return true;
    default:
      return false;  // groups (3, 4) and reserved types
  }
}

inline bool ReadLen(const char*& p, const char* end, std::string_view& out) {
  uint64_t n = 0;
  if (!ReadVarint(p, end, n) || n > static_cast<uint64_t>(end - p)) return false;
  out = std::string_view(p, n);
  p += n;
  return true;
}

}  // namespace fleetclip::triggers::wire

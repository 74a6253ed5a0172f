// Protobuf wire-format walking for triggers/wire_decoder.h.
#include "triggers/wire_decoder.h"

#include <cstring>

#include "triggers/wire_format.h"

namespace fleetclip::triggers {
namespace {

using wire::kFixed64;
using wire::kLen;
using wire::kVarint;
using wire::ReadLen;
using wire::ReadTag;
using wire::ReadVarint;
using wire::Skip;

bool ParseValue(std::string_view bytes, WireValue& v) {
  v = WireValue{};
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end) {
    uint32_t field = 0, type = 0;
    if (!ReadTag(p, end, field, type)) return false;
    if (field == 1 && type == kLen) {
      // Checked even though only [a-z0-9_.] names are used later: an earlier, overwritten name
      // that is not UTF-8 still makes the message invalid.
      if (!ReadLen(p, end, v.name) || !IsValidUtf8(v.name)) return false;
    } else if (field == 2 && type == kFixed64) {
      if (end - p < 8) return false;
      std::memcpy(&v.number, p, 8);
      p += 8;
      v.kind = WireValue::Kind::kNumber;
    } else if (field == 3 && type == kVarint) {
      uint64_t b = 0;
      if (!ReadVarint(p, end, b)) return false;
      v.flag = b != 0;
      v.kind = WireValue::Kind::kFlag;
    } else if (field == 4 && type == kLen) {
      if (!ReadLen(p, end, v.text) || !IsValidUtf8(v.text)) return false;
      v.kind = WireValue::Kind::kText;
    } else if (!Skip(p, end, type)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  // Signal names and most texts are ASCII: check eight bytes at a time for a set high bit.
  for (uint64_t word; i + 8 <= s.size(); i += 8) {
    std::memcpy(&word, s.data() + i, 8);
    if ((word & 0x8080808080808080ULL) != 0) break;
  }
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    const bool overlong =
        (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

bool WireFrameReader::Next(WireValue& value) {
  while (p_ < end_) {
    uint32_t field = 0, type = 0;
    if (!ReadTag(p_, end_, field, type)) {
      error_ = "bad field tag";
      return false;
    }
    if (field == 1 && type == kVarint) {
      uint64_t v = 0;
      if (!ReadVarint(p_, end_, v)) {
        error_ = "truncated mono_ns";
        return false;
      }
      mono_ns_ = static_cast<int64_t>(v);
    } else if (field == 2 && type == kVarint) {
      if (!ReadVarint(p_, end_, seq_)) {
        error_ = "truncated seq";
        return false;
      }
    } else if (field == 3 && type == kLen) {
      std::string_view bytes;
      if (!ReadLen(p_, end_, bytes) || !ParseValue(bytes, value)) {
        error_ = "bad SignalValue";
        return false;
      }
      return true;
    } else if (field == 4 && type == kLen) {
      if (!ReadLen(p_, end_, producer_) || !IsValidUtf8(producer_)) {
        error_ = "bad producer";
        return false;
      }
    } else if (!Skip(p_, end_, type)) {
      error_ = "bad field";
      return false;
    }
  }
  return false;
}

}  // namespace fleetclip::triggers

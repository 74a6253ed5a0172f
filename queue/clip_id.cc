// UUIDv7 generation and parsing. See queue/clip_id.h.
#include "queue/clip_id.h"

#include <array>

namespace fleetclip::queue {

std::string ClipIdGenerator::Next(WallTime now) {
  int64_t ms = UnixMs(now);
  if (ms <= last_ms_) {
    // Same millisecond (or the wall clock stepped back): stay on the last one and count up; when
    // the counter runs out, borrow the next millisecond.
    ms = last_ms_;
    if (++counter_ > 0xfff) {
      ++ms;
      counter_ = 0;
    }
  } else {
    counter_ = 0;
  }
  last_ms_ = ms;
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i)
    b[i] = static_cast<uint8_t>(static_cast<uint64_t>(ms) >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (counter_ >> 8));
  b[7] = static_cast<uint8_t>(counter_ & 0xff);
  const uint64_t r = rng_();
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<uint8_t>(r >> (56 - 8 * i));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xf];
  }
  return out;
}

bool IsClipId(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return id[14] == '7' && (id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

std::optional<int64_t> ClipIdUnixMs(std::string_view id) {
  if (!IsClipId(id)) return std::nullopt;
  int64_t ms = 0;
  for (size_t i = 0; i < 13; ++i) {
    if (i == 8) continue;
    const char c = id[i];
    ms = ms * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return ms;
}

}  // namespace fleetclip::queue

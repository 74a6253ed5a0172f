// Clip ids: UUIDv7 (RFC 9562), so ids sort by creation time in folder listings, SQLite and object
// storage. 48 bits of unix milliseconds, then a 12-bit counter that keeps ids from one generator
// strictly increasing within a millisecond (and across a wall clock that steps back), then 62
// random bits. Text form: 36 lowercase characters, 8-4-4-4-12.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace fleetclip::queue {

// Not thread-safe: one per clip writer.
class ClipIdGenerator {
 public:
  explicit ClipIdGenerator(uint64_t seed) : rng_(seed) {}
  std::string Next(WallTime now);

 private:
  std::mt19937_64 rng_;
  int64_t last_ms_ = -1;
  uint32_t counter_ = 0;
};

// True for the 36-character text form of a UUIDv7.
bool IsClipId(std::string_view id);
// The unix milliseconds in a clip id, nullopt when `id` is not a UUIDv7.
std::optional<int64_t> ClipIdUnixMs(std::string_view id);

}  // namespace fleetclip::queue

// UUIDv7 clip ids: well-formed, time-ordered, strictly increasing from one generator.
#include "queue/clip_id.h"

#include <catch2/catch.hpp>

namespace fleetclip::queue {

TEST_CASE("A clip id is a UUIDv7 that carries its creation millisecond") {
  ClipIdGenerator gen(1);
  const WallTime t(std::chrono::milliseconds(1'767'225'600'123));
  const std::string id = gen.Next(t);
  CHECK(IsClipId(id));
  CHECK(ClipIdUnixMs(id) == 1'767'225'600'123);
}

TEST_CASE("Ids from one generator increase within a millisecond and across a clock step back") {
  ClipIdGenerator gen(2);
  const WallTime t(std::chrono::milliseconds(1'767'225'600'000));
  std::string prev = gen.Next(t);
  for (int i = 0; i < 5000; ++i) {
    const std::string next = gen.Next(i % 2 == 0 ? t : t - std::chrono::seconds(1));
    REQUIRE(next > prev);
    prev = next;
  }
}

TEST_CASE("Strings that are not UUIDv7 are not clip ids") {
  CHECK_FALSE(IsClipId("0189a0c2-7a3b-4c3d-8e4f-0123456789ab"));  // version 4
  CHECK_FALSE(IsClipId("../etc/passwd"));
  CHECK_FALSE(ClipIdUnixMs("").has_value());
}

}  // namespace fleetclip::queue

#include "common/result.h"

#include <catch2/catch.hpp>
#include <cerrno>

namespace fleetclip {

Result<int> Half(int x) {
  if (x % 2 != 0) return Error(ErrorCode::kInvalidArgument, "x=" + std::to_string(x) + " is odd");
  return x / 2;
}

TEST_CASE("A result holds either a value or an error that says whether to retry") {
  auto ok = Half(8);
  REQUIRE(ok.ok());
  REQUIRE(*ok == 4);
  auto bad = Half(3);
  REQUIRE_FALSE(bad.ok());
  REQUIRE(bad.error().code() == ErrorCode::kInvalidArgument);
  REQUIRE_FALSE(bad.error().retryable());
  REQUIRE(bad.error().ToString() == "invalid_argument: x=3 is odd");
  REQUIRE(bad.error().WithContext("half").message() == "half: x=3 is odd");
}

TEST_CASE("Errno values map to codes that say whether retrying helps") {
  REQUIRE(ErrnoError("write f", ENOSPC).code() == ErrorCode::kNoSpace);
  REQUIRE(ErrnoError("write f", ENOSPC).retryable());
  REQUIRE(ErrnoError("open f", ENOENT).code() == ErrorCode::kNotFound);
  REQUIRE(ErrnoError("connect", ECONNRESET).retryable());
  REQUIRE_FALSE(ErrnoError("open f", EACCES).retryable());
  REQUIRE(ErrnoError("write f", ENOSPC).message() == "write f: No space left on device");
}

TEST_CASE("A status without an error is ok") {
  Status s = Ok();
  REQUIRE(s.ok());
  Status e = Error(ErrorCode::kTimeout, "late");
  REQUIRE_FALSE(e.ok());
  REQUIRE(e.error().retryable());
}

}  // namespace fleetclip

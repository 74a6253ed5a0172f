// Errors as values. Every fallible call at a component boundary returns Result<T> (or Status),
// whose Error carries a code that says whether retrying can help and a message a fleet engineer can
// act on
// ("which field, which value, which limit"). No exception crosses a public header.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace fleetclip {

enum class ErrorCode {
  // Retryable: the same call may succeed later.
  kUnavailable,  // a resource or peer is temporarily unreachable (reset, refused, EAGAIN)
  kTimeout,      // a deadline passed
  kNoSpace,      // the disk or a quota is full; retry after space is made
  kCancelled,    // stopped on request
  // Permanent: retrying the same call cannot help.
  kInvalidArgument,   // bad input: config, arguments, a malformed message
  kNotFound,          // a file, row or object does not exist
  kAlreadyExists,     // the target exists
  kCorruption,        // stored or received data fails its checks
  kPermissionDenied,  // refused by the OS or a peer
  kUnsupported,       // valid but not something we handle (codec, format)
  kIo,                // an I/O error from the device
  kInternal,          // a broken invariant: a bug
};

constexpr bool IsRetryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
    case ErrorCode::kNoSpace:
    case ErrorCode::kCancelled:
      return true;
    default:
      return false;
  }
}

std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool retryable() const { return IsRetryable(code_); }
  // "no_space: writing clips/x/front.mp4: No space left on device"
  std::string ToString() const;
  // Returns a copy whose message is prefixed with `context: `.
  Error WithContext(std::string_view context) const;

 private:
  ErrorCode code_;
  std::string message_;
};

// An error from errno, with a code derived from it: `what` names the operation and its object.
Error ErrnoError(std::string_view what, int errno_value);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const {
    assert(!ok());
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace fleetclip

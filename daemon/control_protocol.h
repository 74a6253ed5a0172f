// The control socket's wire format (proto/control.proto): a Unix stream socket on which each
// message is a 4-byte big-endian length followed by that many bytes of protobuf. One request and
// one response per connection. Shared by the daemon's ControlServer and the CLI's client.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/result.h"
#include "common/unique_handle.h"
#include "proto/control.pb.h"

namespace fleetclip::daemon {

// Larger messages are refused: a status is a few KiB.
inline constexpr uint32_t kMaxControlMessageBytes = 1 << 20;

// Writes one framed message; fails with the errno on a short write.
Status WriteFramed(int fd, std::string_view payload);
// Reads one framed message of at most `max_bytes`. kInvalidArgument names the length and the
// limit; kUnavailable when the peer closed before a whole message.
Result<std::string> ReadFramed(int fd, uint32_t max_bytes = kMaxControlMessageBytes);

// Sends `request` to the daemon listening at `socket_path` and returns its response. Every
// read and write gives up after `timeout`.
Result<proto::ControlResponse> CallControl(const std::filesystem::path& socket_path,
                                           const proto::ControlRequest& request,
                                           std::chrono::milliseconds timeout);

// Sets SO_RCVTIMEO and SO_SNDTIMEO on a socket.
Status SetSocketTimeouts(int fd, std::chrono::milliseconds timeout);

}  // namespace fleetclip::daemon

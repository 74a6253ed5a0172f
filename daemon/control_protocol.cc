// Framing and the client call of daemon/control_protocol.h.
#include "daemon/control_protocol.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fleetclip::daemon {
namespace {

Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("control socket write", errno);
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

// Reads exactly `size` bytes; kUnavailable when the peer closes first.
Status ReadAll(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Error(ErrorCode::kTimeout, "control socket read timed out");
    }
    if (n < 0) return ErrnoError("control socket read", errno);
    if (n == 0) return Error(ErrorCode::kUnavailable, "control socket closed by the peer");
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

}  // namespace

Status WriteFramed(int fd, std::string_view payload) {
  if (payload.size() > kMaxControlMessageBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "control message of " + std::to_string(payload.size()) +
                     " bytes is over the limit of " + std::to_string(kMaxControlMessageBytes));
  }
  const auto n = static_cast<uint32_t>(payload.size());
  const char header[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                          static_cast<char>(n >> 8), static_cast<char>(n)};
  if (Status s = WriteAll(fd, header, sizeof header); !s.ok()) return s;
  return WriteAll(fd, payload.data(), payload.size());
}

Result<std::string> ReadFramed(int fd, uint32_t max_bytes) {
  unsigned char header[4];
  if (Status s = ReadAll(fd, reinterpret_cast<char*>(header), sizeof header); !s.ok()) {
    return s.error();
  }
  const uint32_t n = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) |
                     (uint32_t{header[2]} << 8) | uint32_t{header[3]};
  if (n > max_bytes) {
    return Error(ErrorCode::kInvalidArgument, "control message length " + std::to_string(n) +
                                                  " is over the limit of " +
                                                  std::to_string(max_bytes));
  }
  std::string payload(n, '\0');
  if (Status s = ReadAll(fd, payload.data(), n); !s.ok()) return s.error();
  return payload;
}

Status SetSocketTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0) {
    return ErrnoError("setsockopt timeouts", errno);
  }
  return Ok();
}

Result<proto::ControlResponse> CallControl(const std::filesystem::path& socket_path,
                                           const proto::ControlRequest& request,
                                           std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = socket_path.string();
  if (path.size() >= sizeof addr.sun_path) {
    return Error(ErrorCode::kInvalidArgument, "control socket path is too long: " + path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoError("socket", errno);
  if (Status s = SetSocketTimeouts(fd.get(), timeout); !s.ok()) return s.error();
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    return ErrnoError("connect to " + path + " (is fleetclipd running?)", err);
  }
  if (Status s = WriteFramed(fd.get(), request.SerializeAsString()); !s.ok()) return s.error();
  Result<std::string> bytes = ReadFramed(fd.get());
  if (!bytes.ok()) return bytes.error();
  proto::ControlResponse response;
  if (!response.ParseFromString(*bytes)) {
    return Error(ErrorCode::kInvalidArgument, "the daemon's response does not parse");
  }
  return response;
}

}  // namespace fleetclip::daemon

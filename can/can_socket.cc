// SocketCAN reads (can/can_socket.h): the kernel's can_frame / canfd_frame records and their
// SCM_TIMESTAMPING control messages.
#include "can/can_socket.h"

#include <fcntl.h>
#include <linux/can.h>
#include <linux/can/raw.h>
#include <linux/net_tstamp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#ifndef PF_CAN
#define PF_CAN 29
#endif

namespace fleetclip::can {
namespace {

Error SocketError(const std::string& what, int e) {
  // The interface missing, down or gone: it may come back, so the caller retries.
  if (e == ENODEV || e == ENETDOWN || e == ENXIO || e == ENETUNREACH) {
    return Error(ErrorCode::kUnavailable, what + ": " + std::strerror(e));
  }
  if (e == EAFNOSUPPORT || e == EPROTONOSUPPORT) {
    return Error(ErrorCode::kUnsupported,
                 what + ": " + std::strerror(e) + " (this kernel has no SocketCAN: AF_CAN)");
  }
  return ErrnoError(what, e);
}

}  // namespace

Result<CanSocket> CanSocket::Open(std::string_view interface) {
  const std::string name(interface);
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return Error(ErrorCode::kInvalidArgument, "CAN interface name \"" + name +
                                                  "\" is empty or longer than " +
                                                  std::to_string(IFNAMSIZ - 1) + " bytes");
  }
  UniqueFd fd(::socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, CAN_RAW));
  if (!fd.valid()) return SocketError("socket(PF_CAN, SOCK_RAW, CAN_RAW) for " + name, errno);
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on, sizeof on) != 0) {
    return SocketError("enable CAN FD frames on " + name, errno);
  }
  // Software receive stamps: CLOCK_REALTIME when the kernel took the frame off the controller.
  // (Raw hardware stamps run on the controller's own clock, which nothing here can map.)
  const int stamping = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPING, &stamping, sizeof stamping) != 0) {
    return SocketError("enable SO_TIMESTAMPING on " + name, errno);
  }
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.c_str(), name.size() + 1);
  if (::ioctl(fd.get(), SIOCGIFINDEX, &ifr) != 0) {
    return SocketError("find CAN interface " + name, errno);
  }
  sockaddr_can addr{};
  addr.can_family = AF_CAN;
  addr.can_ifindex = ifr.ifr_ifindex;
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return SocketError("bind CAN interface " + name, errno);
  }
  return CanSocket(std::move(fd), name);
}

CanSocket CanSocket::FromFd(UniqueFd fd, std::string name) {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
  return CanSocket(std::move(fd), std::move(name));
}

int64_t MonoFromRealtime(const timespec& stamp, const Clock& clock) {
  const int64_t mono_now = ToNanos(clock.Now());
  const int64_t wall_now = clock.WallNow().time_since_epoch().count();
  const int64_t stamp_ns = static_cast<int64_t>(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec;
  return mono_now - (wall_now - stamp_ns);
}

Result<bool> CanSocket::Read(CanFrame& out, const Clock& clock) {
  canfd_frame record{};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec) * 3) + 64];
  iovec iov{&record, sizeof record};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
    return Error(ErrorCode::kUnavailable,
                 "read CAN interface " + name_ + ": " + std::strerror(errno));
  }
  if (n == 0) {
    return Error(ErrorCode::kUnavailable, "read CAN interface " + name_ + ": closed");
  }
  const bool fd_frame = static_cast<size_t>(n) == CANFD_MTU;
  if (!fd_frame && static_cast<size_t>(n) != CAN_MTU) {
    return Error(ErrorCode::kCorruption, "CAN interface " + name_ + ": a record of " +
                                             std::to_string(n) + " bytes (expected " +
                                             std::to_string(CAN_MTU) + " or " +
                                             std::to_string(CANFD_MTU) + ")");
  }
  const uint32_t max = fd_frame ? kMaxFdBytes : kMaxClassicBytes;
  if (record.len > max || (fd_frame && !IsValidFdLength(record.len))) {
    return Error(ErrorCode::kCorruption, "CAN interface " + name_ + ": frame length " +
                                             std::to_string(record.len) + " in a " +
                                             (fd_frame ? "CAN FD" : "classic") + " record");
  }
  out.extended = (record.can_id & CAN_EFF_FLAG) != 0;
  out.id = record.can_id & (out.extended ? CAN_EFF_MASK : CAN_SFF_MASK);
  out.fd = fd_frame;
  out.fd_flags = fd_frame ? static_cast<uint8_t>(record.flags & 0x0F) : 0;
  out.len = record.len;
  std::memcpy(out.data.data(), record.data, record.len);
  // Remote and error frames carry no signal data: read as zero-length frames of no message.
  if ((record.can_id & (CAN_RTR_FLAG | CAN_ERR_FLAG)) != 0) out.len = 0;

  out.mono_ns = ToNanos(clock.Now());
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPING &&
        c->cmsg_len >= CMSG_LEN(sizeof(timespec) * 3)) {
      timespec ts[3];
      std::memcpy(ts, CMSG_DATA(c), sizeof ts);
      // ts[0]: the kernel's software stamp (ts[1] is unused, ts[2] raw hardware time).
      if (ts[0].tv_sec != 0 || ts[0].tv_nsec != 0) out.mono_ns = MonoFromRealtime(ts[0], clock);
    }
  }
  return true;
}

size_t EncodeKernelFrame(const CanFrame& frame, unsigned char* buf) {
  canfd_frame record{};
  record.can_id = frame.id | (frame.extended ? CAN_EFF_FLAG : 0);
  record.len = frame.len;
  record.flags = frame.fd ? frame.fd_flags : 0;
  std::memcpy(record.data, frame.data.data(), frame.len);
  const size_t size = frame.fd ? CANFD_MTU : CAN_MTU;
  std::memcpy(buf, &record, size);
  return size;
}

}  // namespace fleetclip::can

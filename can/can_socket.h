// A socket that delivers one `struct can_frame` or `struct canfd_frame` per read: a SocketCAN raw
// socket bound to an interface (Open), or any fd carrying the same records (FromFd: a test's
// socketpair, since this machine's kernel has no AF_CAN). Everything after socket()/bind() is the
// same code for both: recvmsg, the record turned into a CanFrame, the kernel's SO_TIMESTAMPING
// time (CLOCK_REALTIME) mapped onto CLOCK_MONOTONIC, or the receipt time when there is none.
// One owner, one reader thread; non-blocking (Read returns false when nothing is queued).
#pragma once

#include <time.h>

#include <string>
#include <string_view>

#include "can/frame.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/unique_handle.h"

namespace fleetclip::can {

class CanSocket {
 public:
  // socket(PF_CAN, SOCK_RAW, CAN_RAW), CAN FD frames on, software and hardware receive
  // timestamps on, bound to `interface`. kUnavailable when the interface is missing or down (a
  // retry can help), kUnsupported when the kernel has no AF_CAN.
  static Result<CanSocket> Open(std::string_view interface);
  // Adopts an fd that carries can_frame / canfd_frame records (made non-blocking here).
  static CanSocket FromFd(UniqueFd fd, std::string name);

  // Reads one frame into `out` (mono_ns set as above); false when nothing is queued. Records of
  // another size, and FD lengths that are not FD lengths, are kCorruption; a socket error (the
  // interface went down: ENETDOWN) is kUnavailable, and the caller reopens.
  Result<bool> Read(CanFrame& out, const Clock& clock);

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }

 private:
  CanSocket(UniqueFd fd, std::string name) : fd_(std::move(fd)), name_(std::move(name)) {}
  UniqueFd fd_;
  std::string name_;
};

// A CLOCK_REALTIME kernel timestamp as CLOCK_MONOTONIC: the clock's current offset between the two
// applied to it (the kernel stamps in real time; the rules and the ring run on monotonic time).
int64_t MonoFromRealtime(const timespec& stamp, const Clock& clock);

// Encodes a frame as the kernel's record (16 bytes for classic, 72 for FD) into `buf`, which must
// hold 72 bytes; returns the record's size. Used by the tests and by replays into a socketpair.
size_t EncodeKernelFrame(const CanFrame& frame, unsigned char* buf);

}  // namespace fleetclip::can

// CanSocket over a socketpair carrying the kernel's can_frame / canfd_frame records: the same
// read path a SocketCAN socket takes after bind() (this kernel has no AF_CAN to open can0 with).
#include "can/can_socket.h"

#include <linux/can.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

namespace fleetclip::can {
namespace {

struct Pair {
  CanSocket reader;
  UniqueFd writer;
};

Pair MakePair() {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0);
  return {CanSocket::FromFd(UniqueFd(fds[0]), "pair0"), UniqueFd(fds[1])};
}

void Send(const UniqueFd& fd, const void* data, size_t size) {
  REQUIRE(::send(fd.get(), data, size, 0) == static_cast<ssize_t>(size));
}

}  // namespace

TEST_CASE("A classic record reads as a frame with its id, data and the receipt time") {
  FakeClock clock;
  Pair p = MakePair();
  can_frame rec{};
  rec.can_id = 0x123;
  rec.len = 3;
  rec.data[0] = 0xAA;
  rec.data[2] = 0xCC;
  Send(p.writer, &rec, sizeof rec);
  CanFrame f;
  auto got = p.reader.Read(f, clock);
  REQUIRE(got.ok());
  REQUIRE(*got);
  REQUIRE(f.id == 0x123);
  REQUIRE_FALSE(f.extended);
  REQUIRE_FALSE(f.fd);
  REQUIRE(f.len == 3);
  REQUIRE(f.data[2] == 0xCC);
  REQUIRE(f.mono_ns == ToNanos(clock.Now()));
}

TEST_CASE("An extended CAN FD record keeps its 29-bit id, flags and 64 bytes") {
  FakeClock clock;
  Pair p = MakePair();
  CanFrame in;
  in.id = 0x18FEF1FE;
  in.extended = true;
  in.fd = true;
  in.fd_flags = CANFD_BRS;
  in.len = 64;
  for (int i = 0; i < 64; ++i) in.data[i] = static_cast<uint8_t>(i);
  unsigned char buf[CANFD_MTU];
  const size_t size = EncodeKernelFrame(in, buf);
  REQUIRE(size == CANFD_MTU);
  Send(p.writer, buf, size);
  CanFrame f;
  REQUIRE(*p.reader.Read(f, clock));
  REQUIRE(f.extended);
  REQUIRE(f.id == 0x18FEF1FE);
  REQUIRE(f.fd);
  REQUIRE(f.fd_flags == CANFD_BRS);
  REQUIRE(f.len == 64);
  REQUIRE(f.data == in.data);
}

TEST_CASE("Nothing queued reads as false, not an error") {
  FakeClock clock;
  Pair p = MakePair();
  CanFrame f;
  auto got = p.reader.Read(f, clock);
  REQUIRE(got.ok());
  REQUIRE_FALSE(*got);
}

TEST_CASE("A record of the wrong size is corruption naming the size") {
  FakeClock clock;
  Pair p = MakePair();
  const char junk[10] = {};
  Send(p.writer, junk, sizeof junk);
  CanFrame f;
  auto got = p.reader.Read(f, clock);
  REQUIRE_FALSE(got.ok());
  REQUIRE(got.error().code() == ErrorCode::kCorruption);
  REQUIRE(got.error().message() == "CAN interface pair0: a record of 10 bytes (expected 16 or 72)");
}

TEST_CASE("An FD record with a length that is not an FD length is corruption") {
  FakeClock clock;
  Pair p = MakePair();
  canfd_frame rec{};
  rec.can_id = 1;
  rec.len = 9;
  Send(p.writer, &rec, sizeof rec);
  CanFrame f;
  auto got = p.reader.Read(f, clock);
  REQUIRE_FALSE(got.ok());
  REQUIRE(got.error().message() == "CAN interface pair0: frame length 9 in a CAN FD record");
}

TEST_CASE("The peer going away is unavailable, so the source reopens") {
  FakeClock clock;
  Pair p = MakePair();
  p.writer.Reset();
  CanFrame f;
  auto got = p.reader.Read(f, clock);
  REQUIRE_FALSE(got.ok());
  REQUIRE(got.error().code() == ErrorCode::kUnavailable);
}

TEST_CASE("A realtime kernel stamp maps onto the monotonic clock by the current offset") {
  FakeClock clock(MonoFromNanos(5'000'000'000), WallTime(std::chrono::seconds(1'700'000'000)));
  // 250 ms before now in wall time is 250 ms before now in monotonic time.
  const timespec stamp{1'699'999'999, 750'000'000};
  REQUIRE(MonoFromRealtime(stamp, clock) == 4'750'000'000);
}

TEST_CASE("Opening can0 here fails with a reason a retry or the docs can act on") {
  auto s = CanSocket::Open("can0");
  if (s.ok()) SUCCEED("this machine has a can0");
  if (!s.ok()) {
    INFO(s.error().ToString());
    REQUIRE((s.error().code() == ErrorCode::kUnsupported ||
             s.error().code() == ErrorCode::kUnavailable));
    REQUIRE(s.error().message().find("can0") != std::string::npos);
  }
}

TEST_CASE("An interface name longer than IFNAMSIZ is refused by name") {
  auto s = CanSocket::Open("a_very_long_can_if0");
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.error().code() == ErrorCode::kInvalidArgument);
}

}  // namespace fleetclip::can

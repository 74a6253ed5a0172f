// The C SDK's encoder (sdk/c/fleetclip_signals.c) against libprotobuf: a frame it builds is, byte
// for byte, what libprotobuf serializes for the same SignalFrame; bad values are refused without
// spoiling the frame. The publisher is opened on a real Unix datagram socket made by the test.
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#include "common/unique_handle.h"
#include "fleetclip_signals.h"
#include "proto/signal_frame.pb.h"
#include "tests/support/temp_dir.h"

namespace fleetclip {
namespace {

// A bound receiving socket and a publisher connected to it.
struct Fixture {
  TempDir dir;
  UniqueFd receiver;
  fleetclip_publisher p{};
  explicit Fixture(const char* producer = "autonomy") {
    const std::string path = (dir.path() / "s.sock").string();
    receiver = UniqueFd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    REQUIRE(::bind(receiver.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(fleetclip_open(&p, path.c_str(), producer) == 0);
  }
  ~Fixture() { fleetclip_close(&p); }
  std::string Encoded() {
    REQUIRE(fleetclip_encode(&p) == 0);
    return std::string(reinterpret_cast<const char*>(p.frame), p.frame_len);
  }
};

}  // namespace

TEST_CASE("The C SDK encodes a frame byte for byte as libprotobuf serializes it") {
  Fixture f;
  fleetclip_begin(&f.p, 1'234'567'890'123);
  REQUIRE(fleetclip_number(&f.p, "speed", 12.5) == 0);
  REQUIRE(fleetclip_number(&f.p, "accel_long", -3.75) == 0);
  REQUIRE(fleetclip_flag(&f.p, "autonomy_engaged", 0) == 0);
  REQUIRE(fleetclip_text(&f.p, "disengage_reason", "driver_steer") == 0);
  proto::SignalFrame want;
  want.set_mono_ns(1'234'567'890'123);
  want.set_seq(1);
  want.set_producer("autonomy");
  auto* v = want.add_values();
  v->set_name("speed");
  v->set_number(12.5);
  v = want.add_values();
  v->set_name("accel_long");
  v->set_number(-3.75);
  v = want.add_values();
  v->set_name("autonomy_engaged");
  v->set_flag(false);
  v = want.add_values();
  v->set_name("disengage_reason");
  v->set_text("driver_steer");
  CHECK(f.Encoded() == want.SerializeAsString());
}

TEST_CASE(
    "The C SDK numbers frames from 1 and stamps a frame begun at 0 with the monotonic clock") {
  Fixture f("");
  const int64_t before = fleetclip_now_ns();
  fleetclip_begin(&f.p, 0);
  fleetclip_begin(&f.p, 0);
  proto::SignalFrame got;
  REQUIRE(got.ParseFromString(f.Encoded()));
  CHECK(got.seq() == 2);
  CHECK(got.mono_ns() >= before);
  CHECK(got.producer().empty());
}

TEST_CASE("The C SDK refuses a bad name, a non-finite number or a long text and keeps the frame") {
  Fixture f;
  fleetclip_begin(&f.p, 1000);
  REQUIRE(fleetclip_number(&f.p, "speed", 1) == 0);
  const std::string before = f.Encoded();
  errno = 0;
  CHECK(fleetclip_number(&f.p, "Speed", 1) == -1);
  CHECK(errno == EINVAL);
  CHECK(fleetclip_number(&f.p, "speed", std::nan("")) == -1);
  CHECK(fleetclip_number(&f.p, "speed", INFINITY) == -1);
  CHECK(fleetclip_text(&f.p, "gear", std::string(65, 'x').c_str()) == -1);
  CHECK(fleetclip_flag(&f.p, std::string(65, 'a').c_str(), 1) == -1);
  CHECK(f.Encoded() == before);
  fleetclip_publisher bad{};
  CHECK(fleetclip_open(&bad, (f.dir.path() / "s.sock").c_str(), "no spaces") == -1);
  CHECK(errno == EINVAL);
}

TEST_CASE("The C SDK refuses a value that would make the frame longer than 8192 bytes") {
  Fixture f;
  fleetclip_begin(&f.p, 1000);
  int added = 0;
  for (int i = 0; i < 1000; ++i) {
    if (fleetclip_text(&f.p, ("custom.t" + std::to_string(i)).c_str(),
                       std::string(64, 'x').c_str()) != 0) {
      CHECK(errno == EMSGSIZE);
      break;
    }
    ++added;
  }
  CHECK(added > 50);
  CHECK(added < 1000);
  proto::SignalFrame got;
  REQUIRE(got.ParseFromString(f.Encoded()));
  CHECK(got.values_size() == added);
  CHECK(f.p.frame_len <= FLEETCLIP_MAX_FRAME_BYTES);
}

TEST_CASE("A frame sent by the C SDK arrives as one datagram of the encoded bytes") {
  Fixture f;
  fleetclip_begin(&f.p, 5000);
  REQUIRE(fleetclip_number(&f.p, "speed", 3) == 0);
  REQUIRE(fleetclip_send(&f.p) == 0);
  char buf[FLEETCLIP_MAX_FRAME_BYTES];
  const ssize_t n = ::recv(f.receiver.get(), buf, sizeof buf, 0);
  REQUIRE(n > 0);
  CHECK(std::string(buf, static_cast<size_t>(n)) == f.Encoded());
}

}  // namespace fleetclip

// The CAN gateway end to end inside one process: kernel CAN records written into a socketpair
// come out of a real Unix datagram socket as SignalFrames; a failed interface is reopened; a
// candump log is played at its pace.
#include "triggers/can_gateway.h"

#include <linux/can.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <thread>

#include "tests/support/temp_dir.h"

namespace fleetclip::triggers {
namespace {

constexpr std::string_view kGatewayDbc = R"(BO_ 256 ESP: 8 ESP
 SG_ ESP_vehicleSpeed : 0|16@1+ (0.01,0) [0|655.35] "km/h" GW
 SG_ ESP_brakePressed : 16|1@1+ (1,0) [0|1] "" GW
BO_ 512 Drive: 1 GW
 SG_ Gear : 0|3@1+ (1,0) [0|7] "" GW
VAL_ 512 Gear 0 "P" 3 "D" ;
)";

class NullSink final : public LogSink {
 public:
  void Write(std::string_view) override {}
};

// The daemon's side: a bound datagram socket with a receive timeout so no test waits forever.
class Receiver {
 public:
  explicit Receiver(const std::filesystem::path& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);
    REQUIRE(::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{5, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  proto::SignalFrame Next() {
    char buf[4096];
    const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    REQUIRE(n > 0);
    proto::SignalFrame f;
    REQUIRE(f.ParseFromArray(buf, static_cast<int>(n)));
    return f;
  }

 private:
  UniqueFd fd_;
};

CanTranslator Translator(const SignalCatalog& catalog) {
  auto dbc = can::ParseDbc(kGatewayDbc, "car.dbc");
  REQUIRE(dbc.ok());
  auto map = can::ParseSignalMap(
      "ESP_vehicleSpeed speed 0.277777777777777778\nESP_brakePressed brake_pressed\nGear gear\n",
      "map.txt");
  REQUIRE(map.ok());
  auto t = CanTranslator::Create(std::make_shared<const can::Dbc>(std::move(*dbc)), *map, catalog);
  REQUIRE(t.ok());
  return std::move(*t);
}

void SendRecord(int fd, uint32_t id, std::initializer_list<uint8_t> bytes) {
  can_frame rec{};
  rec.can_id = id;
  rec.len = static_cast<uint8_t>(bytes.size());
  size_t i = 0;
  for (uint8_t b : bytes) rec.data[i++] = b;
  REQUIRE(::send(fd, &rec, sizeof rec, 0) == sizeof rec);
}

// Hands the gateway one socketpair end per open; the test keeps the other ends.
class Interfaces {
 public:
  int Add() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0);
    std::lock_guard lock(mu_);
    pending_.emplace_back(fds[0]);
    cv_.notify_all();
    return fds[1];
  }
  Result<can::CanSocket> Open() {
    std::unique_lock lock(mu_);
    ++opens_;
    if (pending_.empty()) return Error(ErrorCode::kUnavailable, "can0: no such device");
    UniqueFd fd = std::move(pending_.front());
    pending_.pop_front();
    return can::CanSocket::FromFd(std::move(fd), "can0");
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<UniqueFd> pending_;
  int opens_ = 0;
};

// Bus can0's gateway, sending to a real datagram socket in a fresh folder; `tune` adjusts its
// options first.
struct GatewayRig {
  explicit GatewayRig(const std::function<void(CanGatewayOptions&)>& tune = nullptr)
      : receiver(dir.path() / "signals.sock"),
        gateway(Translator(catalog), catalog, clock, Logger(sink), Options(dir, tune)) {}
  static CanGatewayOptions Options(const TempDir& dir,
                                   const std::function<void(CanGatewayOptions&)>& tune) {
    CanGatewayOptions options{"can0", dir.path() / "signals.sock"};
    if (tune) tune(options);
    return options;
  }

  TempDir dir;
  Receiver receiver;
  const SignalCatalog catalog = SignalCatalog::Standard();
  RealClock clock;
  NullSink sink;
  CanGateway gateway;
};

}  // namespace

TEST_CASE("CAN records become SignalFrames on the signal socket, named and scaled") {
  GatewayRig rig;
  Interfaces interfaces;
  UniqueFd bus(interfaces.Add());
  std::jthread thread([&](std::stop_token stop) {
    rig.gateway.RunSocket(stop, [&] { return interfaces.Open(); });
  });

  SendRecord(bus.get(), 0x100, {0x10, 0x27, 0x01, 0, 0, 0, 0, 0});  // 100 km/h, brake on
  SendRecord(bus.get(), 0x7FF, {0});                                // not in the DBC
  SendRecord(bus.get(), 0x200, {0x03});                             // gear D
  const proto::SignalFrame a = rig.receiver.Next();
  REQUIRE(a.values_size() == 2);
  REQUIRE(a.values(0).name() == "speed");
  REQUIRE(a.values(0).number() == Approx(27.7777777778).margin(1e-9));
  REQUIRE(a.values(1).name() == "brake_pressed");
  REQUIRE(a.values(1).flag());
  REQUIRE(a.mono_ns() > 0);
  REQUIRE(a.seq() == 1);
  REQUIRE(a.producer() == "can0");
  const proto::SignalFrame b = rig.receiver.Next();
  REQUIRE(b.values(0).name() == "gear");
  REQUIRE(b.values(0).text() == "D");
  REQUIRE(b.mono_ns() > a.mono_ns());
  thread.request_stop();
  thread.join();
  const CanGatewayStats s = rig.gateway.stats();
  REQUIRE(s.sent == 2);
  REQUIRE(s.translate.frames == 3);
  REQUIRE(s.translate.unknown_ids == 1);
}

TEST_CASE("An interface that goes away is reopened and its frames flow again") {
  GatewayRig rig([](CanGatewayOptions& o) {
    o.min_backoff = std::chrono::milliseconds(1);
    o.max_backoff = std::chrono::milliseconds(20);
  });
  Interfaces interfaces;
  UniqueFd first(interfaces.Add());
  std::jthread thread([&](std::stop_token stop) {
    rig.gateway.RunSocket(stop, [&] { return interfaces.Open(); });
  });
  SendRecord(first.get(), 0x200, {0x00});
  REQUIRE(rig.receiver.Next().values(0).text() == "P");
  first.Reset();  // the interface goes down
  UniqueFd second(interfaces.Add());
  SendRecord(second.get(), 0x200, {0x03});
  REQUIRE(rig.receiver.Next().values(0).text() == "D");
  thread.request_stop();
  thread.join();
  const CanGatewayStats s = rig.gateway.stats();
  REQUIRE(s.reopens == 2);
  REQUIRE_FALSE(s.last_error.empty());
}

TEST_CASE("A candump log is played at its recorded spacing") {
  GatewayRig rig;
  std::ofstream(rig.dir.path() / "bus.log") << "(100.000000) can0 200#00\n"
                                            << "(100.020000) can0 200#03\n"
                                            << "(100.050000) can0 100#1027000000000000\n";
  const MonoTime start = rig.clock.Now();
  REQUIRE(rig.gateway.RunCandump({}, rig.dir.path() / "bus.log").ok());
  REQUIRE(rig.clock.Now() - start >= std::chrono::milliseconds(50));
  const proto::SignalFrame a = rig.receiver.Next();
  const proto::SignalFrame b = rig.receiver.Next();
  const proto::SignalFrame c = rig.receiver.Next();
  REQUIRE(b.mono_ns() - a.mono_ns() == 20'000'000);
  REQUIRE(c.mono_ns() - a.mono_ns() == 50'000'000);
  REQUIRE(c.values(0).name() == "speed");
}

// Waits (at most 10 s) until `gateway` has woken `n` times; returns its count.
uint64_t AwaitWakes(const CanGateway& gateway, uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gateway.wakes() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return gateway.wakes();
}

TEST_CASE("A quiet bus still wakes the rig.gateway every wake_interval, for the watchdog") {
  GatewayRig rig([](CanGatewayOptions& o) { o.wake_interval = std::chrono::milliseconds(10); });
  Interfaces interfaces;
  UniqueFd bus(interfaces.Add());  // open, and never a frame on it
  REQUIRE(rig.gateway.wakes() == 0);
  std::jthread thread([&](std::stop_token stop) {
    rig.gateway.RunSocket(stop, [&] { return interfaces.Open(); });
  });
  REQUIRE(AwaitWakes(rig.gateway, 5) >= 5);
  REQUIRE_FALSE(rig.gateway.finished());
  thread.request_stop();
  thread.join();
  REQUIRE(rig.gateway.finished());
  REQUIRE(rig.gateway.stats().translate.frames == 0);
}

TEST_CASE("A gap in a candump log is slept through in wake_interval steps, then the log ends") {
  GatewayRig rig([](CanGatewayOptions& o) { o.wake_interval = std::chrono::milliseconds(10); });
  std::ofstream(rig.dir.path() / "bus.log") << "(100.000000) can0 200#00\n"
                                            << "(100.400000) can0 200#03\n";
  REQUIRE(rig.gateway.RunCandump({}, rig.dir.path() / "bus.log").ok());
  REQUIRE(rig.receiver.Next().values(0).text() == "P");
  REQUIRE(rig.receiver.Next().values(0).text() == "D");
  // 400 ms in steps of at most 10 ms: 40 wakes when every sleep is on time, fewer only when
  // sleeps overshoot (a loaded machine), never one sleep for the whole gap.
  REQUIRE(rig.gateway.wakes() >= 10);
  REQUIRE(rig.gateway.finished());
}

}  // namespace fleetclip::triggers

// SignalSource on a real Unix datagram socket: frames flow to the sink, bad datagrams are counted,
// and a stop request ends Run promptly.
#include "triggers/signal_source.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstring>
#include <thread>

#include "proto/signal_frame.pb.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::triggers {
namespace {

class CountingSink final : public FrameSink {
 public:
  void OnFrame(const DecodedFrame& frame) override {
    std::lock_guard lock(mu_);
    times_.push_back(frame.mono_ns);
    cv_.notify_all();
  }
  std::optional<MonoTime> OnIdle() override { return std::nullopt; }
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return times_.size() >= n; });
  }
  std::vector<int64_t> times() {
    std::lock_guard lock(mu_);
    return times_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> times_;
};

void Send(const std::filesystem::path& path, const std::string& bytes) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  REQUIRE(::sendto(fd.get(), bytes.data(), bytes.size(), 0,
                   reinterpret_cast<const sockaddr*>(&addr),
                   sizeof addr) == static_cast<ssize_t>(bytes.size()));
}

std::string Frame(int64_t mono_ns) {
  proto::SignalFrame f;
  f.set_mono_ns(mono_ns);
  auto* v = f.add_values();
  v->set_name("speed");
  v->set_number(10);
  return f.SerializeAsString();
}

}  // namespace

TEST_CASE("Datagrams on the socket reach the sink and bad ones are dropped and counted") {
  TempDir dir;
  const SignalCatalog catalog = SignalCatalog::Standard();
  RealClock clock;
  MemoryLogSink log_sink;
  SignalIngest ingest(catalog, clock, Logger(log_sink), 256);
  auto source = SignalSource::Bind(dir.path() / "signals.sock", clock);
  REQUIRE(source.ok());
  CountingSink sink;
  std::jthread thread([&](std::stop_token stop) { REQUIRE(source->Run(stop, ingest, sink).ok()); });

  Send(dir.path() / "signals.sock", Frame(100));
  Send(dir.path() / "signals.sock", std::string(1000, 'x'));  // oversized
  Send(dir.path() / "signals.sock", "\xff\xfe not protobuf");
  Send(dir.path() / "signals.sock", Frame(50));  // out of order
  Send(dir.path() / "signals.sock", Frame(200));
  REQUIRE(sink.WaitFor(2));
  thread.request_stop();
  thread.join();
  REQUIRE(sink.times() == std::vector<int64_t>{100, 200});
  const IngestStats s = ingest.stats();
  REQUIRE(s.oversized == 1);
  REQUIRE(s.malformed == 1);
  REQUIRE(s.out_of_order == 1);
  REQUIRE(log_sink.Count("reason=oversized") == 1);
}

TEST_CASE("Binding replaces a stale socket file and removes it on close") {
  TempDir dir;
  RealClock clock;
  const auto path = dir.path() / "s.sock";
  { REQUIRE(SignalSource::Bind(path, clock).ok()); }
  REQUIRE_FALSE(std::filesystem::exists(path));
  auto first = SignalSource::Bind(path, clock);
  REQUIRE(first.ok());
  REQUIRE(std::filesystem::exists(path));
}

TEST_CASE("A socket path too long for sun_path is an error naming the limit") {
  RealClock clock;
  auto s = SignalSource::Bind("/tmp/" + std::string(200, 'a'), clock);
  REQUIRE_FALSE(s.ok());
  REQUIRE(s.error().message().find("longer than 107 bytes") != std::string::npos);
}

}  // namespace fleetclip::triggers

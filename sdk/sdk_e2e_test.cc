// Both SDK examples (sdk/c/example.c and sdk/python/example.py) run as real processes against the
// daemon's receive loop (SignalSource + SignalIngest) on a real Unix datagram socket: every frame
// each sent arrives, accepted, with the values, sequence numbers and producer name it was sent
// with. And the Python encoder, like the C one (sdk_c_test), is byte for byte libprotobuf's.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "proto/signal_frame.pb.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "triggers/signal_source.h"

namespace fleetclip::triggers {
namespace {

constexpr int kFrames = 200;  // 2 s at 100 Hz

class RecordingSink final : public FrameSink {
 public:
  void OnFrame(const DecodedFrame& frame) override {
    std::lock_guard lock(mu_);
    frames_.push_back(frame);
    cv_.notify_all();
  }
  std::optional<MonoTime> OnIdle() override { return std::nullopt; }
  std::vector<DecodedFrame> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(20), [&] { return frames_.size() >= n; });
    return frames_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<DecodedFrame> frames_;
};

// Runs `argv` (an example given the socket path and kFrames) against a fresh signal socket and
// checks what arrived against what the example sends.
void CheckExample(std::vector<std::string> argv, const std::string& producer) {
  TempDir dir;
  const SignalCatalog catalog = SignalCatalog::Standard();
  RealClock clock;
  MemoryLogSink log_sink;
  SignalIngest ingest(catalog, clock, Logger(log_sink));
  auto source = SignalSource::Bind(dir.path() / "signals.sock", clock);
  REQUIRE(source.ok());
  RecordingSink sink;
  std::jthread thread([&](std::stop_token stop) { REQUIRE(source->Run(stop, ingest, sink).ok()); });

  argv.push_back((dir.path() / "signals.sock").string());
  argv.push_back(std::to_string(kFrames));
  const testing::ProcessResult r = testing::RunProcess(argv, dir.path(), "example");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::vector<DecodedFrame> frames = sink.WaitFor(kFrames);
  thread.request_stop();
  thread.join();

  REQUIRE(frames.size() == kFrames);
  const SignalId speed = *catalog.Find("speed");
  const SignalId engaged = *catalog.Find("autonomy_engaged");
  for (int i = 0; i < kFrames; ++i) {
    const DecodedFrame& f = frames[static_cast<size_t>(i)];
    CHECK(f.producer == producer);
    CHECK(f.seq == static_cast<uint64_t>(i + 1));
    CHECK_FALSE(f.stamped);
    if (i > 0) CHECK(f.mono_ns > frames[static_cast<size_t>(i - 1)].mono_ns);
    REQUIRE(f.numbers.size() == 2);
    CHECK(f.numbers[0] == std::pair<SignalId, double>(speed, 0.1 * i));
    CHECK(f.numbers[1] == std::pair<SignalId, double>(engaged, (i / 50) % 2 == 0 ? 1.0 : 0.0));
  }
  const IngestStats s = ingest.stats();
  CHECK(s.accepted == kFrames);
  CHECK(s.seq_gaps == 0);
  CHECK(s.malformed + s.out_of_order + s.duplicate + s.late == 0);
}

}  // namespace

TEST_CASE("The C SDK example's 100 Hz frames all arrive at the signal socket as sent") {
  CheckExample({testing::InBuildTree(FLEETCLIP_SDK_C_EXAMPLE)}, "autonomy");
}

TEST_CASE("The Python SDK example's 100 Hz frames all arrive at the signal socket as sent") {
  CheckExample({FLEETCLIP_PYTHON, testing::InSourceTree(FLEETCLIP_SDK_PY_EXAMPLE)}, "model");
}

TEST_CASE("The Python SDK encodes a frame byte for byte as libprotobuf serializes it") {
  TempDir dir;
  const testing::ProcessResult r = testing::RunProcess(
      {FLEETCLIP_PYTHON, "-c",
       "import sys; sys.path.insert(0, '" + testing::InSourceTree(FLEETCLIP_SDK_PY_DIR) +
           "'); import fleetclip_signals as f; "
           "sys.stdout.write(f.encode_frame({'speed': 12.5, 'autonomy_engaged': False, "
           "'disengage_reason': 'driver_steer', 'custom.n': 7}, 1234567890123, 3, "
           "'autonomy').hex())"},
      dir.path(), "python");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  proto::SignalFrame want;
  want.set_mono_ns(1'234'567'890'123);
  want.set_seq(3);
  want.set_producer("autonomy");
  auto* v = want.add_values();
  v->set_name("speed");
  v->set_number(12.5);
  v = want.add_values();
  v->set_name("autonomy_engaged");
  v->set_flag(false);
  v = want.add_values();
  v->set_name("disengage_reason");
  v->set_text("driver_steer");
  v = want.add_values();
  v->set_name("custom.n");
  v->set_number(7);
  std::string hex;
  for (unsigned char c : want.SerializeAsString()) {
    static const char kDigits[] = "0123456789abcdef";
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  CHECK(r.out == hex);
}

TEST_CASE("The Python SDK refuses a bad name or value before sending anything") {
  TempDir dir;
  const testing::ProcessResult r = testing::RunProcess(
      {FLEETCLIP_PYTHON, "-c",
       "import sys; sys.path.insert(0, '" + testing::InSourceTree(FLEETCLIP_SDK_PY_DIR) +
           "'); import fleetclip_signals as f\n"
           "for values in ({'Speed': 1}, {'speed': float('nan')}, {'gear': 'x' * 65}, {'speed': "
           "None}):\n"
           "    try:\n        f.encode_frame(values, 1, 1)\n        print('accepted', values)\n"
           "    except ValueError as e:\n        print('refused:', e)\n"},
      dir.path(), "python");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("accepted") == std::string::npos);
  CHECK(r.out.find("refused: signal name 'Speed' is not [a-z0-9_.]{1,64}") != std::string::npos);
  CHECK(r.out.find("is not a finite number") != std::string::npos);
  CHECK(r.out.find("text is 65 bytes; at most 64") != std::string::npos);
}

}  // namespace fleetclip::triggers

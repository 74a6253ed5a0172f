// The daemon's signal thread (SignalWorker) on its real Unix datagram socket with two producers:
// the issue-14 case of a CAN gateway and an autonomy stack whose frames arrive 10 ms apart. Nothing
// may be dropped, and the rules must fire exactly what they fire on the same drive sent by one
// producer (run through the offline path of `fleetclip rules test`).
#include "daemon/signal_worker.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "tests/support/drive_gen.h"
#include "tests/support/temp_dir.h"
#include "triggers/drive_file.h"
#include "triggers/offline_run.h"
#include "triggers/presets.h"

namespace fleetclip::daemon {
namespace {

using namespace std::chrono_literals;

class CollectingSink final : public triggers::ClipRequestSink {
 public:
  void Submit(triggers::ClipRequest request) override { requests.push_back(std::move(request)); }
  std::vector<triggers::ClipRequest> requests;  // only the thread that calls Poll touches it
};

UniqueFd Connect(const std::filesystem::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  REQUIRE(::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

void Send(const UniqueFd& fd, const proto::SignalFrame& frame) {
  const std::string bytes = frame.SerializeAsString();
  REQUIRE(::send(fd.get(), bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
}

// The frame's values split by producer: the autonomy stack's state, and the vehicle's the rest.
proto::SignalFrame Part(const proto::SignalFrame& frame, bool autonomy, uint64_t seq) {
  proto::SignalFrame out;
  out.set_mono_ns(frame.mono_ns());
  out.set_seq(seq);
  out.set_producer(autonomy ? "autonomy" : "vehicle");
  for (const proto::SignalValue& v : frame.values()) {
    const bool is_autonomy = v.name() == "autonomy_engaged" || v.name() == "disengage_reason";
    if (is_autonomy == autonomy) *out.add_values() = v;
  }
  return out;
}

}  // namespace

TEST_CASE("Two producers 10 ms apart on the signal socket lose nothing and fire as one producer") {
  TempDir dir;
  RealClock clock;
  // A drive with a planted event every 60 s, its times moved to just after now, so the signal
  // thread's reorder window sees the producers' own CLOCK_MONOTONIC as it would on the car.
  testing::Drive drive = testing::GenerateDrive({.seed = 21, .duration_s = 240, .faults = false});
  REQUIRE(drive.events.size() >= 3);
  const int64_t shift = ToNanos(clock.Now()) + 1'000'000'000 - drive.frames.front().mono_ns();
  for (proto::SignalFrame& f : drive.frames) f.set_mono_ns(f.mono_ns() + shift);

  // What one producer sending every signal fires, through the offline path.
  const triggers::SignalCatalog catalog = triggers::SignalCatalog::Standard();
  auto rules = triggers::RuleSet::Compile(catalog, triggers::BuiltinRules());
  REQUIRE(rules.ok());
  {
    auto writer = triggers::DriveWriter::Create(dir.path() / "merged.bin");
    REQUIRE(writer.ok());
    for (const proto::SignalFrame& f : drive.frames) REQUIRE(writer->Append(f).ok());
    REQUIRE(writer->Close().ok());
  }
  auto merged = triggers::DriveSource::Open(dir.path() / "merged.bin");
  REQUIRE(merged.ok());
  triggers::RecordedSource* sources[] = {&*merged};
  MemoryLogSink log_sink;
  Logger log(log_sink);
  auto expected = triggers::RunOffline(catalog, *rules, sources, {}, log);
  REQUIRE(expected.ok());
  REQUIRE(expected->clips.size() == drive.events.size());

  // The daemon's signal thread. Its scheduler runs on a clock the test moves past every window at
  // the end, because the drive is sent far faster than it was recorded.
  FakeClock scheduler_clock;
  CollectingSink sink;
  triggers::TriggerScheduler scheduler(scheduler_clock, log, sink);
  triggers::SignalHistory history(catalog, 120s);
  ProgressBoard board;
  const ProgressBoard::Worker id = board.Add("signals", 20s, clock.Now());
  SignalWorker worker(catalog, history, *rules, scheduler, 8192, 50ms, clock, log, board, id);
  REQUIRE(worker.Bind(dir.path() / "signals.sock").ok());
  worker.Start();

  // Each autonomy frame is sent right after the vehicle frame 10 ms newer than it.
  const UniqueFd vehicle = Connect(dir.path() / "signals.sock");
  const UniqueFd autonomy = Connect(dir.path() / "signals.sock");
  uint64_t sent = 0;
  for (size_t i = 0; i <= drive.frames.size(); ++i) {
    if (i < drive.frames.size()) {
      Send(vehicle, Part(drive.frames[i], false, i + 1));
      ++sent;
    }
    if (i >= 1) {
      Send(autonomy, Part(drive.frames[i - 1], true, i));
      ++sent;
    }
  }
  // Everything accepted, and every merged frame handed to the rules (the last ones once the
  // producers have been quiet for a reorder window).
  SignalStatus status;
  for (int i = 0; i < 3000; ++i) {
    status = worker.Stats(clock.Now());
    if (status.accepted == sent && status.merged == drive.frames.size()) break;
    std::this_thread::sleep_for(10ms);
  }
  worker.Stop();
  CHECK(status.dropped == 0);
  CHECK(status.accepted == sent);
  CHECK(status.merged == drive.frames.size());
  REQUIRE(status.producers.size() == 2);
  for (const ProducerSignalStatus& p : status.producers) {
    CHECK(p.stats.accepted == drive.frames.size());
    CHECK(p.stats.late + p.stats.out_of_order + p.stats.duplicate + p.stats.seq_gaps == 0);
  }

  scheduler_clock.Set(MonoFromNanos(drive.frames.back().mono_ns()) + 1h);
  scheduler.Poll();
  REQUIRE(sink.requests.size() == expected->clips.size());
  for (size_t c = 0; c < sink.requests.size(); ++c) {
    const triggers::ClipRequest& got = sink.requests[c];
    const triggers::ClipRequest& want = expected->clips[c];
    CHECK(got.start == want.start);
    CHECK(got.end == want.end);
    CHECK(got.priority == want.priority);
    REQUIRE(got.events.size() == want.events.size());
    for (size_t e = 0; e < got.events.size(); ++e) {
      CHECK(got.events[e].rule == want.events[e].rule);
      CHECK(got.events[e].time == want.events[e].time);
      CHECK((got.events[e].peak == want.events[e].peak ||
             (std::isnan(got.events[e].peak) && std::isnan(want.events[e].peak))));
      CHECK(got.events[e].tier == want.events[e].tier);
      CHECK(got.events[e].tag == want.events[e].tag);
    }
  }
}

}  // namespace fleetclip::daemon

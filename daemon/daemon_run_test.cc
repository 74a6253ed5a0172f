// The whole daemon in one test process, so the sanitizer builds see its threads: cameras, signal
// thread, clip writer, upload thread and main loop run; a manual trigger over the control socket
// becomes a clip uploaded to a file:// target; SIGTERM (through the daemon's signalfd) stops
// everything in order, cutting a window whose post-roll is still running. Clip changes (pin,
// delete) sent on the control socket are applied by the running daemon while its threads run,
// refusals carrying the reason. The process-level scenarios (SIGKILL, S3, config push) are in
// tests/e2e/daemon_e2e_test.cc.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "daemon/control_protocol.h"
#include "daemon/daemon.h"
#include "queue/clip_store.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::daemon {

using namespace std::chrono_literals;

TEST_CASE("The daemon's threads cut a manual trigger into an uploaded clip and stop on SIGTERM") {
  TempDir dir;
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  // No map fields (encoder_options, input_options) in this config: under TSan, libprotobuf's
  // text parser (an uninstrumented shared library) crashes in
  // MapFieldBase::SyncRepeatedFieldWithMap when it fills one. The main and ASan builds parse them
  // (tests/e2e, daemon/config tests).
  std::ofstream(dir.path() / "fleetclip.conf") << R"(vehicle_id: "car-1"
fleet_id: "fleet-a"
state_dir: ")" << path("state") << R"("
runtime_dir: ")" << path("run") << R"("
metrics_file: ")" << path("metrics.prom") << R"("
cameras {
  name: "front"
  url: "testsrc=size=160x120:rate=10"
  input_format: "lavfi"
  bitrate_bps: 200000
}
upload { url: "file://)" << path("uploaded") << R"(" }
upload_policy { window_start: "00:00" window_end: "00:00" require_parked: false }
)";
  REQUIRE(BlockSignals().ok());  // before any thread: the daemon reads SIGTERM from a signalfd
  RealClock clock;
  MemoryLogSink sink;
  auto d = Daemon::Create({.config_path = dir.path() / "fleetclip.conf", .software_version = "t"},
                          clock, sink);
  REQUIRE(d.ok());
  int exit_code = -1;
  std::thread run([&] { exit_code = (*d)->Run(); });

  const auto control = dir.path() / "run" / "control.sock";
  proto::ControlRequest status;
  status.set_status(true);
  bool running = false;
  for (int i = 0; i < 100 && !running; ++i) {
    auto r = CallControl(control, status, 2s);
    running = r.ok() && r->status().state() == "running" && r->status().cameras_size() == 1 &&
              r->status().cameras(0).packets() > 10;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(running);
  proto::ControlRequest trigger;
  trigger.mutable_trigger()->set_pre_roll_ms(1'000);
  trigger.mutable_trigger()->set_post_roll_ms(200);
  auto t = CallControl(control, trigger, 2s);
  REQUIRE(t.ok());
  REQUIRE(t->ok());

  // Cut on the signal thread's next tick, written, then uploaded.
  bool uploaded = false;
  for (int i = 0; i < 200 && !uploaded; ++i) {
    std::this_thread::sleep_for(100ms);
    auto r = CallControl(control, status, 2s);
    REQUIRE(r.ok());
    const auto& by_state = r->status().queue().clips_by_state();
    uploaded = by_state.count("uploaded") && by_state.at("uploaded") == 1;
  }
  CHECK(uploaded);

  // A window whose post-roll is still running when SIGTERM comes is cut at that moment, not lost.
  trigger.mutable_trigger()->set_post_roll_ms(60'000);
  t = CallControl(control, trigger, 2s);
  REQUIRE(t.ok());
  REQUIRE(t->ok());
  REQUIRE(::kill(::getpid(), SIGTERM) == 0);
  run.join();
  CHECK(exit_code == 0);
  d->reset();
  CHECK(std::filesystem::exists(dir.path() / "metrics.prom"));
  CHECK_FALSE(std::filesystem::exists(control));
  CHECK(sink.Count("event=clips_cut_early") == 1);

  Logger log(sink);
  auto store =
      queue::ClipStore::Open({.state_dir = dir.path() / "state", .read_only = true}, clock, log);
  REQUIRE(store.ok());
  queue::ListFilter all;
  all.limit = 0;
  auto clips = (*store)->List(all);
  REQUIRE(clips.ok());
  REQUIRE(clips->size() == 2);
  auto last = (*store)->Get(clips->front().id);  // newest first
  REQUIRE(last.ok());
  REQUIRE(last->events.size() == 1);
  CHECK(last->events[0].window_shortened);
  CHECK(last->duration_ms < 30'000);
}

TEST_CASE(
    "The running daemon applies clip changes from the control socket and says why it refuses") {
  TempDir dir;
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  // The upload window is closed, so the clip stays ready (and deletable) for this test.
  std::ofstream(dir.path() / "fleetclip.conf") << R"(vehicle_id: "car-1"
fleet_id: "fleet-a"
state_dir: ")" << path("state") << R"("
runtime_dir: ")" << path("run") << R"("
cameras {
  name: "front"
  url: "testsrc=size=160x120:rate=10"
  input_format: "lavfi"
  bitrate_bps: 200000
}
upload { url: "file://)" << path("uploaded") << R"(" }
upload_policy { window_start: "03:00" window_end: "03:01" require_parked: false }
)";
  REQUIRE(BlockSignals().ok());
  RealClock clock;
  MemoryLogSink sink;
  auto d = Daemon::Create({.config_path = dir.path() / "fleetclip.conf", .software_version = "t"},
                          clock, sink);
  REQUIRE(d.ok());
  int exit_code = -1;
  std::thread run([&] { exit_code = (*d)->Run(); });
  const auto control = dir.path() / "run" / "control.sock";
  const auto call = [&](proto::ClipRequest::Action action, const std::string& id) {
    proto::ControlRequest req;
    req.mutable_clip()->set_action(action);
    req.mutable_clip()->set_clip_id(id);
    auto r = CallControl(control, req, 2s);
    REQUIRE(r.ok());
    return *r;
  };

  // One clip, committed by the daemon's own writer thread.
  proto::ControlRequest status;
  status.set_status(true);
  bool ready = false;
  bool triggered = false;
  for (int i = 0; i < 200 && !ready; ++i) {
    auto r = CallControl(control, status, 2s);
    if (r.ok() && !triggered && r->status().cameras_size() == 1 &&
        r->status().cameras(0).packets() > 10) {
      proto::ControlRequest trigger;
      trigger.mutable_trigger()->set_pre_roll_ms(1'000);
      trigger.mutable_trigger()->set_post_roll_ms(200);
      auto t = CallControl(control, trigger, 2s);
      triggered = t.ok() && t->ok();
    }
    ready = r.ok() && r->status().queue().clips_by_state().count("ready") &&
            r->status().queue().clips_by_state().at("ready") == 1;
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(ready);
  Logger log(sink);
  auto reader =
      queue::ClipStore::Open({.state_dir = dir.path() / "state", .read_only = true}, clock, log);
  REQUIRE(reader.ok());
  auto clips = (*reader)->List({});
  REQUIRE(clips.ok());
  REQUIRE(clips->size() == 1);
  const std::string id = clips->front().id;

  CHECK(call(proto::ClipRequest::PIN, id).ok());
  CHECK((*reader)->Get(id)->pinned);
  proto::ControlResponse refused = call(proto::ClipRequest::DELETE, id);
  CHECK_FALSE(refused.ok());
  CHECK(refused.error() == "clip " + id + " is pinned");
  CHECK(call(proto::ClipRequest::UNPIN, id).ok());
  proto::ControlResponse deleted = call(proto::ClipRequest::DELETE, id);
  CHECK(deleted.ok());
  CHECK(deleted.clips_changed() == 1);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "state" / "clips" / id));
  CHECK(call(proto::ClipRequest::PIN, id).error() == "no clip " + id);

  REQUIRE(::kill(::getpid(), SIGTERM) == 0);
  run.join();
  CHECK(exit_code == 0);
}

}  // namespace fleetclip::daemon

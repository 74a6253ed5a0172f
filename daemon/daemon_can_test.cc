// The whole daemon in one test process with a CAN bus configured as a candump log (the bench-top
// source): a hard braking encoded in CAN frames of a test DBC is decoded, sent to the signal
// socket, fires the harsh_braking rule and becomes a clip; status shows the bus's counters.
// (SocketCAN itself cannot be opened on this machine: its kernel has no AF_CAN; the read path
// after bind() is tested over a socketpair in can/ and triggers/.)
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <thread>

#include "daemon/control_protocol.h"
#include "daemon/daemon.h"
#include "queue/clip_store.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::daemon {

using namespace std::chrono_literals;

TEST_CASE("A hard braking in a configured CAN bus's frames becomes a harsh_braking clip") {
  TempDir dir;
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  std::ofstream(dir.path() / "car.dbc") << R"(BO_ 256 Motion: 8 ECU
 SG_ VehSpeed : 0|16@1+ (0.01,0) [0|655.35] "m/s" GW
 SG_ AccelLong : 16|16@1- (0.001,0) [-32.768|32.767] "m/s2" GW
)";
  constexpr int kLines = 400;  // 4 s at 100 Hz: braking at -5 m/s2 from 1 s to 2 s
  {
    std::ofstream log(dir.path() / "bus.log");
    for (int i = 0; i < kLines; ++i) {
      const bool braking = i >= 100 && i < 200;
      char line[96];
      std::snprintf(line, sizeof line, "(%d.%06d) can0 100#D007%s00000000\n", 1000 + i / 100,
                    (i % 100) * 10000, braking ? "78EC" : "0000");  // 20 m/s; -5000 * 0.001
      log << line;
    }
  }
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
signals {
  can {
    interface: "can0"
    dbc_file: ")" << path("car.dbc") << R"("
    candump_file: ")" << path("bus.log") << R"("
    map { dbc_signal: "VehSpeed" signal: "speed" }
    map { dbc_signal: "Motion.AccelLong" signal: "accel_long" }
  }
}
rules { name: "harsh_braking" pre_roll_ms: 1000 post_roll_ms: 300 }
upload { url: "file://)" << path("uploaded") << R"(" }
upload_policy { window_start: "00:00" window_end: "00:00" require_parked: false }
)";
  REQUIRE(BlockSignals().ok());
  RealClock clock;
  MemoryLogSink sink;
  auto d = Daemon::Create({.config_path = dir.path() / "fleetclip.conf", .software_version = "t"},
                          clock, sink);
  INFO((d.ok() ? "" : d.error().ToString()));
  REQUIRE(d.ok());
  int exit_code = -1;
  std::thread run([&] { exit_code = (*d)->Run(); });

  const auto control = dir.path() / "run" / "control.sock";
  proto::ControlRequest status;
  status.set_status(true);
  bool clipped = false;
  proto::DaemonStatus last;
  for (int i = 0; i < 300 && !clipped; ++i) {  // at most 30 s
    std::this_thread::sleep_for(100ms);
    auto r = CallControl(control, status, 2s);
    if (!r.ok()) continue;
    last = r->status();
    const auto& by_state = last.queue().clips_by_state();
    int64_t clips = 0;
    for (const auto& [state, n] : by_state) clips += n;
    clipped = clips >= 1 && last.can_size() == 1 && last.can(0).frames() == kLines;
  }
  INFO(last.DebugString());
  CHECK(clipped);
  REQUIRE(last.can_size() == 1);
  CHECK(last.can(0).interface() == "can0");
  CHECK(last.can(0).translated() == kLines);
  CHECK(last.can(0).unknown_ids() == 0);
  REQUIRE(::kill(::getpid(), SIGTERM) == 0);
  run.join();
  CHECK(exit_code == 0);
  d->reset();

  Logger log(sink);
  auto store =
      queue::ClipStore::Open({.state_dir = dir.path() / "state", .read_only = true}, clock, log);
  REQUIRE(store.ok());
  queue::ListFilter all;
  all.limit = 0;
  auto clips = (*store)->List(all);
  REQUIRE(clips.ok());
  REQUIRE(clips->size() == 1);
  auto clip = (*store)->Get(clips->front().id);
  REQUIRE(clip.ok());
  REQUIRE(clip->events.size() == 1);
  CHECK(clip->events[0].rule == "harsh_braking");
}

}  // namespace fleetclip::daemon

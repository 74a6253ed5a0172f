// The whole daemon in one test process with a CAN bus configured as a candump log (the bench-top
// source): a hard braking encoded in CAN frames of a test DBC is decoded, sent to the signal
// socket, fires the harsh_braking rule and becomes a clip; status shows the bus's counters.
// A second test corrupts some frames' E2E CRCs: the clip's signal log lacks exactly those frames
// and status counts them per message.
// (SocketCAN itself cannot be opened on this machine: its kernel has no AF_CAN; the read path
// after bind() is tested over a socketpair in can/ and triggers/.)
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "can/checksum.h"
#include "can/frame.h"
#include "daemon/can_gateways.h"
#include "daemon/control_protocol.h"
#include "daemon/daemon.h"
#include "daemon/progress.h"
#include "queue/clip_store.h"
#include "queue/signal_log.h"
#include "tests/support/temp_dir.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::daemon {
namespace {

using namespace std::chrono_literals;

// The base config of both tests: one camera, bus can0 played from bus.log and decoded by car.dbc
// with `can_extra` added to its block, the harsh_braking rule, uploads to a folder.
void WriteConfig(const TempDir& dir, std::string_view can_extra) {
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
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
)" << can_extra << R"(
  }
}
rules { name: "harsh_braking" pre_roll_ms: 1000 post_roll_ms: 300 }
upload { url: "file://)" << path("uploaded") << R"(" }
upload_policy { window_start: "00:00" window_end: "00:00" require_parked: false }
)";
}

// Runs the daemon on dir's config until it has a clip and has read all `lines` frames of the bus
// (at most 30 s), stops it with SIGTERM and returns the last status.
proto::DaemonStatus RunUntilClipped(const TempDir& dir, int lines, const Clock& clock,
                                    LogSink& sink) {
  REQUIRE(BlockSignals().ok());
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
    int64_t clips = 0;
    for (const auto& [state, n] : last.queue().clips_by_state()) clips += n;
    clipped =
        clips >= 1 && last.can_size() == 1 && last.can(0).frames() == static_cast<uint64_t>(lines);
  }
  REQUIRE(::kill(::getpid(), SIGTERM) == 0);
  run.join();
  CHECK(exit_code == 0);
  d->reset();
  INFO(last.DebugString());
  CHECK(clipped);
  return last;
}

}  // namespace

TEST_CASE("A hard braking in a configured CAN bus's frames becomes a harsh_braking clip") {
  TempDir dir;
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
  WriteConfig(dir, "");
  RealClock clock;
  MemoryLogSink sink;
  const proto::DaemonStatus last = RunUntilClipped(dir, kLines, clock, sink);
  INFO(last.DebugString());
  REQUIRE(last.can_size() == 1);
  CHECK(last.can(0).interface() == "can0");
  CHECK(last.can(0).translated() == kLines);
  CHECK(last.can(0).unknown_ids() == 0);
  CHECK(last.can(0).messages_size() == 0);  // no checks, nothing counted

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

TEST_CASE(
    "CAN frames with a corrupted checksum never reach the clip's signal log; status counts them") {
  TempDir dir;
  std::ofstream(dir.path() / "car.dbc") << R"(BO_ 256 Motion: 8 ECU
 SG_ VehSpeed : 0|16@1+ (0.01,0) [0|655.35] "m/s" GW
 SG_ AccelLong : 16|16@1- (0.001,0) [-32.768|32.767] "m/s2" GW
 SG_ Counter : 32|4@1+ (1,0) [0|15] "" GW
 SG_ Crc : 56|8@1+ (1,0) [0|255] "" GW
)";
  // 4 s at 100 Hz, braking at -5 m/s2 from 1 s to 2 s, speed 20 m/s. Every 50th frame from the
  // 25th has its speed bytes flipped to 99 m/s after the CRC was computed (a corruption on the
  // wire): 8 frames, never two in a row.
  constexpr int kLines = 400;
  int corrupted = 0;
  {
    std::ofstream log(dir.path() / "bus.log");
    for (int i = 0; i < kLines; ++i) {
      const bool braking = i >= 100 && i < 200;
      uint8_t d[8] = {0xD0, 0x07, 0, 0, static_cast<uint8_t>(i % 16), 0, 0, 0};
      if (braking) d[2] = 0x78, d[3] = 0xEC;  // -5000 * 0.001
      d[7] = can::ComputeChecksum(can::ChecksumAlgorithm::kCrc8E2eP1, 256, d, 7, 0x0123);
      if (i % 50 == 25) {
        d[0] = 0xAC, d[1] = 0x26;  // 9900 * 0.01 = 99 m/s
        ++corrupted;
      }
      char line[96];
      std::snprintf(line, sizeof line, "(%d.%06d) can0 100#%02X%02X%02X%02X%02X%02X%02X%02X\n",
                    1000 + i / 100, (i % 100) * 10000, d[0], d[1], d[2], d[3], d[4], d[5], d[6],
                    d[7]);
      log << line;
    }
  }
  WriteConfig(
      dir,
      R"(    check { message: "Motion" counter: "Counter" checksum: "Crc" algorithm: "crc8_e2e_p1"
            data_id: 291 })");
  RealClock clock;
  MemoryLogSink sink;
  const proto::DaemonStatus last = RunUntilClipped(dir, kLines, clock, sink);
  INFO(last.DebugString());
  REQUIRE(last.can_size() == 1);
  const proto::CanBusStatus& bus = last.can(0);
  CHECK(bus.bad_checksums() == static_cast<uint64_t>(corrupted));
  CHECK(bus.counter_skips() == 0);
  CHECK(bus.translated() == static_cast<uint64_t>(kLines - corrupted));
  CHECK_FALSE(bus.unhealthy());
  REQUIRE(bus.messages_size() == 1);
  CHECK(bus.messages(0).name() == "Motion");
  CHECK(bus.messages(0).checked());
  CHECK(bus.messages(0).frames() == kLines);
  CHECK(bus.messages(0).bad_checksums() == static_cast<uint64_t>(corrupted));

  // The clip's signal log, wherever the clip is now (its folder, or uploaded).
  std::vector<proto::SignalFrame> frames;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (e.path().filename() != "signals.pb.zst" || !frames.empty()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto decoded = queue::DecodeSignalLog(bytes.str());
    REQUIRE(decoded.ok());
    frames = std::move(*decoded);
  }
  REQUIRE(frames.size() > 100);
  int speeds = 0, corrupt_speeds = 0;
  for (const proto::SignalFrame& f : frames) {
    for (const proto::SignalValue& v : f.values()) {
      if (v.name() != "speed") continue;
      ++speeds;
      if (v.number() > 50) ++corrupt_speeds;
    }
  }
  CHECK(speeds > 100);
  CHECK(corrupt_speeds == 0);
  // Logged, but rate-limited: 8 failures over 4 s are one line.
  CHECK(sink.Count("event=can_check_failed") == 1);
  CHECK(sink.Count("reason=bad_checksum") == 1);
}

TEST_CASE("A CAN bus is stalled while its gateway never wakes, and not once its log has ended") {
  TempDir dir;
  std::ofstream(dir.path() / "car.dbc")
      << "BO_ 256 Motion: 8 ECU\n"
      << " SG_ VehSpeed : 0|16@1+ (0.01,0) [0|655.35] \"m/s\" GW\n";
  std::ofstream(dir.path() / "bus.log") << "(1000.000000) can0 100#D007000000000000\n"
                                        << "(1000.010000) can0 100#D007000000000000\n";
  proto::SignalConfig config;
  config.set_socket_path((dir.path() / "signals.sock").string());  // nobody listens: send errors
  proto::CanInterfaceConfig* can = config.add_can();
  can->set_interface("can0");
  can->set_dbc_file((dir.path() / "car.dbc").string());
  can->set_candump_file((dir.path() / "bus.log").string());
  proto::CanSignalMapping* m = can->add_map();
  m->set_dbc_signal("VehSpeed");
  m->set_signal("speed");
  const triggers::SignalCatalog catalog = triggers::SignalCatalog::Standard();
  RealClock clock;
  MemoryLogSink sink;
  auto buses = CanGateways::Build(config, catalog, clock, Logger(sink));
  INFO((buses.ok() ? "" : buses.error().ToString()));
  REQUIRE(buses.ok());

  ProgressBoard board;
  const MonoTime t0 = MonoFromNanos(0);
  (*buses)->WatchProgress(board, 20s, t0);
  (*buses)->BeatProgress(board, t0 + 30s);  // not started: its gateway has never woken
  REQUIRE(board.Stalled(t0 + 30s) == std::vector<std::string>{"can:can0 (stalled 30 s)"});

  (*buses)->Start();
  bool beaten = false;
  for (int i = 0; i < 500 && !beaten; ++i) {  // at most 5 s for a 10 ms log
    std::this_thread::sleep_for(10ms);
    (*buses)->BeatProgress(board, t0 + 40s);
    beaten = board.Stalled(t0 + 40s).empty();
  }
  REQUIRE(beaten);
  // Played to its end, the gateway wakes no more, and that is not a stall: the second beat sees
  // the same wake count as the first.
  for (int i = 0; i < 500 && sink.Count("can_candump_done") == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(sink.Count("can_candump_done") == 1);
  (*buses)->BeatProgress(board, t0 + 100s);
  (*buses)->BeatProgress(board, t0 + 200s);
  CHECK(board.Stalled(t0 + 200s).empty());
  (*buses)->Stop();
}

}  // namespace fleetclip::daemon

// The 10-minute candump scenario: a labelled synthetic drive (hard braking, disengagements,
// steering jerks among near misses; tests/support/drive_gen.h) is encoded into the CAN FD frames
// of a test car DBC (Intel and Motorola, signed, scaled km/h, an extended id, value tables for
// gear and disengage reason) and written as a candump log. It is then run two ways:
//   offline  the log through CandumpSignalReader into ingest, history, rules and scheduler, the
//            way `fleetclip rules test --candump` does;
//   daemon   the same frames, as kernel CAN records, through a socketpair into a CanSocket and
//            the CanGateway, over the real signal socket into SignalSource and the same pipeline
//            (the daemon's components; a socketpair because this kernel has no AF_CAN).
// Both, and `fleetclip rules test --candump` run as a process on the log, must give the same
// clips and events, and every planted event must fire. The daemon side
// stamps frames on receipt, so the feeder sets the gateway's fake clock to each frame's logged
// time and waits for that frame to arrive before sending the next.
#include <linux/can.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "can/can_socket.h"
#include "can/candump.h"
#include "tests/support/drive_gen.h"
#include "tests/support/pipeline_probes.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "triggers/can_gateway.h"
#include "triggers/candump_signals.h"
#include "triggers/presets.h"
#include "triggers/signal_pipeline.h"

namespace fleetclip::triggers {
namespace {

// Every signal the rules read is in one CAN FD message sent each 10 ms: the rule engine takes
// rate() between consecutive history rows, so rows from other messages (which carry the held,
// unchanged steering angle) would read as zero rates (docs/can.md, "Buses with many messages").
constexpr std::string_view kCarDbc = R"(VERSION ""

BU_: ESP EPS ADAS

BO_ 2566848768 Vehicle: 16 ADAS
 SG_ ESP_vehicleSpeed : 0|16@1+ (0.01,0) [0|655.35] "km/h" ADAS
 SG_ ESP_accelLong : 16|16@1- (0.001,0) [-32.768|32.767] "m/s2" ADAS
 SG_ ESP_accelLat : 32|16@1- (0.001,0) [-32.768|32.767] "m/s2" ADAS
 SG_ ESP_yawRate : 48|16@1- (0.01,0) [-327.68|327.67] "deg/s" ADAS
 SG_ EPS_steeringAngle : 71|16@0- (0.1,0) [-3276.8|3276.7] "deg" ADAS
 SG_ EPS_brake : 87|8@0+ (0.004,0) [0|1.02] "" ADAS
 SG_ EPS_throttle : 95|8@0+ (0.004,0) [0|1.02] "" ADAS
 SG_ ADAS_engaged : 96|1@1+ (1,0) [0|1] "" ESP
 SG_ ADAS_disengageReason : 104|4@1+ (1,0) [0|15] "" ESP
 SG_ ADAS_gear : 108|3@1+ (1,0) [0|7] "" ESP

VAL_ 2566848768 ADAS_disengageReason 0 "none" 1 "driver_steer" 2 "driver_brake" 3 "button" 4 "system_fault" ;
VAL_ 2566848768 ADAS_gear 0 "P" 3 "D" ;
)";

constexpr std::string_view kCarMap = R"(# the test car's DBC signals in the catalogue
ESP_vehicleSpeed      speed             0.2777777777777778
ESP_accelLong         accel_long
ESP_accelLat          accel_lat
ESP_yawRate           yaw_rate
EPS_steeringAngle     steering_angle
EPS_brake             brake
EPS_throttle          throttle
ADAS_engaged          autonomy_engaged
ADAS_disengageReason  disengage_reason
ADAS_gear             gear
)";

// Writes `phys` into the frame as the DBC signal's raw value (rounded, clamped to the range).
void Encode(const can::DbcSignal& s, double phys, can::CanFrame& f) {
  if (s.has_range()) phys = std::clamp(phys, s.min, s.max);
  const int64_t raw = std::llround((phys - s.offset) / s.factor);
  const uint64_t bits = static_cast<uint64_t>(raw);
  const uint32_t msb_linear = (s.start_bit / 8) * 8 + (7 - s.start_bit % 8);
  for (uint32_t b = 0; b < s.length; ++b) {  // b counts from the least significant bit
    uint32_t byte, bit;
    if (s.order == can::ByteOrder::kIntel) {
      byte = (s.start_bit + b) / 8;
      bit = (s.start_bit + b) % 8;
    } else {
      const uint32_t linear = msb_linear + s.length - 1 - b;
      byte = linear / 8;
      bit = 7 - linear % 8;
    }
    if ((bits >> b) & 1) f.data[byte] |= static_cast<uint8_t>(1u << bit);
  }
}

int Label(const can::DbcSignal& s, const std::string& text) {
  for (const can::ValueLabel& l : s.labels) {
    if (l.label == text) return static_cast<int>(l.raw);
  }
  FAIL("no label " << text << " in " << s.name);
  return 0;
}

// One CAN FD frame per drive frame, at the drive frame's time.
void WriteCandump(const testing::Drive& drive, const can::Dbc& dbc,
                  const std::filesystem::path& path) {
  std::ofstream out(path);
  const can::DbcMessage& m = *dbc.FindMessage("Vehicle");
  const auto sig = [&m](const char* name) -> const can::DbcSignal& { return *m.FindSignal(name); };
  for (const proto::SignalFrame& f : drive.frames) {
    std::map<std::string, const proto::SignalValue*> v;
    for (const proto::SignalValue& value : f.values()) v[value.name()] = &value;
    can::CanFrame c;
    c.id = m.id;
    c.extended = true;
    c.fd = true;
    c.len = 16;
    Encode(sig("ESP_vehicleSpeed"), v.at("speed")->number() * 3.6, c);
    Encode(sig("ESP_accelLong"), v.at("accel_long")->number(), c);
    Encode(sig("ESP_accelLat"), v.at("accel_lat")->number(), c);
    Encode(sig("ESP_yawRate"), v.at("yaw_rate")->number(), c);
    Encode(sig("EPS_steeringAngle"), v.at("steering_angle")->number(), c);
    Encode(sig("EPS_brake"), v.at("brake")->number(), c);
    Encode(sig("EPS_throttle"), v.at("throttle")->number(), c);
    Encode(sig("ADAS_engaged"), v.at("autonomy_engaged")->flag() ? 1 : 0, c);
    Encode(sig("ADAS_disengageReason"),
           Label(sig("ADAS_disengageReason"), v.at("disengage_reason")->text()), c);
    Encode(sig("ADAS_gear"), Label(sig("ADAS_gear"), v.at("gear")->text()), c);
    out << can::FormatCandumpLine(f.mono_ns(), "can0", c) << '\n';
  }
}

using testing::CollectingSink;
using testing::CountingPipeline;

// One run of ingest -> history -> rules -> scheduler; the scheduler's clock is moved past the
// last frame at the end so every pending window is emitted.
struct Pipeline {
  explicit Pipeline(const SignalCatalog& catalog)
      : log(log_sink),
        ingest(catalog, clock, log),
        history(catalog, std::chrono::seconds(60)),
        scheduler(scheduler_clock, log, sink),
        rules(RuleSet::Compile(catalog, BuiltinRules())),
        pipeline(history, *rules, scheduler),
        counting(pipeline) {}
  std::vector<ClipRequest> Finish() {
    scheduler_clock.Advance(std::chrono::hours(24 * 365));
    scheduler.Poll();
    return std::move(sink.requests);
  }
  RealClock clock;
  FakeClock scheduler_clock;
  MemoryLogSink log_sink;
  Logger log;
  SignalIngest ingest;
  SignalHistory history;
  CollectingSink sink;
  TriggerScheduler scheduler;
  Result<std::shared_ptr<const RuleSet>> rules;
  SignalPipeline pipeline;
  CountingPipeline counting;
};

std::string Describe(const std::vector<ClipRequest>& clips) {
  std::string s;
  for (const ClipRequest& c : clips) {
    s += "clip " + std::to_string(ToNanos(c.start)) + ".." + std::to_string(ToNanos(c.end)) + ":";
    for (const ClipEvent& e : c.events) {
      s += " " + e.rule + "@" + std::to_string(ToNanos(e.time)) + "[" + e.tag + "]";
    }
    s += "\n";
  }
  return s;
}

// The same description from `fleetclip rules test --json` output.
std::string DescribeJson(const std::string& json) {
  static const std::regex clip_re(
      R"re(\{"start_mono_ns":(\d+),"end_mono_ns":(\d+),"priority":\d+,"events":\[(.*?)\]\})re");
  static const std::regex event_re(
      R"re(\{"rule":"([^"]*)","mono_ns":(\d+),[^{}]*?"tag":"([^"]*)"\})re");
  std::string s;
  for (auto c = std::sregex_iterator(json.begin(), json.end(), clip_re);
       c != std::sregex_iterator(); ++c) {
    // Appended piece by piece: GCC 12 at -O3 reports false positives (-Wrestrict,
    // -Wstringop-overflow, -Warray-bounds; GCC bug 105329) for `"lit" + std::string&&`.
    s.append("clip ").append((*c)[1].str()).append("..").append((*c)[2].str()).append(":");
    const std::string events = (*c)[3].str();
    for (auto e = std::sregex_iterator(events.begin(), events.end(), event_re);
         e != std::sregex_iterator(); ++e) {
      s.append(" ").append((*e)[1].str()).append("@").append((*e)[2].str());
      s.append("[").append((*e)[3].str()).append("]");
    }
    s += "\n";
  }
  return s;
}

}  // namespace

TEST_CASE("A 10-minute candump log gives the same events offline and through the CAN gateway") {
  TempDir dir;
  const testing::Drive drive =
      testing::GenerateDrive({.seed = 11, .duration_s = 600, .faults = false});
  REQUIRE(drive.events.size() >= 6);
  auto dbc = can::ParseDbc(kCarDbc, "car.dbc");
  REQUIRE(dbc.ok());
  std::ofstream(dir.path() / "car.dbc") << kCarDbc;
  std::ofstream(dir.path() / "car.map") << kCarMap;
  WriteCandump(drive, *dbc, dir.path() / "drive.log");
  const SignalCatalog catalog = SignalCatalog::Standard();

  // Offline.
  Pipeline offline(catalog);
  REQUIRE(offline.rules.ok());
  {
    auto reader = CandumpSignalReader::Open(dir.path() / "drive.log", dir.path() / "car.dbc",
                                            dir.path() / "car.map", catalog);
    REQUIRE(reader.ok());
    DecodedFrame frame;
    std::string bytes;
    while (true) {
      auto next = reader->Next();
      REQUIRE(next.ok());
      if (!next->has_value()) break;
      bytes.clear();
      (*next)->SerializeToString(&bytes);
      if (offline.ingest.Accept(bytes, false, frame)) offline.pipeline.OnFrame(frame);
    }
  }
  REQUIRE(offline.ingest.stats().accepted == drive.frames.size());
  const std::vector<ClipRequest> offline_clips = offline.Finish();

  // Through the gateway and the signal socket.
  Pipeline daemon(catalog);
  auto source = SignalSource::Bind(dir.path() / "signals.sock", daemon.clock);
  REQUIRE(source.ok());
  std::jthread receiver([&](std::stop_token stop) {
    REQUIRE(source->Run(stop, daemon.ingest, daemon.counting).ok());
  });
  auto map = can::LoadSignalMap(dir.path() / "car.map");
  REQUIRE(map.ok());
  auto translator = CanTranslator::Create(std::make_shared<const can::Dbc>(*dbc), *map, catalog);
  REQUIRE(translator.ok());
  FakeClock bus_clock(MonoFromNanos(1));
  CanGateway gateway(std::move(*translator), catalog, bus_clock, daemon.log,
                     {"can0", dir.path() / "signals.sock"});
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0);
  UniqueFd bus(fds[1]);
  std::optional<UniqueFd> gateway_end(UniqueFd{fds[0]});
  std::jthread gateway_thread([&](std::stop_token stop) {
    gateway.RunSocket(stop, [&]() -> Result<can::CanSocket> {
      if (!gateway_end) return Error(ErrorCode::kUnavailable, "can0 is gone");
      can::CanSocket s = can::CanSocket::FromFd(std::move(*gateway_end), "can0");
      gateway_end.reset();
      return s;
    });
  });
  {
    auto reader = can::CandumpReader::Open(dir.path() / "drive.log");
    REQUIRE(reader.ok());
    can::CandumpRecord rec;
    unsigned char record[CANFD_MTU];
    size_t sent = 0;
    while (true) {
      auto more = reader->Next(rec);
      REQUIRE(more.ok());
      if (!*more) break;
      bus_clock.Set(MonoFromNanos(rec.time_ns));  // the kernel's receipt stamp, as logged
      const size_t size = can::EncodeKernelFrame(rec.frame, record);
      REQUIRE(::send(bus.get(), record, size, 0) == static_cast<ssize_t>(size));
      REQUIRE(daemon.counting.WaitFor(++sent, std::chrono::seconds(10)));
    }
  }
  gateway_thread.request_stop();
  gateway_thread.join();
  receiver.request_stop();
  receiver.join();
  REQUIRE(daemon.ingest.stats().accepted == drive.frames.size());
  const std::vector<ClipRequest> daemon_clips = daemon.Finish();

  std::string planted;
  for (const testing::PlantedEvent& e : drive.events) {
    planted += e.kind + " " + e.rule + "@" + std::to_string(e.time_ns) + "[" + e.tag + "]\n";
  }
  INFO("planted:\n" << planted);
  INFO("offline:\n" << Describe(offline_clips) << "daemon:\n" << Describe(daemon_clips));
  REQUIRE(Describe(offline_clips) == Describe(daemon_clips));

  // `fleetclip rules test --candump`, the real binary, over the same log.
  const testing::ProcessResult cli = testing::RunProcess(
      {testing::InBuildTree(FLEETCLIP_CLI_PATH), "rules", "test", "--candump",
       (dir.path() / "drive.log").string(), "--dbc", (dir.path() / "car.dbc").string(), "--can-map",
       (dir.path() / "car.map").string(), "--json"},
      dir.path(), "rules-test");
  INFO("rules test: " << cli.out << cli.err);
  REQUIRE(cli.exit_code == 0);
  REQUIRE(DescribeJson(cli.out) == Describe(daemon_clips));
  REQUIRE(offline_clips.size() == drive.events.size());
  for (size_t i = 0; i < drive.events.size(); ++i) {
    REQUIRE(offline_clips[i].events.size() == 1);
    REQUIRE(offline_clips[i].events[0].rule == drive.events[i].rule);
    REQUIRE(offline_clips[i].events[0].tag == drive.events[i].tag);
  }
}

TEST_CASE("rules test --candump reports each log's CAN counters, unknown ids included") {
  TempDir dir;
  const testing::Drive drive =
      testing::GenerateDrive({.seed = 5, .duration_s = 20, .faults = false});
  auto dbc = can::ParseDbc(kCarDbc, "car.dbc");
  REQUIRE(dbc.ok());
  std::ofstream(dir.path() / "car.dbc") << kCarDbc;
  std::ofstream(dir.path() / "car.map") << kCarMap;
  const std::filesystem::path log = dir.path() / "drive.log";
  WriteCandump(drive, *dbc, log);
  {  // 25 frames of an id the DBC does not have, after the drive: some other ECU's traffic
    std::ofstream out(log, std::ios::app);
    can::CanFrame other;
    other.id = 0x123;
    other.len = 8;
    for (int64_t i = 1; i <= 25; ++i) {
      out << can::FormatCandumpLine(drive.frames.back().mono_ns() + i * 1'000'000, "can0", other)
          << '\n';
    }
  }
  // What the reader itself counts over the same log.
  const SignalCatalog catalog = SignalCatalog::Standard();
  auto reader =
      CandumpSignalReader::Open(log, dir.path() / "car.dbc", dir.path() / "car.map", catalog);
  REQUIRE(reader.ok());
  for (;;) {
    auto next = reader->Next();
    REQUIRE(next.ok());
    if (!next->has_value()) break;
  }
  const CanTranslateStats want = reader->stats();
  REQUIRE(want.frames == drive.frames.size() + 25);
  REQUIRE(want.translated == drive.frames.size());
  REQUIRE(want.unknown_ids == 25);

  const std::vector<std::string> args = {testing::InBuildTree(FLEETCLIP_CLI_PATH),
                                         "rules",
                                         "test",
                                         "--candump",
                                         log.string(),
                                         "--dbc",
                                         (dir.path() / "car.dbc").string(),
                                         "--can-map",
                                         (dir.path() / "car.map").string()};
  const testing::ProcessResult text = testing::RunProcess(args, dir.path(), "rules-test-text");
  INFO("text: " << text.out << text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("can " + log.string() + ": " + std::to_string(want.frames) + " frames, " +
                      std::to_string(want.translated) +
                      " translated, 25 unknown ids, 0 out of order, 0 out of range, 0 counter "
                      "skips, 0 bad checksums (dropped)\n") != std::string::npos);

  std::vector<std::string> json_args = args;
  json_args.push_back("--json");
  const testing::ProcessResult json = testing::RunProcess(json_args, dir.path(), "rules-test");
  INFO("json: " << json.out << json.err);
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find(
            "\"can\":[{\"log\":\"" + log.string() + "\",\"frames\":" + std::to_string(want.frames) +
            ",\"translated\":" + std::to_string(want.translated) +
            ",\"unknown_ids\":25,\"out_of_order\":0,\"out_of_range\":0,"
            "\"counter_skips\":0,\"bad_checksums\":0,\"healthy\":true}]") != std::string::npos);
}

}  // namespace fleetclip::triggers

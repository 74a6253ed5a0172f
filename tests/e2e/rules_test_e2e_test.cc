// End to end: `fleetclip rules test` run as a real process over drive files made by the test
// (tests/support/drive_gen.h) with the built-in rules, a base config's rules and an unsigned fleet
// config; its JSON document, and its exit codes for bad files (1) and bad usage (2).
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>

#include "tests/support/drive_gen.h"
#include "tests/support/run_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip::testing {
namespace {

ProcessResult RulesTest(std::vector<std::string> args, const TempDir& dir) {
  args.insert(args.begin(), {testing::InBuildTree(FLEETCLIP_CLI_PATH), "rules", "test"});
  return RunProcess(std::move(args), dir.path(), "rules-test");
}

struct JsonEvent {
  std::string rule;
  int64_t mono_ns = 0;
};

// The events of a fleetclip.rules-test/1 document, in order.
std::vector<JsonEvent> Events(const std::string& json) {
  static const std::regex kEvent("\\{\"rule\":\"([a-z_0-9.]+)\",\"mono_ns\":([0-9]+),");
  std::vector<JsonEvent> out;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), kEvent);
       it != std::sregex_iterator(); ++it) {
    out.push_back({(*it)[1].str(), std::stoll((*it)[2].str())});
  }
  return out;
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

constexpr char kBaseConfig[] = R"(vehicle_id: "car-7"
fleet_id: "fleet-a"
cameras { name: "front" url: "testsrc=size=320x240:rate=10" input_format: "lavfi" }
upload { url: "file:///var/lib/fleetclip-upload" }
rules { name: "gentle_stop" expr: "accel_long < -1.5 for 300ms and speed > 2.8" priority: 30 }
)";

}  // namespace

TEST_CASE("rules test finds every planted event of a faulty drive at its recorded time") {
  TempDir dir;
  const Drive drive = GenerateDrive({.seed = 11, .duration_s = 300});
  REQUIRE(WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());
  const ProcessResult r =
      RulesTest({"--drive", (dir.path() / "drive.bin").string(), "--json"}, dir);
  REQUIRE(r.exit_code == 0);
  const std::vector<JsonEvent> events = Events(r.out);
  REQUIRE(events.size() == drive.events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].rule == drive.events[i].rule);
    // Recorded producer times, not rebased: the firing follows the planted onset within 1 s.
    CHECK(events[i].mono_ns >= drive.events[i].time_ns);
    CHECK(events[i].mono_ns < drive.events[i].time_ns + 1'000'000'000);
  }
}

TEST_CASE("rules test --json prints one fleetclip.rules-test/1 document counting every frame") {
  TempDir dir;
  const Drive drive = GenerateDrive({.seed = 12, .duration_s = 120});
  REQUIRE(WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());
  const ProcessResult r =
      RulesTest({"--drive", (dir.path() / "drive.bin").string(), "--json"}, dir);
  REQUIRE(r.exit_code == 0);
  static const std::regex kShape(
      "\\{\"schema\":\"fleetclip\\.rules-test/1\",\"ingest\":\\{\"frames\":([0-9]+),\"accepted\":"
      "([0-9]+),\"duplicate\":([0-9]+),\"out_of_order\":([0-9]+),\"malformed\":([0-9]+)\\},"
      "\"can\":\\[\\],\"clips\":\\[(\\{\"start_mono_ns\":[0-9]+,\"end_mono_ns\":[0-9]+,"
      "\"priority\":[0-9]+,"
      "\"events\":\\[(\\{\"rule\":\"[a-z_]+\",\"mono_ns\":[0-9]+,\"peak\":(-?[0-9.e+-]+|null),"
      "\"priority\":[0-9]+,\"tier\":\"[a-z]*\",\"tag\":\"[a-z_]*\"\\},?)+\\]\\},?)*\\],"
      "\"frames_per_s\":[0-9]+\\}\n");
  std::smatch m;
  REQUIRE(std::regex_match(r.out, m, kShape));
  const uint64_t frames = std::stoull(m[1].str());
  CHECK(frames == drive.frames.size());
  // The drive's faults are duplicates and swapped frames: each frame is accepted or counted.
  CHECK(std::stoull(m[2].str()) + std::stoull(m[3].str()) + std::stoull(m[4].str()) +
            std::stoull(m[5].str()) ==
        frames);
  CHECK(std::stoull(m[3].str()) > 0);
  CHECK(std::stoull(m[4].str()) > 0);
}

TEST_CASE("rules test --config runs the base config's rules beside the presets") {
  TempDir dir;
  const Drive drive =
      GenerateDrive({.duration_s = 60, .faults = false, .script = {{"moderate_braking", 10}}});
  REQUIRE(WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());
  WriteText(dir.path() / "base.conf", kBaseConfig);
  const std::string drive_file = (dir.path() / "drive.bin").string();

  const ProcessResult builtin = RulesTest({"--drive", drive_file, "--json"}, dir);
  REQUIRE(builtin.exit_code == 0);
  CHECK(Events(builtin.out).empty());  // a near miss for the presets
  const ProcessResult custom = RulesTest(
      {"--drive", drive_file, "--config", (dir.path() / "base.conf").string(), "--json"}, dir);
  REQUIRE(custom.exit_code == 0);
  const std::vector<JsonEvent> events = Events(custom.out);
  REQUIRE(events.size() == 1);
  CHECK(events[0].rule == "gentle_stop");
}

TEST_CASE("rules test --fleet applies an unsigned fleet config's rules over the base config") {
  TempDir dir;
  const Drive drive =
      GenerateDrive({.duration_s = 60, .faults = false, .script = {{"harsh_braking", 20}}});
  REQUIRE(WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());
  WriteText(dir.path() / "base.conf", kBaseConfig);
  WriteText(dir.path() / "fleet.textproto", R"(version: 3
fleet_id: "fleet-a"
rules { name: "harsh_braking" enabled: false }
rules { name: "fleet_stop" expr: "accel_long < -3 for 200ms" priority: 40 }
)");
  const ProcessResult r = RulesTest({"--drive", (dir.path() / "drive.bin").string(), "--config",
                                     (dir.path() / "base.conf").string(), "--fleet",
                                     (dir.path() / "fleet.textproto").string(), "--json"},
                                    dir);
  REQUIRE(r.exit_code == 0);
  const std::vector<JsonEvent> events = Events(r.out);
  REQUIRE(events.size() == 1);  // the fleet's rules replace the base's gentle_stop too
  CHECK(events[0].rule == "fleet_stop");
}

TEST_CASE("rules test over two producers' drives prints what the merged drive prints") {
  TempDir dir;
  const Drive drive = GenerateDrive({.seed = 13, .duration_s = 200, .faults = false});
  REQUIRE(WriteDrive(drive, dir.path() / "merged.bin", dir.path() / "labels.txt").ok());
  // The autonomy stack's signals in one producer's file, the vehicle's in the other's.
  Drive vehicle, autonomy;
  for (const proto::SignalFrame& f : drive.frames) {
    proto::SignalFrame v = f, a = f;
    v.set_producer("vehicle");
    a.set_producer("autonomy");
    v.clear_values();
    a.clear_values();
    for (const proto::SignalValue& value : f.values()) {
      const bool is_autonomy =
          value.name() == "autonomy_engaged" || value.name() == "disengage_reason";
      *(is_autonomy ? a : v).add_values() = value;
    }
    vehicle.frames.push_back(v);
    autonomy.frames.push_back(a);
  }
  REQUIRE(WriteDrive(vehicle, dir.path() / "vehicle.bin", dir.path() / "v.txt").ok());
  REQUIRE(WriteDrive(autonomy, dir.path() / "autonomy.bin", dir.path() / "a.txt").ok());

  const ProcessResult merged =
      RulesTest({"--drive", (dir.path() / "merged.bin").string(), "--json"}, dir);
  const ProcessResult split =
      RulesTest({"--drive", (dir.path() / "vehicle.bin").string(), "--drive",
                 (dir.path() / "autonomy.bin").string(), "--json"},
                dir);
  REQUIRE(merged.exit_code == 0);
  REQUIRE(split.exit_code == 0);
  const auto clips = [](const std::string& json) {
    return json.substr(json.find("\"clips\":"),
                       json.find(",\"frames_per_s\"") - json.find("\"clips\":"));
  };
  CHECK(Events(merged.out).size() == drive.events.size());
  CHECK(clips(split.out) == clips(merged.out));
  CHECK(split.out.find("\"duplicate\":0,\"out_of_order\":0,\"malformed\":0") != std::string::npos);
}

TEST_CASE("rules test exits 1 naming the byte offset of a truncated drive file") {
  TempDir dir;
  const Drive drive = GenerateDrive({.duration_s = 10, .faults = false});
  REQUIRE(WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());
  const auto size = std::filesystem::file_size(dir.path() / "drive.bin");
  std::filesystem::resize_file(dir.path() / "drive.bin", size - 3);
  const ProcessResult r = RulesTest({"--drive", (dir.path() / "drive.bin").string()}, dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("drive.bin: frame ") != std::string::npos);
  CHECK(r.err.find(" at byte ") != std::string::npos);
}

TEST_CASE("rules test exits 1 naming the line of a base config that does not parse") {
  TempDir dir;
  const Drive drive = GenerateDrive({.duration_s = 10, .faults = false});
  REQUIRE(WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());
  WriteText(dir.path() / "bad.conf", "vehicle_id: \"car-7\"\nbogus: 1\n");
  const ProcessResult r = RulesTest({"--drive", (dir.path() / "drive.bin").string(), "--config",
                                     (dir.path() / "bad.conf").string()},
                                    dir);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.conf:2:") != std::string::npos);
}

TEST_CASE("rules test exits 2 on usage errors") {
  TempDir dir;
  CHECK(RulesTest({}, dir).exit_code == 2);
  CHECK(RulesTest({"--drive"}, dir).exit_code == 2);
  CHECK(RulesTest({"--drive", "a.bin", "--speed", "3"}, dir).exit_code == 2);
  CHECK(RulesTest({"a.bin"}, dir).exit_code == 2);
  CHECK(RulesTest({"--help"}, dir).exit_code == 0);
}

}  // namespace fleetclip::testing

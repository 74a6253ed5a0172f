// End to end: the real `fleetclip` binary replays a synthetic labelled drive into a real Unix
// datagram socket served by SignalSource and the trigger pipeline; every planted event must come
// out as a clip. Also the CLI's exit codes (0 ok, 1 failure, 2 usage) as a separate process.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/support/drive_gen.h"
#include "tests/support/pipeline_probes.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "triggers/presets.h"
#include "triggers/signal_pipeline.h"

extern char** environ;

namespace fleetclip::triggers {
namespace {

// Runs the fleetclip binary with `args`; returns its exit status. Output goes to `log`.
int RunCli(std::vector<std::string> args, const std::filesystem::path& log) {
  std::string cli = testing::InBuildTree(FLEETCLIP_CLI_PATH);
  std::vector<char*> argv = {cli.data()};
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

using testing::CollectingSink;
using testing::CountingPipeline;

}  // namespace

TEST_CASE(
    "A drive replayed by the fleetclip binary into the signal socket yields every planted clip") {
  TempDir dir;
  const testing::Drive drive =
      testing::GenerateDrive({.seed = 5, .duration_s = 300, .faults = false});
  REQUIRE(testing::WriteDrive(drive, dir.path() / "drive.bin", dir.path() / "labels.txt").ok());

  const SignalCatalog catalog = SignalCatalog::Standard();
  RealClock clock;
  FakeClock scheduler_clock;  // the replay runs 50x faster than real time; time is advanced below
  MemoryLogSink log_sink;
  Logger log(log_sink);
  SignalIngest ingest(catalog, clock, log);
  SignalHistory history(catalog, std::chrono::seconds(60));
  CollectingSink sink;
  TriggerScheduler scheduler(scheduler_clock, log, sink);
  auto rules = RuleSet::Compile(catalog, BuiltinRules());
  REQUIRE(rules.ok());
  SignalPipeline pipeline(history, *rules, scheduler);
  CountingPipeline counting(pipeline);
  auto source = SignalSource::Bind(dir.path() / "signals.sock", clock);
  REQUIRE(source.ok());
  std::jthread thread(
      [&](std::stop_token stop) { REQUIRE(source->Run(stop, ingest, counting).ok()); });

  REQUIRE(RunCli({"replay", (dir.path() / "drive.bin").string(), "--socket",
                  (dir.path() / "signals.sock").string(), "--speed", "50"},
                 dir.path() / "replay.log") == 0);
  REQUIRE(counting.WaitFor(drive.frames.size()));
  thread.request_stop();
  thread.join();

  scheduler_clock.Advance(std::chrono::hours(24 * 365));  // far past every replayed frame
  scheduler.Poll();
  REQUIRE(ingest.stats().accepted == drive.frames.size());
  REQUIRE(sink.requests.size() == drive.events.size());
  for (size_t i = 0; i < drive.events.size(); ++i) {
    REQUIRE(sink.requests[i].events.size() == 1);
    REQUIRE(sink.requests[i].events[0].rule == drive.events[i].rule);
  }
}

TEST_CASE("A candump log replayed with its DBC arrives as decoded signal frames") {
  TempDir dir;
  // Signals named like catalogue signals need no map; Gear's value table gives the gear text.
  std::ofstream(dir.path() / "car.dbc") << R"(BO_ 256 Motion: 8 ECU
 SG_ Speed : 0|16@1+ (0.01,0) [0|655.35] "m/s" GW
 SG_ Gear : 16|3@1+ (1,0) [0|7] "" GW
 SG_ Unrelated : 24|8@1+ (1,0) [0|255] "" GW
VAL_ 256 Gear 0 "P" 3 "D" ;
)";
  constexpr int kLines = 200;
  {
    std::ofstream log(dir.path() / "bus.log");
    log << "# a comment line, skipped as canplayer does\n";
    for (int i = 0; i < kLines; ++i) {
      char line[64];
      std::snprintf(line, sizeof line, "(%d.%06d) can0 100#D00703FF\n", 50 + i / 100,
                    (i % 100) * 10000);  // 20 m/s, gear D, every 10 ms
      log << line;
    }
  }
  const SignalCatalog catalog = SignalCatalog::Standard();
  RealClock clock;
  FakeClock scheduler_clock;
  MemoryLogSink log_sink;
  Logger log(log_sink);
  SignalIngest ingest(catalog, clock, log);
  SignalHistory history(catalog, std::chrono::seconds(60));
  CollectingSink sink;
  TriggerScheduler scheduler(scheduler_clock, log, sink);
  auto rules = RuleSet::Compile(catalog, BuiltinRules());
  REQUIRE(rules.ok());
  SignalPipeline pipeline(history, *rules, scheduler);
  CountingPipeline counting(pipeline);
  auto source = SignalSource::Bind(dir.path() / "signals.sock", clock);
  REQUIRE(source.ok());
  std::jthread thread(
      [&](std::stop_token stop) { REQUIRE(source->Run(stop, ingest, counting).ok()); });
  REQUIRE(RunCli({"replay", "--candump", (dir.path() / "bus.log").string(), "--dbc",
                  (dir.path() / "car.dbc").string(), "--socket",
                  (dir.path() / "signals.sock").string(), "--speed", "20"},
                 dir.path() / "replay.log") == 0);
  REQUIRE(counting.WaitFor(kLines));
  thread.request_stop();
  thread.join();
  REQUIRE(ingest.stats().accepted == kLines);
  REQUIRE(history.LatestRow()[*catalog.Find("speed")] == Approx(20.0).margin(1e-9));
  REQUIRE(history.LatestText(*catalog.Find("gear")) == "D");
}

TEST_CASE("The fleetclip CLI exits 2 on usage errors, 0 for help and 1 on failures") {
  TempDir dir;
  const auto log = dir.path() / "cli.log";
  REQUIRE(RunCli({}, log) == 2);
  REQUIRE(RunCli({"--help"}, log) == 0);
  REQUIRE(RunCli({"frobnicate"}, log) == 2);
  REQUIRE(RunCli({"replay", "--help"}, log) == 0);
  REQUIRE(RunCli({"replay", "x.bin"}, log) == 2);
  REQUIRE(RunCli({"replay", "x.bin", "--socket", "s", "--speed", "0"}, log) == 2);
  REQUIRE(RunCli({"replay", (dir.path() / "missing.bin").string(), "--socket", "s"}, log) == 1);
  REQUIRE(RunCli({"replay", "--candump", "bus.log", "--socket", "s"}, log) == 2);
  REQUIRE(RunCli({"replay", "x.bin", "--dbc", "car.dbc", "--socket", "s"}, log) == 2);
  REQUIRE(RunCli({"replay", "--candump", "missing.log", "--dbc",
                  (dir.path() / "missing.dbc").string(), "--socket", "s"},
                 log) == 1);
  std::ofstream(dir.path() / "empty.bin").close();
  REQUIRE(RunCli({"replay", (dir.path() / "empty.bin").string(), "--socket",
                  (dir.path() / "nobody.sock").string()},
                 log) == 1);
}

}  // namespace fleetclip::triggers

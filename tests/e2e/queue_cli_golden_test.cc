// Golden tests for the queue commands: a fixed database (three clips, fixed ids and times) and the
// exact table and JSON output of `fleetclip list/show/stats`, compared byte for byte with
// tests/e2e/golden/*. Run with FLEETCLIP_UPDATE_GOLDEN=1 to rewrite the files after an intended
// change (JSON changes must keep docs/cli.md's stability rules).
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "queue/clip_store.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip {
namespace {
namespace fs = std::filesystem;

std::string Run(const std::string& args, int* rc) {
  std::string command = testing::InBuildTree(FLEETCLIP_CLI_PATH);
  command.append(" ").append(args).append(" 2>&1");
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *rc = WEXITSTATUS(::pclose(p));
  return out;
}

constexpr const char* kIds[] = {"01900000-0000-7000-8000-000000000000",
                                "01900000-0000-7000-8000-000000000001",
                                "01900000-0000-7000-8000-000000000002"};

void Fill(const fs::path& state) {
  FakeClock clock;
  MemoryLogSink sink;
  Logger log(sink);
  auto store = queue::ClipStore::Open({.state_dir = state, .reserve_bytes = 0}, clock, log).value();
  const char* rules[] = {"harsh_braking", "disengagement", "harsh_braking,steering_jerk"};
  for (int i = 0; i < 3; ++i) {
    queue::ClipRecord c;
    c.id = kIds[i];
    c.priority = 10 * (i + 1);
    c.bytes = 1'000'000 * (i + 1);
    c.local_bytes = c.bytes;
    c.created_unix_ms = 1'767'225'600'000 + i * 60'000;
    c.window_start_unix_ms = c.created_unix_ms - 30'000;
    c.duration_ms = 45'000;
    c.rules = rules[i];
    queue::EventRecord e;
    e.rule = i == 1 ? "disengagement" : "harsh_braking";
    e.source = "rule";
    e.fired_unix_ms = c.created_unix_ms - 15'000;
    e.priority = c.priority;
    e.peak = -4.5;
    e.tag = i == 1 ? "driver_steer" : "";
    c.events.push_back(e);
    c.files.push_back({"front.mp4", c.bytes, std::string(64, 'a'), false});
    REQUIRE(store->InsertClip(c).ok());
  }
  REQUIRE(store->MarkFailed("01900000-0000-7000-8000-000000000001", "403 Forbidden").ok());
  REQUIRE(store->SetPinned("01900000-0000-7000-8000-000000000002", true).ok());
}

void CheckGolden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(testing::InSourceTree(FLEETCLIP_GOLDEN_DIR)) / name;
  if (std::getenv("FLEETCLIP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(actual == ss.str());
}

struct Fixture {
  Fixture() { Fill(dir.path()); }
  TempDir dir;
  std::string Cli(const std::string& args, int* rc) {
    std::string full = args;
    full.append(" --state-dir ").append(dir.path().string());
    return Run(full, rc);
  }
};

}  // namespace

TEST_CASE("list prints the golden table") {
  Fixture f;
  int rc = -1;
  CheckGolden("list.txt", f.Cli("list", &rc));
  CHECK(rc == 0);
}

TEST_CASE("list --json prints the golden document") {
  Fixture f;
  int rc = -1;
  CheckGolden("list.json", f.Cli("list --json", &rc));
  CHECK(rc == 0);
}

TEST_CASE("show --json prints the golden document") {
  Fixture f;
  int rc = -1;
  CheckGolden("show.json", f.Cli("show 01900000-0000-7000-8000-000000000001 --json", &rc));
  CHECK(rc == 0);
}

TEST_CASE("stats prints the golden table and JSON") {
  Fixture f;
  int rc = -1;
  // No config and no daemon: the quota is the default (the config's and the daemon's are in
  // daemon_e2e_test).
  const std::string none = " --config " + (f.dir.path() / "none.conf").string();
  CheckGolden("stats.txt", f.Cli("stats" + none, &rc));
  CheckGolden("stats.json", f.Cli("stats --json" + none, &rc));
  CHECK(rc == 0);
}

TEST_CASE("An unknown clip fails with exit code 1 and a bad option with 2") {
  Fixture f;
  int rc = -1;
  f.Cli("show 01900000-0000-7000-8000-000000000009", &rc);
  CHECK(rc == 1);
  f.Cli("list --limit many", &rc);
  CHECK(rc == 2);
}

TEST_CASE("retry brings the failed clip back and list --state shows it ready") {
  Fixture f;
  int rc = -1;
  CHECK(f.Cli("retry --failed", &rc) ==
        "requeued 1 clip (no fleetclipd running: queue.db changed directly)\n");
  CHECK(rc == 0);
  const std::string ready = f.Cli("list --state ready --json", &rc);
  CHECK(ready.find("000000000001") != std::string::npos);
}

}  // namespace fleetclip

namespace fleetclip {

TEST_CASE("Without --state-dir the queue is found through the base config's state_dir") {
  Fixture f;
  const auto conf = f.dir.path() / "fleetclip.conf";
  std::ofstream(conf) << "vehicle_id: \"car-1\"\nstate_dir: \"" << f.dir.path().string() << "\"\n";
  int rc = -1;
  const std::string out = Run("list --json --config " + conf.string(), &rc);
  REQUIRE(rc == 0);
  REQUIRE(out.find(kIds[0]) != std::string::npos);
}

TEST_CASE("A base config that does not parse is a usage error naming the file, line and column") {
  Fixture f;
  const auto conf = f.dir.path() / "bad.conf";
  std::ofstream(conf) << "vehicle_id: \"car-1\"\nstate_dir: 42 43\n";
  int rc = -1;
  const std::string out = Run("list --config " + conf.string(), &rc);
  REQUIRE(rc == 2);
  REQUIRE(out.find("bad.conf:2:") != std::string::npos);
}

}  // namespace fleetclip

// The single-writer rule (DESIGN.md §10) with the real `fleetclip` and `fleetclipd` processes:
//   - with no daemon, the CLI changes queue.db itself under the writer lock and says so;
//   - with the lock held and no daemon answering, it changes nothing and says who holds the lock;
//   - a daemon starting while the CLI holds the lock waits for it (the CLI is kept inside its
//     change by an SQLite write lock this test holds), then starts, and from then on the CLI's
//     changes are requests on its control socket, refused with the daemon's reason ("clip X is
//     uploading", "no clip X").
// Uploads never start here (the upload window is closed), so a clip's state is what the test set.
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <thread>

#include "daemon/control_protocol.h"
#include "queue/clip_store.h"
#include "queue/writer_lock.h"
#include "tests/support/spawn.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace fleetclip {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kClip = "01900000-0000-7000-8000-000000000001";

// Polls `done` every 50 ms for at most `timeout`.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds timeout) {
  for (auto waited = 0ms; waited < timeout; waited += 50ms) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

class Car {
 public:
  Car() {
    std::ofstream(config()) << R"(vehicle_id: "car-1"
fleet_id: "fleet-a"
state_dir: ")" << state().string()
                            << R"("
runtime_dir: ")" << (dir_.path() / "run").string()
                            << R"("
cameras { name: "front" url: "testsrc=size=160x120:rate=10" input_format: "lavfi" }
upload { url: "file://)" << (dir_.path() / "uploaded").string()
                            << R"(" }
upload_policy { window_start: "03:00" window_end: "03:01" require_parked: false }
)";
    // One committed clip, written as the daemon's clip writer would leave it.
    FakeClock clock;
    MemoryLogSink sink;
    Logger log(sink);
    auto store = queue::ClipStore::Open({.state_dir = state(), .reserve_bytes = 0}, clock, log);
    REQUIRE(store.ok());
    fs::create_directories((*store)->ClipDir(kClip));
    std::ofstream((*store)->ClipDir(kClip) / "front.mp4") << std::string(1000, 'v');
    queue::ClipRecord c;
    c.id = kClip;
    c.bytes = c.local_bytes = 1000;
    c.created_unix_ms = 1'767'225'600'000;
    c.window_start_unix_ms = c.created_unix_ms - 30'000;
    c.files.push_back({"front.mp4", 1000, std::string(64, 'a'), false});
    REQUIRE((*store)->InsertClip(c).ok());
  }
  ~Car() {
    if (daemon_ > 0) {
      ::kill(daemon_, SIGKILL);
      Wait(daemon_);
    }
  }

  fs::path config() const { return dir_.path() / "fleetclip.conf"; }
  fs::path state() const { return dir_.path() / "state"; }
  fs::path daemon_log() const { return dir_.path() / "fleetclipd.log"; }

  // Runs `fleetclip ARGS --config C --state-dir S` and returns its output (stdout and stderr).
  std::string Cli(const std::string& args, int* rc) const {
    const fs::path out = dir_.path() / ("cli-" + std::to_string(++runs_) + ".out");
    *rc = Wait(SpawnCli(args, out));
    return ReadFile(out);
  }
  pid_t SpawnCli(const std::string& args, const fs::path& out) const {
    std::vector<std::string> argv{testing::InBuildTree(FLEETCLIP_CLI_PATH)};
    for (size_t start = 0; start < args.size();) {
      size_t end = args.find(' ', start);
      if (end == std::string::npos) end = args.size();
      argv.push_back(args.substr(start, end - start));
      start = end + 1;
    }
    argv.insert(argv.end(), {"--config", config().string(), "--state-dir", state().string()});
    return Spawn(argv, out);
  }

  void StartDaemon() {
    daemon_ =
        Spawn({testing::InBuildTree(FLEETCLIPD_PATH), "--config", config().string()}, daemon_log());
  }
  bool DaemonAnswers() const {
    proto::ControlRequest req;
    req.set_status(true);
    auto r = daemon::CallControl(dir_.path() / "run" / "control.sock", req, 2s);
    return r.ok() && r->ok();
  }
  void StopDaemon() {
    REQUIRE(daemon_ > 0);
    ::kill(daemon_, SIGTERM);
    CHECK(Wait(daemon_) == 0);
    daemon_ = -1;
  }

  queue::ClipRecord Get() const {
    FakeClock clock;
    MemoryLogSink sink;
    Logger log(sink);
    auto store = queue::ClipStore::Open({.state_dir = state(), .read_only = true}, clock, log);
    REQUIRE(store.ok());
    auto c = (*store)->Get(kClip);
    REQUIRE(c.ok());
    return *c;
  }

 private:
  TempDir dir_;
  pid_t daemon_ = -1;
  mutable int runs_ = 0;
};

}  // namespace

TEST_CASE("With no daemon running the CLI changes queue.db itself and says so") {
  Car car;
  int rc = -1;
  CHECK(car.Cli(std::string("pin ") + kClip, &rc) ==
        std::string("pinned ") + kClip + " (no fleetclipd running: queue.db changed directly)\n");
  CHECK(rc == 0);
  CHECK(car.Get().pinned);
  // The same refusal the daemon gives, from the same code.
  CHECK(car.Cli(std::string("delete ") + kClip, &rc) ==
        std::string("fleetclip delete: clip ") + kClip + " is pinned\n");
  CHECK(rc == 1);
  CHECK(fs::exists(car.state() / "clips" / kClip / "front.mp4"));
  CHECK(car.Cli(std::string("unpin ") + kClip + " --json", &rc) ==
        std::string("{\"schema\":\"fleetclip.pin/1\",\"id\":\"") + kClip +
            "\",\"pinned\":false,\"applied_by\":\"fleetclip\"}\n");
}

TEST_CASE("With the writer lock held and no daemon answering the CLI changes nothing") {
  Car car;
  auto held = queue::WriterLock::TryAcquire(car.state(), "fleetclipd");
  REQUIRE(held.ok());
  int rc = -1;
  const std::string out = car.Cli(std::string("pin ") + kClip, &rc);
  CHECK(rc == 1);
  CHECK(out.find("is held by fleetclipd pid " + std::to_string(::getpid())) != std::string::npos);
  CHECK(out.find("but no daemon answers on") != std::string::npos);
  CHECK(out.find("queue.db was not changed") != std::string::npos);
  CHECK_FALSE(car.Get().pinned);
}

TEST_CASE("A starting daemon waits for the CLI's lock, then applies the CLI's changes itself") {
  Car car;
  // Keep the CLI inside its change: it holds the writer lock and waits (busy_timeout, 5 s) for
  // the SQLite write lock this test takes.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((car.state() / "queue.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  const fs::path cli_out = car.state().parent_path() / "pin.out";
  const pid_t cli = car.SpawnCli(std::string("pin ") + kClip, cli_out);
  const std::string cli_holder = "fleetclip pin pid " + std::to_string(cli);
  REQUIRE(Eventually([&] { return queue::WriterLockHolder(car.state()) == cli_holder; }, 3s));

  car.StartDaemon();
  const bool waiting = Eventually(
      [&] {
        return ReadFile(car.daemon_log()).find("event=waiting_for_writer_lock") !=
               std::string::npos;
      },
      3s);
  const bool answered_while_waiting = car.DaemonAnswers();
  REQUIRE(sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  REQUIRE(waiting);
  CHECK(ReadFile(car.daemon_log()).find("holder=\"" + cli_holder + "\"") != std::string::npos);
  CHECK_FALSE(answered_while_waiting);
  CHECK(Wait(cli) == 0);
  CHECK(ReadFile(cli_out) ==
        std::string("pinned ") + kClip + " (no fleetclipd running: queue.db changed directly)\n");
  REQUIRE(Eventually([&] { return car.DaemonAnswers(); }, 10s));

  // From now on the daemon applies every change.
  int rc = -1;
  CHECK(car.Cli(std::string("unpin ") + kClip, &rc) == std::string("unpinned ") + kClip + "\n");
  CHECK(rc == 0);
  CHECK_FALSE(car.Get().pinned);
  CHECK(car.Cli("delete 01900000-0000-7000-8000-000000000999", &rc) ==
        "fleetclip delete: fleetclipd refused: no clip 01900000-0000-7000-8000-000000000999\n");
  CHECK(rc == 1);
  {
    // Stand in for the daemon's upload thread: the clip is now being uploaded.
    FakeClock clock;
    MemoryLogSink sink;
    Logger log(sink);
    auto store = queue::ClipStore::Open(
        {.state_dir = car.state(), .recover = false, .reserve_bytes = 0}, clock, log);
    REQUIRE(store.ok());
    REQUIRE((*store)->MarkUploading(kClip).ok());
  }
  CHECK(car.Cli(std::string("delete ") + kClip, &rc) ==
        std::string("fleetclip delete: fleetclipd refused: clip ") + kClip + " is uploading\n");
  CHECK(rc == 1);
  CHECK(fs::exists(car.state() / "clips" / kClip / "front.mp4"));
  CHECK(car.Cli(std::string("pin ") + kClip + " --json", &rc) ==
        std::string("{\"schema\":\"fleetclip.pin/1\",\"id\":\"") + kClip +
            "\",\"pinned\":true,\"applied_by\":\"fleetclipd\"}\n");
  car.StopDaemon();
}

}  // namespace fleetclip

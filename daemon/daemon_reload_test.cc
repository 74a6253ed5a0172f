// Reload in a running daemon (threads and all, so TSan sees them): the keys the config table marks
// reloadable are applied, the restart-only ones keep running and are listed in status, and the
// backend thread's heartbeat builds its status while the main loop reloads and triggers. The
// backend is a real HTTP server on 127.0.0.1 (tests/support/http_test_server.h).
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "daemon/control_protocol.h"
#include "daemon/daemon.h"
#include "proto/control.pb.h"
#include "tests/support/http_test_server.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::daemon {
namespace {

using namespace std::chrono_literals;

struct Setup {
  std::string vehicle_id = "car-1";
  int64_t quota_bytes = int64_t{1} << 30;
  std::string control_socket;  // "" = <runtime_dir>/control.sock
  std::string backend;         // "" = none, else the HTTP server's base URL
};

Setup Vehicle(std::string id, int64_t quota_bytes) { return {std::move(id), quota_bytes, "", ""}; }
Setup Quota(int64_t quota_bytes) { return Vehicle("car-1", quota_bytes); }
Setup ControlSocket(std::string path) { return {"car-1", int64_t{1} << 30, std::move(path), ""}; }
Setup Backend(std::string url, int64_t quota_bytes = int64_t{1} << 30) {
  return {"car-1", quota_bytes, "", std::move(url)};
}

// No map fields in this config: under TSan, libprotobuf's text parser crashes filling one (see
// daemon_run_test.cc).
void WriteConfig(const TempDir& dir, const Setup& s) {
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  std::ofstream out(dir.path() / "fleetclip.conf");
  out << "vehicle_id: \"" << s.vehicle_id << "\"\nfleet_id: \"fleet-a\"\n"
      << "state_dir: \"" << path("state") << "\"\nruntime_dir: \"" << path("run") << "\"\n"
      << "cameras { name: \"front\" url: \"testsrc=size=160x120:rate=10\" input_format: \"lavfi\" "
         "bitrate_bps: 200000 }\n"
      << "storage { quota_bytes: " << s.quota_bytes << " }\n"
      << "upload { url: \"file://" << path("uploaded") << "\" }\n"
      << "upload_policy { window_start: \"00:00\" window_end: \"00:00\" require_parked: false }\n";
  if (!s.control_socket.empty()) out << "control_socket: \"" << s.control_socket << "\"\n";
  if (!s.backend.empty()) {
    out << "backend { config_url: \"" << s.backend << "/config\" heartbeat_url: \"" << s.backend
        << "/heartbeat\" }\n"
        << "trusted_keys { key_id: \"k1\" ed25519_public_key: \"";
    for (int i = 0; i < 32; ++i) out << "\\001";
    out << "\" }\n";
  }
}

// A daemon running on its own thread; SIGTERM (through its signalfd) stops it.
class RunningDaemon {
 public:
  explicit RunningDaemon(const TempDir& dir) {
    REQUIRE(BlockSignals().ok());  // before any thread: the daemon reads SIGTERM from a signalfd
    auto d = Daemon::Create({.config_path = dir.path() / "fleetclip.conf", .software_version = "t"},
                            clock_, sink_);
    INFO((d.ok() ? "" : d.error().ToString()));
    REQUIRE(d.ok());
    daemon_ = std::move(*d);
    thread_ = std::thread([this] { exit_code_ = daemon_->Run(); });
  }
  ~RunningDaemon() { Stop(); }

  int Stop() {
    if (thread_.joinable()) {
      ::kill(::getpid(), SIGTERM);
      thread_.join();
      daemon_.reset();
    }
    return exit_code_;
  }
  MemoryLogSink& log() { return sink_; }

 private:
  RealClock clock_;
  MemoryLogSink sink_;
  std::unique_ptr<Daemon> daemon_;
  std::thread thread_;
  int exit_code_ = -1;
};

Result<proto::ControlResponse> Call(const std::filesystem::path& socket,
                                    const proto::ControlRequest& request) {
  return CallControl(socket, request, 5s);
}

proto::ControlRequest StatusRequest() {
  proto::ControlRequest r;
  r.set_status(true);
  return r;
}

proto::ControlRequest ReloadRequest() {
  proto::ControlRequest r;
  r.set_reload(true);
  return r;
}

proto::ControlRequest TriggerRequest() {
  proto::ControlRequest r;
  r.mutable_trigger()->set_pre_roll_ms(1'000);
  r.mutable_trigger()->set_post_roll_ms(200);
  return r;
}

// Waits (at most 10 s) until the daemon runs and its camera delivers packets.
bool WaitRunning(const std::filesystem::path& socket) {
  for (int i = 0; i < 100; ++i) {
    auto r = Call(socket, StatusRequest());
    if (r.ok() && r->status().state() == "running" && r->status().cameras_size() == 1 &&
        r->status().cameras(0).packets() > 10) {
      return true;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

int64_t Uploaded(const proto::DaemonStatus& s) {
  const auto& by_state = s.queue().clips_by_state();
  return by_state.count("uploaded") ? by_state.at("uploaded") : 0;
}

}  // namespace

TEST_CASE("A reload applies the storage quota and lists the vehicle id as waiting for a restart") {
  TempDir dir;
  WriteConfig(dir, {});
  const auto control = dir.path() / "run" / "control.sock";
  RunningDaemon d(dir);
  REQUIRE(WaitRunning(control));

  WriteConfig(dir, Vehicle("car-2", int64_t{2} << 30));
  auto reloaded = Call(control, ReloadRequest());
  REQUIRE(reloaded.ok());
  CHECK(reloaded->ok());
  auto status = Call(control, StatusRequest());
  REQUIRE(status.ok());
  CHECK(status->status().vehicle_id() == "car-1");
  CHECK(status->status().queue().quota_bytes() == int64_t{2} << 30);
  REQUIRE(status->status().awaiting_restart_size() == 1);
  CHECK(status->status().awaiting_restart(0) == "vehicle_id");
  CHECK(status->status().last_config_rejection().empty());
  CHECK(d.log().Count("event=reload_waits_for_restart") == 1);
  CHECK(d.log().Count("keys=vehicle_id") == 1);

  // The clip cut after the reload is written and uploaded under the running vehicle id.
  auto t = Call(control, TriggerRequest());
  REQUIRE(t.ok());
  REQUIRE(t->ok());
  int64_t uploaded = 0;
  for (int i = 0; i < 200 && uploaded == 0; ++i) {
    std::this_thread::sleep_for(100ms);
    auto r = Call(control, StatusRequest());
    REQUIRE(r.ok());
    uploaded = Uploaded(r->status());
  }
  CHECK(uploaded == 1);
  CHECK(std::filesystem::is_directory(dir.path() / "uploaded" / "car-1"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "uploaded" / "car-2"));

  // Back to the file the daemon started with: nothing waits any more.
  WriteConfig(dir, Quota(int64_t{2} << 30));
  REQUIRE(Call(control, ReloadRequest()).ok());
  status = Call(control, StatusRequest());
  REQUIRE(status.ok());
  CHECK(status->status().awaiting_restart_size() == 0);
  CHECK(d.Stop() == 0);
}

TEST_CASE("Shutdown removes the control socket it bound, not the one a reload read") {
  TempDir dir;
  WriteConfig(dir, {});
  const auto control = dir.path() / "run" / "control.sock";
  const auto other = dir.path() / "other.sock";
  std::ofstream(other) << "not ours";  // whatever lives at the new path is not the daemon's
  RunningDaemon d(dir);
  REQUIRE(WaitRunning(control));

  WriteConfig(dir, ControlSocket(other.string()));
  auto reloaded = Call(control, ReloadRequest());
  REQUIRE(reloaded.ok());
  CHECK(reloaded->ok());
  auto status = Call(control, StatusRequest());  // still answered where it was bound
  REQUIRE(status.ok());
  REQUIRE(status->status().awaiting_restart_size() == 1);
  CHECK(status->status().awaiting_restart(0) == "control_socket");

  CHECK(d.Stop() == 0);
  CHECK_FALSE(std::filesystem::exists(control));
  CHECK(std::filesystem::exists(other));
}

TEST_CASE("Heartbeats are built on the backend thread while reloads and triggers run") {
  // Before the server's thread exists, so that it inherits the mask and SIGTERM reaches only the
  // daemon's signalfd.
  REQUIRE(BlockSignals().ok());
  testing::HttpTestServer backend;
  // The first poll answers late, so its heartbeat comes in the middle of the reloads below. The
  // config URL answers 404 (no fleet config): a heartbeat follows every poll all the same.
  backend.Inject({.path = "/config", .delay_ms = 1'500});
  TempDir dir;
  WriteConfig(dir, Backend(backend.url()));
  const auto control = dir.path() / "run" / "control.sock";
  RunningDaemon d(dir);
  REQUIRE(WaitRunning(control));

  const auto heartbeats = [&] {
    std::vector<proto::DaemonStatus> out;
    for (const testing::RecordedRequest& r : backend.Requests()) {
      proto::DaemonStatus s;
      if (r.method == "POST" && r.target == "/heartbeat" && s.ParseFromString(r.body)) {
        out.push_back(std::move(s));
      }
    }
    return out;
  };
  int reloads = 0, triggers = 0, after_heartbeat = 0;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline = started + 60s;
  // Until five rounds after the first heartbeat: the time bound is the one that matters (a round
  // takes ~5 ms here, so 400 rounds could end before the delayed poll answered, and did now and
  // then); the count bound only backs it up.
  for (int i = 0; i < 20'000 && after_heartbeat < 5 && std::chrono::steady_clock::now() < deadline;
       ++i) {
    // Alternate the quota, a reloadable key: each reload changes what status reports.
    WriteConfig(dir, Backend(backend.url(), (int64_t{1} + i % 2) << 30));
    auto r = Call(control, ReloadRequest());
    REQUIRE(r.ok());
    CHECK(r->ok());
    ++reloads;
    if (i % 4 == 0) {
      auto t = Call(control, TriggerRequest());
      REQUIRE(t.ok());
      CHECK(t->ok());
      ++triggers;
    }
    REQUIRE(Call(control, StatusRequest()).ok());
    if (!heartbeats().empty()) ++after_heartbeat;
  }
  const std::vector<proto::DaemonStatus> sent = heartbeats();
  INFO("reloads "
       << reloads << ", triggers " << triggers << " in "
       << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
       << " s; requests:\n"
       << [&] {
            std::string all;
            for (const testing::RecordedRequest& r : backend.Requests())
              all += r.method + " " + r.target + "\n";
            return all;
          }());
  REQUIRE_FALSE(sent.empty());
  CHECK(sent[0].vehicle_id() == "car-1");
  CHECK(sent[0].state() == "running");
  CHECK(sent[0].awaiting_restart_size() == 0);
  CHECK(after_heartbeat >= 5);
  CHECK(d.Stop() == 0);
}

}  // namespace fleetclip::daemon

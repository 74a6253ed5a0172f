// The daemon's parts that need no running pipeline: watchdog progress, control socket framing,
// sd_notify, status line and metrics text, the credentials file and the upload target factory.
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/unique_handle.h"
#include "daemon/control_protocol.h"
#include "daemon/progress.h"
#include "daemon/service_notifier.h"
#include "daemon/status_report.h"
#include "daemon/upload_target.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::daemon {
namespace {

using namespace std::chrono_literals;

std::pair<UniqueFd, UniqueFd> SocketPair() {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

TEST_CASE("A worker that stops beating is reported stalled once its limit has passed") {
  FakeClock clock;
  ProgressBoard board;
  const auto signals = board.Add("signals", 20s, clock.Now());
  const auto upload = board.Add("uploader", 15min, clock.Now());
  clock.Advance(19s);
  board.Beat(upload, clock.Now());
  CHECK(board.Stalled(clock.Now()).empty());
  clock.Advance(2s);
  REQUIRE(board.Stalled(clock.Now()) == std::vector<std::string>{"signals (stalled 21 s)"});
  board.Beat(signals, clock.Now());
  CHECK(board.Stalled(clock.Now()).empty());
}

TEST_CASE("A control message is framed with its length and one over the limit is refused") {
  auto [a, b] = SocketPair();
  proto::ControlRequest req;
  req.mutable_trigger()->set_note("brake test");
  REQUIRE(WriteFramed(a.get(), req.SerializeAsString()).ok());
  Result<std::string> got = ReadFramed(b.get());
  REQUIRE(got.ok());
  proto::ControlRequest back;
  REQUIRE(back.ParseFromString(*got));
  CHECK(back.trigger().note() == "brake test");

  const unsigned char huge[4] = {0x7f, 0xff, 0xff, 0xff};
  REQUIRE(::write(a.get(), huge, 4) == 4);
  Result<std::string> refused = ReadFramed(b.get());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message() ==
        "control message length 2147483647 is over the limit of 1048576");
}

TEST_CASE("A peer that closes mid-message is reported, not waited for") {
  auto [a, b] = SocketPair();
  const unsigned char header[4] = {0, 0, 0, 10};
  REQUIRE(::write(a.get(), header, 4) == 4);
  REQUIRE(::write(a.get(), "abc", 3) == 3);
  a.Reset();
  Result<std::string> r = ReadFramed(b.get());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kUnavailable);
}

TEST_CASE("CallControl without a daemon says so and names the socket") {
  TempDir dir;
  proto::ControlRequest req;
  req.set_status(true);
  auto r = CallControl(dir.path() / "control.sock", req, 1s);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message(), Catch::Contains("control.sock (is fleetclipd running?)"));
}

TEST_CASE("The notifier sends READY, STATUS and WATCHDOG to $NOTIFY_SOCKET") {
  TempDir dir;
  const std::string path = (dir.path() / "notify.sock").string();
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::bind(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "30000000", 1);
  ::unsetenv("WATCHDOG_PID");
  ServiceNotifier notifier;
  REQUIRE(notifier.watchdog_interval() == std::chrono::microseconds(15'000'000));
  notifier.Ready();
  notifier.Status("running: line one\nline two");
  notifier.Watchdog();
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    char buf[512];
    const ssize_t n = ::recv(sock.get(), buf, sizeof buf, MSG_DONTWAIT);
    REQUIRE(n > 0);
    got.emplace_back(buf, static_cast<size_t>(n));
  }
  CHECK(got ==
        std::vector<std::string>{"READY=1", "STATUS=running: line one line two", "WATCHDOG=1"});
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
}

TEST_CASE("The status line summarises cameras, signals, queue, upload and config") {
  proto::DaemonStatus s;
  s.set_state("running");
  for (double fps : {15.0, 14.5}) {
    proto::CameraStatus* c = s.add_cameras();
    c->set_connected(true);
    c->set_fps(fps);
  }
  s.add_cameras()->set_connected(false);
  s.set_signal_rate_hz(99.6);
  (*s.mutable_queue()->mutable_clips_by_state())["ready"] = 2;
  (*s.mutable_queue()->mutable_clips_by_state())["uploaded"] = 1;
  (*s.mutable_queue()->mutable_clips_by_state())["lost"] = 0;
  s.set_upload_decision("waiting: window opens 22:00");
  s.set_config_version(7);
  s.set_last_config_rejection("version_too_low: version 4 is lower than the active version 7");
  CHECK(StatusLine(s) ==
        "running: 2/3 cameras 29.5 fps, signals 100 Hz, queue 2 ready 1 uploaded, upload: "
        "waiting: window opens 22:00, config v7 (last push rejected)");
}

TEST_CASE("Metrics are Prometheus text with help, type and escaped labels") {
  MetricsSnapshot m;
  (*m.status.mutable_queue()->mutable_clips_by_state())["ready"] = 3;
  m.clips_by_rule = {{"odd\"rule\\", 2}};
  proto::CameraStatus* c = m.status.add_cameras();
  c->set_name("front");
  c->set_fps(14.997);
  m.status.set_config_version(9);
  m.upload_bytes = 1234;
  const std::string text = FormatMetrics(m);
  CHECK_THAT(text, Catch::Contains("# TYPE fleetclip_clips gauge\n"));
  CHECK_THAT(text, Catch::Contains("fleetclip_clips{state=\"ready\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("fleetclip_clips_by_rule{rule=\"odd\\\"rule\\\\\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("fleetclip_camera_fps{camera=\"front\"} 14.997\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE fleetclip_upload_bytes_total counter\n"
                                   "fleetclip_upload_bytes_total 1234\n"));
  CHECK_THAT(text, Catch::Contains("fleetclip_config_version 9\n"));
  // Every sample line is `name{labels} value` or `name value`.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#")) continue;
    INFO(line);
    CHECK(line.rfind(' ') != std::string::npos);
    CHECK(line.starts_with("fleetclip_"));
  }
}

TEST_CASE("A credentials file with an unknown key or no '=' names the file and the line") {
  TempDir dir;
  const auto path = dir.path() / "credentials";
  std::ofstream(path) << "# keys\naccess_key_id = AK\nsecret_access_key=SK\n";
  auto ok = ReadCredentialsFile(path);
  REQUIRE(ok.ok());
  CHECK(ok->at("access_key_id") == "AK");
  CHECK(ok->at("secret_access_key") == "SK");
  std::ofstream(path) << "access_key_id=AK\nsecret=SK\n";
  auto bad = ReadCredentialsFile(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() ==
        path.string() +
            ":2: unknown key \"secret\" (access_key_id, secret_access_key, session_token, "
            "bearer_token)");
  std::ofstream(path) << "access_key_id AK\n";
  CHECK(ReadCredentialsFile(path).error().message() == path.string() + ":1: expected key=value");
}

TEST_CASE("The upload target is built from its URL, and a bad one is refused with the reason") {
  MemoryLogSink sink;
  Logger log(sink);
  TempDir dir;
  proto::UploadTarget t;
  proto::UploadPolicyConfig policy;
  t.set_url("file://" + (dir.path() / "out").string());
  auto file = MakeUploadTarget(t, policy, log);
  REQUIRE(file.ok());
  CHECK(file->transport != nullptr);
  t.set_url("s3://bucket/prefix/");
  CHECK(MakeUploadTarget(t, policy, log).error().message() ==
        "upload.endpoint: required for an s3:// url");
  t.set_endpoint("http://127.0.0.1:7480");
  t.set_credentials_file((dir.path() / "missing").string());
  CHECK_FALSE(MakeUploadTarget(t, policy, log).ok());
  std::ofstream(dir.path() / "creds") << "access_key_id=AK\n";
  t.set_credentials_file((dir.path() / "creds").string());
  CHECK(MakeUploadTarget(t, policy, log).error().message() ==
        "credentials file " + (dir.path() / "creds").string() + " has no secret_access_key");
  std::ofstream(dir.path() / "creds") << "access_key_id=AK\nsecret_access_key=SK\n";
  auto s3 = MakeUploadTarget(t, policy, log);
  REQUIRE(s3.ok());
  CHECK(s3->prefix == "prefix");
  t.set_url("ftp://host/x");
  CHECK(MakeUploadTarget(t, policy, log).error().message() ==
        "upload.url: \"ftp://host/x\" is not s3://, https://, http:// or file://");
}

TEST_CASE("Targets on this machine count as local and others do not") {
  proto::UploadTarget t;
  t.set_url("file:///var/lib/out");
  CHECK(IsLocalTarget(t));
  t.set_url("s3://bucket/p");
  t.set_endpoint("http://127.0.0.1:7480");
  CHECK(IsLocalTarget(t));
  t.set_endpoint("https://s3.eu-west-1.amazonaws.com");
  CHECK_FALSE(IsLocalTarget(t));
  t.set_url("https://[::1]:8443/up");
  CHECK(IsLocalTarget(t));
  t.set_url("https://uploads.example.com/up");
  CHECK_FALSE(IsLocalTarget(t));
}

TEST_CASE("A target whose credentials file is missing waits, retryably, instead of failing") {
  MemoryLogSink sink;
  Logger log(sink);
  TempDir dir;
  proto::UploadTarget t;
  t.set_url("s3://bucket/p");
  t.set_endpoint("http://127.0.0.1:9");
  t.set_credentials_file((dir.path() / "credentials").string());
  REQUIRE(MakeUploadTarget(t, {}, log).error().code() == ErrorCode::kNotFound);
  LazyTransport lazy(t, {}, log);
  class NoJournal final : public uploader::UploadJournal {
   public:
    Result<uploader::FileUploadState> GetUploadState(const std::string&,
                                                     const std::string&) override {
      return uploader::FileUploadState{};
    }
    Status SetUploadId(const std::string&, const std::string&, const std::string&,
                       int64_t) override {
      return Ok();
    }
    Status AddUploadedPart(const std::string&, const std::string&,
                           const uploader::UploadedPart&) override {
      return Ok();
    }
    Status MarkFileUploaded(const std::string&, const std::string&) override { return Ok(); }
    Status ClearUploadState(const std::string&, const std::string&) override { return Ok(); }
  } journal;
  std::ofstream(dir.path() / "clip.mp4") << "bytes";
  uploader::LocalFile file{"clip.mp4", dir.path() / "clip.mp4", 5, "", false};
  Status s = lazy.PutFile("c1", file, "p/c1/clip.mp4", journal, {});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kUnavailable);
  CHECK_THAT(s.error().message(), Catch::StartsWith("upload target not usable yet: not_found"));
  CHECK(lazy.stats().bytes_sent == 0);
}

}  // namespace fleetclip::daemon

// Heartbeat against the real HTTP test server: the serialized status arrives, failures are
// counted and logged rate-limited, and ConfigPoller::Run sends one after each regular poll.
#include "daemon/backend/heartbeat.h"

#include <catch2/catch.hpp>
#include <thread>

#include "daemon/backend/config_poller.h"
#include "tests/support/curl_init.h"
#include "tests/support/http_test_server.h"

namespace fleetclip::daemon::backend {
namespace {

using testing::HttpTestServer;

struct HeartbeatFixture {
  HeartbeatFixture() { InitCurlForTests(); }

  std::unique_ptr<Heartbeat> Make() {
    HeartbeatOptions o;
    o.url = server.url() + "/heartbeat?vehicle=veh-7";
    o.http.connect_timeout_ms = 2'000;
    o.http.stall_timeout_ms = 2'000;
    auto h = Heartbeat::Create(o, clock, log);
    REQUIRE(h.ok());
    return std::move(*h);
  }

  HttpTestServer server;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink, LogLevel::kDebug};
};

proto::DaemonStatus SampleStatus() {
  proto::DaemonStatus s;
  s.set_state("running");
  s.set_vehicle_id("veh-7");
  s.set_config_version(42);
  (*s.mutable_queue()->mutable_clips_by_state())["ready"] = 3;
  (*s.mutable_queue()->mutable_bytes_by_state())["ready"] = 123'456'789;
  s.set_last_config_rejection("signature by unknown key k9");
  return s;
}

TEST_CASE_METHOD(HeartbeatFixture, "The heartbeat POST carries the serialized status as protobuf") {
  auto hb = Make();
  REQUIRE(hb->Send(SampleStatus()).ok());
  const auto requests = server.Requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/heartbeat?vehicle=veh-7");
  CHECK(requests[0].Header("content-type") == "application/x-protobuf");
  proto::DaemonStatus got;
  REQUIRE(got.ParseFromString(requests[0].body));
  CHECK(got.vehicle_id() == "veh-7");
  CHECK(got.config_version() == 42);
  CHECK(got.queue().bytes_by_state().at("ready") == 123'456'789);
  CHECK(got.last_config_rejection() == "signature by unknown key k9");
  CHECK(hb->stats().sent == 1);
}

TEST_CASE_METHOD(HeartbeatFixture,
                 "Failed heartbeats are counted and logged at most once per interval") {
  auto hb = Make();
  server.SetUploadStatus(503);
  for (int i = 0; i < 3; ++i) CHECK_FALSE(hb->Send(SampleStatus()).ok());
  CHECK(hb->stats().failed == 3);
  CHECK(hb->stats().consecutive_failures == 3);
  CHECK_THAT(hb->stats().last_error, Catch::Contains("http 503"));
  CHECK(sink.Count("event=heartbeat_failed") == 1);
  clock.Advance(std::chrono::minutes(16));
  CHECK_FALSE(hb->Send(SampleStatus()).ok());
  CHECK(sink.Count("event=heartbeat_failed") == 2);
  CHECK(sink.Count("suppressed=2") == 1);
  server.SetUploadStatus(204);
  CHECK(hb->Send(SampleStatus()).ok());
  CHECK(hb->stats().consecutive_failures == 0);
  CHECK(hb->stats().last_error.empty());
}

TEST_CASE_METHOD(HeartbeatFixture, "A heartbeat to a server that is gone fails without throwing") {
  HeartbeatOptions o;
  o.url = server.url() + "/heartbeat";
  server.Stop();
  auto hb = Heartbeat::Create(o, clock, log);
  REQUIRE(hb.ok());
  Status s = (*hb)->Send(SampleStatus());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().retryable());
}

TEST_CASE_METHOD(HeartbeatFixture, "The poll loop sends a heartbeat after every regular poll") {
  server.Serve("/config", "fleet config v1");
  auto hb = Make();
  ConfigPollerOptions o;
  o.config_url = server.url() + "/config";
  o.uniform01 = [] { return 0.5; };
  auto poller = ConfigPoller::Create(o, clock, log);
  REQUIRE(poller.ok());
  ConfigPoller& p = **poller;
  std::atomic<uint64_t> version{0};
  std::jthread thread([&](std::stop_token stop) {
    p.Run(
        stop,
        [&](const std::string&, const std::string&) {
          version = 7;
          return Ok();
        },
        [&](std::stop_token s) {
          proto::DaemonStatus status = SampleStatus();
          status.set_config_version(version);
          (void)hb->Send(status, s);
        });
  });
  REQUIRE(server.WaitForRequests(2, std::chrono::seconds(10)));
  clock.Advance(std::chrono::minutes(20));
  REQUIRE(server.WaitForRequests(4, std::chrono::seconds(10)));
  const auto requests = server.Requests();
  CHECK(requests[0].method == "GET");
  CHECK(requests[1].method == "POST");
  CHECK(requests[2].method == "GET");
  CHECK(requests[3].method == "POST");
  proto::DaemonStatus first;
  REQUIRE(first.ParseFromString(requests[1].body));
  CHECK(first.config_version() == 7);  // the status after the config was applied
}

}  // namespace
}  // namespace fleetclip::daemon::backend

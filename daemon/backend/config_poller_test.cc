// ConfigPoller against the real HTTP test server on 127.0.0.1: conditional GETs, the body cap,
// transient and permanent failures, the jittered schedule on a FakeClock, wake-ups and stopping.
#include "daemon/backend/config_poller.h"

#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/curl_init.h"
#include "tests/support/http_test_server.h"

namespace fleetclip::daemon::backend {
namespace {

using testing::HttpFault;
using testing::HttpTestServer;
using testing::ServedResource;
using Kind = PollResult::Kind;

constexpr int64_t kInterval = 15 * 60'000;

// Waits (bounded, in real time) until `pred` holds.
template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  for (auto waited = std::chrono::milliseconds(0); waited < timeout;
       waited += std::chrono::milliseconds(1)) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

struct Fixture {
  Fixture() { InitCurlForTests(); }

  ConfigPollerOptions Options(const std::string& path = "/config") const {
    ConfigPollerOptions o;
    o.config_url = server.url() + path;
    o.http.connect_timeout_ms = 2'000;
    o.http.stall_timeout_ms = 2'000;
    o.uniform01 = [] { return 0.5; };
    return o;
  }
  std::unique_ptr<ConfigPoller> Poller(ConfigPollerOptions o, const Clock& c) {
    auto p = ConfigPoller::Create(std::move(o), c, log);
    REQUIRE(p.ok());
    return std::move(*p);
  }
  std::unique_ptr<ConfigPoller> Poller() { return Poller(Options(), clock); }

  HttpTestServer server;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink, LogLevel::kDebug};
};

// Runs a poller's loop on its own thread, recording what the callback saw.
struct Runner {
  Runner(
      ConfigPoller& poller, std::function<Status()> verdict = [] { return Ok(); })
      : thread([&poller, this, verdict](std::stop_token stop) {
          poller.Run(stop, [this, verdict](const std::string& bytes, const std::string& etag) {
            std::lock_guard lock(mu);
            seen.emplace_back(bytes, etag);
            return verdict();
          });
        }) {}
  size_t Calls() {
    std::lock_guard lock(mu);
    return seen.size();
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> seen;  // guarded by mu
  std::jthread thread;
};

TEST_CASE_METHOD(Fixture, "The first poll fetches the config and returns its ETag") {
  server.Serve("/config", "fleet config v1");
  auto poller = Poller();
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kNew);
  CHECK(r.bytes == "fleet config v1");
  CHECK(r.etag == server.EtagOf("/config"));
  CHECK_FALSE(r.etag.empty());
  REQUIRE(server.RequestCount() == 1);
  CHECK(server.Requests()[0].Header("if-none-match").empty());
  CHECK(poller->stats().etag == r.etag);
}

TEST_CASE_METHOD(Fixture, "The second poll sends If-None-Match and a 304 does not call back") {
  server.Serve("/config", "fleet config v1");
  auto poller = Poller();
  Runner runner(*poller);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  clock.Set(poller->stats().next_poll);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 2; }));
  CHECK(runner.Calls() == 1);
  CHECK(poller->stats().not_modified == 1);
  const auto requests = server.Requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].Header("if-none-match") == server.EtagOf("/config"));
  CHECK(requests[1].status == 304);
}

TEST_CASE_METHOD(Fixture, "Changed bytes are fetched with their new ETag") {
  server.Serve("/config", "fleet config v1");
  auto poller = Poller();
  PollResult first = poller->PollOnce();
  REQUIRE(first.kind == Kind::kNew);
  server.Serve("/config", "fleet config v2");
  PollResult second = poller->PollOnce();
  REQUIRE(second.kind == Kind::kNew);
  CHECK(second.bytes == "fleet config v2");
  CHECK(second.etag == server.EtagOf("/config"));
  CHECK(second.etag != first.etag);
  CHECK(server.Requests()[1].Header("if-none-match") == first.etag);
}

TEST_CASE_METHOD(Fixture, "A body one byte over the cap is refused and the error names the cap") {
  auto o = Options();
  o.max_config_bytes = 4096;
  server.Serve("/config", std::string(4097, 'x'));
  auto poller = Poller(o, clock);
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kPermanentError);
  CHECK_THAT(r.error->message(), Catch::Contains("backend.max_config_bytes=4096"));
  CHECK_FALSE(r.error->retryable());
  CHECK(r.bytes.empty());
}

TEST_CASE_METHOD(Fixture, "An oversized streamed body is cut off without downloading all of it") {
  ServedResource big;
  big.body = std::string(64 << 20, 'x');
  big.chunked = true;  // no Content-Length to go by
  server.Serve("/config", std::move(big));
  auto poller = Poller();  // the default cap, 1 MiB
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kPermanentError);
  CHECK_THAT(r.error->message(), Catch::Contains("max_config_bytes=1048576"));
  REQUIRE(server.WaitForRequests(1, std::chrono::seconds(10)));
  // The client hung up: the server could not write more than the socket buffers held.
  CHECK(server.Requests()[0].body_bytes_sent < (16 << 20));
}

TEST_CASE_METHOD(Fixture, "A 503 is retried after a backoff sooner than the next regular poll") {
  server.Serve("/config", "fleet config v1");
  server.Inject(HttpFault{.path = "/config", .status = 503});
  auto poller = Poller();
  Runner runner(*poller);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  PollerStats s = poller->stats();
  CHECK(s.consecutive_failures == 1);
  CHECK_THAT(s.last_error, Catch::Contains("http 503"));
  // Full jitter under the first ceiling (5 s): the draw 0.5 gives 2.5 s.
  CHECK(s.next_poll - s.last_poll_end == std::chrono::milliseconds(2'500));
  CHECK(runner.Calls() == 0);
  clock.Set(s.next_poll);
  REQUIRE(WaitUntil([&] { return runner.Calls() == 1; }));
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 2; }));
  CHECK(poller->stats().consecutive_failures == 0);
  CHECK(poller->stats().next_poll - poller->stats().last_poll_end ==
        std::chrono::milliseconds(kInterval));
}

TEST_CASE_METHOD(Fixture, "A Retry-After longer than the backoff is honoured") {
  server.Serve("/config", "fleet config v1");
  server.Inject(HttpFault{.path = "/config", .status = 429, .retry_after_s = 40});
  auto poller = Poller();
  Runner runner(*poller);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  const PollerStats s = poller->stats();
  CHECK(s.next_poll - s.last_poll_end == std::chrono::seconds(40));
}

TEST_CASE_METHOD(Fixture, "A connection dropped mid-body is a transient error") {
  server.Serve("/config", std::string(100'000, 'c'));
  server.Inject(HttpFault{.path = "/config", .close_mid_body = true});
  auto poller = Poller();
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kTransientError);
  CHECK(r.error->retryable());
  CHECK_THAT(r.error->message(), Catch::Contains("GET " + server.url() + "/config"));
  PollResult again = poller->PollOnce();
  CHECK(again.kind == Kind::kNew);
}

TEST_CASE_METHOD(Fixture, "A server that stalls past the stall timeout is a transient timeout") {
  server.Serve("/config", "fleet config v1");
  server.Inject(HttpFault{.path = "/config", .delay_ms = 4'000});
  auto o = Options();
  o.http.stall_timeout_ms = 1'000;  // libcurl counts it in whole seconds
  auto poller = Poller(o, clock);
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kTransientError);
  CHECK(r.error->code() == ErrorCode::kTimeout);
}

TEST_CASE_METHOD(Fixture, "A missing config is a permanent error that waits for the next poll") {
  auto poller = Poller();
  Runner runner(*poller);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  const PollerStats s = poller->stats();
  CHECK_THAT(s.last_error, Catch::Contains("http 404"));
  CHECK(s.next_poll - s.last_poll_end == std::chrono::milliseconds(kInterval));
  CHECK(sink.Count("event=config_poll_failed") == 1);
}

TEST_CASE("Every jittered interval lies within ten percent of the base") {
  for (int i = 0; i <= 1000; ++i) {
    const Nanos d = ConfigPoller::JitteredInterval(kInterval, i / 1000.0);
    CHECK(d >= std::chrono::milliseconds(kInterval * 9 / 10));
    CHECK(d <= std::chrono::milliseconds(kInterval * 11 / 10));
  }
  CHECK(ConfigPoller::JitteredInterval(kInterval, 0.0) == std::chrono::milliseconds(810'000));
  CHECK(ConfigPoller::JitteredInterval(kInterval, 0.5) == std::chrono::milliseconds(900'000));
}

TEST_CASE_METHOD(Fixture, "Successive polls are spread over the documented ten percent") {
  server.Serve("/config", "fleet config v1");
  auto o = Options();
  o.uniform01 = {};  // the real random source
  auto poller = Poller(o, clock);
  Runner runner(*poller);
  Nanos lo = Nanos::max(), hi = Nanos::min();
  constexpr int kPolls = 200;
  for (int i = 1; i <= kPolls; ++i) {
    REQUIRE(WaitUntil([&] { return poller->stats().polls == i; }));
    const PollerStats s = poller->stats();
    const Nanos gap = s.next_poll - s.last_poll_end;
    REQUIRE(gap >= std::chrono::milliseconds(kInterval * 9 / 10));
    REQUIRE(gap <= std::chrono::milliseconds(kInterval * 11 / 10));
    lo = std::min(lo, gap);
    hi = std::max(hi, gap);
    clock.Set(s.next_poll);
  }
  // 200 uniform draws cover most of the range (each bound missed with probability 0.98^200).
  CHECK(lo < std::chrono::milliseconds(kInterval * 92 / 100));
  CHECK(hi > std::chrono::milliseconds(kInterval * 108 / 100));
  CHECK(runner.Calls() == 1);
}

TEST_CASE_METHOD(Fixture, "PollNow wakes the sleeping poller at once") {
  server.Serve("/config", "fleet config v1");
  auto poller = Poller();
  Runner runner(*poller);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  server.Serve("/config", "fleet config v2");
  poller->PollNow();
  REQUIRE(WaitUntil([&] { return runner.Calls() == 2; }));
  CHECK(runner.seen[1].first == "fleet config v2");
  CHECK(clock.Now() < poller->stats().next_poll);  // the fake clock never moved
}

TEST_CASE_METHOD(Fixture, "A poller stops promptly when stopped while sleeping") {
  server.Serve("/config", "fleet config v1");
  RealClock real;
  auto poller = Poller(Options(), real);  // sleeps 15 min between polls
  auto runner = std::make_unique<Runner>(*poller);
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  REQUIRE(WaitUntil([&] { return poller->stats().next_poll > real.Now(); }));
  const MonoTime asked = real.Now();
  runner.reset();  // requests stop and joins
  CHECK(real.Now() - asked < std::chrono::seconds(1));
}

TEST_CASE_METHOD(Fixture, "The after-poll hook runs before a wait that would leave it overdue") {
  server.Serve("/config", "fleet config v1");
  auto poller = Poller();
  std::atomic<int> hooks{0};
  std::jthread thread([&](std::stop_token stop) {
    poller->Run(
        stop, [](const std::string&, const std::string&) { return Ok(); },
        [&](std::stop_token) { ++hooks; });
  });
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  CHECK(hooks == 1);
  clock.Advance(std::chrono::minutes(5));
  server.Inject(HttpFault{.path = "/config", .status = 503, .retry_after_s = 15 * 60});
  poller->PollNow();  // fails 5 min after the hook ran; the retry waits 15 min more
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 2; }));
  CHECK(poller->stats().next_poll - poller->stats().last_poll_end == std::chrono::minutes(15));
  REQUIRE(WaitUntil([&] { return hooks == 2; }));
}

TEST_CASE_METHOD(Fixture, "A rejected config keeps its ETag and is not fetched or logged again") {
  server.Serve("/config", "a config with a bad signature");
  auto poller = Poller();
  Runner runner(*poller, [] { return Status(Error(ErrorCode::kCorruption, "bad signature")); });
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(WaitUntil([&] { return poller->stats().polls == i; }));
    clock.Set(poller->stats().next_poll);
  }
  CHECK(runner.Calls() == 1);
  CHECK(poller->stats().rejected == 1);
  CHECK(sink.Count("event=config_rejected") == 1);
  const auto requests = server.Requests();
  CHECK(requests[1].status == 304);
  CHECK(requests[2].status == 304);
}

TEST_CASE_METHOD(Fixture, "After a reload the rejected bytes are fetched and offered again") {
  // E.g. rejected for an unknown key; then SIGHUP with a base config that trusts the key.
  server.Serve("/config", "a config signed by a key not yet trusted");
  auto poller = Poller();
  std::atomic<bool> trusted{false};
  Runner runner(*poller, [&trusted] {
    return trusted ? Ok() : Status(Error(ErrorCode::kInvalidArgument, "unknown_key: k2"));
  });
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  CHECK(poller->stats().rejected == 1);
  trusted = true;
  poller->PollNow(ConfigPoller::Refetch::kYes);
  REQUIRE(WaitUntil([&] { return runner.Calls() == 2; }));
  CHECK(runner.seen[1].first == "a config signed by a key not yet trusted");
  const auto requests = server.Requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].Header("if-none-match").empty());
  CHECK(requests[1].status == 200);
  // The next plain poll revalidates again.
  poller->PollNow();
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 3; }));
  CHECK(server.Requests()[2].status == 304);
  CHECK(runner.Calls() == 2);
}

TEST_CASE_METHOD(Fixture, "A config the daemon could not store is fetched again after a backoff") {
  server.Serve("/config", "fleet config v1");
  auto poller = Poller();
  int verdicts = 0;
  Runner runner(*poller, [&verdicts] {
    return ++verdicts == 1 ? Status(Error(ErrorCode::kNoSpace, "state dir full")) : Ok();
  });
  REQUIRE(WaitUntil([&] { return poller->stats().polls == 1; }));
  const PollerStats s = poller->stats();
  CHECK(s.etag.empty());
  CHECK(s.next_poll - s.last_poll_end == std::chrono::milliseconds(2'500));
  clock.Set(s.next_poll);
  REQUIRE(WaitUntil([&] { return runner.Calls() == 2; }));
  CHECK(server.Requests()[1].Header("if-none-match").empty());
}

TEST_CASE_METHOD(Fixture, "Identical bytes from a server without ETags count as not modified") {
  ServedResource r;
  r.body = "fleet config v1";
  r.send_etag = false;
  server.Serve("/config", std::move(r));
  auto poller = Poller();
  CHECK(poller->PollOnce().kind == Kind::kNew);
  CHECK(poller->PollOnce().kind == Kind::kNotModified);
}

TEST_CASE_METHOD(Fixture, "Options out of bounds are refused with the field and the bound") {
  auto o = Options();
  o.poll_interval_ms = 1'000;
  auto p = ConfigPoller::Create(o, clock, log);
  REQUIRE_FALSE(p.ok());
  CHECK_THAT(p.error().message(),
             Catch::Contains("backend.poll_interval_ms=1000") && Catch::Contains("60000"));
  o = Options();
  o.config_url = "ftp://example.com/config";
  CHECK_FALSE(ConfigPoller::Create(o, clock, log).ok());
  o.config_url = "s3://bucket-only";
  CHECK_FALSE(ConfigPoller::Create(o, clock, log).ok());
}

}  // namespace
}  // namespace fleetclip::daemon::backend

// Uploader passes on a fake queue and a recording transport: manifest.pb goes last, a held-back
// clip is not touched and its reason is reported, retryable errors schedule the next attempt after
// the backoff, permanent ones fail the clip, already-uploaded files are skipped.
#include <catch2/catch.hpp>

#include "queue/clip_store.h"
#include "tests/support/memory_upload_journal.h"
#include "tests/support/temp_dir.h"
#include "uploader/clip_store_adapter.h"
#include "uploader/uploader.h"

namespace fleetclip::uploader {
namespace {

using namespace std::chrono_literals;

class FakeQueue final : public UploadQueue {
 public:
  Result<std::vector<UploadCandidate>> UploadCandidates(WallTime, int) override { return clips; }
  Status MarkUploading(const std::string& id) override { return Log("uploading " + id); }
  Status MarkUploaded(const std::string& id) override { return Log("uploaded " + id); }
  Status ScheduleRetry(const std::string& id, WallTime next, const std::string& error) override {
    next_attempt = next;
    return Log("retry " + id + " " + error);
  }
  Status MarkFailed(const std::string& id, const std::string& reason) override {
    return Log("failed " + id + " " + reason);
  }
  Result<int64_t> ShiftRetryDeadlines(Nanos, WallTime, Nanos) override { return 0; }
  Status Log(std::string s) {
    events.push_back(std::move(s));
    return Ok();
  }
  std::vector<UploadCandidate> clips;
  std::vector<std::string> events;
  WallTime next_attempt;
};

class RecordingTransport final : public Transport {
 public:
  Status PutFile(const std::string&, const LocalFile& f, const std::string& key, UploadJournal&,
                 std::stop_token) override {
    keys.push_back(key);
    if (f.name == fail_on) return Error(fail_code, "injected");
    return Ok();
  }
  const TransferStats& stats() const override { return stats_; }
  std::vector<std::string> keys;
  std::string fail_on;
  ErrorCode fail_code = ErrorCode::kUnavailable;

 private:
  TransferStats stats_;
};

struct Bench {
  Bench() : policy(PolicyConfig{}, zone), log(sink) {
    clock.Advance(23h);  // 2026-01-01 23:00 UTC: inside the default window
    parked.Observe(clock.Now(), 0, true);
    UploadCandidate c;
    c.clip_id = "c1";
    c.vehicle_id = "veh";
    c.priority = 10;
    c.captured_at = clock.WallNow();
    c.attempts = 2;
    c.files = {{"manifest.pb", "/x/manifest.pb", 10, "", false},
               {"front.mp4", "/x/front.mp4", 100, "", false},
               {"rear.mp4", "/x/rear.mp4", 100, "", true}};
    queue.clips.push_back(c);
  }
  Result<PassResult> Pass() {
    Uploader u(queue, journal, transport, policy, clock, log,
               Backoff({1'000, 60'000}, [] { return 0.5; }), UploaderOptions{"p", 8});
    return u.RunPass(net, parked, {});
  }
  FakeClock clock;
  FixedOffsetTimeZone zone{0};
  UploadPolicy policy;
  MemoryLogSink sink;
  Logger log;
  FakeQueue queue;
  MemoryUploadJournal journal;
  RecordingTransport transport;
  ParkedTracker parked;
  NetworkState net{true, "wlan0", proto::LINK_WIFI, false, "default"};
};

TEST_CASE(
    "Files go up before manifest.pb, already-uploaded ones are skipped, then the clip is "
    "uploaded") {
  Bench b;
  Result<PassResult> r = b.Pass();
  REQUIRE(r.ok());
  CHECK(r->uploaded == 1);
  CHECK(b.transport.keys == std::vector<std::string>{"p/veh/2026/01/01/c1/front.mp4",
                                                     "p/veh/2026/01/01/c1/manifest.pb"});
  CHECK(b.queue.events == std::vector<std::string>{"uploading c1", "uploaded c1"});
}

TEST_CASE("A clip the policy holds back is not touched and the reason is reported") {
  Bench b;
  b.net.link = proto::LINK_CELLULAR;
  Result<PassResult> r = b.Pass();
  REQUIRE(r.ok());
  CHECK(r->reason == "waiting: cellular link");
  CHECK(b.queue.events.empty());
  CHECK(b.transport.keys.empty());
}

TEST_CASE(
    "A retryable error schedules the next attempt after the backoff and keeps the manifest back") {
  Bench b;
  b.transport.fail_on = "front.mp4";
  Result<PassResult> r = b.Pass();
  REQUIRE(r.ok());
  CHECK(r->retry_scheduled == 1);
  CHECK(b.transport.keys.size() == 1);  // the manifest was not sent
  // Third attempt (2 failed before): ceiling 4 s, jitter 0.5 → 2 s.
  CHECK(b.queue.next_attempt - b.clock.WallNow() == 2s);
  CHECK_THAT(b.queue.events.back(),
             Catch::StartsWith("retry c1 unavailable: clip c1 file front.mp4"));
}

TEST_CASE("A permanent error fails the clip with the reason") {
  Bench b;
  b.transport.fail_on = "front.mp4";
  b.transport.fail_code = ErrorCode::kPermissionDenied;
  Result<PassResult> r = b.Pass();
  REQUIRE(r.ok());
  CHECK(r->failed == 1);
  CHECK_THAT(b.queue.events.back(), Catch::StartsWith("failed c1 permission_denied:"));
}

TEST_CASE("A clip without a manifest is failed as corrupt, nothing is sent") {
  Bench b;
  b.queue.clips[0].files.erase(b.queue.clips[0].files.begin());
  REQUIRE(b.Pass().ok());
  CHECK(b.transport.keys.empty());
  CHECK_THAT(b.queue.events.back(), Catch::StartsWith("failed c1 corruption:"));
}

TEST_CASE("Bytes a pass spent stay spent after the store and the uploader are made anew") {
  Bench b;
  TempDir dir;
  proto::UploadPolicyConfig pc;
  (*pc.mutable_daily_bytes_per_link())["wifi"] = 1000;
  UploadPolicy policy(*PolicyFromProto(pc), b.zone);
  queue::StoreOptions so;
  so.state_dir = dir.path();
  so.reserve_bytes = 0;
  auto uploader = [&](CounterStore& counters) {
    return Uploader(b.queue, b.journal, b.transport, policy, b.clock, b.log,
                    Backoff({1'000, 60'000}, [] { return 0.5; }),
                    UploaderOptions{"p", 8, &counters});
  };
  {
    auto store = queue::ClipStore::Open(so, b.clock, b.log);
    REQUIRE(store.ok());
    ClipStoreAdapter adapter(**store, "veh");
    Uploader u = uploader(adapter);
    Result<PassResult> r = u.RunPass(b.net, b.parked, {});
    REQUIRE(r.ok());
    CHECK(r->uploaded == 1);  // front.mp4 (100) and manifest.pb (10); rear.mp4 was already up
    CHECK(policy.BudgetLeft(proto::LINK_WIFI, u.budget(), b.clock.WallNow()) == 890);
  }
  // A restart: a new store on the same database, a new adapter and uploader.
  auto store = queue::ClipStore::Open(so, b.clock, b.log);
  REQUIRE(store.ok());
  ClipStoreAdapter adapter(**store, "veh");
  Uploader u = uploader(adapter);
  CHECK(u.budget().Used(proto::LINK_WIFI, b.zone.ToLocal(b.clock.WallNow())) == 110);
  CHECK(policy.BudgetLeft(proto::LINK_WIFI, u.budget(), b.clock.WallNow()) == 890);
  CHECK((*store)->Counter("upload_bytes.wifi.2026-01-01").value() == 110);
  // Without a store (the default) a new uploader starts from zero.
  Uploader memory_only(b.queue, b.journal, b.transport, policy, b.clock, b.log,
                       Backoff({1'000, 60'000}, [] { return 0.5; }), UploaderOptions{"p", 8});
  CHECK(policy.BudgetLeft(proto::LINK_WIFI, memory_only.budget(), b.clock.WallNow()) == 1000);
}

// A real queue (SQLite) on the fake clock, and one uploader kept across passes as the upload
// thread keeps it: clip "c1" whose front.mp4 fails once with a retryable error.
struct RetryBench {
  RetryBench() {
    so.state_dir = dir.path();
    so.reserve_bytes = 0;
    store = std::move(queue::ClipStore::Open(so, b.clock, b.log).value());
    adapter = std::make_unique<ClipStoreAdapter>(*store, "veh");
    queue::ClipRecord c;
    c.id = "c1";
    c.priority = 10;
    c.bytes = 110;
    c.local_bytes = 110;
    c.created_unix_ms = UnixMs(b.clock.WallNow());
    c.window_start_unix_ms = c.created_unix_ms;
    c.files = {{"manifest.pb", 10, std::string(64, 'a')}, {"front.mp4", 100, std::string(64, 'b')}};
    REQUIRE(store->InsertClip(c).ok());
    b.transport.fail_on = "front.mp4";
  }
  static int64_t UnixMs(WallTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  Uploader NewUploader() {
    // First retry: ceiling 60 s, jitter 0.5 → 30 s; no wait is longer than 10 min.
    return Uploader(*adapter, *adapter, b.transport, b.policy, b.clock, b.log,
                    Backoff({60'000, 600'000}, [] { return 0.5; }), UploaderOptions{"p", 8});
  }
  int Uploaded(Uploader& u) {
    Result<PassResult> r = u.RunPass(b.net, b.parked, {});
    REQUIRE(r.ok());
    return r->uploaded;
  }
  Bench b;
  TempDir dir;
  queue::StoreOptions so;
  std::unique_ptr<queue::ClipStore> store;
  std::unique_ptr<ClipStoreAdapter> adapter;
};

// The clip failed once (retry in 30 s), then the wall clock moves by `step`: the retry is not due
// 1 s before its backoff and is due 1 s after it. Returns the retry_deadlines_moved log lines.
int RetriesAfterItsBackoffDespite(Nanos step) {
  RetryBench t;
  Uploader u = t.NewUploader();
  REQUIRE(t.Uploaded(u) == 0);
  t.b.transport.fail_on.clear();
  t.b.clock.StepWall(step);
  t.b.clock.Advance(29s);
  CHECK(t.Uploaded(u) == 0);
  t.b.clock.Advance(2s);
  CHECK(t.Uploaded(u) == 1);
  return t.b.sink.Count("event=retry_deadlines_moved");
}

TEST_CASE("A retry waits its backoff, not a day, when the wall clock is stepped back a day") {
  CHECK(RetriesAfterItsBackoffDespite(-24h) == 1);
}

TEST_CASE("A retry waits its backoff, not less, when the wall clock is stepped forward a day") {
  CHECK(RetriesAfterItsBackoffDespite(24h) == 1);
}

TEST_CASE("After a restart a deadline further away than the longest backoff is pulled in to it") {
  RetryBench t;
  // Kept from before a reboot, with the clock stepped back a day while the car was off.
  REQUIRE(t.store->ScheduleRetry("c1", t.b.clock.WallNow() + 24h, "unavailable: earlier").ok());
  t.b.transport.fail_on.clear();
  Uploader u = t.NewUploader();
  CHECK(t.Uploaded(u) == 0);
  t.b.clock.Advance(599s);
  CHECK(t.Uploaded(u) == 0);
  t.b.clock.Advance(2s);
  CHECK(t.Uploaded(u) == 1);
}

TEST_CASE("A wall clock that only drifts leaves retry deadlines where they are") {
  CHECK(RetriesAfterItsBackoffDespite(-500ms) == 0);  // slewing, not a step
}

}  // namespace
}  // namespace fleetclip::uploader

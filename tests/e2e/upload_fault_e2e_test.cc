// End to end: clips in a real SQLite ClipStore go through Uploader and S3Transport to the Ceph
// RADOS Gateway of scripts/s3-test-server, through the fault-injecting proxy. Thirty multipart
// uploads cut at a random byte each; injected 500/503 SlowDown and a 200 with an error body; a
// stall; a truncated response; a wrong secret. Every clip ends sha256-equal on the server with its
// manifest last, or `failed` with the server's reason — never a retry loop. A clip deleted, or
// evicted by the storage budget, with its multipart upload cut halfway leaves no open upload on
// the server once the upload thread's abort drain ran (ListMultipartUploads is empty), also when
// the first abort met a server that was not answering.
#include <catch2/catch.hpp>
#include <random>

#include "queue/storage_budget.h"
#include "tests/support/curl_init.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/s3_test_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/upload_clips.h"
#include "uploader/abort_drain.h"
#include "uploader/clip_store_adapter.h"
#include "uploader/s3_transport.h"
#include "uploader/uploader.h"

namespace fleetclip::uploader {
namespace {

using namespace std::chrono_literals;
constexpr int64_t kMiB = 1 << 20;

int PortOf(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// One vehicle: a store, the uploader wired to the Ceph server through a FaultProxy.
class Rig {
 public:
  explicit Rig(std::string_view bucket_stem, std::string secret = "")
      : log_(sink_, LogLevel::kDebug) {
    InitCurlForTests();
    std::random_device rd;
    endpoint_ =
        S3TestEndpoint(std::string(bucket_stem) + "-" + std::to_string(rd() % 1'000'000'000));
    proxy_ = std::make_unique<testing::FaultProxy>(PortOf(endpoint_.endpoint));
    Result<HttpClient> http = HttpClient::Create({});
    REQUIRE(http.ok());
    admin_ = std::make_unique<S3Client>(endpoint_, std::move(*http));
    REQUIRE(admin_->CreateBucket({}).value.ok());
    auto store = queue::ClipStore::Open({dir_.path(), false, true, 5000, 0}, clock_, log_);
    REQUIRE(store.ok());
    store_ = std::move(*store);
    adapter_ = std::make_unique<ClipStoreAdapter>(*store_, "veh-1");
    S3Endpoint via_proxy = endpoint_;
    via_proxy.endpoint = proxy_->url();
    SigV4Key key = endpoint_.key;
    if (!secret.empty()) key.secret_key = secret;
    S3TransportOptions o;
    o.multipart_threshold_bytes = 16 * kMiB;
    o.part_size_bytes = 8 * kMiB;
    o.parallel_parts = 2;
    o.http.stall_timeout_ms = 2'000;
    o.http.connect_timeout_ms = 2'000;
    auto t = S3Transport::Create(
        via_proxy, [key] { return Result<SigV4Key>(key); }, o, log_);
    REQUIRE(t.ok());
    transport_ = std::move(*t);
    proto::UploadPolicyConfig pc;
    pc.set_window_start("00:00");
    pc.set_window_end("00:00");    // always open
    pc.set_require_parked(false);  // no vehicle signals in this test
    policy_ = std::make_unique<UploadPolicy>(*PolicyFromProto(pc), zone_);
    uploader_ = std::make_unique<Uploader>(*adapter_, *adapter_, *transport_, *policy_, clock_,
                                           log_, Backoff({100, 1'000}, [] { return 0.5; }),
                                           UploaderOptions{"fleet", 8});
    wifi_ = {true, "wlan0", proto::LINK_WIFI, false, "config"};
  }

  MadeClip Add(int64_t bytes, uint64_t seed) {
    return MakeUploadClip(*store_, ids_, clock_.WallNow(), bytes, 50, seed);
  }

  // Runs passes (advancing the fake clock past each backoff) until `clip` leaves ready/uploading
  // or `max_passes` ran. Returns the number of passes.
  int UploadUntilSettled(const std::string& clip, int max_passes) {
    for (int pass = 1; pass <= max_passes; ++pass) {
      Result<PassResult> r = uploader_->RunPass(wifi_, parked_, {});
      REQUIRE(r.ok());
      const queue::ClipState s = store_->Get(clip)->state;
      if (s != queue::ClipState::kReady && s != queue::ClipState::kUploading) return pass;
      clock_.Advance(2s);
    }
    return max_passes + 1;
  }

  // One pass, whatever it ends in.
  PassResult RunOnePass() {
    Result<PassResult> r = uploader_->RunPass(wifi_, parked_, {});
    REQUIRE(r.ok());
    return *r;
  }
  // What the upload thread does before each pass.
  AbortDrainResult DrainAborts() {
    Result<AbortDrainResult> r = DrainPendingAborts(*adapter_, *transport_, "fleet", "veh-1", log_);
    REQUIRE(r.ok());
    return *r;
  }
  // The multipart uploads the server holds open for this vehicle.
  std::vector<S3OpenUpload> OpenUploads() {
    auto r = admin_->ListMultipartUploads("fleet/", {});
    REQUIRE(r.value.ok());
    return *r.value;
  }
  const Logger& log() const { return log_; }

  std::string Key(const std::string& clip, const std::string& file) {
    return ObjectKey("fleet", "veh-1", clock_.WallNow(), clip, file);
  }

  queue::ClipStore& store() { return *store_; }
  testing::FaultProxy& proxy() { return *proxy_; }
  S3Client& admin() { return *admin_; }
  const TransferStats& stats() { return transport_->stats(); }
  MemoryLogSink& logs() { return sink_; }

 private:
  MemoryLogSink sink_;
  Logger log_;
  FakeClock clock_;
  FixedOffsetTimeZone zone_{0};
  TempDir dir_;
  S3Endpoint endpoint_;
  std::unique_ptr<testing::FaultProxy> proxy_;
  std::unique_ptr<S3Client> admin_;
  std::unique_ptr<queue::ClipStore> store_;
  std::unique_ptr<ClipStoreAdapter> adapter_;
  std::unique_ptr<S3Transport> transport_;
  std::unique_ptr<UploadPolicy> policy_;
  std::unique_ptr<Uploader> uploader_;
  queue::ClipIdGenerator ids_{42};
  ParkedTracker parked_;
  NetworkState wifi_;
};

TEST_CASE(
    "Thirty multipart uploads cut at a random byte all arrive whole, re-sending at most one part "
    "per cut") {
  Rig rig("cuts");
  std::mt19937_64 rng(20261122);
  for (int i = 0; i < 30; ++i) {
    const int64_t bytes = 32 * kMiB + static_cast<int64_t>(rng() % (32 * kMiB + 1));
    const MadeClip clip = rig.Add(bytes, rng());
    const int64_t parts = (bytes + 8 * kMiB - 1) / (8 * kMiB);
    const int64_t sent_before = rig.stats().parts_sent;
    const int64_t resets_before = rig.proxy().resets();
    rig.proxy().ResetAfterUpstreamBytes(static_cast<int64_t>(rng() % static_cast<uint64_t>(bytes)));
    INFO("upload " << i << " of " << bytes << " bytes");
    CHECK(rig.UploadUntilSettled(clip.id, 5) <= 3);
    INFO("last error: " << rig.store().Get(clip.id)->last_error);
    CHECK(rig.store().Get(clip.id)->state == queue::ClipState::kUploaded);
    CHECK(rig.proxy().resets() - resets_before == 1);
    const int64_t resent = rig.stats().parts_sent - sent_before - parts - 1;  // + manifest PUT
    CHECK(resent <= 1);
    const std::string key = rig.Key(clip.id, "front.mp4");
    CHECK(DownloadedSha256(rig.admin(), key) == clip.camera_sha256);
    CHECK(DownloadedSha256(rig.admin(), rig.Key(clip.id, "manifest.pb")) == clip.manifest_sha256);
    CHECK_FALSE(std::filesystem::exists(rig.store().ClipDir(clip.id)));  // bundle removed
    REQUIRE(rig.admin().DeleteObject(key, {}).value.ok());  // memstore holds objects in RAM
  }
}

TEST_CASE(
    "Injected 503 SlowDown, 500 and a 200 with an error body are retried until the clip is whole") {
  Rig rig("injected");
  const MadeClip clip = rig.Add(20 * kMiB, 7);
  rig.proxy().Inject({"PUT", "partNumber=2", 503, "SlowDown", 1});
  rig.proxy().Inject({"PUT", "partNumber=1", 500, "InternalError", 1});
  rig.proxy().Inject({"POST", "uploadId=", 200, "InternalError", 1});  // Complete's 200 + <Error>
  CHECK(rig.UploadUntilSettled(clip.id, 6) <= 5);
  CHECK(rig.store().Get(clip.id)->state == queue::ClipState::kUploaded);
  CHECK(rig.proxy().injected() == 3);
  CHECK(DownloadedSha256(rig.admin(), rig.Key(clip.id, "front.mp4")) == clip.camera_sha256);
  CHECK(rig.logs().Count("event=clip_upload_retry") >= 2);  // Complete failed on its own attempt
}

TEST_CASE("A stalled connection times out and the upload resumes") {
  Rig rig("stall");
  const MadeClip clip = rig.Add(18 * kMiB, 8);
  rig.proxy().StallAfterUpstreamBytes(9 * kMiB, 6'000);
  CHECK(rig.UploadUntilSettled(clip.id, 4) <= 3);
  CHECK(rig.store().Get(clip.id)->state == queue::ClipState::kUploaded);
  CHECK(DownloadedSha256(rig.admin(), rig.Key(clip.id, "front.mp4")) == clip.camera_sha256);
}

TEST_CASE("A truncated response is retried and the object ends whole") {
  Rig rig("truncated");
  const MadeClip clip = rig.Add(2 * kMiB, 9);  // single PUT
  rig.proxy().TruncateNextResponse(20);
  CHECK(rig.UploadUntilSettled(clip.id, 4) <= 3);
  CHECK(rig.store().Get(clip.id)->state == queue::ClipState::kUploaded);
  CHECK(DownloadedSha256(rig.admin(), rig.Key(clip.id, "front.mp4")) == clip.camera_sha256);
}

TEST_CASE("A wrong secret ends the clip as failed with the server's reason, not a retry loop") {
  Rig rig("secret", "wrong-secret");
  const MadeClip small = rig.Add(kMiB, 10);
  const MadeClip large = rig.Add(20 * kMiB, 11);
  CHECK(rig.UploadUntilSettled(small.id, 3) == 1);
  CHECK(rig.UploadUntilSettled(large.id, 3) == 1);
  for (const MadeClip* c : {&small, &large}) {
    queue::ClipRecord r = *rig.store().Get(c->id);
    CHECK(r.state == queue::ClipState::kFailed);
    CHECK_THAT(r.last_error, Catch::Contains("403 SignatureDoesNotMatch"));
    CHECK(std::filesystem::exists(rig.store().ClipDir(c->id)));  // kept for a manual retry
  }
  CHECK(rig.stats().parts_sent <= 1);  // the single PUT; the multipart never got an upload id
}

// A multipart upload cut halfway (part 3 of 5 meets a 503, a retryable failure that ends the
// pass): the clip is back in ready with its upload id journaled and the server holding the parts
// that arrived.
void CutHalfway(Rig& rig, const MadeClip& clip) {
  rig.proxy().Inject({"PUT", "partNumber=3", 503, "SlowDown", 1});
  const PassResult pass = rig.RunOnePass();
  CHECK(pass.retry_scheduled == 1);
  REQUIRE(rig.store().Get(clip.id)->state == queue::ClipState::kReady);
  REQUIRE_FALSE(rig.store().GetUploadState(clip.id, "front.mp4")->upload_id.empty());
  const std::vector<S3OpenUpload> open = rig.OpenUploads();
  REQUIRE(open.size() == 1);
  CHECK(open[0].key == rig.Key(clip.id, "front.mp4"));
}

TEST_CASE("A clip deleted with its multipart upload cut halfway leaves no open upload") {
  Rig rig("abort-delete");
  const MadeClip clip = rig.Add(40 * kMiB, 12);
  CutHalfway(rig, clip);
  REQUIRE(rig.store().Delete(clip.id).ok());
  const AbortDrainResult drained = rig.DrainAborts();
  CHECK(drained.aborted == 1);
  CHECK(rig.OpenUploads().empty());
  CHECK(rig.store().PendingAborts(10)->empty());
  CHECK(rig.RunOnePass().uploaded == 0);  // nothing of the clip is left to send
}

TEST_CASE("A clip evicted mid-upload leaves no open upload, the abort retried past a 503") {
  Rig rig("abort-evict");
  const MadeClip clip = rig.Add(40 * kMiB, 13);
  CutHalfway(rig, clip);
  // The budget makes room for a new clip: the interrupted one is the only candidate.
  queue::StatvfsDiskSpace disk;
  queue::StorageBudget budget(rig.store(), disk, {clip.camera_bytes + (1 << 20), 0, 0}, rig.log());
  REQUIRE(budget.MakeRoom(2 << 20, 50).ok());
  REQUIRE(rig.store().Get(clip.id)->state == queue::ClipState::kEvicted);
  // The first abort finds the server unavailable: kept, not forgotten.
  rig.proxy().Inject({"DELETE", "uploadId=", 503, "SlowDown", 1});
  const AbortDrainResult first = rig.DrainAborts();
  CHECK(first.aborted == 0);
  CHECK(first.waiting == 1);
  CHECK(rig.OpenUploads().size() == 1);
  CHECK(rig.store().PendingAborts(10)->size() == 1);
  const AbortDrainResult second = rig.DrainAborts();
  CHECK(second.aborted == 1);
  CHECK(rig.OpenUploads().empty());
  CHECK(rig.store().PendingAborts(10)->empty());
}

}  // namespace
}  // namespace fleetclip::uploader

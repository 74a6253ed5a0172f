// S3Transport against the real Ceph RADOS Gateway of scripts/s3-test-server: single PUT and
// multipart uploads verified byte for byte, resume from the journal, adoption of parts the journal
// missed, a forgotten upload id, and a wrong secret that fails permanently with the server's
// reason.
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <random>

#include "tests/support/curl_init.h"
#include "tests/support/memory_upload_journal.h"
#include "tests/support/s3_test_server.h"
#include "tests/support/temp_dir.h"
#include "uploader/digest.h"
#include "uploader/s3_transport.h"

namespace fleetclip::uploader {
namespace {

constexpr int64_t kMiB = 1 << 20;

std::string RandomBytes(int64_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(static_cast<size_t>(n), '\0');
  for (int64_t i = 0; i + 8 <= n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

std::string UniqueBucket(std::string_view stem) {
  std::random_device rd;
  return std::string(stem) + "-" + std::to_string(rd() % 1'000'000'000);
}

class S3Test {
 public:
  explicit S3Test(std::string_view stem, int64_t threshold = 16 * kMiB, int64_t part = 5 * kMiB)
      : endpoint_((InitCurlForTests(), S3TestEndpoint(UniqueBucket(stem)))), log_(sink_) {
    Result<HttpClient> http = HttpClient::Create({});
    REQUIRE(http.ok());
    admin_ = std::make_unique<S3Client>(endpoint_, std::move(*http));
    auto bucket = admin_->CreateBucket({});
    INFO((bucket.value.ok() ? std::string() : bucket.value.error().ToString()));
    REQUIRE(bucket.value.ok());
    options_.multipart_threshold_bytes = threshold;
    options_.part_size_bytes = part;
    options_.parallel_parts = 2;
  }

  std::unique_ptr<S3Transport> Transport(std::string secret = "") {
    SigV4Key key = endpoint_.key;
    if (!secret.empty()) key.secret_key = secret;
    auto t = S3Transport::Create(
        endpoint_, [key] { return Result<SigV4Key>(key); }, options_, log_);
    REQUIRE(t.ok());
    return std::move(*t);
  }

  LocalFile Write(const std::string& name, const std::string& bytes) {
    LocalFile f{name, dir_.path() / name, static_cast<int64_t>(bytes.size()),
                queue::Sha256Hex(bytes), false};
    std::ofstream(f.path, std::ios::binary) << bytes;
    return f;
  }

  std::string Download(const std::string& key) {
    std::string out;
    auto got = admin_->GetObject(key, [&](std::string_view c) { return out.append(c), true; }, {});
    REQUIRE(got.value.ok());
    return out;
  }

  S3Client& admin() { return *admin_; }
  MemoryUploadJournal journal;
  S3TransportOptions options_;

 private:
  S3Endpoint endpoint_;
  MemoryLogSink sink_;
  Logger log_;
  TempDir dir_;
  std::unique_ptr<S3Client> admin_;
};

TEST_CASE("A file below the threshold goes up in one PUT and downloads byte for byte") {
  S3Test s3("single");
  const std::string bytes = RandomBytes(3 * kMiB + 17, 1);
  LocalFile f = s3.Write("front.mp4", bytes);
  auto t = s3.Transport();
  REQUIRE(t->PutFile("c1", f, "v/c1/front.mp4", s3.journal, {}).ok());
  CHECK(t->stats().parts_sent == 1);
  CHECK(s3.journal.IsUploaded("c1", "front.mp4"));
  CHECK(queue::Sha256Hex(s3.Download("v/c1/front.mp4")) == f.sha256_hex);
}

TEST_CASE("A file above the threshold goes up in parallel parts and downloads byte for byte") {
  S3Test s3("multi", 8 * kMiB, 5 * kMiB);
  const std::string bytes = RandomBytes(21 * kMiB + 5, 2);
  LocalFile f = s3.Write("rear.mp4", bytes);
  auto t = s3.Transport();
  Status st = t->PutFile("c2", f, "v/c2/rear.mp4", s3.journal, {});
  INFO((st.ok() ? std::string() : st.error().ToString()));
  REQUIRE(st.ok());
  CHECK(t->stats().parts_sent == 5);
  CHECK(s3.journal.IsUploaded("c2", "rear.mp4"));
  CHECK(queue::Sha256Hex(s3.Download("v/c2/rear.mp4")) == f.sha256_hex);
  auto head = s3.admin().HeadObject("v/c2/rear.mp4", {});
  REQUIRE(head.value.ok());
  CHECK(head.value->etag.ends_with("-5"));
}

TEST_CASE("A journaled multipart upload resumes its upload id and sends only the missing parts") {
  S3Test s3("resume", 8 * kMiB, 5 * kMiB);
  const std::string bytes = RandomBytes(16 * kMiB, 3);
  LocalFile f = s3.Write("cam.mp4", bytes);
  const std::string key = "v/c3/cam.mp4";
  auto created = s3.admin().CreateMultipartUpload(key, {});
  REQUIRE(created.value.ok());
  REQUIRE(s3.journal.SetUploadId("c3", "cam.mp4", *created.value, 5 * kMiB).ok());
  for (int n : {1, 3}) {
    auto put = s3.admin().UploadPart(
        key, *created.value, n, std::string_view(bytes).substr((n - 1) * 5 * kMiB, 5 * kMiB), {});
    REQUIRE(put.value.ok());
    // Part 3 reached the server but not the journal (killed in between): adopted by its MD5.
    if (n == 1)
      REQUIRE(s3.journal.AddUploadedPart("c3", "cam.mp4", {n, 5 * kMiB, *put.value}).ok());
  }
  auto t = s3.Transport();
  REQUIRE(t->PutFile("c3", f, key, s3.journal, {}).ok());
  CHECK(t->stats().parts_resumed == 2);
  CHECK(t->stats().parts_sent == 2);  // parts 2 and 4
  CHECK(queue::Sha256Hex(s3.Download(key)) == f.sha256_hex);
}

TEST_CASE("A server part that differs from the local bytes is sent again, not adopted") {
  S3Test s3("mismatch", 8 * kMiB, 5 * kMiB);
  const std::string bytes = RandomBytes(10 * kMiB, 4);
  LocalFile f = s3.Write("cam.mp4", bytes);
  const std::string key = "v/c4/cam.mp4";
  auto created = s3.admin().CreateMultipartUpload(key, {});
  REQUIRE(created.value.ok());
  REQUIRE(s3.journal.SetUploadId("c4", "cam.mp4", *created.value, 5 * kMiB).ok());
  REQUIRE(s3.admin().UploadPart(key, *created.value, 1, RandomBytes(5 * kMiB, 99), {}).value.ok());
  auto t = s3.Transport();
  REQUIRE(t->PutFile("c4", f, key, s3.journal, {}).ok());
  CHECK(t->stats().parts_resumed == 0);
  CHECK(t->stats().parts_sent == 2);
  CHECK(queue::Sha256Hex(s3.Download(key)) == f.sha256_hex);
}

TEST_CASE("An upload id the server no longer knows starts a new upload") {
  S3Test s3("unknown-id", 8 * kMiB, 5 * kMiB);
  LocalFile f = s3.Write("cam.mp4", RandomBytes(9 * kMiB, 5));
  REQUIRE(s3.journal.SetUploadId("c5", "cam.mp4", "2~doesnotexist", 5 * kMiB).ok());
  auto t = s3.Transport();
  REQUIRE(t->PutFile("c5", f, "v/c5/cam.mp4", s3.journal, {}).ok());
  auto state = s3.journal.GetUploadState("c5", "cam.mp4");
  REQUIRE(state.ok());
  CHECK(state->upload_id != "2~doesnotexist");
  CHECK(queue::Sha256Hex(s3.Download("v/c5/cam.mp4")) == f.sha256_hex);
}

TEST_CASE("A wrong secret fails permanently with the server's reason") {
  S3Test s3("wrong-secret", 8 * kMiB, 5 * kMiB);
  auto t = s3.Transport("not-the-secret");
  for (int64_t size : {kMiB, 9 * kMiB}) {
    LocalFile f = s3.Write("cam.mp4", RandomBytes(size, 6));
    Status st = t->PutFile("c6", f, "v/c6/cam.mp4", s3.journal, {});
    REQUIRE_FALSE(st.ok());
    CHECK_FALSE(st.error().retryable());
    CHECK(st.error().code() == ErrorCode::kPermissionDenied);
    CHECK_THAT(st.error().message(), Catch::Contains("SignatureDoesNotMatch"));
  }
}

TEST_CASE("A file whose size changed since it was recorded is refused as corrupt") {
  S3Test s3("size", 8 * kMiB, 5 * kMiB);
  LocalFile f = s3.Write("cam.mp4", RandomBytes(kMiB, 7));
  f.bytes += 1;
  Status st = s3.Transport()->PutFile("c7", f, "v/c7/cam.mp4", s3.journal, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ErrorCode::kCorruption);
}

// The part MD5s as the clip writer records them (queue::FileDigestsOf): hex, concatenated.
void RecordPartMd5s(LocalFile& f, const std::string& bytes, int64_t part) {
  f.md5_part_size = part;
  f.part_md5_hex.clear();
  for (int64_t at = 0; at < static_cast<int64_t>(bytes.size()) || at == 0; at += part)
    f.part_md5_hex += Hex(Md5(std::string_view(bytes).substr(static_cast<size_t>(at), part)));
}

TEST_CASE("Part MD5s recorded at write time set the part size and go up as each part's checksum") {
  S3Test s3("recorded", 8 * kMiB, 5 * kMiB);
  const std::string bytes = RandomBytes(20 * kMiB + 11, 9);
  LocalFile f = s3.Write("cam.mp4", bytes);
  RecordPartMd5s(f, bytes, 6 * kMiB);
  REQUIRE(RecordedPartMd5s(f).size() == 4);
  auto t = s3.Transport();
  Status st = t->PutFile("c9", f, "v/c9/cam.mp4", s3.journal, {});
  INFO((st.ok() ? std::string() : st.error().ToString()));
  REQUIRE(st.ok());
  CHECK(t->stats().parts_sent == 4);  // 6 MiB parts (the recorded size), not the 5 MiB option
  CHECK(queue::Sha256Hex(s3.Download("v/c9/cam.mp4")) == f.sha256_hex);
  std::vector<std::string> etags;
  for (size_t i = 0; i < 4; ++i) etags.push_back(f.part_md5_hex.substr(i * 32, 32));
  auto head = s3.admin().HeadObject("v/c9/cam.mp4", {});
  REQUIRE(head.value.ok());
  CHECK(head.value->etag == MultipartEtag(etags));
  // A recorded MD5 list that does not fit the file is ignored: the transport hashes itself.
  LocalFile odd = f;
  odd.part_md5_hex.resize(3 * 32);
  CHECK(RecordedPartMd5s(odd).empty());
}

TEST_CASE("Bytes changed on disk since their MD5 was recorded fail as corruption, nothing stored") {
  S3Test s3("rot", 8 * kMiB, 5 * kMiB);
  for (int64_t size : {kMiB, 13 * kMiB}) {  // a single PUT and a multipart upload
    std::string bytes = RandomBytes(size, 10);
    LocalFile f = s3.Write("cam.mp4", bytes);
    RecordPartMd5s(f, bytes, 8 * kMiB);
    bytes[static_cast<size_t>(size - 100)] ^= 0x01;  // one bit flips on the card after writing
    f = [&] {
      LocalFile rotten = s3.Write("cam.mp4", bytes);
      rotten.md5_part_size = f.md5_part_size;
      rotten.part_md5_hex = f.part_md5_hex;
      return rotten;
    }();
    const std::string key = "v/c10/cam-" + std::to_string(size) + ".mp4";
    Status st = s3.Transport()->PutFile("c10", f, key, s3.journal, {});
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code() == ErrorCode::kCorruption);
    CHECK_THAT(st.error().message(), Catch::Contains("changed on disk"));
    CHECK_FALSE(s3.admin().HeadObject(key, {}).value.ok());
    CHECK(s3.journal.GetUploadState("c10", "cam.mp4")->upload_id.empty());  // aborted
  }
}

TEST_CASE("The bandwidth cap holds an upload to its rate") {
  S3Test s3("cap", 8 * kMiB, 5 * kMiB);
  s3.options_.bandwidth_limit_bps = 16'000'000;  // 2 MB/s over 2 connections: 1 MB/s each
  LocalFile f = s3.Write("cam.mp4", RandomBytes(kMiB, 8));
  auto t = s3.Transport();
  RealClock clock;
  const MonoTime start = clock.Now();
  REQUIRE(t->PutFile("c8", f, "v/c8/cam.mp4", s3.journal, {}).ok());
  // A single PUT has the whole cap on its one connection: 1 MiB at 2 MB/s takes about 0.5 s.
  CHECK(clock.Now() - start >= std::chrono::milliseconds(450));
  CHECK(clock.Now() - start < std::chrono::milliseconds(5000));
}

}  // namespace
}  // namespace fleetclip::uploader

// ConfigPoller with an s3://bucket/key config URL against the real Ceph RADOS Gateway of
// scripts/s3-test-server: a SigV4-signed GET, If-None-Match answered 304 by the server, a changed
// object fetched again, and a wrong secret that fails permanently with the server's reason.
#include <catch2/catch.hpp>
#include <random>

#include "daemon/backend/config_poller.h"
#include "tests/support/curl_init.h"
#include "tests/support/s3_test_server.h"

namespace fleetclip::daemon::backend {
namespace {

using Kind = PollResult::Kind;

struct S3Fixture {
  S3Fixture()
      : endpoint(
            (InitCurlForTests(),
             uploader::S3TestEndpoint("backend-config-" +
                                      std::to_string(std::random_device{}() % 1'000'000'000)))) {
    auto http = uploader::HttpClient::Create({});
    REQUIRE(http.ok());
    admin = std::make_unique<uploader::S3Client>(endpoint, std::move(*http));
    auto bucket = admin->CreateBucket({});
    INFO((bucket.value.ok() ? std::string() : bucket.value.error().ToString()));
    REQUIRE(bucket.value.ok());
  }

  std::unique_ptr<ConfigPoller> Poller(std::string secret = "") {
    ConfigPollerOptions o;
    o.config_url = "s3://" + endpoint.bucket + "/fleet/veh-7/config.pb";
    o.s3_endpoint = endpoint.endpoint;
    o.s3_region = endpoint.key.region;
    uploader::SigV4Key key = endpoint.key;
    key.region.clear();  // taken from s3_region
    if (!secret.empty()) key.secret_key = secret;
    o.s3_keys = [key] { return Result<uploader::SigV4Key>(key); };
    auto p = ConfigPoller::Create(std::move(o), clock, log);
    REQUIRE(p.ok());
    return std::move(*p);
  }
  void Put(const std::string& bytes) {
    auto r = admin->PutObject("fleet/veh-7/config.pb", bytes, {});
    REQUIRE(r.value.ok());
  }

  uploader::S3Endpoint endpoint;
  std::unique_ptr<uploader::S3Client> admin;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink};
};

TEST_CASE_METHOD(S3Fixture,
                 "An s3 config URL is fetched signed, then answered 304 until it changes") {
  Put("signed fleet config v1");
  auto poller = Poller();
  PollResult first = poller->PollOnce();
  INFO((first.error ? first.error->ToString() : std::string()));
  REQUIRE(first.kind == Kind::kNew);
  CHECK(first.bytes == "signed fleet config v1");
  CHECK_FALSE(first.etag.empty());
  PollResult second = poller->PollOnce();
  INFO((second.error ? second.error->ToString() : std::string()));
  CHECK(second.kind == Kind::kNotModified);
  Put("signed fleet config v2");
  PollResult third = poller->PollOnce();
  REQUIRE(third.kind == Kind::kNew);
  CHECK(third.bytes == "signed fleet config v2");
  CHECK(third.etag != first.etag);
}

TEST_CASE_METHOD(S3Fixture, "A wrong S3 secret fails permanently with the server's reason") {
  Put("signed fleet config v1");
  auto poller = Poller("not-the-secret");
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kPermanentError);
  CHECK_THAT(r.error->message(), Catch::Contains("SignatureDoesNotMatch"));
}

TEST_CASE_METHOD(S3Fixture, "A missing s3 config object is a permanent not-found error") {
  auto poller = Poller();
  PollResult r = poller->PollOnce();
  REQUIRE(r.kind == Kind::kPermanentError);
  CHECK(r.error->code() == ErrorCode::kNotFound);
  CHECK_THAT(r.error->message(), Catch::Contains("NoSuchKey"));
}

}  // namespace
}  // namespace fleetclip::daemon::backend

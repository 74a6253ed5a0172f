// The retry table: which (curl code, HTTP status, S3 error code) outcomes are retried, refreshed or
// final; and capped exponential backoff with full jitter on an injected random source.
#include <curl/curl.h>

#include <catch2/catch.hpp>

#include "uploader/backoff.h"
#include "uploader/retry_classifier.h"

namespace fleetclip::uploader {
namespace {

struct Row {
  int curl_code;
  int http_status;
  const char* s3_code;
  const char* message;
  FailureClass expected;
};

constexpr FailureClass T = FailureClass::kTransient;
constexpr FailureClass R = FailureClass::kRefresh;
constexpr FailureClass P = FailureClass::kPermanent;

const Row kTable[] = {
    // Transport failures: connect, reset, timeout, TLS handshake.
    {CURLE_COULDNT_CONNECT, 0, "", "refused", T},
    {CURLE_COULDNT_RESOLVE_HOST, 0, "", "dns", T},
    {CURLE_OPERATION_TIMEDOUT, 0, "", "stalled", T},
    {CURLE_SEND_ERROR, 0, "", "reset while sending", T},
    {CURLE_RECV_ERROR, 0, "", "reset while receiving", T},
    {CURLE_GOT_NOTHING, 0, "", "empty reply", T},
    {CURLE_PARTIAL_FILE, 0, "", "truncated response", T},
    {CURLE_SSL_CONNECT_ERROR, 0, "", "handshake cut", T},
    {CURLE_WEIRD_SERVER_REPLY, 0, "", "garbage", T},
    {CURLE_SEND_FAIL_REWIND, 0, "", "reset on a reused connection", T},
    {CURLE_ABORTED_BY_CALLBACK, 0, "", "stopped", T},
    {CURLE_PEER_FAILED_VERIFICATION, 0, "", "bad certificate", P},
    {CURLE_URL_MALFORMAT, 0, "", "bad url", P},
    {CURLE_UNSUPPORTED_PROTOCOL, 0, "", "gopher", P},
    // HTTP statuses without an S3 code.
    {0, 408, "", "", T},
    {0, 429, "", "", T},
    {0, 500, "", "", T},
    {0, 502, "", "", T},
    {0, 503, "", "", T},
    {0, 504, "", "", T},
    {0, 400, "", "", P},
    {0, 404, "", "", P},
    {0, 405, "", "", P},
    {0, 412, "", "", P},
    {0, 401, "", "", R},  // bearer token expired
    // S3 error codes.
    {0, 503, "SlowDown", "Please reduce your request rate.", T},
    {0, 500, "InternalError", "", T},
    {0, 400, "RequestTimeout", "", T},
    {0, 403, "RequestTimeTooSkewed", "", T},
    {0, 409, "OperationAborted", "", T},
    {0, 400, "ExpiredToken", "The provided token has expired.", R},
    {0, 403, "AccessDenied", "Request has expired", R},  // presigned URL past its expiry
    {0, 403, "SignatureDoesNotMatch", "", P},
    {0, 403, "InvalidAccessKeyId", "", P},
    {0, 403, "AccessDenied", "Access Denied", P},
    {0, 404, "NoSuchBucket", "", P},
    {0, 400, "EntityTooSmall", "", P},
    {0, 400, "InvalidPart", "", P},
    {0, 400, "BadDigest", "", P},
    // A 200 that carries an error body (CompleteMultipartUpload).
    {0, 200, "InternalError", "We encountered an internal error.", T},
    {0, 200, "SlowDown", "", T},
    {0, 200, "InvalidPart", "", P},
};

TEST_CASE("The classifier table covers transport, status and S3 code outcomes") {
  STATIC_REQUIRE(sizeof(kTable) / sizeof(kTable[0]) >= 30);
  for (const Row& row : kTable) {
    TransferFailure f{row.curl_code, row.http_status, row.s3_code, row.message};
    INFO("curl=" << row.curl_code << " http=" << row.http_status << " s3=" << row.s3_code);
    CHECK(Classify(f) == row.expected);
    // The error's code tells the uploader the same thing.
    CHECK(ToError("PUT k", f).retryable() == (row.expected != FailureClass::kPermanent));
  }
}

TEST_CASE("A permanent error names the status, the S3 code and the server's message") {
  Error e = ToError("PUT bucket/key", {0, 403, "SignatureDoesNotMatch", "check your key"});
  CHECK(e.code() == ErrorCode::kPermissionDenied);
  CHECK(e.message() == "PUT bucket/key: http 403 SignatureDoesNotMatch: check your key");
}

TEST_CASE("A curl failure names curl's error") {
  Error e = ToError("UploadPart k part 3", {CURLE_OPERATION_TIMEDOUT, 0, "", "stalled 30 s"});
  CHECK(e.code() == ErrorCode::kTimeout);
  CHECK_THAT(e.message(), Catch::StartsWith("UploadPart k part 3: curl error 28"));
}

TEST_CASE("Backoff ceilings double from the base up to the cap") {
  Backoff b({1'000, 60'000}, [] { return 0.999999; });
  CHECK(b.CeilingMs(1) == 1'000);
  CHECK(b.CeilingMs(2) == 2'000);
  CHECK(b.CeilingMs(6) == 32'000);
  CHECK(b.CeilingMs(7) == 60'000);
  CHECK(b.CeilingMs(1'000'000) == 60'000);
}

TEST_CASE("Backoff delays are drawn uniformly under the ceiling (full jitter)") {
  double u = 0;
  Backoff b({1'000, 60'000}, [&u] { return u; });
  u = 0.0;
  CHECK(b.Delay(5) == std::chrono::milliseconds(0));
  u = 0.5;
  CHECK(b.Delay(5) == std::chrono::milliseconds(8'000));
  u = 0.25;
  CHECK(b.Delay(10) == std::chrono::milliseconds(15'000));
}

}  // namespace
}  // namespace fleetclip::uploader

// The retry table of retry_classifier.h.
#include "uploader/retry_classifier.h"

#include <curl/curl.h>

#include <array>

namespace fleetclip::uploader {
namespace {

// S3 error codes that mean "try again later" whatever the status says.
constexpr std::array<std::string_view, 9> kTransientS3Codes = {
    "SlowDown",
    "InternalError",
    "ServiceUnavailable",
    "RequestTimeout",
    "RequestTimeTooSkewed" /* our clock was fixed meanwhile, or will be */,
    "OperationAborted",
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded"};

constexpr std::array<std::string_view, 3> kRefreshS3Codes = {"ExpiredToken", "TokenRefreshRequired",
                                                             "RequestExpired"};

bool In(std::string_view code, auto& table) {
  for (std::string_view c : table)
    if (c == code) return true;
  return false;
}

FailureClass ClassifyCurl(int code) {
  switch (static_cast<CURLcode>(code)) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SEND_FAIL_REWIND:  // a reused connection died under a body libcurl could not rewind
    case CURLE_READ_ERROR:        // our read callback paused on a transient condition
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_AGAIN:
      return FailureClass::kTransient;
    default:
      // Certificate problems, bad URLs, unsupported protocols: no retry will fix them.
      return FailureClass::kPermanent;
  }
}

}  // namespace

std::string_view FailureClassName(FailureClass c) {
  switch (c) {
    case FailureClass::kTransient:
      return "transient";
    case FailureClass::kRefresh:
      return "refresh";
    case FailureClass::kPermanent:
      return "permanent";
  }
  return "unknown";
}

FailureClass Classify(const TransferFailure& f) {
  if (f.curl_code != 0) return ClassifyCurl(f.curl_code);
  if (!f.s3_code.empty()) {
    if (In(f.s3_code, kTransientS3Codes)) return FailureClass::kTransient;
    if (In(f.s3_code, kRefreshS3Codes)) return FailureClass::kRefresh;
  }
  const int s = f.http_status;
  if (s == 408 || s == 429 || s >= 500) return FailureClass::kTransient;
  // A presigned URL past its expiry answers 403 "Request has expired" (AccessDenied on S3).
  if (s == 403 && f.message.find("expired") != std::string::npos) return FailureClass::kRefresh;
  if (s == 401 && f.s3_code.empty()) return FailureClass::kRefresh;  // bearer token expired
  if (s >= 200 && s < 300 && !f.s3_code.empty()) {
    // An error body in a 200 (CompleteMultipartUpload): S3 documents these as retryable.
    return f.s3_code == "InvalidPart" || f.s3_code == "InvalidPartOrder" ||
                   f.s3_code == "EntityTooSmall" || f.s3_code == "NoSuchUpload"
               ? FailureClass::kPermanent
               : FailureClass::kTransient;
  }
  return FailureClass::kPermanent;
}

Error ToError(std::string_view what, const TransferFailure& f) {
  std::string m(what);
  if (f.curl_code != 0) {
    m += ": curl error " + std::to_string(f.curl_code) + " (" +
         curl_easy_strerror(static_cast<CURLcode>(f.curl_code)) + ")";
  } else {
    m += ": http " + std::to_string(f.http_status);
    if (!f.s3_code.empty()) m += " " + f.s3_code;
  }
  if (!f.message.empty()) m += ": " + f.message;
  switch (Classify(f)) {
    case FailureClass::kTransient:
      return Error(
          f.curl_code == CURLE_OPERATION_TIMEDOUT ? ErrorCode::kTimeout : ErrorCode::kUnavailable,
          std::move(m));
    case FailureClass::kRefresh:
      return Error(ErrorCode::kUnavailable, "credentials or URL expired, refreshing: " + m);
    case FailureClass::kPermanent:
      break;
  }
  if (f.http_status == 401 || f.http_status == 403) return Error(ErrorCode::kPermissionDenied, m);
  if (f.http_status == 404) return Error(ErrorCode::kNotFound, m);
  return Error(ErrorCode::kInvalidArgument, m);
}

}  // namespace fleetclip::uploader

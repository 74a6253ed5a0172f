// Which failed transfers are worth repeating. One table decides from the three things a transfer
// can report: the libcurl result code (connect, reset, timeout, TLS), the HTTP status, and the S3
// error code from the response body (which may arrive inside a 200). Transient failures are retried
// with backoff; expired credentials or URLs are refreshed and retried; everything else is permanent
// and ends the clip as `failed` with the reason, so a wrong secret never becomes a retry loop.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace fleetclip::uploader {

enum class FailureClass {
  kTransient,  // connect/reset/timeout/TLS handshake, 408, 429, 5xx, SlowDown: back off and retry
  kRefresh,    // expired credentials or presigned URL: refresh, then retry
  kPermanent,  // anything else: mark the clip failed with the reason
};

std::string_view FailureClassName(FailureClass c);

// What one HTTP exchange reported. curl_code 0 means the exchange completed (then http_status is
// set); s3_code is the <Code> of an S3 error body, empty when there was none.
struct TransferFailure {
  int curl_code = 0;
  int http_status = 0;
  std::string s3_code;
  std::string message;  // human detail: curl's error text or the S3 <Message>
};

FailureClass Classify(const TransferFailure& f);

// The failure as an Error a fleet engineer can act on, e.g.
// "PUT s3://b/k: http 403 SignatureDoesNotMatch: The request signature ...". Transient and refresh
// failures get a retryable code (kUnavailable, or kTimeout for timeouts); permanent ones do not.
Error ToError(std::string_view what, const TransferFailure& f);

}  // namespace fleetclip::uploader

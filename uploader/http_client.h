// One libcurl easy handle behind a small request/response API, with the behaviour every transport
// needs: SigV4 signing (libcurl's CURLOPT_AWS_SIGV4), bodies from memory or from a file range,
// connect and stall timeouts, a send-rate cap, cancellation through a stop_token, and the response
// status, headers and (bounded) body. One HttpClient per thread: it is not thread-safe, and keeping
// it alive keeps its connection alive for the next request. curl_global_init must have run (main).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace fleetclip::uploader {

struct HttpOptions {
  int64_t connect_timeout_ms = 10'000;
  // A transfer slower than 1 byte/s for this long is a stall and fails with a timeout.
  int64_t stall_timeout_ms = 30'000;
  int64_t max_send_bytes_per_s = 0;  // 0 = no cap
  int64_t max_response_body_bytes = 1 << 20;
};

struct SigV4Key {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // empty unless temporary credentials
  std::string region;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // borrowed for the call; used when body_fd < 0
  int body_fd = -1;                  // or send [body_offset, body_offset + body_bytes) of this file
  int64_t body_offset = 0;
  int64_t body_bytes = 0;
  const SigV4Key* sigv4 = nullptr;  // sign as S3 when set
  // Receives the response body instead of HttpResponse::body when set; return false to abort.
  std::function<bool(std::string_view)> body_sink;
};

struct HttpResponse {
  int curl_code = 0;       // 0: the exchange completed and `status` is valid
  std::string curl_error;  // curl's detail when curl_code != 0
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;                                          // up to max_response_body_bytes

  // The value of the first header named `name` (lower case), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  static Result<HttpClient> Create(HttpOptions options);
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  void set_max_send_bytes_per_s(int64_t bytes_per_s) {
    options_.max_send_bytes_per_s = bytes_per_s;
  }
  const HttpOptions& options() const { return options_; }

  // Performs one exchange. Never throws; transport failures come back in curl_code.
  HttpResponse Perform(const HttpRequest& request, std::stop_token stop = {});

 private:
  struct Impl;
  HttpClient(HttpOptions options, std::unique_ptr<Impl> impl);
  HttpOptions options_;
  std::unique_ptr<Impl> impl_;
};

// "%XX"-escapes everything but unreserved characters (and '/' when keep_slash), as SigV4 wants.
std::string UriEncode(std::string_view s, bool keep_slash);

}  // namespace fleetclip::uploader

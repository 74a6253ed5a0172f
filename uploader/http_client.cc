// libcurl easy-handle wrapper (http_client.h).
#include "uploader/http_client.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "common/unique_handle.h"

namespace fleetclip::uploader {

using CurlHandle = UniqueHandle<CURL, curl_easy_cleanup>;
using CurlList = UniqueHandle<curl_slist, curl_slist_free_all>;

struct HttpClient::Impl {
  CurlHandle curl;
  // The last exchange may have left the connection out of step: a transport error, or an error
  // status on a request with a body the server may not have read (radosgw answers 403 before the
  // body arrives; the unread bytes would be parsed as the next request, which then gets a bare
  // 400).
  bool discard_connection = false;
};

namespace {

// Per-request state the callbacks see.
struct Exchange {
  const HttpRequest* request;
  HttpResponse* response;
  int64_t max_body;
  int64_t sent = 0;
  std::stop_token stop;
};

size_t ReadBody(char* buf, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const HttpRequest& r = *x->request;
  const int64_t total = r.body_fd >= 0 ? r.body_bytes : static_cast<int64_t>(r.body.size());
  const int64_t want = std::min<int64_t>(static_cast<int64_t>(size * n), total - x->sent);
  if (want <= 0) return 0;
  if (r.body_fd < 0) {
    std::copy_n(r.body.data() + x->sent, want, buf);
    x->sent += want;
    return static_cast<size_t>(want);
  }
  ssize_t got;
  do {
    got = ::pread(r.body_fd, buf, static_cast<size_t>(want), r.body_offset + x->sent);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return CURL_READFUNC_ABORT;  // the file shrank or failed: CURLE_ABORTED_BY_CALLBACK
  x->sent += got;
  return static_cast<size_t>(got);
}

// Lets libcurl resend the body from the start, e.g. when a reused connection turns out dead.
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* x = static_cast<Exchange*>(user);
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  x->sent = offset;
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const size_t bytes = size * n;
  if (x->request->body_sink) {
    return x->request->body_sink(std::string_view(data, bytes)) ? bytes : 0;
  }
  const int64_t room = x->max_body - static_cast<int64_t>(x->response->body.size());
  if (room > 0) x->response->body.append(data, std::min<size_t>(bytes, static_cast<size_t>(room)));
  return bytes;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) x->response->headers.clear();  // a 100 Continue came first
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    x->response->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * n;
}

int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(user)->stop.stop_requested() ? 1 : 0;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpClient::HttpClient(HttpOptions options, std::unique_ptr<Impl> impl)
    : options_(options), impl_(std::move(impl)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

Result<HttpClient> HttpClient::Create(HttpOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->curl.reset(curl_easy_init());
  if (!impl->curl) return Error(ErrorCode::kInternal, "curl_easy_init failed");
  return HttpClient(options, std::move(impl));
}

HttpResponse HttpClient::Perform(const HttpRequest& request, std::stop_token stop) {
  HttpResponse response;
  CURL* c = impl_->curl.get();
  curl_easy_reset(c);  // keeps the connection cache, drops the previous request's options
  Exchange x{&request, &response, options_.max_response_body_bytes, 0, std::move(stop)};
  char error_buf[CURL_ERROR_SIZE] = {};

  CurlList headers;
  auto add_header = [&headers](const std::string& h) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next != nullptr) {
      (void)headers.release();
      headers.reset(next);
    }
  };
  for (const std::string& h : request.headers) add_header(h);

  const bool has_body = request.method == "PUT" || request.method == "POST";
  const int64_t body_bytes =
      request.body_fd >= 0 ? request.body_bytes : static_cast<int64_t>(request.body.size());
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
                   std::max(1L, static_cast<long>(options_.stall_timeout_ms / 1000)));
  if (options_.max_send_bytes_per_s > 0)
    curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE,
                     static_cast<curl_off_t>(options_.max_send_bytes_per_s));
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &x);
  // No waiting for "100 Continue" before each body: a rejected request just costs its bytes. (An
  // empty "Expect:" header would drop the header, but libcurl 7.88's SigV4 then signs it anyway
  // and the server answers SignatureDoesNotMatch.)
  curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
  curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
  if (has_body) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_bytes));
    curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &x);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &x);
    if (request.method == "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  std::string provider;
  std::string userpwd;
  if (request.sigv4 != nullptr) {
    provider = "aws:amz:" + request.sigv4->region + ":s3";
    userpwd = request.sigv4->access_key + ":" + request.sigv4->secret_key;
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  // One cached connection per client: a fresh one replaces (and closes) a suspect one.
  curl_easy_setopt(c, CURLOPT_MAXCONNECTS, 1L);
  if (impl_->discard_connection) curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);

  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    impl_->discard_connection = true;
    response.curl_code = rc;
    response.curl_error = error_buf[0] != '\0' ? error_buf : curl_easy_strerror(rc);
    return response;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  impl_->discard_connection = has_body && status >= 400;
  return response;
}

}  // namespace fleetclip::uploader

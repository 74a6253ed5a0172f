// A small, real HTTP/1.1 server on 127.0.0.1 for tests that need a backend: it serves configured
// bytes at a path with a strong ETag and honours If-None-Match (304), accepts POST and PUT (a
// heartbeat, an upload) and records every request (method, target, headers, body) for assertions.
// Faults are injected per request: an error status (500, 503, with Retry-After), a delay before
// the answer, a connection closed in the middle of the body (the client sees a short body). An
// oversized or streamed body is a served resource like any other (`chunked` sends it without a
// Content-Length).
//
//   testing::HttpTestServer server;
//   server.Serve("/config", bytes);                     // GET /config: 200 with an ETag, or 304
//   server.Inject({.path = "/config", .status = 503});  // the next GET /config: 503
//   ... point the client at server.url() + "/config" ...
//   REQUIRE(server.WaitForRequests(2, std::chrono::seconds(5)));
//   CHECK(server.Requests()[1].Header("if-none-match") == server.EtagOf("/config"));
//
// One thread accepts and serves connections one at a time (a delayed answer holds up the
// connections behind it); every response carries `Connection: close`. Every wait is bounded
// (poll timeouts, a per-request read deadline, a per-response write deadline), and Stop() (or
// the destructor) ends a delay or a transfer in progress promptly and joins the thread. Request
// bodies must come with a Content-Length (libcurl sends one whenever the size is known). All
// methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace fleetclip::testing {

struct RecordedRequest {
  std::string method;                                        // "GET", "POST", …
  std::string target;                                        // as sent: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  int status = 0;               // what the server answered (0: nothing, e.g. a malformed request)
  int64_t body_bytes_sent = 0;  // response body bytes written (final once `finished`)
  bool finished = false;        // the answer has ended and the connection is closed

  // The value of the first header named `lower_name`, or "".
  std::string Header(std::string_view lower_name) const;
};

struct ServedResource {
  std::string body;
  std::string content_type = "application/octet-stream";
  bool chunked = false;   // Transfer-Encoding: chunked (no Content-Length) instead
  bool send_etag = true;  // false: no ETag, If-None-Match is ignored
  std::string etag;       // "" = a strong ETag computed from the body (quotes included if given)
};

// Applies to the next `times` requests whose path (the target without its query) equals `path`
// ("" = any request). Faults are matched in the order they were injected; one fault per request.
struct HttpFault {
  std::string path;
  int status = 0;               // answer with this status and an empty body; 0 = the normal answer
  int64_t retry_after_s = -1;   // with `status`: a Retry-After header (seconds)
  int64_t delay_ms = 0;         // wait this long before answering (Stop() cuts it short)
  bool close_mid_body = false;  // send the head and half the body (at least 1 byte), then close
  int times = 1;
};

class HttpTestServer {
 public:
  // Listens on 127.0.0.1 with an ephemeral port; throws std::runtime_error if it cannot.
  HttpTestServer();
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>"; append a path such as "/config".
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // GET and HEAD of `path` (the target without its query) answer `resource` from now on; other
  // paths answer 404.
  void Serve(const std::string& path, ServedResource resource);
  void Serve(const std::string& path, std::string body) {
    ServedResource r;
    r.body = std::move(body);
    Serve(path, std::move(r));
  }
  // Requests with `method` ("POST", "PUT", "HEAD", …) for `path` answer 200 with `resource`
  // (its ETag header, its body unless HEAD) from now on, before any other rule but a fault: an
  // S3-like answer to a POST, or a HEAD whose size differs from the GET body's.
  void Respond(const std::string& method, const std::string& path, ServedResource resource);
  // The ETag `path` is served with, quotes included ("" when none or not served).
  std::string EtagOf(const std::string& path) const;

  void Inject(HttpFault fault);
  // The status POST and PUT requests are answered with when no fault applies (default 204).
  void SetUploadStatus(int status);

  // Every request received so far, in order. A request is recorded before its answer is sent, so
  // a client that has its answer always finds its request here; `finished` and the final
  // `body_bytes_sent` follow when the answer has ended.
  std::vector<RecordedRequest> Requests() const;
  size_t RequestCount() const;
  // Waits until the answers to at least `n` requests have ended; false after `timeout`.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const;

  // Stops serving: closes the listening socket and joins the thread. Idempotent.
  void Stop();

 private:
  struct FaultState {
    HttpFault fault;
    int left = 0;
  };
  void ServeLoop();
  void HandleConnection(int fd);
  // Sends all of `data` unless stopped, failed or past the write deadline; false if not all sent.
  bool SendAll(int fd, std::string_view data);
  // Waits `ms` unless stopped first; false when stopped.
  bool Delay(int64_t ms);

  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // an answer ended, or stopping_ was set (under mu_)
  std::atomic<bool> stopping_{false};
  std::map<std::string, ServedResource> served_;  // guarded by mu_; etag filled in
  // (method, path) → answer; guarded by mu_; etag filled in
  std::map<std::pair<std::string, std::string>, ServedResource> responses_;
  std::vector<FaultState> faults_;         // guarded by mu_
  int upload_status_ = 204;                // guarded by mu_
  std::vector<RecordedRequest> requests_;  // guarded by mu_
  size_t finished_ = 0;                    // guarded by mu_: requests whose answer has ended
  std::thread thread_;
};

}  // namespace fleetclip::testing

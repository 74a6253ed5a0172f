// The HTTP/1.1 test server (http_test_server.h): a blocking accept-serve loop on one thread, one
// request per connection, each socket wait a short poll() so Stop() is never kept waiting.
#include "tests/support/http_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace fleetclip::testing {
namespace {

constexpr int kPollMs = 20;
constexpr int64_t kReadDeadlineMs = 5'000;    // for the whole request
constexpr int64_t kWriteDeadlineMs = 30'000;  // for the whole response
constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kChunkBytes = 64 * 1024;

using SteadyClock = std::chrono::steady_clock;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A strong ETag from the body: FNV-1a 64 and the length, enough to tell test bodies apart.
std::string ComputeEtag(std::string_view body) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx\"", static_cast<unsigned long long>(h),
                body.size());
  return buf;
}

// If-None-Match uses the weak comparison: W/ prefixes are ignored, "*" matches anything.
bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  auto strip_weak = [](std::string_view e) { return e.starts_with("W/") ? e.substr(2) : e; };
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    const std::string_view item = Trim(if_none_match.substr(0, comma));
    if (item == "*" || strip_weak(item) == strip_weak(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

std::string RecordedRequest::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return "";
}

HttpTestServer::HttpTestServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("http test server: cannot listen on 127.0.0.1");
  }
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  thread_ = std::thread([this] { ServeLoop(); });
}

HttpTestServer::~HttpTestServer() { Stop(); }

void HttpTestServer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_.exchange(true)) return;
  }
  cv_.notify_all();
  thread_.join();
  ::close(listen_fd_);
}

// Fills in a strong ETag from the body when none is given, and the quotes around a bare one.
static ServedResource WithEtag(ServedResource resource) {
  if (resource.send_etag && resource.etag.empty()) resource.etag = ComputeEtag(resource.body);
  if (resource.send_etag && !resource.etag.starts_with('"') && !resource.etag.starts_with("W/"))
    resource.etag = "\"" + resource.etag + "\"";
  return resource;
}

void HttpTestServer::Serve(const std::string& path, ServedResource resource) {
  resource = WithEtag(std::move(resource));
  std::lock_guard lock(mu_);
  served_[path] = std::move(resource);
}

void HttpTestServer::Respond(const std::string& method, const std::string& path,
                             ServedResource resource) {
  resource = WithEtag(std::move(resource));
  std::lock_guard lock(mu_);
  responses_[{method, path}] = std::move(resource);
}

std::string HttpTestServer::EtagOf(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = served_.find(path);
  return it == served_.end() || !it->second.send_etag ? "" : it->second.etag;
}

void HttpTestServer::Inject(HttpFault fault) {
  std::lock_guard lock(mu_);
  const int times = fault.times;
  faults_.push_back(FaultState{std::move(fault), times});
}

void HttpTestServer::SetUploadStatus(int status) {
  std::lock_guard lock(mu_);
  upload_status_ = status;
}

std::vector<RecordedRequest> HttpTestServer::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t HttpTestServer::RequestCount() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

bool HttpTestServer::WaitForRequests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return finished_ >= n; });
}

bool HttpTestServer::Delay(int64_t ms) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
}

void HttpTestServer::ServeLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleConnection(fd);
    ::close(fd);
  }
}

bool HttpTestServer::SendAll(int fd, std::string_view data) {
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(kWriteDeadlineMs);
  while (!data.empty()) {
    if (stopping_ || SteadyClock::now() > deadline) return false;
    pollfd p{fd, POLLOUT, 0};
    const int r = ::poll(&p, 1, kPollMs);
    if (r == 0 || (r < 0 && errno == EINTR)) continue;
    if (r < 0 || (p.revents & (POLLERR | POLLHUP)) != 0) return false;
    const ssize_t w = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (w <= 0) return false;
    data.remove_prefix(static_cast<size_t>(w));
  }
  return true;
}

void HttpTestServer::HandleConnection(int fd) {
  // Read the head, then a Content-Length body.
  RecordedRequest req;
  std::string data;
  size_t body_at = std::string::npos;
  size_t content_length = 0;
  bool sent_continue = false;
  const auto deadline = SteadyClock::now() + std::chrono::milliseconds(kReadDeadlineMs);
  char buf[64 * 1024];
  while (!stopping_ && SteadyClock::now() < deadline) {
    if (body_at != std::string::npos && data.size() >= body_at + content_length) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (body_at == std::string::npos) {
      const size_t end = data.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (data.size() > kMaxHeadBytes) break;
        continue;
      }
      body_at = end + 4;
      std::string_view head(data.data(), end);
      const size_t line_end = head.find("\r\n");
      const std::string_view line = head.substr(0, line_end);
      const size_t sp1 = line.find(' ');
      const size_t sp2 = line.find(' ', sp1 + 1);
      if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) break;
      req.method = std::string(line.substr(0, sp1));
      req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
      std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
      while (!rest.empty()) {
        const size_t eol = rest.find("\r\n");
        const std::string_view h = rest.substr(0, eol);
        const size_t colon = h.find(':');
        if (colon != std::string_view::npos)
          req.headers.emplace_back(Lower(Trim(h.substr(0, colon))),
                                   std::string(Trim(h.substr(colon + 1))));
        if (eol == std::string_view::npos) break;
        rest.remove_prefix(eol + 2);
      }
      const std::string cl = req.Header("content-length");
      content_length = 0;
      if (!cl.empty() &&
          std::from_chars(cl.data(), cl.data() + cl.size(), content_length).ec != std::errc())
        break;  // malformed: no answer
      if (Lower(req.Header("expect")) == "100-continue" && !sent_continue) {
        sent_continue = true;
        if (!SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) break;
      }
    }
  }
  if (body_at == std::string::npos || data.size() < body_at + content_length) {
    if (!req.method.empty()) {  // a request that started but never completed
      req.finished = true;
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(req));
      ++finished_;
      cv_.notify_all();
    }
    return;
  }
  req.body = data.substr(body_at, content_length);
  const std::string path = req.target.substr(0, req.target.find('?'));

  // Decide the answer.
  HttpFault fault;
  ServedResource resource;
  bool found = false;
  int upload_status = 204;
  bool custom = false;  // a Respond() answer for this method and path
  {
    std::lock_guard lock(mu_);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
      if (!it->fault.path.empty() && it->fault.path != path) continue;
      fault = it->fault;
      if (--it->left <= 0) faults_.erase(it);
      break;
    }
    auto it = served_.find(path);
    if (it != served_.end()) {
      resource = it->second;
      found = true;
    }
    if (auto r = responses_.find({req.method, path}); r != responses_.end()) {
      resource = r->second;
      found = true;
      custom = true;
    }
    upload_status = upload_status_;
  }

  std::string head;
  std::string_view body;
  int status = 0;
  const bool is_get = req.method == "GET" || req.method == "HEAD";
  if (fault.status != 0) {
    status = fault.status;
    head = "Content-Length: 0\r\n";
    if (fault.retry_after_s >= 0)
      head += "Retry-After: " + std::to_string(fault.retry_after_s) + "\r\n";
  } else if (!custom && (req.method == "POST" || req.method == "PUT")) {
    status = upload_status;
    if (status != 204) head = "Content-Length: 0\r\n";
  } else if (!is_get && !custom) {
    status = 405;
    head = "Content-Length: 0\r\n";
  } else if (!found) {
    status = 404;
    head = "Content-Length: 0\r\n";
  } else if (!custom && resource.send_etag && !req.Header("if-none-match").empty() &&
             EtagMatches(req.Header("if-none-match"), resource.etag)) {
    status = 304;
    head = "ETag: " + resource.etag + "\r\n";
  } else {
    status = 200;
    if (resource.send_etag) head += "ETag: " + resource.etag + "\r\n";
    head += "Content-Type: " + resource.content_type + "\r\n";
    head += resource.chunked ? std::string("Transfer-Encoding: chunked\r\n")
                             : "Content-Length: " + std::to_string(resource.body.size()) + "\r\n";
    if (req.method != "HEAD") body = resource.body;
  }
  req.status = status;
  // Recorded before the answer goes out, so a client that has its answer finds its request here.
  size_t index = 0;
  {
    std::lock_guard lock(mu_);
    index = requests_.size();
    requests_.push_back(req);
  }
  int64_t body_bytes_sent = 0;
  auto finish = [&] {
    std::lock_guard lock(mu_);
    requests_[index].body_bytes_sent = body_bytes_sent;
    requests_[index].finished = true;
    ++finished_;
    cv_.notify_all();
  };
  if (fault.delay_ms > 0 && !Delay(fault.delay_ms)) return finish();
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(Reason(status)) +
                    "\r\n" + head + "Connection: close\r\n\r\n";
  bool ok = SendAll(fd, out);
  if (ok && fault.close_mid_body && status == 200) {
    const std::string_view half = body.substr(0, std::max<size_t>(1, body.size() / 2));
    if (resource.chunked) {
      char size_line[32];
      std::snprintf(size_line, sizeof size_line, "%zx\r\n", half.size());
      ok = SendAll(fd, size_line);
    }
    if (ok && SendAll(fd, half)) body_bytes_sent = static_cast<int64_t>(half.size());
  } else if (ok && resource.chunked && status == 200) {
    std::string_view rest = body;
    while (ok && !rest.empty()) {
      const std::string_view chunk = rest.substr(0, kChunkBytes);
      char size_line[32];
      std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
      ok = SendAll(fd, size_line) && SendAll(fd, chunk) && SendAll(fd, "\r\n");
      if (ok) body_bytes_sent += static_cast<int64_t>(chunk.size());
      rest.remove_prefix(chunk.size());
    }
    if (ok && req.method == "GET") ok = SendAll(fd, "0\r\n\r\n");
  } else if (ok) {
    std::string_view rest = body;
    while (ok && !rest.empty()) {
      const std::string_view chunk = rest.substr(0, kChunkBytes);
      ok = SendAll(fd, chunk);
      if (ok) body_bytes_sent += static_cast<int64_t>(chunk.size());
      rest.remove_prefix(chunk.size());
    }
  }
  ::shutdown(fd, SHUT_WR);
  finish();
}

}  // namespace fleetclip::testing

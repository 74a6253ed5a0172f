// The fault-injecting TCP proxy (fault_proxy.h).
#include "tests/support/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace fleetclip::testing {
namespace {

constexpr int kPollMs = 50;
constexpr size_t kBuf = 64 * 1024;

void SleepMs(int64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Writes all of [p, p+n) to a blocking socket; false on error.
bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void Reset(int fd) {
  struct linger l {
    1, 0
  };
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

int64_t ContentLength(const std::string& head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  const size_t p = lower.find("\r\ncontent-length:");
  if (p == std::string::npos) return 0;
  return std::stoll(lower.substr(p + 17));
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("fault proxy: bind/listen failed");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() { Stop(); }

void FaultProxy::Stop() {
  if (stopping_.exchange(true)) return;
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
  ::close(listen_fd_);
}

void FaultProxy::ResetAfterUpstreamBytes(int64_t n) { reset_at_ = upstream_bytes_.load() + n; }
void FaultProxy::StallAfterUpstreamBytes(int64_t n, int64_t stall_ms) {
  stall_ms_ = stall_ms;
  stall_at_ = upstream_bytes_.load() + n;
}
void FaultProxy::SetRate(int64_t bytes_per_s) { rate_ = bytes_per_s; }
void FaultProxy::TruncateNextResponse(int64_t k) { truncate_ = k; }
void FaultProxy::Inject(InjectedResponse r) {
  std::lock_guard lock(mu_);
  injections_.push_back(std::move(r));
}
void FaultProxy::ClearFaults() {
  reset_at_ = -1;
  stall_at_ = -1;
  rate_ = 0;
  truncate_ = -1;
  std::lock_guard lock(mu_);
  injections_.clear();
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard lock(mu_);
    threads_.emplace_back([this, fd] { Pump(fd); });
  }
}

bool FaultProxy::MatchInjection(const std::string& head, std::string* response) {
  std::lock_guard lock(mu_);
  const std::string line = head.substr(0, head.find("\r\n"));
  for (auto it = injections_.begin(); it != injections_.end(); ++it) {
    if (!it->method.empty() && !line.starts_with(it->method + " ")) continue;
    if (!it->path_fragment.empty() && line.find(it->path_fragment) == std::string::npos) continue;
    const std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" +
                             it->s3_code +
                             "</Code><Message>injected by the fault proxy</Message></Error>";
    *response = "HTTP/1.1 " + std::to_string(it->status) + " Injected\r\nContent-Type: " +
                "application/xml\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nConnection: close\r\n\r\n" + body;
    if (--it->times <= 0) injections_.erase(it);
    ++injected_;
    return true;
  }
  return false;
}

void FaultProxy::Pump(int client) {
  const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(server);
    ::close(client);
    return;
  }
  std::string head;            // request head being collected (client → server)
  int64_t body_left = 0;       // request body bytes still to pass through
  bool swallowing = false;     // answering this request ourselves: drop its body
  std::string canned;          // our answer, sent once the body is swallowed
  int64_t response_left = -1;  // bytes of a truncated response still allowed
  std::vector<char> buf(kBuf);
  bool done = false;
  auto throttle = [this](size_t n) {
    const int64_t r = rate_.load();
    if (r > 0) SleepMs(static_cast<int64_t>(n) * 1000 / r);
  };
  // Forwards client bytes upstream, applying the reset and stall points.
  auto forward_up = [&](const char* p, size_t n) -> bool {
    const int64_t before = upstream_bytes_.fetch_add(static_cast<int64_t>(n));
    int64_t reset = reset_at_.load();
    if (reset >= 0 && reset < before + static_cast<int64_t>(n) &&
        reset_at_.compare_exchange_strong(reset, -1)) {
      WriteAll(server, p, static_cast<size_t>(std::max<int64_t>(0, reset - before)));
      Reset(client);
      Reset(server);
      ++resets_;
      return false;
    }
    int64_t stall = stall_at_.load();
    if (stall >= 0 && stall < before + static_cast<int64_t>(n) &&
        stall_at_.compare_exchange_strong(stall, -1)) {
      for (int64_t waited = 0; waited < stall_ms_ && !stopping_; waited += kPollMs)
        SleepMs(kPollMs);
    }
    throttle(n);
    return WriteAll(server, p, n);
  };
  while (!done && !stopping_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, kPollMs) <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(client, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      size_t i = 0;
      while (i < static_cast<size_t>(n) && !done) {
        if (body_left > 0) {
          const size_t take = std::min<size_t>(static_cast<size_t>(body_left), n - i);
          if (!swallowing && !forward_up(buf.data() + i, take)) done = true;
          body_left -= static_cast<int64_t>(take);
          i += take;
        } else {
          head.push_back(buf[i++]);
          if (!head.ends_with("\r\n\r\n")) continue;
          body_left = ContentLength(head);
          swallowing = MatchInjection(head, &canned);
          if (!swallowing && !forward_up(head.data(), head.size())) done = true;
          head.clear();
        }
        if (swallowing && body_left == 0) {
          WriteAll(client, canned.data(), canned.size());
          done = true;
        }
      }
    }
    if (!done && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t n = ::recv(server, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      if (response_left < 0) {
        const int64_t t = truncate_.exchange(-1);
        if (t >= 0) response_left = t;
      }
      size_t send = static_cast<size_t>(n);
      if (response_left >= 0) {
        send = std::min<size_t>(send, static_cast<size_t>(response_left));
        response_left -= static_cast<int64_t>(send);
      }
      throttle(send);
      if (!WriteAll(client, buf.data(), send) || response_left == 0) done = true;
    }
  }
  ::close(server);
  ::close(client);
}

}  // namespace fleetclip::testing

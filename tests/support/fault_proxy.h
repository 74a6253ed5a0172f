// A fault-injecting TCP proxy for the uploader tests (this kernel has no netem). It listens on
// 127.0.0.1 (an ephemeral port) and forwards every connection to one upstream port, and can, once
// armed: reset both sides after N client→server bytes (counted across connections), stall a
// connection, slow everything to a byte rate, truncate the next response after K bytes, or answer
// the next request matching a method and path fragment itself (500, 503 SlowDown, or a 200 whose
// body is an S3 <Error>). One thread accepts; one thread per connection pumps both directions with
// poll(). Every wait is bounded; Stop() (or the destructor) closes everything and joins.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fleetclip::testing {

struct InjectedResponse {
  std::string method;         // "PUT", "POST", … ("" = any)
  std::string path_fragment;  // must occur in the request target ("" = any)
  int status = 503;
  std::string s3_code = "SlowDown";  // body <Error><Code>…; also used with status 200
  int times = 1;                     // how many matching requests to answer
};

class FaultProxy {
 public:
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Resets both sides of the connection that carries client→server byte number `n` (counted from
  // now, over all connections). One-shot.
  void ResetAfterUpstreamBytes(int64_t n);
  // Stops forwarding on the connection that carries upstream byte `n` for `stall_ms`. One-shot.
  void StallAfterUpstreamBytes(int64_t n, int64_t stall_ms);
  // Limits every direction of every connection to `bytes_per_s` (0 = unlimited).
  void SetRate(int64_t bytes_per_s);
  // Forwards only `k` bytes of the next response, then closes the connection. One-shot.
  void TruncateNextResponse(int64_t k);
  void Inject(InjectedResponse r);
  void ClearFaults();

  int64_t resets() const { return resets_.load(); }
  int64_t injected() const { return injected_.load(); }
  int64_t connections() const { return connections_.load(); }

  void Stop();

 private:
  void AcceptLoop();
  void Pump(int client_fd);
  // Whether the request head in `head` should be answered by us; fills `response`.
  bool MatchInjection(const std::string& head, std::string* response);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> upstream_bytes_{0};
  std::atomic<int64_t> reset_at_{-1};
  std::atomic<int64_t> stall_at_{-1};
  std::atomic<int64_t> stall_ms_{0};
  std::atomic<int64_t> rate_{0};
  std::atomic<int64_t> truncate_{-1};
  std::atomic<int64_t> resets_{0};
  std::atomic<int64_t> injected_{0};
  std::atomic<int64_t> connections_{0};
  std::mutex mu_;
  std::vector<InjectedResponse> injections_;  // guarded by mu_
  std::vector<std::thread> threads_;          // guarded by mu_
  std::thread acceptor_;
};

}  // namespace fleetclip::testing

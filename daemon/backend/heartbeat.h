// The status heartbeat (DESIGN.md §8): POSTs the daemon's proto::DaemonStatus, serialized protobuf
// with `Content-Type: application/x-protobuf`, to `backend.heartbeat_url`. The daemon sends one
// after every regular config poll (ConfigPoller::Run's after_poll hook), so the backend hears
// from each car once per poll interval, jittered like the poll, on the same thread and the same
// radio wake-up, and the status already carries the config version the poll just applied. A
// failed heartbeat is counted and logged (at most one record per `log_interval_ms`, saying how
// many were held back), never retried out of turn and never fatal: the next one carries fresher
// status anyway. Timeouts: HttpOptions' connect timeout and stall timeout; the answer's body is
// read up to 4 KiB and ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/log_throttle.h"
#include "common/result.h"
#include "proto/control.pb.h"
#include "uploader/http_client.h"

namespace fleetclip::daemon::backend {

struct HeartbeatOptions {
  std::string url;  // https:// or http://
  uploader::HttpOptions http{.connect_timeout_ms = 10'000,
                             .stall_timeout_ms = 20'000,
                             .max_send_bytes_per_s = 0,
                             .max_response_body_bytes = 4096};
  std::vector<std::string> headers;       // extra "Name: value" lines (e.g. authorization)
  int64_t log_interval_ms = 15 * 60'000;  // failure records at most this often
};

struct HeartbeatStats {
  int64_t sent = 0;
  int64_t failed = 0;
  int64_t consecutive_failures = 0;
  std::string last_error;  // "" after a success
};

class Heartbeat {
 public:
  // Checks the URL. `clock` and `log`'s sink must outlive the heartbeat.
  static Result<std::unique_ptr<Heartbeat>> Create(HeartbeatOptions options, const Clock& clock,
                                                   Logger log);

  // One POST of `status`. Any 2xx is success. Failures are counted and logged here; the result is
  // for callers that want it. Not thread-safe: call from one thread (the backend thread).
  Status Send(const proto::DaemonStatus& status, std::stop_token stop = {});

  HeartbeatStats stats() const;  // thread-safe

 private:
  Heartbeat(HeartbeatOptions options, const Clock& clock, Logger log, uploader::HttpClient http)
      : options_(std::move(options)),
        clock_(clock),
        log_(std::move(log)),
        http_(std::move(http)),
        throttle_(std::chrono::milliseconds(options_.log_interval_ms)) {}

  HeartbeatOptions options_;
  const Clock& clock_;
  Logger log_;
  uploader::HttpClient http_;  // the calling thread's
  LogThrottle throttle_;       // the calling thread's
  mutable std::mutex mu_;
  HeartbeatStats stats_;  // guarded by mu_
};

}  // namespace fleetclip::daemon::backend

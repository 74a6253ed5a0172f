// The backend client's config poll (DESIGN.md §8): fetches the SignedFleetConfig bytes from
// `backend.config_url` — an https:// or http:// URL, or an s3://bucket/key object signed with
// SigV4 — with `If-None-Match: <last ETag>`, so an unchanged config costs one 304. The bytes are
// handed over unverified: the daemon verifies, parses, persists and swaps them in.
//
// Timing. The first poll runs at once; then every `poll_interval_ms` × U[0.9, 1.1] (±10%). Why
// not full jitter for the regular poll: U[0, 2·base] would double the worst-case delay before a
// car sees a new config and sometimes poll twice within seconds, while ±10% keeps the interval
// predictable (every car within 1.1 intervals; a steady N/interval request rate) and is enough to
// break lockstep. 10 000 cars that poll together once (one depot power-on, the end of an outage)
// are spread over 0.2 × 15 min = 3 min at the next poll (~55 requests/s instead of 10 000 at
// once), and wider at each following one: the phases random-walk apart, σ ≈ 0.058·interval·√n.
// Where lockstep comes from shared failures, the retries use full jitter: a transient failure
// (connect/reset/timeout, 408, 429, 5xx, a body cut short) is retried after uploader::Backoff's
// U[0, min(cap, base·2^(n-1))] (at least 1 s, at most one interval, never before the server's
// Retry-After); a permanent failure (404, 403, a body over `max_config_bytes`, a bad URL) is
// logged and waits for the next regular poll.
//
// Memory. The body is streamed into a buffer that refuses the first byte past `max_config_bytes`
// and aborts the transfer then, whatever Content-Length the server announced.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "common/result.h"
#include "uploader/backoff.h"
#include "uploader/http_client.h"
#include "uploader/s3_transport.h"

namespace fleetclip::daemon::backend {

inline constexpr int64_t kDefaultPollIntervalMs = 15 * 60'000;
inline constexpr int64_t kMinPollIntervalMs = 60'000;
inline constexpr int64_t kMaxPollIntervalMs = 24 * 3600'000;
inline constexpr int64_t kDefaultMaxConfigBytes = 1 << 20;
inline constexpr double kPollJitter = 0.10;  // each interval is drawn from base·[0.9, 1.1]

struct ConfigPollerOptions {
  std::string config_url;        // https://…, http://…, s3://bucket/key
  int64_t poll_interval_ms = 0;  // 0 = kDefaultPollIntervalMs; else 1 min .. 1 day
  int64_t max_config_bytes = 0;  // 0 = kDefaultMaxConfigBytes
  std::string initial_etag;      // the ETag of the config already active, if kept
  // For s3:// only: the endpoint ("https://s3.eu-west-1.amazonaws.com", no trailing slash), its
  // region, and where the keys come from (called on the first poll and after they expired).
  std::string s3_endpoint;
  std::string s3_region;
  uploader::SigV4KeySource s3_keys;
  uploader::HttpOptions http;  // connect and stall timeouts
  uploader::BackoffConfig retry{.base_ms = 5'000, .cap_ms = 5 * 60'000};  // cap ≤ interval
  // U[0, 1) for the jitter and the backoff; empty = a generator seeded from std::random_device.
  std::function<double()> uniform01;
};

struct PollResult {
  enum class Kind {
    kNotModified,     // 304, or the same bytes as the last fetch from a server without ETags
    kNew,             // `bytes` and `etag` are set
    kTransientError,  // `error` is set; retry soon
    kPermanentError,  // `error` is set; wait for the next regular poll
  };
  Kind kind = Kind::kNotModified;
  std::string bytes;
  std::string etag;             // as the server sent it, quotes included; "" if none
  std::optional<Error> error;   // names the URL (without its query) and what failed
  int64_t retry_after_ms = -1;  // the server's Retry-After, when it sent one
};

// Called on the backend thread with newly fetched bytes and their ETag. Return Ok() when the
// config was applied. An error that is not retryable (bad signature, stale version, wrong scope)
// is a rejection: it is logged once and the ETag is kept, so the same bytes are not downloaded
// again on every poll. A retryable error (the disk was full when persisting) forgets the ETag and
// retries with backoff.
using ConfigCallback = std::function<Status(const std::string& bytes, const std::string& etag)>;
// Called on the backend thread after a poll: after every regular poll, during a run of quick
// retries at most once per 0.9 intervals, and always before a wait that would leave more than 1.1
// intervals since the last call — so calls are never more than 1.1 intervals plus one poll's
// transfer time (≤ 5 min) apart: the hook for the status heartbeat and a watchdog beat.
using AfterPollCallback = std::function<void(std::stop_token)>;

// Counters for status and tests. A snapshot; all fields describe the state after the last poll.
struct PollerStats {
  int64_t polls = 0;
  int64_t not_modified = 0;
  int64_t new_configs = 0;
  int64_t rejected = 0;
  int64_t failures = 0;
  int consecutive_failures = 0;
  std::string etag;
  std::string last_error;    // "" after a success
  MonoTime last_poll_end{};  // when the last poll finished
  MonoTime next_poll{};      // when Run() polls next (before a PollNow())
};

class ConfigPoller {
 public:
  // Checks the URL scheme and the bounds; the error names the option and the bound. `clock` and
  // `log`'s sink must outlive the poller.
  static Result<std::unique_ptr<ConfigPoller>> Create(ConfigPollerOptions options,
                                                      const Clock& clock, Logger log);
  ConfigPoller(const ConfigPoller&) = delete;
  ConfigPoller& operator=(const ConfigPoller&) = delete;
  ~ConfigPoller();

  // One conditional GET. On kNew the poller remembers the new ETag (and a digest of the bytes)
  // for the next If-None-Match. Blocks for at most the connect timeout plus 5 min of transfer (a
  // stall ends it sooner); `stop` aborts the transfer. Not thread-safe: call from one thread (the
  // one that calls Run()).
  PollResult PollOnce(std::stop_token stop = {});

  // The backend thread's loop: polls at once, then on the jittered interval (sooner after a
  // transient failure, at once after PollNow()), calling `on_config` with new bytes and
  // `after_poll` (may be empty) as described above. Every sleep goes through the injected clock
  // and ends when `stop` is requested; returns promptly then (an HTTP transfer in progress is
  // aborted).
  void Run(std::stop_token stop, const ConfigCallback& on_config,
           const AfterPollCallback& after_poll = {});

  // kYes: the next poll sends no If-None-Match and hands the bytes to `on_config` even if they
  // are the ones fetched last, because the base config they were checked against changed (a key
  // now trusted, another vehicle id): what was rejected may now be accepted.
  enum class Refetch { kNo, kYes };
  // Makes Run() poll now (SIGHUP, the CLI's reload). If a poll is in progress, another follows
  // it. Thread-safe; cheap enough to call from the main loop (not from a signal handler).
  void PollNow(Refetch refetch = Refetch::kNo);

  PollerStats stats() const;  // thread-safe

  // The wait before the next regular poll for a uniform draw `u` in [0, 1): interval × (0.9 +
  // 0.2u).
  static Nanos JitteredInterval(int64_t interval_ms, double u);

 private:
  struct Impl;
  explicit ConfigPoller(std::unique_ptr<Impl> impl);
  PollResult Fetch(std::stop_token stop);  // PollOnce() without the stats
  // Publishes one poll's outcome in stats(); `next` is Run()'s next poll time.
  void Record(const PollResult& r, MonoTime end, bool rejected, std::optional<MonoTime> next);
  // Sleeps until `deadline`, a PollNow() or `stop`; false when stopped.
  bool SleepUntilOrWake(MonoTime deadline, std::stop_token stop);

  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetclip::daemon::backend

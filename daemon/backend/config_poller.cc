// The config poll of config_poller.h: one conditional GET over uploader::HttpClient (SigV4-signed
// for s3://), classified with uploader's retry table, and the backend thread's loop around it.
#include "daemon/backend/config_poller.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <random>

#include "common/log_throttle.h"
#include "queue/sha256.h"
#include "uploader/retry_classifier.h"
#include "uploader/s3_client.h"
#include "uploader/s3_xml.h"

namespace fleetclip::daemon::backend {
namespace {

using uploader::FailureClass;
using uploader::HttpResponse;
using uploader::TransferFailure;

constexpr Nanos kFailureLogInterval = std::chrono::minutes(10);
// Full jitter may draw ~0; a floor keeps a run of failures from becoming a busy loop.
constexpr Nanos kMinRetryDelay = std::chrono::seconds(1);
// A whole download's bound; the stall timeout alone would let 1 byte/s go on for days.
constexpr Nanos kMaxTransferTime = std::chrono::minutes(5);

// The URL without its query, which may hold a presigned signature or a token.
std::string LoggableUrl(std::string_view url) { return std::string(url.substr(0, url.find('?'))); }

int64_t ParseRetryAfterMs(std::string_view v) {
  int64_t s = -1;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (ec != std::errc() || p != v.data() + v.size() || s < 0) return -1;  // HTTP-date: ignored
  return std::min<int64_t>(s, 86'400) * 1000;
}

std::function<double()> DefaultUniform01() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

struct ConfigPoller::Impl {
  Impl(ConfigPollerOptions o, const Clock& c, Logger l, uploader::HttpClient h)
      : options(std::move(o)),
        clock(c),
        log(std::move(l)),
        http(std::move(h)),
        backoff(options.retry, options.uniform01) {}

  ConfigPollerOptions options;
  const Clock& clock;
  Logger log;
  uploader::HttpClient http;
  uploader::Backoff backoff;
  bool s3 = false;
  std::string request_url;  // the http(s) URL, or the S3 object's path-style URL
  std::string log_url;      // what errors and logs name

  // The poll thread's own state.
  std::optional<uploader::SigV4Key> s3_key;  // loaded on first use, dropped when expired
  std::string etag;
  std::string last_sha256;  // of the last bytes returned as kNew
  LogThrottle failure_log{kFailureLogInterval};

  std::mutex mu;
  PollerStats stats;                        // guarded by mu
  bool wake_requested = false;              // guarded by mu
  bool refetch_requested = false;           // guarded by mu: forget etag and last_sha256 first
  std::stop_source wake{std::nostopstate};  // guarded by mu: the sleep in progress, if any
};

Nanos ConfigPoller::JitteredInterval(int64_t interval_ms, double u) {
  u = std::clamp(u, 0.0, 1.0);
  const double factor = 1.0 - kPollJitter + 2.0 * kPollJitter * u;
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(interval_ms) * factor));
}

Result<std::unique_ptr<ConfigPoller>> ConfigPoller::Create(ConfigPollerOptions options,
                                                           const Clock& clock, Logger log) {
  if (options.poll_interval_ms == 0) options.poll_interval_ms = kDefaultPollIntervalMs;
  if (options.max_config_bytes == 0) options.max_config_bytes = kDefaultMaxConfigBytes;
  if (options.poll_interval_ms < kMinPollIntervalMs ||
      options.poll_interval_ms > kMaxPollIntervalMs)
    return Invalid("backend.poll_interval_ms=" + std::to_string(options.poll_interval_ms) +
                   " is outside [" + std::to_string(kMinPollIntervalMs) + ", " +
                   std::to_string(kMaxPollIntervalMs) + "] (1 min .. 1 day)");
  if (options.max_config_bytes < 0)
    return Invalid("backend.max_config_bytes=" + std::to_string(options.max_config_bytes) +
                   " must be positive");
  options.retry.cap_ms = std::min(options.retry.cap_ms, options.poll_interval_ms);
  if (!options.uniform01) options.uniform01 = DefaultUniform01();

  const std::string& url = options.config_url;
  bool s3 = false;
  std::string request_url;
  if (url.starts_with("https://") || url.starts_with("http://")) {
    request_url = url;
  } else if (url.starts_with("s3://")) {
    const std::string_view rest = std::string_view(url).substr(5);
    const size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == rest.size())
      return Invalid("backend.config_url=" + url + " must be s3://bucket/key");
    if (!options.s3_endpoint.starts_with("https://") && !options.s3_endpoint.starts_with("http://"))
      return Invalid("backend.config_url=" + url +
                     " needs the S3 endpoint (upload.endpoint, http(s)://…), got \"" +
                     options.s3_endpoint + "\"");
    if (!options.s3_keys) return Invalid("backend.config_url=" + url + " needs S3 credentials");
    std::string endpoint = options.s3_endpoint;
    while (endpoint.ends_with('/')) endpoint.pop_back();
    request_url = endpoint + "/" + uploader::UriEncode(rest.substr(0, slash), false) + "/" +
                  uploader::UriEncode(rest.substr(slash + 1), true);
    s3 = true;
  } else {
    return Invalid("backend.config_url=\"" + url + "\" must start with https://, http:// or s3://");
  }

  auto http = uploader::HttpClient::Create(options.http);
  if (!http.ok()) return http.error();
  auto impl = std::make_unique<Impl>(std::move(options), clock, std::move(log), std::move(*http));
  impl->s3 = s3;
  impl->request_url = std::move(request_url);
  impl->log_url = LoggableUrl(impl->options.config_url);
  impl->etag = impl->options.initial_etag;
  impl->stats.etag = impl->etag;
  return std::unique_ptr<ConfigPoller>(new ConfigPoller(std::move(impl)));
}

ConfigPoller::ConfigPoller(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigPoller::~ConfigPoller() = default;

PollResult ConfigPoller::Fetch(std::stop_token stop) {
  Impl& m = *impl_;
  const std::string what = "GET " + m.log_url;
  PollResult out;
  auto fail = [&](FailureClass c, Error e) {
    out.kind = c == FailureClass::kPermanent ? PollResult::Kind::kPermanentError
                                             : PollResult::Kind::kTransientError;
    out.error = std::move(e);
    return out;
  };

  uploader::HttpRequest req;
  req.url = m.request_url;
  if (!m.etag.empty()) req.headers.push_back("If-None-Match: " + m.etag);
  if (m.s3) {
    if (!m.s3_key) {
      Result<uploader::SigV4Key> key = m.options.s3_keys();
      if (!key.ok()) {
        const Error e = key.error().WithContext(what + ": loading S3 credentials");
        return fail(e.retryable() ? FailureClass::kTransient : FailureClass::kPermanent, e);
      }
      m.s3_key = std::move(*key);
      if (m.s3_key->region.empty()) m.s3_key->region = m.options.s3_region;
    }
    req.sigv4 = &*m.s3_key;
    req.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    if (!m.s3_key->session_token.empty())
      req.headers.push_back("x-amz-security-token: " + m.s3_key->session_token);
  }
  // The cap holds for every body, error documents included: nothing past it is buffered.
  std::string body;
  bool too_big = false;
  const auto max_bytes = static_cast<size_t>(m.options.max_config_bytes);
  const MonoTime deadline = m.clock.Now() + kMaxTransferTime;
  bool too_slow = false;
  req.body_sink = [&](std::string_view chunk) {
    if (m.clock.Now() > deadline) {  // a trickle that the stall timeout lets through
      too_slow = true;
      return false;
    }
    if (chunk.size() > max_bytes - body.size()) {
      too_big = true;
      return false;
    }
    body.append(chunk);
    return true;
  };
  HttpResponse r = m.http.Perform(req, stop);

  if (too_big)
    return fail(FailureClass::kPermanent,
                Invalid(what + ": the config is larger than backend.max_config_bytes=" +
                        std::to_string(m.options.max_config_bytes) + "; download aborted"));
  if (too_slow)
    return fail(FailureClass::kTransient,
                Error(ErrorCode::kTimeout, what + ": the download took longer than " +
                                               std::to_string(ToMillis(kMaxTransferTime)) + " ms"));
  if (r.curl_code != 0) {
    if (stop.stop_requested())
      return fail(FailureClass::kTransient, Error(ErrorCode::kCancelled, what + ": stopped"));
    TransferFailure f{r.curl_code, 0, "", r.curl_error};
    return fail(uploader::Classify(f), uploader::ToError(what, f));
  }
  if (r.status == 304) {
    out.kind = PollResult::Kind::kNotModified;
    return out;
  }
  if (r.status / 100 == 2) {
    std::string sha = queue::Sha256Hex(body);
    std::string etag = r.Header("etag");
    if (!m.last_sha256.empty() && sha == m.last_sha256) {
      // Same bytes from a server that ignored If-None-Match (or sent no ETag).
      m.etag = std::move(etag);
      out.kind = PollResult::Kind::kNotModified;
      return out;
    }
    m.etag = etag;
    m.last_sha256 = std::move(sha);
    out.kind = PollResult::Kind::kNew;
    out.bytes = std::move(body);
    out.etag = std::move(etag);
    return out;
  }
  TransferFailure f{0, r.status, "", ""};
  if (m.s3) {
    if (std::optional<uploader::S3ErrorDocument> e = uploader::ParseS3Error(body)) {
      f.s3_code = std::move(e->code);
      f.message = std::move(e->message);
    }
  }
  FailureClass c = uploader::Classify(f);
  if (c == FailureClass::kRefresh) {
    m.s3_key.reset();  // reloaded by the retry
    c = FailureClass::kTransient;
  }
  out.retry_after_ms = ParseRetryAfterMs(r.Header("retry-after"));
  return fail(c, uploader::ToError(what, f));
}

PollResult ConfigPoller::PollOnce(std::stop_token stop) {
  PollResult r = Fetch(std::move(stop));
  Record(r, impl_->clock.Now(), false, std::nullopt);
  return r;
}

void ConfigPoller::Record(const PollResult& r, MonoTime end, bool rejected,
                          std::optional<MonoTime> next) {
  Impl& m = *impl_;
  std::lock_guard lock(m.mu);
  PollerStats& s = m.stats;
  ++s.polls;
  if (r.kind == PollResult::Kind::kNotModified) ++s.not_modified;
  if (r.kind == PollResult::Kind::kNew) ++s.new_configs;
  if (rejected) ++s.rejected;
  if (r.error) ++s.failures;
  s.consecutive_failures = r.error ? s.consecutive_failures + 1 : 0;
  s.etag = m.etag;
  s.last_error = r.error ? r.error->ToString() : "";
  s.last_poll_end = end;
  if (next) s.next_poll = *next;
}

void ConfigPoller::PollNow(Refetch refetch) {
  std::lock_guard lock(impl_->mu);
  impl_->wake_requested = true;
  if (refetch == Refetch::kYes) impl_->refetch_requested = true;
  if (impl_->wake.stop_possible()) impl_->wake.request_stop();
}

PollerStats ConfigPoller::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

bool ConfigPoller::SleepUntilOrWake(MonoTime deadline, std::stop_token stop) {
  Impl& m = *impl_;
  std::stop_source wake;
  {
    std::lock_guard lock(m.mu);
    if (m.wake_requested) {
      m.wake_requested = false;
      return !stop.stop_requested();
    }
    m.wake = wake;
  }
  {
    std::stop_callback forward(stop, [wake]() mutable { wake.request_stop(); });
    m.clock.SleepUntil(deadline, wake.get_token());
  }
  std::lock_guard lock(m.mu);
  m.wake = std::stop_source(std::nostopstate);
  m.wake_requested = false;  // this wake-up is the poll it asked for
  return !stop.stop_requested();
}

void ConfigPoller::Run(std::stop_token stop, const ConfigCallback& on_config,
                       const AfterPollCallback& after_poll) {
  Impl& m = *impl_;
  const Nanos interval = std::chrono::milliseconds(m.options.poll_interval_ms);
  std::optional<MonoTime> last_after_poll;
  int failures = 0;
  MonoTime next = m.clock.Now();
  while (SleepUntilOrWake(next, stop)) {
    {
      std::lock_guard lock(m.mu);
      if (m.refetch_requested) {
        m.refetch_requested = false;
        m.etag.clear();
        m.last_sha256.clear();
      }
    }
    PollResult r = Fetch(stop);
    if (stop.stop_requested()) break;
    bool rejected = false;
    if (r.kind == PollResult::Kind::kNew) {
      Status applied = on_config(r.bytes, r.etag);
      if (applied.ok()) {
        m.log.Notice("config_fetched", {{"url", m.log_url},
                                        {"etag", r.etag},
                                        {"bytes", static_cast<int64_t>(r.bytes.size())}});
      } else if (!applied.error().retryable()) {
        rejected = true;  // the ETag stays: these bytes are not fetched again
        m.log.Warn("config_rejected",
                   {{"url", m.log_url}, {"etag", r.etag}, {"error", applied.error().ToString()}});
      } else {
        m.etag.clear();
        m.last_sha256.clear();
        r.error = applied.error().WithContext("applying the fetched config");
        r.kind = PollResult::Kind::kTransientError;
      }
    }
    const bool transient = r.kind == PollResult::Kind::kTransientError;
    failures = transient ? failures + 1 : 0;
    Nanos wait = JitteredInterval(m.options.poll_interval_ms, m.options.uniform01());
    if (transient) {
      Nanos retry = std::max(m.backoff.Delay(failures), kMinRetryDelay);
      if (r.retry_after_ms >= 0)
        retry = std::max<Nanos>(retry, std::chrono::milliseconds(r.retry_after_ms));
      wait = std::min(wait, retry);
    }
    if (r.error) {
      int64_t suppressed = 0;
      if (!transient || m.failure_log.Allow(m.clock.Now(), &suppressed))
        m.log.Log(transient ? LogLevel::kWarning : LogLevel::kError, "config_poll_failed",
                  {{"url", m.log_url},
                   {"class", transient ? "transient" : "permanent"},
                   {"attempt", failures},
                   {"retry_in_ms", ToMillis(wait)},
                   {"suppressed", suppressed},
                   {"error", r.error->ToString()}});
    }
    const MonoTime end = m.clock.Now();
    next = end + wait;
    Record(r, end, rejected, next);
    // Once per regular poll; during quick retries at most once per 0.9 intervals; and before a
    // wait that would leave more than 1.1 intervals since the last call.
    if (after_poll && (!last_after_poll || end - *last_after_poll >= interval * 9 / 10 ||
                       next - *last_after_poll > interval * 11 / 10)) {
      last_after_poll = end;
      after_poll(stop);
    }
  }
}

}  // namespace fleetclip::daemon::backend

// The status heartbeat of heartbeat.h: one POST per call over uploader::HttpClient.
#include "daemon/backend/heartbeat.h"

#include "uploader/retry_classifier.h"

namespace fleetclip::daemon::backend {

Result<std::unique_ptr<Heartbeat>> Heartbeat::Create(HeartbeatOptions options, const Clock& clock,
                                                     Logger log) {
  if (!options.url.starts_with("https://") && !options.url.starts_with("http://"))
    return Error(ErrorCode::kInvalidArgument, "backend.heartbeat_url=\"" + options.url +
                                                  "\" must start with https:// or http://");
  auto http = uploader::HttpClient::Create(options.http);
  if (!http.ok()) return http.error();
  return std::unique_ptr<Heartbeat>(
      new Heartbeat(std::move(options), clock, std::move(log), std::move(*http)));
}

Status Heartbeat::Send(const proto::DaemonStatus& status, std::stop_token stop) {
  const std::string url = options_.url.substr(0, options_.url.find('?'));
  std::string body;
  Status result;
  if (!status.SerializeToString(&body)) {
    result = Error(ErrorCode::kInternal, "POST " + url + ": DaemonStatus does not serialize");
  } else {
    uploader::HttpRequest req;
    req.method = "POST";
    req.url = options_.url;
    req.headers = options_.headers;
    req.headers.push_back("Content-Type: application/x-protobuf");
    req.body = body;
    uploader::HttpResponse r = http_.Perform(req, stop);
    if (r.curl_code != 0 || r.status / 100 != 2) {
      uploader::TransferFailure f{r.curl_code, r.status, "", r.curl_error};
      result = uploader::ToError("POST " + url, f);
    }
  }
  int64_t failures = 0;
  {
    std::lock_guard lock(mu_);
    if (result.ok()) {
      ++stats_.sent;
      stats_.consecutive_failures = 0;
      stats_.last_error.clear();
      return result;
    }
    ++stats_.failed;
    failures = ++stats_.consecutive_failures;
    stats_.last_error = result.error().ToString();
  }
  int64_t suppressed = 0;
  if (throttle_.Allow(clock_.Now(), &suppressed))
    log_.Warn("heartbeat_failed", {{"url", url},
                                   {"consecutive_failures", failures},
                                   {"suppressed", suppressed},
                                   {"error", result.error().ToString()}});
  return result;
}

HeartbeatStats Heartbeat::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

}  // namespace fleetclip::daemon::backend

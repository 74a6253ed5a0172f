// The capture loop: open, pump, and reopen with capped exponential backoff. See
// codec/camera_source.h.
#include "codec/camera_source.h"

#include "codec/capture_session.h"

namespace fleetclip {

CameraSource::CameraSource(CameraOptions options, PacketRing& ring, const Clock& clock, Logger log)
    : options_(std::move(options)),
      ring_(ring),
      clock_(clock),
      log_(log.WithFields({{"camera", options_.name}})) {}

void CameraSource::SetLastError(const std::string& e) {
  std::lock_guard lock(mu_);
  last_error_ = e;
}

void CameraSource::Run(std::stop_token stop) {
  Nanos backoff = options_.backoff_initial;
  while (!stop.stop_requested()) {
    if (options_.max_opens > 0 && counters_.opens >= options_.max_opens) break;
    ++counters_.opens;
    auto session = CaptureSession::Open(options_, clock_, stop, log_);
    if (!session.ok()) {
      if (stop.stop_requested()) break;
      ++counters_.open_failures;
      SetLastError(session.error().ToString());
      log_.Warn("camera_open_failed", {{"url", options_.url},
                                       {"error", session.error().ToString()},
                                       {"retry_in_ms", ToMillis(backoff)}});
      clock_.SleepFor(backoff, stop);
      backoff = std::min(backoff * 2, options_.backoff_max);
      continue;
    }
    log_.Info("camera_opened", {{"url", options_.url},
                                {"stream", (*session)->info()->Describe()},
                                {"mode", (*session)->transcoding() ? "encode" : "passthrough"}});
    counters_.connected = true;
    const int64_t packets_before = counters_.packets;
    Status end = (*session)->Pump(ring_, counters_, last_capture_time_);
    counters_.connected = false;
    if (stop.stop_requested()) break;
    if (counters_.packets > packets_before)
      backoff = options_.backoff_initial;  // it worked for a while
    if (end.ok()) {
      ++counters_.stream_ends;
      log_.Info("camera_stream_ended", {{"url", options_.url}, {"retry_in_ms", ToMillis(backoff)}});
    } else {
      ++counters_.stream_errors;
      SetLastError(end.error().ToString());
      log_.Warn("camera_stream_failed", {{"url", options_.url},
                                         {"error", end.error().ToString()},
                                         {"retry_in_ms", ToMillis(backoff)}});
    }
    session->reset();  // close the input before waiting
    clock_.SleepFor(backoff, stop);
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
  counters_.connected = false;
}

CameraStats CameraSource::stats() const {
  CameraStats s;
  s.opens = counters_.opens;
  s.open_failures = counters_.open_failures;
  s.stream_ends = counters_.stream_ends;
  s.stream_errors = counters_.stream_errors;
  s.packets = counters_.packets;
  s.bytes = counters_.bytes;
  s.corrupt_packets = counters_.corrupt_packets;
  s.skipped_packets = counters_.skipped_packets;
  s.decode_errors = counters_.decode_errors;
  s.encode_errors = counters_.encode_errors;
  s.connected = counters_.connected;
  std::lock_guard lock(mu_);
  s.last_error = last_error_;
  return s;
}

}  // namespace fleetclip

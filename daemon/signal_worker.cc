// The signal thread; see daemon/signal_worker.h.
#include "daemon/signal_worker.h"

#include <algorithm>

#include "common/thread_name.h"

namespace fleetclip::daemon {
namespace {

// The longest the signal thread sleeps without frames: bounds how late a manual trigger's clip or
// a new rule set is picked up, and keeps the heartbeat going while the producer is quiet.
constexpr Nanos kIdleTick = std::chrono::seconds(1);

}  // namespace

SignalWorker::SignalWorker(const triggers::SignalCatalog& catalog, triggers::SignalHistory& history,
                           std::shared_ptr<const triggers::RuleSet> rules,
                           triggers::TriggerScheduler& scheduler, size_t max_datagram_bytes,
                           Nanos reorder_window, const Clock& clock, Logger log,
                           ProgressBoard& progress, ProgressBoard::Worker progress_id)
    : clock_(clock),
      log_(std::move(log)),
      ingest_(catalog, clock, log_, max_datagram_bytes, reorder_window),
      pipeline_(history, std::move(rules), scheduler),
      progress_(progress),
      progress_id_(progress_id),
      speed_id_(catalog.Find("speed")),
      gear_id_(catalog.Find("gear")),
      status_at_(clock.Now()) {}

Status SignalWorker::Bind(const std::filesystem::path& socket_path) {
  auto source = triggers::SignalSource::Bind(socket_path, clock_);
  if (!source.ok()) return source.error();
  source_.emplace(std::move(*source));
  return Ok();
}

void SignalWorker::Start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    SetThreadName("signals");
    if (Status s = source_->Run(stop, ingest_, *this); !s.ok()) {
      log_.Error("signal_socket_failed", {{"error", s.error().ToString()}});
    }
  });
}

void SignalWorker::Stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void SignalWorker::SetRules(std::shared_ptr<const triggers::RuleSet> rules) {
  std::lock_guard lock(mu_);
  pending_rules_ = std::move(rules);
}

void SignalWorker::ApplyPendingRules() {
  std::shared_ptr<const triggers::RuleSet> rules;
  {
    std::lock_guard lock(mu_);
    rules = std::move(pending_rules_);
  }
  if (rules) pipeline_.SetRules(std::move(rules));
}

uploader::ParkedTracker SignalWorker::parked() const {
  std::lock_guard lock(mu_);
  return parked_;
}

void SignalWorker::PublishIngestStats() {
  std::lock_guard lock(mu_);
  ingest_stats_ = ingest_.stats();
  producer_stats_ = ingest_.producers();  // element-wise: no allocation once the names are known
}

SignalStatus SignalWorker::Stats(MonoTime now) {
  std::lock_guard lock(mu_);
  const triggers::IngestStats& s = ingest_stats_;
  SignalStatus out;
  out.accepted = s.accepted;
  out.merged = frames_;
  out.dropped = s.malformed + s.oversized + s.out_of_order + s.duplicate + s.late;
  const double seconds = std::chrono::duration<double>(now - status_at_).count();
  if (seconds > 0) out.rate_hz = static_cast<double>(frames_ - status_frames_) / seconds;
  for (const triggers::ProducerStats& p : producer_stats_) {
    ProducerSignalStatus ps{p, 0, ToMillis(now - MonoFromNanos(p.last_mono_ns))};
    auto it = std::find_if(status_producer_frames_.begin(), status_producer_frames_.end(),
                           [&](const auto& e) { return e.first == p.name; });
    if (it == status_producer_frames_.end()) {
      it = status_producer_frames_.insert(status_producer_frames_.end(), {p.name, 0});
    }
    if (seconds > 0) ps.rate_hz = static_cast<double>(p.accepted - it->second) / seconds;
    it->second = p.accepted;
    out.producers.push_back(std::move(ps));
  }
  status_frames_ = frames_;
  status_at_ = now;
  return out;
}

void SignalWorker::OnFrame(const triggers::DecodedFrame& frame) {
  pipeline_.OnFrame(frame);
  std::optional<double> speed;
  for (const auto& [id, value] : frame.numbers) {
    if (id == speed_id_) speed = value;
  }
  for (size_t i = 0; i < frame.text_count; ++i) {
    if (frame.texts[i].first == gear_id_) gear_park_ = frame.texts[i].second == "P";
  }
  const MonoTime at = MonoFromNanos(frame.mono_ns);
  std::lock_guard lock(mu_);
  ++frames_;
  if (speed) last_speed_ = *speed;
  if (speed || gear_park_) parked_.Observe(at, last_speed_, gear_park_);
}

std::optional<MonoTime> SignalWorker::OnIdle() {
  ApplyPendingRules();
  PublishIngestStats();
  const MonoTime now = clock_.Now();
  progress_.Beat(progress_id_, now);
  std::optional<MonoTime> due = pipeline_.OnIdle();
  return std::min(due.value_or(now + kIdleTick), now + kIdleTick);
}

}  // namespace fleetclip::daemon

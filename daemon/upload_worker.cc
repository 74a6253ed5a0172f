// The upload thread; see daemon/upload_worker.h.
#include "daemon/upload_worker.h"

#include <random>

#include "common/thread_name.h"
#include "uploader/abort_drain.h"

namespace fleetclip::daemon {
namespace {

// Per-clip retries: 5 s doubling to 30 min, full jitter (uploader/backoff.h).
constexpr uploader::BackoffConfig kRetry{.base_ms = 5'000, .cap_ms = 30 * 60'000};

}  // namespace

UploadWorker::UploadWorker(queue::ClipStore& store, std::unique_ptr<uploader::Transport> transport,
                           uploader::PolicyConfig policy, const SignalWorker& signals,
                           const Clock& clock, Logger log, ProgressBoard& progress,
                           ProgressBoard::Worker progress_id, UploadWorkerOptions options)
    : adapter_(store, options.vehicle_id),
      transport_(std::move(transport)),
      signals_(signals),
      clock_(clock),
      log_(std::move(log)),
      progress_(progress),
      progress_id_(progress_id),
      options_(std::move(options)),
      metered_(uploader::MakeNetworkManagerMeteredSource()),
      policy_(std::move(policy)),
      probe_options_(options_.probe) {}

void UploadWorker::Start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    SetThreadName("uploader");
    Run(stop);
  });
}

void UploadWorker::Stop() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void UploadWorker::SetPolicy(uploader::PolicyConfig policy) {
  std::lock_guard lock(mu_);
  policy_ = std::move(policy);
  policy_changed_ = true;
  wake_ = true;
  cv_.notify_all();
}

void UploadWorker::SetProbeOptions(uploader::NetworkProbeOptions probe) {
  std::lock_guard lock(mu_);
  probe_options_ = std::move(probe);
  wake_ = true;
  cv_.notify_all();
}

void UploadWorker::UploadNow() {
  std::lock_guard lock(mu_);
  now_requested_ = true;
  cv_.notify_all();
}

void UploadWorker::Wake() {
  std::lock_guard lock(mu_);
  wake_ = true;
  cv_.notify_all();
}

UploadStatus UploadWorker::Stats() const {
  std::lock_guard lock(mu_);
  UploadStatus s = status_;
  s.bytes_sent = transport_->stats().bytes_sent.load();
  return s;
}

void UploadWorker::Run(std::stop_token stop) {
  std::mt19937_64 rng(std::random_device{}());
  auto uniform = [rng]() mutable { return std::uniform_real_distribution<double>(0, 1)(rng); };
  while (!stop.stop_requested()) {
    progress_.Beat(progress_id_, clock_.Now());
    bool now = false;
    {
      std::lock_guard lock(mu_);
      if (policy_changed_) {
        uploader::PolicyConfig lifted = policy_;
        lifted.window_start_minute = lifted.window_end_minute = 0;  // always open
        lifted.require_parked = false;
        policy_obj_ = std::make_unique<uploader::UploadPolicy>(policy_, zone_);
        now_policy_obj_ = std::make_unique<uploader::UploadPolicy>(lifted, zone_);
        const uploader::UploaderOptions uo{
            .prefix = options_.prefix, .candidates_per_pass = 32, .budget_store = &adapter_};
        uploader_ = std::make_unique<uploader::Uploader>(adapter_, adapter_, *transport_,
                                                         *policy_obj_, clock_, log_,
                                                         uploader::Backoff(kRetry, uniform), uo);
        now_uploader_ = std::make_unique<uploader::Uploader>(
            adapter_, adapter_, *transport_, *now_policy_obj_, clock_, log_,
            uploader::Backoff(kRetry, uniform), uo);
        policy_changed_ = false;
      }
      now = std::exchange(now_requested_, false);
      wake_ = false;
    }
    RunOnePass(stop, now);
    bool busy = false;
    {
      std::lock_guard lock(mu_);
      busy = status_.decision.starts_with("uploaded");
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, stop, busy ? options_.busy_interval : options_.idle_interval,
                 [&] { return now_requested_ || wake_; });
  }
}

void UploadWorker::RunOnePass(std::stop_token stop, bool now) {
  uploader::NetworkProbeOptions probe_options;
  {
    std::lock_guard lock(mu_);
    probe_options = probe_options_;
  }
  uploader::NetworkProbe probe(probe_options, metered_.get());
  Result<uploader::NetworkState> net =
      options_.local_target ? Result<uploader::NetworkState>(uploader::NetworkState{
                                  true, "local", proto::LINK_ETHERNET, false, "local target"})
                            : probe.Probe();
  const uploader::ParkedTracker parked = signals_.parked();
  // Uploads of removed clips are aborted first, on any link (a few bytes each); one that cannot
  // reach the target waits in the queue for the next pass.
  if (net.ok() && net->online) {
    Result<uploader::AbortDrainResult> drained = uploader::DrainPendingAborts(
        adapter_, *transport_, options_.prefix, options_.vehicle_id, log_);
    if (!drained.ok()) {
      log_.Error("upload_abort_queue_failed", {{"error", drained.error().ToString()}});
    }
  }
  std::string decision;
  UploadStatus delta;
  if (!net.ok()) {
    decision = "waiting: network unknown (" + net.error().ToString() + ")";
  } else {
    Result<uploader::PassResult> r = (now ? now_uploader_ : uploader_)->RunPass(*net, parked, stop);
    if (!r.ok()) {
      ++delta.pass_errors;
      decision = "error: " + r.error().ToString();
      log_.Error("upload_pass_failed", {{"error", r.error().ToString()}});
    } else {
      delta.clips_uploaded = r->uploaded;
      delta.clips_failed = r->failed;
      delta.retries_scheduled = r->retry_scheduled;
      if (r->uploaded > 0) {
        decision = "uploaded " + std::to_string(r->uploaded) + " clip" +
                   (r->uploaded == 1 ? "" : "s") + (now ? " (upload now)" : "");
      } else if (!r->reason.empty()) {
        decision = r->reason;
      } else if (r->retry_scheduled > 0 || r->failed > 0) {
        decision = "retrying: " + std::to_string(r->retry_scheduled) + " scheduled, " +
                   std::to_string(r->failed) + " failed";
      } else {
        decision = "idle: nothing to upload";
      }
    }
  }
  std::lock_guard lock(mu_);
  if (decision != status_.decision) log_.Info("upload_decision", {{"decision", decision}});
  status_.decision = decision;
  status_.clips_uploaded += delta.clips_uploaded;
  status_.clips_failed += delta.clips_failed;
  status_.retries_scheduled += delta.retries_scheduled;
  status_.pass_errors += delta.pass_errors;
}

}  // namespace fleetclip::daemon

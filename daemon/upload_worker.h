// The upload thread (DESIGN.md §7–8): probes the network, reads the parked state from the signal
// thread, and runs uploader passes through the configured transport whenever clips wait. A pass
// that uploaded or retried something is followed at once; an idle or held-back pass waits
// `idle_interval`. "Upload now" (control socket) runs the next pass with the time window and the
// parked condition lifted; link class and metered rules still hold. The policy can be replaced
// at any time (reload, fleet config) and takes effect at the next pass. Every decision's reason
// is kept for status.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/progress.h"
#include "daemon/signal_worker.h"
#include "queue/clip_store.h"
#include "uploader/clip_store_adapter.h"
#include "uploader/network_probe.h"
#include "uploader/upload_policy.h"
#include "uploader/uploader.h"

namespace fleetclip::daemon {

struct UploadStatus {
  std::string
      decision;  // "uploaded 2 clips", "waiting: window opens 22:00", "idle: nothing to upload"
  int64_t clips_uploaded = 0;
  int64_t clips_failed = 0;
  int64_t retries_scheduled = 0;
  int64_t bytes_sent = 0;
  int64_t pass_errors = 0;  // passes that failed outright (the queue could not be read)
};

struct UploadWorkerOptions {
  std::string vehicle_id;
  std::string prefix;
  Nanos idle_interval = std::chrono::seconds(5);  // a pass that found nothing to do is cheap
  Nanos busy_interval = std::chrono::seconds(1);
  uploader::NetworkProbeOptions probe;
  // A target on this machine (IsLocalTarget): no link is spent, so none is probed (the policy sees
  // a local, unmetered link).
  bool local_target = false;
};

class UploadWorker {
 public:
  // Everything borrowed must outlive the worker.
  UploadWorker(queue::ClipStore& store, std::unique_ptr<uploader::Transport> transport,
               uploader::PolicyConfig policy, const SignalWorker& signals, const Clock& clock,
               Logger log, ProgressBoard& progress, ProgressBoard::Worker progress_id,
               UploadWorkerOptions options);
  ~UploadWorker() { Stop(); }

  void Start();
  // Stops after the transfer in progress is aborted; what was sent stays journaled for resume.
  void Stop();

  // Thread-safe.
  void SetPolicy(uploader::PolicyConfig policy);
  void SetProbeOptions(uploader::NetworkProbeOptions probe);
  void UploadNow();
  // Wakes the thread for a regular pass (a clip was just written).
  void Wake();
  UploadStatus Stats() const;

 private:
  void Run(std::stop_token stop);
  void RunOnePass(std::stop_token stop, bool now);

  uploader::ClipStoreAdapter adapter_;
  std::unique_ptr<uploader::Transport> transport_;
  const SignalWorker& signals_;
  const Clock& clock_;
  Logger log_;
  ProgressBoard& progress_;
  const ProgressBoard::Worker progress_id_;
  const UploadWorkerOptions options_;
  uploader::SystemTimeZone zone_;
  std::unique_ptr<uploader::MeteredSource> metered_;
  std::jthread thread_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  uploader::PolicyConfig policy_;                // guarded by mu_
  bool policy_changed_ = true;                   // guarded by mu_
  uploader::NetworkProbeOptions probe_options_;  // guarded by mu_
  bool now_requested_ = false;                   // guarded by mu_
  bool wake_ = false;                            // guarded by mu_
  UploadStatus status_;                          // guarded by mu_

  // Upload thread only.
  std::unique_ptr<uploader::UploadPolicy> policy_obj_, now_policy_obj_;
  std::unique_ptr<uploader::Uploader> uploader_, now_uploader_;
};

}  // namespace fleetclip::daemon

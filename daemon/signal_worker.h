// The signal thread (DESIGN.md §8): receives SignalFrames on the Unix datagram socket and runs them
// through history → rules → scheduler (triggers::SignalPipeline). The scheduler hands finished
// clip windows to the clip writer from this thread, which is the one that may read the history.
// Around the pipeline it keeps what the rest of the daemon asks about: the parked state for the
// upload policy, the frame rate, and a heartbeat. A new rule set (reload, fleet config) is handed
// over from any thread and swapped in on the signal thread, at the latest one idle tick later.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "daemon/progress.h"
#include "triggers/signal_ingest.h"
#include "triggers/signal_pipeline.h"
#include "triggers/signal_source.h"
#include "uploader/upload_policy.h"

namespace fleetclip::daemon {

struct ProducerSignalStatus {
  triggers::ProducerStats stats;
  double rate_hz = 0;            // its accepted frames per second since the previous call
  int64_t last_seen_age_ms = 0;  // since the time of its newest accepted frame
};

struct SignalStatus {
  double rate_hz = 0;     // accepted frames per second since the previous call
  uint64_t accepted = 0;  // frames accepted from all producers
  uint64_t merged = 0;    // frames handed to the rules, producers merged (equal times are one)
  uint64_t dropped = 0;   // malformed, oversized, out of order, duplicate, late
  std::vector<ProducerSignalStatus> producers;
};

class SignalWorker final : public triggers::FrameSink {
 public:
  // Everything borrowed must outlive the worker.
  SignalWorker(const triggers::SignalCatalog& catalog, triggers::SignalHistory& history,
               std::shared_ptr<const triggers::RuleSet> rules,
               triggers::TriggerScheduler& scheduler, size_t max_datagram_bytes,
               Nanos reorder_window, const Clock& clock, Logger log, ProgressBoard& progress,
               ProgressBoard::Worker progress_id);
  ~SignalWorker() override { Stop(); }

  Status Bind(const std::filesystem::path& socket_path);
  void Start();
  void Stop();

  // Thread-safe: swapped in on the signal thread.
  void SetRules(std::shared_ptr<const triggers::RuleSet> rules);
  // Thread-safe copies for the upload thread and status. The ingest counters are those the signal
  // thread published at its last idle call (after every burst of datagrams).
  uploader::ParkedTracker parked() const;
  SignalStatus Stats(MonoTime now);

  // FrameSink, on the signal thread.
  void OnFrame(const triggers::DecodedFrame& frame) override;
  std::optional<MonoTime> OnIdle() override;

 private:
  void ApplyPendingRules();
  // Copies the ingest counters for Stats; on the signal thread.
  void PublishIngestStats();

  const Clock& clock_;
  Logger log_;
  triggers::SignalIngest ingest_;
  triggers::SignalPipeline pipeline_;
  std::optional<triggers::SignalSource> source_;
  ProgressBoard& progress_;
  const ProgressBoard::Worker progress_id_;
  const std::optional<triggers::SignalId> speed_id_, gear_id_;
  bool gear_park_ = false;  // signal thread only: the last gear seen was P
  std::jthread thread_;

  mutable std::mutex mu_;
  std::shared_ptr<const triggers::RuleSet> pending_rules_;                // guarded by mu_
  uploader::ParkedTracker parked_;                                        // guarded by mu_
  double last_speed_ = 0;                                                 // guarded by mu_
  uint64_t frames_ = 0;                                                   // guarded by mu_
  triggers::IngestStats ingest_stats_;                                    // guarded by mu_
  std::vector<triggers::ProducerStats> producer_stats_;                   // guarded by mu_
  uint64_t status_frames_ = 0;                                            // guarded by mu_
  std::vector<std::pair<std::string, uint64_t>> status_producer_frames_;  // guarded by mu_
  MonoTime status_at_{};                                                  // guarded by mu_
};

}  // namespace fleetclip::daemon

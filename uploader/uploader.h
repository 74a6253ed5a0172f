// The upload loop's body: one pass takes the due clips from the queue (priority, then age), asks
// the policy about each, and uploads the allowed ones file by file through the transport, to
// `<prefix>/<vehicle>/<yyyy>/<mm>/<dd>/<clip-id>/<file>` with manifest.pb last as the commit
// marker. Only after the manifest object is confirmed is the clip marked uploaded (which deletes
// the local bundle). A retryable failure schedules the next attempt after capped exponential
// backoff with full jitter; a permanent one marks the clip failed with the reason. Owned and called
// by the upload thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "uploader/backoff.h"
#include "uploader/transport.h"
#include "uploader/upload_journal.h"
#include "uploader/upload_policy.h"

namespace fleetclip::uploader {

inline constexpr std::string_view kManifestFile = "manifest.pb";

// "<prefix>/<vehicle>/<yyyy>/<mm>/<dd>/<clip-id>/<file>" with the date in UTC; no leading '/' when
// the prefix is empty.
std::string ObjectKey(std::string_view prefix, std::string_view vehicle, WallTime captured_at,
                      std::string_view clip_id, std::string_view file);

struct UploaderOptions {
  std::string prefix;  // from the target URL: s3://bucket/<prefix>
  int candidates_per_pass = 32;
  // Where the daily byte budget is kept (ClipStoreAdapter); null: in memory, forgotten at restart.
  CounterStore* budget_store = nullptr;
};

struct PassResult {
  int uploaded = 0;
  int retry_scheduled = 0;
  int failed = 0;
  std::string reason;  // the policy's reason for the first clip it held back, if any
};

class Uploader {
 public:
  // All references must outlive the uploader.
  Uploader(UploadQueue& queue, UploadJournal& journal, Transport& transport,
           const UploadPolicy& policy, const Clock& clock, Logger log, Backoff backoff,
           UploaderOptions options)
      : queue_(queue),
        journal_(journal),
        transport_(transport),
        policy_(policy),
        clock_(clock),
        log_(std::move(log)),
        backoff_(std::move(backoff)),
        options_(std::move(options)),
        budget_(options_.budget_store) {}

  Result<PassResult> RunPass(const NetworkState& net, const ParkedTracker& parked,
                             std::stop_token stop);
  const DailyBudget& budget() const { return budget_; }

 private:
  // Uploads every file of `clip`, manifest last; the error of the first file that failed.
  Status UploadClip(const UploadCandidate& clip, const NetworkState& net, std::stop_token stop);
  // Retry deadlines are kept in wall time (they must survive a reboot, where the monotonic clock
  // starts again) but waited for as monotonic intervals: when the wall clock has been stepped
  // since the last pass, every pending deadline moves with it, so a clip waits its backoff, never
  // the jump. At the first pass (after a start, where a step cannot be measured) a deadline later
  // than the longest backoff is pulled in to it.
  Status KeepRetryDeadlinesMonotonic();

  UploadQueue& queue_;
  UploadJournal& journal_;
  Transport& transport_;
  const UploadPolicy& policy_;
  const Clock& clock_;
  Logger log_;
  Backoff backoff_;
  UploaderOptions options_;
  DailyBudget budget_;
  std::optional<Nanos> wall_minus_mono_;  // at the last deadline adjustment; none before a pass
};

}  // namespace fleetclip::uploader

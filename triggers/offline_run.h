// The signal path run offline over recorded inputs, for `fleetclip rules test`: the same ingest,
// history, rule engine and scheduler the signal thread runs, fed as fast as the machine allows and
// on a fake clock that follows the recorded times (the clock is set to each frame's time before
// the frame is offered), so `for 300ms`, windows, cooldowns and rate limits mean signal time.
// Several sources are interleaved by recorded time, as their producers' datagrams would arrive at
// the daemon's socket. After the last frame the clock runs on to the end of every pending clip
// window, so each clip comes out with the window its rules asked for.
// Not thread-safe; everything borrowed must outlive the call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "triggers/clip_request.h"
#include "triggers/recorded_source.h"
#include "triggers/rule_engine.h"
#include "triggers/signal_catalog.h"
#include "triggers/signal_ingest.h"
#include "triggers/trigger_scheduler.h"

namespace fleetclip::triggers {

struct OfflineRunOptions {
  SchedulerOptions scheduler;  // max_window: the camera rings' duration
  Nanos history_retention = std::chrono::seconds(120);
  size_t max_datagram_bytes = 8192;  // as the daemon's signals.max_datagram_bytes
  Nanos reorder_window = SignalIngest::kDefaultReorderWindow;  // signals.reorder_window_ms
};

struct OfflineRunResult {
  IngestStats ingest;
  std::vector<ClipRequest> clips;  // in the order the scheduler emitted them
  uint64_t frames = 0;             // frames read from all sources
};

// Runs every source to its end. An error is a source that could not be read (its message names
// the file and the byte offset or line); frames the daemon would drop are counted, not errors.
Result<OfflineRunResult> RunOffline(const SignalCatalog& catalog,
                                    std::shared_ptr<const RuleSet> rules,
                                    std::span<RecordedSource* const> sources,
                                    const OfflineRunOptions& options, Logger log);

}  // namespace fleetclip::triggers

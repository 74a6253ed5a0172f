// What the daemon says about itself, as pure functions of a snapshot: the one-line STATUS= for
// systemd, and the Prometheus text exposition written to the metrics textfile (DESIGN.md §8).
// The snapshot is the DaemonStatus the control socket and the heartbeat send, plus the counters
// only metrics carry.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "proto/control.pb.h"

namespace fleetclip::daemon {

struct MetricsSnapshot {
  proto::DaemonStatus status;
  std::vector<std::pair<std::string, int64_t>> clips_by_rule;  // rule → clips in the queue
  int64_t signal_frames = 0;
  int64_t clips_written = 0;
  int64_t clips_dropped_backlog = 0;   // the writer's queue was full
  int64_t clips_dropped_no_space = 0;  // the storage budget refused them
  int64_t clips_evicted = 0;
  int64_t upload_bytes = 0;
  int64_t uploads_completed = 0;
  int64_t upload_failures = 0;  // clips marked failed
  int64_t upload_retries = 0;
  int64_t config_rejections = 0;
};

// "running: 3 cameras 29.9 fps, signals 100 Hz, queue 2 ready 1 uploaded, upload: waiting:
// window opens 22:00, config v7".
std::string StatusLine(const proto::DaemonStatus& status);

// Prometheus text format 0.0.4: HELP and TYPE lines, label values escaped.
std::string FormatMetrics(const MetricsSnapshot& snapshot);

}  // namespace fleetclip::daemon

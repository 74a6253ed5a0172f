// `fleetclip report`'s page: one self-contained HTML file (no network, no external script or
// style) showing a clip — every camera side by side on one timeline (play/pause, scrubber,
// frame-step), a plot per signal that matters for the clip's rules (cli/report_plot.h), the events
// and the manifest with each file's verification. The timeline's 0 is the earliest camera's first
// frame; each <video> carries its offset on it (data-offset), each plot its geometry, so the
// page's script and tests map a time to a frame and an x.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/clip_folder.h"

namespace fleetclip::cli {

struct ReportOptions {
  // The folder the HTML is written to: videos are referenced relative to it.
  std::filesystem::path html_dir;
  bool embed = false;  // the MP4s as data: URLs instead
};

// The signals plotted for a clip: speed, accel_long, accel_lat, steering_angle,
// autonomy_engaged, and every signal the firing rules read (built-in rules: from their
// expression), as far as the log holds them.
std::vector<std::string> ReportSignals(const proto::ClipManifest& m,
                                       const std::vector<proto::SignalFrame>& frames);

// The page. Reads the MP4s only with `embed`.
Result<std::string> BuildClipReport(const ClipFolder& clip,
                                    const std::vector<proto::SignalFrame>& frames,
                                    const std::vector<FileCheck>& checks,
                                    const ReportOptions& options);

}  // namespace fleetclip::cli

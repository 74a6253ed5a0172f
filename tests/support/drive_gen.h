// Synthetic labelled drives for the trigger tests and benchmark. A drive is a 100 Hz signal stream
// of a car cruising with sensor noise, plus the faults real producers have (single-sample spikes,
// dropped, duplicated and swapped frames, engagement chatter shorter than 2 s) and near misses that
// must NOT trigger (moderate braking, brisk but legal steering, a 150 ms brake spike), plus planted
// events at known times that MUST trigger: disengagements, harsh and severe braking, steering-wheel
// jerks and lateral-jerk swerves. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "proto/signal_frame.pb.h"

namespace fleetclip::testing {

struct PlantedEvent {
  std::string kind;     // disengagement, harsh_braking, severe_braking, steering_jerk, swerve
  std::string rule;     // the rule that must fire for it
  int64_t time_ns = 0;  // onset; the rule fires within a few hundred ms after
  std::string tag;      // expected event tag (disengage reason), may be empty
};

struct DriveOptions {
  uint64_t seed = 1;
  int64_t duration_s = 600;
  int rate_hz = 100;
  int64_t start_ns = 1'000'000'000;
  bool faults = true;            // spikes, drops, duplicates, swaps, chatter
  int extra_signals = 0;         // custom numeric signals "custom.sNN" in every frame (benchmark)
  int64_t event_spacing_s = 60;  // planted events are this far apart (windows never overlap)
};

struct Drive {
  std::vector<proto::SignalFrame> frames;  // in sending order, faults included
  std::vector<PlantedEvent> events;
};

Drive GenerateDrive(const DriveOptions& options);

// Writes the frames as a drive file and the events as a labels file: one line per event,
// "<time_ns> <kind> <rule> <tag or ->".
Status WriteDrive(const Drive& drive, const std::filesystem::path& drive_path,
                  const std::filesystem::path& labels_path);
Result<std::vector<PlantedEvent>> ReadLabels(const std::filesystem::path& labels_path);

}  // namespace fleetclip::testing

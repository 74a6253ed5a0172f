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
#include <string_view>
#include <utility>
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
  // When set, exactly these episodes at these onsets (seconds from the start) replace the planned
  // ones. Kinds: disengagement, harsh_braking, severe_braking, steering_jerk, swerve (events) and
  // moderate_braking, brake_spike, brisk_steering (near misses that must not fire).
  std::vector<std::pair<std::string, double>> script{};
  // When > 0: from this second on the car brakes gently to a stop and shifts to P (parked).
  double park_at_s = 0;
};

struct Drive {
  std::vector<proto::SignalFrame> frames;  // in sending order, faults included
  std::vector<PlantedEvent> events;
};

Drive GenerateDrive(const DriveOptions& options);

// True for the episode kinds DriveOptions::script accepts.
bool IsEpisodeName(std::string_view name);

// Writes the frames as a drive file and the events as a labels file: one line per event,
// "<time_ns> <kind> <rule> <tag or ->".
Status WriteDrive(const Drive& drive, const std::filesystem::path& drive_path,
                  const std::filesystem::path& labels_path);
Result<std::vector<PlantedEvent>> ReadLabels(const std::filesystem::path& labels_path);

}  // namespace fleetclip::testing

// Vehicle simulation and fault injection for tests/support/drive_gen.h. The car follows a slowly
// varying target speed with a simple controller; episodes (planted events and near misses) override
// the controller or add steering/lateral offsets for a few seconds; then frames are sampled with
// noise and passed through the fault model.
#include "tests/support/drive_gen.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "triggers/drive_file.h"

namespace fleetclip::testing {
namespace {

constexpr double kPi = 3.14159265358979323846;

enum class Episode {
  kDisengagement,
  kHarshBraking,
  kSevereBraking,
  kSteeringJerk,
  kSwerve,
  // near misses: must not trigger
  kModerateBraking,
  kBrakeSpike,
  kBriskSteering,
};

struct Scheduled {
  Episode kind;
  double t0;  // seconds from drive start
};

// Piecewise-linear offset: 0 before, ramps to `peak` over `up`, holds `hold`, back over `down`.
double Trapezoid(double tau, double peak, double up, double hold, double down) {
  if (tau < 0) return 0;
  if (tau < up) return peak * tau / up;
  if (tau < up + hold) return peak;
  if (tau < up + hold + down) return peak * (1 - (tau - up - hold) / down);
  return 0;
}

void AddNumber(proto::SignalFrame& f, const std::string& name, double v) {
  auto* value = f.add_values();
  value->set_name(name);
  value->set_number(v);
}

std::optional<Episode> EpisodeByName(std::string_view name) {
  static const std::pair<std::string_view, Episode> kNames[] = {
      {"disengagement", Episode::kDisengagement},
      {"harsh_braking", Episode::kHarshBraking},
      {"severe_braking", Episode::kSevereBraking},
      {"steering_jerk", Episode::kSteeringJerk},
      {"swerve", Episode::kSwerve},
      {"moderate_braking", Episode::kModerateBraking},
      {"brake_spike", Episode::kBrakeSpike},
      {"brisk_steering", Episode::kBriskSteering},
  };
  for (const auto& [n, kind] : kNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

}  // namespace

bool IsEpisodeName(std::string_view name) { return EpisodeByName(name).has_value(); }

Drive GenerateDrive(const DriveOptions& options) {
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Drive drive;

  // Plan the episodes: planted events `event_spacing_s` apart, a near miss half-way between.
  std::vector<Scheduled> plan;
  const Episode kEvents[] = {Episode::kDisengagement, Episode::kHarshBraking,
                             Episode::kSevereBraking, Episode::kSteeringJerk, Episode::kSwerve};
  const Episode kMisses[] = {Episode::kModerateBraking, Episode::kBrakeSpike,
                             Episode::kBriskSteering};
  const auto spacing = static_cast<double>(options.event_spacing_s);
  int n = 0;
  for (const auto& [name, t0] : options.script) {
    std::optional<Episode> kind = EpisodeByName(name);
    if (kind) plan.push_back({*kind, t0});
  }
  for (double t = 35.0;
       options.script.empty() && t + 25.0 < static_cast<double>(options.duration_s);
       t += spacing, ++n) {
    const double t0 = t + 10.0 * uniform(rng);
    plan.push_back({kEvents[(n + options.seed) % 5], t0});
    if (t0 + spacing / 2 + 20.0 < static_cast<double>(options.duration_s)) {
      plan.push_back({kMisses[n % 3], t0 + spacing / 2});
    }
  }
  const char* kReasons[] = {"driver_steer", "driver_brake", "button", "system_fault",
                            "takeover_request"};

  const double dt = 1.0 / options.rate_hz;
  const auto steps = static_cast<int64_t>(options.duration_s) * options.rate_hz;
  double speed = 18.0;
  bool engaged = true;
  std::string reason = "none";
  double next_spike = 5.0;
  std::vector<proto::SignalFrame> clean;
  clean.reserve(static_cast<size_t>(steps));

  for (int64_t i = 0; i < steps; ++i) {
    const double t = static_cast<double>(i) * dt;
    const double target = 17.0 + 5.0 * std::sin(2 * kPi * t / 120.0);
    double accel = std::clamp(0.3 * (target - speed), -1.5, 1.5);
    double steer = 8.0 * std::sin(2 * kPi * t / 30.0);
    double lat = 0.5 * std::sin(2 * kPi * t / 30.0);
    bool want_engaged = true;
    std::string want_reason = "none";

    for (const Scheduled& s : plan) {
      const double tau = t - s.t0;
      if (tau < -1 || tau > 20) continue;
      switch (s.kind) {
        case Episode::kDisengagement: {
          if (tau < 0) break;
          // Off at t0 for 10 s, with two chatter engagements (0.8 s and 1.5 s) in between.
          const bool chatter =
              options.faults && ((tau >= 3.0 && tau < 3.8) || (tau >= 5.5 && tau < 7.0));
          if (tau < 10.0) {
            want_engaged = chatter;
            want_reason = kReasons[static_cast<size_t>(s.t0) % 5];
          }
          break;
        }
        case Episode::kHarshBraking:
          if (tau >= 0 && tau < 1.5) accel = -4.0;
          break;
        case Episode::kSevereBraking:
          if (tau >= 0 && tau < 1.2) accel = -5.2;
          break;
        case Episode::kModerateBraking:
          if (tau >= 0 && tau < 2.0) accel = -2.8;
          break;
        case Episode::kBrakeSpike:
          if (tau >= 0 && tau < 0.15) accel = -5.0;
          break;
        case Episode::kSteeringJerk:
          steer += Trapezoid(tau, 160.0, 0.4, 0.5, 0.4);  // 400 deg/s both ways
          break;
        case Episode::kBriskSteering:
          steer += Trapezoid(tau, 80.0, 0.4, 0.5, 1.0);  // 200 deg/s, under the 300 threshold
          break;
        case Episode::kSwerve:
          lat += Trapezoid(tau, 4.0, 0.4, 0.6, 1.6);  // 10 m/s^3 up, 2.5 down
          steer += Trapezoid(tau, 40.0, 0.4, 0.6, 1.6);
          break;
      }
    }
    const bool parking = options.park_at_s > 0 && t >= options.park_at_s;
    if (parking) accel = speed > 0 ? -1.5 : 0.0;
    speed = std::max(0.0, speed + accel * dt);
    engaged = want_engaged;
    reason = want_reason;

    double accel_meas = accel + 0.25 * noise(rng);
    double steer_meas = steer + 0.15 * noise(rng);
    double lat_meas = lat + 0.15 * noise(rng);
    if (options.faults && t >= next_spike) {  // a single-sample spike on one sensor
      const double pick = uniform(rng);
      if (pick < 0.34) {
        accel_meas = -8.0;
      } else if (pick < 0.67) {
        steer_meas += 40.0;
      } else {
        lat_meas += 6.0;
      }
      next_spike = t + 3.0 + 7.0 * uniform(rng);
    }

    proto::SignalFrame& f = clean.emplace_back();
    f.set_mono_ns(options.start_ns + i * 1'000'000'000LL / options.rate_hz);
    f.set_seq(static_cast<uint64_t>(i + 1));
    AddNumber(f, "speed", speed + 0.05 * noise(rng));
    AddNumber(f, "accel_long", accel_meas);
    AddNumber(f, "accel_lat", lat_meas);
    AddNumber(f, "yaw_rate", speed > 0.5 ? lat / speed * 57.3 : 0.0);
    AddNumber(f, "steering_angle", steer_meas);
    AddNumber(f, "brake", accel < 0 ? std::min(1.0, -accel / 8.0) : 0.0);
    AddNumber(f, "throttle", accel > 0 ? accel / 3.0 : 0.0);
    auto* e = f.add_values();
    e->set_name("autonomy_engaged");
    e->set_flag(engaged);
    auto* r = f.add_values();
    r->set_name("disengage_reason");
    r->set_text(engaged ? "none" : reason);
    auto* g = f.add_values();
    g->set_name("gear");
    g->set_text(parking && speed <= 0 ? "P" : "D");
    for (int k = 0; k < options.extra_signals; ++k) {
      char name[32];
      std::snprintf(name, sizeof name, "custom.s%02d", k);
      AddNumber(f, name, std::sin(t * (0.1 + 0.05 * k)) * (1 + k % 7) + 0.1 * noise(rng));
    }
  }

  // Transport faults: drops, duplicates and swapped neighbours.
  for (size_t i = 0; i < clean.size(); ++i) {
    const double p = options.faults ? uniform(rng) : 1.0;
    if (p < 0.01) continue;                   // dropped
    if (p < 0.012 && i + 1 < clean.size()) {  // swapped with the next frame
      drive.frames.push_back(clean[i + 1]);
      drive.frames.push_back(clean[i]);
      ++i;
      continue;
    }
    drive.frames.push_back(clean[i]);
    if (p < 0.017) drive.frames.push_back(clean[i]);  // duplicated
  }

  for (const Scheduled& s : plan) {
    PlantedEvent e;
    e.time_ns = options.start_ns + static_cast<int64_t>(s.t0 * 1e9);
    switch (s.kind) {
      case Episode::kDisengagement:
        e = {"disengagement", "disengagement", e.time_ns, kReasons[static_cast<size_t>(s.t0) % 5]};
        break;
      case Episode::kHarshBraking:
        e = {"harsh_braking", "harsh_braking", e.time_ns, ""};
        break;
      case Episode::kSevereBraking:
        e = {"severe_braking", "harsh_braking", e.time_ns, ""};
        break;
      case Episode::kSteeringJerk:
        e = {"steering_jerk", "steering_jerk", e.time_ns, ""};
        break;
      case Episode::kSwerve:
        e = {"swerve", "steering_jerk", e.time_ns, ""};
        break;
      default:
        continue;  // near misses are not labelled events
    }
    drive.events.push_back(std::move(e));
  }
  return drive;
}

Status WriteDrive(const Drive& drive, const std::filesystem::path& drive_path,
                  const std::filesystem::path& labels_path) {
  auto writer = triggers::DriveWriter::Create(drive_path);
  if (!writer.ok()) return writer.error();
  for (const proto::SignalFrame& f : drive.frames) {
    if (Status s = writer->Append(f); !s.ok()) return s;
  }
  if (Status s = writer->Close(); !s.ok()) return s;
  std::ofstream labels(labels_path);
  for (const PlantedEvent& e : drive.events) {
    labels << e.time_ns << ' ' << e.kind << ' ' << e.rule << ' ' << (e.tag.empty() ? "-" : e.tag)
           << '\n';
  }
  labels.close();
  if (!labels) return Error(ErrorCode::kIo, "writing labels " + labels_path.native() + " failed");
  return Ok();
}

Result<std::vector<PlantedEvent>> ReadLabels(const std::filesystem::path& labels_path) {
  std::ifstream in(labels_path);
  if (!in) return Error(ErrorCode::kNotFound, "cannot open labels " + labels_path.native());
  std::vector<PlantedEvent> events;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    PlantedEvent e;
    if (!(fields >> e.time_ns >> e.kind >> e.rule >> e.tag)) {
      return Error(ErrorCode::kCorruption, labels_path.native() + ": bad line \"" + line + "\"");
    }
    if (e.tag == "-") e.tag.clear();
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace fleetclip::testing

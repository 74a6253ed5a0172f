// The rule engine over a real SignalHistory: starts, peaks, ends and tags, with the presets.
#include "triggers/rule_engine.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "triggers/presets.h"

namespace fleetclip::triggers {
namespace {

constexpr int64_t kMs = 1'000'000;

class Drive {
 public:
  explicit Drive(std::vector<RuleSpec> rules)
      : catalog_(SignalCatalog::Standard()), history_(catalog_, std::chrono::seconds(60)) {
    auto set = RuleSet::Compile(catalog_, std::move(rules));
    REQUIRE(set.ok());
    engine_.emplace(*set);
  }
  // One frame at t_ms carrying the given numeric signals (and an optional reason).
  std::vector<RuleObservation> Frame(int64_t t_ms,
                                     std::initializer_list<std::pair<const char*, double>> values,
                                     const char* reason = nullptr) {
    DecodedFrame f;
    f.mono_ns = t_ms * kMs;
    for (auto [name, v] : values) f.numbers.emplace_back(*catalog_.Find(name), v);
    if (reason != nullptr) {
      f.texts.emplace_back(*catalog_.Find("disengage_reason"), reason);
      f.text_count = 1;
    }
    history_.Append(f);
    auto span = engine_->Evaluate(history_);
    return {span.begin(), span.end()};
  }

 private:
  SignalCatalog catalog_;
  SignalHistory history_;
  std::optional<RuleEngine> engine_;
};

RuleSpec Preset(std::string_view name) {
  for (RuleSpec& r : BuiltinRules()) {
    if (r.name == name) return r;
  }
  FAIL("no preset " << name);
  return {};
}

}  // namespace

TEST_CASE(
    "Harsh braking starts once 300 ms lie below -3.5 and its peak is the deepest sustained value") {
  Drive d({Preset(kHarshBrakingRule)});
  std::vector<RuleObservation> all;
  for (int64_t t = 0; t <= 2000; t += 10) {
    const double accel = t >= 1000 && t < 1800 ? (t < 1400 ? -3.8 : -4.7) : 0.0;
    for (auto& o : d.Frame(t, {{"speed", 15}, {"accel_long", accel}})) all.push_back(o);
  }
  REQUIRE(all.size() == 3);
  REQUIRE(all[0].kind == RuleObservation::Kind::kStarted);
  REQUIRE(all[0].time == MonoFromNanos(1290 * kMs));
  REQUIRE(all[0].peak == -3.8);
  REQUIRE(all[1].kind == RuleObservation::Kind::kPeak);
  REQUIRE(all[1].peak == -4.7);
  REQUIRE(all[2].kind == RuleObservation::Kind::kEnded);
  REQUIRE(all[2].time == MonoFromNanos(1800 * kMs));
}

TEST_CASE("Harsh braking below walking speed does not start") {
  Drive d({Preset(kHarshBrakingRule)});
  size_t n = 0;
  for (int64_t t = 0; t <= 2000; t += 10)
    n += d.Frame(t, {{"speed", 2}, {"accel_long", -5}}).size();
  REQUIRE(n == 0);
}

TEST_CASE("A disengagement carries the disengage reason as its tag") {
  Drive d({Preset(kDisengagementRule)});
  for (int64_t t = 0; t < 3000; t += 10) REQUIRE(d.Frame(t, {{"autonomy_engaged", 1}}).empty());
  auto obs = d.Frame(3000, {{"autonomy_engaged", 0}}, "driver_steer");
  REQUIRE(obs.size() == 1);
  REQUIRE(obs[0].kind == RuleObservation::Kind::kStarted);
  REQUIRE(obs[0].tag == "driver_steer");
  REQUIRE(std::isnan(obs[0].peak));
}

TEST_CASE("Steering jerk starts on a held wheel rate above 8 m/s only") {
  Drive d({Preset(kSteeringJerkRule)});
  std::vector<RuleObservation> all;
  double angle = 0;
  for (int64_t t = 0; t <= 1000; t += 10) {
    if (t >= 500 && t < 700) angle += 4;  // 400 deg/s for 200 ms
    for (auto& o : d.Frame(t, {{"speed", 12}, {"steering_angle", angle}})) all.push_back(o);
  }
  REQUIRE_FALSE(all.empty());
  REQUIRE(all[0].kind == RuleObservation::Kind::kStarted);
  REQUIRE(all[0].time == MonoFromNanos(590 * kMs));
  REQUIRE(all[0].peak == Approx(400));
}

TEST_CASE("Steering jerk starts when steering angle and speed arrive in different messages") {
  // Two CAN messages every 10 ms, 5 ms apart: one carries steering_angle, the other speed. The
  // speed rows hold the angle, so a rate between consecutive rows would read 0 on every other
  // row and min(abs(rate), 100ms) would never reach 300; over the steering rows it is 400.
  Drive d({Preset(kSteeringJerkRule)});
  std::vector<RuleObservation> all;
  double angle = 0;
  for (int64_t t = 0; t <= 1000; t += 10) {
    if (t >= 500 && t < 700) angle += 4;  // 400 deg/s for 200 ms
    for (auto& o : d.Frame(t, {{"steering_angle", angle}})) all.push_back(o);
    for (auto& o : d.Frame(t + 5, {{"speed", 12}})) all.push_back(o);
  }
  REQUIRE_FALSE(all.empty());
  REQUIRE(all[0].kind == RuleObservation::Kind::kStarted);
  CHECK(all[0].peak == Approx(400));
  CHECK(all[0].time >= MonoFromNanos(590 * kMs));
  CHECK(all[0].time <= MonoFromNanos(600 * kMs));
}

TEST_CASE("A rate held over rows that do not carry its signal lapses after a second") {
  RuleSpec turning;
  turning.name = "turning";
  turning.expr = "abs(rate(steering_angle)) > 100";
  Drive d({turning});
  CHECK(d.Frame(0, {{"steering_angle", 0}}).empty());
  const auto started = d.Frame(10, {{"steering_angle", 2}});  // 200 deg/s
  REQUIRE(started.size() == 1);
  CHECK(started[0].kind == RuleObservation::Kind::kStarted);
  CHECK(d.Frame(500, {{"speed", 3}}).empty());       // held: still turning, no new observation
  const auto ended = d.Frame(1020, {{"speed", 3}});  // the last steering row is 1010 ms old
  REQUIRE(ended.size() == 1);
  CHECK(ended[0].kind == RuleObservation::Kind::kEnded);
}

TEST_CASE("A single-sample steering spike does not start steering jerk") {
  Drive d({Preset(kSteeringJerkRule)});
  size_t n = 0;
  for (int64_t t = 0; t <= 2000; t += 10) {
    const double angle = t == 1000 ? 30 : 0;
    const double lat = t == 1500 ? 6 : 0;
    n += d.Frame(t, {{"speed", 20}, {"steering_angle", angle}, {"accel_lat", lat}}).size();
  }
  REQUIRE(n == 0);
}

TEST_CASE("Disabled rules are not compiled") {
  RuleSpec r = Preset(kHarshBrakingRule);
  r.enabled = false;
  auto set = RuleSet::Compile(SignalCatalog::Standard(), {r});
  REQUIRE(set.ok());
  REQUIRE((*set)->rules().empty());
}

TEST_CASE("The longest look-back covers windows and pre-roll") {
  auto set = RuleSet::Compile(SignalCatalog::Standard(), BuiltinRules());
  REQUIRE(set.ok());
  REQUIRE((*set)->longest_lookback() == std::chrono::seconds(30));
}

TEST_CASE("Seventy rules report their starts, peaks and ends in rule order across 64-rule words") {
  std::vector<RuleSpec> rules;
  for (int i = 0; i < 70; ++i) {
    RuleSpec r;
    r.name = "over_" + std::to_string(i);
    r.expr = "speed > " + std::to_string(i);
    rules.push_back(r);
  }
  Drive d(std::move(rules));
  REQUIRE(d.Frame(0, {{"speed", 0}}).empty());
  // Rules 0..35 start.
  auto obs = d.Frame(10, {{"speed", 35.5}});
  REQUIRE(obs.size() == 36);
  for (uint32_t i = 0; i < obs.size(); ++i) {
    REQUIRE(obs[i].kind == RuleObservation::Kind::kStarted);
    REQUIRE(obs[i].rule == i);
    REQUIRE(obs[i].peak == 35.5);
  }
  // Higher: 0..35 report a new peak, 36..69 start (the last six in the second word).
  obs = d.Frame(20, {{"speed", 70.5}});
  REQUIRE(obs.size() == 70);
  for (uint32_t i = 0; i < 70; ++i) {
    REQUIRE(obs[i].rule == i);
    REQUIRE(obs[i].kind ==
            (i < 36 ? RuleObservation::Kind::kPeak : RuleObservation::Kind::kStarted));
    REQUIRE(obs[i].peak == 70.5);
  }
  // Lower but still above 65: no peak moves, 66..69 end with their peak.
  obs = d.Frame(30, {{"speed", 65.5}});
  REQUIRE(obs.size() == 4);
  for (uint32_t k = 0; k < 4; ++k) {
    REQUIRE(obs[k].kind == RuleObservation::Kind::kEnded);
    REQUIRE(obs[k].rule == 66 + k);
    REQUIRE(obs[k].peak == 70.5);
  }
  // NaN holds nothing: every active rule ends once.
  obs = d.Frame(40, {{"speed", NAN}});
  REQUIRE(obs.size() == 66);
  REQUIRE(d.Frame(50, {{"speed", NAN}}).empty());
}

}  // namespace fleetclip::triggers

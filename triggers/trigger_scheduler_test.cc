// TriggerScheduler on the fake clock: merging, cooldown, re-arm, rate limits, shortening,
// tiers, manual and remote triggers, and emission once the post-roll has passed.
#include "triggers/trigger_scheduler.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <thread>

namespace fleetclip::triggers {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = RuleObservation::Kind;

class CollectingSink final : public ClipRequestSink {
 public:
  void Submit(ClipRequest request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(std::move(request));
  }
  std::vector<ClipRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<ClipRequest> requests_;
};

RuleSpec Rule(std::string name, int64_t pre_ms, int64_t post_ms) {
  RuleSpec r;
  r.name = std::move(name);
  r.expr = "speed > 1";
  r.priority = 40;
  r.pre_roll_ms = pre_ms;
  r.post_roll_ms = post_ms;
  return r;
}

// A scheduler over the given rules, driven by hand-made observations at fake-clock times.
struct Fixture {
  explicit Fixture(std::vector<RuleSpec> rules, SchedulerOptions options = {})
      : log(log_sink, LogLevel::kDebug), scheduler(clock, log, sink, options) {
    auto set = RuleSet::Compile(SignalCatalog::Standard(), std::move(rules));
    REQUIRE(set.ok());
    scheduler.SetRules(*set);
  }
  MonoTime At(int64_t ms) const { return start + milliseconds(ms); }
  // Moves the clock to `ms` and reports the rule's condition starting there.
  void Start(uint32_t rule, int64_t ms, double peak = NAN) {
    Report(Kind::kStarted, rule, ms, peak);
  }
  void End(uint32_t rule, int64_t ms) { Report(Kind::kEnded, rule, ms, NAN); }
  void Report(Kind kind, uint32_t rule, int64_t ms, double peak) {
    clock.Set(At(ms));
    RuleObservation o{kind, rule, At(ms), peak, {}};
    scheduler.Observe(std::span(&o, 1));
    scheduler.Poll();
  }
  void AdvanceTo(int64_t ms) {
    clock.Set(At(ms));
    scheduler.Poll();
  }

  FakeClock clock;
  const MonoTime start = clock.Now();
  MemoryLogSink log_sink;
  Logger log;
  CollectingSink sink;
  TriggerScheduler scheduler;
};

}  // namespace

TEST_CASE("A firing becomes a clip of its pre and post roll, submitted once the post-roll passes") {
  Fixture f({Rule("a", 10'000, 5'000)});
  f.Start(0, 20'000);
  f.AdvanceTo(24'999);
  REQUIRE(f.sink.requests().empty());
  f.AdvanceTo(25'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 1);
  REQUIRE(reqs[0].start == f.At(10'000));
  REQUIRE(reqs[0].end == f.At(25'000));
  REQUIRE(reqs[0].events.size() == 1);
  REQUIRE(reqs[0].events[0].rule == "a");
  REQUIRE(reqs[0].priority == 40);
  REQUIRE(reqs[0].mono_at_trigger == f.At(20'000));
}

TEST_CASE("Flush submits pending clips cut at now, and marks the events whose post-roll was cut") {
  RuleSpec b = Rule("b", 5'000, 1'000);
  Fixture f({Rule("a", 10'000, 8'000), b});
  f.Start(0, 20'000);  // a asks for [10 s, 28 s]
  f.Start(1, 21'000);  // b asks for [16 s, 22 s]: merges
  f.AdvanceTo(23'000);
  REQUIRE(f.sink.requests().empty());
  REQUIRE(f.scheduler.Flush("daemon stopping") == 1);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 1);
  REQUIRE(reqs[0].start == f.At(10'000));
  REQUIRE(reqs[0].end == f.At(23'000));
  REQUIRE(reqs[0].events.size() == 2);
  REQUIRE(reqs[0].events[0].window_shortened);
  REQUIRE(reqs[0].events[0].window_end == f.At(23'000));
  REQUIRE(reqs[0].events[0].shortened_reason == "post-roll cut at 3000 ms: daemon stopping");
  REQUIRE_FALSE(reqs[0].events[1].window_shortened);  // its window had already ended
  REQUIRE(f.scheduler.pending() == 0);
  REQUIRE(f.scheduler.NextDue() == std::nullopt);
  REQUIRE(f.scheduler.stats().clips == 1);
  REQUIRE(f.scheduler.Flush("again") == 0);
  // A rule that still holds reports a peak after the flush: nothing to update, nothing breaks.
  f.Report(Kind::kPeak, 0, 23'500, 7.0);
  REQUIRE(f.sink.requests().size() == 1);
}

TEST_CASE("Overlapping windows of different rules merge into their union with one event each") {
  RuleSpec b = Rule("b", 5'000, 5'000);
  b.priority = 70;
  Fixture f({Rule("a", 10'000, 5'000), b});
  f.Start(0, 20'000, 3.0);
  f.Start(1, 23'000, 7.0);
  f.AdvanceTo(40'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 1);
  REQUIRE(reqs[0].start == f.At(10'000));
  REQUIRE(reqs[0].end == f.At(28'000));
  REQUIRE(reqs[0].priority == 70);
  REQUIRE(reqs[0].events.size() == 2);
  REQUIRE(reqs[0].events[0].rule == "a");
  REQUIRE(reqs[0].events[0].time == f.At(20'000));
  REQUIRE(reqs[0].events[0].peak == 3.0);
  REQUIRE(reqs[0].events[0].priority == 40);
  REQUIRE(reqs[0].events[1].rule == "b");
  REQUIRE(reqs[0].events[1].peak == 7.0);
  REQUIRE(f.scheduler.stats().merged == 1);
}

TEST_CASE("Windows that do not overlap become separate clips") {
  Fixture f({Rule("a", 2'000, 2'000)});
  f.Start(0, 10'000);
  f.End(0, 10'100);
  f.Start(0, 20'000);
  f.AdvanceTo(30'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 2);
  REQUIRE(reqs[0].end == f.At(12'000));
  REQUIRE(reqs[1].start == f.At(18'000));
}

TEST_CASE("A union that would outgrow the ring starts a new clip instead") {
  Fixture f({Rule("a", 20'000, 10'000), Rule("b", 20'000, 10'000)},
            SchedulerOptions{.max_window = seconds(40)});
  f.Start(0, 30'000);  // [10 s, 40 s]
  f.Start(1, 35'000);  // [15 s, 45 s]: union 35 s fits
  f.Start(0, 45'000);  // [25 s, 55 s]: union 45 s would not fit
  f.AdvanceTo(100'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 2);
  REQUIRE(reqs[0].events.size() == 2);
  REQUIRE(reqs[0].end - reqs[0].start <= seconds(40));
  REQUIRE(reqs[1].start == f.At(25'000));
  REQUIRE(reqs[1].end == f.At(55'000));
}

TEST_CASE("A window longer than the ring is shortened and the event says so") {
  Fixture f({Rule("a", 50'000, 20'000)}, SchedulerOptions{.max_window = seconds(60)});
  f.Start(0, 100'000);
  f.AdvanceTo(200'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 1);
  REQUIRE(reqs[0].start == f.At(60'000));
  REQUIRE(reqs[0].end == f.At(120'000));
  const ClipEvent& e = reqs[0].events[0];
  REQUIRE(e.window_shortened);
  REQUIRE(e.shortened_reason ==
          "window of 70000 ms exceeds the ring's 60000 ms; pre-roll cut to 40000 ms");
}

TEST_CASE("A start within the cooldown is suppressed, and one after it fires") {
  RuleSpec r = Rule("a", 1'000, 1'000);
  r.cooldown_ms = 10'000;
  Fixture f({r});
  f.Start(0, 1'000);
  f.End(0, 1'500);
  f.Start(0, 10'999);
  f.End(0, 11'500);
  f.Start(0, 11'000 + 1'000);
  f.AdvanceTo(60'000);
  REQUIRE(f.sink.requests().size() == 2);
  REQUIRE(f.scheduler.stats().suppressed_cooldown == 1);
  REQUIRE(f.log_sink.Count("event=trigger_suppressed rule=a reason=cooldown") == 1);
}

TEST_CASE("Re-arm needs the condition false for the re-arm time after a firing") {
  RuleSpec r = Rule("a", 1'000, 1'000);
  r.rearm_ms = 2'000;
  Fixture f({r});
  f.Start(0, 1'000);
  f.End(0, 5'000);
  f.Start(0, 6'999);  // false for 1.999 s: suppressed
  f.End(0, 7'000);
  f.Start(0, 8'500);  // false for 1.5 s since the last end: still suppressed
  f.End(0, 8'600);
  f.Start(0, 10'600);  // false for 2 s: fires
  f.AdvanceTo(60'000);
  REQUIRE(f.scheduler.stats().fired == 2);
  REQUIRE(f.scheduler.stats().suppressed_rearm == 2);
}

TEST_CASE("The hourly limit counts firings in a sliding hour") {
  RuleSpec r = Rule("a", 0, 1'000);
  r.max_per_hour = 3;
  Fixture f({r});
  for (int i = 0; i < 5; ++i) {
    f.Start(0, i * 60'000);
    f.End(0, i * 60'000 + 100);
  }
  REQUIRE(f.scheduler.stats().fired == 3);
  REQUIRE(f.scheduler.stats().suppressed_hour_limit == 2);
  // An hour after the first firing, one slot is free again.
  f.Start(0, 3'600'000);
  f.End(0, 3'600'100);
  f.Start(0, 3'600'200);
  REQUIRE(f.scheduler.stats().fired == 4);
  REQUIRE(f.scheduler.stats().suppressed_hour_limit == 3);
}

TEST_CASE("The daily limit counts firings in a sliding day") {
  RuleSpec r = Rule("a", 0, 1'000);
  r.max_per_day = 2;
  Fixture f({r});
  const int64_t hour = 3'600'000;
  for (int i = 0; i < 4; ++i) {
    f.Start(0, i * 5 * hour);
    f.End(0, i * 5 * hour + 100);
  }
  REQUIRE(f.scheduler.stats().fired == 2);
  REQUIRE(f.scheduler.stats().suppressed_day_limit == 2);
  f.Start(0, 24 * hour + 1);
  REQUIRE(f.scheduler.stats().fired == 3);
}

TEST_CASE("A deepening peak moves the event to its severe tier and raises the clip priority") {
  RuleSpec r = Rule("hb", 1'000, 5'000);
  r.priority = 60;
  r.tiers = {SeverityTier{"severe", 4.5, 80}};
  Fixture f({r});
  f.Start(0, 1'000, -3.7);
  f.Report(Kind::kPeak, 0, 1'200, -4.9);
  f.End(0, 1'500);
  f.AdvanceTo(10'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 1);
  REQUIRE(reqs[0].events[0].peak == -4.9);
  REQUIRE(reqs[0].events[0].tier == "severe");
  REQUIRE(reqs[0].events[0].priority == 80);
  REQUIRE(reqs[0].priority == 80);
}

TEST_CASE("Manual and remote triggers take the same path and merge with rule firings") {
  Fixture f({Rule("a", 10'000, 10'000)});
  f.Start(0, 20'000);
  f.clock.Set(f.At(22'000));
  REQUIRE(
      f.scheduler.Trigger({TriggerSource::kManual, "", "driver button", 90, 5'000, 5'000}).ok());
  REQUIRE(f.scheduler.Trigger({TriggerSource::kRemote, "rt-1", "rear cam", 30, 1'000, 1'000}).ok());
  f.AdvanceTo(60'000);
  auto reqs = f.sink.requests();
  REQUIRE(reqs.size() == 1);
  REQUIRE(reqs[0].events.size() == 3);
  REQUIRE(reqs[0].events[1].source == TriggerSource::kManual);
  REQUIRE(reqs[0].events[1].note == "driver button");
  REQUIRE(reqs[0].events[1].time == f.At(22'000));
  REQUIRE(reqs[0].events[2].source == TriggerSource::kRemote);
  REQUIRE(reqs[0].events[2].trigger_id == "rt-1");
  REQUIRE(reqs[0].priority == 90);
}

TEST_CASE("A remote trigger id fires at most once") {
  Fixture f({});
  REQUIRE(f.scheduler.Trigger({TriggerSource::kRemote, "rt-9", "", 30, 1'000, 1'000}).ok());
  Status again = f.scheduler.Trigger({TriggerSource::kRemote, "rt-9", "", 30, 1'000, 1'000});
  REQUIRE_FALSE(again.ok());
  REQUIRE(again.error().message() == "remote trigger \"rt-9\" already fired; an id fires once");
}

TEST_CASE("An external trigger with a bad priority is refused") {
  Fixture f({});
  Status s = f.scheduler.Trigger({TriggerSource::kManual, "", "", 101, 1'000, 1'000});
  REQUIRE(s.error().message() == "manual trigger priority 101 is outside 0..100");
}

TEST_CASE("Manual triggers from other threads while rules fire produce consistent clips") {
  Fixture f({Rule("a", 1'000, 1'000)});
  std::jthread manual([&] {
    for (int i = 0; i < 200; ++i) {
      REQUIRE(f.scheduler.Trigger({TriggerSource::kManual, "", "", 50, 100, 100}).ok());
      f.scheduler.Poll();
    }
  });
  for (int i = 0; i < 200; ++i) {
    f.Start(0, i * 10);
    f.End(0, i * 10 + 5);
  }
  manual.join();
  f.AdvanceTo(1'000'000);
  size_t events = 0;
  for (const ClipRequest& r : f.sink.requests()) events += r.events.size();
  REQUIRE(events == 400);
  REQUIRE(f.scheduler.pending() == 0);
}

}  // namespace fleetclip::triggers

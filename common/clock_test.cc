#include "common/clock.h"

#include <catch2/catch.hpp>
#include <thread>

namespace fleetclip {
using namespace std::chrono_literals;

TEST_CASE("Fake clock moves only when advanced and wall time follows it") {
  FakeClock clock;
  const MonoTime t0 = clock.Now();
  const WallTime w0 = clock.WallNow();
  REQUIRE(clock.Now() == t0);
  clock.Advance(1500ms);
  REQUIRE(clock.Now() - t0 == 1500ms);
  REQUIRE(clock.WallNow() - w0 == 1500ms);
}

TEST_CASE("A fake-clock sleeper wakes when time reaches its deadline") {
  FakeClock clock;
  const MonoTime deadline = clock.Now() + 2s;
  std::atomic<bool> woke{false};
  std::jthread sleeper([&](std::stop_token st) { woke = clock.SleepUntil(deadline, st); });
  clock.Advance(1s);
  std::this_thread::sleep_for(20ms);
  REQUIRE_FALSE(woke);
  clock.Advance(1s);
  sleeper.join();
  REQUIRE(woke);
}

TEST_CASE("A sleeper returns false at once when stop is requested") {
  FakeClock clock;
  bool result = true;
  std::jthread sleeper(
      [&](std::stop_token st) { result = clock.SleepUntil(clock.Now() + 1h, st); });
  sleeper.request_stop();
  sleeper.join();
  REQUIRE_FALSE(result);

  RealClock real;
  std::stop_source stop;
  stop.request_stop();
  const MonoTime before = real.Now();
  REQUIRE_FALSE(real.SleepFor(1h, stop.get_token()));
  REQUIRE(real.Now() - before < 1s);
}

TEST_CASE("Real clock is monotonic and sleeps about as long as asked") {
  RealClock clock;
  const MonoTime a = clock.Now();
  REQUIRE(clock.SleepFor(10ms, std::stop_token{}));
  const MonoTime b = clock.Now();
  REQUIRE(b - a >= 10ms);
}

}  // namespace fleetclip

// Injected time. Two distinct clock types so that monotonic time (every window, timeout, backoff
// and ring bound) can never be mixed up with wall time (names, metadata and the upload window) at
// compile time. Nothing outside RealClock reads the system clocks; tests drive FakeClock by hand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stop_token>

namespace fleetclip {

using Nanos = std::chrono::nanoseconds;

// CLOCK_MONOTONIC as a distinct chrono clock. It deliberately has no now(): read it through Clock.
struct MonoClock {
  using rep = int64_t;
  using period = std::nano;
  using duration = Nanos;
  using time_point = std::chrono::time_point<MonoClock>;
  static constexpr bool is_steady = true;
};
using MonoTime = MonoClock::time_point;
using WallTime = std::chrono::time_point<std::chrono::system_clock, Nanos>;

// Milliseconds since the Unix epoch, as the queue and manifests store wall times.
inline int64_t UnixMs(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

constexpr int64_t ToNanos(MonoTime t) { return t.time_since_epoch().count(); }
constexpr MonoTime MonoFromNanos(int64_t ns) { return MonoTime(Nanos(ns)); }
constexpr int64_t ToMillis(Nanos d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// Thread-safe source of time. Implementations must be safe to call from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
  // Blocks until Now() >= deadline or `stop` is requested. Returns false when stopped early.
  virtual bool SleepUntil(MonoTime deadline, std::stop_token stop) const = 0;
  bool SleepFor(Nanos d, std::stop_token stop) const {
    return SleepUntil(Now() + d, std::move(stop));
  }
};

// The system clocks: CLOCK_MONOTONIC and CLOCK_REALTIME.
class RealClock final : public Clock {
 public:
  MonoTime Now() const override;
  WallTime WallNow() const override;
  bool SleepUntil(MonoTime deadline, std::stop_token stop) const override;
};

// A clock that moves only when told to. Wall time follows monotonic time from a fixed origin.
// Sleepers wake when Advance()/Set() reaches their deadline. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(MonoTime start = MonoFromNanos(1'000'000'000),
                     WallTime wall_at_start = WallTime(std::chrono::seconds(1'767'225'600)));
  MonoTime Now() const override;
  WallTime WallNow() const override;
  bool SleepUntil(MonoTime deadline, std::stop_token stop) const override;

  void Advance(Nanos d);
  void Set(MonoTime t);  // must not go backwards
  // Steps the wall clock by `d` (either sign), as NTP or a person setting the time does; the
  // monotonic clock does not move.
  void StepWall(Nanos d);

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable_any cv_;
  MonoTime now_;        // guarded by mu_
  Nanos wall_step_{0};  // guarded by mu_: the sum of StepWall()s
  const MonoTime start_;
  const WallTime wall_at_start_;
};

}  // namespace fleetclip

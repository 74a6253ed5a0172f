// The real and fake clocks behind common/clock.h.
#include "common/clock.h"

#include <time.h>

#include <cassert>

namespace fleetclip {
namespace {

int64_t ReadClock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

MonoTime RealClock::Now() const { return MonoFromNanos(ReadClock(CLOCK_MONOTONIC)); }

WallTime RealClock::WallNow() const { return WallTime(Nanos(ReadClock(CLOCK_REALTIME))); }

bool RealClock::SleepUntil(MonoTime deadline, std::stop_token stop) const {
  // std::chrono::steady_clock is CLOCK_MONOTONIC in libstdc++, so the deadline maps across
  // directly.
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  const auto steady_deadline = std::chrono::steady_clock::now() + (deadline - Now());
  cv.wait_until(lock, stop, steady_deadline, [] { return false; });
  return !stop.stop_requested();
}

FakeClock::FakeClock(MonoTime start, WallTime wall_at_start)
    : now_(start), start_(start), wall_at_start_(wall_at_start) {}

MonoTime FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

WallTime FakeClock::WallNow() const {
  std::lock_guard lock(mu_);
  return wall_at_start_ + (now_ - start_) + wall_step_;
}

bool FakeClock::SleepUntil(MonoTime deadline, std::stop_token stop) const {
  std::unique_lock lock(mu_);
  return cv_.wait(lock, stop, [&] { return now_ >= deadline; });
}

void FakeClock::Advance(Nanos d) {
  assert(d.count() >= 0);
  {
    std::lock_guard lock(mu_);
    now_ += d;
  }
  cv_.notify_all();
}

void FakeClock::StepWall(Nanos d) {
  std::lock_guard lock(mu_);
  wall_step_ += d;
}

void FakeClock::Set(MonoTime t) {
  {
    std::lock_guard lock(mu_);
    assert(t >= now_);
    now_ = t;
  }
  cv_.notify_all();
}

}  // namespace fleetclip

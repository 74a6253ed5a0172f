// Test probes around the trigger pipeline: a ClipRequestSink that keeps what it is given, and a
// FrameSink that forwards to a SignalPipeline and counts frames so a test can wait (on a condition
// variable, bounded in time) for a replay to arrive.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "triggers/signal_pipeline.h"

namespace fleetclip::testing {

class CollectingSink final : public triggers::ClipRequestSink {
 public:
  void Submit(triggers::ClipRequest request) override { requests.push_back(std::move(request)); }
  std::vector<triggers::ClipRequest> requests;  // only touched by the thread calling Poll
};

class CountingPipeline final : public triggers::FrameSink {
 public:
  explicit CountingPipeline(triggers::SignalPipeline& inner) : inner_(inner) {}
  void OnFrame(const triggers::DecodedFrame& frame) override {
    inner_.OnFrame(frame);
    std::lock_guard lock(mu_);
    ++frames_;
    cv_.notify_all();
  }
  std::optional<MonoTime> OnIdle() override { return inner_.OnIdle(); }
  // True once `n` frames have arrived; false after `timeout` without.
  bool WaitFor(size_t n, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return frames_ >= n; });
  }

 private:
  triggers::SignalPipeline& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t frames_ = 0;
};

}  // namespace fleetclip::testing

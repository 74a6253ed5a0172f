// Sliding time windows for the rule language's min(x, W), max(x, W) and mean(x, W). Each keeps
// just what it needs in a growable ring (no allocation once warmed up): min/max a monotonic queue,
// so every frame costs amortised O(1) whatever the window length; mean the samples and a running
// sum. A window covers the samples with time in (now - W, now]. The number of samples kept is
// capped (kMaxSamples); beyond it the oldest are dropped, which only matters for a producer sending
// far faster than any vehicle bus (1 kHz into a 60 s window).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace fleetclip::triggers {

// A double-ended queue of (time, value) over a power-of-two ring.
class SampleRing {
 public:
  struct Sample {
    int64_t t_ns;
    double value;
  };
  static constexpr size_t kMaxSamples = 1 << 16;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const Sample& front() const { return buf_[head_]; }
  const Sample& at(size_t i) const { return buf_[(head_ + i) & mask_]; }
  const Sample& back() const { return buf_[(head_ + size_ - 1) & mask_]; }
  void pop_front() {
    head_ = (head_ + 1) & mask_;
    --size_;
  }
  void pop_back() { --size_; }
  // Returns false when the ring is full at kMaxSamples; the caller drops its oldest first.
  bool full() const { return size_ == kMaxSamples; }
  void push_back(Sample s) {
    if (size_ == buf_.size()) Grow();
    buf_[(head_ + size_) & mask_] = s;
    ++size_;
  }

 private:
  void Grow() {
    std::vector<Sample> bigger(buf_.empty() ? 16 : buf_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = buf_[(head_ + i) & mask_];
    buf_ = std::move(bigger);
    head_ = 0;
    mask_ = buf_.size() - 1;
  }
  std::vector<Sample> buf_;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t mask_ = 0;
};

// min(x, W) when kMax is false, max(x, W) when true. NaN samples are skipped; an empty window
// yields NaN.
template <bool kMax>
class ExtremumWindow {
 public:
  double Update(int64_t t_ns, double v, int64_t window_ns) {
    if (!std::isnan(v)) {
      while (!q_.empty() && (kMax ? q_.back().value <= v : q_.back().value >= v)) q_.pop_back();
      if (q_.full()) q_.pop_front();
      q_.push_back({t_ns, v});
    }
    while (!q_.empty() && q_.front().t_ns <= t_ns - window_ns) q_.pop_front();
    return q_.empty() ? std::numeric_limits<double>::quiet_NaN() : q_.front().value;
  }

 private:
  SampleRing q_;
};

class MeanWindow {
 public:
  double Update(int64_t t_ns, double v, int64_t window_ns) {
    if (!std::isnan(v)) {
      if (q_.full()) Evict();
      q_.push_back({t_ns, v});
      sum_ += v;
    }
    while (!q_.empty() && q_.front().t_ns <= t_ns - window_ns) Evict();
    if (q_.empty()) {
      sum_ = 0;  // also discards accumulated rounding error
      return std::numeric_limits<double>::quiet_NaN();
    }
    return sum_ / static_cast<double>(q_.size());
  }

 private:
  // Subtracting evicted samples slowly accumulates rounding error; a periodic exact re-sum keeps a
  // window that never empties accurate over a drive of any length.
  static constexpr int kResumEvery = 4096;
  void Evict() {
    sum_ -= q_.front().value;
    q_.pop_front();
    if (++evictions_ >= kResumEvery) {
      evictions_ = 0;
      sum_ = 0;
      for (size_t i = 0; i < q_.size(); ++i) sum_ += q_.at(i).value;
    }
  }
  SampleRing q_;
  double sum_ = 0;
  int evictions_ = 0;
};

}  // namespace fleetclip::triggers

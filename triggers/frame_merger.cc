// The reorder window for triggers/frame_merger.h.
#include "triggers/frame_merger.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace fleetclip::triggers {

void FrameMerger::Recycle() {
  if (released_ != kNone) free_.push_back(released_);
  released_ = kNone;
}

DecodedFrame& FrameMerger::Scratch() {
  Recycle();
  if (scratch_ == kNone) {
    if (free_.empty()) {
      scratch_ = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      scratch_ = free_.back();
      free_.pop_back();
    }
  }
  return slots_[scratch_];
}

FrameMerger::Push FrameMerger::Add() {
  DecodedFrame& frame = Scratch();
  const int64_t t = frame.mono_ns;
  if (t <= last_released_ns_) return Push::kLate;  // the scratch slot stays for the next frame
  // Frames mostly arrive in time order: look for the place from the newest end.
  auto pos = order_.end();
  while (pos != order_.begin() && slots_[*(pos - 1)].mono_ns > t) --pos;
  if (pos != order_.begin() && slots_[*(pos - 1)].mono_ns == t) {
    MergeInto(slots_[*(pos - 1)], frame);
    return Push::kMerged;
  }
  order_.insert(pos, scratch_);
  scratch_ = kNone;
  newest_ns_ = std::max(newest_ns_, t);
  return Push::kBuffered;
}

void FrameMerger::MergeInto(DecodedFrame& into, const DecodedFrame& from) {
  for (const auto& [id, value] : from.numbers) {
    auto it = std::find_if(into.numbers.begin(), into.numbers.end(),
                           [id = id](const auto& n) { return n.first == id; });
    if (it != into.numbers.end()) {
      it->second = value;
    } else {
      into.numbers.emplace_back(id, value);
    }
  }
  for (size_t i = 0; i < from.text_count; ++i) {
    const auto& [id, text] = from.texts[i];
    size_t k = 0;
    while (k < into.text_count && into.texts[k].first != id) ++k;
    if (k == into.text_count) {
      if (into.text_count == into.texts.size()) into.texts.emplace_back();
      ++into.text_count;
    }
    into.texts[k].first = id;
    into.texts[k].second.assign(text);
  }
}

const DecodedFrame* FrameMerger::PopFront() {
  Recycle();
  if (order_.empty()) return nullptr;
  released_ = order_.front();
  order_.erase(order_.begin());
  last_released_ns_ = slots_[released_].mono_ns;
  return &slots_[released_];
}

const DecodedFrame* FrameMerger::Release(std::optional<MonoTime> now) {
  if (order_.empty()) {
    Recycle();
    return nullptr;
  }
  int64_t horizon = newest_ns_;
  if (now) horizon = std::max(horizon, ToNanos(*now));
  const int64_t oldest = slots_[order_.front()].mono_ns;
  if (oldest > horizon - window_ns_ && order_.size() <= kMaxBuffered) {
    Recycle();
    return nullptr;
  }
  return PopFront();
}

const DecodedFrame* FrameMerger::ReleaseOldest() { return PopFront(); }

std::optional<MonoTime> FrameMerger::NextDue() const {
  if (order_.empty()) return std::nullopt;
  const int64_t oldest = slots_[order_.front()].mono_ns;
  if (oldest > std::numeric_limits<int64_t>::max() - window_ns_) return MonoTime::max();
  return MonoFromNanos(oldest + window_ns_);
}

}  // namespace fleetclip::triggers

// The reorder window for triggers/frame_merger.h.
#include "triggers/frame_merger.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace fleetclip::triggers {

FrameMerger::Push FrameMerger::Add(DecodedFrame& frame) {
  const int64_t t = frame.mono_ns;
  if (t <= last_released_ns_) return Push::kLate;
  // Frames mostly arrive in time order: look for the place from the newest end.
  auto pos = order_.end();
  while (pos != order_.begin() && slots_[*(pos - 1)].mono_ns > t) --pos;
  if (pos != order_.begin() && slots_[*(pos - 1)].mono_ns == t) {
    MergeInto(slots_[*(pos - 1)], frame);
    return Push::kMerged;
  }
  uint32_t slot = 0;
  if (free_.empty()) {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_.back();
    free_.pop_back();
  }
  std::swap(slots_[slot], frame);
  order_.insert(pos, slot);
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

bool FrameMerger::PopFront(DecodedFrame& out) {
  if (order_.empty()) return false;
  const uint32_t slot = order_.front();
  order_.erase(order_.begin());
  std::swap(slots_[slot], out);
  free_.push_back(slot);
  last_released_ns_ = out.mono_ns;
  return true;
}

bool FrameMerger::Release(DecodedFrame& out, std::optional<MonoTime> now) {
  if (order_.empty()) return false;
  int64_t horizon = newest_ns_;
  if (now) horizon = std::max(horizon, ToNanos(*now));
  const int64_t oldest = slots_[order_.front()].mono_ns;
  if (oldest > horizon - window_ns_ && order_.size() <= kMaxBuffered) return false;
  return PopFront(out);
}

bool FrameMerger::ReleaseOldest(DecodedFrame& out) { return PopFront(out); }

std::optional<MonoTime> FrameMerger::NextDue() const {
  if (order_.empty()) return std::nullopt;
  const int64_t oldest = slots_[order_.front()].mono_ns;
  if (oldest > std::numeric_limits<int64_t>::max() - window_ns_) return MonoTime::max();
  return MonoFromNanos(oldest + window_ns_);
}

}  // namespace fleetclip::triggers

// The ring's eviction and snapshot logic. See codec/packet_ring.h for the contract.
#include "codec/packet_ring.h"

#include <algorithm>

namespace fleetclip {

int64_t Snapshot::bytes() const {
  int64_t n = 0;
  for (const auto& p : packets) n += p->size();
  return n;
}

PacketRing::PacketRing(RingLimits limits) : limits_(limits) {}

void PacketRing::SetStreamInfo(std::shared_ptr<const StreamInfo> info) {
  std::vector<PacketRef> evicted;  // released after the lock is dropped
  std::lock_guard lock(mu_);
  if (info_ != nullptr && info != nullptr && !info_->CompatibleWith(*info)) {
    while (!entries_.empty()) EvictFrontGopLocked(evicted);
    need_keyframe_ = true;
    ++stats_.stream_changes;
  }
  info_ = std::move(info);
}

void PacketRing::EvictFrontGopLocked(std::vector<PacketRef>& evicted) {
  const uint64_t end_seq = keyframes_.size() > 1 ? keyframes_[1] : front_seq_ + entries_.size();
  while (front_seq_ < end_seq) {
    stats_.bytes -= entries_.front()->size();
    evicted.push_back(std::move(entries_.front()));
    entries_.pop_front();
    ++front_seq_;
  }
  keyframes_.pop_front();
  ++stats_.evicted_gops;
}

PushResult PacketRing::Push(PacketRef packet) {
  std::vector<PacketRef> evicted;
  std::lock_guard lock(mu_);
  if (packet->size() > limits_.max_bytes) {
    ++stats_.dropped_oversized;
    need_keyframe_ = true;  // the GOP it belonged to is broken
    return PushResult::kDroppedOversized;
  }
  if (packet->key()) need_keyframe_ = false;
  if (need_keyframe_) {
    ++stats_.dropped_waiting_for_keyframe;
    return PushResult::kDroppedWaitingForKeyframe;
  }
  // Byte bound first: make room, even if that takes the GOP this packet belongs to.
  while (!entries_.empty() && stats_.bytes + packet->size() > limits_.max_bytes) {
    EvictFrontGopLocked(evicted);
  }
  if (entries_.empty() && !packet->key()) {
    need_keyframe_ = true;
    ++stats_.dropped_waiting_for_keyframe;
    return PushResult::kDroppedWaitingForKeyframe;
  }
  if (packet->key()) keyframes_.push_back(front_seq_ + entries_.size());
  stats_.bytes += packet->size();
  entries_.push_back(std::move(packet));
  // Duration bound: drop the oldest GOP while the rest still covers max_duration.
  const MonoTime newest = entries_.back()->capture_time();
  while (keyframes_.size() > 1 &&
         newest - AtLocked(keyframes_[1])->capture_time() >= limits_.max_duration) {
    EvictFrontGopLocked(evicted);
  }
  return PushResult::kStored;
}

Snapshot PacketRing::Take(MonoTime start, MonoTime end) const {
  Snapshot snap;
  snap.asked_start = start;
  snap.asked_end = end;
  std::lock_guard lock(mu_);
  snap.info = info_;
  if (entries_.empty() || end < entries_.front()->capture_time()) {
    snap.start_shortened = snap.end_shortened = true;
    return snap;
  }
  // Last keyframe at or before start; the oldest one if start is older than the ring.
  auto key_it =
      std::upper_bound(keyframes_.begin(), keyframes_.end(), start,
                       [&](MonoTime t, uint64_t seq) { return t < AtLocked(seq)->capture_time(); });
  if (key_it == keyframes_.begin()) {
    snap.start_shortened = true;  // even the oldest keyframe is after start
  } else {
    --key_it;
  }
  const size_t first = *key_it - front_seq_;
  // One past the last packet at or before end.
  auto end_it =
      std::upper_bound(entries_.begin() + static_cast<std::ptrdiff_t>(first), entries_.end(), end,
                       [](MonoTime t, const PacketRef& p) { return t < p->capture_time(); });
  snap.end_shortened = entries_.back()->capture_time() < end;
  snap.packets.assign(entries_.begin() + static_cast<std::ptrdiff_t>(first), end_it);
  return snap;
}

RingStats PacketRing::stats() const {
  std::lock_guard lock(mu_);
  RingStats s = stats_;
  s.packets = static_cast<int64_t>(entries_.size());
  s.gops = static_cast<int64_t>(keyframes_.size());
  s.duration = entries_.empty()
                   ? Nanos(0)
                   : entries_.back()->capture_time() - entries_.front()->capture_time();
  return s;
}

std::shared_ptr<const StreamInfo> PacketRing::stream_info() const {
  std::lock_guard lock(mu_);
  return info_;
}

std::vector<Snapshot> TakeWindow(std::span<const PacketRing* const> rings, MonoTime start,
                                 MonoTime end) {
  std::vector<Snapshot> out;
  out.reserve(rings.size());
  for (const PacketRing* ring : rings) out.push_back(ring->Take(start, end));
  return out;
}

}  // namespace fleetclip

// PacketRing: one camera's recent video in memory, as refcounted packets on the monotonic timeline.
//
// Bounded by duration and bytes at once. It never holds more than `max_bytes` of payload; within
// that it keeps at least the last `max_duration` (up to one GOP more), evicting whole GOPs from the
// front so that what remains always starts on a keyframe. Stream parameters live beside the ring,
// never in it.
//
// Threading: one writer (the camera's capture thread) calls SetStreamInfo() and Push(); any number
// of readers call Take() and stats() concurrently. A reader holds the lock only to copy packet
// references, so capture never waits for a clip being written.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "codec/packet.h"
#include "common/clock.h"

namespace fleetclip {

struct RingLimits {
  Nanos max_duration{std::chrono::seconds(60)};
  int64_t max_bytes = 256LL << 20;
};

// The packets of one camera for a window, ready to mux: from a keyframe, in decode order.
struct Snapshot {
  std::shared_ptr<const StreamInfo> info;  // null when the ring had no stream yet
  std::vector<PacketRef> packets;
  MonoTime asked_start{};
  MonoTime asked_end{};
  bool start_shortened = false;  // the ring's oldest keyframe is after asked_start
  bool end_shortened = false;    // the ring's newest packet is before asked_end

  bool empty() const { return packets.empty(); }
  MonoTime first_time() const { return packets.front()->capture_time(); }
  MonoTime last_time() const { return packets.back()->capture_time(); }
  int64_t bytes() const;
};

struct RingStats {
  int64_t bytes = 0;
  int64_t packets = 0;
  int64_t gops = 0;
  Nanos duration{0};  // newest - oldest capture time
  int64_t evicted_gops = 0;
  int64_t dropped_waiting_for_keyframe = 0;  // non-key packets with no keyframe to hang from
  int64_t dropped_oversized = 0;             // packets larger than the whole byte bound
  int64_t stream_changes = 0;                // incompatible stream info: ring cleared
};

enum class PushResult { kStored, kDroppedWaitingForKeyframe, kDroppedOversized };

class PacketRing {
 public:
  explicit PacketRing(RingLimits limits);
  PacketRing(const PacketRing&) = delete;
  PacketRing& operator=(const PacketRing&) = delete;

  // Writer: sets the stream the next packets belong to. If it cannot share a clip with the packets
  // already held (other codec, size or extradata), the ring is cleared first.
  void SetStreamInfo(std::shared_ptr<const StreamInfo> info);
  // Writer: appends a packet. Capture times must not decrease.
  PushResult Push(PacketRef packet);

  // Reader: packets from the last keyframe at or before `start` (or the oldest keyframe, marking
  // the start shortened) through the last packet at or before `end`.
  Snapshot Take(MonoTime start, MonoTime end) const;
  RingStats stats() const;
  std::shared_ptr<const StreamInfo> stream_info() const;
  const RingLimits& limits() const { return limits_; }

 private:
  void EvictFrontGopLocked(std::vector<PacketRef>& evicted);
  const PacketRef& AtLocked(uint64_t seq) const { return entries_[seq - front_seq_]; }

  const RingLimits limits_;
  mutable std::mutex mu_;
  std::shared_ptr<const StreamInfo> info_;  // guarded by mu_
  std::deque<PacketRef> entries_;           // guarded by mu_; decode order
  std::deque<uint64_t> keyframes_;          // guarded by mu_; seqs of keyframes in entries_
  uint64_t front_seq_ = 0;                  // guarded by mu_; seq of entries_.front()
  bool need_keyframe_ = true;               // guarded by mu_; drop non-key packets until a keyframe
  RingStats stats_;                         // guarded by mu_ (bytes, counters)
};

// Cuts the same window from several cameras' rings, so their clips cover the same time. Each
// snapshot starts at its own camera's keyframe at or before `start`.
std::vector<Snapshot> TakeWindow(std::span<const PacketRing* const> rings, MonoTime start,
                                 MonoTime end);

}  // namespace fleetclip

// The reorder window that merges several producers into one time-ordered stream. Each producer's
// frames arrive in its own order (SignalIngest checks that), but a CAN gateway, the autonomy stack
// and a model send independently: a frame of one may arrive a few milliseconds after a newer frame
// of another. SignalHistory and the rules need one stream in time order, so accepted frames wait
// here until they are `window` older than the newest frame seen (or than the clock, when the
// producers go quiet) and are released oldest first. Frames of different producers with the same
// time become one frame (the values of both; the later arrival wins a signal both carry), which is
// exactly the frame a single producer sending all the signals would have sent. A frame at or
// before the last one released comes too late to be merged and is refused, for the caller to
// count.
// Frames are decoded into the merger's own buffers and handed out from them, and the buffers are
// reused, so merging copies no frame and, after warm-up, allocates nothing.
// Not thread-safe: the signal thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "triggers/decoded_frame.h"

namespace fleetclip::triggers {

class FrameMerger {
 public:
  static constexpr size_t kMaxBuffered = 8192;  // beyond this, the oldest is released early

  explicit FrameMerger(Nanos window) : window_ns_(window.count()) {}

  // A free buffer to decode the next frame into (valid until Add, Release or ReleaseOldest).
  // Frames are decoded in place and handed out in place: nothing is copied on the way through.
  DecodedFrame& Scratch();

  enum class Push { kBuffered, kMerged, kLate };
  // Adds the frame in Scratch(). kLate: refused, it is at or before the last frame released.
  Push Add();

  // The oldest buffered frame when it is due: at least `window` older than the newest frame
  // added, or than `now` when given. nullptr when none is due. Valid until the next call.
  const DecodedFrame* Release(std::optional<MonoTime> now = std::nullopt);
  // The oldest buffered frame whatever its time (the end of a recording, a producer whose clock
  // is not ours); nullptr when empty. Valid until the next call.
  const DecodedFrame* ReleaseOldest();

  // When the oldest buffered frame becomes due by the clock; nullopt when empty.
  std::optional<MonoTime> NextDue() const;
  size_t buffered() const { return order_.size(); }
  Nanos window() const { return Nanos(window_ns_); }

 private:
  static void MergeInto(DecodedFrame& into, const DecodedFrame& from);
  const DecodedFrame* PopFront();
  // Gives the slot handed out last back to the free list.
  void Recycle();

  static constexpr uint32_t kNone = UINT32_MAX;
  const int64_t window_ns_;
  std::vector<DecodedFrame> slots_;
  std::vector<uint32_t> free_;   // indices of unused slots_
  std::vector<uint32_t> order_;  // buffered slots_ by time, oldest first (a few: vector moves)
  uint32_t scratch_ = kNone;     // the slot Scratch() handed out
  uint32_t released_ = kNone;    // the slot Release() handed out
  int64_t newest_ns_ = 0;
  int64_t last_released_ns_ = -1;  // none yet
};

}  // namespace fleetclip::triggers

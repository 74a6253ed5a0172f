// Turns received datagrams into accepted frames: decode, validate, order, merge. Everything a
// producer can get wrong is dropped here, counted by reason and logged (rate-limited) with what was
// wrong:
//   oversized     longer than max_datagram_bytes (or truncated by the socket)
//   malformed     not a SignalFrame, a bad signal or producer name, a value of the wrong kind, a
//                 non-finite number, a text longer than 64 bytes, a signal twice in one frame, a
//                 producer beyond the first kMaxProducers
//   out_of_order  a time earlier than the same producer's last accepted frame's
//   duplicate     the same time and sequence number as the same producer's last accepted frame
//   late          (Offer only) older than the reorder window: at or before a frame of another
//                 producer already handed on
// Ordering, duplicates and sequence gaps are per producer (SignalFrame.producer). Offer then merges
// the producers into one stream in time order through a reorder window (triggers/frame_merger.h),
// so producers skewed by up to the window lose nothing; Accept checks one frame without merging.
// Frames with no time (mono_ns 0) are stamped with the receipt time. Values of signals missing from
// the catalogue are skipped (and counted) without dropping the frame: a producer may be newer.
// Not thread-safe: one signal thread. Decoding reuses buffers; it allocates nothing once warm.
// A datagram with the byte layout of an earlier accepted one (the usual case: a producer sends the
// same signals in the same order) is decoded by that layout (triggers/frame_layout.h); any other
// datagram, and every malformed one, by the full wire walk (triggers/wire_decoder.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "triggers/decoded_frame.h"
#include "triggers/frame_layout.h"
#include "triggers/frame_merger.h"
#include "triggers/rate_limited_log.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::triggers {

struct IngestStats {
  uint64_t received = 0;
  uint64_t accepted = 0;
  uint64_t stamped = 0;
  uint64_t oversized = 0;
  uint64_t malformed = 0;
  uint64_t out_of_order = 0;
  uint64_t duplicate = 0;
  uint64_t unknown_values = 0;  // values skipped because the signal is not in the catalogue
  uint64_t seq_gaps = 0;        // frames the producer numbered but we never saw
  uint64_t late = 0;            // older than the reorder window (Offer only)
};

// One producer's share, for status: its drops by reason and how recent its last frame is.
struct ProducerStats {
  std::string name;  // SignalFrame.producer; "" for the unnamed producer
  uint64_t accepted = 0;
  uint64_t duplicate = 0;
  uint64_t out_of_order = 0;
  uint64_t late = 0;
  uint64_t seq_gaps = 0;
  int64_t last_mono_ns = 0;  // time of its newest accepted frame (our CLOCK_MONOTONIC)
};

// Decodes one datagram into `out` without ordering checks. The error names what was wrong.
// Exposed separately for the fuzz harness and the replay tool.
class DatagramDecoder {
 public:
  static constexpr size_t kMaxTextBytes = 64;
  explicit DatagramDecoder(const SignalCatalog& catalog);
  Status Decode(std::string_view bytes, DecodedFrame& out);
  uint64_t unknown_values() const { return unknown_values_; }

 private:
  // At most this many layouts are kept (a producer may alternate between a few frame shapes).
  static constexpr size_t kMaxLayouts = 4;

  // The full walk of the wire format; the only path that reports errors.
  Status DecodeFull(std::string_view bytes, DecodedFrame& out);
  Result<SignalId> Resolve(size_t position, std::string_view name);

  const SignalCatalog& catalog_;
  // Producers send the same names in the same order frame after frame: remember the id found at
  // each position and compare names before doing a hash lookup.
  std::vector<std::pair<std::string, int32_t>> position_cache_;  // -1: unknown signal
  std::vector<uint32_t> seen_;  // per signal: generation it was last seen in
  uint32_t generation_ = 0;
  uint64_t unknown_values_ = 0;
  // Layouts learned from accepted datagrams (triggers/frame_layout.h), tried before the full walk,
  // the one that matched last first.
  std::vector<FrameLayout> layouts_;
  size_t last_layout_ = 0;
  size_t next_victim_ = 0;
  // Accepted datagrams in a row that no layout matched; a layout is learned at 1, 2, 4, 8... so a
  // producer whose frames never repeat a layout costs few attempts.
  uint64_t unmatched_ = 0;
};

class SignalIngest {
 public:
  static constexpr size_t kMaxProducers = 32;
  static constexpr Nanos kDefaultReorderWindow = std::chrono::milliseconds(50);

  // `catalog`, `clock` and the logger's sink must outlive this.
  SignalIngest(const SignalCatalog& catalog, const Clock& clock, Logger log,
               size_t max_datagram_bytes = 8192, Nanos reorder_window = kDefaultReorderWindow);

  // One frame checked on its own, without the reorder window: returns true and fills `out` when
  // the datagram is accepted. `truncated` says the socket cut it.
  bool Accept(std::string_view datagram, bool truncated, DecodedFrame& out);

  // The merged path: each datagram (or frame decoded elsewhere, e.g. from CAN: `frame` is taken
  // and comes back holding a spare buffer) is checked as by Accept and enters the reorder window;
  // Next then hands out, oldest first, the frames that are due (`now`: also those a window older
  // than the clock, for when every producer has gone quiet), nullptr when none is. Drain hands
  // out every frame still waiting, whatever its time (the end of a recording, a producer whose
  // clock is not ours). A frame handed out is valid until the next call on this object.
  void Offer(std::string_view datagram, bool truncated);
  void OfferDecoded(DecodedFrame& frame);
  const DecodedFrame* Next(std::optional<MonoTime> now = std::nullopt);
  const DecodedFrame* Drain();
  // When the oldest waiting frame is due by the clock; nullopt when none waits.
  std::optional<MonoTime> NextDue() const { return merger_.NextDue(); }
  Nanos reorder_window() const { return merger_.window(); }

  IngestStats stats() const;
  // In order of first appearance; at most kMaxProducers.
  const std::vector<ProducerStats>& producers() const { return producers_; }
  size_t max_datagram_bytes() const { return max_bytes_; }

 private:
  struct ProducerOrder {
    int64_t last_mono_ns = 0;
    uint64_t last_seq = 0;
    bool have_last = false;
  };
  void Drop(uint64_t& counter, std::string_view reason, std::string_view detail);
  // The per-producer checks on a decoded frame; true when accepted.
  bool CheckOrder(DecodedFrame& frame);
  // The producer's index, registering a new one; nullopt when kMaxProducers are known.
  std::optional<size_t> ProducerIndex(const std::string& name);
  // Adds the frame just accepted into the merger's scratch buffer.
  void Merge(const DecodedFrame& frame);

  const Clock& clock_;
  DatagramDecoder decoder_;
  RateLimitedLog drops_log_;
  const size_t max_bytes_;
  IngestStats stats_;
  std::vector<ProducerStats> producers_;
  std::vector<ProducerOrder> orders_;  // per producer, beside producers_
  size_t last_producer_ = 0;           // the index found last: producers mostly repeat
  FrameMerger merger_;
};

}  // namespace fleetclip::triggers

// Decodes CAN frames into physical signal values by a DBC. Construction compiles one decode plan
// per message (byte offset, shift and mask of every signal, the order in which multiplexer
// switches come before the signals they select, the range bounds), so Decode() is a table lookup
// and a few shifts per signal and allocates nothing. Raw values are turned into physical ones as
// raw * factor + offset (IEEE float signals: the bits as float or double, then factor and offset).
// A value outside the DBC's [min|max] (when the DBC gives one) is counted and skipped; so are
// signals whose bytes a frame shorter than the DBC's size does not carry.
// Messages with checks (can/message_check.h) are checked before their signals are used: a frame
// whose checksum is wrong is counted and dropped (no signals), a counter that is not the previous
// value + 1 (mod 2^length) is counted and the frame kept. The first frame, and the first after
// more than kCounterGap without one of that message, sets the counter's baseline. kUnhealthyAfter
// checked frames in a row failing (either check) mark the bus unhealthy until kHealthyAfter pass
// in a row.
// Not thread-safe: one decoder per source thread (they may share the Dbc).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "can/dbc.h"
#include "can/frame.h"
#include "can/message_check.h"

namespace fleetclip::can {

struct DecodedSignal {
  uint32_t signal = 0;                 // index into the message's DbcMessage::signals
  double value = 0;                    // physical value
  const std::string* label = nullptr;  // the VAL_ description of the raw value, if any
};

struct MessageStats {
  uint64_t frames = 0;         // frames with this message's id
  uint64_t short_frames = 0;   // frames shorter than the DBC size (signals beyond them skipped)
  uint64_t out_of_range = 0;   // values outside [min|max], skipped
  uint64_t counter_skips = 0;  // counter not the previous + 1 (a repeat included); frame kept
  uint64_t bad_checksums = 0;  // checksum wrong: frame dropped
};

struct DecodeResult {
  int32_t message = -1;  // index into Dbc::messages; -1: the DBC has no message with that id
  std::span<const DecodedSignal> signals;  // valid until the next Decode
  bool bad_checksum = false;               // dropped: `signals` is empty
  bool counter_skip = false;               // counted; the signals are kept
};

class Decoder {
 public:
  // A run of this many checked frames failing in a row marks the bus unhealthy: one corrupted
  // frame or one lost now and then is normal on a busy bus (error frames, a node's reset), five
  // in a row (50 ms of a 10 ms message) is a sender or gateway that is broken.
  static constexpr uint32_t kUnhealthyAfter = 5;
  // And this many passing in a row make it healthy again: a fifth of a second of a 10 ms message,
  // long enough that a flapping sender does not toggle status on every other frame.
  static constexpr uint32_t kHealthyAfter = 20;
  // Longer than this without a frame of a message (a sender asleep, a log restarted): its next
  // counter value is a new baseline, not a skip.
  static constexpr int64_t kCounterGapNs = 1'000'000'000;

  // `checks` index into `dbc` (ResolveChecks); at most one per message.
  explicit Decoder(std::shared_ptr<const Dbc> dbc, std::span<const MessageCheck> checks = {});

  DecodeResult Decode(const CanFrame& frame);

  const Dbc& dbc() const { return *dbc_; }
  const std::shared_ptr<const Dbc>& shared_dbc() const { return dbc_; }
  const MessageStats& stats(uint32_t message) const { return stats_[message]; }
  uint64_t unknown_ids() const { return unknown_ids_; }
  uint64_t out_of_range() const { return out_of_range_; }    // all messages
  uint64_t counter_skips() const { return counter_skips_; }  // all messages
  uint64_t bad_checksums() const { return bad_checksums_; }  // all messages
  bool checked(uint32_t message) const { return checks_[message].enabled(); }
  bool healthy() const { return healthy_; }

 private:
  // One signal's decode steps, 64 bytes; a message's plans are contiguous in plans_.
  struct SignalPlan {
    uint64_t mask = 0;  // the signal's bits after the shift
    uint64_t sign = 0;  // the sign bit after the shift for signed integers, else 0
    double factor = 1;
    double offset = 0;
    double lo = 0;  // range bounds with slack; only read when check_range
    double hi = 0;
    const std::vector<ValueLabel>* labels = nullptr;
    uint32_t ranges_begin = 0;
    uint16_t ranges_count = 0;
    int16_t switch_slot = -1;  // position in the message's plan of the switch, -1: always present
    uint16_t signal = 0;       // index in the message
    uint8_t base = 0;          // first byte of the 8-byte load in the padded buffer
    uint8_t extra = 0;         // the ninth byte when the signal spans 9 bytes
    uint8_t shift = 0;
    uint8_t need_bytes = 0;  // payload bytes the frame must carry
    bool motorola = false;
    bool spans_nine = false;
    bool check_range = false;
    ValueType type = ValueType::kInteger;
  };
  struct MessageSpan {
    uint32_t begin = 0;  // into plans_; switches come before the signals they select
    uint32_t count = 0;
  };
  // A message's checks and the counter's state.
  struct CheckPlan {
    int32_t counter_slot = -1;   // position in the message's plan; -1: no counter
    int32_t checksum_byte = -1;  // payload byte; -1: no checksum
    uint64_t counter_mask = 0;
    ChecksumAlgorithm algorithm = ChecksumAlgorithm::kXor;
    uint32_t data_id = 0;
    bool have_counter = false;  // last_counter is a baseline
    uint64_t last_counter = 0;
    int64_t last_ns = 0;
    bool enabled() const { return counter_slot >= 0 || checksum_byte >= 0; }
  };
  static constexpr size_t kPad = 8;

  int32_t Find(const CanFrame& frame) const;
  // Counts one checked frame as passing or failing for the bus's health.
  void NoteChecked(bool passed);

  std::shared_ptr<const Dbc> dbc_;
  std::vector<SignalPlan> plans_;
  std::vector<MessageSpan> messages_;  // per message
  std::vector<MuxRange> ranges_;
  std::vector<int32_t> standard_;                       // id (0..2047) -> message, -1
  std::vector<std::pair<uint32_t, int32_t>> extended_;  // sorted by id
  std::vector<MessageStats> stats_;
  uint64_t unknown_ids_ = 0;
  uint64_t out_of_range_ = 0;
  uint64_t counter_skips_ = 0;
  uint64_t bad_checksums_ = 0;
  std::vector<CheckPlan> checks_;  // per message
  uint32_t failed_run_ = 0;        // checked frames failing in a row
  uint32_t passed_run_ = 0;        // passing in a row
  bool healthy_ = true;
  // Per-frame scratch, sized once for the largest message.
  uint8_t buf_[kPad + kMaxFdBytes + kPad] = {};
  std::vector<uint64_t> raw_;
  std::vector<uint8_t> active_;
  std::vector<DecodedSignal> out_;
};

}  // namespace fleetclip::can

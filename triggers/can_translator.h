// CAN frames into signal frames: decodes a frame by the interface's DBC (can/decoder.h) and keeps
// the mapped signals (can/signal_map.h) as catalogue values: numbers times their scale, flags as
// 0/1 (any non-zero raw value is set), text signals as the value table's label (or the number as
// text when the table has none for it). One CAN frame becomes one DecodedFrame at the frame's
// time; frames of one bus arrive in time order, so a frame earlier than the last one is dropped
// and counted, and one at the same time is moved 1 ns later (the history needs strictly
// increasing times). Not thread-safe: one per source thread. No allocation per frame once warm.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "can/decoder.h"
#include "can/signal_map.h"
#include "common/result.h"
#include "triggers/decoded_frame.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::triggers {

struct CanTranslateStats {
  uint64_t frames = 0;         // frames read
  uint64_t translated = 0;     // frames that carried at least one mapped value
  uint64_t unknown_ids = 0;    // frames of no DBC message
  uint64_t out_of_order = 0;   // earlier than the previous frame: dropped
  uint64_t out_of_range = 0;   // DBC values outside [min|max], skipped (per message: decoder())
  uint64_t counter_skips = 0;  // counters not the previous + 1; frames kept (per message too)
  uint64_t bad_checksums = 0;  // frames with a wrong checksum: dropped (per message too)
  bool healthy = true;         // can::Decoder::healthy()
};

class CanTranslator {
 public:
  // Resolves every map entry against the DBC and the catalogue. Errors name the entry (its file
  // line or config field): a DBC signal that does not exist or is ambiguous, a catalogue name that
  // does not exist (with the closest one), a scale on a flag or text, a name mapped twice.
  // `catalog` must outlive the translator. `checks` (can::ResolveChecks over the same DBC) are
  // the messages' counter and checksum checks: a frame with a bad checksum translates to nothing.
  static Result<CanTranslator> Create(std::shared_ptr<const can::Dbc> dbc,
                                      std::span<const can::SignalMapEntry> map,
                                      const SignalCatalog& catalog,
                                      std::span<const can::MessageCheck> checks = {});

  // Decodes `frame` into `out` (cleared first). False when nothing mapped came out of it.
  bool Translate(const can::CanFrame& frame, DecodedFrame& out);
  // What the last Translate decoded: its message (-1: none, or dropped as out of order) and
  // whether a check failed.
  const can::DecodeResult& last() const { return last_; }

  const can::Decoder& decoder() const { return decoder_; }
  CanTranslateStats stats() const;

 private:
  struct Target {
    SignalId id = 0;
    SignalKind kind = SignalKind::kNumber;
    double scale = 1;
  };
  CanTranslator(std::shared_ptr<const can::Dbc> dbc, const SignalCatalog& catalog,
                std::span<const can::MessageCheck> checks)
      : decoder_(std::move(dbc), checks), catalog_(&catalog) {}

  can::Decoder decoder_;
  const SignalCatalog* catalog_;
  std::vector<uint32_t> first_target_;  // per message: index into targets_ of its signal 0
  std::vector<int32_t> targets_of_;     // per (message, signal): index into targets_, -1 unmapped
  std::vector<Target> targets_;
  CanTranslateStats stats_;
  can::DecodeResult last_;
  int64_t last_frame_ns_ = 0;  // the newest frame's own time
  int64_t last_mono_ns_ = 0;   // the newest translated frame's time (maybe moved 1 ns later)
};

}  // namespace fleetclip::triggers

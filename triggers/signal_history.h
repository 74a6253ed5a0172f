// The recent signal window: what the rules read each frame and what a clip's signal log is cut
// from. Each frame becomes one row with a column per catalogue signal holding the latest value of
// that signal (values are held until a frame carries a new one; NaN before the first), plus a
// bitmap of the columns the frame actually carried, so the log can be rebuilt as the producer sent
// it, and the frame's producer. Text values and producer names are interned; a text column holds
// the index.
//
// Rows live in one growable ring bounded by time (retention) and by count (max_rows). Appending is
// a copy of the previous row plus the frame's values: no allocation once the ring has grown.
// Not thread-safe: one writer (the signal thread) that also answers window queries.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "proto/signal_frame.pb.h"
#include "triggers/decoded_frame.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::triggers {

class SignalHistory {
 public:
  static constexpr size_t kDefaultMaxRows = 1 << 20;
  static constexpr size_t kMaxDistinctTexts = 4096;
  // Ingest admits at most 32 producers (SignalIngest::kMaxProducers); past this many, names are
  // kept as "(too many producers)".
  static constexpr size_t kMaxProducers = 256;

  // `catalog` must outlive the history.
  SignalHistory(const SignalCatalog& catalog, Nanos retention, size_t max_rows = kDefaultMaxRows);

  // Appends a frame. Its time must be later than the newest row's (ingest guarantees it).
  void Append(const DecodedFrame& frame);

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  size_t width() const { return width_; }
  Nanos retention() const { return retention_; }
  void set_retention(Nanos retention) { retention_ = retention; }

  // The newest row; valid until the next Append. Requires !empty().
  const double* LatestRow() const { return RowAt(size_ - 1); }
  // The newest row's presence bitmap (bit id % 64 of word id / 64: the frame carried column id).
  const uint64_t* LatestCarried() const { return PresentAt(size_ - 1); }
  MonoTime LatestTime() const { return MonoFromNanos(times_[Slot(size_ - 1)]); }
  MonoTime OldestTime() const { return MonoFromNanos(times_[Slot(0)]); }
  // The newest value of a text signal, "" when none has arrived.
  std::string_view LatestText(SignalId id) const;

  // The frames with time in [start, end], each with the values it carried, for a clip's signal log.
  std::vector<proto::SignalFrame> Window(MonoTime start, MonoTime end) const;

  // Rows dropped by max_rows before their retention ran out (a producer far faster than expected).
  uint64_t evicted_early() const { return evicted_early_; }

 private:
  size_t Slot(size_t i) const { return (head_ + i) & mask_; }
  const double* RowAt(size_t i) const { return &values_[Slot(i) * width_]; }
  const uint64_t* PresentAt(size_t i) const { return &present_[Slot(i) * words_]; }
  void Grow();
  void PopFront();
  double Intern(const std::string& text);
  uint16_t InternProducer(const std::string& name);

  const SignalCatalog& catalog_;
  const size_t width_;
  const size_t words_;  // 64-bit presence words per row
  Nanos retention_;
  const size_t max_rows_;
  // Ring storage, capacity_ rows; left uninitialised when allocated, a slot is written by Append
  // before any read.
  std::unique_ptr<double[]> values_;     // capacity_ * width_
  std::unique_ptr<uint64_t[]> present_;  // capacity_ * words_
  std::unique_ptr<int64_t[]> times_;
  std::unique_ptr<uint64_t[]> seqs_;
  std::unique_ptr<uint16_t[]> producers_;  // index into producer_names_
  size_t capacity_ = 0;
  size_t head_ = 0;
  size_t size_ = 0;
  size_t mask_ = 0;             // capacity - 1; capacity is a power of two
  std::vector<double> latest_;  // held values, the row the next Append starts from
  std::vector<std::string> texts_;
  std::unordered_map<std::string, double> text_index_;
  std::vector<std::string> producer_names_;  // first seen first; "" for unnamed producers
  uint16_t last_producer_ = 0;               // the previous frame's, checked first
  uint64_t evicted_early_ = 0;
};

}  // namespace fleetclip::triggers

// Ring storage, held values and window export for triggers/signal_history.h.
#include "triggers/signal_history.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fleetclip::triggers {
namespace {

constexpr char kTooManyTexts[] = "(too many distinct values)";
constexpr char kTooManyProducers[] = "(too many producers)";

}  // namespace

SignalHistory::SignalHistory(const SignalCatalog& catalog, Nanos retention, size_t max_rows)
    : catalog_(catalog),
      width_(std::max<size_t>(1, catalog.size())),
      words_((width_ + 63) / 64),
      retention_(retention),
      max_rows_(std::max<size_t>(2, max_rows)),
      latest_(width_, std::numeric_limits<double>::quiet_NaN()) {}

void SignalHistory::Grow() {
  const size_t capacity = capacity_ == 0 ? 256 : capacity_ * 2;
  auto values = std::make_unique_for_overwrite<double[]>(capacity * width_);
  auto present = std::make_unique_for_overwrite<uint64_t[]>(capacity * words_);
  auto times = std::make_unique_for_overwrite<int64_t[]>(capacity);
  auto seqs = std::make_unique_for_overwrite<uint64_t[]>(capacity);
  auto producers = std::make_unique_for_overwrite<uint16_t[]>(capacity);
  for (size_t i = 0; i < size_; ++i) {
    const size_t from = Slot(i);
    std::copy_n(&values_[from * width_], width_, &values[i * width_]);
    std::copy_n(&present_[from * words_], words_, &present[i * words_]);
    times[i] = times_[from];
    seqs[i] = seqs_[from];
    producers[i] = producers_[from];
  }
  values_ = std::move(values);
  present_ = std::move(present);
  times_ = std::move(times);
  seqs_ = std::move(seqs);
  producers_ = std::move(producers);
  capacity_ = capacity;
  head_ = 0;
  mask_ = capacity - 1;
}

void SignalHistory::PopFront() {
  head_ = (head_ + 1) & mask_;
  --size_;
}

double SignalHistory::Intern(const std::string& text) {
  if (auto it = text_index_.find(text); it != text_index_.end()) return it->second;
  if (texts_.size() + 1 >= kMaxDistinctTexts && text != kTooManyTexts) {
    return Intern(kTooManyTexts);
  }
  const auto index = static_cast<double>(texts_.size());
  texts_.push_back(text);
  text_index_.emplace(text, index);
  return index;
}

uint16_t SignalHistory::InternProducer(const std::string& name) {
  // Frames of one producer come in runs: the previous frame's name first, no hashing.
  if (last_producer_ < producer_names_.size() && producer_names_[last_producer_] == name) {
    return last_producer_;
  }
  for (size_t i = 0; i < producer_names_.size(); ++i) {
    if (producer_names_[i] == name) return last_producer_ = static_cast<uint16_t>(i);
  }
  if (producer_names_.size() + 1 >= kMaxProducers && name != kTooManyProducers) {
    return InternProducer(kTooManyProducers);
  }
  producer_names_.push_back(name);
  return last_producer_ = static_cast<uint16_t>(producer_names_.size() - 1);
}

void SignalHistory::Append(const DecodedFrame& frame) {
  const int64_t horizon = frame.mono_ns - retention_.count();
  while (size_ > 0 && times_[Slot(0)] < horizon) PopFront();
  if (size_ >= max_rows_) {
    PopFront();
    ++evicted_early_;
  } else if (size_ == capacity_) {
    Grow();
  }
  const size_t slot = Slot(size_);
  ++size_;
  uint64_t* present = &present_[slot * words_];
  double* const latest = latest_.data();
  if (words_ == 1) {
    // A catalogue of up to 64 signals (the usual case): the presence word stays in a register
    // rather than being read and written back through memory the stores to `latest` may alias.
    uint64_t bits = 0;
    for (const auto& [id, value] : frame.numbers) {
      latest[id] = value;
      bits |= uint64_t{1} << id;
    }
    present[0] = bits;
  } else {
    std::fill_n(present, words_, 0);
    for (const auto& [id, value] : frame.numbers) {
      latest[id] = value;
      present[id / 64] |= uint64_t{1} << (id % 64);
    }
  }
  for (size_t i = 0; i < frame.text_count; ++i) {
    const auto& [id, text] = frame.texts[i];
    // Texts rarely change from frame to frame: compare with the held one before hashing.
    const double held = latest[id];
    if (std::isnan(held) || texts_[static_cast<size_t>(held)] != text) latest[id] = Intern(text);
    present[id / 64] |= uint64_t{1} << (id % 64);
  }
  std::copy_n(latest_.data(), width_, &values_[slot * width_]);
  times_[slot] = frame.mono_ns;
  seqs_[slot] = frame.seq;
  producers_[slot] = InternProducer(frame.producer);
}

std::string_view SignalHistory::LatestText(SignalId id) const {
  const double index = latest_[id];
  if (std::isnan(index)) return {};
  return texts_[static_cast<size_t>(index)];
}

std::vector<proto::SignalFrame> SignalHistory::Window(MonoTime start, MonoTime end) const {
  std::vector<proto::SignalFrame> frames;
  // Times are increasing: binary search for the first row at or after start.
  size_t lo = 0, hi = size_;
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (times_[Slot(mid)] < ToNanos(start)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  for (size_t i = lo; i < size_ && times_[Slot(i)] <= ToNanos(end); ++i) {
    proto::SignalFrame& f = frames.emplace_back();
    f.set_mono_ns(times_[Slot(i)]);
    f.set_seq(seqs_[Slot(i)]);
    if (const std::string& p = producer_names_[producers_[Slot(i)]]; !p.empty()) {
      f.set_producer(p);
    }
    const double* row = RowAt(i);
    const uint64_t* present = PresentAt(i);
    for (size_t col = 0; col < catalog_.size(); ++col) {
      if ((present[col / 64] >> (col % 64) & 1) == 0) continue;
      const SignalInfo& info = catalog_.Info(static_cast<SignalId>(col));
      proto::SignalValue* v = f.add_values();
      v->set_name(info.name);
      switch (info.kind) {
        case SignalKind::kNumber:
          v->set_number(row[col]);
          break;
        case SignalKind::kFlag:
          v->set_flag(row[col] != 0);
          break;
        case SignalKind::kText:
          v->set_text(texts_[static_cast<size_t>(row[col])]);
          break;
      }
    }
  }
  return frames;
}

}  // namespace fleetclip::triggers

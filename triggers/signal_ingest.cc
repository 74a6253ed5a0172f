// Datagram decoding, validation and ordering for triggers/signal_ingest.h.
#include "triggers/signal_ingest.h"

#include <cmath>

#include "triggers/wire_decoder.h"

namespace fleetclip::triggers {
namespace {

Error Malformed(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Shown(std::string_view name) {
  // Names are logged; keep hostile ones short and printable.
  std::string out;
  for (char c : name.substr(0, 64)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte >= 0x20 && byte < 0x7f && c != '"' ? c : '?';
  }
  return "\"" + out + (name.size() > 64 ? "...\"" : "\"");
}

}  // namespace

DatagramDecoder::DatagramDecoder(const SignalCatalog& catalog)
    : catalog_(catalog), seen_(catalog.size(), 0) {}

Result<SignalId> DatagramDecoder::Resolve(size_t position, std::string_view name) {
  if (position < position_cache_.size() && position_cache_[position].first == name) {
    const int32_t id = position_cache_[position].second;
    if (id < 0) return Error(ErrorCode::kNotFound, "unknown");
    return static_cast<SignalId>(id);
  }
  if (!IsValidSignalName(name)) {
    return Malformed("value " + std::to_string(position) + ": name " + Shown(name) +
                     " is not [a-z0-9_.]{1,64}");
  }
  const std::optional<SignalId> id = catalog_.Find(name);
  if (position >= position_cache_.size()) position_cache_.resize(position + 1);
  position_cache_[position].first.assign(name);
  position_cache_[position].second = id ? static_cast<int32_t>(*id) : -1;
  if (!id) return Error(ErrorCode::kNotFound, "unknown");
  return *id;
}

Status DatagramDecoder::Decode(std::string_view bytes, DecodedFrame& out) {
  for (size_t k = 0; k < layouts_.size(); ++k) {
    const size_t i = (last_layout_ + k) % layouts_.size();
    if (layouts_[i].Decode(bytes, out, unknown_values_)) {
      last_layout_ = i;
      unmatched_ = 0;
      return Ok();
    }
  }
  Status status = DecodeFull(bytes, out);
  if (!status.ok()) return status;
  ++unmatched_;
  if ((unmatched_ & (unmatched_ - 1)) == 0) {
    if (std::optional<FrameLayout> layout = FrameLayout::Learn(bytes, catalog_, kMaxTextBytes)) {
      if (layouts_.size() < kMaxLayouts) {
        last_layout_ = layouts_.size();
        layouts_.push_back(std::move(*layout));
      } else {
        last_layout_ = next_victim_;
        layouts_[next_victim_] = std::move(*layout);
        next_victim_ = (next_victim_ + 1) % kMaxLayouts;
      }
    }
  }
  return status;
}

Status DatagramDecoder::DecodeFull(std::string_view bytes, DecodedFrame& out) {
  out.Clear();
  if (++generation_ == 0) {  // wrapped: forget every stamp
    std::fill(seen_.begin(), seen_.end(), 0);
    generation_ = 1;
  }
  WireFrameReader reader(bytes);
  WireValue v;
  for (size_t i = 0; reader.Next(v); ++i) {
    Result<SignalId> id = Resolve(i, v.name);
    if (!id.ok()) {
      if (id.error().code() != ErrorCode::kNotFound) return id.error();
      ++unknown_values_;
      continue;
    }
    if (seen_[*id] == generation_) {
      return Malformed("signal " + Shown(v.name) + " appears twice in one frame");
    }
    seen_[*id] = generation_;
    const SignalKind kind = catalog_.Info(*id).kind;
    const bool matches = (kind == SignalKind::kNumber && v.kind == WireValue::Kind::kNumber) ||
                         (kind == SignalKind::kFlag && v.kind == WireValue::Kind::kFlag) ||
                         (kind == SignalKind::kText && v.kind == WireValue::Kind::kText);
    if (!matches) {
      const char* got_name = v.kind == WireValue::Kind::kNumber ? "a number"
                             : v.kind == WireValue::Kind::kFlag ? "a flag"
                             : v.kind == WireValue::Kind::kText ? "a text"
                                                                : "no value";
      return Malformed("signal " + Shown(v.name) + " is a " + std::string(SignalKindName(kind)) +
                       " but the frame carries " + got_name);
    }
    switch (kind) {
      case SignalKind::kNumber:
        if (!std::isfinite(v.number)) {
          return Malformed("signal " + Shown(v.name) + " is not a finite number");
        }
        out.numbers.emplace_back(*id, v.number);
        break;
      case SignalKind::kFlag:
        out.numbers.emplace_back(*id, v.flag ? 1.0 : 0.0);
        break;
      case SignalKind::kText:
        if (v.text.size() > kMaxTextBytes) {
          return Malformed("signal " + Shown(v.name) + " text is " + std::to_string(v.text.size()) +
                           " bytes; at most " + std::to_string(kMaxTextBytes));
        }
        if (out.text_count == out.texts.size()) out.texts.emplace_back();
        out.texts[out.text_count].first = *id;
        out.texts[out.text_count].second.assign(v.text);
        ++out.text_count;
        break;
    }
  }
  if (reader.error() != nullptr) {
    return Malformed(std::string("not a SignalFrame: ") + reader.error() + " in " +
                     std::to_string(bytes.size()) + " bytes");
  }
  if (reader.mono_ns() < 0) {
    return Malformed("mono_ns " + std::to_string(reader.mono_ns()) + " is negative");
  }
  if (!reader.producer().empty() && !IsValidSignalName(reader.producer())) {
    return Malformed("producer " + Shown(reader.producer()) + " is not [a-z0-9_.]{1,64}");
  }
  out.mono_ns = reader.mono_ns();
  out.seq = reader.seq();
  out.producer.assign(reader.producer());
  return Ok();
}

SignalIngest::SignalIngest(const SignalCatalog& catalog, const Clock& clock, Logger log,
                           size_t max_datagram_bytes, Nanos reorder_window)
    : clock_(clock),
      decoder_(catalog),
      drops_log_(clock, std::move(log)),
      max_bytes_(max_datagram_bytes),
      merger_(reorder_window) {}

void SignalIngest::Drop(uint64_t& counter, std::string_view reason, std::string_view detail) {
  ++counter;
  drops_log_.Warn("signal_dropped", reason, detail);
}

std::optional<size_t> SignalIngest::ProducerIndex(const std::string& name) {
  if (last_producer_ < producers_.size() && producers_[last_producer_].name == name) {
    return last_producer_;
  }
  for (size_t i = 0; i < producers_.size(); ++i) {
    if (producers_[i].name == name) return last_producer_ = i;
  }
  if (producers_.size() == kMaxProducers) return std::nullopt;
  producers_.push_back(ProducerStats{.name = name});
  orders_.emplace_back();
  return last_producer_ = producers_.size() - 1;
}

bool SignalIngest::Accept(std::string_view datagram, bool truncated, DecodedFrame& out) {
  ++stats_.received;
  if (truncated || datagram.size() > max_bytes_) {
    Drop(stats_.oversized, "oversized",
         "datagram " + std::string(truncated ? "truncated by the socket at " : "of ") +
             std::to_string(datagram.size()) + " bytes; at most " + std::to_string(max_bytes_));
    return false;
  }
  if (Status s = decoder_.Decode(datagram, out); !s.ok()) {
    Drop(stats_.malformed, "malformed", s.error().message());
    return false;
  }
  return CheckOrder(out);
}

bool SignalIngest::CheckOrder(DecodedFrame& out) {
  const std::optional<size_t> index = ProducerIndex(out.producer);
  if (!index) {
    Drop(stats_.malformed, "malformed",
         "producer " + Shown(out.producer) + " is one more than the " +
             std::to_string(kMaxProducers) + " producers this daemon tracks");
    return false;
  }
  ProducerStats& producer = producers_[*index];
  ProducerOrder& order = orders_[*index];
  if (out.mono_ns == 0) {
    out.mono_ns = ToNanos(clock_.Now());
    out.stamped = true;
  }
  if (order.have_last) {
    if (out.mono_ns == order.last_mono_ns && out.seq == order.last_seq) {
      ++producer.duplicate;
      Drop(stats_.duplicate, "duplicate",
           "producer " + Shown(out.producer) + " frame seq " + std::to_string(out.seq) +
               " at mono_ns " + std::to_string(out.mono_ns) + " repeats the previous one");
      return false;
    }
    if (out.mono_ns <= order.last_mono_ns) {
      ++producer.out_of_order;
      Drop(stats_.out_of_order, "out_of_order",
           "producer " + Shown(out.producer) + " frame seq " + std::to_string(out.seq) +
               " at mono_ns " + std::to_string(out.mono_ns) + " is not after its last accepted " +
               std::to_string(order.last_mono_ns));
      return false;
    }
    if (out.seq > order.last_seq + 1 && order.last_seq != 0) {
      const uint64_t gap = out.seq - order.last_seq - 1;
      stats_.seq_gaps += gap;
      producer.seq_gaps += gap;
    }
  }
  if (out.stamped) ++stats_.stamped;
  order.have_last = true;
  order.last_mono_ns = out.mono_ns;
  order.last_seq = out.seq;
  producer.last_mono_ns = out.mono_ns;
  ++producer.accepted;
  ++stats_.accepted;
  return true;
}

void SignalIngest::Merge(const DecodedFrame& frame) {
  // CheckOrder has just accepted the frame and left its producer's index in last_producer_.
  ProducerStats& producer = producers_[last_producer_];
  if (merger_.Add() != FrameMerger::Push::kLate) return;
  // Accepted by its producer's order, but too late for the merged stream; `frame` is unchanged.
  --stats_.accepted;
  --producer.accepted;
  ++producer.late;
  Drop(stats_.late, "late",
       "producer " + Shown(frame.producer) + " frame at mono_ns " + std::to_string(frame.mono_ns) +
           " arrived after newer frames were handed on (reorder window " +
           std::to_string(ToMillis(merger_.window())) + " ms)");
}

void SignalIngest::Offer(std::string_view datagram, bool truncated) {
  DecodedFrame& frame = merger_.Scratch();
  if (Accept(datagram, truncated, frame)) Merge(frame);
}

void SignalIngest::OfferDecoded(DecodedFrame& frame) {
  ++stats_.received;
  DecodedFrame& slot = merger_.Scratch();
  std::swap(slot, frame);
  if (CheckOrder(slot)) Merge(slot);
}

const DecodedFrame* SignalIngest::Next(std::optional<MonoTime> now) { return merger_.Release(now); }

const DecodedFrame* SignalIngest::Drain() { return merger_.ReleaseOldest(); }

IngestStats SignalIngest::stats() const {
  IngestStats s = stats_;
  s.unknown_values = decoder_.unknown_values();
  return s;
}

}  // namespace fleetclip::triggers

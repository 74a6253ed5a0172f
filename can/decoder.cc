// Decode plans and the per-frame decode loop (can/decoder.h).
#include "can/decoder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

#include "can/bit_layout.h"
#include "can/checksum.h"

namespace fleetclip::can {
namespace {

static_assert(std::endian::native == std::endian::little ||
              std::endian::native == std::endian::big);

uint64_t FromLittleEndian(uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) return __builtin_bswap64(v);
  return v;
}

uint64_t FromBigEndian(uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
  return v;
}

// How far a value may sit outside [min|max] and still count as inside: the DBC's bounds are
// decimal text, the computed value raw * factor + offset carries rounding error.
double Slack(double bound) { return 1e-9 * std::max(1.0, std::fabs(bound)); }

}  // namespace

Decoder::Decoder(std::shared_ptr<const Dbc> dbc, std::span<const MessageCheck> checks)
    : dbc_(std::move(dbc)), standard_(kMaxStandardId + 1, -1) {
  size_t widest = 0;
  messages_.resize(dbc_->messages.size());
  stats_.resize(dbc_->messages.size());
  for (size_t mi = 0; mi < dbc_->messages.size(); ++mi) {
    const DbcMessage& m = dbc_->messages[mi];
    if (m.extended) {
      extended_.emplace_back(m.id, static_cast<int32_t>(mi));
    } else {
      standard_[m.id] = static_cast<int32_t>(mi);
    }
    // Switch depth orders the plan: a signal is decoded after the switch that selects it.
    std::vector<std::pair<size_t, uint32_t>> order;  // (depth, signal index)
    for (size_t si = 0; si < m.signals.size(); ++si) {
      size_t depth = 0;
      for (int32_t at = m.signals[si].mux_switch; at >= 0; at = m.signals[at].mux_switch) ++depth;
      order.emplace_back(depth, static_cast<uint32_t>(si));
    }
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<int32_t> slot_of(m.signals.size(), -1);
    for (size_t k = 0; k < order.size(); ++k) slot_of[order[k].second] = static_cast<int32_t>(k);

    messages_[mi] = {static_cast<uint32_t>(plans_.size()), static_cast<uint32_t>(order.size())};
    for (const auto& [depth, si] : order) {
      const DbcSignal& s = m.signals[si];
      const BitSpan span = SignalBits(s.order, s.start_bit, s.length);
      SignalPlan p;
      p.signal = static_cast<uint16_t>(si);
      p.shift = static_cast<uint8_t>(span.lsb_bit);
      p.motorola = s.order == ByteOrder::kMotorola;
      p.type = s.type;
      p.spans_nine = span.lsb_bit + s.length > 64;
      // Intel: 8 bytes little-endian from the LSB's byte, the ninth after them. Motorola: 8 bytes
      // big-endian ending at the LSB's byte, the ninth before them. The buffer is padded by 8
      // zero bytes on both sides so neither load leaves it.
      if (p.motorola) {
        p.base = static_cast<uint8_t>(kPad + span.lsb_byte - 7);
        p.extra = static_cast<uint8_t>(p.base - 1);
      } else {
        p.base = static_cast<uint8_t>(kPad + span.lsb_byte);
        p.extra = static_cast<uint8_t>(p.base + 8);
      }
      p.need_bytes = static_cast<uint8_t>(span.last_byte + 1);
      p.mask = s.length == 64 ? ~uint64_t{0} : ((uint64_t{1} << s.length) - 1);
      p.sign = s.is_signed && s.type == ValueType::kInteger ? uint64_t{1} << (s.length - 1) : 0;
      p.factor = s.factor;
      p.offset = s.offset;
      p.check_range = s.has_range();
      p.lo = s.min - Slack(s.min);
      p.hi = s.max + Slack(s.max);
      p.switch_slot =
          static_cast<int16_t>(s.mux_switch >= 0 ? slot_of[static_cast<size_t>(s.mux_switch)] : -1);
      p.ranges_begin = static_cast<uint32_t>(ranges_.size());
      p.ranges_count = static_cast<uint16_t>(s.mux_ranges.size());
      ranges_.insert(ranges_.end(), s.mux_ranges.begin(), s.mux_ranges.end());
      p.labels = s.labels.empty() ? nullptr : &s.labels;
      plans_.push_back(p);
    }
    widest = std::max(widest, m.signals.size());
  }
  std::sort(extended_.begin(), extended_.end());
  checks_.resize(dbc_->messages.size());
  for (const MessageCheck& c : checks) {
    CheckPlan& plan = checks_[c.message];
    const DbcMessage& m = dbc_->messages[c.message];
    const MessageSpan span = messages_[c.message];
    for (uint32_t k = 0; k < span.count && c.counter >= 0; ++k) {
      if (plans_[span.begin + k].signal == static_cast<uint16_t>(c.counter)) {
        plan.counter_slot = static_cast<int32_t>(k);
        plan.counter_mask = plans_[span.begin + k].mask;
      }
    }
    if (c.checksum >= 0) {
      const DbcSignal& s = m.signals[static_cast<size_t>(c.checksum)];
      plan.checksum_byte =
          static_cast<int32_t>(SignalBits(s.order, s.start_bit, s.length).lsb_byte);
      plan.algorithm = c.algorithm;
      plan.data_id = c.data_id;
    }
  }
  raw_.resize(widest);
  active_.resize(widest);
  out_.reserve(widest);
}

int32_t Decoder::Find(const CanFrame& frame) const {
  if (!frame.extended) return frame.id <= kMaxStandardId ? standard_[frame.id] : -1;
  auto it = std::lower_bound(extended_.begin(), extended_.end(), frame.id,
                             [](const auto& e, uint32_t id) { return e.first < id; });
  return it != extended_.end() && it->first == frame.id ? it->second : -1;
}

void Decoder::NoteChecked(bool passed) {
  if (passed) {
    failed_run_ = 0;
    if (!healthy_ && ++passed_run_ >= kHealthyAfter) healthy_ = true;
  } else {
    passed_run_ = 0;
    if (++failed_run_ >= kUnhealthyAfter) healthy_ = false;
  }
}

DecodeResult Decoder::Decode(const CanFrame& frame) {
  out_.clear();
  const int32_t mi = Find(frame);
  if (mi < 0) {
    ++unknown_ids_;
    return {};
  }
  MessageStats& st = stats_[static_cast<size_t>(mi)];
  ++st.frames;
  const uint32_t len = std::min<uint32_t>(frame.len, kMaxFdBytes);
  CheckPlan& check = checks_[static_cast<size_t>(mi)];
  if (check.checksum_byte >= 0) {
    const uint32_t at = static_cast<uint32_t>(check.checksum_byte);
    if (at >= len ||
        ComputeChecksum(check.algorithm, frame.id, std::span<const uint8_t>(frame.data.data(), len),
                        at, check.data_id) != frame.data[at]) {
      ++st.bad_checksums;
      ++bad_checksums_;
      NoteChecked(false);
      // The dropped frame stands for the next counter value, so it counts once, here, and the
      // frame after it is no skip.
      if (check.have_counter) {
        check.last_counter = (check.last_counter + 1) & check.counter_mask;
        check.last_ns = frame.mono_ns;
      }
      DecodeResult r;
      r.message = mi;
      r.bad_checksum = true;
      return r;
    }
  }
  std::memset(buf_, 0, sizeof(buf_));
  std::memcpy(buf_ + kPad, frame.data.data(), len);

  const MessageSpan span = messages_[static_cast<size_t>(mi)];
  const SignalPlan* plan = plans_.data() + span.begin;
  bool short_frame = false;
  for (size_t k = 0; k < span.count; ++k) {
    const SignalPlan& p = plan[k];
    active_[k] = 0;
    if (p.switch_slot >= 0) {
      const size_t sw = static_cast<size_t>(p.switch_slot);
      if (!active_[sw]) continue;
      bool selected = false;
      for (uint32_t r = p.ranges_begin; r < p.ranges_begin + p.ranges_count; ++r) {
        selected |= raw_[sw] >= ranges_[r].lo && raw_[sw] <= ranges_[r].hi;
      }
      if (!selected) continue;
    }
    if (p.need_bytes > len) {
      short_frame = true;
      continue;
    }
    uint64_t word;
    std::memcpy(&word, buf_ + p.base, sizeof(word));
    word = p.motorola ? FromBigEndian(word) : FromLittleEndian(word);
    uint64_t v = word >> p.shift;
    if (p.spans_nine) [[unlikely]] {
      v |= uint64_t{buf_[p.extra]} << (64 - p.shift);
    }
    v &= p.mask;
    raw_[k] = v;
    active_[k] = 1;

    // Sign extension without a branch: (v ^ sign) - sign, sign 0 for unsigned.
    const int64_t raw_signed = static_cast<int64_t>((v ^ p.sign) - p.sign);
    double value;
    if (p.type == ValueType::kInteger) [[likely]] {
      value = (p.sign != 0 ? static_cast<double>(raw_signed) : static_cast<double>(v)) * p.factor +
              p.offset;
    } else if (p.type == ValueType::kFloat32) {
      float f;
      const uint32_t bits = static_cast<uint32_t>(v);
      std::memcpy(&f, &bits, sizeof(f));
      value = static_cast<double>(f) * p.factor + p.offset;
    } else {
      double d;
      std::memcpy(&d, &v, sizeof(d));
      value = d * p.factor + p.offset;
    }
    if (p.check_range && !(value >= p.lo && value <= p.hi)) {
      ++st.out_of_range;
      ++out_of_range_;
      continue;
    }
    const std::string* label = nullptr;
    if (p.labels != nullptr) {
      auto it = std::lower_bound(p.labels->begin(), p.labels->end(), raw_signed,
                                 [](const ValueLabel& l, int64_t raw) { return l.raw < raw; });
      if (it != p.labels->end() && it->raw == raw_signed) label = &it->label;
    }
    out_.push_back({p.signal, value, label});
  }
  if (short_frame) ++st.short_frames;
  DecodeResult r;
  r.message = mi;
  r.signals = std::span<const DecodedSignal>(out_.data(), out_.size());
  if (check.counter_slot >= 0 && active_[static_cast<size_t>(check.counter_slot)]) {
    const uint64_t v = raw_[static_cast<size_t>(check.counter_slot)];
    const int64_t since = frame.mono_ns - check.last_ns;
    if (check.have_counter && since >= 0 && since <= kCounterGapNs &&
        v != ((check.last_counter + 1) & check.counter_mask)) {
      r.counter_skip = true;
      ++st.counter_skips;
      ++counter_skips_;
    }
    check.have_counter = true;
    check.last_counter = v;
    check.last_ns = frame.mono_ns;
  }
  if (check.enabled()) NoteChecked(!r.counter_skip);
  return r;
}

}  // namespace fleetclip::can

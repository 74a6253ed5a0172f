// Learning a datagram's layout and decoding by it, for triggers/frame_layout.h. Learn walks the
// datagram with the same wire rules as WireFrameReader (triggers/wire_format.h) and splits it into
// regions of fixed length (literal bytes with 8-byte numbers and 1-byte flags as holes) separated
// by the parts whose length varies (times, texts). Decode compares each region under its mask a
// word at a time, reads the values at their offsets and parses the varying parts, with the same
// checks the full path makes on the values (finite numbers, UTF-8 and length of texts).
#include "triggers/frame_layout.h"

#include <cmath>
#include <cstring>

#include "triggers/wire_decoder.h"
#include "triggers/wire_format.h"

namespace fleetclip::triggers {
namespace {

constexpr char kNameTag = 0x0a;    // SignalValue.name, length-delimited
constexpr char kNumberTag = 0x11;  // SignalValue.number, fixed64
constexpr char kFlagTag = 0x18;    // SignalValue.flag, varint
constexpr char kTextTag = 0x22;    // SignalValue.text, length-delimited

bool KindIs(const SignalCatalog& catalog, int32_t id, SignalKind kind) {
  return id < 0 || catalog.Info(static_cast<SignalId>(id)).kind == kind;
}

}  // namespace

std::optional<FrameLayout> FrameLayout::Learn(std::string_view bytes, const SignalCatalog& catalog,
                                              size_t max_text_bytes) {
  FrameLayout layout;
  layout.max_text_bytes_ = max_text_bytes;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  const char* run = p;  // the first byte not yet in literals_
  Region region;
  auto literal_to = [&](const char* upto) {
    layout.literals_.append(run, upto);
    layout.mask_.append(static_cast<size_t>(upto - run), '\xff');
    run = upto;
  };
  auto hole = [&](const char* at, size_t size, char mask, int32_t id, bool flag) {
    literal_to(at);
    if (id >= 0) {
      layout.values_.push_back({static_cast<uint32_t>(layout.literals_.size() - region.begin),
                                static_cast<SignalId>(id), flag});
    }
    layout.literals_.append(size, '\0');
    layout.mask_.append(size, mask);
    run = at + size;
  };
  auto close_region = [&](const char* at) {
    literal_to(at);
    region.bytes = static_cast<uint32_t>(layout.literals_.size() - region.begin);
    region.value_count = static_cast<uint32_t>(layout.values_.size() - region.first_value);
    layout.regions_.push_back(region);
    region = Region{static_cast<uint32_t>(layout.literals_.size()), 0,
                    static_cast<uint32_t>(layout.values_.size()), 0};
  };
  while (p < end) {
    uint32_t field = 0, type = 0;
    if (!wire::ReadTag(p, end, field, type)) return std::nullopt;
    if ((field == 1 || field == 2) && type == wire::kVarint) {
      close_region(p);
      uint64_t v = 0;
      if (!wire::ReadVarint(p, end, v)) return std::nullopt;
      layout.fields_.push_back({field == 1 ? Slot::kMonoNs : Slot::kSeq, -1, 0, 0});
      run = p;
    } else if (field == 3 && type == wire::kLen) {
      const char* length_at = p;
      std::string_view value;
      if (!wire::ReadLen(p, end, value)) return std::nullopt;
      // The canonical shape: the name (one-byte length), then exactly one value field.
      const char* q = value.data();
      const char* const value_end = q + value.size();
      if (value.size() < 3 || q[0] != kNameTag || (static_cast<uint8_t>(q[1]) & 0x80) != 0) {
        return std::nullopt;
      }
      const size_t name_size = static_cast<uint8_t>(q[1]);
      if (value.size() < 3 + name_size) return std::nullopt;
      const std::string_view name(q + 2, name_size);
      if (!IsValidSignalName(name)) return std::nullopt;
      const std::optional<SignalId> found = catalog.Find(name);
      const int32_t id = found ? static_cast<int32_t>(*found) : -1;
      q += 2 + name_size;
      const char tag = *q++;
      if (tag == kNumberTag && value_end - q == 8 && KindIs(catalog, id, SignalKind::kNumber)) {
        hole(q, 8, '\0', id, false);
      } else if (tag == kFlagTag && value_end - q == 1 && (static_cast<uint8_t>(*q) & 0x80) == 0 &&
                 KindIs(catalog, id, SignalKind::kFlag)) {
        hole(q, 1, '\x80', id, true);
      } else if (tag == kTextTag && KindIs(catalog, id, SignalKind::kText)) {
        std::string_view text;
        if (!wire::ReadLen(q, value_end, text) || q != value_end) return std::nullopt;
        close_region(length_at);
        layout.fields_.push_back({Slot::kText, id, static_cast<uint32_t>(layout.names_.size()),
                                  static_cast<uint32_t>(2 + name_size)});
        layout.names_.append(value.data(), 2 + name_size);
        run = value_end;
      } else {
        return std::nullopt;
      }
      if (id < 0) ++layout.unknown_count_;
    } else if (field == 4 && type == wire::kLen) {
      // The producer's name: literal bytes like the tags and names, remembered for Decode.
      std::string_view producer;
      if (!wire::ReadLen(p, end, producer)) return std::nullopt;
      layout.producer_.assign(producer);
    } else if (!wire::Skip(p, end, type)) {
      return std::nullopt;
    }
  }
  close_region(end);
  return layout;
}

bool FrameLayout::Matches(const Region& region, const char* p) const {
  const char* lit = literals_.data() + region.begin;
  const char* mask = mask_.data() + region.begin;
  const size_t n = region.bytes;
  // Sixteen bytes at a time: a generic vector (GCC and Clang lower it to SSE2, NEON or scalars).
  using Bytes16 = uint64_t __attribute__((vector_size(16)));
  auto load16 = [](const char* at) {
    Bytes16 v;
    std::memcpy(&v, at, 16);
    return v;
  };
  auto word = [](const char* at) {
    uint64_t w = 0;
    std::memcpy(&w, at, 8);
    return w;
  };
  Bytes16 diff16 = {0, 0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16) diff16 |= (load16(p + i) ^ load16(lit + i)) & load16(mask + i);
  uint64_t diff = diff16[0] | diff16[1];
  if (i + 8 <= n) {
    diff |= (word(p + i) ^ word(lit + i)) & word(mask + i);
    i += 8;
  }
  if (i < n) {
    if (n >= 8) {  // the last, partial word: the 8 bytes that end the region
      diff |= (word(p + n - 8) ^ word(lit + n - 8)) & word(mask + n - 8);
    } else {
      for (; i < n; ++i) diff |= static_cast<uint8_t>((p[i] ^ lit[i]) & mask[i]);
    }
  }
  return diff == 0;
}

bool FrameLayout::Decode(std::string_view bytes, DecodedFrame& out,
                         uint64_t& unknown_values) const {
  // out.Clear() but for the numbers: every one of them is written below, and when the previous
  // frame had this layout too the resize does nothing. (On a mismatch the full path clears all.)
  out.mono_ns = 0;
  out.seq = 0;
  out.stamped = false;
  out.text_count = 0;
  if (out.producer != producer_) out.producer.assign(producer_);  // usually the same already
  out.numbers.resize(values_.size());
  std::pair<SignalId, double>* number = out.numbers.data();
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  uint64_t mono_ns = 0;
  uint64_t seq = 0;
  for (size_t r = 0;; ++r) {
    const Region& region = regions_[r];
    if (static_cast<size_t>(end - p) < region.bytes || !Matches(region, p)) return false;
    const Value* value = values_.data() + region.first_value;
    for (uint32_t k = 0; k < region.value_count; ++k, ++value, ++number) {
      const char* at = p + value->offset;
      number->first = value->id;
      if (value->flag) {
        number->second = *at != 0 ? 1.0 : 0.0;
      } else {
        std::memcpy(&number->second, at, 8);
        if (!std::isfinite(number->second)) return false;
      }
    }
    p += region.bytes;
    if (r == fields_.size()) break;
    const Field& f = fields_[r];
    switch (f.slot) {
      case Slot::kMonoNs:
        if (!wire::ReadVarint(p, end, mono_ns)) return false;
        break;
      case Slot::kSeq:
        if (!wire::ReadVarint(p, end, seq)) return false;
        break;
      case Slot::kText: {
        std::string_view text_value;
        if (!wire::ReadLen(p, end, text_value)) return false;
        if (text_value.size() <= f.name_bytes ||
            std::memcmp(text_value.data(), names_.data() + f.name_begin, f.name_bytes) != 0) {
          return false;
        }
        const char* q = text_value.data() + f.name_bytes;
        const char* const value_end = text_value.data() + text_value.size();
        std::string_view text;
        if (*q++ != kTextTag || !wire::ReadLen(q, value_end, text) || q != value_end ||
            !IsValidUtf8(text)) {
          return false;
        }
        if (f.id >= 0) {
          if (text.size() > max_text_bytes_) return false;
          if (out.text_count == out.texts.size()) out.texts.emplace_back();
          out.texts[out.text_count].first = static_cast<SignalId>(f.id);
          out.texts[out.text_count].second.assign(text);
          ++out.text_count;
        }
        break;
      }
    }
  }
  if (p != end) return false;
  if (static_cast<int64_t>(mono_ns) < 0) return false;  // the full path names the error
  out.mono_ns = static_cast<int64_t>(mono_ns);
  out.seq = seq;
  unknown_values += unknown_count_;
  return true;
}

}  // namespace fleetclip::triggers

// Learning a datagram's layout and decoding by it, for triggers/frame_layout.h. Learn walks the
// datagram with the same wire rules as WireFrameReader (triggers/wire_format.h) and turns every
// byte that is not a value into a literal; Decode compares the literals and reads the values, with
// the same checks the full path makes on them (finite numbers, UTF-8 and length of texts).
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
  auto add = [&](const char* slot_at, Slot slot, int32_t id, uint32_t name_bytes) {
    layout.literals_.append(run, slot_at);
    layout.fields_.push_back({static_cast<uint32_t>(slot_at - run), name_bytes, slot, id});
  };
  while (p < end) {
    uint32_t field = 0, type = 0;
    if (!wire::ReadTag(p, end, field, type)) return std::nullopt;
    if ((field == 1 || field == 2) && type == wire::kVarint) {
      const char* at = p;
      uint64_t v = 0;
      if (!wire::ReadVarint(p, end, v)) return std::nullopt;
      add(at, field == 1 ? Slot::kMonoNs : Slot::kSeq, -1, 0);
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
        add(q, Slot::kNumber, id, 0);
        run = value_end;
      } else if (tag == kFlagTag && value_end - q == 1 && (static_cast<uint8_t>(*q) & 0x80) == 0 &&
                 KindIs(catalog, id, SignalKind::kFlag)) {
        add(q, Slot::kFlag, id, 0);
        run = value_end;
      } else if (tag == kTextTag && KindIs(catalog, id, SignalKind::kText)) {
        std::string_view text;
        if (!wire::ReadLen(q, value_end, text) || q != value_end) return std::nullopt;
        add(length_at, Slot::kText, id, static_cast<uint32_t>(2 + name_size));
        layout.literals_.append(value.data(), 2 + name_size);
        run = value_end;
      } else {
        return std::nullopt;
      }
      if (id < 0) ++layout.unknown_count_;
    } else if (!wire::Skip(p, end, type)) {
      return std::nullopt;
    }
  }
  layout.tail_bytes_ = static_cast<uint32_t>(end - run);
  layout.literals_.append(run, end);
  return layout;
}

bool FrameLayout::Decode(std::string_view bytes, DecodedFrame& out,
                         uint64_t& unknown_values) const {
  out.Clear();
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  const char* lit = literals_.data();
  uint64_t mono_ns = 0;
  uint64_t seq = 0;
  for (const Field& f : fields_) {
    if (static_cast<size_t>(end - p) < f.literal_bytes ||
        std::memcmp(p, lit, f.literal_bytes) != 0) {
      return false;
    }
    p += f.literal_bytes;
    lit += f.literal_bytes;
    switch (f.slot) {
      case Slot::kMonoNs:
        if (!wire::ReadVarint(p, end, mono_ns)) return false;
        break;
      case Slot::kSeq:
        if (!wire::ReadVarint(p, end, seq)) return false;
        break;
      case Slot::kNumber: {
        if (end - p < 8) return false;
        double v = 0;
        std::memcpy(&v, p, 8);
        p += 8;
        if (f.id >= 0) {
          if (!std::isfinite(v)) return false;
          out.numbers.emplace_back(static_cast<SignalId>(f.id), v);
        }
        break;
      }
      case Slot::kFlag: {
        if (p == end || (static_cast<uint8_t>(*p) & 0x80) != 0) return false;
        if (f.id >= 0) out.numbers.emplace_back(static_cast<SignalId>(f.id), *p != 0 ? 1.0 : 0.0);
        ++p;
        break;
      }
      case Slot::kText: {
        std::string_view value;
        if (!wire::ReadLen(p, end, value)) return false;
        if (value.size() <= f.name_bytes || std::memcmp(value.data(), lit, f.name_bytes) != 0) {
          return false;
        }
        lit += f.name_bytes;
        const char* q = value.data() + f.name_bytes;
        const char* const value_end = value.data() + value.size();
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
  if (static_cast<size_t>(end - p) != tail_bytes_ || std::memcmp(p, lit, tail_bytes_) != 0) {
    return false;
  }
  if (static_cast<int64_t>(mono_ns) < 0) return false;  // the full path names the error
  out.mono_ns = static_cast<int64_t>(mono_ns);
  out.seq = seq;
  unknown_values += unknown_count_;
  return true;
}

}  // namespace fleetclip::triggers

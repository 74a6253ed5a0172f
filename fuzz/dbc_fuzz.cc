// libFuzzer harness for DBC files (can/dbc.h): any text parses or fails with an error naming
// file:line:column, never crashing. A DBC it accepts is written back out (BO_, SG_ with its
// multiplexer indicator, SIG_VALTYPE_, VAL_, and an SG_MUL_VAL_ for every multiplexed signal)
// and parsed again: the second parse must give the same messages and signals, field for field,
// and a decoder built on each must decode a frame (from the input's last bytes) to the same
// values. A writer that knows only the model is a second account of what the parser kept.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "can/dbc.h"
#include "can/decoder.h"
#include "fuzz/check.h"

namespace {

using namespace fleetclip;
using namespace fleetclip::can;

std::string Num(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

uint32_t RawId(const DbcMessage& m) { return m.id | (m.extended ? 0x80000000u : 0); }

std::string Write(const Dbc& dbc) {
  std::string out = "VERSION \"\"\n\nBS_:\n\nBU_:\n\n";
  for (const DbcMessage& m : dbc.messages) {
    out += "BO_ " + std::to_string(RawId(m)) + " " + m.name + ": " + std::to_string(m.size_bytes);
    if (!m.transmitter.empty()) out += " " + m.transmitter;
    out += "\n";
    for (const DbcSignal& s : m.signals) {
      out += " SG_ " + s.name;
      if (s.mux_switch >= 0) {
        out += " m" + std::to_string(s.mux_ranges.empty() ? 0 : s.mux_ranges[0].lo);
        if (s.is_multiplexer) out += "M";
      } else if (s.is_multiplexer) {
        out += " M";
      }
      out += " : " + std::to_string(s.start_bit) + "|" + std::to_string(s.length) + "@" +
             (s.order == ByteOrder::kIntel ? "1" : "0") + (s.is_signed ? "-" : "+") + " (" +
             Num(s.factor) + "," + Num(s.offset) + ") [" + Num(s.min) + "|" + Num(s.max) + "] \"" +
             s.unit + "\" GW\n";
    }
    out += "\n";
  }
  for (const DbcMessage& m : dbc.messages) {
    for (const DbcSignal& s : m.signals) {
      const std::string at = std::to_string(RawId(m)) + " " + s.name;
      if (s.type != ValueType::kInteger) {
        out += "SIG_VALTYPE_ " + at + " : " + (s.type == ValueType::kFloat32 ? "1" : "2") + ";\n";
      }
      if (!s.labels.empty()) {
        out += "VAL_ " + at;
        for (const ValueLabel& l : s.labels) {
          out += " " + std::to_string(l.raw) + " \"" + l.label + "\"";
        }
        out += " ;\n";
      }
      if (s.mux_switch >= 0) {
        out += "SG_MUL_VAL_ " + at + " " + m.signals[static_cast<size_t>(s.mux_switch)].name;
        for (size_t r = 0; r < s.mux_ranges.size(); ++r) {
          out += std::string(r ? ", " : " ") + std::to_string(s.mux_ranges[r].lo) + "-" +
                 std::to_string(s.mux_ranges[r].hi);
        }
        out += ";\n";
      }
    }
  }
  return out;
}

bool SameDouble(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

void SameDbc(const Dbc& a, const Dbc& b, const std::string& text) {
  FUZZ_CHECK(a.messages.size() == b.messages.size(), "message count\n" + text);
  for (size_t mi = 0; mi < a.messages.size(); ++mi) {
    const DbcMessage &x = a.messages[mi], &y = b.messages[mi];
    const std::string where = "message " + x.name + "\n" + text;
    FUZZ_CHECK(x.id == y.id && x.extended == y.extended && x.name == y.name &&
                   x.size_bytes == y.size_bytes && x.transmitter == y.transmitter,
               where);
    FUZZ_CHECK(x.signals.size() == y.signals.size(), "signal count of " + where);
    for (size_t si = 0; si < x.signals.size(); ++si) {
      const DbcSignal &s = x.signals[si], &t = y.signals[si];
      const std::string sw = "signal " + s.name + " of " + where;
      FUZZ_CHECK(s.name == t.name && s.start_bit == t.start_bit && s.length == t.length &&
                     s.order == t.order && s.is_signed == t.is_signed && s.type == t.type,
                 "layout of " + sw);
      FUZZ_CHECK(SameDouble(s.factor, t.factor) && SameDouble(s.offset, t.offset) &&
                     SameDouble(s.min, t.min) && SameDouble(s.max, t.max),
                 "scaling of " + sw);
      FUZZ_CHECK(s.unit == t.unit, "unit of " + sw);
      FUZZ_CHECK(s.is_multiplexer == t.is_multiplexer && s.mux_switch == t.mux_switch,
                 "multiplexing of " + sw);
      FUZZ_CHECK(s.mux_ranges.size() == t.mux_ranges.size(), "mux ranges of " + sw);
      for (size_t r = 0; r < s.mux_ranges.size(); ++r) {
        FUZZ_CHECK(
            s.mux_ranges[r].lo == t.mux_ranges[r].lo && s.mux_ranges[r].hi == t.mux_ranges[r].hi,
            "mux range of " + sw);
      }
      FUZZ_CHECK(s.labels.size() == t.labels.size(), "labels of " + sw);
      for (size_t l = 0; l < s.labels.size(); ++l) {
        FUZZ_CHECK(s.labels[l].raw == t.labels[l].raw && s.labels[l].label == t.labels[l].label,
                   "label of " + sw);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<Dbc> first = ParseDbc(text, "f.dbc");
  if (!first.ok()) {
    FUZZ_CHECK(first.error().code() == ErrorCode::kInvalidArgument, first.error().ToString());
    FUZZ_CHECK(first.error().message().starts_with("f.dbc:"), first.error().message());
    return 0;
  }
  const std::string written = Write(*first);
  Result<Dbc> second = ParseDbc(written, "w.dbc");
  FUZZ_CHECK(second.ok(), second.ok() ? "" : second.error().ToString() + "\n" + written);
  SameDbc(*first, *second, written);

  // Both decode one frame of each message alike: the payload from the input's last 64 bytes.
  Decoder a(std::make_shared<const Dbc>(std::move(*first)));
  Decoder b(std::make_shared<const Dbc>(std::move(*second)));
  CanFrame frame;
  frame.len = static_cast<uint8_t>(std::min<size_t>(size, kMaxFdBytes));
  std::memcpy(frame.data.data(), data + size - frame.len, frame.len);
  for (const DbcMessage& m : a.dbc().messages) {
    frame.id = m.id;
    frame.extended = m.extended;
    const DecodeResult x = a.Decode(frame);
    const DecodeResult y = b.Decode(frame);
    FUZZ_CHECK(x.message == y.message && x.signals.size() == y.signals.size(), m.name);
    for (size_t i = 0; i < x.signals.size(); ++i) {
      FUZZ_CHECK(x.signals[i].signal == y.signals[i].signal &&
                     SameDouble(x.signals[i].value, y.signals[i].value) &&
                     (x.signals[i].label == nullptr) == (y.signals[i].label == nullptr),
                 m.name);
    }
  }
  return 0;
}

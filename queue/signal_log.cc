// Columnar signal-log encoder/decoder. See queue/signal_log.h and proto/signal_log.proto.
#include "queue/signal_log.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "proto/signal_log.pb.h"

namespace fleetclip::queue {
namespace {

constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
constexpr double kMaxFixed = 9e15;  // |round(v * 10^d)| must stay an exact int64 in a double
constexpr uint64_t kMaxRawBytes = 1ULL << 31;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  // False, with the position left at the varint's first byte, when it does not end in the bytes.
  bool Varint(uint64_t& v) {
    v = 0;
    const size_t start = pos_;
    for (int shift = 0; shift < 64 && pos_ < s_.size(); shift += 7) {
      const auto b = static_cast<uint8_t>(s_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    pos_ = start;
    return false;
  }
  bool Bytes(void* dst, size_t n) {
    if (s_.size() - pos_ < n) return false;
    std::memcpy(dst, s_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == s_.size(); }
  std::string at() const { return std::to_string(pos_); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

struct Column {
  proto::SignalColumn::Kind kind = proto::SignalColumn::NUMBER_FIXED;
  bool kind_set = false;
  std::vector<uint32_t> frames;  // indexes of frames carrying it
  std::vector<double> numbers;
  std::vector<bool> flags;
  std::vector<uint32_t> text_ids;
  std::vector<std::string> texts;
  std::unordered_map<std::string, uint32_t> text_index;
};

// The fewest decimals that represent every value exactly; kSignalLogMaxDecimals when none does;
// -1 when fixed point cannot hold them (non-finite, huge).
int ChooseDecimals(const std::vector<double>& values) {
  for (double v : values) {
    if (!std::isfinite(v) || std::fabs(v) * kPow10[kSignalLogMaxDecimals] > kMaxFixed) return -1;
  }
  for (int d = 0; d <= kSignalLogMaxDecimals; ++d) {
    bool exact = true;
    for (double v : values) {
      if (std::round(v * kPow10[d]) / kPow10[d] != v) {
        exact = false;
        break;
      }
    }
    if (exact) return d;
  }
  return kSignalLogMaxDecimals;
}

std::string Presence(const std::vector<uint32_t>& frames, size_t total) {
  if (frames.size() == total) return {};
  std::string out;
  uint32_t next = 0;
  size_t i = 0;
  while (i < frames.size()) {
    PutVarint(out, frames[i] - next);  // absent run
    size_t j = i;
    while (j + 1 < frames.size() && frames[j + 1] == frames[j] + 1) ++j;
    PutVarint(out, j - i + 1);  // present run
    next = frames[j] + 1;
    i = j + 1;
  }
  return out;
}

Error Corrupt(std::string what) {
  return Error(ErrorCode::kCorruption, "signals.pb.zst: " + std::move(what));
}

std::string Frame(size_t i) { return " (frame " + std::to_string(i) + ")"; }

// The frame indexes column `c` is present in: all of them when its presence is empty, else its
// runs, each within the `frames` there are.
Result<std::vector<uint32_t>> Present(const proto::SignalColumn& c, size_t frames) {
  std::vector<uint32_t> present;
  if (c.presence().empty()) {
    present.resize(frames);
    for (size_t i = 0; i < frames; ++i) present[i] = static_cast<uint32_t>(i);
    return present;
  }
  Reader r(c.presence());
  uint64_t at = 0;
  while (!r.done()) {
    const std::string offset = r.at();
    uint64_t absent = 0, run = 0;
    if (!r.Varint(absent) || !r.Varint(run)) {
      return Corrupt("presence of " + c.name() + " truncated at byte " + r.at());
    }
    if (absent > frames - at || run > frames - at - absent) {
      return Corrupt("presence of " + c.name() + " at byte " + offset + ": " +
                     std::to_string(absent) + " absent and " + std::to_string(run) +
                     " present from frame " + std::to_string(at) + " overrun the " +
                     std::to_string(frames) + " frames");
    }
    at += absent;
    for (uint64_t k = 0; k < run; ++k) present.push_back(static_cast<uint32_t>(at + k));
    at += run;
  }
  return present;
}

// The decompressed bytes, grown as zstd produces them (a header that claims 2 GiB allocates
// nothing until the data is there), at most 2^31 bytes, and exactly the size the frame states.
Result<std::string> Decompress(std::string_view compressed) {
  const unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxRawBytes) {
    return Corrupt("not a zstd frame with a known size of at most " + std::to_string(kMaxRawBytes) +
                   " bytes");
  }
  using Dctx = std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)>;
  Dctx dctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (dctx == nullptr) return Error(ErrorCode::kInternal, "ZSTD_createDCtx failed");
  std::string raw;
  ZSTD_inBuffer in{compressed.data(), compressed.size(), 0};
  size_t ret = 1;
  while (ret != 0) {
    if (raw.size() >= size + 1)
      return Corrupt("zstd: more than the stated " + std::to_string(size) + " bytes");
    const size_t done = raw.size();
    raw.resize(std::min<size_t>(size + 1, done + std::max<size_t>(ZSTD_DStreamOutSize(), done)));
    ZSTD_outBuffer out{raw.data() + done, raw.size() - done, 0};
    ret = ZSTD_decompressStream(dctx.get(), &out, &in);
    if (ZSTD_isError(ret)) return Corrupt(std::string("zstd: ") + ZSTD_getErrorName(ret));
    raw.resize(done + out.pos);
    if (ret != 0 && in.pos == in.size && out.pos == 0) {
      return Corrupt("zstd: truncated after " + std::to_string(in.pos) + " bytes");
    }
  }
  if (raw.size() != size || in.pos != in.size) {
    return Corrupt("zstd: " + std::to_string(raw.size()) + " bytes in a frame that states " +
                   std::to_string(size) + (in.pos != in.size ? ", with bytes after it" : ""));
  }
  return raw;
}

}  // namespace

Result<std::string> EncodeSignalLog(const std::vector<proto::SignalFrame>& frames, int zstd_level) {
  proto::SignalLog log;
  log.set_frames(frames.size());
  // Producers: version 2 only when a frame names one.
  std::string producer_ids;
  std::unordered_map<std::string, uint32_t> producer_index;
  const bool named = std::any_of(frames.begin(), frames.end(),
                                 [](const proto::SignalFrame& f) { return !f.producer().empty(); });
  log.set_format_version(named ? 2 : 1);
  for (size_t i = 0; named && i < frames.size(); ++i) {
    auto [it, added] = producer_index.try_emplace(frames[i].producer(),
                                                  static_cast<uint32_t>(log.producers_size()));
    if (added) log.add_producers(frames[i].producer());
    PutVarint(producer_ids, it->second);
  }
  log.set_producer(std::move(producer_ids));
  std::string times, seqs;
  // Time deltas in wrapping unsigned arithmetic (the decoder's too): no signed overflow for any
  // mono_ns, and the same bits as signed deltas wherever those do not overflow.
  uint64_t prev_t = 0, prev_dt = 0;
  uint64_t prev_seq = 0;
  std::vector<std::string> order;
  std::unordered_map<std::string, Column> columns;
  for (size_t i = 0; i < frames.size(); ++i) {
    const proto::SignalFrame& f = frames[i];
    const uint64_t dt = static_cast<uint64_t>(f.mono_ns()) - prev_t;
    PutVarint(times, ZigZag(static_cast<int64_t>(dt - prev_dt)));
    prev_t = static_cast<uint64_t>(f.mono_ns());
    prev_dt = dt;
    PutVarint(seqs, ZigZag(static_cast<int64_t>(f.seq() - prev_seq)));
    prev_seq = f.seq();
    for (const proto::SignalValue& v : f.values()) {
      auto [it, inserted] = columns.try_emplace(v.name());
      if (inserted) order.push_back(v.name());
      Column& c = it->second;
      proto::SignalColumn::Kind kind = v.has_flag()   ? proto::SignalColumn::FLAG
                                       : v.has_text() ? proto::SignalColumn::TEXT
                                                      : proto::SignalColumn::NUMBER_FIXED;
      if (c.kind_set && c.kind != kind) {
        return Error(ErrorCode::kInvalidArgument, "signal " + v.name() +
                                                      " changes type within the window (frame " +
                                                      std::to_string(i) + ")");
      }
      c.kind = kind;
      c.kind_set = true;
      if (!c.frames.empty() && c.frames.back() == i) {
        return Error(ErrorCode::kInvalidArgument,
                     "signal " + v.name() + " appears twice in frame " + std::to_string(i));
      }
      c.frames.push_back(static_cast<uint32_t>(i));
      if (kind == proto::SignalColumn::FLAG) {
        c.flags.push_back(v.flag());
      } else if (kind == proto::SignalColumn::TEXT) {
        auto [t, added] = c.text_index.try_emplace(v.text(), static_cast<uint32_t>(c.texts.size()));
        if (added) c.texts.push_back(v.text());
        c.text_ids.push_back(t->second);
      } else {
        c.numbers.push_back(v.number());
      }
    }
  }
  log.set_mono_ns(std::move(times));
  log.set_seq(std::move(seqs));
  for (const std::string& name : order) {
    Column& c = columns[name];
    proto::SignalColumn* out = log.add_columns();
    out->set_name(name);
    out->set_presence(Presence(c.frames, frames.size()));
    std::string values;
    if (c.kind == proto::SignalColumn::FLAG) {
      values.assign((c.flags.size() + 7) / 8, '\0');
      for (size_t i = 0; i < c.flags.size(); ++i) {
        if (c.flags[i]) values[i / 8] = static_cast<char>(values[i / 8] | (1 << (i % 8)));
      }
    } else if (c.kind == proto::SignalColumn::TEXT) {
      for (uint32_t id : c.text_ids) PutVarint(values, id);
      for (auto& t : c.texts) out->add_texts(std::move(t));
    } else if (const int d = ChooseDecimals(c.numbers); d < 0) {
      c.kind = proto::SignalColumn::NUMBER_RAW;
      values.resize(c.numbers.size() * 8);
      std::memcpy(values.data(), c.numbers.data(), values.size());  // little-endian hosts only
    } else {
      out->set_decimals(d);
      int64_t prev = 0;
      for (double v : c.numbers) {
        const auto q = static_cast<int64_t>(std::llround(v * kPow10[d]));
        PutVarint(values, ZigZag(q - prev));
        prev = q;
      }
    }
    out->set_kind(c.kind);
    out->set_values(std::move(values));
  }
  const std::string raw = log.SerializeAsString();
  std::string compressed(ZSTD_compressBound(raw.size()), '\0');
  using Cctx = std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)>;
  Cctx cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  const size_t n =
      ZSTD_compress2(cctx.get(), compressed.data(), compressed.size(), raw.data(), raw.size());
  if (ZSTD_isError(n)) {
    return Error(ErrorCode::kInternal, std::string("zstd compress: ") + ZSTD_getErrorName(n));
  }
  compressed.resize(n);
  return compressed;
}

Result<std::vector<proto::SignalFrame>> DecodeSignalLog(std::string_view compressed) {
  Result<std::string> raw = Decompress(compressed);
  if (!raw.ok()) return raw.error();
  proto::SignalLog log;
  if (!log.ParseFromString(*raw)) return Corrupt("protobuf does not parse");
  if (log.format_version() != 1 && log.format_version() != 2) {
    return Corrupt("format_version " + std::to_string(log.format_version()) + ", expected 1 or 2");
  }
  if (log.format_version() == 1 && (log.producers_size() > 0 || !log.producer().empty())) {
    return Corrupt("format_version 1 with producers");
  }
  for (const std::string& p : log.producers()) {
    if (p.size() > kSignalLogMaxNameBytes) {
      return Corrupt("a producer name of " + std::to_string(p.size()) +
                     " bytes, over the limit of " + std::to_string(kSignalLogMaxNameBytes));
    }
  }
  // Every frame takes at least one byte of mono_ns and one of seq: a count above that is corrupt
  // and is refused before anything is allocated for it.
  const size_t can_hold = std::min(log.mono_ns().size(), log.seq().size());
  if (log.frames() > can_hold) {
    return Corrupt("frame count " + std::to_string(log.frames()) + " is more than the " +
                   std::to_string(can_hold) + " bytes of mono_ns and seq can hold");
  }
  std::vector<proto::SignalFrame> frames(log.frames());
  Reader times(log.mono_ns()), seqs(log.seq());
  // Deltas wrap modulo 2^64, as the encoder's do: any varints decode without signed overflow.
  uint64_t t = 0, dt = 0, seq = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    uint64_t a = 0, b = 0;
    if (!times.Varint(a)) return Corrupt("mono_ns truncated at byte " + times.at() + Frame(i));
    if (!seqs.Varint(b)) return Corrupt("seq truncated at byte " + seqs.at() + Frame(i));
    dt += static_cast<uint64_t>(UnZigZag(a));
    t += dt;
    seq += static_cast<uint64_t>(UnZigZag(b));
    frames[i].set_mono_ns(static_cast<int64_t>(t));
    frames[i].set_seq(seq);
  }
  if (log.format_version() == 2) {
    Reader ids(log.producer());
    for (size_t i = 0; i < frames.size(); ++i) {
      uint64_t id = 0;
      const std::string offset = ids.at();
      if (!ids.Varint(id)) return Corrupt("producer truncated at byte " + offset + Frame(i));
      if (id >= static_cast<uint64_t>(log.producers_size())) {
        return Corrupt("producer: no producer " + std::to_string(id) + " at byte " + offset + " (" +
                       std::to_string(log.producers_size()) + " producers)");
      }
      if (const std::string& p = log.producers(static_cast<int>(id)); !p.empty()) {
        frames[i].set_producer(p);
      }
    }
  }
  for (const proto::SignalColumn& c : log.columns()) {
    if (c.name().size() > kSignalLogMaxNameBytes) {
      return Corrupt("a column name of " + std::to_string(c.name().size()) +
                     " bytes, over the limit of " + std::to_string(kSignalLogMaxNameBytes));
    }
    for (const std::string& text : c.texts()) {
      if (text.size() > kSignalLogMaxTextBytes) {
        return Corrupt("a text of " + std::to_string(text.size()) + " bytes in " + c.name() +
                       ", over the limit of " + std::to_string(kSignalLogMaxTextBytes));
      }
    }
    Result<std::vector<uint32_t>> present = Present(c, frames.size());
    if (!present.ok()) return present.error();
    if (c.decimals() < 0 || c.decimals() > kSignalLogMaxDecimals) {
      return Corrupt("decimals " + std::to_string(c.decimals()) + " of " + c.name() +
                     " outside 0.." + std::to_string(kSignalLogMaxDecimals));
    }
    Reader values(c.values());
    uint64_t q = 0;  // wraps like t above
    for (size_t k = 0; k < present->size(); ++k) {
      proto::SignalValue* v = frames[(*present)[k]].add_values();
      v->set_name(c.name());
      uint64_t x = 0;
      switch (c.kind()) {
        case proto::SignalColumn::FLAG:
          if (k / 8 >= c.values().size()) {
            return Corrupt("flags of " + c.name() + " end at byte " +
                           std::to_string(c.values().size()) + Frame((*present)[k]));
          }
          v->set_flag((static_cast<uint8_t>(c.values()[k / 8]) >> (k % 8)) & 1);
          break;
        case proto::SignalColumn::TEXT: {
          const std::string offset = values.at();
          if (!values.Varint(x)) {
            return Corrupt("texts of " + c.name() + " truncated at byte " + offset);
          }
          if (x >= static_cast<uint64_t>(c.texts_size())) {
            return Corrupt("texts of " + c.name() + ": no text id " + std::to_string(x) +
                           " at byte " + offset + " (" + std::to_string(c.texts_size()) +
                           " texts)");
          }
          v->set_text(c.texts(static_cast<int>(x)));
          break;
        }
        case proto::SignalColumn::NUMBER_RAW: {
          double d = 0;
          if (!values.Bytes(&d, sizeof d)) {
            return Corrupt("numbers of " + c.name() + " truncated at byte " + values.at());
          }
          v->set_number(d);
          break;
        }
        default:
          if (!values.Varint(x)) {
            return Corrupt("numbers of " + c.name() + " truncated at byte " + values.at());
          }
          q += static_cast<uint64_t>(UnZigZag(x));
          v->set_number(static_cast<double>(static_cast<int64_t>(q)) / kPow10[c.decimals()]);
          break;
      }
    }
  }
  return frames;
}

}  // namespace fleetclip::queue

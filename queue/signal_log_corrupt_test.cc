// DecodeSignalLog on hand-made corrupt signals.pb.zst files: counts and runs larger than the
// bytes that must hold them, deltas at the limits of int64, a zstd header that claims more than
// it carries, and oversized names. Each is kCorruption naming the field and the byte offset (or,
// for extreme but valid deltas, decodes exactly); none overflows a signed integer (checked by
// UBSan in the sanitizer build) or allocates for what is not there.
#include <zstd.h>

#include <catch2/catch.hpp>
#include <limits>

#include "proto/signal_log.pb.h"
#include "queue/signal_log.h"

namespace fleetclip::queue {
namespace {

std::string Compress(const proto::SignalLog& log) {
  const std::string raw = log.SerializeAsString();
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3);
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A log of `frames` frames 1 ms apart (seq 1, 2, …), no columns.
proto::SignalLog Frames(int frames) {
  proto::SignalLog log;
  log.set_format_version(1);
  log.set_frames(static_cast<uint64_t>(frames));
  std::string times, seqs;
  for (int i = 0; i < frames; ++i) {
    times += i == 0 ? std::string("\x80\x89\x7a", 3) : std::string(1, '\0');  // 2'000'000 once
    seqs += '\x02';                                                           // +1
  }
  log.set_mono_ns(times);
  log.set_seq(seqs);
  return log;
}

std::string Message(std::string_view compressed) {
  auto r = DecodeSignalLog(compressed);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kCorruption);
  return r.error().message();
}

TEST_CASE("A frame count larger than the time bytes can hold is refused before allocating") {
  proto::SignalLog log = Frames(3);
  log.set_frames(1ULL << 26);
  CHECK(Message(Compress(log)) ==
        "signals.pb.zst: frame count 67108864 is more than the 3 bytes of mono_ns and seq can "
        "hold");
}

TEST_CASE("A truncated seq column is corrupt at its byte offset and frame") {
  proto::SignalLog log = Frames(4);
  log.set_seq("\x02\x02\x80\x80");  // the third varint never ends
  log.set_mono_ns(log.mono_ns() + "\0\0");
  CHECK(Message(Compress(log)) == "signals.pb.zst: seq truncated at byte 2 (frame 2)");
}

TEST_CASE("Presence runs that overrun the frames are corrupt, however large the varints") {
  proto::SignalLog log = Frames(3);
  proto::SignalColumn* c = log.add_columns();
  c->set_name("speed");
  c->set_kind(proto::SignalColumn::FLAG);
  c->set_values("\x01");
  // absent = 2^64 - 1 (wrapped to a small "at" by the old check), then present 2.
  c->set_presence(std::string("\x01\x01", 2) + "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02");
  CHECK(Message(Compress(log)) ==
        "signals.pb.zst: presence of speed at byte 2: 18446744073709551615 absent and 2 present "
        "from frame 2 overrun the 3 frames");
}

TEST_CASE("Time, sequence and number deltas at the int64 limits decode exactly, without overflow") {
  std::vector<proto::SignalFrame> frames(4);
  const int64_t times[] = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max(), 0};
  for (size_t i = 0; i < frames.size(); ++i) {
    frames[i].set_mono_ns(times[i]);
    frames[i].set_seq(i % 2 == 0 ? std::numeric_limits<uint64_t>::max() : 0);
    proto::SignalValue* v = frames[i].add_values();
    v->set_name("odometer");
    v->set_number(i % 2 == 0 ? 9e9 : -9e9);  // fixed point with 6 decimals: ±9e15
  }
  auto encoded = EncodeSignalLog(frames);
  REQUIRE(encoded.ok());
  auto decoded = DecodeSignalLog(*encoded);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    CHECK((*decoded)[i].mono_ns() == frames[i].mono_ns());
    CHECK((*decoded)[i].seq() == frames[i].seq());
    CHECK((*decoded)[i].values(0).number() == frames[i].values(0).number());
  }
  // Hand-made: the largest varints everywhere decode to some frames, not to undefined behaviour.
  proto::SignalLog log;
  log.set_format_version(1);
  log.set_frames(2);
  const std::string max_varint = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  log.set_mono_ns(max_varint + max_varint);
  log.set_seq(max_varint + max_varint);
  proto::SignalColumn* c = log.add_columns();
  c->set_name("x");
  c->set_values(max_varint + max_varint);
  CHECK(DecodeSignalLog(Compress(log)).ok());
}

TEST_CASE("A zstd header that claims far more than the file carries is corrupt, not allocated") {
  // A frame header stating 2 GiB of content, then one small block and nothing more.
  using Cctx = std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)>;
  Cctx cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  REQUIRE(ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(cctx.get(), 1ULL << 31)) == 0);
  std::string out(1024, '\0');
  const std::string some = "\x08\x01";
  ZSTD_inBuffer in{some.data(), some.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  REQUIRE_FALSE(ZSTD_isError(ZSTD_compressStream2(cctx.get(), &o, &in, ZSTD_e_flush)));
  out.resize(o.pos);
  REQUIRE(ZSTD_getFrameContentSize(out.data(), out.size()) == 1ULL << 31);
  CHECK(Message(out) ==
        "signals.pb.zst: zstd: truncated after " + std::to_string(out.size()) + " bytes");
}

TEST_CASE("A column name over 256 bytes is corrupt, named by its length and the limit") {
  proto::SignalLog log = Frames(2);
  log.add_columns()->set_name(std::string(257, 'n'));
  CHECK(Message(Compress(log)) ==
        "signals.pb.zst: a column name of 257 bytes, over the limit of 256");
}

TEST_CASE("A text id past the column's texts is corrupt at its byte offset") {
  proto::SignalLog log = Frames(2);
  proto::SignalColumn* c = log.add_columns();
  c->set_name("gear");
  c->set_kind(proto::SignalColumn::TEXT);
  c->add_texts("P");
  c->set_values(std::string("\x00\x05", 2));
  CHECK(Message(Compress(log)) ==
        "signals.pb.zst: texts of gear: no text id 5 at byte 1 (1 texts)");
}

}  // namespace
TEST_CASE("A format 1 log, written before producers were kept, still reads") {
  auto r = DecodeSignalLog(Compress(Frames(3)));
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  for (const proto::SignalFrame& f : *r) CHECK(f.producer().empty());
}

TEST_CASE("A log without producers is written as format 1") {
  std::vector<proto::SignalFrame> frames(2);
  frames[1].set_mono_ns(5);
  const std::string compressed = EncodeSignalLog(frames).value();
  std::string raw(ZSTD_getFrameContentSize(compressed.data(), compressed.size()), '\0');
  REQUIRE_FALSE(
      ZSTD_isError(ZSTD_decompress(raw.data(), raw.size(), compressed.data(), compressed.size())));
  proto::SignalLog log;
  REQUIRE(log.ParseFromString(raw));
  CHECK(log.format_version() == 1);
  CHECK(log.producers_size() == 0);
}

TEST_CASE("A producer index beyond the producers is corrupt at its byte offset") {
  proto::SignalLog log = Frames(3);
  log.set_format_version(2);
  log.add_producers("can0");
  log.set_producer(std::string("\0\0\x01", 3));
  CHECK(Message(Compress(log)) ==
        "signals.pb.zst: producer: no producer 1 at byte 2 (1 producers)");
}

TEST_CASE("A truncated producer column is corrupt at its byte offset and frame") {
  proto::SignalLog log = Frames(3);
  log.set_format_version(2);
  log.add_producers("can0");
  log.set_producer(std::string("\0\0", 2));
  CHECK(Message(Compress(log)) == "signals.pb.zst: producer truncated at byte 2 (frame 2)");
}

TEST_CASE("Producers in a format 1 log are corrupt") {
  proto::SignalLog log = Frames(1);
  log.add_producers("can0");
  CHECK(Message(Compress(log)) == "signals.pb.zst: format_version 1 with producers");
}

}  // namespace fleetclip::queue

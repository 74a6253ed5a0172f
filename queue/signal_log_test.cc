// signals.pb.zst on synthetic drives: frames come back as sent (within the stated quantisation),
// the columnar layout beats row-wise protobuf + zstd -3, and damage is detected.
#include "queue/signal_log.h"

#include <zstd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "tests/support/drive_gen.h"

namespace fleetclip::queue {
namespace {

std::vector<proto::SignalFrame> DriveFrames(int64_t seconds, bool faults) {
  testing::DriveOptions o;
  o.duration_s = seconds;
  o.faults = faults;
  return testing::GenerateDrive(o).frames;
}

std::map<std::string, const proto::SignalValue*> ByName(const proto::SignalFrame& f) {
  std::map<std::string, const proto::SignalValue*> m;
  for (const auto& v : f.values()) m[v.name()] = &v;
  return m;
}

}  // namespace

TEST_CASE("A drive's frames decode back to the same times, sequence numbers and values") {
  const auto frames = DriveFrames(60, true);
  auto encoded = EncodeSignalLog(frames);
  REQUIRE(encoded.ok());
  auto decoded = DecodeSignalLog(*encoded);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    const auto& a = frames[i];
    const auto& b = (*decoded)[i];
    REQUIRE(a.mono_ns() == b.mono_ns());
    REQUIRE(a.seq() == b.seq());
    auto ma = ByName(a), mb = ByName(b);
    REQUIRE(ma.size() == mb.size());
    for (const auto& [name, va] : ma) {
      const auto* vb = mb.at(name);
      REQUIRE(va->value_case() == vb->value_case());
      if (va->has_number()) {
        REQUIRE(std::fabs(va->number() - vb->number()) <= 5e-7);
      } else if (va->has_flag()) {
        REQUIRE(va->flag() == vb->flag());
      } else {
        REQUIRE(va->text() == vb->text());
      }
    }
  }
}

TEST_CASE("Numbers with few decimals, infinities and NaN come back exactly") {
  std::vector<proto::SignalFrame> frames(3);
  const double values[] = {1.25, -0.5, 12345.678};
  for (int i = 0; i < 3; ++i) {
    frames[i].set_mono_ns(1'000'000'000 + i * 10'000'000);
    frames[i].set_seq(i + 1);
    auto* v = frames[i].add_values();
    v->set_name("speed");
    v->set_number(values[i]);
    auto* w = frames[i].add_values();
    w->set_name("odd");
    w->set_number(i == 1 ? INFINITY : 0.1 * i);
  }
  auto decoded = DecodeSignalLog(EncodeSignalLog(frames).value()).value();
  for (int i = 0; i < 3; ++i) {
    CHECK(decoded[i].values(0).number() == values[i]);
    CHECK(decoded[i].values(1).number() == frames[i].values(1).number());
  }
}

TEST_CASE("The columnar log is at most 0.6 of row-wise protobuf frames compressed by zstd -3") {
  const auto frames = DriveFrames(120, false);
  std::string rows;
  for (const auto& f : frames) {
    const std::string b = f.SerializeAsString();
    rows += static_cast<char>(b.size());  // length prefix (frames are < 128 bytes here)
    rows += b;
  }
  std::string z(ZSTD_compressBound(rows.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), rows.data(), rows.size(), 3));
  const auto ours = EncodeSignalLog(frames).value();
  INFO("ours " << ours.size() << " bytes, row-wise zstd -3 " << z.size() << " bytes");
  CHECK(static_cast<double>(ours.size()) <= 0.6 * static_cast<double>(z.size()));
}

TEST_CASE("Each frame's producer comes back, unnamed ones included") {
  const char* kProducers[] = {"can0", "autonomy", "", "can0", "model.steer", "autonomy"};
  std::vector<proto::SignalFrame> frames;
  for (int i = 0; i < 600; ++i) {
    proto::SignalFrame& f = frames.emplace_back();
    f.set_mono_ns(1'000'000LL * i);
    f.set_seq(static_cast<uint64_t>(i));
    f.set_producer(kProducers[i % 6]);
    proto::SignalValue* v = f.add_values();
    v->set_name("speed");
    v->set_number(i);
  }
  auto decoded = DecodeSignalLog(EncodeSignalLog(frames).value());
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    INFO("frame " << i);
    REQUIRE((*decoded)[i].producer() == frames[i].producer());
  }
}

TEST_CASE("A flipped byte in signals.pb.zst is reported as corruption") {
  auto encoded = EncodeSignalLog(DriveFrames(5, false)).value();
  encoded[encoded.size() / 2] = static_cast<char>(encoded[encoded.size() / 2] ^ 0x40);
  auto decoded = DecodeSignalLog(encoded);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code() == ErrorCode::kCorruption);
}

TEST_CASE("A signal that changes type within a window is refused by name") {
  std::vector<proto::SignalFrame> frames(2);
  frames[0].add_values()->set_name("gear");
  frames[0].mutable_values(0)->set_number(3);
  frames[1].add_values()->set_name("gear");
  frames[1].mutable_values(0)->set_text("P");
  auto r = EncodeSignalLog(frames);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().find("gear") != std::string::npos);
}

}  // namespace fleetclip::queue

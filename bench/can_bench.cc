// bench/can.sh's program. `gen DIR` writes a 500-message DBC (bus.dbc: Intel and Motorola,
// signed, float, value-table and multiplexed signals, classic and CAN FD, standard and extended
// ids) and a candump log of it (bus.log, 2 000 000 frames, random payloads). `decode DIR` reads
// the log and decodes every frame (can::CandumpReader + can::Decoder); `read DIR`, the peer, only
// reads it (CandumpReader alone: the same lines parsed into frames, nothing decoded). Each prints
// "frames=N signals=N seconds=S fps=F" (wall-clock time of the loop, the log in page cache).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "can/candump.h"
#include "can/decoder.h"

namespace fc = fleetclip::can;

namespace {

constexpr int kMessages = 500;
constexpr int kDefaultFrames = 2000000;

uint64_t Next(uint64_t& s) {
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 0x2545F4914F6CDD1DULL;
}

// Message i: FD (16 bytes) every tenth, extended id every seventh, multiplexed every fifth.
struct Shape {
  uint32_t id;
  bool extended;
  uint32_t bytes;
  bool muxed;
};
Shape ShapeOf(int i) {
  Shape s;
  s.extended = i % 7 == 3;
  s.id = s.extended ? 0x18000000u + static_cast<uint32_t>(i) * 0x100u : 0x100u + i;
  s.bytes = i % 10 == 9 ? 16 : 8;
  s.muxed = i % 5 == 4;
  return s;
}

int Gen(const std::filesystem::path& dir, int frames) {
  std::filesystem::create_directories(dir);
  std::ofstream dbc(dir / "bus.dbc");
  dbc << "VERSION \"\"\n\nBU_: ECU\n\n";
  std::string vals, types;
  for (int i = 0; i < kMessages; ++i) {
    const Shape s = ShapeOf(i);
    const uint32_t dbc_id = s.id | (s.extended ? 0x80000000u : 0);
    dbc << "BO_ " << dbc_id << " Msg" << i << ": " << s.bytes << " ECU\n";
    if (s.muxed) {
      dbc << " SG_ M" << i << "_mux M : 0|2@1+ (1,0) [0|0] \"\" ECU\n";
      dbc << " SG_ M" << i << "_a m0 : 8|16@1+ (0.01,0) [0|0] \"km/h\" ECU\n";
      dbc << " SG_ M" << i << "_b m1 : 8|16@1- (0.1,-5) [0|0] \"deg\" ECU\n";
      dbc << " SG_ M" << i << "_c m2 : 15|12@0+ (1,0) [0|0] \"\" ECU\n";
      dbc << " SG_ M" << i << "_d : 32|32@1+ (1,0) [0|0] \"\" ECU\n";
    } else {
      dbc << " SG_ S" << i << "_speed : 0|16@1+ (0.01,0) [0|0] \"km/h\" ECU\n";
      dbc << " SG_ S" << i << "_accel : 16|12@1- (0.01,0) [0|0] \"m/s2\" ECU\n";
      dbc << " SG_ S" << i << "_steer : 39|16@0- (0.1,0) [0|0] \"deg\" ECU\n";
      dbc << " SG_ S" << i << "_gear : 44|3@1+ (1,0) [0|0] \"\" ECU\n";
      dbc << " SG_ S" << i << "_flag : 47|1@1+ (1,0) [0|0] \"\" ECU\n";
      dbc << " SG_ S" << i << "_ctr : 48|4@1+ (1,0) [0|0] \"\" ECU\n";
      dbc << " SG_ S" << i << "_crc : 56|8@1+ (1,0) [0|0] \"\" ECU\n";
      vals += "VAL_ " + std::to_string(dbc_id) + " S" + std::to_string(i) +
              "_gear 0 \"P\" 1 \"R\" 2 \"N\" 3 \"D\" ;\n";
      if (s.bytes == 16) {
        dbc << " SG_ S" << i << "_temp : 64|32@1- (1,0) [0|0] \"degC\" ECU\n";
        dbc << " SG_ S" << i << "_odo : 96|32@1+ (0.1,0) [0|0] \"km\" ECU\n";
        types +=
            "SIG_VALTYPE_ " + std::to_string(dbc_id) + " S" + std::to_string(i) + "_temp : 1;\n";
      }
    }
    dbc << "\n";
  }
  dbc << vals << types;
  dbc.close();

  std::ofstream log(dir / "bus.log");
  uint64_t state = 0x243F6A8885A308D3ULL;
  fc::CanFrame f;
  for (int n = 0; n < frames; ++n) {
    const Shape s = ShapeOf(static_cast<int>(Next(state) % kMessages));
    f.id = s.id;
    f.extended = s.extended;
    f.fd = s.bytes > 8;
    f.len = static_cast<uint8_t>(s.bytes);
    for (uint32_t b = 0; b < s.bytes; b += 8) {
      const uint64_t v = Next(state);
      std::memcpy(f.data.data() + b, &v, 8);
    }
    log << fc::FormatCandumpLine(int64_t{1700000000} * 1000000000 + int64_t{n} * 100000, "can0", f)
        << '\n';
  }
  return 0;
}

int Run(const std::filesystem::path& dir, bool decode) {
  std::shared_ptr<const fc::Dbc> dbc;
  if (decode) {
    auto parsed = fc::LoadDbc(dir / "bus.dbc");
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s\n", parsed.error().ToString().c_str());
      return 1;
    }
    dbc = std::make_shared<const fc::Dbc>(std::move(*parsed));
  }
  std::unique_ptr<fc::Decoder> decoder;
  if (dbc) decoder = std::make_unique<fc::Decoder>(dbc);
  auto reader = fc::CandumpReader::Open(dir / "bus.log");
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.error().ToString().c_str());
    return 1;
  }
  fc::CandumpRecord rec;
  uint64_t frames = 0, signals = 0, checksum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (true) {
    auto more = reader->Next(rec);
    if (!more.ok()) {
      std::fprintf(stderr, "%s\n", more.error().ToString().c_str());
      return 1;
    }
    if (!*more) break;
    ++frames;
    if (decoder) {
      const fc::DecodeResult r = decoder->Decode(rec.frame);
      signals += r.signals.size();
      for (const fc::DecodedSignal& s : r.signals) checksum += s.value >= 0 ? 1 : 0;
    } else {
      checksum += rec.frame.data[0];  // keep the read from being optimised away
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("frames=%llu signals=%llu seconds=%.4f fps=%.0f check=%llu\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(signals),
              seconds, static_cast<double>(frames) / seconds,
              static_cast<unsigned long long>(checksum));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && std::strcmp(argv[1], "gen") == 0)) {
    std::fprintf(stderr, "usage: can_bench gen DIR [FRAMES] | decode DIR | read DIR\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "gen") return Gen(argv[2], argc == 4 ? std::atoi(argv[3]) : kDefaultFrames);
  if (mode == "decode") return Run(argv[2], true);
  if (mode == "read") return Run(argv[2], false);
  std::fprintf(stderr, "can_bench: unknown mode %s\n", mode.c_str());
  return 2;
}

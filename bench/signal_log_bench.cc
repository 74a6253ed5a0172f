// signal_log_bench: encodes a drive's signal frames into the clip signal log (columnar, quantised,
// zstd with checksum) and writes the same frames row-wise (length-delimited SignalFrames) for the
// peer, `zstd -3`, which bench/signal-log.sh runs on that file. Prints one `key=value ...` line.
//   signal_log_bench ROWS_FILE [--seconds-of-drive S] [--repeat N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "queue/signal_log.h"
#include "tests/support/drive_gen.h"

int main(int argc, char** argv) {
  using namespace fleetclip;
  if (argc < 2) {
    std::fprintf(stderr, "usage: signal_log_bench ROWS_FILE [--seconds-of-drive S] [--repeat N]\n");
    return 2;
  }
  int64_t drive_s = 600;
  int repeat = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds-of-drive") == 0) drive_s = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  // A 100 Hz drive with the standard signals plus 30 custom ones, with sensor noise, as a car
  // sends.
  const testing::Drive drive = testing::GenerateDrive(
      {.seed = 7, .duration_s = drive_s, .faults = false, .extra_signals = 30});

  // Row-wise input: what the frames are on the wire, each prefixed by its varint length.
  std::string rows;
  for (const auto& f : drive.frames) {
    std::string one = f.SerializeAsString();
    for (uint64_t n = one.size();; n >>= 7) {
      rows.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
      if (n < 0x80) break;
    }
    rows += one;
  }
  std::ofstream(argv[1], std::ios::binary)
      .write(rows.data(), static_cast<std::streamsize>(rows.size()));

  // Encode `repeat` times; the fastest run is the encoder's speed (the others are the noise).
  RealClock clock;
  double best_s = 1e9;
  size_t encoded_bytes = 0;
  for (int r = 0; r < repeat; ++r) {
    const MonoTime t0 = clock.Now();
    auto log = queue::EncodeSignalLog(drive.frames);
    const double s = std::chrono::duration<double>(clock.Now() - t0).count();
    if (!log.ok()) {
      std::fprintf(stderr, "encode failed: %s\n", log.error().ToString().c_str());
      return 1;
    }
    best_s = std::min(best_s, s);
    encoded_bytes = log->size();
  }
  // Decode once to prove the bytes are a faithful log, not just small.
  auto back = queue::DecodeSignalLog(*queue::EncodeSignalLog(drive.frames));
  if (!back.ok() || back->size() != drive.frames.size()) {
    std::fprintf(stderr, "decode check failed\n");
    return 1;
  }
  std::printf("frames=%zu input_bytes=%zu encoded_bytes=%zu encode_seconds=%.4f\n",
              drive.frames.size(), rows.size(), encoded_bytes, best_s);
  return 0;
}

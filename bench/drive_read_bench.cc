// drive_read_bench: the read-only peer of bench/rules-test.sh. Reads a drive file frame by frame
// and parses each frame with libprotobuf (triggers::DriveReader::Next), doing nothing else: what
// any tool that only looks at a drive pays. Prints `frames=N seconds=S fps=X`.
//   drive_read_bench DRIVE
#include <chrono>
#include <cstdio>

#include "common/clock.h"
#include "triggers/drive_file.h"

int main(int argc, char** argv) {
  using namespace fleetclip;
  if (argc != 2) {
    std::fprintf(stderr, "usage: drive_read_bench DRIVE\n");
    return 2;
  }
  // Timed inside like `fleetclip rules test` times its own run (frames_per_s), so both exclude
  // process start-up; the shell also times both whole processes.
  RealClock clock;
  const MonoTime t0 = clock.Now();
  auto reader = triggers::DriveReader::Open(argv[1]);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.error().ToString().c_str());
    return 1;
  }
  uint64_t frames = 0, values = 0;
  while (true) {
    auto frame = reader->Next();
    if (!frame.ok()) {
      std::fprintf(stderr, "%s\n", frame.error().ToString().c_str());
      return 1;
    }
    if (!frame->has_value()) break;
    ++frames;
    values += static_cast<uint64_t>((*frame)->values_size());
  }
  const double s = std::chrono::duration<double>(clock.Now() - t0).count();
  std::printf("frames=%llu values=%llu seconds=%.4f fps=%.0f\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(values), s,
              static_cast<double>(frames) / s);
  return 0;
}

// fleetclip_drive_gen: writes a synthetic labelled drive (see drive_gen.h) for the end-to-end
// replay test and the trigger benchmark.
//   fleetclip_drive_gen --out FILE --labels FILE [--seed N] [--seconds S] [--extra-signals K]
//                       [--no-faults]
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "tests/support/drive_gen.h"

int main(int argc, char** argv) {
  fleetclip::testing::DriveOptions options;
  std::string out, labels;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--out" && has_value) {
      out = argv[++i];
    } else if (a == "--labels" && has_value) {
      labels = argv[++i];
    } else if (a == "--seed" && has_value) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--seconds" && has_value) {
      options.duration_s = std::strtoll(argv[++i], nullptr, 10);
    } else if (a == "--extra-signals" && has_value) {
      options.extra_signals = std::atoi(argv[++i]);
    } else if (a == "--no-faults") {
      options.faults = false;
    } else {
      std::cerr << "usage: fleetclip_drive_gen --out FILE --labels FILE [--seed N] [--seconds S] "
                   "[--extra-signals K] [--no-faults]\n";
      return 2;
    }
  }
  if (out.empty() || labels.empty() || options.duration_s <= 0) {
    std::cerr << "fleetclip_drive_gen: --out and --labels are required\n";
    return 2;
  }
  const auto drive = fleetclip::testing::GenerateDrive(options);
  if (auto s = fleetclip::testing::WriteDrive(drive, out, labels); !s.ok()) {
    std::cerr << "fleetclip_drive_gen: " << s.error().ToString() << "\n";
    return 1;
  }
  std::cout << "wrote " << drive.frames.size() << " frames and " << drive.events.size()
            << " planted events\n";
  return 0;
}

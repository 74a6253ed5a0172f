// fleetclip_drive_gen: writes a synthetic labelled drive (see drive_gen.h) for the end-to-end
// replay test and the trigger benchmark.
//   fleetclip_drive_gen --out FILE --labels FILE [--seed N] [--seconds S] [--extra-signals K]
//                       [--no-faults] [--script KIND@SECONDS,…] [--park-at SECONDS]
// --script plants exactly the listed episodes (see DriveOptions::script), e.g. the demo's drive:
//   --script disengagement@12,brake_spike@20,harsh_braking@28,brisk_steering@36,steering_jerk@44
#include <cstdlib>
#include <iostream>
#include <sstream>
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
    } else if (a == "--script" && has_value) {
      std::stringstream list{std::string(argv[++i])};
      std::string item;
      while (std::getline(list, item, ',')) {
        const size_t at = item.find('@');
        const std::string kind = item.substr(0, at);
        if (at == std::string::npos || !fleetclip::testing::IsEpisodeName(kind)) {
          std::cerr << "fleetclip_drive_gen: --script item \"" << item
                    << "\" is not KIND@SECONDS with a known kind\n";
          return 2;
        }
        options.script.emplace_back(kind, std::strtod(item.c_str() + at + 1, nullptr));
      }
    } else if (a == "--park-at" && has_value) {
      options.park_at_s = std::strtod(argv[++i], nullptr);
    } else {
      std::cerr << "usage: fleetclip_drive_gen --out FILE --labels FILE [--seed N] [--seconds S] "
                   "[--extra-signals K] [--no-faults] [--script KIND@S,…] [--park-at S]\n";
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

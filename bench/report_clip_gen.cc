// bench/report.sh's clip: a clip folder as the clip writer lays it out (manifest.pb,
// signals.pb.zst, one MP4 per camera) from camera files made by bench/lib.sh, with a 60 s drive at
// 100 Hz (one harsh brake in the middle) as its signal log. The camera files are copied in; their
// timing in the manifest is 30 fps from the window start.
//   report_clip_gen OUT_DIR SECONDS CAMERA.mp4...
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "proto/clip_manifest.pb.h"
#include "queue/sha256.h"
#include "queue/signal_log.h"
#include "tests/support/drive_gen.h"

namespace fs = std::filesystem;
using namespace fleetclip;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: report_clip_gen OUT_DIR SECONDS CAMERA.mp4...\n");
    return 2;
  }
  const fs::path out = argv[1];
  const int64_t seconds = std::stoll(argv[2]);
  fs::create_directories(out);
  constexpr int64_t kStart = 1'000'000'000;
  proto::ClipManifest m;
  m.set_format_version(1);
  m.set_clip_id("01900000-0000-7000-8000-00000000bench");
  m.set_vehicle_id("bench-car");
  m.set_window_start_mono_ns(kStart);
  m.set_window_end_mono_ns(kStart + seconds * 1'000'000'000);
  m.mutable_time_mapping()->set_mono_ns(kStart);
  m.mutable_time_mapping()->set_wall_unix_ns(1'767'225'600'000'000'000);
  m.set_signals_file("signals.pb.zst");
  auto add_file = [&](const std::string& name) {
    auto* f = m.add_files();
    f->set_name(name);
    f->set_bytes(static_cast<int64_t>(fs::file_size(out / name)));
    f->set_sha256(queue::HexToBytes(queue::Sha256FileHex(out / name).value()));
  };
  for (int i = 3; i < argc; ++i) {
    const std::string name = "cam" + std::to_string(i - 3);
    fs::copy_file(argv[i], out / (name + ".mp4"), fs::copy_options::overwrite_existing);
    auto* c = m.add_cameras();
    c->set_name(name);
    c->set_codec("h264");
    c->set_width(1920);
    c->set_height(1080);
    c->set_first_packet_mono_ns(kStart);
    c->set_packets(seconds * 30);
    c->set_last_packet_mono_ns(kStart + (seconds * 30 - 1) * 1'000'000'000 / 30);
    c->set_file(name + ".mp4");
    add_file(name + ".mp4");
  }
  const testing::Drive drive =
      testing::GenerateDrive({.seed = 3,
                              .duration_s = seconds,
                              .start_ns = kStart,
                              .faults = false,
                              .script = {{"harsh_braking", static_cast<double>(seconds) / 2}}});
  std::ofstream(out / "signals.pb.zst", std::ios::binary)
      << queue::EncodeSignalLog(drive.frames).value();
  add_file("signals.pb.zst");
  auto* e = m.add_events();
  e->set_rule("harsh_braking");
  e->set_source("rule");
  e->set_fired_mono_ns(kStart + seconds * 500'000'000);
  e->set_peak_value(-4.1);
  e->set_priority(60);
  std::ofstream(out / "manifest.pb", std::ios::binary) << m.SerializeAsString();
  std::printf("clip %s: %d cameras, %zu signal frames\n", out.c_str(), m.cameras_size(),
              drive.frames.size());
  return 0;
}

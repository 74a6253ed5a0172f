// video_core_demo: the video core on its own, until the daemon exists. Three synthetic cameras are
// encoded live (libx264) into their rings in real time; after a few seconds one window is cut from
// all three into MP4 clips that any player opens. Usage: video_core_demo [--out DIR] [--seconds N]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "codec/camera_source.h"
#include "codec/clip_muxer.h"
#include "codec/media_init.h"
#include "common/durable_file.h"

namespace fc = fleetclip;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  std::filesystem::path out = "out/demo";
  int seconds = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--out DIR] [--seconds N (3..120)]\n", argv[0]);
      return 2;
    }
  }
  if (seconds < 3 || seconds > 120) {
    std::fprintf(stderr, "--seconds must be within 3..120, got %d\n", seconds);
    return 2;
  }
  // 1. Platform: clock, logger, FFmpeg.
  fc::InitMediaLibraries();
  fc::RealClock clock;
  fc::FdLogSink sink;
  fc::Logger log(sink, fc::LogLevel::kNotice);
  if (fc::Status s = fc::CreateDirsDurably(out); !s.ok()) {
    std::fprintf(stderr, "cannot create %s: %s\n", out.c_str(), s.error().ToString().c_str());
    return 1;
  }

  // 2. Three synthetic cameras, each with its own ring and capture thread.
  const std::vector<std::pair<std::string, std::string>> cams = {
      {"front", "testsrc2=size=640x360:rate=30"},
      {"left", "smptehdbars=size=640x360:rate=30"},
      {"right", "mandelbrot=size=640x360:rate=30"}};
  std::vector<std::unique_ptr<fc::PacketRing>> rings;
  std::vector<std::unique_ptr<fc::CameraSource>> sources;
  std::vector<std::jthread> threads;
  for (const auto& [name, graph] : cams) {
    rings.push_back(std::make_unique<fc::PacketRing>(
        fc::RingLimits{.max_duration = 30s, .max_bytes = 64 << 20}));
    fc::CameraOptions o;
    o.name = name;
    o.url = graph;
    o.input_format = "lavfi";
    o.bitrate_bps = 1'500'000;
    sources.push_back(std::make_unique<fc::CameraSource>(o, *rings.back(), clock, log));
    threads.emplace_back([src = sources.back().get()](std::stop_token st) { src->Run(st); });
  }
  std::printf("capturing 3 synthetic cameras for %d s ...\n", seconds);
  std::fflush(stdout);
  clock.SleepFor(std::chrono::seconds(seconds), {});

  // 3. One window, every camera: the last (seconds - 2) s, as if a trigger fired 1 s ago.
  const fc::MonoTime now = clock.Now();
  std::vector<const fc::PacketRing*> ring_ptrs;
  for (const auto& r : rings) ring_ptrs.push_back(r.get());
  const auto snaps = fc::TakeWindow(ring_ptrs, now - std::chrono::seconds(seconds - 1), now - 1s);
  for (auto& t : threads) t.request_stop();
  threads.clear();

  // 4. Mux and report.
  int failures = 0;
  std::printf("\n%-6s %-22s %7s %9s %10s  %s\n", "camera", "stream", "frames", "seconds", "bytes",
              "clip");
  for (size_t i = 0; i < snaps.size(); ++i) {
    const auto path = out / (cams[i].first + ".mp4");
    auto clip = fc::MuxClip(snaps[i], path);
    if (!clip.ok()) {
      std::printf("%-6s failed: %s\n", cams[i].first.c_str(), clip.error().ToString().c_str());
      ++failures;
      continue;
    }
    std::printf("%-6s %-22s %7lld %9.2f %10lld  %s\n", cams[i].first.c_str(),
                snaps[i].info->Describe().c_str(), static_cast<long long>(clip->packets),
                std::chrono::duration<double>(clip->media_duration).count(),
                static_cast<long long>(clip->bytes), std::filesystem::absolute(path).c_str());
  }
  if (failures == 0) {
    std::printf("\nopen them with any player, e.g.: ffplay %s\n",
                std::filesystem::absolute(out / "front.mp4").c_str());
  }
  return failures == 0 ? 0 : 1;
}

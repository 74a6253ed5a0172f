// video_bench: the video-core half of each benchmark; the shell driver (bench/NAME.sh) runs the
// peer in the same run and computes ratios. Each mode prints one `key=value ...` line on stdout.
//   video_bench ingest FILE...              read every file once, as fast as possible, into a ring
//   each video_bench snapshot OUTDIR FILE...     fill one 60 s ring per file, then cut a 40 s
//   window from all
//                                           of them into durable MP4s, as many at once as there are
//                                           cores (timed part)
//   video_bench ring-memory FILE...         hold a 60 s ring per file; report peak RSS and payload
//   held
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "codec/camera_source.h"
#include "codec/clip_muxer.h"
#include "codec/media_init.h"

namespace fc = fleetclip;
using namespace std::chrono_literals;

namespace {

constexpr fc::RingLimits kRing{.max_duration = 60s, .max_bytes = 2LL << 30};

// Captures every file into its own ring concurrently, one thread per camera as in the daemon.
std::vector<std::unique_ptr<fc::PacketRing>> Capture(const std::vector<std::string>& files,
                                                     const fc::Clock& clock, const fc::Logger& log,
                                                     int64_t* packets) {
  std::vector<std::unique_ptr<fc::PacketRing>> rings;
  std::vector<std::unique_ptr<fc::CameraSource>> sources;
  for (size_t i = 0; i < files.size(); ++i) {
    rings.push_back(std::make_unique<fc::PacketRing>(kRing));
    fc::CameraOptions o;
    o.name = "cam" + std::to_string(i);
    o.url = files[i];
    o.pacing = fc::CameraOptions::Pacing::kAsFastAsPossible;
    o.max_opens = 1;
    o.backoff_initial = 0ns;
    sources.push_back(std::make_unique<fc::CameraSource>(o, *rings.back(), clock, log));
  }
  {
    std::vector<std::jthread> threads;
    for (auto& s : sources) threads.emplace_back([src = s.get()] { src->Run({}); });
  }
  *packets = 0;
  for (auto& s : sources) *packets += s->stats().packets;
  return rings;
}

double Seconds(fc::Nanos d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: video_bench ingest|snapshot|ring-memory [OUTDIR] FILE...\n");
    return 2;
  }
  fc::InitMediaLibraries();
  const std::string mode = argv[1];
  fc::RealClock real;
  fc::FakeClock frozen;  // file timelines anchored at one instant: every ring on the same timeline
  fc::FdLogSink sink;
  fc::Logger log(sink, fc::LogLevel::kWarning);
  int64_t packets = 0;

  if (mode == "ingest") {
    const std::vector<std::string> files(argv + 2, argv + argc);
    const fc::MonoTime t0 = real.Now();
    auto rings = Capture(files, frozen, log, &packets);
    const double secs = Seconds(real.Now() - t0);
    int64_t bytes = 0;
    for (const auto& f : files) bytes += static_cast<int64_t>(std::filesystem::file_size(f));
    std::printf("seconds=%.4f packets=%lld file_bytes=%lld\n", secs,
                static_cast<long long>(packets), static_cast<long long>(bytes));
    return 0;
  }
  if (mode == "snapshot" && argc >= 4) {
    const std::filesystem::path out = argv[2];
    const std::vector<std::string> files(argv + 3, argv + argc);
    auto rings = Capture(files, frozen, log, &packets);
    std::vector<const fc::PacketRing*> ptrs;
    fc::MonoTime newest = fc::MonoFromNanos(0);
    for (const auto& r : rings) {
      ptrs.push_back(r.get());
      newest =
          std::max(newest, r->Take(fc::MonoFromNanos(0), fc::MonoFromNanos(INT64_MAX)).last_time());
    }
    const fc::MonoTime t0 = real.Now();
    const auto snaps = fc::TakeWindow(ptrs, newest - 45s, newest - 5s);
    std::vector<std::filesystem::path> paths;
    for (size_t i = 0; i < snaps.size(); ++i)
      paths.push_back(out / ("cam" + std::to_string(i) + ".mp4"));
    int64_t bytes = 0;
    const int parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (auto& clip : fc::MuxClips(snaps, paths, parallelism)) {
      if (!clip.ok()) {
        std::fprintf(stderr, "mux failed: %s\n", clip.error().ToString().c_str());
        return 1;
      }
      bytes += clip->bytes;
    }
    std::printf("seconds=%.4f clip_bytes=%lld\n", Seconds(real.Now() - t0),
                static_cast<long long>(bytes));
    return 0;
  }
  if (mode == "ring-memory") {
    const std::vector<std::string> files(argv + 2, argv + argc);
    auto rings = Capture(files, frozen, log, &packets);
    int64_t payload = 0;
    double min_held_s = 1e9;
    for (const auto& r : rings) {
      const auto st = r->stats();
      payload += st.bytes;
      min_held_s = std::min(min_held_s, Seconds(st.duration));
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak_rss_bytes=%lld payload_bytes=%lld min_ring_seconds=%.2f\n",
                static_cast<long long>(ru.ru_maxrss) * 1024, static_cast<long long>(payload),
                min_held_s);
    return 0;
  }
  std::fprintf(stderr, "video_bench: unknown mode or missing arguments: %s\n", mode.c_str());
  return 2;
}

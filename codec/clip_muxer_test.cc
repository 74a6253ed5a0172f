// ClipMuxer on real rings filled from libx264/libx265 streams: clips decode from their first frame,
// last as long as asked (±1 GOP), line up across cameras, are durable, and fail cleanly on a full
// disk.
#include "codec/clip_muxer.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <thread>

#include "codec/camera_source.h"
#include "codec/media_init.h"
#include "tests/support/media.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tmpfs_mount.h"

namespace fleetclip {
namespace {
using namespace std::chrono_literals;
using testing::DecodeFile;
using testing::MakeTestVideo;

struct MuxerFixture {
  MuxerFixture() { InitMediaLibraries(); }
  TempDir dir;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink};

  // Reads `file` once, as fast as possible, into a new ring on this fixture's (frozen) clock.
  std::unique_ptr<PacketRing> Fill(const std::filesystem::path& file) {
    auto ring =
        std::make_unique<PacketRing>(RingLimits{.max_duration = 3600s, .max_bytes = 1LL << 30});
    CameraOptions o;
    o.name = file.stem();
    o.url = file;
    o.pacing = CameraOptions::Pacing::kAsFastAsPossible;
    o.backoff_initial = 0ns;
    o.max_opens = 1;
    CameraSource(o, *ring, clock, log).Run({});
    return ring;
  }
};

size_t CountFiles(const std::filesystem::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("Every muxed clip decodes from its first frame and lasts as asked within one GOP") {
  MuxerFixture f;
  const auto codec = GENERATE(as<std::string>{}, "h264", "hevc");
  const auto file = f.dir.path() / ("in-" + codec + ".mkv");
  const int gop = 15;  // 0.5 s at 30 fps
  MakeTestVideo(file, {.codec = codec, .seconds = 10, .gop = gop, .bframes = 2});
  auto ring = f.Fill(file);
  const MonoTime t0 = ring->Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)).first_time();
  const std::vector<std::pair<Nanos, Nanos>> windows = {
      {2s, 6s}, {100ms, 3300ms}, {4321ms, 9s}, {0s, 9900ms}};
  int i = 0;
  for (auto [start, end] : windows) {
    const Snapshot snap = ring->Take(t0 + start, t0 + end);
    auto clip = MuxClip(snap, f.dir.path() / (codec + std::to_string(i++) + ".mp4"));
    REQUIRE(clip.ok());
    const auto r = DecodeFile(clip->path);
    INFO(codec << " window " << ToMillis(start) << ".." << ToMillis(end)
               << " ms: frames=" << r.frames << " duration=" << r.duration_s);
    REQUIRE(r.codec == codec);
    REQUIRE(r.decode_errors == 0);
    REQUIRE(r.first_frame_is_key);
    // x265 makes open GOPs: a clip starting at a CRA keyframe drops its leading RASL pictures (up
    // to the B-frame depth), as every decoder must. H.264 here is closed-GOP: every packet is a
    // frame.
    const int64_t leading = codec == "hevc" ? 2 : 0;
    REQUIRE(r.frames >= static_cast<int64_t>(snap.packets.size()) - leading);
    REQUIRE(r.frames <= static_cast<int64_t>(snap.packets.size()));
    const double asked = std::chrono::duration<double>(end - start).count();
    REQUIRE(std::abs(r.duration_s - asked) <= gop / 30.0 + 1 / 30.0);
    REQUIRE(clip->packets == static_cast<int64_t>(snap.packets.size()));
    REQUIRE(std::abs(std::chrono::duration<double>(clip->media_duration).count() - r.duration_s) <=
            (static_cast<double>(leading) + 0.5) / 30);
  }
}

TEST_CASE("Three cameras cut from one window start within one GOP of each other") {
  MuxerFixture f;
  const std::vector<int> gops = {15, 20, 30};
  std::vector<std::unique_ptr<PacketRing>> rings(3);
  std::vector<std::jthread> capture;
  for (int c = 0; c < 3; ++c) {
    const auto file = f.dir.path() / ("cam" + std::to_string(c) + ".mp4");
    MakeTestVideo(file,
                  {.seconds = 8, .gop = gops[static_cast<size_t>(c)], .bframes = c == 0 ? 2 : 0});
    capture.emplace_back([&, c, file] { rings[static_cast<size_t>(c)] = f.Fill(file); });
  }
  capture.clear();  // all three captured concurrently, on one timeline
  const MonoTime t0 = f.clock.Now();
  std::vector<const PacketRing*> ptrs = {rings[0].get(), rings[1].get(), rings[2].get()};
  const auto snaps = TakeWindow(ptrs, t0 + 2500ms, t0 + 6500ms);
  std::vector<std::filesystem::path> paths;
  for (int c = 0; c < 3; ++c) paths.push_back(f.dir.path() / ("clip" + std::to_string(c) + ".mp4"));
  const auto clips = MuxClips(snaps, paths, 2);
  REQUIRE(clips.size() == 3);
  MonoTime earliest = MonoFromNanos(INT64_MAX), latest = MonoFromNanos(0);
  for (size_t c = 0; c < snaps.size(); ++c) {
    earliest = std::min(earliest, snaps[c].first_time());
    latest = std::max(latest, snaps[c].first_time());
    REQUIRE(t0 + 2500ms - snaps[c].first_time() < Nanos(1'000'000'000LL * gops[c] / 30));
    REQUIRE(clips[c].ok());
    REQUIRE(clips[c]->path == paths[c]);
    REQUIRE(DecodeFile(clips[c]->path).decode_errors == 0);
  }
  REQUIRE(latest - earliest <= 1s);  // the longest GOP
}

TEST_CASE("A muxed clip is complete under its final name with no temp file left") {
  MuxerFixture f;
  const auto file = f.dir.path() / "in.mp4";
  MakeTestVideo(file, {.seconds = 2});
  auto ring = f.Fill(file);
  const auto out_dir = f.dir.path() / "clips";
  std::filesystem::create_directory(out_dir);
  auto clip =
      MuxClip(ring->Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)), out_dir / "front.mp4");
  REQUIRE(clip.ok());
  REQUIRE(CountFiles(out_dir) == 1);
  REQUIRE(clip->bytes == static_cast<int64_t>(std::filesystem::file_size(out_dir / "front.mp4")));
  REQUIRE(clip->bytes > ring->Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)).bytes());
}

TEST_CASE("An empty snapshot is refused with a clear error") {
  MuxerFixture f;
  PacketRing ring({});
  auto clip = MuxClip(ring.Take(MonoFromNanos(0), MonoFromNanos(1)), f.dir.path() / "x.mp4");
  REQUIRE_FALSE(clip.ok());
  REQUIRE(clip.error().code() == ErrorCode::kInvalidArgument);
  REQUIRE(clip.error().message().find("x.mp4") != std::string::npos);
  REQUIRE(CountFiles(f.dir.path()) == 0);
}

TEST_CASE("A full disk fails the clip with no_space and leaves nothing behind") {
  MuxerFixture f;
  const auto file = f.dir.path() / "in.mp4";
  MakeTestVideo(file, {.width = 640, .height = 480, .seconds = 4, .bitrate_bps = 2'000'000});
  auto ring = f.Fill(file);
  const auto mnt = f.dir.path() / "small";
  std::filesystem::create_directory(mnt);
  // The muxer writes through the FileSystem seam (MuxClip(fs, …)): FaultFileSystem
  // (tests/support/fault_file_system.h) can give it ENOSPC without root; this keeps the kernel's.
  testing::TmpfsMount small(mnt, "size=128k");
  FLEETCLIP_SKIP_UNLESS_MOUNTED(small);
  auto clip = MuxClip(ring->Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)), mnt / "front.mp4");
  CHECK_FALSE(clip.ok());
  if (!clip.ok()) {
    CHECK(clip.error().code() == ErrorCode::kNoSpace);
    CHECK(clip.error().message().find("front.mp4") != std::string::npos);
  }
  CHECK(CountFiles(mnt) == 0);
}

}  // namespace fleetclip

// CameraSource against real inputs: files made by libx264/libx265, lavfi graphs, broken files and a
// TCP peer that resets and stalls. FakeClock keeps file timelines exact where time does not matter.
#include "codec/camera_source.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <thread>

#include "codec/clip_muxer.h"
#include "codec/media_init.h"
#include "tests/support/media.h"
#include "tests/support/temp_dir.h"

namespace fleetclip {
namespace {
using namespace std::chrono_literals;
using testing::DecodeFile;
using testing::MakeTestVideo;
using testing::PacketPayloads;

CameraOptions FileCamera(const std::string& url, int64_t max_opens = 1) {
  CameraOptions o;
  o.name = "front";
  o.url = url;
  o.pacing = CameraOptions::Pacing::kAsFastAsPossible;
  o.backoff_initial = 0ns;  // reopen at once: the fake clock never moves
  o.max_opens = max_opens;
  return o;
}

RingLimits BigRing() { return {.max_duration = 3600s, .max_bytes = 1LL << 30}; }

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> RingPayloads(const PacketRing& ring) {
  std::vector<std::string> out;
  for (const auto& p : ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)).packets) {
    out.emplace_back(reinterpret_cast<const char*>(p->data()), static_cast<size_t>(p->size()));
  }
  return out;
}

struct Fixture {
  Fixture() { InitMediaLibraries(); }
  TempDir dir;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink, LogLevel::kDebug};
  // The source's log, shown when a check fails.
  std::string Logs() const {
    std::string all;
    for (const auto& l : sink.Lines()) all += l + "\n";
    return all;
  }
};

}  // namespace

TEST_CASE("H.264 with B-frames passes through bit for bit") {
  Fixture f;
  const auto file = f.dir.path() / "in.mp4";
  MakeTestVideo(file, {.codec = "h264", .seconds = 3, .gop = 15, .bframes = 2});
  PacketRing ring(BigRing());
  CameraSource cam(FileCamera(file), ring, f.clock, f.log);
  cam.Run({});
  const auto expected = PacketPayloads(file);
  REQUIRE(expected.size() == 90);
  REQUIRE(RingPayloads(ring) == expected);
  REQUIRE(cam.stats().corrupt_packets == 0);
  REQUIRE(ring.stream_info()->params->codec_id == AV_CODEC_ID_H264);
}

TEST_CASE("HEVC passes through bit for bit") {
  Fixture f;
  const auto file = f.dir.path() / "in.mkv";
  MakeTestVideo(file, {.codec = "hevc", .seconds = 2, .gop = 10, .bframes = 2});
  PacketRing ring(BigRing());
  CameraSource cam(FileCamera(file), ring, f.clock, f.log);
  cam.Run({});
  const auto expected = PacketPayloads(file);
  REQUIRE(expected.size() == 60);
  REQUIRE(RingPayloads(ring) == expected);
  REQUIRE(ring.stream_info()->params->codec_id == AV_CODEC_ID_HEVC);
}

TEST_CASE("Raw synthetic input is encoded with a short GOP into a clip that decodes") {
  Fixture f;
  CameraOptions o = FileCamera("testsrc2=size=320x240:rate=30:duration=3");
  o.input_format = "lavfi";
  o.gop_frames = 10;
  PacketRing ring(BigRing());
  CameraSource cam(o, ring, f.clock, f.log);
  cam.Run({});
  INFO(f.Logs());
  const RingStats rs = ring.stats();
  REQUIRE(rs.packets == 90);
  REQUIRE(rs.gops == 9);
  REQUIRE(cam.stats().encode_errors == 0);
  auto clip =
      MuxClip(ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)), f.dir.path() / "enc.mp4");
  REQUIRE(clip.ok());
  const auto report = DecodeFile(clip->path);
  REQUIRE(report.codec == "h264");
  REQUIRE(report.frames == 90);
  REQUIRE(report.decode_errors == 0);
}

TEST_CASE("Capture times follow the stream's timestamps on the injected clock") {
  Fixture f;
  const auto file = f.dir.path() / "in.mp4";
  MakeTestVideo(file, {.seconds = 2, .bframes = 0});
  PacketRing ring(BigRing());
  const MonoTime t0 = f.clock.Now();
  CameraSource cam(FileCamera(file), ring, f.clock, f.log);
  cam.Run({});
  const Snapshot all = ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX));
  REQUIRE(all.first_time() == t0);
  REQUIRE(all.last_time() - t0 ==
          Nanos(av_rescale(59, 1'000'000'000, 30)));  // rounded as FFmpeg does
}

TEST_CASE("A file that ends is reopened and the timeline keeps going forward") {
  Fixture f;
  const auto file = f.dir.path() / "in.mp4";
  MakeTestVideo(file, {.seconds = 1, .bframes = 0});
  PacketRing ring(BigRing());
  CameraSource cam(FileCamera(file, 3), ring, f.clock, f.log);
  cam.Run({});
  REQUIRE(cam.stats().opens == 3);
  REQUIRE(cam.stats().stream_ends == 3);
  const Snapshot all = ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX));
  REQUIRE(all.packets.size() == 90);
  for (size_t i = 1; i < all.packets.size(); ++i) {
    REQUIRE(all.packets[i - 1]->capture_time() <= all.packets[i]->capture_time());
  }
}

TEST_CASE("A truncated file is survived: the torn sample is counted and capture resumes") {
  Fixture f;
  const auto good = f.dir.path() / "good.mp4";
  MakeTestVideo(good, {.seconds = 2, .gop = 15, .bframes = 2});
  const std::string bytes = ReadFile(good);
  const auto cut = f.dir.path() / "cut.mp4";
  WriteFile(cut,
            bytes.substr(0, bytes.size() * 2 / 3));  // the index promises samples that are gone
  PacketRing ring(BigRing());
  CameraSource cam(FileCamera(cut, 2), ring, f.clock, f.log);
  cam.Run({});
  const CameraStats s = cam.stats();
  INFO("corrupt=" << s.corrupt_packets << " skipped=" << s.skipped_packets
                  << " packets=" << s.packets << "\n"
                  << f.Logs());
  REQUIRE(s.opens == 2);
  REQUIRE(s.corrupt_packets >= 2);  // the torn sample, once per pass
  REQUIRE(s.packets >= 2 * 30);     // both passes delivered the intact part
  auto clip =
      MuxClip(ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX)), f.dir.path() / "c.mp4");
  REQUIRE(clip.ok());
  REQUIRE(DecodeFile(clip->path).decode_errors == 0);
}

TEST_CASE("Garbage bytes inside a stream are dropped and counted, and capture resumes after them") {
  Fixture f;
  const auto good = f.dir.path() / "good.ts";
  MakeTestVideo(good, {.seconds = 4, .gop = 15, .bframes = 2});
  std::string bytes = ReadFile(good);
  std::mt19937 rng(42);
  for (size_t at : {bytes.size() / 4 + 77, bytes.size() / 2 + 1001}) {
    for (size_t i = 0; i < 1000; ++i) bytes[at + i] = static_cast<char>(rng());
  }
  const auto bad = f.dir.path() / "bad.ts";
  WriteFile(bad, bytes);
  PacketRing ring(BigRing());
  CameraSource cam(FileCamera(bad), ring, f.clock, f.log);
  cam.Run({});
  const CameraStats s = cam.stats();
  INFO("corrupt=" << s.corrupt_packets << " skipped=" << s.skipped_packets
                  << " packets=" << s.packets << "\n"
                  << f.Logs());
  REQUIRE(s.corrupt_packets >= 2);
  REQUIRE(s.packets >= 60);  // most of 120 frames survive
  const Snapshot all = ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX));
  REQUIRE(all.last_time() - all.first_time() > 3s);  // frames after the last damage were kept
  // Passthrough does not decode, so damage inside a packet the container did not flag is carried
  // as is; what follows the damage, from the next keyframe on, is clean.
  auto whole = MuxClip(all, f.dir.path() / "whole.mp4");
  REQUIRE(whole.ok());
  REQUIRE(DecodeFile(whole->path).frames >= 60);
  auto after =
      MuxClip(ring.Take(all.first_time() + 3s, all.last_time()), f.dir.path() / "after.mp4");
  REQUIRE(after.ok());
  const auto report = DecodeFile(after->path);
  REQUIRE(report.frames >= 15);
  REQUIRE(report.decode_errors == 0);
  REQUIRE(f.sink.Count("event=packet_dropped") >= 1);
}

TEST_CASE("A source that cannot be opened is retried with backoff and says why") {
  Fixture f;
  RealClock clock;
  CameraOptions o = FileCamera((f.dir.path() / "missing.mp4").string(), 4);
  o.backoff_initial = 1ms;
  o.backoff_max = 4ms;
  PacketRing ring(BigRing());
  CameraSource cam(o, ring, clock, f.log);
  cam.Run({});
  REQUIRE(cam.stats().open_failures == 4);
  REQUIRE(cam.stats().last_error.find("missing.mp4") != std::string::npos);
  REQUIRE(f.sink.Count("event=camera_open_failed") == 4);
  REQUIRE(f.sink.Count("retry_in_ms=4") == 2);  // 1, 2, 4, 4: capped
}

TEST_CASE("An encoder option the encoder does not know is reported by name") {
  Fixture f;
  CameraOptions o = FileCamera("testsrc2=size=64x64:rate=10:duration=1");
  o.input_format = "lavfi";
  o.encoder_options["no_such_option"] = "1";
  PacketRing ring(BigRing());
  CameraSource cam(o, ring, f.clock, f.log);
  cam.Run({});
  INFO(f.Logs());
  REQUIRE(cam.stats().open_failures == 1);
  REQUIRE(cam.stats().last_error.find("no_such_option") != std::string::npos);
}

TEST_CASE("A network source that resets or stalls mid-stream is reopened and capture resumes") {
  Fixture f;
  const auto file = f.dir.path() / "live.ts";
  MakeTestVideo(file, {.seconds = 2, .gop = 15, .bframes = 0});
  const std::string ts = ReadFile(file);

  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  REQUIRE(::listen(listener, 4) == 0);
  // Connection 1: half the stream, then a reset. 2: half, then silence (held open). 3: all of it.
  std::jthread peer([&] {
    std::vector<int> held;
    for (int conn = 1; conn <= 3; ++conn) {
      int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) break;
      const size_t n = conn == 3 ? ts.size() : ts.size() / 2;
      (void)::send(c, ts.data(), n, MSG_NOSIGNAL);
      if (conn == 2) {
        held.push_back(c);  // stalls past the source's io_timeout
        continue;
      }
      if (conn == 1) {
        std::this_thread::sleep_for(200ms);  // let the reader take the data before the reset
        linger lg{1, 0};
        ::setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      }
      ::close(c);
    }
    for (int c : held) ::close(c);
  });
  RealClock clock;
  CameraOptions o = FileCamera("tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), 3);
  o.input_format = "mpegts";
  o.io_timeout = 500ms;
  o.backoff_initial = 10ms;
  PacketRing ring(BigRing());
  CameraSource cam(o, ring, clock, f.log);
  cam.Run({});
  peer.join();
  ::shutdown(listener, SHUT_RDWR);
  ::close(listener);
  const CameraStats s = cam.stats();
  INFO("ends=" << s.stream_ends << " errors=" << s.stream_errors << " packets=" << s.packets << "\n"
               << f.Logs());
  REQUIRE(s.opens == 3);
  REQUIRE(s.stream_errors + s.stream_ends == 3);
  REQUIRE(s.stream_errors >= 1);  // the stall at least is an error: timeout
  REQUIRE(f.sink.Count("event=camera_stream_failed") >= 1);
  REQUIRE(s.packets >= 60 + 2 * 20);  // the whole third stream plus much of the first two
}

}  // namespace fleetclip

// PacketRing bounds, keyframe alignment and concurrency, on synthetic packets with known times.
#include "codec/packet_ring.h"

#include <catch2/catch.hpp>
#include <random>
#include <thread>

namespace fleetclip {
namespace {
using namespace std::chrono_literals;

PacketRef MakePacket(MonoTime t, int size, bool key) {
  AVPacket* pkt = av_packet_alloc();
  REQUIRE(av_new_packet(pkt, size) == 0);
  if (key) pkt->flags |= AV_PKT_FLAG_KEY;
  PacketRef p = Packet::Adopt(pkt, t);
  av_packet_free(&pkt);
  return p;
}

const MonoTime kT0 = MonoFromNanos(5'000'000'000);

// Pushes `seconds` of 30 fps video with a keyframe every `gop` frames; keyframes are 4x larger.
void Feed(PacketRing& ring, double seconds, int gop, int frame_bytes, MonoTime start = kT0) {
  const int frames = static_cast<int>(seconds * 30);
  for (int i = 0; i < frames; ++i) {
    const bool key = i % gop == 0;
    ring.Push(MakePacket(start + i * Nanos(33'333'333), key ? frame_bytes * 4 : frame_bytes, key));
  }
}

}  // namespace

TEST_CASE("The ring never holds more than its byte bound") {
  PacketRing ring({.max_duration = 3600s, .max_bytes = 500'000});
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> size(100, 60'000);
  for (int i = 0; i < 3000; ++i) {
    ring.Push(MakePacket(kT0 + i * 33ms, size(rng), i % 15 == 0));
    REQUIRE(ring.stats().bytes <= 500'000);
  }
  REQUIRE(ring.stats().evicted_gops > 0);
}

TEST_CASE("The ring keeps at least its duration bound when bytes allow, and at most one GOP more") {
  PacketRing ring({.max_duration = 10s, .max_bytes = 1LL << 30});
  Feed(ring, 60, 30, 1000);
  const RingStats s = ring.stats();
  REQUIRE(s.duration >= 10s - 34ms);  // newest - oldest spans the bound, within one frame
  REQUIRE(s.duration < 11s);          // and not more than one GOP (1 s) beyond it
  REQUIRE(s.gops >= 10);
}

TEST_CASE("The ring always starts on a keyframe after eviction") {
  PacketRing ring({.max_duration = 2s, .max_bytes = 200'000});
  Feed(ring, 20, 15, 3000);
  Snapshot all = ring.Take(MonoFromNanos(0), kT0 + 1h);
  REQUIRE_FALSE(all.empty());
  REQUIRE(all.packets.front()->key());
}

TEST_CASE("Non-key packets before the first keyframe are dropped and counted") {
  PacketRing ring({});
  REQUIRE(ring.Push(MakePacket(kT0, 100, false)) == PushResult::kDroppedWaitingForKeyframe);
  REQUIRE(ring.Push(MakePacket(kT0 + 33ms, 100, true)) == PushResult::kStored);
  REQUIRE(ring.Push(MakePacket(kT0 + 66ms, 100, false)) == PushResult::kStored);
  REQUIRE(ring.stats().dropped_waiting_for_keyframe == 1);
  REQUIRE(ring.stats().packets == 2);
}

TEST_CASE("A packet larger than the whole byte bound is dropped and its GOP skipped") {
  PacketRing ring({.max_duration = 60s, .max_bytes = 10'000});
  REQUIRE(ring.Push(MakePacket(kT0, 1000, true)) == PushResult::kStored);
  REQUIRE(ring.Push(MakePacket(kT0 + 33ms, 20'000, false)) == PushResult::kDroppedOversized);
  REQUIRE(ring.Push(MakePacket(kT0 + 66ms, 1000, false)) == PushResult::kDroppedWaitingForKeyframe);
  REQUIRE(ring.Push(MakePacket(kT0 + 99ms, 1000, true)) == PushResult::kStored);
  REQUIRE(ring.stats().dropped_oversized == 1);
}

TEST_CASE("A snapshot starts at the last keyframe at or before the asked start") {
  PacketRing ring({.max_duration = 60s, .max_bytes = 1LL << 30});
  Feed(ring, 20, 15, 1000);  // keyframes every 0.5 s
  for (Nanos start : std::initializer_list<Nanos>{3s, 3s + 100ms, 3s + 499ms, 7s + 250ms}) {
    Snapshot s = ring.Take(kT0 + start, kT0 + start + 4s);
    REQUIRE(s.packets.front()->key());
    REQUIRE(s.first_time() <= kT0 + start);
    REQUIRE(kT0 + start - s.first_time() < 500ms);  // the keyframe just before, not an older one
    REQUIRE_FALSE(s.start_shortened);
  }
}

TEST_CASE("A snapshot ends at the last packet at or before the asked end, within one frame") {
  PacketRing ring({.max_duration = 60s, .max_bytes = 1LL << 30});
  Feed(ring, 20, 15, 1000);
  for (Nanos end : std::initializer_list<Nanos>{5s, 5s + 10ms, 12s + 777ms}) {
    Snapshot s = ring.Take(kT0 + 1s, kT0 + end);
    REQUIRE(s.last_time() <= kT0 + end);
    REQUIRE(kT0 + end - s.last_time() < 34ms);
    REQUIRE_FALSE(s.end_shortened);
  }
}

TEST_CASE("A window older than the ring starts at the oldest keyframe and says so") {
  PacketRing ring({.max_duration = 5s, .max_bytes = 1LL << 30});
  Feed(ring, 20, 15, 1000);
  Snapshot s = ring.Take(kT0, kT0 + 19s);
  REQUIRE(s.start_shortened);
  REQUIRE(s.packets.front()->key());
  Snapshot future = ring.Take(kT0 + 18s, kT0 + 30s);
  REQUIRE(future.end_shortened);
  Snapshot gone = ring.Take(kT0, kT0 + 1s);
  REQUIRE(gone.empty());
}

TEST_CASE("Snapshots share payload buffers with the ring instead of copying") {
  PacketRing ring({});
  Feed(ring, 2, 15, 1000);
  Snapshot a = ring.Take(kT0, kT0 + 2s);
  Snapshot b = ring.Take(kT0, kT0 + 2s);
  REQUIRE(a.packets.size() == b.packets.size());
  REQUIRE(a.packets[0]->data() == b.packets[0]->data());
}

TEST_CASE("An incompatible stream clears the ring; a compatible one keeps it") {
  AVCodecParameters* par = avcodec_parameters_alloc();
  par->codec_id = AV_CODEC_ID_H264;
  par->width = 640;
  par->height = 480;
  PacketRing ring({});
  ring.SetStreamInfo(MakeStreamInfo(*par, {1, 90000}, {30, 1}));
  Feed(ring, 2, 15, 1000);
  ring.SetStreamInfo(MakeStreamInfo(*par, {1, 90000}, {30, 1}));
  REQUIRE(ring.stats().packets == 60);
  par->width = 1280;
  ring.SetStreamInfo(MakeStreamInfo(*par, {1, 90000}, {30, 1}));
  REQUIRE(ring.stats().packets == 0);
  REQUIRE(ring.stats().stream_changes == 1);
  avcodec_parameters_free(&par);
}

TEST_CASE("Readers take snapshots while the writer pushes and evicts") {
  PacketRing ring({.max_duration = 2s, .max_bytes = 2'000'000});
  std::atomic<bool> done{false};
  std::atomic<int64_t> snapshots{0}, bad_starts{0},
      out_of_order{0};  // Catch2 asserts are not thread-safe
  std::vector<std::jthread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        Snapshot s = ring.Take(kT0, kT0 + 1h);
        if (!s.empty()) {
          bad_starts += !s.packets.front()->key();
          for (size_t i = 1; i < s.packets.size(); ++i) {
            out_of_order += s.packets[i - 1]->capture_time() > s.packets[i]->capture_time();
          }
        }
        ++snapshots;
      }
    });
  }
  Feed(ring, 60, 10, 2000);
  done = true;
  readers.clear();
  REQUIRE(snapshots > 0);
  REQUIRE(bad_starts == 0);
  REQUIRE(out_of_order == 0);
  REQUIRE(ring.stats().bytes <= 2'000'000);
}

}  // namespace fleetclip

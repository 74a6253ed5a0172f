// The process the queue crash test kills: opens the store (running recovery), fills a ring from
// a small video, then writes clips and moves them through the queue (upload, delete, eviction
// under a tight quota) until it is killed. It reports on stdout, one line each, written with a
// single write(2) *after* the step returned: "committed ID" once a clip's rows are in, and
// "removing ID" before it starts to take a clip away, so the test knows what must survive.
//   queue_crash_writer STATE_DIR VIDEO SEED
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>

#include "codec/camera_source.h"
#include "codec/media_init.h"
#include "queue/clip_writer.h"

using namespace fleetclip;
using namespace std::chrono_literals;

namespace {
void Report(const std::string& what, const std::string& id) {
  const std::string line = what + " " + id + "\n";
  (void)!::write(1, line.data(), line.size());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: queue_crash_writer STATE_DIR VIDEO SEED\n");
    return 2;
  }
  InitMediaLibraries();
  RealClock clock;
  FdLogSink sink(2);
  Logger log(sink, LogLevel::kError);
  const uint64_t seed = std::stoull(argv[3]);
  auto store =
      queue::ClipStore::Open({.state_dir = argv[1], .reserve_bytes = 64 << 10}, clock, log);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.error().ToString().c_str());
    return 1;
  }
  PacketRing ring(RingLimits{.max_duration = 3600s, .max_bytes = 1LL << 30});
  CameraOptions o;
  o.name = "front";
  o.url = argv[2];
  o.pacing = CameraOptions::Pacing::kAsFastAsPossible;
  o.backoff_initial = 0ns;
  o.max_opens = 1;
  CameraSource(o, ring, clock, log).Run({});
  const Snapshot all = ring.Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX));

  queue::StatvfsDiskSpace disk;
  queue::StorageLimits limits;
  limits.quota_bytes = 3 << 20;  // a handful of clips: eviction happens every few writes
  limits.min_free_bytes = 0;
  limits.min_free_percent = 0;
  queue::StorageBudget budget(**store, disk, limits, log);
  auto signals = [](MonoTime start, MonoTime end) {
    std::vector<proto::SignalFrame> frames;
    for (MonoTime t = start; t <= end; t += 10ms) {
      auto& f = frames.emplace_back();
      f.set_mono_ns(ToNanos(t));
      f.set_seq(frames.size());
      auto* v = f.add_values();
      v->set_name("speed");
      v->set_number(static_cast<double>(frames.size() % 300) / 10);
    }
    return frames;
  };
  queue::ClipWriter writer(**store, budget, {{"front", &ring}, {"rear", &ring}}, signals, clock,
                           log, {}, seed);
  std::mt19937_64 rng(seed);
  while (true) {
    triggers::ClipRequest r;
    r.start = all.first_time();
    r.end = all.last_time();
    r.priority = static_cast<int>(rng() % 100);
    r.mono_at_trigger = r.start;
    r.wall_at_trigger = clock.WallNow();
    triggers::ClipEvent e;
    e.rule = "manual";
    e.time = r.start;
    e.priority = r.priority;
    r.events.push_back(e);
    auto rec = writer.Write(writer.Cut(r));
    if (rec.ok()) Report("committed", rec->id);
    // Move an older clip through the queue.
    auto ready = (*store)->UploadCandidates(clock.WallNow(), 4);
    if (!ready.ok() || ready->empty()) continue;
    const std::string id = (*ready)[rng() % ready->size()].id;
    switch (rng() % 4) {
      case 0:
        Report("removing", id);
        (void)(*store)->MarkUploading(id);
        (void)(*store)->MarkUploaded(id);
        break;
      case 1:
        Report("removing", id);
        (void)(*store)->Delete(id);
        break;
      case 2:
        (void)(*store)->ScheduleRetry(id, clock.WallNow(), "crash test");
        break;
      default:
        (void)(*store)->SetUploadId(id, "front.mp4", "u-" + id, 8 << 20);
        (void)(*store)->AddUploadedPart(id, "front.mp4", 1, 8 << 20, "etag");
        break;
    }
  }
}

// Test-only helpers shared by the clip writer's tests, the fault sweep and the power-cut tests: a
// camera ring filled from a real libx264 stream, a clip request over all of it, and the checks a
// store must pass after a fault (every live row's files present, every clip intact against its
// manifest, .tmp empty).
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codec/camera_source.h"
#include "codec/media_init.h"
#include "common/durable_file.h"
#include "proto/clip_manifest.pb.h"
#include "queue/clip_store.h"
#include "queue/clip_writer.h"
#include "queue/manifest.h"
#include "queue/sha256.h"
#include "tests/support/media.h"
#include "tests/support/temp_dir.h"

namespace fleetclip::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline queue::StorageLimits Unlimited() {
  queue::StorageLimits l;
  l.quota_bytes = 1LL << 40;
  l.min_free_bytes = 0;
  l.min_free_percent = 0;
  return l;
}

// One camera ring holding a short real H.264 stream; requests cover all of it.
struct RingFixture {
  RingFixture() {
    InitMediaLibraries();
    const fs::path video = dir.path() / "cam.mkv";
    MakeTestVideo(video, {.width = 160, .height = 120, .seconds = 3, .gop = 15});
    ring = std::make_unique<PacketRing>(RingLimits{.max_duration = 3600s, .max_bytes = 1LL << 30});
    CameraOptions o;
    o.name = "front";
    o.url = video;
    o.pacing = CameraOptions::Pacing::kAsFastAsPossible;
    o.backoff_initial = 0ns;
    o.max_opens = 1;
    CameraSource(o, *ring, clock, log).Run({});
  }
  triggers::ClipRequest Request(int priority = 50) const {
    const Snapshot all = ring->Take(MonoFromNanos(0), MonoFromNanos(INT64_MAX));
    triggers::ClipRequest r;
    r.start = all.first_time();
    r.end = all.last_time();
    r.priority = priority;
    r.mono_at_trigger = r.start;
    r.wall_at_trigger = clock.WallNow();
    triggers::ClipEvent e;
    e.rule = "harsh_braking";
    e.time = r.start + 1s;
    e.priority = priority;
    r.events.push_back(e);
    return r;
  }
  static std::vector<proto::SignalFrame> Signals(MonoTime start, MonoTime end) {
    std::vector<proto::SignalFrame> frames;
    for (MonoTime t = start; t <= end; t += 10ms) {
      auto& f = frames.emplace_back();
      f.set_mono_ns(ToNanos(t));
      f.set_seq(frames.size());
      auto* v = f.add_values();
      v->set_name("speed");
      v->set_number(12.5);
    }
    return frames;
  }
  std::vector<queue::CameraRing> Cameras() const { return {{"front", ring.get()}}; }

  TempDir dir;
  FakeClock clock;
  MemoryLogSink sink;
  Logger log{sink};
  std::unique_ptr<PacketRing> ring;
};

// "" when clips/<id>/ holds a manifest that parses and names the clip, and every file it lists
// with its size and sha256; else what is wrong.
inline std::string ClipProblem(const fs::path& dir) {
  proto::ClipManifest m;
  if (!fs::exists(dir / std::string(queue::kManifestName)))
    return dir.string() + ": no manifest.pb";
  if (!m.ParseFromString(ReadAll(dir / std::string(queue::kManifestName)))) {
    return dir.string() + ": manifest.pb does not parse";
  }
  if (m.clip_id() != dir.filename().string()) return dir.string() + ": manifest names another";
  if (m.files_size() < 2)
    return dir.string() + ": manifest lists " + std::to_string(m.files_size());
  for (const auto& f : m.files()) {
    std::error_code ec;
    if (fs::file_size(dir / f.name(), ec) != static_cast<uint64_t>(f.bytes()) || ec) {
      return (dir / f.name()).string() + ": missing or of the wrong size";
    }
    if (queue::Sha256FileHex(dir / f.name()).value() != queue::BytesToHex(f.sha256())) {
      return (dir / f.name()).string() + ": sha256 differs from the manifest";
    }
  }
  return "";
}

// Ids of the rows that claim local files.
inline std::set<std::string> LocalClips(queue::ClipStore& store) {
  queue::ListFilter all;
  all.limit = 0;
  std::set<std::string> ids;
  auto rows = store.List(all);
  REQUIRE(rows.ok());
  for (const queue::ClipRecord& c : *rows) {
    if (c.local_bytes > 0) ids.insert(c.id);
  }
  return ids;
}

// What is wrong between rows and folders: a row whose files are missing or of another size (rows
// in `skip` aside), a clip folder no row claims (when `orphans_too`).
inline std::vector<std::string> StoreProblems(queue::ClipStore& store,
                                              const std::set<std::string>& skip = {},
                                              bool orphans_too = true) {
  std::vector<std::string> problems;
  const std::set<std::string> live = LocalClips(store);
  for (const std::string& id : live) {
    if (skip.contains(id)) continue;
    auto clip = store.Get(id);
    REQUIRE(clip.ok());
    for (const queue::FileRecord& f : clip->files) {
      std::error_code ec;
      const fs::path p = store.ClipDir(id) / f.name;
      if (fs::file_size(p, ec) != static_cast<uint64_t>(f.bytes) || ec) {
        problems.push_back("row " + id + " points at a missing or short " + p.string());
      }
    }
  }
  if (orphans_too) {
    for (const auto& e : fs::directory_iterator(store.clips_dir())) {
      const std::string name = e.path().filename().string();
      if (name != ".tmp" && !live.contains(name) && !skip.contains(name)) {
        problems.push_back("folder " + e.path().string() + " has no live row");
      }
    }
  }
  return problems;
}

inline bool TmpEmpty(const queue::ClipStore& store) {
  return fs::is_empty(store.clips_dir() / ".tmp");
}

// Copies a prepared state directory (queue.db included, the store closed) to `to`.
inline void CopyState(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive);
}

}  // namespace fleetclip::testing

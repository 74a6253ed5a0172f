// ClipWriter: cut, queue, and the write protocol. See queue/clip_writer.h.
#include "queue/clip_writer.h"

#include <algorithm>
#include <map>

#include "codec/clip_muxer.h"
#include "common/durable_file.h"
#include "common/thread_name.h"
#include "queue/manifest.h"
#include "queue/sha256.h"
#include "queue/signal_log.h"

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace fleetclip::queue {
namespace fs = std::filesystem;

namespace {
// Container and signal-log overhead on top of the payload when estimating a clip's size before
// writing it: MP4 indexes run at ~1% of the payload for typical GOPs.
constexpr int64_t kOverheadBytes = 16 << 10;
constexpr int64_t kOverheadPercent = 2;
}  // namespace

ClipWriter::ClipWriter(ClipStore& store, StorageBudget& budget, std::vector<CameraRing> cameras,
                       SignalWindowFn signals, const Clock& clock, const Logger& log,
                       ClipWriterOptions options, uint64_t id_seed)
    : store_(store),
      budget_(budget),
      cameras_(std::move(cameras)),
      signals_(std::move(signals)),
      clock_(clock),
      log_(log),
      options_(std::move(options)),
      ids_(id_seed),
      config_version_(options_.config_version) {}

ClipWriter::~ClipWriter() { Stop(); }

void ClipWriter::Start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    SetThreadName("clip-writer");
    Run(stop);
  });
}

void ClipWriter::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  cv_.notify_all();
  thread_.join();
}

ClipJob ClipWriter::Cut(triggers::ClipRequest request) const {
  ClipJob job;
  std::vector<const PacketRing*> rings;
  for (const CameraRing& c : cameras_) {
    job.cameras.push_back(c.name);
    rings.push_back(c.ring);
  }
  job.snapshots = TakeWindow(rings, request.start, request.end);
  if (signals_) job.signals = signals_(request.start, request.end);
  job.request = std::move(request);
  job.config_version = config_version_.load();
  return job;
}

void ClipWriter::Submit(triggers::ClipRequest request) {
  ClipJob job = Cut(std::move(request));
  std::lock_guard lock(mu_);
  if (queue_.size() >= options_.max_queued) {
    ++dropped_;
    log_.Error("clip_dropped", {{"reason", "writer_backlog"},
                                {"queued", static_cast<int64_t>(queue_.size())},
                                {"request", job.request.id}});
    return;
  }
  queue_.push_back(std::move(job));
  cv_.notify_one();
}

void ClipWriter::Run(std::stop_token stop) {
  while (true) {
    ClipJob job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (queue_.empty()) return;  // stopped with nothing left to write
      job = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
    }
    auto r = Write(job);
    std::lock_guard lock(mu_);
    writing_ = false;
    ++(r.ok() ? written_ : dropped_);
  }
}

int64_t ClipWriter::pending() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(queue_.size()) + (writing_ ? 1 : 0);
}

int64_t ClipWriter::written() const {
  std::lock_guard lock(mu_);
  return written_;
}

int64_t ClipWriter::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

Result<ClipRecord> ClipWriter::Write(const ClipJob& job) {
  const std::string id = ids_.Next(clock_.WallNow());
  int64_t estimate = kOverheadBytes;
  for (const Snapshot& s : job.snapshots) estimate += s.bytes() * (100 + kOverheadPercent) / 100;
  if (Status s = budget_.MakeRoom(estimate, job.request.priority); !s.ok()) {
    log_.Warn("clip_not_written", {{"clip", id}, {"error", s.error().ToString()}});
    return s.error();
  }
  const fs::path tmp = store_.clips_dir() / ".tmp" / id;
  auto r = WriteInto(job, id, tmp);
  if (!r.ok()) {
    // Best effort: what is left in .tmp is removed by recovery at the next start.
    if (Status s = RemoveTree(store_.file_system(), tmp); !s.ok()) {
      log_.Warn("clip_temp_not_removed", {{"clip", id}, {"error", s.error().ToString()}});
    }
    if (r.error().code() == ErrorCode::kNoSpace) budget_.CountDropped(id);
    log_.Error("clip_not_written", {{"clip", id}, {"error", r.error().ToString()}});
  }
  return r;
}

Result<ClipRecord> ClipWriter::WriteInto(const ClipJob& job, const std::string& id,
                                         const fs::path& tmp) {
  const triggers::ClipRequest& req = job.request;
  FileSystem& disk = store_.file_system();
  // clips/.tmp/ exists since the store opened; the new folder's entry is made durable in it.
  if (Status s = disk.MakeDir(tmp); !s.ok()) return s.error();
  if (Status s = disk.SyncDir(tmp.parent_path()); !s.ok()) return s.error();
  proto::ClipManifest m;
  m.set_format_version(1);
  m.set_clip_id(id);
  m.set_vehicle_id(options_.vehicle_id);
  m.set_fleet_id(options_.fleet_id);
  m.set_software_version(options_.software_version);
  m.set_config_version(job.config_version);
  m.set_window_start_mono_ns(ToNanos(req.start));
  m.set_window_end_mono_ns(ToNanos(req.end));
  m.mutable_time_mapping()->set_mono_ns(ToNanos(req.mono_at_trigger));
  m.mutable_time_mapping()->set_wall_unix_ns(req.wall_at_trigger.time_since_epoch().count());
  m.set_priority(req.priority);
  m.set_created_unix_ms(UnixMs(clock_.WallNow()));
  for (const triggers::ClipEvent& e : req.events) {
    proto::ClipEvent* pe = m.add_events();
    pe->set_rule(e.rule);
    pe->set_source(std::string(triggers::TriggerSourceName(e.source)));
    pe->set_trigger_id(e.trigger_id);
    pe->set_fired_mono_ns(ToNanos(e.time));
    pe->set_fired_unix_ms(UnixMs(req.wall_at_trigger + (e.time - req.mono_at_trigger)));
    pe->set_peak_value(e.peak);
    pe->set_priority(e.priority);
    pe->set_tier(e.tier);
    pe->set_tag(e.tag);
    pe->set_note(e.note);
    pe->set_window_shortened(e.window_shortened);
    pe->set_shortened_reason(e.shortened_reason);
  }

  // Video: one MP4 per camera that has packets for the window, muxed in parallel.
  std::vector<Snapshot> snapshots;
  std::vector<fs::path> paths;
  std::vector<std::string> names;
  for (size_t i = 0; i < job.snapshots.size(); ++i) {
    if (job.snapshots[i].empty() || !job.snapshots[i].info) {
      log_.Warn("camera_empty_in_clip", {{"clip", id}, {"camera", job.cameras[i]}});
      continue;
    }
    snapshots.push_back(job.snapshots[i]);
    names.push_back(job.cameras[i]);
    paths.push_back(tmp / (job.cameras[i] + ".mp4"));
  }
  auto muxed = MuxClips(disk, snapshots, paths, std::max(1, options_.mux_parallelism));
  std::map<std::string, FileDigests> part_md5s;  // by file name
  for (size_t i = 0; i < muxed.size(); ++i) {
    if (!muxed[i].ok()) return muxed[i].error().WithContext("camera " + names[i]);
    // One read for both: the manifest's sha256 and the uploader's Content-MD5 per part.
    auto digests = FileDigestsOf(disk, paths[i], kPartDigestBytes);
    if (!digests.ok()) return digests.error();
    proto::ClipFile* f = m.add_files();
    f->set_name(paths[i].filename().string());
    f->set_bytes(muxed[i]->bytes);
    f->set_sha256(HexToBytes(digests->sha256_hex));
    part_md5s[f->name()] = std::move(*digests);
    const AVCodecParameters& par = *snapshots[i].info->params;
    proto::ClipCamera* cam = m.add_cameras();
    cam->set_name(names[i]);
    cam->set_codec(avcodec_get_name(par.codec_id));
    cam->set_width(par.width);
    cam->set_height(par.height);
    cam->set_first_packet_mono_ns(ToNanos(muxed[i]->first_time));
    cam->set_last_packet_mono_ns(ToNanos(muxed[i]->last_time));
    cam->set_packets(muxed[i]->packets);
    cam->set_file(f->name());
  }

  // Signals.
  auto log_bytes = EncodeSignalLog(job.signals);
  if (!log_bytes.ok()) return log_bytes.error();
  if (Status s = WriteFileDurably(disk, tmp / std::string(kSignalsName), *log_bytes); !s.ok()) {
    return s.error();
  }
  proto::ClipFile* sf = m.add_files();
  sf->set_name(std::string(kSignalsName));
  sf->set_bytes(static_cast<int64_t>(log_bytes->size()));
  sf->set_sha256(HexToBytes(Sha256Hex(*log_bytes)));
  m.set_signals_file(std::string(kSignalsName));

  // Manifest last, then the folder goes into place and the rows are committed.
  const std::string manifest = m.SerializeAsString();
  if (Status s = WriteFileDurably(disk, tmp / std::string(kManifestName), manifest); !s.ok()) {
    return s.error();
  }
  const fs::path final_dir = store_.ClipDir(id);
  // Not promised until the rows commit: on any error from here the folder is taken back out
  // (and, should that fail too, recovery adopts the complete folder or removes it).
  auto take_back = [&] {
    if (RemoveTree(disk, final_dir).ok()) (void)disk.SyncDir(store_.clips_dir());
  };
  if (Status s = disk.Rename(tmp, final_dir); !s.ok()) return s.error();
  Status placed = disk.SyncDir(store_.clips_dir());
  if (placed.ok()) placed = disk.SyncDir(tmp.parent_path());
  if (!placed.ok()) {
    take_back();
    return placed.error();
  }
  ClipRecord rec = RecordFromManifest(m, manifest);
  for (FileRecord& fr : rec.files) {
    if (auto d = part_md5s.find(fr.name); d != part_md5s.end()) {
      fr.md5_part_size = d->second.md5_part_size;
      fr.part_md5_hex = std::move(d->second.part_md5_hex);
    }
  }
  if (Status s = store_.InsertClip(rec); !s.ok()) {
    take_back();
    return s.error();
  }
  return rec;
}

}  // namespace fleetclip::queue

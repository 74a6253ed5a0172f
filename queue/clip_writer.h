// ClipWriter: turns a ClipRequest into a durable clip folder and its rows (DESIGN.md section 6).
//
// Submit() runs on the trigger side's thread (the signal thread, which owns SignalHistory): it
// copies packet references from every camera ring and the signal window, and queues the job; it
// never touches the disk. The writer thread then, per job: asks the StorageBudget for room, muxes
// one MP4 per camera in parallel into clips/.tmp/<id>/, writes signals.pb.zst and manifest.pb
// (every file fsynced), renames the folder into clips/<id>/, fsyncs clips/, and only then inserts
// the rows in one transaction. On any error (ENOSPC included) the temp folder is removed and no
// row is written: a clip is either complete on disk and in the queue, or absent.
//
// Threading: Submit() from one producer thread; Write() may also be called directly (tests, the
// crash test's writer) when the thread is not started. Stop() writes what is queued, then joins.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "codec/packet_ring.h"
#include "common/clock.h"
#include "common/log.h"
#include "proto/signal_frame.pb.h"
#include "queue/clip_id.h"
#include "queue/clip_store.h"
#include "queue/storage_budget.h"
#include "triggers/clip_request.h"

namespace fleetclip::queue {

struct CameraRing {
  std::string name;        // [a-z0-9_]{1,32}: the file is <name>.mp4
  const PacketRing* ring;  // borrowed; must outlive the writer
};

// The signal frames of [start, end]; called from Submit()'s thread.
using SignalWindowFn = std::function<std::vector<proto::SignalFrame>(MonoTime, MonoTime)>;

struct ClipWriterOptions {
  std::string vehicle_id{};
  std::string fleet_id{};
  std::string software_version{};
  uint64_t config_version = 0;  // initial; SetConfigVersion() changes it for later clips
  int mux_parallelism = 2;      // cameras muxed at once
  size_t max_queued = 16;       // jobs waiting for the writer; beyond it new clips are dropped
};

// Everything one clip needs, cut at Submit() time.
struct ClipJob {
  triggers::ClipRequest request;
  std::vector<std::string> cameras;  // cameras[i] <-> snapshots[i]
  std::vector<Snapshot> snapshots;
  std::vector<proto::SignalFrame> signals;
  uint64_t config_version = 0;  // the config active when the window was cut
};

class ClipWriter final : public triggers::ClipRequestSink {
 public:
  // Everything borrowed must outlive the writer. `id_seed` seeds the UUIDv7 random bits.
  ClipWriter(ClipStore& store, StorageBudget& budget, std::vector<CameraRing> cameras,
             SignalWindowFn signals, const Clock& clock, const Logger& log,
             ClipWriterOptions options, uint64_t id_seed);
  ~ClipWriter() override;
  ClipWriter(const ClipWriter&) = delete;
  ClipWriter& operator=(const ClipWriter&) = delete;

  void Start();
  // Writes every queued job, then stops the thread.
  void Stop();

  // ClipRequestSink: cut the window now, write it later on the writer thread.
  void Submit(triggers::ClipRequest request) override;
  // Cuts the rings and the signal window for `request` (what Submit queues).
  ClipJob Cut(triggers::ClipRequest request) const;
  // Writes one clip synchronously and returns its committed record.
  Result<ClipRecord> Write(const ClipJob& job);

  // The fleet config version recorded in the manifests of clips cut from now on (a config push).
  void SetConfigVersion(uint64_t version) { config_version_.store(version); }

  int64_t written() const;
  int64_t dropped() const;
  // Jobs queued or being written: 0 means every submitted clip is committed or dropped.
  int64_t pending() const;

 private:
  void Run(std::stop_token stop);
  Result<ClipRecord> WriteInto(const ClipJob& job, const std::string& id,
                               const std::filesystem::path& tmp);

  ClipStore& store_;
  StorageBudget& budget_;
  const std::vector<CameraRing> cameras_;
  const SignalWindowFn signals_;
  const Clock& clock_;
  const Logger& log_;
  const ClipWriterOptions options_;
  ClipIdGenerator ids_;  // used by the writing thread only

  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::atomic<uint64_t> config_version_;
  std::deque<ClipJob> queue_;  // guarded by mu_
  bool writing_ = false;       // guarded by mu_; a job taken from queue_ is being written
  int64_t written_ = 0;        // guarded by mu_
  int64_t dropped_ = 0;        // guarded by mu_
  std::jthread thread_;
};

}  // namespace fleetclip::queue

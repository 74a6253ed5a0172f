// The capture side of the daemon: one PacketRing and one CameraSource per configured camera, each
// source on its own thread (DESIGN.md §8). Also the per-camera status (fps and bitrate over the
// last status interval, drops, reopens, ring fill) and the progress test the watchdog uses.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/repeated_ptr_field.h>

#include "codec/camera_source.h"
#include "codec/packet_ring.h"
#include "common/clock.h"
#include "common/log.h"
#include "proto/config.pb.h"
#include "proto/control.pb.h"
#include "queue/clip_writer.h"

namespace fleetclip::daemon {

// The capture options of one validated camera config.
CameraOptions CameraOptionsFromConfig(const proto::CameraConfig& config);

class CameraSet {
 public:
  // `clock` and the logger's sink must outlive the set.
  CameraSet(const google::protobuf::RepeatedPtrField<proto::CameraConfig>& cameras,
            const Clock& clock, Logger log);
  ~CameraSet() { Stop(); }
  CameraSet(const CameraSet&) = delete;
  CameraSet& operator=(const CameraSet&) = delete;

  void Start();
  // Stops every capture thread and joins them (the rings stay readable).
  void Stop();

  std::vector<queue::CameraRing> rings() const;
  // The longest window every ring can hold, to bound clip windows.
  Nanos min_ring_duration() const;

  // Status since the previous call (fps and bitrate are rates over that interval).
  std::vector<proto::CameraStatus> Status(MonoTime now);
  // True when every camera moved (a packet, an open attempt, an end or error) since the previous
  // call; a camera whose thread is stuck moves no counter at all.
  bool AllProgressed();

 private:
  struct Camera {
    std::string name;
    std::unique_ptr<PacketRing> ring;
    std::unique_ptr<CameraSource> source;
    std::jthread thread;
    // For rates and progress.
    int64_t status_packets = 0, status_bytes = 0;
    MonoTime status_at{};
    int64_t progress_mark = -1;
  };
  const Clock& clock_;
  Logger log_;
  std::vector<Camera> cameras_;
};

}  // namespace fleetclip::daemon

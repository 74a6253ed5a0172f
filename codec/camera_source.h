// CameraSource: one camera's capture loop. Opens any libavformat URL (a v4l2 device, rtsp://,
// udp://, tcp://, a file, a lavfi graph), passes H.264/HEVC through untouched and encodes anything
// else with a configurable libavcodec encoder, stamps each packet with a monotonic capture time and
// pushes it into the camera's PacketRing.
//
// Nothing in a bad stream stops it: a corrupt packet is dropped and counted (with the rest of its
// GOP, so clips stay decodable); a source that fails to open, errors or ends is reopened with
// capped exponential backoff. Capture time: packet timestamps are mapped onto the monotonic
// timeline, anchored when the stream opens; files and synthetic sources are paced at their frame
// rate unless told to run as fast as possible; live sources are re-anchored when their clock drifts
// from arrival.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>

#include "codec/packet_ring.h"
#include "common/clock.h"
#include "common/log.h"

namespace fleetclip {

struct CameraOptions {
  std::string name;  // used in logs and as the clip file name
  std::string url;
  std::string input_format;  // forced demuxer ("lavfi", "v4l2", …); empty = probe
  std::map<std::string, std::string> input_options;  // demuxer and protocol options
  std::string encoder = "libx264";                   // for input that is not H.264/HEVC
  std::map<std::string, std::string>
      encoder_options;  // libx264 defaults: preset=superfast tune=zerolatency
  int64_t bitrate_bps = 4'000'000;
  int gop_frames = 0;  // 0 = one second of frames

  enum class Pacing { kAuto, kRealtime, kAsFastAsPossible };
  Pacing pacing = Pacing::kAuto;  // auto: real time for files and lavfi, none for live
  Nanos backoff_initial{std::chrono::milliseconds(100)};
  Nanos backoff_max{std::chrono::seconds(10)};
  Nanos io_timeout{std::chrono::seconds(5)};  // no data this long: the source is reopened
  int64_t max_opens = 0;  // stop after this many opens; 0 = never (tests, benches)
};

// Counters since construction; read with CameraSource::stats() from any thread.
struct CameraStats {
  int64_t opens = 0;
  int64_t open_failures = 0;
  int64_t stream_ends = 0;    // clean end of input (a file that ended, a peer that closed)
  int64_t stream_errors = 0;  // read errors that ended a session (reset, timeout, I/O)
  int64_t packets = 0;        // packets pushed into the ring
  int64_t bytes = 0;
  int64_t corrupt_packets = 0;  // dropped: flagged corrupt, empty, unreadable or failing NAL checks
  int64_t skipped_packets = 0;  // dropped after a corrupt one until the next keyframe
  int64_t decode_errors = 0;    // raw/other input that failed to decode
  int64_t encode_errors = 0;
  bool connected = false;
  std::string last_error;
};

class CameraSource {
 public:
  // `ring`, `clock` must outlive the source.
  CameraSource(CameraOptions options, PacketRing& ring, const Clock& clock, Logger log);
  CameraSource(const CameraSource&) = delete;
  CameraSource& operator=(const CameraSource&) = delete;

  // Captures until `stop` is requested (or max_opens is reached). Blocks: run it on its own thread.
  void Run(std::stop_token stop);

  CameraStats stats() const;
  const CameraOptions& options() const { return options_; }

  // Counters the capture session updates; public only for the session (codec/ internal).
  struct Counters {
    std::atomic<int64_t> opens{0}, open_failures{0}, stream_ends{0}, stream_errors{0}, packets{0},
        bytes{0}, corrupt_packets{0}, skipped_packets{0}, decode_errors{0}, encode_errors{0};
    std::atomic<bool> connected{false};
  };

 private:
  void SetLastError(const std::string& e);

  const CameraOptions options_;
  PacketRing& ring_;
  const Clock& clock_;
  const Logger log_;
  Counters counters_;
  MonoTime
      last_capture_time_{};  // capture thread only: keeps the timeline monotonic across reopens
  mutable std::mutex mu_;
  std::string last_error_;  // guarded by mu_
};

}  // namespace fleetclip

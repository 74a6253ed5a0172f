// CaptureSession (codec/ internal): one opened input of a camera, from open to end of stream. It
// reads packets, drops corrupt ones, transcodes when needed, maps timestamps onto the monotonic
// timeline and pushes into the ring. CameraSource runs one session after another.
#pragma once

#include <memory>
#include <stop_token>

#include "codec/av_handles.h"
#include "codec/camera_source.h"
#include "codec/nal_check.h"
#include "codec/transcoder.h"
#include "common/log_throttle.h"

namespace fleetclip {

// Interrupts blocking FFmpeg I/O when stop is requested or no data arrived before the deadline.
struct IoDeadline {
  const Clock* clock = nullptr;
  std::stop_token stop;
  MonoTime deadline{};
  bool timed_out = false;
  static int Callback(void* self);
};

class CaptureSession {
 public:
  static Result<std::unique_ptr<CaptureSession>> Open(const CameraOptions& options,
                                                      const Clock& clock, std::stop_token stop,
                                                      const Logger& log);

  // Pushes packets into `ring` until the input ends (ok) or fails (the error). `last_time` carries
  // the timeline across sessions so capture times never go backwards.
  Status Pump(PacketRing& ring, CameraSource::Counters& counters, MonoTime& last_time);

  const std::shared_ptr<const StreamInfo>& info() const { return info_; }
  bool transcoding() const { return transcoder_ != nullptr; }

 private:
  CaptureSession(const CameraOptions& options, const Clock& clock, const Logger& log);
  MonoTime CaptureTime(int64_t ts, AVRational tb, MonoTime last_time);
  void PushPacket(AVPacket* pkt, AVRational tb, PacketRing& ring, CameraSource::Counters& counters,
                  MonoTime& last_time);
  void DropCorrupt(const char* why, const AVPacket* pkt, CameraSource::Counters& counters);

  const CameraOptions& options_;
  const Clock& clock_;
  const Logger& log_;
  std::unique_ptr<IoDeadline> io_;  // stable address: FFmpeg holds a pointer to it
  av::InputContextPtr input_;
  int stream_index_ = -1;
  AVRational input_tb_{1, 90000};
  bool live_ = false;
  bool paced_ = false;
  NalFormat nal_format_;
  std::unique_ptr<Transcoder> transcoder_;
  std::shared_ptr<const StreamInfo> info_;
  bool skip_to_keyframe_ = false;
  // Timeline anchor: capture time = base_ + (ts - origin_ts_) for the first timestamps seen.
  bool anchored_ = false;
  MonoTime base_{};
  int64_t origin_ts_ = 0;
  LogThrottle corrupt_log_{std::chrono::seconds(10)};
};

// True for devices and network streams (arrival defines time); false for files and lavfi graphs.
bool IsLiveSource(const CameraOptions& options);

}  // namespace fleetclip

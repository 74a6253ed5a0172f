// Capture threads and camera status; see daemon/camera_set.h.
#include "daemon/camera_set.h"

#include <algorithm>

#include "common/thread_name.h"

namespace fleetclip::daemon {

CameraOptions CameraOptionsFromConfig(const proto::CameraConfig& c) {
  CameraOptions o;
  o.name = c.name();
  o.url = c.url();
  o.input_format = c.input_format();
  o.input_options.insert(c.input_options().begin(), c.input_options().end());
  if (!c.encoder().empty()) o.encoder = c.encoder();
  o.encoder_options.insert(c.encoder_options().begin(), c.encoder_options().end());
  if (c.bitrate_bps() > 0) o.bitrate_bps = c.bitrate_bps();
  o.gop_frames = c.gop_frames();
  if (c.has_realtime()) {
    o.pacing =
        c.realtime() ? CameraOptions::Pacing::kRealtime : CameraOptions::Pacing::kAsFastAsPossible;
  }
  return o;
}

CameraSet::CameraSet(const google::protobuf::RepeatedPtrField<proto::CameraConfig>& cameras,
                     const Clock& clock, Logger log)
    : clock_(clock), log_(std::move(log)) {
  cameras_.reserve(static_cast<size_t>(cameras.size()));
  for (const proto::CameraConfig& c : cameras) {
    Camera& cam = cameras_.emplace_back();
    cam.name = c.name();
    RingLimits limits;
    if (c.ring_duration_ms() > 0)
      limits.max_duration = std::chrono::milliseconds(c.ring_duration_ms());
    if (c.ring_max_bytes() > 0) limits.max_bytes = c.ring_max_bytes();
    cam.ring = std::make_unique<PacketRing>(limits);
    cam.source =
        std::make_unique<CameraSource>(CameraOptionsFromConfig(c), *cam.ring, clock_, log_);
    cam.status_at = clock_.Now();
  }
}

void CameraSet::Start() {
  for (Camera& cam : cameras_) {
    cam.thread = std::jthread([src = cam.source.get()](std::stop_token stop) {
      SetThreadName("cam:" + src->options().name);
      src->Run(stop);
    });
  }
}

void CameraSet::Stop() {
  for (Camera& cam : cameras_) cam.thread.request_stop();
  for (Camera& cam : cameras_) {
    if (cam.thread.joinable()) cam.thread.join();
  }
}

std::vector<queue::CameraRing> CameraSet::rings() const {
  std::vector<queue::CameraRing> rings;
  for (const Camera& cam : cameras_) rings.push_back({cam.name, cam.ring.get()});
  return rings;
}

Nanos CameraSet::min_ring_duration() const {
  Nanos d = Nanos::max();
  for (const Camera& cam : cameras_) d = std::min(d, cam.ring->limits().max_duration);
  return cameras_.empty() ? Nanos(0) : d;
}

std::vector<proto::CameraStatus> CameraSet::Status(MonoTime now) {
  std::vector<proto::CameraStatus> out;
  for (Camera& cam : cameras_) {
    const CameraStats s = cam.source->stats();
    const RingStats r = cam.ring->stats();
    proto::CameraStatus& st = out.emplace_back();
    st.set_name(cam.name);
    st.set_connected(s.connected);
    const double seconds = std::chrono::duration<double>(now - cam.status_at).count();
    if (seconds > 0) {
      st.set_fps(static_cast<double>(s.packets - cam.status_packets) / seconds);
      st.set_bitrate_bps(8.0 * static_cast<double>(s.bytes - cam.status_bytes) / seconds);
    }
    cam.status_packets = s.packets;
    cam.status_bytes = s.bytes;
    cam.status_at = now;
    st.set_packets(s.packets);
    st.set_dropped_packets(s.corrupt_packets + s.skipped_packets + s.decode_errors +
                           r.dropped_waiting_for_keyframe + r.dropped_oversized);
    st.set_reopens(std::max<int64_t>(0, s.opens + s.open_failures - 1));
    st.set_ring_bytes(r.bytes);
    st.set_ring_duration_ms(
        std::chrono::duration_cast<std::chrono::milliseconds>(r.duration).count());
    st.set_last_error(s.last_error);
  }
  return out;
}

bool CameraSet::AllProgressed() {
  bool all = true;
  for (Camera& cam : cameras_) {
    const CameraStats s = cam.source->stats();
    const int64_t mark = s.packets + s.opens + s.open_failures + s.stream_ends + s.stream_errors;
    if (mark == cam.progress_mark) all = false;
    cam.progress_mark = mark;
  }
  return all;
}

}  // namespace fleetclip::daemon

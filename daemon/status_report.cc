// STATUS= line and Prometheus text; see daemon/status_report.h.
#include "daemon/status_report.h"

#include <cstdio>
#include <map>

namespace fleetclip::daemon {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string EscapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class Exposition {
 public:
  // Starts a metric family.
  void Family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void Sample(std::string_view name, double value,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels = {}) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += EscapeLabel(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    const auto as_int = static_cast<int64_t>(value);
    out_ += static_cast<double>(as_int) == value ? std::to_string(as_int) : Fixed(value, 3);
    out_ += '\n';
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

std::string StatusLine(const proto::DaemonStatus& s) {
  double fps = 0;
  int connected = 0;
  for (const proto::CameraStatus& c : s.cameras()) {
    fps += c.fps();
    connected += c.connected() ? 1 : 0;
  }
  std::string line = s.state() + ": " + std::to_string(connected) + "/" +
                     std::to_string(s.cameras_size()) + " cameras " + Fixed(fps, 1) +
                     " fps, signals " + Fixed(s.signal_rate_hz(), 0) + " Hz, queue";
  const std::map<std::string, int64_t> by_state(s.queue().clips_by_state().begin(),
                                                s.queue().clips_by_state().end());
  bool any = false;
  for (const char* state : {"ready", "uploading", "failed", "uploaded"}) {
    auto it = by_state.find(state);
    if (it == by_state.end() || it->second == 0) continue;
    line += ' ';  // appended piece by piece: GCC bug 105329 (see common/durable_file.cc)
    line += std::to_string(it->second);
    line += ' ';
    line += state;
    any = true;
  }
  if (!any) line += " empty";
  line += ", upload: " + (s.upload_decision().empty() ? "starting" : s.upload_decision());
  line += ", config v" + std::to_string(s.config_version());
  if (!s.last_config_rejection().empty()) line += " (last push rejected)";
  return line;
}

std::string FormatMetrics(const MetricsSnapshot& m) {
  const proto::DaemonStatus& s = m.status;
  Exposition e;
  e.Family("fleetclip_clips", "gauge", "Clips in the local queue by state.");
  for (const auto& [state, n] : s.queue().clips_by_state()) {
    e.Sample("fleetclip_clips", static_cast<double>(n), {{"state", state}});
  }
  e.Family("fleetclip_clip_bytes", "gauge", "Bytes of the clips in the local queue by state.");
  for (const auto& [state, n] : s.queue().bytes_by_state()) {
    e.Sample("fleetclip_clip_bytes", static_cast<double>(n), {{"state", state}});
  }
  e.Family("fleetclip_clips_by_rule", "gauge",
           "Clips in the local queue with an event of the rule.");
  for (const auto& [rule, n] : m.clips_by_rule) {
    e.Sample("fleetclip_clips_by_rule", static_cast<double>(n), {{"rule", rule}});
  }
  e.Family("fleetclip_storage_used_bytes", "gauge", "Bytes the clip store uses on disk.");
  e.Sample("fleetclip_storage_used_bytes", static_cast<double>(s.queue().used_bytes()));
  e.Family("fleetclip_storage_quota_bytes", "gauge", "The clip store's byte quota.");
  e.Sample("fleetclip_storage_quota_bytes", static_cast<double>(s.queue().quota_bytes()));
  e.Family("fleetclip_clips_written_total", "counter", "Clips written since start.");
  e.Sample("fleetclip_clips_written_total", static_cast<double>(m.clips_written));
  e.Family("fleetclip_clips_dropped_total", "counter", "Clips not kept, by reason.");
  e.Sample("fleetclip_clips_dropped_total", static_cast<double>(m.clips_dropped_backlog),
           {{"reason", "writer_backlog"}});
  e.Sample("fleetclip_clips_dropped_total", static_cast<double>(m.clips_dropped_no_space),
           {{"reason", "no_space"}});
  e.Family("fleetclip_clips_evicted_total", "counter", "Clips evicted to make room (ever).");
  e.Sample("fleetclip_clips_evicted_total", static_cast<double>(m.clips_evicted));

  e.Family("fleetclip_camera_connected", "gauge", "1 when the camera delivers packets.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_camera_connected", c.connected() ? 1 : 0, {{"camera", c.name()}});
  }
  e.Family("fleetclip_camera_fps", "gauge", "Packets per second over the last interval.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_camera_fps", c.fps(), {{"camera", c.name()}});
  }
  e.Family("fleetclip_camera_bitrate_bps", "gauge", "Bits per second over the last interval.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_camera_bitrate_bps", c.bitrate_bps(), {{"camera", c.name()}});
  }
  e.Family("fleetclip_camera_packets_total", "counter", "Packets captured into the ring.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_camera_packets_total", static_cast<double>(c.packets()),
             {{"camera", c.name()}});
  }
  e.Family("fleetclip_camera_dropped_packets_total", "counter",
           "Packets dropped: corrupt, undecodable, or waiting for a keyframe.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_camera_dropped_packets_total", static_cast<double>(c.dropped_packets()),
             {{"camera", c.name()}});
  }
  e.Family("fleetclip_camera_reopens_total", "counter", "Times the source was reopened.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_camera_reopens_total", static_cast<double>(c.reopens()),
             {{"camera", c.name()}});
  }
  e.Family("fleetclip_ring_bytes", "gauge", "Bytes held in the camera's ring.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_ring_bytes", static_cast<double>(c.ring_bytes()), {{"camera", c.name()}});
  }
  e.Family("fleetclip_ring_seconds", "gauge", "Seconds of video held in the camera's ring.");
  for (const proto::CameraStatus& c : s.cameras()) {
    e.Sample("fleetclip_ring_seconds", static_cast<double>(c.ring_duration_ms()) / 1000.0,
             {{"camera", c.name()}});
  }

  e.Family("fleetclip_signal_frames_total", "counter", "Signal frames accepted.");
  e.Sample("fleetclip_signal_frames_total", static_cast<double>(m.signal_frames));
  e.Family("fleetclip_signal_frames_dropped_total", "counter",
           "Signal datagrams dropped: malformed, oversized, out of order, duplicate or late.");
  e.Sample("fleetclip_signal_frames_dropped_total", static_cast<double>(s.signal_frames_dropped()));
  e.Family("fleetclip_signal_rate_hz", "gauge", "Signal frames per second.");
  e.Sample("fleetclip_signal_rate_hz", s.signal_rate_hz());

  e.Family("fleetclip_upload_bytes_total", "counter", "Payload bytes confirmed by the target.");
  e.Sample("fleetclip_upload_bytes_total", static_cast<double>(m.upload_bytes));
  e.Family("fleetclip_uploads_total", "counter", "Clips uploaded since start.");
  e.Sample("fleetclip_uploads_total", static_cast<double>(m.uploads_completed));
  e.Family("fleetclip_upload_failures_total", "counter",
           "Upload attempts that failed, by kind (retry: will be retried; permanent: failed).");
  e.Sample("fleetclip_upload_failures_total", static_cast<double>(m.upload_retries),
           {{"kind", "retry"}});
  e.Sample("fleetclip_upload_failures_total", static_cast<double>(m.upload_failures),
           {{"kind", "permanent"}});

  e.Family("fleetclip_config_version", "gauge", "The active fleet config version (0: base only).");
  e.Sample("fleetclip_config_version", static_cast<double>(s.config_version()));
  e.Family("fleetclip_config_rejections_total", "counter", "Fleet configs rejected since start.");
  e.Sample("fleetclip_config_rejections_total", static_cast<double>(m.config_rejections));
  return e.Take();
}

}  // namespace fleetclip::daemon

// Builds a clip's MCAP file from its folder. See cli/clip_mcap.h.
#include "cli/clip_mcap.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <map>
#include <set>

#include "cli/signal_table.h"
#include "codec/av_error.h"
#include "codec/av_handles.h"
#include "proto/foxglove/CompressedVideo.pb.h"

extern "C" {
#include <libavcodec/bsf.h>
}

namespace fleetclip::cli {
namespace {
namespace fs = std::filesystem;
namespace gp = google::protobuf;

inline void FreeBsf(AVBSFContext* b) { av_bsf_free(&b); }
using BsfPtr = UniqueHandle<AVBSFContext, FreeBsf>;

// A message type's file and everything it imports, dependencies first, as a serialized
// FileDescriptorSet (what MCAP's "protobuf" schema encoding asks for).
std::string DescriptorSetOf(const gp::Descriptor* type) {
  gp::FileDescriptorSet set;
  std::set<std::string> added;
  auto add = [&](auto& self, const gp::FileDescriptor* f) -> void {
    if (!added.insert(f->name()).second) return;
    for (int i = 0; i < f->dependency_count(); ++i) self(self, f->dependency(i));
    f->CopyTo(set.add_file());
  };
  add(add, type->file());
  return set.SerializeAsString();
}

struct Timeline {
  proto::TimeMapping mapping;
  uint64_t WallNs(int64_t mono_ns) const {
    return static_cast<uint64_t>(mapping.wall_unix_ns() + (mono_ns - mapping.mono_ns()));
  }
};

void SetTimestamp(uint64_t unix_ns, gp::Timestamp* t) {
  t->set_seconds(static_cast<int64_t>(unix_ns / 1'000'000'000));
  t->set_nanos(static_cast<int32_t>(unix_ns % 1'000'000'000));
}

// One camera file into `channel`: every packet through the Annex B filter, one message each.
Result<McapCameraInfo> AddCamera(const fs::path& file, const proto::ClipCamera& camera,
                                 const Timeline& timeline, uint16_t channel, McapWriter& mcap) {
  AVFormatContext* raw = nullptr;
  int rc = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);
  if (rc < 0) return AvError("open " + file.string(), rc);
  av::InputContextPtr in(raw);
  if ((rc = avformat_find_stream_info(in.get(), nullptr)) < 0) {
    return AvError("read stream info of " + file.string(), rc);
  }
  const int stream = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream < 0) return AvError("find the video stream of " + file.string(), stream);
  const AVStream* st = in->streams[stream];
  McapCameraInfo info;
  info.name = camera.name();
  const char* filter = nullptr;
  if (st->codecpar->codec_id == AV_CODEC_ID_H264) {
    info.format = "h264";
    filter = "h264_mp4toannexb";
  } else if (st->codecpar->codec_id == AV_CODEC_ID_HEVC) {
    info.format = "h265";
    filter = "hevc_mp4toannexb";
  } else {
    return Error(ErrorCode::kUnsupported,
                 file.string() + ": codec " + avcodec_get_name(st->codecpar->codec_id) +
                     " is not H.264 or HEVC, which foxglove.CompressedVideo needs here");
  }
  info.b_frames = st->codecpar->video_delay > 0;
  AVBSFContext* braw = nullptr;
  if ((rc = av_bsf_alloc(av_bsf_get_by_name(filter), &braw)) < 0) return AvError(filter, rc);
  BsfPtr bsf(braw);
  if ((rc = avcodec_parameters_copy(bsf->par_in, st->codecpar)) < 0) return AvError(filter, rc);
  bsf->time_base_in = st->time_base;
  if ((rc = av_bsf_init(bsf.get())) < 0) return AvError(filter, rc);

  av::PacketPtr pkt(av_packet_alloc());
  int64_t first_dts = AV_NOPTS_VALUE;
  int64_t max_pts = INT64_MIN;
  foxglove::CompressedVideo msg;
  msg.set_frame_id(camera.name());
  msg.set_format(info.format);
  auto to_ns = [&](int64_t ts) {
    return av_rescale_q(ts - first_dts, st->time_base, AVRational{1, 1'000'000'000});
  };
  auto drain = [&]() -> Status {
    while (true) {
      const int r = av_bsf_receive_packet(bsf.get(), pkt.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return Ok();
      if (r < 0) return AvError(std::string(filter) + " on " + file.string(), r);
      const int64_t dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
      const int64_t pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : dts;
      if (first_dts == AV_NOPTS_VALUE) first_dts = dts;
      if (pts < max_pts) info.b_frames = true;
      max_pts = std::max(max_pts, pts);
      const int64_t mono = camera.first_packet_mono_ns();
      SetTimestamp(timeline.WallNs(mono + to_ns(pts)), msg.mutable_timestamp());
      msg.set_data(pkt->data, static_cast<size_t>(pkt->size));
      const uint64_t log_time = timeline.WallNs(mono + to_ns(dts));
      mcap.AddMessage(channel, log_time, log_time, msg.SerializeAsString());
      ++info.frames;
      if (pkt->flags & AV_PKT_FLAG_KEY) ++info.keyframes;
      av_packet_unref(pkt.get());
    }
  };
  while ((rc = av_read_frame(in.get(), pkt.get())) >= 0) {
    if (pkt->stream_index != stream) {
      av_packet_unref(pkt.get());
      continue;
    }
    if ((rc = av_bsf_send_packet(bsf.get(), pkt.get())) < 0) {
      return AvError(std::string(filter) + " on " + file.string(), rc);
    }
    if (Status s = drain(); !s.ok()) return s.error();
  }
  if (rc != AVERROR_EOF) return AvError("read " + file.string(), rc);
  if ((rc = av_bsf_send_packet(bsf.get(), nullptr)) < 0) return AvError(filter, rc);
  if (Status s = drain(); !s.ok()) return s.error();
  return info;
}

std::string BoolText(bool b) { return b ? "true" : "false"; }

}  // namespace

Result<ClipMcap> BuildClipMcap(const ClipFolder& clip) {
  const proto::ClipManifest& m = clip.manifest;
  const Timeline timeline{m.time_mapping()};
  McapWriter mcap({.profile = "", .library = "fleetclip " + m.software_version()});
  ClipMcap out;

  const uint16_t video_schema =
      mcap.AddSchema("foxglove.CompressedVideo", "protobuf",
                     DescriptorSetOf(foxglove::CompressedVideo::descriptor()));
  std::string b_frame_cameras;
  for (const proto::ClipCamera& camera : m.cameras()) {
    const uint16_t channel = mcap.AddChannel(video_schema, "/camera/" + camera.name(), "protobuf",
                                             {{"camera", camera.name()}, {"file", camera.file()}});
    auto info = AddCamera(clip.dir / camera.file(), camera, timeline, channel, mcap);
    if (!info.ok()) return info.error();
    if (info->b_frames) b_frame_cameras += (b_frame_cameras.empty() ? "" : ",") + camera.name();
    out.cameras.push_back(std::move(*info));
  }

  auto frames = ReadClipSignals(clip);
  if (!frames.ok()) return frames.error();
  if (!frames->empty()) {
    const uint16_t schema = mcap.AddSchema("fleetclip.proto.SignalFrame", "protobuf",
                                           DescriptorSetOf(proto::SignalFrame::descriptor()));
    // One channel per producer: /signals for unnamed frames, /signals/<producer> else.
    std::map<std::string, uint16_t> channels;
    for (const proto::SignalFrame& f : *frames) {
      auto it = channels.find(f.producer());
      if (it == channels.end()) {
        const std::string topic =
            f.producer().empty() ? std::string("/signals") : "/signals/" + f.producer();
        it = channels
                 .emplace(f.producer(), mcap.AddChannel(schema, topic, "protobuf",
                                                        {{"source", m.signals_file()},
                                                         {"producer", f.producer()}}))
                 .first;
      }
      const uint64_t t = timeline.WallNs(f.mono_ns());
      mcap.AddMessage(it->second, t, t, f.SerializeAsString());
    }
    out.signal_frames = static_cast<int64_t>(frames->size());
  }

  const uint16_t event_schema = mcap.AddSchema("fleetclip.proto.ClipEvent", "protobuf",
                                               DescriptorSetOf(proto::ClipEvent::descriptor()));
  const uint16_t event_channel = mcap.AddChannel(event_schema, "/events", "protobuf");
  for (const proto::ClipEvent& e : m.events()) {
    const uint64_t t = timeline.WallNs(e.fired_mono_ns());
    mcap.AddMessage(event_channel, t, t, e.SerializeAsString());
    mcap.AddMetadata("event", {{"rule", e.rule()},
                               {"source", e.source()},
                               {"fired_unix_ms", std::to_string(e.fired_unix_ms())},
                               {"peak", ShortestNumber(e.peak_value())},
                               {"priority", std::to_string(e.priority())},
                               {"tier", e.tier()},
                               {"tag", e.tag()},
                               {"note", e.note()},
                               {"window_shortened", BoolText(e.window_shortened())}});
  }
  out.events = m.events_size();

  mcap.AddMetadata("clip",
                   {{"clip_id", m.clip_id()},
                    {"vehicle_id", m.vehicle_id()},
                    {"fleet_id", m.fleet_id()},
                    {"config_version", std::to_string(m.config_version())},
                    {"software_version", m.software_version()},
                    {"window_start_mono_ns", std::to_string(m.window_start_mono_ns())},
                    {"window_end_mono_ns", std::to_string(m.window_end_mono_ns())},
                    {"time_mapping_mono_ns", std::to_string(m.time_mapping().mono_ns())},
                    {"time_mapping_wall_unix_ns", std::to_string(m.time_mapping().wall_unix_ns())},
                    {"b_frames", b_frame_cameras.empty() ? "none" : b_frame_cameras},
                    {"b_frames_note", b_frame_cameras.empty()
                                          ? ""
                                          : "frames out of presentation order: Foxglove's video "
                                            "player cannot show these cameras"}});
  auto manifest_bytes = ReadWholeFile(clip.dir / "manifest.pb");
  if (!manifest_bytes.ok()) return manifest_bytes.error();
  const auto created = static_cast<uint64_t>(m.created_unix_ms()) * 1'000'000;
  mcap.AddAttachment("manifest.pb", "application/x-protobuf; proto=fleetclip.proto.ClipManifest",
                     timeline.WallNs(m.window_start_mono_ns()), created, *manifest_bytes);

  auto bytes = mcap.Finish();
  if (!bytes.ok()) return bytes.error();
  out.bytes = std::move(*bytes);
  out.stats = mcap.stats();
  return out;
}

}  // namespace fleetclip::cli

// A clip as one MCAP file for Foxglove and other MCAP tools (DESIGN.md section 12):
//  - /camera/<name>: schema foxglove.CompressedVideo (protobuf), one message per frame in decode
//    order, the access unit in Annex B (the MP4's avcC/hvcC framing rewritten by libavcodec's
//    h264_mp4toannexb / hevc_mp4toannexb, which put the parameter sets in front of every keyframe);
//  - /signals (unnamed producer) or /signals/<producer>: one channel per producer, schema
//    fleetclip.proto.SignalFrame, one message per signal frame;
//  - /events: schema fleetclip.proto.ClipEvent, one message per firing;
//  - metadata "clip" (ids, window, mapping, config version, which cameras have B-frames) and one
//    "event" per firing; attachment manifest.pb.
// Schemas are FileDescriptorSets of our generated protobuf code. Times: every log time is the
// sample's CLOCK_MONOTONIC time put on wall time (ns since the epoch) through the manifest's
// mono<->wall mapping, so all channels share one timeline and Foxglove shows real dates; the
// original mono_ns stays inside each SignalFrame. Video frame times: the camera's first packet time
// plus the MP4 timestamp (decode time for the log time, presentation time in the message).
#pragma once

#include <string>
#include <vector>

#include "cli/clip_folder.h"
#include "cli/mcap_writer.h"

namespace fleetclip::cli {

struct McapCameraInfo {
  std::string name;
  std::string format;  // "h264" or "h265"
  int64_t frames = 0;
  int64_t keyframes = 0;
  bool b_frames = false;  // frames out of presentation order: Foxglove's player cannot show them
};

struct ClipMcap {
  std::string bytes;
  McapStats stats;
  std::vector<McapCameraInfo> cameras;
  int64_t signal_frames = 0;
  int64_t events = 0;
};

// Reads every file the manifest names; kUnsupported for a camera codec other than H.264/HEVC.
Result<ClipMcap> BuildClipMcap(const ClipFolder& clip);

}  // namespace fleetclip::cli

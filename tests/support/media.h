// Test media: makes real H.264/HEVC streams with the ffmpeg CLI (libx264/libx265 from Debian) and
// inspects files with libavformat/libavcodec, decoding every frame and counting decoder errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fleetclip::testing {

struct VideoSpec {
  std::string codec = "h264";  // "h264" (libx264) or "hevc" (libx265)
  int width = 320;
  int height = 240;
  int fps = 30;
  double seconds = 4;
  int gop = 15;
  int bframes = 2;
  std::string pattern = "testsrc2";  // any lavfi video source
  int64_t bitrate_bps = 0;           // 0 = encoder default (CRF)
};

// Encodes a synthetic stream into `path` (container from the extension: .mp4 with its index first,
// .ts, .mkv, .h264).
// Throws std::runtime_error if ffmpeg fails.
void MakeTestVideo(const std::filesystem::path& path, const VideoSpec& spec);

struct DecodeReport {
  bool opened = false;
  std::string codec;
  int width = 0;
  int height = 0;
  int64_t packets = 0;
  int64_t frames = 0;
  int64_t decode_errors = 0;  // failed send/receive calls plus error-level decoder log lines
  bool first_frame_is_key = false;
  double duration_s = 0;  // presentation span of the decoded frames, last frame included
  double first_pts_s = 0;
};

// Decodes every frame of the first video stream.
DecodeReport DecodeFile(const std::filesystem::path& path);

// The payload of every video packet in demux order.
std::vector<std::string> PacketPayloads(const std::filesystem::path& path);

// Runs a command, waits for it, returns its exit status (or -1 if it could not start).
int RunCommand(const std::vector<std::string>& argv);

}  // namespace fleetclip::testing

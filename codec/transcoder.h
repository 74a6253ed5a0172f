// Transcoder (codec/ internal): decodes a non-H.264/HEVC input stream (raw video from lavfi or
// v4l2, MJPEG, …) and encodes it with a libavcodec encoder into something a clip can carry. Frames
// are converted to the encoder's pixel format (yuv420p preferred, the format every player decodes).
#pragma once

#include <functional>
#include <memory>

#include "codec/av_handles.h"
#include "codec/camera_source.h"
#include "codec/packet.h"
#include "common/result.h"

namespace fleetclip {

class Transcoder {
 public:
  static Result<std::unique_ptr<Transcoder>> Create(const AVStream& input,
                                                    const CameraOptions& options);

  // Decodes `pkt` (nullptr: drain at end of input) and hands every encoded packet to `emit`, with
  // timestamps in output_info()->time_base. Decode and encode failures are counted, never fatal.
  void Process(const AVPacket* pkt, const std::function<void(AVPacket*)>& emit,
               CameraSource::Counters& counters);

  const std::shared_ptr<const StreamInfo>& output_info() const { return output_info_; }

 private:
  Transcoder() = default;
  void EncodeFrame(AVFrame* frame, const std::function<void(AVPacket*)>& emit,
                   CameraSource::Counters& counters);

  av::CodecContextPtr decoder_;
  av::CodecContextPtr encoder_;
  av::SwsContextPtr sws_;
  av::FramePtr decoded_;
  av::FramePtr converted_;
  av::PacketPtr encoded_;
  std::shared_ptr<const StreamInfo> output_info_;
  int64_t last_pts_ = AV_NOPTS_VALUE;
};

}  // namespace fleetclip

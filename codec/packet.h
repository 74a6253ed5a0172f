// One captured video packet on the monotonic timeline. The payload is an FFmpeg refcounted buffer:
// a Packet and every clip snapshot holding it share the bytes, nothing is copied. Packets are
// immutable once made and shared as std::shared_ptr<const Packet> between the capture thread, the
// ring and clip writers.
#pragma once

#include <cstdint>
#include <memory>

#include "codec/av_handles.h"
#include "common/clock.h"

namespace fleetclip {

class Packet {
 public:
  // Takes over the reference held by `pkt` (left blank). Payload buffers much larger than the
  // payload (some demuxers hand out pooled buffers) are copied into a right-sized one so that the
  // ring's byte bound reflects real memory.
  static std::shared_ptr<const Packet> Adopt(AVPacket* pkt, MonoTime capture_time);

  MonoTime capture_time() const { return capture_time_; }
  bool key() const { return (pkt_->flags & AV_PKT_FLAG_KEY) != 0; }
  int64_t size() const { return pkt_->size; }
  const uint8_t* data() const { return pkt_->data; }
  // The underlying packet, timestamps in the stream's time base. Do not modify: shared.
  const AVPacket& av() const { return *pkt_; }

 private:
  Packet(av::PacketPtr pkt, MonoTime t) : pkt_(std::move(pkt)), capture_time_(t) {}

  av::PacketPtr pkt_;
  MonoTime capture_time_;
};

using PacketRef = std::shared_ptr<const Packet>;

// What a clip needs to know about a camera's stream, kept outside the ring so it is never evicted:
// codec parameters (with extradata) and the time base of the packets' pts/dts.
struct StreamInfo {
  av::CodecParametersPtr params;
  AVRational time_base{1, 90000};
  AVRational frame_rate{0, 1};  // 0/1 when unknown

  // True when packets of `other` can go in the same clip as ours (same codec, size and extradata).
  bool CompatibleWith(const StreamInfo& other) const;
  // "h264 1920x1080 30fps"
  std::string Describe() const;
};

// Builds a StreamInfo from codec parameters (copied).
std::shared_ptr<const StreamInfo> MakeStreamInfo(const AVCodecParameters& params,
                                                 AVRational time_base, AVRational frame_rate);

}  // namespace fleetclip

// Packet adoption and stream descriptions. See codec/packet.h.
#include "codec/packet.h"

#include <cstring>
#include <string>

namespace fleetclip {

std::shared_ptr<const Packet> Packet::Adopt(AVPacket* pkt, MonoTime capture_time) {
  av::PacketPtr owned(av_packet_alloc());
  av_packet_move_ref(owned.get(), pkt);
  const bool wasteful =
      owned->buf == nullptr || owned->buf->size > static_cast<size_t>(owned->size) +
                                                      static_cast<size_t>(owned->size) / 4 +
                                                      AV_INPUT_BUFFER_PADDING_SIZE + 4096;
  if (wasteful) {
    av::PacketPtr compact(av_packet_alloc());
    if (av_new_packet(compact.get(), owned->size) == 0) {
      std::memcpy(compact->data, owned->data, static_cast<size_t>(owned->size));
      av_packet_copy_props(compact.get(), owned.get());
      owned = std::move(compact);
    }
  }
  return std::shared_ptr<const Packet>(new Packet(std::move(owned), capture_time));
}

bool StreamInfo::CompatibleWith(const StreamInfo& o) const {
  const AVCodecParameters& a = *params;
  const AVCodecParameters& b = *o.params;
  return a.codec_id == b.codec_id && a.width == b.width && a.height == b.height &&
         a.extradata_size == b.extradata_size &&
         (a.extradata_size == 0 ||
          std::memcmp(a.extradata, b.extradata, static_cast<size_t>(a.extradata_size)) == 0) &&
         av_cmp_q(time_base, o.time_base) == 0;
}

std::string StreamInfo::Describe() const {
  std::string s = avcodec_get_name(params->codec_id);
  s += ' ';  // appended piece by piece: see TempPathFor in common/durable_file.cc (GCC bug 105329)
  s += std::to_string(params->width);
  s += 'x';
  s += std::to_string(params->height);
  if (frame_rate.num > 0 && frame_rate.den > 0) {
    char fps[32];
    std::snprintf(fps, sizeof fps, " %.3gfps", av_q2d(frame_rate));
    s += fps;
  }
  return s;
}

std::shared_ptr<const StreamInfo> MakeStreamInfo(const AVCodecParameters& params,
                                                 AVRational time_base, AVRational frame_rate) {
  auto info = std::make_shared<StreamInfo>();
  info->params.reset(avcodec_parameters_alloc());
  avcodec_parameters_copy(info->params.get(), &params);
  info->time_base = time_base;
  info->frame_rate = frame_rate;
  return info;
}

}  // namespace fleetclip

// See codec/nal_check.h.
#include "codec/nal_check.h"

namespace fleetclip {
namespace {

const char* CheckNalHeader(AVCodecID codec, std::span<const uint8_t> nal) {
  if (nal.empty()) return "empty NAL unit";
  if ((nal[0] & 0x80) != 0) return "NAL forbidden bit set";
  if (codec == AV_CODEC_ID_H264) {
    const int type = nal[0] & 0x1f;
    if (type == 0 || type > 23) return "reserved H.264 NAL type";
  } else {
    if (nal.size() < 2) return "short HEVC NAL header";
    const int type = (nal[0] >> 1) & 0x3f;
    if (type >= 41 && type <= 47)
      return "reserved HEVC NAL type";  // 48..63 are unspecified, used by extensions
    if ((nal[1] & 0x07) == 0) return "HEVC temporal id of zero";
  }
  return nullptr;
}

}  // namespace

NalFormat NalFormatFromExtradata(AVCodecID codec, std::span<const uint8_t> extradata) {
  NalFormat f{codec, 0};
  if (extradata.empty() || extradata[0] != 1) return f;  // Annex B (or none): start codes
  if (codec == AV_CODEC_ID_H264 && extradata.size() >= 5) f.length_size = (extradata[4] & 3) + 1;
  if (codec == AV_CODEC_ID_HEVC && extradata.size() >= 22) f.length_size = (extradata[21] & 3) + 1;
  return f;
}

const char* CheckNalUnits(const NalFormat& format, std::span<const uint8_t> payload) {
  if (format.codec != AV_CODEC_ID_H264 && format.codec != AV_CODEC_ID_HEVC) return nullptr;
  if (payload.empty()) return "empty packet";
  if (format.length_size == 0) {
    size_t skip = 0;
    if (payload.size() >= 4 && payload[0] == 0 && payload[1] == 0 && payload[2] == 0 &&
        payload[3] == 1) {
      skip = 4;
    } else if (payload.size() >= 3 && payload[0] == 0 && payload[1] == 0 && payload[2] == 1) {
      skip = 3;
    } else {
      return "no Annex B start code";
    }
    return CheckNalHeader(format.codec, payload.subspan(skip));
  }
  size_t pos = 0;
  while (pos < payload.size()) {
    if (payload.size() - pos < static_cast<size_t>(format.length_size))
      return "truncated NAL length";
    size_t len = 0;
    for (int i = 0; i < format.length_size; ++i)
      len = (len << 8) | payload[pos + static_cast<size_t>(i)];
    pos += static_cast<size_t>(format.length_size);
    if (len == 0 || len > payload.size() - pos) return "NAL length outside the packet";
    if (const char* why = CheckNalHeader(format.codec, payload.subspan(pos, len))) return why;
    pos += len;
  }
  return nullptr;
}

}  // namespace fleetclip

// A cheap sanity check of H.264/HEVC packets passed through without decoding. It cannot prove a
// packet decodes, but it catches garbage that a decoder would choke on: length-prefixed (MP4/MKV)
// payloads must tile exactly into NAL units with valid headers; Annex B payloads must start with a
// start code and a valid NAL header. Cost: O(NAL units), never a scan of the payload.
#pragma once

#include <cstdint>
#include <span>

extern "C" {
#include <libavcodec/codec_id.h>
}

namespace fleetclip {

struct NalFormat {
  AVCodecID codec = AV_CODEC_ID_NONE;
  int length_size = 0;  // 1..4 for length-prefixed NAL units, 0 for Annex B start codes
};

// Reads the NAL framing from the stream's extradata (avcC / hvcC → length-prefixed).
NalFormat NalFormatFromExtradata(AVCodecID codec, std::span<const uint8_t> extradata);

// Returns nullptr when the payload looks well formed, otherwise a short reason.
const char* CheckNalUnits(const NalFormat& format, std::span<const uint8_t> payload);

}  // namespace fleetclip

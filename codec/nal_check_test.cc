#include "codec/nal_check.h"

#include <catch2/catch.hpp>
#include <vector>

namespace fleetclip {

TEST_CASE("Length-prefixed H.264 NAL units that tile the packet pass the check") {
  NalFormat f{AV_CODEC_ID_H264, 4};
  std::vector<uint8_t> pkt = {0, 0, 0, 3, 0x65, 0x88, 0x80, 0, 0, 0, 2, 0x41, 0x9a};
  REQUIRE(CheckNalUnits(f, pkt) == nullptr);
}

TEST_CASE("A NAL length running past the packet is reported") {
  NalFormat f{AV_CODEC_ID_H264, 4};
  std::vector<uint8_t> pkt = {0, 0, 0, 9, 0x65, 0x88};
  REQUIRE(std::string(CheckNalUnits(f, pkt)) == "NAL length outside the packet");
}

TEST_CASE("A set forbidden bit is reported for H.264 and HEVC") {
  std::vector<uint8_t> h264 = {0, 0, 0, 1, 0xe5};
  REQUIRE(std::string(CheckNalUnits({AV_CODEC_ID_H264, 0}, h264)) == "NAL forbidden bit set");
  std::vector<uint8_t> hevc = {0, 0, 1, 0x80, 0x01};
  REQUIRE(std::string(CheckNalUnits({AV_CODEC_ID_HEVC, 0}, hevc)) == "NAL forbidden bit set");
}

TEST_CASE("Annex B packets must begin with a start code") {
  std::vector<uint8_t> pkt = {0x12, 0x34, 0x56, 0x78};
  REQUIRE(std::string(CheckNalUnits({AV_CODEC_ID_H264, 0}, pkt)) == "no Annex B start code");
}

TEST_CASE("The NAL length size is read from avcC and hvcC extradata") {
  std::vector<uint8_t> avcc = {1, 0x64, 0, 0x1f, 0xff};
  REQUIRE(NalFormatFromExtradata(AV_CODEC_ID_H264, avcc).length_size == 4);
  std::vector<uint8_t> annexb = {0, 0, 0, 1, 0x67};
  REQUIRE(NalFormatFromExtradata(AV_CODEC_ID_H264, annexb).length_size == 0);
  std::vector<uint8_t> hvcc(23, 0);
  hvcc[0] = 1;
  hvcc[21] = 0x03;
  REQUIRE(NalFormatFromExtradata(AV_CODEC_ID_HEVC, hvcc).length_size == 4);
}

}  // namespace fleetclip

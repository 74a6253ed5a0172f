// RAII owners for the FFmpeg handles codec/ uses, built on common/unique_handle.h. FFmpeg's free
// functions take a pointer-to-pointer, hence the small adapters.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include "common/unique_handle.h"

namespace fleetclip::av {

inline void FreePacket(AVPacket* p) { av_packet_free(&p); }
inline void FreeFrame(AVFrame* f) { av_frame_free(&f); }
inline void FreeCodecContext(AVCodecContext* c) { avcodec_free_context(&c); }
inline void FreeCodecParameters(AVCodecParameters* p) { avcodec_parameters_free(&p); }
inline void CloseInput(AVFormatContext* f) { avformat_close_input(&f); }
inline void FreeDictionary(AVDictionary* d) { av_dict_free(&d); }

using PacketPtr = UniqueHandle<AVPacket, FreePacket>;
using FramePtr = UniqueHandle<AVFrame, FreeFrame>;
using CodecContextPtr = UniqueHandle<AVCodecContext, FreeCodecContext>;
using CodecParametersPtr = UniqueHandle<AVCodecParameters, FreeCodecParameters>;
using InputContextPtr = UniqueHandle<AVFormatContext, CloseInput>;  // from avformat_open_input
using OutputContextPtr = UniqueHandle<AVFormatContext, avformat_free_context>;  // muxers
using SwsContextPtr = UniqueHandle<SwsContext, sws_freeContext>;

}  // namespace fleetclip::av

// Decode → convert → encode for camera inputs that are not already H.264/HEVC.
#include "codec/transcoder.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
}

#include <cmath>

#include "codec/av_error.h"

namespace fleetclip {
namespace {

AVPixelFormat ChooseEncoderFormat(const AVCodec& encoder) {
  if (encoder.pix_fmts == nullptr) return AV_PIX_FMT_YUV420P;
  for (const AVPixelFormat* f = encoder.pix_fmts; *f != AV_PIX_FMT_NONE; ++f) {
    if (*f == AV_PIX_FMT_YUV420P) return *f;
  }
  return encoder.pix_fmts[0];
}

}  // namespace

Result<std::unique_ptr<Transcoder>> Transcoder::Create(const AVStream& input,
                                                       const CameraOptions& options) {
  std::unique_ptr<Transcoder> t(new Transcoder());
  const AVCodecParameters& in = *input.codecpar;
  const AVCodec* dec = avcodec_find_decoder(in.codec_id);
  if (dec == nullptr) {
    return Error(ErrorCode::kUnsupported,
                 std::string("no decoder for input codec ") + avcodec_get_name(in.codec_id));
  }
  t->decoder_.reset(avcodec_alloc_context3(dec));
  int ret = avcodec_parameters_to_context(t->decoder_.get(), &in);
  if (ret < 0) return AvError("configure decoder", ret);
  t->decoder_->pkt_timebase = input.time_base;
  if ((ret = avcodec_open2(t->decoder_.get(), dec, nullptr)) < 0)
    return AvError("open decoder", ret);

  const AVCodec* enc = avcodec_find_encoder_by_name(options.encoder.c_str());
  if (enc == nullptr || enc->type != AVMEDIA_TYPE_VIDEO) {
    return Error(ErrorCode::kInvalidArgument, "camera " + options.name + ": encoder \"" +
                                                  options.encoder +
                                                  "\" is not a video encoder of this FFmpeg build");
  }
  AVRational fps = input.avg_frame_rate.num > 0 ? input.avg_frame_rate : input.r_frame_rate;
  if (fps.num <= 0 || fps.den <= 0) fps = AVRational{30, 1};
  t->encoder_.reset(avcodec_alloc_context3(enc));
  AVCodecContext& e = *t->encoder_;
  e.width = in.width;
  e.height = in.height;
  e.pix_fmt = ChooseEncoderFormat(*enc);
  e.sample_aspect_ratio = in.sample_aspect_ratio;
  e.time_base = input.time_base;
  e.framerate = fps;
  e.bit_rate = options.bitrate_bps;
  e.gop_size = options.gop_frames > 0 ? options.gop_frames
                                      : std::max(1, static_cast<int>(std::lround(av_q2d(fps))));
  e.keyint_min = e.gop_size;
  e.max_b_frames = 0;                      // low latency unless the options ask for B-frames ("bf")
  e.flags |= AV_CODEC_FLAG_GLOBAL_HEADER;  // extradata for MP4
  AVDictionary* raw_opts = nullptr;
  if (options.encoder == "libx264" || options.encoder == "libx265") {
    av_dict_set(&raw_opts, "preset", "superfast", 0);
    av_dict_set(&raw_opts, "tune", "zerolatency", 0);
  }
  for (const auto& [k, v] : options.encoder_options)
    av_dict_set(&raw_opts, k.c_str(), v.c_str(), 0);
  ret = avcodec_open2(&e, enc, &raw_opts);
  std::string unused;
  for (const AVDictionaryEntry* d = nullptr;
       (d = av_dict_get(raw_opts, "", d, AV_DICT_IGNORE_SUFFIX));) {
    unused += unused.empty() ? d->key : std::string(", ") + d->key;
  }
  av_dict_free(&raw_opts);
  if (ret < 0) return AvError("camera " + options.name + ": open encoder " + options.encoder, ret);
  if (!unused.empty()) {
    return Error(ErrorCode::kInvalidArgument, "camera " + options.name + ": encoder " +
                                                  options.encoder + " does not know option(s) " +
                                                  unused);
  }
  av::CodecParametersPtr out(avcodec_parameters_alloc());
  avcodec_parameters_from_context(out.get(), &e);
  t->output_info_ = MakeStreamInfo(*out, e.time_base, fps);
  t->decoded_.reset(av_frame_alloc());
  t->converted_.reset(av_frame_alloc());
  t->encoded_.reset(av_packet_alloc());
  return t;
}

void Transcoder::Process(const AVPacket* pkt, const std::function<void(AVPacket*)>& emit,
                         CameraSource::Counters& counters) {
  if (avcodec_send_packet(decoder_.get(), pkt) < 0) {
    ++counters.decode_errors;
    return;
  }
  for (;;) {
    const int ret = avcodec_receive_frame(decoder_.get(), decoded_.get());
    if (ret == AVERROR(EAGAIN)) return;
    if (ret == AVERROR_EOF) break;
    if (ret < 0) {
      ++counters.decode_errors;
      return;
    }
    if (decoded_->decode_error_flags != 0 || (decoded_->flags & AV_FRAME_FLAG_CORRUPT) != 0) {
      ++counters.decode_errors;
      av_frame_unref(decoded_.get());
      continue;
    }
    EncodeFrame(decoded_.get(), emit, counters);
    av_frame_unref(decoded_.get());
  }
  EncodeFrame(nullptr, emit, counters);  // input ended: drain the encoder
}

void Transcoder::EncodeFrame(AVFrame* frame, const std::function<void(AVPacket*)>& emit,
                             CameraSource::Counters& counters) {
  AVCodecContext& e = *encoder_;
  AVFrame* to_send = frame;
  if (frame != nullptr) {
    int64_t pts = frame->best_effort_timestamp;
    if (pts == AV_NOPTS_VALUE || (last_pts_ != AV_NOPTS_VALUE && pts <= last_pts_)) {
      pts = last_pts_ == AV_NOPTS_VALUE ? 0 : last_pts_ + 1;
    }
    last_pts_ = pts;
    if (frame->format != e.pix_fmt || frame->width != e.width || frame->height != e.height) {
      sws_.reset(sws_getCachedContext(sws_.release(), frame->width, frame->height,
                                      static_cast<AVPixelFormat>(frame->format), e.width, e.height,
                                      e.pix_fmt, SWS_BILINEAR, nullptr, nullptr, nullptr));
      av_frame_unref(converted_.get());
      converted_->format = e.pix_fmt;
      converted_->width = e.width;
      converted_->height = e.height;
      if (sws_ == nullptr || av_frame_get_buffer(converted_.get(), 0) < 0 ||
          sws_scale_frame(sws_.get(), converted_.get(), frame) < 0) {
        ++counters.encode_errors;
        return;
      }
      to_send = converted_.get();
    }
    to_send->pts = pts;
    to_send->pict_type = AV_PICTURE_TYPE_NONE;
  }
  if (avcodec_send_frame(&e, to_send) < 0) {
    ++counters.encode_errors;
    return;
  }
  for (;;) {
    const int ret = avcodec_receive_packet(&e, encoded_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    if (ret < 0) {
      ++counters.encode_errors;
      return;
    }
    emit(encoded_.get());
    av_packet_unref(encoded_.get());
  }
}

}  // namespace fleetclip

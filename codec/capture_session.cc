// Opening an input and pumping its packets into a ring. See codec/capture_session.h.
#include "codec/capture_session.h"

#include <array>
#include <cstdlib>
#include <string_view>

#include "codec/av_error.h"
#include "codec/media_init.h"

namespace fleetclip {
namespace {

constexpr Nanos kMaxLiveDrift = std::chrono::seconds(1);
constexpr int kMaxConsecutiveReadErrors = 100;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

int IoDeadline::Callback(void* self) {
  auto* io = static_cast<IoDeadline*>(self);
  if (io->stop.stop_requested()) return 1;
  if (io->clock->Now() > io->deadline) {
    io->timed_out = true;
    return 1;
  }
  return 0;
}

bool IsLiveSource(const CameraOptions& o) {
  static constexpr std::array<std::string_view, 9> kSchemes = {
      "rtsp:", "rtsps:", "rtp:", "udp:", "tcp:", "srt:", "rtmp:", "http:", "https:"};
  for (auto s : kSchemes) {
    if (StartsWith(o.url, s)) return true;
  }
  return o.input_format == "v4l2" || o.input_format == "video4linux2" || StartsWith(o.url, "/dev/");
}

CaptureSession::CaptureSession(const CameraOptions& options, const Clock& clock, const Logger& log)
    : options_(options), clock_(clock), log_(log), io_(std::make_unique<IoDeadline>()) {}

Result<std::unique_ptr<CaptureSession>> CaptureSession::Open(const CameraOptions& options,
                                                             const Clock& clock,
                                                             std::stop_token stop,
                                                             const Logger& log) {
  std::unique_ptr<CaptureSession> s(new CaptureSession(options, clock, log));
  s->io_->clock = &clock;
  s->io_->stop = std::move(stop);
  s->io_->deadline = clock.Now() + options.io_timeout;
  s->live_ = IsLiveSource(options);
  s->paced_ = options.pacing == CameraOptions::Pacing::kRealtime ||
              (options.pacing == CameraOptions::Pacing::kAuto && !s->live_);

  // Capture devices come with libavdevice, loaded the first time a camera needs one; an error
  // from loading it is added to whatever error opening this camera then gives.
  std::string devices_error;
  const auto with_devices_error = [&devices_error](std::string message) {
    if (!devices_error.empty()) message += " (capture devices: " + devices_error + ")";
    return message;
  };
  if (StartsWith(options.url, "/dev/")) devices_error = LoadCaptureDevices();
  const AVInputFormat* format = nullptr;
  if (!options.input_format.empty()) {
    format = av_find_input_format(options.input_format.c_str());
    if (format == nullptr) {
      devices_error = LoadCaptureDevices();
      format = av_find_input_format(options.input_format.c_str());
    }
    if (format == nullptr) {
      return Error(
          ErrorCode::kInvalidArgument,
          with_devices_error("camera " + options.name + ": input_format \"" + options.input_format +
                             "\" is not known to this FFmpeg build"));
    }
  }
  AVFormatContext* ctx = avformat_alloc_context();
  ctx->interrupt_callback = AVIOInterruptCB{&IoDeadline::Callback, s->io_.get()};
  AVDictionary* opts = nullptr;
  for (const auto& [k, v] : options.input_options) av_dict_set(&opts, k.c_str(), v.c_str(), 0);
  int ret = avformat_open_input(&ctx, options.url.c_str(), format, &opts);  // frees ctx on failure
  av_dict_free(&opts);
  if (ret < 0) return AvError(with_devices_error("open " + options.url), ret);
  s->input_.reset(ctx);

  s->io_->deadline = clock.Now() + options.io_timeout;
  if ((ret = avformat_find_stream_info(ctx, nullptr)) < 0)
    return AvError("probe " + options.url, ret);
  s->stream_index_ = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (s->stream_index_ < 0)
    return AvError("find a video stream in " + options.url, s->stream_index_);
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    if (static_cast<int>(i) != s->stream_index_) ctx->streams[i]->discard = AVDISCARD_ALL;
  }
  const AVStream& st = *ctx->streams[s->stream_index_];
  s->input_tb_ = st.time_base;
  const AVCodecID codec = st.codecpar->codec_id;
  if (codec == AV_CODEC_ID_H264 || codec == AV_CODEC_ID_HEVC) {
    s->info_ = MakeStreamInfo(*st.codecpar, st.time_base,
                              av_guess_frame_rate(ctx, ctx->streams[s->stream_index_], nullptr));
    s->nal_format_ = NalFormatFromExtradata(
        codec, std::span<const uint8_t>(st.codecpar->extradata,
                                        static_cast<size_t>(st.codecpar->extradata_size)));
  } else {
    auto t = Transcoder::Create(st, options);
    if (!t.ok()) return t.error();
    s->transcoder_ = std::move(t).value();
    s->info_ = s->transcoder_->output_info();
  }
  return s;
}

MonoTime CaptureSession::CaptureTime(int64_t ts, AVRational tb, MonoTime last_time) {
  const MonoTime now = clock_.Now();
  if (ts == AV_NOPTS_VALUE) return std::max(now, last_time);
  if (!anchored_) {
    anchored_ = true;
    base_ = std::max(now, last_time);
    origin_ts_ = ts;
  }
  MonoTime t = base_ + Nanos(av_rescale_q(ts - origin_ts_, tb, AVRational{1, 1'000'000'000}));
  if (live_ && (t - now > kMaxLiveDrift || now - t > kMaxLiveDrift)) {
    base_ = now;  // the source's clock jumped or drifted: re-anchor on arrival
    origin_ts_ = ts;
    t = now;
  }
  return std::max(t, last_time);
}

void CaptureSession::PushPacket(AVPacket* pkt, AVRational tb, PacketRing& ring,
                                CameraSource::Counters& counters, MonoTime& last_time) {
  const MonoTime t = CaptureTime(pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts, tb, last_time);
  if (paced_) clock_.SleepUntil(t, io_->stop);
  last_time = t;
  const int64_t size = pkt->size;
  if (ring.Push(Packet::Adopt(pkt, t)) == PushResult::kStored) {
    ++counters.packets;
    counters.bytes += size;
  }
}

void CaptureSession::DropCorrupt(const char* why, const AVPacket* pkt,
                                 CameraSource::Counters& counters) {
  ++counters.corrupt_packets;
  skip_to_keyframe_ = true;
  int64_t suppressed = 0;
  if (corrupt_log_.Allow(clock_.Now(), &suppressed)) {
    const int64_t ts = pkt == nullptr ? AV_NOPTS_VALUE : pkt->dts;
    log_.Warn("packet_dropped",
              {{"reason", why},
               {"dts_ms", ts == AV_NOPTS_VALUE ? -1 : av_rescale_q(ts, input_tb_, {1, 1000})},
               {"suppressed", suppressed}});
  }
}

Status CaptureSession::Pump(PacketRing& ring, CameraSource::Counters& counters,
                            MonoTime& last_time) {
  ring.SetStreamInfo(info_);
  av::PacketPtr pkt(av_packet_alloc());
  auto emit = [&](AVPacket* out) { PushPacket(out, info_->time_base, ring, counters, last_time); };
  int consecutive_errors = 0;
  for (;;) {
    if (io_->stop.stop_requested()) return Ok();
    io_->deadline = clock_.Now() + options_.io_timeout;
    const int ret = av_read_frame(input_.get(), pkt.get());
    if (ret == AVERROR(EAGAIN)) {
      clock_.SleepFor(std::chrono::milliseconds(5), io_->stop);
      continue;
    }
    if (ret == AVERROR_EOF) {
      if (transcoder_ != nullptr) transcoder_->Process(nullptr, emit, counters);
      return Ok();
    }
    if (ret == AVERROR_EXIT || io_->timed_out) {
      if (io_->stop.stop_requested()) return Ok();
      return Error(ErrorCode::kTimeout, "no data from " + options_.url + " for " +
                                            std::to_string(ToMillis(options_.io_timeout)) + " ms");
    }
    if (ret < 0) {
      if (ret == AVERROR_INVALIDDATA && ++consecutive_errors < kMaxConsecutiveReadErrors) {
        DropCorrupt("unreadable data in the input", nullptr, counters);
        continue;
      }
      return AvError("read " + options_.url, ret);
    }
    consecutive_errors = 0;
    if (pkt->stream_index != stream_index_) {
      av_packet_unref(pkt.get());
      continue;
    }
    if (transcoder_ != nullptr) {
      transcoder_->Process(pkt.get(), emit, counters);
      av_packet_unref(pkt.get());
      continue;
    }
    const char* why = (pkt->flags & AV_PKT_FLAG_CORRUPT) != 0 ? "flagged corrupt by the demuxer"
                      : pkt->size <= 0
                          ? "empty packet"
                          : CheckNalUnits(nal_format_, {pkt->data, static_cast<size_t>(pkt->size)});
    if (why != nullptr) {
      DropCorrupt(why, pkt.get(), counters);
      av_packet_unref(pkt.get());
      continue;
    }
    if (skip_to_keyframe_) {
      if ((pkt->flags & AV_PKT_FLAG_KEY) == 0) {
        ++counters.skipped_packets;
        av_packet_unref(pkt.get());
        continue;
      }
      skip_to_keyframe_ = false;
    }
    emit(pkt.get());
  }
}

}  // namespace fleetclip

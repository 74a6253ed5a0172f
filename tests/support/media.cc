// See tests/support/media.h.
#include "tests/support/media.h"

#include <spawn.h>
#include <sys/wait.h>

#include <stdexcept>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

extern char** environ;

namespace fleetclip::testing {
namespace {

thread_local int64_t tls_decoder_errors = 0;

void CountingLogCallback(void* avcl, int level, const char* fmt, va_list vl) {
  if (level <= AV_LOG_ERROR) ++tls_decoder_errors;
  if (level <= AV_LOG_WARNING) av_log_default_callback(avcl, level, fmt, vl);
}

}  // namespace

int RunCommand(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void MakeTestVideo(const std::filesystem::path& path, const VideoSpec& s) {
  const std::string src = s.pattern + "=size=" + std::to_string(s.width) + "x" +
                          std::to_string(s.height) + ":rate=" + std::to_string(s.fps) +
                          ":duration=" + std::to_string(s.seconds);
  std::vector<std::string> argv = {"ffmpeg", "-nostdin", "-v", "error",    "-y",     "-f",
                                   "lavfi",  "-i",       src,  "-pix_fmt", "yuv420p"};
  if (s.codec == "h264") {
    argv.insert(argv.end(), {"-c:v", "libx264", "-preset", "ultrafast", "-g", std::to_string(s.gop),
                             "-keyint_min", std::to_string(s.gop), "-sc_threshold", "0", "-bf",
                             std::to_string(s.bframes)});
    if (s.bframes > 0)
      argv.insert(argv.end(), {"-x264-params", "b-adapt=0"});  // ultrafast disables B-frames
  } else if (s.codec == "hevc") {
    argv.insert(argv.end(), {"-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
                             "log-level=error:keyint=" + std::to_string(s.gop) +
                                 ":min-keyint=" + std::to_string(s.gop) +
                                 ":scenecut=0:bframes=" + std::to_string(s.bframes)});
  } else {
    throw std::runtime_error("MakeTestVideo: unknown codec " + s.codec);
  }
  if (s.bitrate_bps > 0) argv.insert(argv.end(), {"-b:v", std::to_string(s.bitrate_bps)});
  if (path.extension() == ".mp4")
    argv.insert(argv.end(), {"-movflags", "+faststart"});  // index first
  argv.push_back(path.string());
  if (RunCommand(argv) != 0) throw std::runtime_error("ffmpeg failed to make " + path.string());
}

DecodeReport DecodeFile(const std::filesystem::path& path) {
  DecodeReport r;
  AVFormatContext* fmt = nullptr;
  if (avformat_open_input(&fmt, path.c_str(), nullptr, nullptr) < 0) return r;
  if (avformat_find_stream_info(fmt, nullptr) < 0) {
    avformat_close_input(&fmt);
    return r;
  }
  const int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (idx < 0) {
    avformat_close_input(&fmt);
    return r;
  }
  AVStream* st = fmt->streams[idx];
  const AVCodec* dec = avcodec_find_decoder(st->codecpar->codec_id);
  AVCodecContext* ctx = avcodec_alloc_context3(dec);
  avcodec_parameters_to_context(ctx, st->codecpar);
  ctx->thread_count = 1;  // errors are logged on this thread
  ctx->err_recognition = AV_EF_CRCCHECK | AV_EF_BITSTREAM;
  avcodec_open2(ctx, dec, nullptr);
  r.opened = true;
  r.codec = avcodec_get_name(st->codecpar->codec_id);
  r.width = st->codecpar->width;
  r.height = st->codecpar->height;

  av_log_set_callback(CountingLogCallback);
  tls_decoder_errors = 0;
  AVPacket* pkt = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  int64_t min_pts = INT64_MAX, max_end = INT64_MIN;
  auto drain = [&] {
    for (;;) {
      int ret = avcodec_receive_frame(ctx, frame);
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
      if (ret < 0) {
        ++r.decode_errors;
        return;
      }
      if (r.frames == 0) r.first_frame_is_key = frame->key_frame != 0;
      if (frame->decode_error_flags != 0) ++r.decode_errors;
      ++r.frames;
      const int64_t pts = frame->best_effort_timestamp;
      if (pts != AV_NOPTS_VALUE) {
        min_pts = std::min(min_pts, pts);
        max_end = std::max(max_end, pts + std::max<int64_t>(frame->pkt_duration, 1));
      }
      av_frame_unref(frame);
    }
  };
  while (av_read_frame(fmt, pkt) >= 0) {
    if (pkt->stream_index == idx) {
      ++r.packets;
      if (avcodec_send_packet(ctx, pkt) < 0) ++r.decode_errors;
      drain();
    }
    av_packet_unref(pkt);
  }
  avcodec_send_packet(ctx, nullptr);
  drain();
  r.decode_errors += tls_decoder_errors;
  av_log_set_callback(av_log_default_callback);
  if (min_pts != INT64_MAX) {
    r.duration_s = static_cast<double>(max_end - min_pts) * av_q2d(st->time_base);
    r.first_pts_s = static_cast<double>(min_pts) * av_q2d(st->time_base);
  }
  av_frame_free(&frame);
  av_packet_free(&pkt);
  avcodec_free_context(&ctx);
  avformat_close_input(&fmt);
  return r;
}

std::vector<std::string> PacketPayloads(const std::filesystem::path& path) {
  std::vector<std::string> out;
  AVFormatContext* fmt = nullptr;
  if (avformat_open_input(&fmt, path.c_str(), nullptr, nullptr) < 0) return out;
  avformat_find_stream_info(fmt, nullptr);
  const int idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  AVPacket* pkt = av_packet_alloc();
  while (av_read_frame(fmt, pkt) >= 0) {
    if (pkt->stream_index == idx)
      out.emplace_back(reinterpret_cast<const char*>(pkt->data), pkt->size);
    av_packet_unref(pkt);
  }
  av_packet_free(&pkt);
  avformat_close_input(&fmt);
  return out;
}

}  // namespace fleetclip::testing

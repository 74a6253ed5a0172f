// MP4 remux of a ring snapshot, written through our own AVIOContext whose writes go to a
// WritableFile of the FileSystem seam, so that the file can be fsynced, a test can fail any write,
// and a write error keeps its errno and names the file (ENOSPC stays kNoSpace).
#include "codec/clip_muxer.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <optional>
#include <thread>

#include "codec/av_error.h"
#include "common/durable_file.h"
#include "common/thread_name.h"
#include "common/unique_handle.h"

extern "C" {
#include <libavutil/mem.h>
}

namespace fleetclip {
namespace {

constexpr int kIoBufferBytes = 1 << 20;  // large writes: fewer syscalls when cutting big clips

// Where the muxer's bytes go: a position-tracking view of one WritableFile. The first write error
// is kept as our own Error (FFmpeg only sees AVERROR(EIO) or similar).
struct AvioSink {
  WritableFile* file;
  int64_t pos = 0;
  int64_t size = 0;
  std::optional<Error> error{};
};

// FFmpeg 5.1 declares the write callback with a non-const buffer.
int WriteToFile(void* opaque, uint8_t* buf, int size) {
  auto* sink = static_cast<AvioSink*>(opaque);
  if (sink->error) return AVERROR(EIO);
  Status s = sink->file->WriteAt(
      sink->pos, std::string_view(reinterpret_cast<const char*>(buf), static_cast<size_t>(size)));
  if (!s.ok()) {
    sink->error = s.error();
    return s.error().code() == ErrorCode::kNoSpace ? AVERROR(ENOSPC) : AVERROR(EIO);
  }
  sink->pos += size;
  sink->size = std::max(sink->size, sink->pos);
  return size;
}

int64_t SeekFile(void* opaque, int64_t offset, int whence) {
  auto* sink = static_cast<AvioSink*>(opaque);
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return sink->size;
    case SEEK_SET:
      sink->pos = offset;
      return sink->pos;
    case SEEK_CUR:
      sink->pos += offset;
      return sink->pos;
    case SEEK_END:
      sink->pos = sink->size + offset;
      return sink->pos;
    default:
      return AVERROR(EINVAL);
  }
}

void FreeAvio(AVIOContext* io) {
  av_freep(&io->buffer);
  avio_context_free(&io);
}
using AvioPtr = UniqueHandle<AVIOContext, FreeAvio>;

// Writes the MP4 into `sink`. Returns the number of packets written and the presentation span.
Status WriteMp4(const Snapshot& snap, AvioSink& sink, const std::string& name, MuxedClip& clip) {
  auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferBytes));
  if (buffer == nullptr) return Error(ErrorCode::kInternal, "out of memory for the mux buffer");
  AvioPtr io(avio_alloc_context(buffer, kIoBufferBytes, 1, &sink, nullptr, WriteToFile, SeekFile));
  if (io == nullptr) {
    av_free(buffer);
    return Error(ErrorCode::kInternal, "avio_alloc_context failed");
  }
  AVFormatContext* raw = nullptr;
  int ret = avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr);
  av::OutputContextPtr out(raw);
  if (ret < 0) return AvError("mp4 muxer for " + name, ret);
  out->pb = io.get();
  out->flags |= AVFMT_FLAG_CUSTOM_IO;
  // Left at "auto", libavformat flushes the I/O buffer after every packet (one write per frame);
  // with 0 the buffer above fills first.
  out->flush_packets = 0;

  AVStream* st = avformat_new_stream(out.get(), nullptr);
  if (st == nullptr) return Error(ErrorCode::kInternal, "avformat_new_stream failed");
  if ((ret = avcodec_parameters_copy(st->codecpar, snap.info->params.get())) < 0) {
    return AvError("copy codec parameters for " + name, ret);
  }
  // Players (Safari, QuickTime) want hvc1 for HEVC in MP4; the muxer picks avc1 for H.264 itself.
  st->codecpar->codec_tag =
      st->codecpar->codec_id == AV_CODEC_ID_HEVC ? MKTAG('h', 'v', 'c', '1') : 0;
  st->time_base = snap.info->time_base;
  if (snap.info->frame_rate.num > 0) st->avg_frame_rate = snap.info->frame_rate;
  if ((ret = avformat_write_header(out.get(), nullptr)) < 0)
    return AvError("write mp4 header of " + name, ret);

  // Decode timestamps come from capture times, not from the stream: a snapshot may span a reopened
  // source whose timestamps restarted, or a live source that was re-anchored. Each packet keeps its
  // own pts - dts (B-frame reordering) on top.
  const AVRational in_tb = snap.info->time_base;
  const AVRational out_tb = st->time_base;
  const MonoTime origin = snap.first_time();
  av::PacketPtr pkt(av_packet_alloc());
  int64_t min_pts = INT64_MAX, max_end = INT64_MIN, last_dts = INT64_MIN;
  Status status;
  for (const PacketRef& p : snap.packets) {
    if ((ret = av_packet_ref(pkt.get(), &p->av())) < 0) {
      status = AvError("reference packet", ret);
      break;
    }
    const int64_t reorder = pkt->pts != AV_NOPTS_VALUE && pkt->dts != AV_NOPTS_VALUE
                                ? av_rescale_q(pkt->pts - pkt->dts, in_tb, out_tb)
                                : 0;
    int64_t dts =
        av_rescale_q((p->capture_time() - origin).count(), AVRational{1, 1'000'000'000}, out_tb);
    if (dts <= last_dts) dts = last_dts + 1;  // MP4 needs strictly increasing decode times
    last_dts = dts;
    pkt->stream_index = 0;
    pkt->pos = -1;
    pkt->dts = dts;
    pkt->pts = dts + std::max<int64_t>(reorder, 0);
    pkt->duration = av_rescale_q(pkt->duration, in_tb, out_tb);
    min_pts = std::min(min_pts, pkt->pts);
    max_end = std::max(max_end, pkt->pts + pkt->duration);
    ret = av_write_frame(out.get(), pkt.get());
    av_packet_unref(pkt.get());
    if (ret < 0) {
      status = AvError("write packet to " + name, ret);
      break;
    }
    ++clip.packets;
  }
  // The trailer is always written (it frees the muxer's state); an error above still wins.
  ret = av_write_trailer(out.get());
  if (status.ok() && ret < 0) status = AvError("write mp4 trailer of " + name, ret);
  avio_flush(io.get());
  if (status.ok() && io->error < 0) status = AvError("write " + name, io->error);
  if (status.ok() && min_pts != INT64_MAX) {
    clip.media_duration =
        Nanos(av_rescale_q(max_end - min_pts, out_tb, AVRational{1, 1'000'000'000}));
  }
  return status;
}

}  // namespace

Result<MuxedClip> MuxClip(FileSystem& fs, const Snapshot& snap, const std::filesystem::path& path) {
  if (snap.info == nullptr || snap.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "no video for " + path.string() + ": the snapshot is empty");
  }
  if (!snap.packets.front()->key()) {
    return Error(ErrorCode::kInvalidArgument,
                 "snapshot for " + path.string() + " does not start on a keyframe");
  }
  const std::filesystem::path tmp = TempPathFor(path);
  auto file = fs.NewWritableFile(tmp);
  if (!file.ok()) return file.error();

  MuxedClip clip;
  clip.path = path;
  clip.first_time = snap.first_time();
  clip.last_time = snap.last_time();
  AvioSink sink{file->get()};
  Status s = WriteMp4(snap, sink, path.string(), clip);
  // The file system's own error names the file and the call; FFmpeg's only says "EIO".
  if (sink.error) s = *sink.error;
  if (s.ok()) s = (*file)->Sync();
  if (s.ok()) s = (*file)->Close();
  file->reset();
  clip.bytes = sink.size;
  if (s.ok()) s = RenameDurably(fs, tmp, path);
  if (!s.ok()) {
    (void)fs.Unlink(tmp);  // after a failed rename the temp name may already be gone
    return s.error();
  }
  return clip;
}

Result<MuxedClip> MuxClip(const Snapshot& snap, const std::filesystem::path& path) {
  PosixFileSystem posix;
  return MuxClip(posix, snap, path);
}

std::vector<Result<MuxedClip>> MuxClips(const std::vector<Snapshot>& snapshots,
                                        const std::vector<std::filesystem::path>& paths,
                                        int parallelism) {
  PosixFileSystem posix;
  return MuxClips(posix, snapshots, paths, parallelism);
}

std::vector<Result<MuxedClip>> MuxClips(FileSystem& fs, const std::vector<Snapshot>& snapshots,
                                        const std::vector<std::filesystem::path>& paths,
                                        int parallelism) {
  std::vector<std::optional<Result<MuxedClip>>> slots(snapshots.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < snapshots.size();) {
      slots[i].emplace(i < paths.size() ? MuxClip(fs, snapshots[i], paths[i])
                                        : Result<MuxedClip>(Error(ErrorCode::kInvalidArgument,
                                                                  "no path for snapshot")));
    }
  };
  {
    std::vector<std::jthread> threads;
    const size_t n = std::min(snapshots.size(), static_cast<size_t>(std::max(parallelism, 1)));
    for (size_t t = 1; t < n; ++t) {
      threads.emplace_back([&worker] {
        SetThreadName("clip-mux");
        worker();
      });
    }
    worker();
  }
  std::vector<Result<MuxedClip>> out;
  out.reserve(slots.size());
  for (auto& s : slots) out.push_back(std::move(*s));
  return out;
}

}  // namespace fleetclip

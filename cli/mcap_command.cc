// `fleetclip mcap CLIP [--out FILE]`: the clip as one MCAP file (cli/clip_mcap.h), by default
// <clip id>.mcap in the current folder. `fleetclip export ID DIR --format mcap` calls the same
// writer (WriteMcapFile) for a clip of the queue.
#include <fstream>

#include "cli/clip_mcap.h"
#include "cli/viewer_commands.h"

namespace fleetclip::cli {

int WriteMcapFile(const Command& cmd, const ClipFolder& clip, const std::filesystem::path& out,
                  bool json, CommandContext& ctx) {
  auto mcap = BuildClipMcap(clip);
  if (!mcap.ok()) return Fail(cmd, ctx, mcap.error());
  const std::filesystem::path tmp = out.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(mcap->bytes.data(), static_cast<std::streamsize>(mcap->bytes.size()));
    if (!f.flush()) return Fail(cmd, ctx, ErrnoError("write " + tmp.string(), errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, out, ec);
  if (ec) return Fail(cmd, ctx, ErrnoError("rename to " + out.string(), ec.value()));
  std::string b_frames;
  for (const McapCameraInfo& c : mcap->cameras) {
    if (c.b_frames) b_frames += (b_frames.empty() ? "" : ",") + c.name;
  }
  if (json) {
    std::string cams;
    for (const McapCameraInfo& c : mcap->cameras) {
      cams += std::string(cams.empty() ? "" : ",") + "{\"name\":" + JsonString(c.name) +
              ",\"format\":" + JsonString(c.format) + ",\"frames\":" + std::to_string(c.frames) +
              ",\"keyframes\":" + std::to_string(c.keyframes) +
              ",\"b_frames\":" + (c.b_frames ? "true" : "false") + "}";
    }
    ctx.out << "{\"schema\":\"fleetclip.mcap/1\",\"id\":" << JsonString(clip.manifest.clip_id())
            << ",\"file\":" << JsonString(out.string()) << ",\"bytes\":" << mcap->bytes.size()
            << ",\"messages\":" << mcap->stats.messages << ",\"chunks\":" << mcap->stats.chunks
            << ",\"cameras\":[" << cams << "],\"signal_frames\":" << mcap->signal_frames
            << ",\"events\":" << mcap->events << "}\n";
    return kExitOk;
  }
  ctx.out << "wrote " << out.string() << ": "
          << HumanBytes(static_cast<int64_t>(mcap->bytes.size())) << ", " << mcap->cameras.size()
          << " cameras, " << mcap->signal_frames << " signal frames, " << mcap->events
          << " events, " << mcap->stats.messages << " messages in " << mcap->stats.chunks
          << " chunks\n";
  if (!b_frames.empty()) {
    ctx.out << "warning: " << b_frames
            << " has B-frames (frames out of presentation order): Foxglove's video player cannot "
               "show it; the file's \"clip\" metadata says so too\n";
  }
  return kExitOk;
}

namespace {

int RunMcap(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--out"}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one CLIP (id or folder)";
  if (auto code = HandleUsage(kMcapCommand, problem, a, ctx)) return *code;
  auto clip = OpenClipFolder(a.positional[0], a, ctx);
  if (!clip.ok()) return Fail(kMcapCommand, ctx, clip.error());
  const auto out = a.values.contains("--out")
                       ? std::filesystem::path(a.values.at("--out"))
                       : std::filesystem::path(clip->manifest.clip_id() + ".mcap");
  return WriteMcapFile(kMcapCommand, *clip, out, a.json, ctx);
}

}  // namespace

const Command kMcapCommand{
    "mcap", "write a clip as an MCAP file for Foxglove",
    "fleetclip mcap CLIP [--out FILE] [--json] [--db PATH | --state-dir DIR]\n"
    "  CLIP: a clip id in the queue, a clip folder, or a folder with a manifest.pb\n"
    "  --out FILE  where to write (default: <clip id>.mcap here)\n"
    "  one foxglove.CompressedVideo channel per camera, /signals, /events, the manifest attached\n",
    RunMcap};

}  // namespace fleetclip::cli

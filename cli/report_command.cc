// `fleetclip report CLIP [--out FILE] [--embed]`: the clip as one offline HTML page
// (cli/clip_report.h). Default --out: <id>.html next to a clip folder, except in the queue's own
// clips/ folder (and for a clip id): there, in the current folder, since the state directory
// belongs to the daemon and its recovery.
#include <fstream>

#include "cli/clip_report.h"
#include "cli/viewer_commands.h"

namespace fleetclip::cli {
namespace {
namespace fs = std::filesystem;

int RunReport(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--out"}, {"--embed"}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one CLIP (id or folder)";
  if (auto code = HandleUsage(kReportCommand, problem, a, ctx)) return *code;
  auto clip = OpenClipFolder(a.positional[0], a, ctx);
  if (!clip.ok()) return Fail(kReportCommand, ctx, clip.error());
  auto frames = ReadClipSignals(*clip);
  if (!frames.ok()) return Fail(kReportCommand, ctx, frames.error());
  const std::string name = clip->manifest.clip_id() + ".html";
  std::error_code ec;
  fs::path out;
  if (a.values.contains("--out")) {
    out = a.values.at("--out");
  } else if (fs::is_directory(fs::path(a.positional[0]), ec)) {
    const fs::path parent =
        fs::absolute(fs::path(a.positional[0]), ec).lexically_normal().parent_path();
    const bool in_queue = fs::exists(parent.parent_path() / "queue.db", ec);
    out = in_queue || parent.empty() ? fs::path(name) : parent / name;
  } else {
    out = name;
  }
  const std::vector<FileCheck> checks = VerifyClipFiles(*clip);
  ReportOptions options;
  options.html_dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  options.embed = a.flags.contains("--embed");
  auto html = BuildClipReport(*clip, *frames, checks, options);
  if (!html.ok()) return Fail(kReportCommand, ctx, html.error());
  const fs::path tmp = out.string() + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << *html;
    if (!f.flush()) return Fail(kReportCommand, ctx, ErrnoError("write " + tmp.string(), errno));
  }
  fs::rename(tmp, out, ec);
  if (ec) return Fail(kReportCommand, ctx, ErrnoError("rename to " + out.string(), ec.value()));
  int bad = 0;
  for (const FileCheck& c : checks) bad += c.verified ? 0 : 1;
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.report/1\",\"id\":" << JsonString(clip->manifest.clip_id())
            << ",\"file\":" << JsonString(out.string()) << ",\"bytes\":" << html->size()
            << ",\"embedded\":" << (options.embed ? "true" : "false")
            << ",\"files_failing\":" << bad << "}\n";
  } else {
    ctx.out << "wrote " << out.string() << " (" << HumanBytes(static_cast<int64_t>(html->size()))
            << "); open it in a browser\n";
    if (bad > 0) ctx.out << "warning: " << bad << " file(s) do not verify; the report says which\n";
  }
  return kExitOk;
}

}  // namespace

const Command kReportCommand{
    "report", "write a clip as one offline HTML page (videos, signal plots, events, manifest)",
    "fleetclip report CLIP [--out FILE] [--embed] [--json] [--db PATH | --state-dir DIR]\n"
    "  CLIP: a clip id in the queue, a clip folder, or a folder with a manifest.pb\n"
    "  --out FILE  default: <id>.html next to a clip folder, or here for a clip id\n"
    "  --embed     the MP4s inside the page (data: URLs) instead of referenced beside it\n",
    RunReport};

}  // namespace fleetclip::cli

// `fleetclip signals CLIP [--csv|--json]`: the clip's decoded signals.pb.zst, one row per frame.
// CSV (the default) has the columns mono_ns, unix_ms, seq, producer, then one per signal in order
// of first appearance (flags as 0/1, text as written, empty where a frame lacks the signal); JSON
// is the stable document fleetclip.signals/1 of docs/cli.md.
#include "cli/clip_folder.h"
#include "cli/signal_table.h"
#include "cli/viewer_commands.h"

namespace fleetclip::cli {
namespace {

int RunSignals(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {}, {"--csv"}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one CLIP (id or folder)";
  if (!problem && a.json && a.flags.contains("--csv"))
    problem = "--csv and --json exclude each other";
  if (auto code = HandleUsage(kSignalsCommand, problem, a, ctx)) return *code;
  auto clip = OpenClipFolder(a.positional[0], a, ctx);
  if (!clip.ok()) return Fail(kSignalsCommand, ctx, clip.error());
  auto frames = ReadClipSignals(*clip);
  if (!frames.ok()) return Fail(kSignalsCommand, ctx, frames.error());
  ctx.out << (a.json ? SignalsJson(clip->manifest, *frames) : SignalsCsv(clip->manifest, *frames));
  return kExitOk;
}

}  // namespace

const Command kSignalsCommand{
    "signals", "print a clip's decoded signal log as CSV or JSON",
    "fleetclip signals CLIP [--csv | --json] [--db PATH | --state-dir DIR]\n"
    "  CLIP: a clip id in the queue, a clip folder, or a folder with a manifest.pb\n"
    "  --csv   one row per frame: mono_ns,unix_ms,seq,producer,<signal>...\n"
    "  --json  JSON (schema fleetclip.signals/1, docs/cli.md)\n",
    RunSignals};

}  // namespace fleetclip::cli

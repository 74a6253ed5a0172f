// `fleetclip unpin ID`: let a pinned clip be evicted again. Applied by fleetclipd when it runs
// (cli/clip_change.h).
#include "cli/clip_change.h"
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunUnpin(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--socket"}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kUnpinCommand, problem, a, ctx)) return *code;
  proto::ClipRequest req;
  req.set_action(proto::ClipRequest::UNPIN);
  req.set_clip_id(a.positional[0]);
  auto done = ApplyClipChange(kUnpinCommand, a, req, ctx);
  if (!done) return kExitFailure;
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.pin/1\",\"id\":" << JsonString(a.positional[0])
            << ",\"pinned\":false," << AppliedByJson(*done) << "}\n";
  } else {
    ctx.out << "unpinned " << a.positional[0] << AppliedBy(*done) << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kUnpinCommand{
    "unpin", "let a pinned clip be evicted again",
    "fleetclip unpin ID [--json] [--db PATH | --state-dir DIR] [--socket PATH | --config FILE]\n",
    RunUnpin};

}  // namespace fleetclip::cli

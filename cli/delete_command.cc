// `fleetclip delete ID`: removes a clip's folder and rows (the queue's delete protocol). Applied by
// fleetclipd when it runs (cli/clip_change.h); refused for a pinned clip and one being uploaded.
#include "cli/clip_change.h"
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunDelete(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--socket"}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kDeleteCommand, problem, a, ctx)) return *code;
  proto::ClipRequest req;
  req.set_action(proto::ClipRequest::DELETE);
  req.set_clip_id(a.positional[0]);
  auto done = ApplyClipChange(kDeleteCommand, a, req, ctx);
  if (!done) return kExitFailure;
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.delete/1\",\"id\":" << JsonString(a.positional[0]) << ","
            << AppliedByJson(*done) << "}\n";
  } else {
    ctx.out << "deleted " << a.positional[0] << AppliedBy(*done) << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kDeleteCommand{
    "delete", "delete a clip's files and its queue entry",
    "fleetclip delete ID [--json] [--db PATH | --state-dir DIR] [--socket PATH | --config FILE]\n"
    "  Refused for a pinned clip (unpin it first) and for one being uploaded.\n",
    RunDelete};

}  // namespace fleetclip::cli

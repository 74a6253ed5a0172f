// `fleetclip pin ID`: keep a clip: never evicted to make room. Applied by fleetclipd when it runs
// (cli/clip_change.h).
#include "cli/clip_change.h"
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunPin(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--socket"}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kPinCommand, problem, a, ctx)) return *code;
  proto::ClipRequest req;
  req.set_action(proto::ClipRequest::PIN);
  req.set_clip_id(a.positional[0]);
  auto done = ApplyClipChange(kPinCommand, a, req, ctx);
  if (!done) return kExitFailure;
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.pin/1\",\"id\":" << JsonString(a.positional[0])
            << ",\"pinned\":true," << AppliedByJson(*done) << "}\n";
  } else {
    ctx.out << "pinned " << a.positional[0] << AppliedBy(*done) << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kPinCommand{
    "pin", "keep a clip: never evicted to make room",
    "fleetclip pin ID [--json] [--db PATH | --state-dir DIR] [--socket PATH | --config FILE]\n",
    RunPin};

}  // namespace fleetclip::cli

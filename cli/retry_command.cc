// `fleetclip retry ID|--failed`: puts failed clips back in the upload queue. Applied by fleetclipd
// when it runs (cli/clip_change.h).
#include "cli/clip_change.h"
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunRetry(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--socket"}, {"--failed"}, a);
  const bool all = a.flags.contains("--failed");
  if (!problem && all == (a.positional.size() == 1)) problem = "expected one clip ID or --failed";
  if (!problem && a.positional.size() > 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kRetryCommand, problem, a, ctx)) return *code;
  proto::ClipRequest req;
  req.set_action(proto::ClipRequest::RETRY);
  if (all) {
    req.set_all_failed(true);
  } else {
    req.set_clip_id(a.positional[0]);
  }
  auto done = ApplyClipChange(kRetryCommand, a, req, ctx);
  if (!done) return kExitFailure;
  const int n = done->clips_changed;
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.retry/1\",\"requeued\":" << n << "," << AppliedByJson(*done)
            << "}\n";
  } else {
    ctx.out << "requeued " << n << (n == 1 ? " clip" : " clips") << AppliedBy(*done) << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kRetryCommand{"retry", "put a failed clip (or every failed clip) back in the queue",
                            "fleetclip retry ID|--failed [--json] [--db PATH | --state-dir DIR]\n"
                            "                [--socket PATH | --config FILE]\n"
                            "  ID        a clip in state failed\n"
                            "  --failed  every failed clip\n",
                            RunRetry};

}  // namespace fleetclip::cli

// `fleetclip retry ID|--failed`: puts failed clips back in the upload queue.
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunRetry(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {}, {"--failed"}, a);
  const bool all = a.flags.contains("--failed");
  if (!problem && all == (a.positional.size() == 1)) problem = "expected one clip ID or --failed";
  if (!problem && a.positional.size() > 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kRetryCommand, problem, a, ctx)) return *code;
  auto store = OpenStoreForCli(a, true, kRetryCommand, ctx);
  if (!store) return kExitFailure;
  auto n = all ? store->RetryAllFailed() : store->Retry(a.positional[0]);
  if (!n.ok()) return Fail(kRetryCommand, ctx, n.error());
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.retry/1\",\"requeued\":" << *n << "}\n";
  } else {
    ctx.out << "requeued " << *n << (*n == 1 ? " clip\n" : " clips\n");
  }
  return kExitOk;
}

}  // namespace

const Command kRetryCommand{"retry", "put a failed clip (or every failed clip) back in the queue",
                            "fleetclip retry ID|--failed [--json] [--db PATH | --state-dir DIR]\n"
                            "  ID        a clip in state failed\n"
                            "  --failed  every failed clip\n",
                            RunRetry};

}  // namespace fleetclip::cli

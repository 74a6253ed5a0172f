// `fleetclip delete ID`: removes a clip's folder and rows (the queue's delete protocol).
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunDelete(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kDeleteCommand, problem, a, ctx)) return *code;
  auto store = OpenStoreForCli(a, true, kDeleteCommand, ctx);
  if (!store) return kExitFailure;
  if (Status s = store->Delete(a.positional[0]); !s.ok())
    return Fail(kDeleteCommand, ctx, s.error());
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.delete/1\",\"id\":" << JsonString(a.positional[0]) << "}\n";
  } else {
    ctx.out << "deleted " << a.positional[0] << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kDeleteCommand{"delete", "delete a clip's files and its queue entry",
                             "fleetclip delete ID [--json] [--db PATH | --state-dir DIR]\n",
                             RunDelete};

}  // namespace fleetclip::cli

// `fleetclip unpin ID`: let a pinned clip be evicted again.
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunUnpin(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kUnpinCommand, problem, a, ctx)) return *code;
  auto store = OpenStoreForCli(a, true, kUnpinCommand, ctx);
  if (!store) return kExitFailure;
  if (Status s = store->SetPinned(a.positional[0], false); !s.ok()) {
    return Fail(kUnpinCommand, ctx, s.error());
  }
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.pin/1\",\"id\":" << JsonString(a.positional[0])
            << ",\"pinned\":false}\n";
  } else {
    ctx.out << "unpinned " << a.positional[0] << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kUnpinCommand{"unpin", "let a pinned clip be evicted again",
                            "fleetclip unpin ID [--json] [--db PATH | --state-dir DIR]\n",
                            RunUnpin};

}  // namespace fleetclip::cli

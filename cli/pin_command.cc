// `fleetclip pin ID`: keep a clip: never evicted to make room.
#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunPin(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kPinCommand, problem, a, ctx)) return *code;
  auto store = OpenStoreForCli(a, true, kPinCommand, ctx);
  if (!store) return kExitFailure;
  if (Status s = store->SetPinned(a.positional[0], true); !s.ok()) {
    return Fail(kPinCommand, ctx, s.error());
  }
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.pin/1\",\"id\":" << JsonString(a.positional[0])
            << ",\"pinned\":true}\n";
  } else {
    ctx.out << "pinned " << a.positional[0] << "\n";
  }
  return kExitOk;
}

}  // namespace

const Command kPinCommand{"pin", "keep a clip: never evicted to make room",
                          "fleetclip pin ID [--json] [--db PATH | --state-dir DIR]\n", RunPin};

}  // namespace fleetclip::cli

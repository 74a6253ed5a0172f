// `fleetclip rules SUBCOMMAND`: dispatch to the rules subcommands (cli/rules_commands.h).
#include "cli/rules_commands.h"

namespace fleetclip::cli {
namespace {

int RunRules(std::span<const std::string_view> args, CommandContext& ctx) {
  if (args.empty()) {
    ctx.err << "fleetclip rules: missing subcommand\nusage: " << kRulesCommand.usage;
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    ctx.out << "usage: " << kRulesCommand.usage;
    return kExitOk;
  }
  if (args[0] == "test") return RunRulesTest(args.subspan(1), ctx);
  ctx.err << "fleetclip rules: unknown subcommand \"" << args[0]
          << "\"\nusage: " << kRulesCommand.usage;
  return kExitUsage;
}

}  // namespace

const Command kRulesCommand{
    "rules", "back-test a rule set over recorded drives",
    "fleetclip rules SUBCOMMAND [ARGS...]\n"
    "  test  --drive FILE [--drive FILE ...] [--config BASE.conf | --fleet FLEET [--config "
    "BASE.conf]]\n"
    "        [--json]\n"
    "        run the signal path offline over the drives and print the events and clips\n"
    "`fleetclip rules test --help` describes it.\n",
    RunRules};

}  // namespace fleetclip::cli

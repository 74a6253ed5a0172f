// `fleetclip`: the command-line tool for fleet engineers and developers. main builds the platform
// (clock, logger) once and dispatches to one subcommand per file (cli/*_command.cc).
// Exit codes: 0 success, 1 failure, 2 usage error.
#include <curl/curl.h>

#include <iostream>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "cli/config_commands.h"
#include "cli/daemon_commands.h"
#include "cli/queue_commands.h"
#include "cli/replay_command.h"
#include "cli/rules_commands.h"
#include "cli/viewer_commands.h"

namespace fleetclip::cli {

std::span<const Command> AllCommands() {
  static const Command kCommands[] = {
      kStatusCommand,  kTriggerCommand, kReloadCommand, kUploadNowCommand, kListCommand,
      kShowCommand,    kStatsCommand,   kExportCommand, kRetryCommand,     kDeleteCommand,
      kPinCommand,     kUnpinCommand,   kReplayCommand, kRulesCommand,     kConfigCommand,
      kSignalsCommand, kMcapCommand,    kReportCommand, kFetchCommand};
  return kCommands;
}

namespace {

void PrintHelp(std::ostream& os) {
  os << "usage: fleetclip COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& c : AllCommands()) os << "  " << c.name << "  " << c.summary << "\n";
  os << "\n`fleetclip COMMAND --help` describes one command.\n";
}

}  // namespace
}  // namespace fleetclip::cli

int main(int argc, char** argv) {
  using namespace fleetclip;
  using namespace fleetclip::cli;
  // Process-wide library init, once (`fetch` talks HTTP and S3 through libcurl).
  curl_global_init(CURL_GLOBAL_DEFAULT);
  // The platform every command borrows.
  RealClock clock;
  FdLogSink log_sink(2);
  Logger log(log_sink, LogLevel::kWarning);
  PosixFileSystem file_system;
  CommandContext ctx{clock, log, std::cout, std::cerr, &file_system};

  // Dispatch on the first argument.
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintHelp(std::cerr);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp(std::cout);
    return kExitOk;
  }
  for (const Command& c : AllCommands()) {
    if (c.name == args[0]) return c.run(std::span(args).subspan(1), ctx);
  }
  std::cerr << "fleetclip: unknown command \"" << args[0] << "\"\n";
  PrintHelp(std::cerr);
  return kExitUsage;
}

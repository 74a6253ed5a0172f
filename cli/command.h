// The contract between the `fleetclip` dispatcher (main.cc) and its subcommands: each command is
// one file with one Run function that gets its arguments and the platform main built (clock,
// logger, output streams, the file system seam). Exit codes are shared by all commands.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include "common/clock.h"
#include "common/file_system.h"
#include "common/log.h"

namespace fleetclip::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CommandContext {
  const Clock& clock;
  const Logger& log;
  std::ostream& out;                  // results for people and scripts
  std::ostream& err;                  // usage and error messages
  FileSystem* file_system = nullptr;  // the queue's files when a command opens it; null = POSIX
};

struct Command {
  std::string_view name;
  std::string_view summary;
  std::string_view usage;  // printed by `fleetclip help NAME` and on a usage error
  int (*run)(std::span<const std::string_view> args, CommandContext& ctx);
};

// Every subcommand, in the order `fleetclip --help` lists them.
std::span<const Command> AllCommands();

}  // namespace fleetclip::cli

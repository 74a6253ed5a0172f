// `fleetclip config keygen|sign|verify|validate`: the engineer's side of the signed fleet config
// (DESIGN.md §8, docs/config.md). One file per subcommand (config_keygen_command.cc, …), dispatched
// by config_command.cc; the helpers they share are below.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "cli/command.h"
#include "common/result.h"

namespace fleetclip::cli {

extern const Command kConfigCommand;

int RunConfigKeygen(std::span<const std::string_view> args, CommandContext& ctx);
int RunConfigSign(std::span<const std::string_view> args, CommandContext& ctx);
int RunConfigVerify(std::span<const std::string_view> args, CommandContext& ctx);
int RunConfigValidate(std::span<const std::string_view> args, CommandContext& ctx);

// A whole file, refused above `max_bytes` (kInvalidArgument naming the size and the limit).
Result<std::string> ReadFileBytes(const std::filesystem::path& path, int64_t max_bytes);

// Prints `fleetclip config NAME: problem` and the usage; returns kExitUsage.
int ConfigUsageError(std::string_view name, std::string_view usage, std::string_view problem,
                     CommandContext& ctx);

}  // namespace fleetclip::cli

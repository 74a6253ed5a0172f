// `fleetclip rules SUBCOMMAND`: working with rule sets away from the car. Today one subcommand,
// `rules test` (cli/rules_test_command.cc): back-test a rule set over recorded drives.
#pragma once

#include <span>
#include <string_view>

#include "cli/command.h"

namespace fleetclip::cli {

extern const Command kRulesCommand;

int RunRulesTest(std::span<const std::string_view> args, CommandContext& ctx);

}  // namespace fleetclip::cli

// `fleetclip replay FILE --socket PATH [--speed X] [--keep-time]`: sends a drive file to a
// signal socket, one frame per datagram, paced like the recording (or X times faster).
#pragma once

#include <span>
#include <string_view>

#include "cli/command.h"

namespace fleetclip::cli {

extern const Command kReplayCommand;

int RunReplay(std::span<const std::string_view> args, CommandContext& ctx);

}  // namespace fleetclip::cli

// The commands that show a clip to a person or a tool (signals, mcap, report, fetch), one file
// each, registered in main.cc. They read a clip folder through cli/clip_folder.h.
#pragma once

#include <filesystem>

#include "cli/clip_folder.h"
#include "cli/command.h"

namespace fleetclip::cli {

extern const Command kSignalsCommand;
extern const Command kMcapCommand;
extern const Command kReportCommand;
extern const Command kFetchCommand;

// Writes `clip` as MCAP to `out` and prints what it wrote (and which cameras have B-frames), for
// `mcap` and `export --format mcap`. Returns the exit code.
int WriteMcapFile(const Command& cmd, const ClipFolder& clip, const std::filesystem::path& out,
                  bool json, CommandContext& ctx);

}  // namespace fleetclip::cli

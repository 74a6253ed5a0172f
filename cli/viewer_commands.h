// The commands that show a clip to a person or a tool (signals, mcap, report, fetch), one file
// each, registered in main.cc. They read a clip folder through cli/clip_folder.h.
#pragma once

#include "cli/command.h"

namespace fleetclip::cli {

extern const Command kSignalsCommand;

}  // namespace fleetclip::cli

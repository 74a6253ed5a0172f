// The queue commands, one file each (list_command.cc, show_command.cc, …), registered in main.cc.
#pragma once

#include "cli/command.h"

namespace fleetclip::cli {

extern const Command kListCommand;
extern const Command kShowCommand;
extern const Command kStatsCommand;
extern const Command kExportCommand;
extern const Command kRetryCommand;
extern const Command kDeleteCommand;
extern const Command kPinCommand;
extern const Command kUnpinCommand;

}  // namespace fleetclip::cli

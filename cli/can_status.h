// The CAN part of `fleetclip status`: one line per bus (its health, frames, drops and check
// failures) and one per message that is checked or has counts (DaemonStatus.can[].messages).
#pragma once

#include <ostream>

#include "proto/control.pb.h"

namespace fleetclip::cli {

void PrintCanBuses(const proto::DaemonStatus& status, std::ostream& out);

}  // namespace fleetclip::cli

// The commands that talk to a running fleetclipd over its control socket
// (daemon/control_protocol.h): status, trigger, reload, upload-now. Registered in main.cc. The
// socket is --socket PATH, else the base config's control_socket (--config PATH, $FLEETCLIP_CONFIG,
// /etc/fleetclip/fleetclip.conf), else /run/fleetclip/control.sock.
#pragma once

#include <chrono>
#include <filesystem>

#include "cli/command.h"

namespace fleetclip::cli {

struct QueueArgs;

// How long a control-socket call may take.
inline constexpr auto kControlTimeout = std::chrono::seconds(10);

extern const Command kStatusCommand;
extern const Command kTriggerCommand;
extern const Command kReloadCommand;
extern const Command kUploadNowCommand;

}  // namespace fleetclip::cli

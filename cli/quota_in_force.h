// The storage quota `fleetclip stats` compares disk use with: the value in force, from the first
// of these that answers — the running daemon (its status carries the quota it enforces, a fleet
// config's included), else what the daemon would enforce if it started now (the base config's
// storage.quota_bytes, or the kept fleet config's when it still verifies against that base config),
// else the config table's default. `--quota` overrides all of them.
#pragma once

#include <cstdint>
#include <string>

#include "cli/command.h"
#include "cli/queue_cli.h"

namespace fleetclip::cli {

struct QuotaInForce {
  int64_t bytes = 0;
  std::string source;       // "daemon", "fleet_config", "config", "default"
  std::string description;  // for people: "fleetclipd", "storage.quota_bytes of /etc/…"
};

// Asks the daemon on `args`' control socket (1 s at most), then reads the config and state dir.
QuotaInForce FindQuotaInForce(const QueueArgs& args, CommandContext& ctx);

}  // namespace fleetclip::cli

// See cli/quota_in_force.h.
#include "cli/quota_in_force.h"

#include "cli/config_file.h"
#include "daemon/config/base_config.h"
#include "daemon/config/config_keys.h"
#include "daemon/config/fleet_store.h"
#include "daemon/control_protocol.h"

namespace fleetclip::cli {

QuotaInForce FindQuotaInForce(const QueueArgs& args, CommandContext& ctx) {
  proto::ControlRequest status;
  status.set_status(true);
  Result<proto::ControlResponse> r =
      daemon::CallControl(ControlSocketPath(args), status, std::chrono::seconds(1));
  if (r.ok() && r->ok() && r->status().queue().quota_bytes() > 0) {
    return {r->status().queue().quota_bytes(), "daemon", "in force in fleetclipd"};
  }
  // No daemon: what it would enforce at its next start.
  const std::string label = "storage.quota_bytes of " + args.config_path.string();
  if (Result<proto::BaseConfig> base = config::LoadBaseConfig(args.config_path); base.ok()) {
    // The CLI may look at another state dir than the config's (--state-dir): the kept fleet
    // config is the one in the config's state dir, where the daemon keeps it.
    config::FleetConfigStore fleet(base->state_dir(), ctx.log);
    if (fleet.Load(*base, ctx.clock.WallNow()).ok() && fleet.effective().fleet_version > 0 &&
        fleet.effective().config.storage().quota_bytes() != base->storage().quota_bytes()) {
      return {fleet.effective().config.storage().quota_bytes(), "fleet_config",
              "storage.quota_bytes of the kept fleet config v" +
                  std::to_string(fleet.effective().fleet_version)};
    }
    return {base->storage().quota_bytes(), "config", label};
  }
  // A partial config (the queue commands accept one): its quota if it names one.
  if (Result<proto::BaseConfig> partial = ReadBaseConfig(args.config_path);
      partial.ok() && partial->storage().quota_bytes() > 0) {
    return {partial->storage().quota_bytes(), "config", label};
  }
  return {*config::Key("storage.quota_bytes").default_value, "default",
          "the storage.quota_bytes default"};
}

}  // namespace fleetclip::cli

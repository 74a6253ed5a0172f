// `fleetclip config verify [--config BASE.conf] SIGNED`: the car's verifier, run on a workstation
// before a config is published: the same size cap, signature, scope, version (against an active
// version of 0, as on a car with no fleet config), expiry (against this machine's clock), rule and
// bound checks, with the same reason names and messages the daemon reports in status.
#include "cli/config_commands.h"
#include "cli/config_file.h"
#include "daemon/config/base_config.h"
#include "daemon/config/fleet_config.h"

namespace fleetclip::cli {
namespace {

constexpr char kConfigVerifyUsage[] =
    "fleetclip config verify [--config BASE.conf] SIGNED\n"
    "  --config BASE.conf  the car's base config (trusted keys, fleet and vehicle ids, bounds);\n"
    "                      default $FLEETCLIP_CONFIG, else /etc/fleetclip/fleetclip.conf\n"
    "  SIGNED              a SignedFleetConfig from `fleetclip config sign`\n"
    "Prints `accepted: …` (exit 0) or `rejected (REASON): …` on stderr (exit 1).\n";

constexpr int64_t kMaxSignedFileBytes = int64_t{128} << 20;

}  // namespace

int RunConfigVerify(std::span<const std::string_view> args, CommandContext& ctx) {
  std::filesystem::path base_file = DefaultConfigPath();
  std::string signed_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      ctx.out << "usage: " << kConfigVerifyUsage;
      return kExitOk;
    }
    if (a == "--config") {
      if (i + 1 >= args.size())
        return ConfigUsageError("verify", kConfigVerifyUsage, "--config needs a value", ctx);
      base_file = std::string(args[++i]);
    } else if (a.starts_with("-") && a.size() > 1) {
      return ConfigUsageError("verify", kConfigVerifyUsage,
                              "unknown option \"" + std::string(a) + "\"", ctx);
    } else if (signed_file.empty()) {
      signed_file = std::string(a);
    } else {
      return ConfigUsageError("verify", kConfigVerifyUsage,
                              "unexpected argument \"" + std::string(a) + "\"", ctx);
    }
  }
  if (signed_file.empty())
    return ConfigUsageError("verify", kConfigVerifyUsage, "missing SIGNED file", ctx);

  Result<proto::BaseConfig> base = config::LoadBaseConfig(base_file);
  if (!base.ok()) {
    ctx.err << "fleetclip config verify: base config: " << base.error().message() << "\n";
    return kExitFailure;
  }
  // Read well past the cap (the largest a base config may set is 64 MiB) so that the verifier,
  // not the reader, reports an oversized file, with the car's own message.
  Result<std::string> bytes = ReadFileBytes(signed_file, kMaxSignedFileBytes);
  if (!bytes.ok()) {
    ctx.err << "fleetclip config verify: " << bytes.error().message() << "\n";
    return kExitFailure;
  }
  const config::FleetVerification v =
      config::VerifyFleetConfig(*bytes, *base, config::ActiveFleetState{}, ctx.clock.WallNow());
  if (!v.accepted()) {
    ctx.err << "rejected (" << config::FleetRejectReasonName(v.reason) << "): " << v.message
            << "\n";
    return kExitFailure;
  }
  ctx.out << "accepted: " << v.message << "\n";
  ctx.out << "  fleet " << v.fleet.fleet_id() << ", "
          << (v.fleet.vehicle_ids_size() == 0
                  ? std::string("every vehicle")
                  : std::to_string(v.fleet.vehicle_ids_size()) + " vehicle(s)")
          << ", expires "
          << (v.fleet.expires_unix_s() == 0 ? std::string("never")
                                            : config::FormatUtc(v.fleet.expires_unix_s()))
          << "\n  rules:";
  for (const proto::RuleConfig& r : v.effective.config.rules()) ctx.out << " " << r.name();
  ctx.out << (v.effective.config.rules_size() == 0 ? " (presets only)" : "") << "\n";
  if (!v.effective.remote_triggers.empty()) {
    ctx.out << "  remote triggers: " << v.effective.remote_triggers.size() << "\n";
  }
  return kExitOk;
}

}  // namespace fleetclip::cli

// `fleetclip config validate BASE.conf` and `fleetclip config validate --fleet FLEET.textproto
// [--config BASE.conf]`: the daemon's field-by-field checks, without starting anything. A fleet
// config is checked as the car would apply it to that base config (fleet scope, version, expiry,
// rules compiled against the car's signal catalogue, every bound); signatures are `verify`'s job.
#include "cli/config_commands.h"
#include "cli/config_file.h"
#include "daemon/config/base_config.h"
#include "daemon/config/fleet_config.h"

namespace fleetclip::cli {
namespace {

constexpr char kConfigValidateUsage[] =
    "fleetclip config validate BASE.conf\n"
    "fleetclip config validate --fleet FLEET.textproto [--config BASE.conf]\n"
    "  BASE.conf         a base config; every problem is listed as FILE: FIELD: VALUE BOUND\n"
    "  --fleet FILE      a FleetConfig in text format, checked against the base config\n"
    "  --config FILE     the base config for --fleet; default $FLEETCLIP_CONFIG, else\n"
    "                    /etc/fleetclip/fleetclip.conf\n"
    "Exit 0 when valid, 1 with the problems on stderr.\n";

}  // namespace

int RunConfigValidate(std::span<const std::string_view> args, CommandContext& ctx) {
  std::string fleet_file, base_file;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      ctx.out << "usage: " << kConfigValidateUsage;
      return kExitOk;
    }
    if (a == "--fleet" || a == "--config") {
      if (i + 1 >= args.size()) {
        return ConfigUsageError("validate", kConfigValidateUsage, std::string(a) + " needs a value",
                                ctx);
      }
      (a == "--fleet" ? fleet_file : base_file) = std::string(args[++i]);
    } else if (a.starts_with("-") && a.size() > 1) {
      return ConfigUsageError("validate", kConfigValidateUsage,
                              "unknown option \"" + std::string(a) + "\"", ctx);
    } else if (base_file.empty()) {
      base_file = std::string(a);
    } else {
      return ConfigUsageError("validate", kConfigValidateUsage,
                              "unexpected argument \"" + std::string(a) + "\"", ctx);
    }
  }
  if (base_file.empty()) {
    if (fleet_file.empty())
      return ConfigUsageError("validate", kConfigValidateUsage, "missing BASE.conf", ctx);
    base_file = DefaultConfigPath().string();
  }

  auto fail = [&](const std::string& message) {
    ctx.err << message << "\n";
    return kExitFailure;
  };
  Result<proto::BaseConfig> base = config::LoadBaseConfig(base_file);
  if (!base.ok()) return fail(base.error().message());
  if (fleet_file.empty()) {
    Result<config::CompiledRules> rules = config::CompileRules(*base);
    ctx.out << base_file << ": valid (vehicle " << base->vehicle_id() << ", fleet "
            << base->fleet_id() << ", " << base->cameras_size() << " camera(s), "
            << (rules.ok() ? rules->rule_set->rules().size() : 0) << " enabled rule(s))\n";
    return kExitOk;
  }

  proto::FleetConfig fleet;
  if (Status s = config::ReadTextProtoFile(fleet_file, &fleet); !s.ok()) {
    return fail(s.error().message());
  }
  if (fleet.version() == 0)
    return fail(fleet_file + ": version is 0 or missing; versions start at 1");
  if (fleet.fleet_id() != base->fleet_id()) {
    return fail(fleet_file + ": fleet_id \"" + fleet.fleet_id() + "\" is not the base config's \"" +
                base->fleet_id() + "\"");
  }
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.clock.WallNow().time_since_epoch())
          .count();
  if (fleet.expires_unix_s() != 0 && fleet.expires_unix_s() <= now_s) {
    return fail(fleet_file + ": expired at " + config::FormatUtc(fleet.expires_unix_s()));
  }
  Result<config::EffectiveConfig> effective = config::ApplyFleetConfig(*base, fleet);
  if (!effective.ok()) return fail(fleet_file + ": " + effective.error().message());
  Result<config::CompiledRules> rules = config::CompileRules(effective->config);
  ctx.out << fleet_file << ": valid for " << base_file << " (version " << fleet.version() << ", "
          << (rules.ok() ? rules->rule_set->rules().size() : 0) << " enabled rule(s), "
          << fleet.remote_triggers_size() << " remote trigger(s))";
  if (fleet.vehicle_ids_size() > 0 &&
      std::find(fleet.vehicle_ids().begin(), fleet.vehicle_ids().end(), base->vehicle_id()) ==
          fleet.vehicle_ids().end()) {
    ctx.out << "; note: vehicle " << base->vehicle_id() << " is not in its vehicle_ids";
  }
  ctx.out << "\n";
  return kExitOk;
}

}  // namespace fleetclip::cli

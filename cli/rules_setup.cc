// Loading the rules for `fleetclip rules test`; see cli/rules_setup.h.
#include "cli/rules_setup.h"

#include <algorithm>

#include "cli/config_commands.h"
#include "cli/config_file.h"
#include "daemon/config/base_config.h"
#include "daemon/config/fleet_config.h"
#include "triggers/presets.h"

namespace fleetclip::cli {
namespace {

constexpr int64_t kMaxFleetFileBytes = int64_t{128} << 20;

triggers::OfflineRunOptions OptionsFor(const proto::BaseConfig& base) {
  triggers::OfflineRunOptions options;
  options.history_retention = std::chrono::milliseconds(base.signals().history_ms());
  options.max_datagram_bytes = static_cast<size_t>(base.signals().max_datagram_bytes());
  options.reorder_window = std::chrono::milliseconds(base.signals().reorder_window_ms());
  int64_t ring_ms = 0;
  for (const proto::CameraConfig& cam : base.cameras()) {
    if (cam.ring_duration_ms() > 0) {
      ring_ms = ring_ms == 0 ? cam.ring_duration_ms() : std::min(ring_ms, cam.ring_duration_ms());
    }
  }
  if (ring_ms > 0) options.scheduler.max_window = std::chrono::milliseconds(ring_ms);
  return options;
}

Result<RuleSetup> FromConfig(const proto::BaseConfig& config, std::string label) {
  Result<config::CompiledRules> compiled = config::CompileRules(config);
  if (!compiled.ok()) return compiled.error().WithContext(label);
  return RuleSetup{std::move(compiled->catalog), std::move(compiled->rule_set), OptionsFor(config),
                   std::move(label)};
}

// The effective config of `fleet_file` over `base`: signed bytes through the verifier, text
// through ApplyFleetConfig.
Result<config::EffectiveConfig> ApplyFleetFile(const proto::BaseConfig& base,
                                               const std::string& fleet_file, const Clock& clock) {
  Result<std::string> bytes = ReadFileBytes(fleet_file, kMaxFleetFileBytes);
  if (!bytes.ok()) return bytes.error();
  proto::SignedFleetConfig signed_config;
  if (signed_config.ParseFromString(*bytes) && !signed_config.payload().empty()) {
    config::FleetVerification v =
        config::VerifyFleetConfig(*bytes, base, config::ActiveFleetState{}, clock.WallNow());
    if (!v.accepted()) {
      return Error(ErrorCode::kInvalidArgument,
                   fleet_file + ": rejected (" +
                       std::string(config::FleetRejectReasonName(v.reason)) + "): " + v.message);
    }
    return std::move(v.effective);
  }
  proto::FleetConfig fleet;
  if (Status s = config::ParseTextProto(*bytes, fleet_file, &fleet); !s.ok()) {
    return Error(
        ErrorCode::kInvalidArgument,
        s.error().message() + " (neither a SignedFleetConfig nor a FleetConfig in text format)");
  }
  Result<config::EffectiveConfig> effective = config::ApplyFleetConfig(base, fleet);
  if (!effective.ok()) return effective.error().WithContext(fleet_file);
  return effective;
}

}  // namespace

Result<RuleSetup> LoadRuleSetup(const std::string& base_file, const std::string& fleet_file,
                                const Clock& clock) {
  if (base_file.empty() && fleet_file.empty()) {
    triggers::SignalCatalog catalog = triggers::SignalCatalog::Standard();
    auto rules = triggers::RuleSet::Compile(catalog, triggers::BuiltinRules());
    if (!rules.ok()) return rules.error().WithContext("built-in rules");
    return RuleSetup{std::move(catalog), std::move(*rules), {}, "built-in rules"};
  }
  const std::string base_path = base_file.empty() ? DefaultConfigPath().string() : base_file;
  Result<proto::BaseConfig> base = config::LoadBaseConfig(base_path);
  if (!base.ok()) return base.error();
  if (fleet_file.empty()) return FromConfig(*base, base_path);
  Result<config::EffectiveConfig> effective = ApplyFleetFile(*base, fleet_file, clock);
  if (!effective.ok()) return effective.error();
  return FromConfig(
      effective->config,
      fleet_file + " (version " + std::to_string(effective->fleet_version) + ") over " + base_path);
}

}  // namespace fleetclip::cli

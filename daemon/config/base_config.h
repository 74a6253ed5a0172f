// The base config: the file on the car (/etc/fleetclip/fleetclip.conf, protobuf text format) that
// names the vehicle, its cameras, sockets, storage, upload target, backend and trusted signing
// keys, plus the initial rules and upload policy. Loading is three steps, each with its own error
// text: parse (errors name file:line:col), fill the defaults documented in proto/config.proto,
// validate every field against its bound (errors name the file, the field path, the value and the
// bound: `fleetclip.conf: cameras[1].bitrate_bps: 50 is outside 100000..100000000`).
//
// The same validation runs on the effective config after a fleet config is applied
// (daemon/config/fleet_config.h), so a pushed policy or rule is held to the same bounds.
// Everything here is a pure function of its arguments: thread-safe, no global state.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proto/config.pb.h"
#include "triggers/rule_config.h"
#include "triggers/rule_engine.h"
#include "triggers/signal_catalog.h"

namespace fleetclip::config {

inline constexpr char kDefaultConfigPath[] = "/etc/fleetclip/fleetclip.conf";
inline constexpr char kDefaultStateDir[] = "/var/lib/fleetclip";
inline constexpr char kDefaultRuntimeDir[] = "/run/fleetclip";
// The base config file itself is read only up to this size.
inline constexpr int64_t kMaxBaseConfigFileBytes = 1 << 20;

// Parses protobuf text format into `message`. `label` names the source in errors:
// `fleetclip.conf:12:5: Message type "fleetclip.proto.BaseConfig" has no field named "vehicle"`.
Status ParseTextProto(std::string_view text, std::string_view label,
                      google::protobuf::Message* message);

// Reads a text-format file (at most kMaxBaseConfigFileBytes) into `message`. kNotFound when the
// file does not exist, kInvalidArgument naming file:line:col when it does not parse.
Status ReadTextProtoFile(const std::filesystem::path& path, google::protobuf::Message* message);

// Fills every default of proto/config.proto that is left unset (state and runtime dirs, sockets,
// camera encoder/bitrate/ring, signal history, storage, upload sizes, policy, backend); the
// integer defaults are the config table's (config_keys.h). Idempotent.
void ApplyBaseDefaults(proto::BaseConfig& config);

// The defaults of an UploadPolicyConfig / StorageConfig alone, also applied to a fleet config's
// replacement policy and storage.
void ApplyPolicyDefaults(proto::UploadPolicyConfig& policy);
void ApplyStorageDefaults(proto::StorageConfig& storage);

// Checks every field of a defaulted config (run ApplyBaseDefaults first) and compiles every rule
// (presets merged with config.rules()) against the catalogue of standard plus custom signals.
// On failure the error (kInvalidArgument) lists every problem found, one per line, each prefixed
// with `file_label: `.
Status ValidateBaseConfig(const proto::BaseConfig& config, std::string_view file_label);

// Parse, defaults, validation. The file label in messages is `path` as given.
Result<proto::BaseConfig> LoadBaseConfig(const std::filesystem::path& path);

// The standard signals plus the config's signals.custom_signals.
Result<triggers::SignalCatalog> BuildCatalog(const proto::BaseConfig& config);

// Rule bounds implied by the config: pre-roll up to the shortest camera ring.
triggers::RuleBounds RuleBoundsFor(const proto::BaseConfig& config);

// The presets merged with `rules` (the base config's, or a fleet config's), validated.
Result<std::vector<triggers::RuleSpec>> BuildRuleSpecs(
    const proto::BaseConfig& config,
    const google::protobuf::RepeatedPtrField<proto::RuleConfig>& rules);

// What the trigger pipeline needs from an effective config: the catalogue (signal ids for the
// decoder and SignalHistory) and the RuleSet compiled against that same catalogue.
struct CompiledRules {
  triggers::SignalCatalog catalog;
  std::shared_ptr<const triggers::RuleSet> rule_set;  // shared with RuleEngine and scheduler
};

// The effective config's rules merged over the presets and compiled against its catalogue, in one
// call: `rule "hb": col 17: unknown signal "sped"`.
Result<CompiledRules> CompileRules(const proto::BaseConfig& config);

// Field checks shared with the fleet config validation. `path` is the field path used in messages
// ("upload_policy", "storage"); each problem is appended as `path.field: value is outside lo..hi`.
void CheckUploadPolicy(const proto::UploadPolicyConfig& policy, const std::string& path,
                       std::vector<std::string>& problems);
void CheckStorage(const proto::StorageConfig& storage, const std::string& path,
                  std::vector<std::string>& problems);

}  // namespace fleetclip::config

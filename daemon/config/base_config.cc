// Parsing, defaults, catalogue and rule building for daemon/config/base_config.h. The field checks
// live in base_validate.cc.
#include "daemon/config/base_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "daemon/config/config_keys.h"
#include "triggers/presets.h"

namespace fleetclip::config {
namespace {

class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (message_.empty())
      message_ = std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

// The table's default for an integer key left at 0 (config_keys.h).
template <typename Message, typename Get, typename Set>
void DefaultIfZero(Message& m, std::string_view key, Get get, Set set) {
  if ((m.*get)() == 0) (m.*set)(static_cast<decltype((m.*get)())>(*Key(key).default_value));
}

std::string Join(const std::string& dir, const char* name) {
  return dir.ends_with('/') ? dir + name : dir + "/" + name;
}

}  // namespace

Status ParseTextProto(std::string_view text, std::string_view label,
                      google::protobuf::Message* message) {
  FirstError errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), message)) {
    return Error(ErrorCode::kInvalidArgument, std::string(label) + ":" + errors.message());
  }
  return Ok();
}

Status ReadTextProtoFile(const std::filesystem::path& path, google::protobuf::Message* message) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return ErrnoError("config " + path.string(), ec.value());
  if (static_cast<int64_t>(size) > kMaxBaseConfigFileBytes) {
    return Error(ErrorCode::kInvalidArgument, path.string() + ": " + std::to_string(size) +
                                                  " bytes; the limit is " +
                                                  std::to_string(kMaxBaseConfigFileBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("open config " + path.string(), errno);
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return ErrnoError("read config " + path.string(), errno);
  return ParseTextProto(text.str(), path.string(), message);
}

void ApplyPolicyDefaults(proto::UploadPolicyConfig& p) {
  if (p.allowed_links_size() == 0) {
    p.add_allowed_links(proto::LINK_WIFI);
    p.add_allowed_links(proto::LINK_ETHERNET);
  }
  if (p.window_start().empty()) p.set_window_start("22:00");
  if (p.window_end().empty()) p.set_window_end("06:00");
  if (!p.has_require_parked()) p.set_require_parked(true);
  DefaultIfZero(p, "upload_policy.parked_after_ms", &proto::UploadPolicyConfig::parked_after_ms,
                &proto::UploadPolicyConfig::set_parked_after_ms);
  DefaultIfZero(p, "upload_policy.urgent_priority", &proto::UploadPolicyConfig::urgent_priority,
                &proto::UploadPolicyConfig::set_urgent_priority);
  DefaultIfZero(p, "upload_policy.parallel_parts", &proto::UploadPolicyConfig::parallel_parts,
                &proto::UploadPolicyConfig::set_parallel_parts);
}

void ApplyStorageDefaults(proto::StorageConfig& s) {
  DefaultIfZero(s, "storage.quota_bytes", &proto::StorageConfig::quota_bytes,
                &proto::StorageConfig::set_quota_bytes);
  DefaultIfZero(s, "storage.min_free_bytes", &proto::StorageConfig::min_free_bytes,
                &proto::StorageConfig::set_min_free_bytes);
  DefaultIfZero(s, "storage.min_free_percent", &proto::StorageConfig::min_free_percent,
                &proto::StorageConfig::set_min_free_percent);
}

void ApplyBaseDefaults(proto::BaseConfig& c) {
  if (c.state_dir().empty()) c.set_state_dir(kDefaultStateDir);
  if (c.runtime_dir().empty()) c.set_runtime_dir(kDefaultRuntimeDir);
  if (c.control_socket().empty()) c.set_control_socket(Join(c.runtime_dir(), "control.sock"));
  for (proto::CameraConfig& cam : *c.mutable_cameras()) {
    if (cam.encoder().empty()) cam.set_encoder("libx264");
    DefaultIfZero(cam, "cameras[].bitrate_bps", &proto::CameraConfig::bitrate_bps,
                  &proto::CameraConfig::set_bitrate_bps);
    // gop_frames 0 stays 0: "one second of frames" needs the stream's frame rate.
    DefaultIfZero(cam, "cameras[].ring_duration_ms", &proto::CameraConfig::ring_duration_ms,
                  &proto::CameraConfig::set_ring_duration_ms);
    DefaultIfZero(cam, "cameras[].ring_max_bytes", &proto::CameraConfig::ring_max_bytes,
                  &proto::CameraConfig::set_ring_max_bytes);
    if (!cam.has_realtime()) cam.set_realtime(true);
  }
  proto::SignalConfig& sig = *c.mutable_signals();
  if (sig.socket_path().empty()) sig.set_socket_path(Join(c.runtime_dir(), "signals.sock"));
  DefaultIfZero(sig, "signals.history_ms", &proto::SignalConfig::history_ms,
                &proto::SignalConfig::set_history_ms);
  DefaultIfZero(sig, "signals.max_datagram_bytes", &proto::SignalConfig::max_datagram_bytes,
                &proto::SignalConfig::set_max_datagram_bytes);
  DefaultIfZero(sig, "signals.reorder_window_ms", &proto::SignalConfig::reorder_window_ms,
                &proto::SignalConfig::set_reorder_window_ms);
  ApplyStorageDefaults(*c.mutable_storage());
  proto::UploadTarget& up = *c.mutable_upload();
  DefaultIfZero(up, "upload.multipart_threshold_bytes",
                &proto::UploadTarget::multipart_threshold_bytes,
                &proto::UploadTarget::set_multipart_threshold_bytes);
  DefaultIfZero(up, "upload.part_size_bytes", &proto::UploadTarget::part_size_bytes,
                &proto::UploadTarget::set_part_size_bytes);
  ApplyPolicyDefaults(*c.mutable_upload_policy());
  proto::BackendConfig& be = *c.mutable_backend();
  DefaultIfZero(be, "backend.poll_interval_ms", &proto::BackendConfig::poll_interval_ms,
                &proto::BackendConfig::set_poll_interval_ms);
  DefaultIfZero(be, "backend.max_config_bytes", &proto::BackendConfig::max_config_bytes,
                &proto::BackendConfig::set_max_config_bytes);
}

Result<proto::BaseConfig> LoadBaseConfig(const std::filesystem::path& path) {
  proto::BaseConfig config;
  if (Status s = ReadTextProtoFile(path, &config); !s.ok()) return s.error();
  ApplyBaseDefaults(config);
  if (Status s = ValidateBaseConfig(config, path.string()); !s.ok()) return s.error();
  return config;
}

Result<triggers::SignalCatalog> BuildCatalog(const proto::BaseConfig& config) {
  triggers::SignalCatalog catalog = triggers::SignalCatalog::Standard();
  const auto& custom = config.signals().custom_signals();
  for (int i = 0; i < custom.size(); ++i) {
    const proto::SignalDeclaration& d = custom[i];
    triggers::SignalKind kind = triggers::SignalKind::kNumber;
    if (d.kind() == proto::SignalDeclaration::FLAG) kind = triggers::SignalKind::kFlag;
    if (d.kind() == proto::SignalDeclaration::TEXT) kind = triggers::SignalKind::kText;
    if (Result<triggers::SignalId> id = catalog.Declare(d.name(), kind, d.unit()); !id.ok()) {
      return id.error().WithContext("signals.custom_signals[" + std::to_string(i) + "]");
    }
  }
  return catalog;
}

triggers::RuleBounds RuleBoundsFor(const proto::BaseConfig& config) {
  triggers::RuleBounds bounds;
  if (config.cameras_size() > 0) {
    int64_t shortest = bounds.max_pre_roll_ms;
    for (const proto::CameraConfig& cam : config.cameras()) {
      if (cam.ring_duration_ms() > 0) shortest = std::min(shortest, cam.ring_duration_ms());
    }
    bounds.max_pre_roll_ms = shortest;
  }
  return bounds;
}

Result<std::vector<triggers::RuleSpec>> BuildRuleSpecs(
    const proto::BaseConfig& config,
    const google::protobuf::RepeatedPtrField<proto::RuleConfig>& rules) {
  return triggers::MergeRules(triggers::BuiltinRules(), rules, RuleBoundsFor(config));
}

Result<CompiledRules> CompileRules(const proto::BaseConfig& config) {
  Result<triggers::SignalCatalog> catalog = BuildCatalog(config);
  if (!catalog.ok()) return catalog.error();
  Result<std::vector<triggers::RuleSpec>> specs = BuildRuleSpecs(config, config.rules());
  if (!specs.ok()) return specs.error();
  Result<std::shared_ptr<const triggers::RuleSet>> set =
      triggers::RuleSet::Compile(*catalog, std::move(*specs));
  if (!set.ok()) return set.error();
  return CompiledRules{std::move(*catalog), std::move(*set)};
}

}  // namespace fleetclip::config

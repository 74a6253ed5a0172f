// Field-by-field validation of a defaulted BaseConfig (daemon/config/base_config.h). Bounds follow
// proto/config.proto; where the proto names none, the bound chosen here is listed in
// docs/config.md. Every problem is collected (not only the first) so that one run of
// `fleetclip config validate` shows everything to fix.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "can/message_check.h"
#include "daemon/config/base_config.h"
#include "daemon/config/config_keys.h"
#include "uploader/upload_policy.h"

namespace fleetclip::config {
namespace {

constexpr size_t kMaxSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1
constexpr std::string_view kPlaceholderId = "change-me";

bool Matches(std::string_view s, size_t max_len, bool upper, std::string_view extra) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (upper && c >= 'A' && c <= 'Z') ||
           extra.find(c) != std::string_view::npos;
  });
}

class Checker {
 public:
  explicit Checker(std::vector<std::string>& problems) : problems_(problems) {}

  void Add(const std::string& path, const std::string& what) {
    problems_.push_back(path + ": " + what);
  }
  // A problem whose text already starts with its path (a component's own check).
  void AddMessage(const std::string& path_and_what) { problems_.push_back(path_and_what); }
  void Range(const std::string& path, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi) {
      Add(path,
          std::to_string(v) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    }
  }
  // `v` against the bound of the table row `key` (config_keys.h); `path` names the field in the
  // message ("cameras[1].bitrate_bps" for the row "cameras[].bitrate_bps").
  void Bounded(std::string_view key, const std::string& path, int64_t v) {
    const ConfigKey& k = Key(key);
    if (k.zero_allowed && v == 0) return;
    Range(path, v, k.range->min, k.range->max);
  }
  void Pattern(const std::string& path, std::string_view v, bool ok, const char* pattern) {
    if (!ok) Add(path, Quote(v) + " is not " + pattern);
  }
  void AbsolutePath(const std::string& path, std::string_view v, bool required) {
    if (v.empty()) {
      if (required) Add(path, "is empty; an absolute path is required");
    } else if (!v.starts_with('/')) {
      Add(path, Quote(v) + " is not an absolute path");
    }
  }
  void SocketPath(const std::string& path, std::string_view v) {
    AbsolutePath(path, v, true);
    if (v.size() > kMaxSocketPath) {
      Add(path, Quote(v) + " is " + std::to_string(v.size()) + " bytes; a socket path is at most " +
                    std::to_string(kMaxSocketPath));
    }
  }
  void HttpUrl(const std::string& path, std::string_view v) {
    if (v.empty()) return;
    const bool ok =
        (v.starts_with("https://") && v.size() > 8) || (v.starts_with("http://") && v.size() > 7);
    if (!ok) Add(path, Quote(v) + " is not an http:// or https:// URL");
  }

 private:
  std::vector<std::string>& problems_;
};

void CheckCamera(const proto::CameraConfig& cam, const std::string& p, Checker& c) {
  c.Pattern(p + ".name", cam.name(), Matches(cam.name(), 32, false, "_"), "[a-z0-9_]{1,32}");
  if (cam.url().empty()) c.Add(p + ".url", "is empty; a libavformat URL is required");
  if (!cam.input_format().empty()) {
    c.Pattern(p + ".input_format", cam.input_format(), Matches(cam.input_format(), 32, false, "_,"),
              "[a-z0-9_,]{1,32}");
  }
  c.Pattern(p + ".encoder", cam.encoder(), Matches(cam.encoder(), 64, true, "_-"),
            "[A-Za-z0-9_-]{1,64}");
  c.Bounded("cameras[].bitrate_bps", p + ".bitrate_bps", cam.bitrate_bps());
  c.Bounded("cameras[].gop_frames", p + ".gop_frames", cam.gop_frames());
  c.Bounded("cameras[].ring_duration_ms", p + ".ring_duration_ms", cam.ring_duration_ms());
  c.Bounded("cameras[].ring_max_bytes", p + ".ring_max_bytes", cam.ring_max_bytes());
}

void CheckUpload(const proto::UploadTarget& up, Checker& c) {
  const std::string& url = up.url();
  if (url.starts_with("s3://")) {
    const std::string_view rest = std::string_view(url).substr(5);
    const std::string_view bucket = rest.substr(0, rest.find('/'));
    c.Pattern("upload.url", url, Matches(bucket, 63, false, "-."), "s3://BUCKET[/PREFIX]");
    if (up.credentials_file().empty()) {
      c.Add("upload.credentials_file", "is empty; an s3:// target needs a credentials file");
    }
    if (up.region().empty()) c.Add("upload.region", "is empty; an s3:// target needs a region");
  } else if (url.starts_with("https://") || url.starts_with("http://")) {
    c.HttpUrl("upload.url", url);
  } else if (url.starts_with("file://")) {
    c.AbsolutePath("upload.url", std::string_view(url).substr(7), true);
  } else {
    c.Add("upload.url", Quote(url) + " does not start with s3://, https://, http:// or file://");
  }
  c.HttpUrl("upload.endpoint", up.endpoint());
  c.AbsolutePath("upload.credentials_file", up.credentials_file(), false);
  c.Bounded("upload.multipart_threshold_bytes", "upload.multipart_threshold_bytes",
            up.multipart_threshold_bytes());
  c.Bounded("upload.part_size_bytes", "upload.part_size_bytes", up.part_size_bytes());
}

// The CAN interfaces' shape; the DBC files and maps are read and resolved when the daemon builds
// its CAN gateways (daemon/can_gateways.h), which names the field of whatever does not resolve.
void CheckCan(const proto::SignalConfig& sig, Checker& c) {
  c.Range("signals.can (count)", sig.can_size(), 0, 8);
  std::set<std::string> names;
  for (int i = 0; i < sig.can_size(); ++i) {
    const proto::CanInterfaceConfig& can = sig.can(i);
    const std::string p = "signals.can[" + std::to_string(i) + "]";
    const std::string& n = can.interface();
    if (n.empty() || n.size() > 15 || !triggers::IsValidSignalName(n)) {
      c.Add(p + ".interface", Quote(n) + " is not [a-z0-9_.]{1,15}");
    } else if (!names.insert(n).second) {
      c.Add(p + ".interface", Quote(n) + " is configured twice");
    }
    c.AbsolutePath(p + ".dbc_file", can.dbc_file(), true);
    c.AbsolutePath(p + ".candump_file", can.candump_file(), false);
    c.Range(p + ".map (count)", can.map_size(), 1, 1024);
    for (int j = 0; j < can.map_size(); ++j) {
      const proto::CanSignalMapping& m = can.map(j);
      const std::string q = p + ".map[" + std::to_string(j) + "]";
      if (m.dbc_signal().empty()) c.Add(q + ".dbc_signal", "is empty");
      if (!triggers::IsValidSignalName(m.signal())) {
        c.Add(q + ".signal", Quote(m.signal()) + " is not [a-z0-9_.]{1,64}");
      }
      if (!std::isfinite(m.scale())) c.Add(q + ".scale", "is not a finite number");
    }
    // Counter and checksum checks: their shape here, their DBC names when the daemon starts.
    c.Range(p + ".check (count)", can.check_size(), 0, 256);
    for (int j = 0; j < can.check_size(); ++j) {
      const proto::CanMessageCheck& k = can.check(j);
      const std::string q = p + ".check[" + std::to_string(j) + "]";
      const Status s = can::CheckSpecShape(
          {k.message(), k.counter(), k.checksum(), k.algorithm(), k.data_id(), q});
      if (!s.ok()) c.AddMessage(s.error().message());
    }
    if (Status s = can::CheckDbcAlgorithm(can.checksum_algorithm(), p + ".checksum_algorithm");
        !s.ok()) {
      c.AddMessage(s.error().message());
    }
  }
}

void CheckSignals(const proto::SignalConfig& sig, Checker& c) {
  c.SocketPath("signals.socket_path", sig.socket_path());
  c.Bounded("signals.history_ms", "signals.history_ms", sig.history_ms());
  c.Bounded("signals.max_datagram_bytes", "signals.max_datagram_bytes", sig.max_datagram_bytes());
  c.Bounded("signals.reorder_window_ms", "signals.reorder_window_ms", sig.reorder_window_ms());
  c.Bounded("signals.custom_signals", "signals.custom_signals (count)", sig.custom_signals_size());
  const triggers::SignalCatalog standard = triggers::SignalCatalog::Standard();
  std::set<std::string> seen;
  for (int i = 0; i < sig.custom_signals_size(); ++i) {
    const proto::SignalDeclaration& d = sig.custom_signals(i);
    const std::string p = "signals.custom_signals[" + std::to_string(i) + "]";
    if (!triggers::IsValidSignalName(d.name())) {
      c.Add(p + ".name", Quote(d.name()) + " is not [a-z0-9_.]{1,64}");
    } else if (standard.Find(d.name())) {
      c.Add(p + ".name", Quote(d.name()) + " is a standard signal; it needs no declaration");
    } else if (!seen.insert(d.name()).second) {
      c.Add(p + ".name", Quote(d.name()) + " is declared twice");
    }
    if (!proto::SignalDeclaration::Kind_IsValid(d.kind())) {
      c.Add(p + ".kind", std::to_string(d.kind()) + " is not NUMBER, FLAG or TEXT");
    }
  }
  CheckCan(sig, c);
}

void CheckBackend(const proto::BaseConfig& config, Checker& c) {
  const proto::BackendConfig& be = config.backend();
  if (!be.config_url().starts_with("s3://")) c.HttpUrl("backend.config_url", be.config_url());
  c.HttpUrl("backend.heartbeat_url", be.heartbeat_url());
  c.Bounded("backend.poll_interval_ms", "backend.poll_interval_ms", be.poll_interval_ms());
  c.Bounded("backend.max_config_bytes", "backend.max_config_bytes", be.max_config_bytes());
  if (!be.config_url().empty() && config.trusted_keys_size() == 0) {
    c.Add("trusted_keys",
          "is empty while backend.config_url is set; every fleet config would be "
          "rejected");
  }
  std::set<std::string> ids;
  c.Bounded("trusted_keys", "trusted_keys (count)", config.trusted_keys_size());
  for (int i = 0; i < config.trusted_keys_size(); ++i) {
    const proto::TrustedKey& k = config.trusted_keys(i);
    const std::string p = "trusted_keys[" + std::to_string(i) + "]";
    c.Pattern(p + ".key_id", k.key_id(), Matches(k.key_id(), 64, true, "_.-"),
              "[A-Za-z0-9_.-]{1,64}");
    if (!ids.insert(k.key_id()).second) c.Add(p + ".key_id", Quote(k.key_id()) + " is not unique");
    if (k.ed25519_public_key().size() != 32) {
      c.Add(p + ".ed25519_public_key",
            std::to_string(k.ed25519_public_key().size()) + " bytes; an Ed25519 key is 32");
    }
  }
}

}  // namespace

void CheckUploadPolicy(const proto::UploadPolicyConfig& policy, const std::string& path,
                       std::vector<std::string>& problems) {
  Checker c(problems);
  // PolicyFromProto names its fields "upload_policy.…"; re-root them under `path`.
  if (Result<uploader::PolicyConfig> p = uploader::PolicyFromProto(policy); !p.ok()) {
    std::string m = p.error().message();
    if (m.starts_with("upload_policy")) m = path + m.substr(13);
    problems.push_back(m);
  }
  for (int i = 0; i < policy.allowed_links_size(); ++i) {
    const int link = policy.allowed_links(i);
    if (link < proto::LINK_WIFI || link > proto::LINK_CELLULAR) {
      c.Add(path + ".allowed_links[" + std::to_string(i) + "]",
            std::to_string(link) + " is not LINK_WIFI, LINK_ETHERNET or LINK_CELLULAR");
    }
  }
  c.Bounded("upload_policy.parallel_parts", path + ".parallel_parts", policy.parallel_parts());
  c.Bounded("upload_policy.bandwidth_limit_bps", path + ".bandwidth_limit_bps",
            policy.bandwidth_limit_bps());
  for (const auto& [name, metered] : policy.metered_interfaces()) {
    c.Pattern(path + ".metered_interfaces", name, Matches(name, 15, true, "_.:-"),
              "an interface name [A-Za-z0-9_.:-]{1,15}");
  }
}

void CheckStorage(const proto::StorageConfig& s, const std::string& path,
                  std::vector<std::string>& problems) {
  Checker c(problems);
  c.Bounded("storage.quota_bytes", path + ".quota_bytes", s.quota_bytes());
  c.Bounded("storage.min_free_bytes", path + ".min_free_bytes", s.min_free_bytes());
  const ConfigKey& percent = Key("storage.min_free_percent");
  if (!(s.min_free_percent() >= static_cast<double>(percent.range->min) &&
        s.min_free_percent() <= static_cast<double>(percent.range->max))) {
    c.Add(path + ".min_free_percent",
          std::to_string(s.min_free_percent()) + " is outside " + RangeText(percent));
  }
}

Status ValidateBaseConfig(const proto::BaseConfig& config, std::string_view file_label) {
  std::vector<std::string> problems;
  Checker c(problems);
  c.Pattern("vehicle_id", config.vehicle_id(), Matches(config.vehicle_id(), 64, true, "_-"),
            "[A-Za-z0-9_-]{1,64}");
  c.Pattern("fleet_id", config.fleet_id(), Matches(config.fleet_id(), 64, true, "_-"),
            "[A-Za-z0-9_-]{1,64}");
  // packaging/fleetclip.conf ships these; the unit is enabled on install, so a car booted before
  // anyone edited the file must not upload under a shared, meaningless id.
  if (config.vehicle_id() == kPlaceholderId) {
    c.Add("vehicle_id", Quote(kPlaceholderId) + " is the shipped placeholder; set this car's id");
  }
  if (config.fleet_id() == kPlaceholderId) {
    c.Add("fleet_id", Quote(kPlaceholderId) + " is the shipped placeholder; set this car's fleet");
  }
  c.AbsolutePath("state_dir", config.state_dir(), true);
  c.AbsolutePath("runtime_dir", config.runtime_dir(), true);
  c.SocketPath("control_socket", config.control_socket());
  c.AbsolutePath("metrics_file", config.metrics_file(), false);

  c.Bounded("cameras", "cameras (count)", config.cameras_size());
  std::set<std::string> names;
  for (int i = 0; i < config.cameras_size(); ++i) {
    const std::string p = "cameras[" + std::to_string(i) + "]";
    CheckCamera(config.cameras(i), p, c);
    if (!names.insert(config.cameras(i).name()).second) {
      c.Add(p + ".name", Quote(config.cameras(i).name()) + " is not unique");
    }
  }
  CheckSignals(config.signals(), c);
  CheckStorage(config.storage(), "storage", problems);
  CheckUpload(config.upload(), c);
  CheckUploadPolicy(config.upload_policy(), "upload_policy", problems);
  CheckBackend(config, c);

  // Every rule, merged over the presets and compiled against the catalogue. A catalogue that does
  // not build was reported under signals already.
  if (Result<triggers::SignalCatalog> catalog = BuildCatalog(config); catalog.ok()) {
    Result<std::vector<triggers::RuleSpec>> specs = BuildRuleSpecs(config, config.rules());
    if (!specs.ok()) {
      c.Add("rules", specs.error().message());
    } else if (auto set = triggers::RuleSet::Compile(*catalog, std::move(*specs)); !set.ok()) {
      c.Add("rules", set.error().message());
    }
  }
  if (problems.empty()) return Ok();
  std::string message;
  for (const std::string& p : problems) {
    if (!message.empty()) message += "\n";
    message += std::string(file_label) + ": " + p;
  }
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace fleetclip::config

// The base config table and the reload plan (daemon/config/config_keys.h). Bounds not given in
// proto/config.proto (datagram size, storage, part sizes, key counts) are chosen here and
// documented in docs/config.md and packaging/fleetclip.conf.
#include "daemon/config/config_keys.h"

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace fleetclip::config {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;
constexpr OnReload kApplied = OnReload::kApplied;
constexpr OnReload kAtRestart = OnReload::kAtRestart;

// Who the car is, where its files and sockets are, what it captures and where clips go are wired
// into the running pipeline (the clip writer's ids, the bound sockets, the rings, the history's
// catalogue, the upload transport, the poller): they take a restart. Rules, policy, storage
// limits, trusted keys and the metrics file are read again on every use: a reload applies them.
constexpr ConfigKey kKeys[] = {
    {"vehicle_id", kAtRestart},
    {"fleet_id", kAtRestart},
    {"state_dir", kAtRestart},
    {"runtime_dir", kAtRestart},
    {"control_socket", kAtRestart},
    {"metrics_file", kApplied},
    {"cameras", kAtRestart, IntRange{1, 16}},
    {"cameras[].name", kAtRestart},
    {"cameras[].url", kAtRestart},
    {"cameras[].input_format", kAtRestart},
    {"cameras[].input_options", kAtRestart},
    {"cameras[].encoder", kAtRestart},
    {"cameras[].encoder_options", kAtRestart},
    {"cameras[].bitrate_bps", kAtRestart, IntRange{100'000, 100'000'000}, 4'000'000},
    {"cameras[].gop_frames", kAtRestart, IntRange{1, 600}, std::nullopt, true},
    {"cameras[].ring_duration_ms", kAtRestart, IntRange{1'000, 600'000}, 60'000},
    {"cameras[].ring_max_bytes", kAtRestart, IntRange{kMiB, 4 * kGiB}, 256 * kMiB},
    {"cameras[].realtime", kAtRestart},
    {"signals.socket_path", kAtRestart},
    {"signals.history_ms", kAtRestart, IntRange{10'000, 600'000}, 120'000},
    {"signals.max_datagram_bytes", kAtRestart, IntRange{256, 65'536}, 8192},
    {"signals.reorder_window_ms", kAtRestart, IntRange{1, 1'000}, 50},
    {"signals.custom_signals", kAtRestart, IntRange{0, 256}},
    {"signals.can", kAtRestart, IntRange{0, 8}},
    {"storage.quota_bytes", kApplied, IntRange{64 * kMiB, int64_t{1} << 50}, 20 * kGiB},
    {"storage.min_free_bytes", kApplied, IntRange{0, int64_t{1} << 50}, 5 * kGiB},
    {"storage.min_free_percent", kApplied, IntRange{0, 90}, 10},
    {"upload.url", kAtRestart},
    {"upload.endpoint", kAtRestart},
    {"upload.region", kAtRestart},
    {"upload.credentials_file", kAtRestart},
    {"upload.multipart_threshold_bytes", kAtRestart, IntRange{5 * kMiB, 5 * kGiB}, 16 * kMiB},
    {"upload.part_size_bytes", kAtRestart, IntRange{5 * kMiB, 5 * kGiB}, 8 * kMiB},
    {"upload_policy.allowed_links", kApplied},
    {"upload_policy.allow_metered", kApplied},
    {"upload_policy.window_start", kApplied},
    {"upload_policy.window_end", kApplied},
    {"upload_policy.require_parked", kApplied},
    {"upload_policy.parked_after_ms", kApplied, IntRange{0, 3'600'000}, 120'000},
    {"upload_policy.urgent_priority", kApplied, IntRange{0, 100}, 90},
    {"upload_policy.daily_bytes_per_link", kApplied},
    {"upload_policy.bandwidth_limit_bps", kApplied, IntRange{0, 100'000'000'000}},
    {"upload_policy.parallel_parts", kApplied, IntRange{1, 16}, 2},
    {"upload_policy.metered_interfaces", kApplied},
    {"backend.config_url", kAtRestart},
    {"backend.poll_interval_ms", kAtRestart, IntRange{60'000, 86'400'000}, 900'000},
    {"backend.heartbeat_url", kAtRestart},
    {"backend.max_config_bytes", kAtRestart, IntRange{1024, 64 * kMiB}, kMiB},
    {"trusted_keys", kApplied, IntRange{0, 16}},
    {"rules", kApplied},
};

// The table's own path ("storage.quota_bytes") as a FieldMask path; list element rows have none
// (the list is one reload key).
bool IsReloadKey(const ConfigKey& k) { return k.name.find("[]") == std::string_view::npos; }

// `from` reduced to the one field `path`.
proto::BaseConfig Only(const proto::BaseConfig& from, std::string_view path) {
  google::protobuf::FieldMask mask;
  mask.add_paths(std::string(path));
  google::protobuf::util::FieldMaskUtil::MergeOptions replace;
  replace.set_replace_message_fields(true);
  replace.set_replace_repeated_fields(true);
  proto::BaseConfig out;
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(from, mask, replace, &out);
  return out;
}

}  // namespace

std::span<const ConfigKey> BaseConfigKeys() { return kKeys; }

const ConfigKey& Key(std::string_view name) {
  for (const ConfigKey& k : kKeys) {
    if (k.name == name) return k;
  }
  std::fprintf(stderr, "config key \"%.*s\" is not in the table (daemon/config/config_keys.cc)\n",
               static_cast<int>(name.size()), name.data());
  std::abort();
}

std::string RangeText(const ConfigKey& key) {
  if (!key.range) return "";
  return std::to_string(key.range->min) + ".." + std::to_string(key.range->max);
}

ReloadPlan PlanReload(const proto::BaseConfig& running, const proto::BaseConfig& loaded) {
  ReloadPlan plan{running, {}};
  google::protobuf::FieldMask applied;
  for (const ConfigKey& k : kKeys) {
    if (!IsReloadKey(k)) continue;
    if (k.reload == OnReload::kApplied) {
      applied.add_paths(std::string(k.name));
    } else if (!google::protobuf::util::MessageDifferencer::Equals(Only(running, k.name),
                                                                   Only(loaded, k.name))) {
      plan.awaiting_restart.emplace_back(k.name);
    }
  }
  google::protobuf::util::FieldMaskUtil::MergeOptions replace;
  replace.set_replace_message_fields(true);
  replace.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(loaded, applied, replace, &plan.next);
  return plan;
}

}  // namespace fleetclip::config

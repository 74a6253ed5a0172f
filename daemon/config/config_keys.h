// The base config table (Redis's config table): every key of proto::BaseConfig declared once, with
// its integer bounds and default where it has them, and whether a reload applies it or it waits
// for a restart. Three things read it and nothing else restates it:
//   - validation (base_validate.cc) and defaults (base_config.cc) take bounds and defaults from it;
//   - the shipped config's documentation check (config_keys_test.cc) requires each key's paragraph
//     in packaging/fleetclip.conf to state the same bounds, default and reload behaviour;
//   - Reload (PlanReload below) applies exactly the reloadable keys and names the others.
// A field added to config.proto without a row here fails config_keys_test.
//
// Names are field paths as the shipped file and the error messages spell them:
// "storage.quota_bytes"; fields of a list's elements as "cameras[].bitrate_bps". Lists whose
// elements have no row of their own (rules, trusted_keys, signals.custom_signals) are one key.
// Everything here is constant data and pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/config.pb.h"

namespace fleetclip::config {

enum class OnReload {
  kApplied,    // a reload (SIGHUP, `fleetclip reload`) changes it in the running daemon
  kAtRestart,  // read at start; a reload that changes it keeps the running value and says so
};

struct IntRange {
  int64_t min;
  int64_t max;
};

struct ConfigKey {
  std::string_view name;
  OnReload reload;
  std::optional<IntRange> range = std::nullopt;  // integer (or percent) keys: min..max inclusive
  std::optional<int64_t> default_value = std::nullopt;  // integer default for a key left at 0
  bool zero_allowed = false;  // 0 is valid besides `range` (gop_frames: 0 = one second)
};

// Every key, in the order of packaging/fleetclip.conf.
std::span<const ConfigKey> BaseConfigKeys();

// The row named `name`. A name that is not in the table is a programming error: it aborts, so
// that a typo in a caller fails every test that reaches it.
const ConfigKey& Key(std::string_view name);

// The bound of `name` ("100000..100000000"), as validation messages give it.
std::string RangeText(const ConfigKey& key);

// A value as validation errors show it: in double quotes. (Not `"\"" + std::string(s)`: GCC 12
// at -O3 reports a -Wrestrict false positive for that, GCC bug 105329.)
inline std::string Quote(std::string_view s) { return std::string("\"").append(s).append("\""); }

// What a reload does with a newly loaded (defaulted, validated) base config, given the one
// running: `next` is `running` with every kApplied key taken from `loaded`; `awaiting_restart`
// names, in table order, each kAtRestart key whose value in `loaded` differs from the running one
// (the running value stays until the next start).
struct ReloadPlan {
  proto::BaseConfig next;
  std::vector<std::string> awaiting_restart;
};
ReloadPlan PlanReload(const proto::BaseConfig& running, const proto::BaseConfig& loaded);

}  // namespace fleetclip::config

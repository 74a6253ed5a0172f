// What the queue commands (list, show, stats, export, retry, delete, pin, unpin) share: the common
// options (--db PATH, --state-dir DIR, --json, --help), where the database is by default, opening
// the store read-only or for a single change, and the formatting of sizes, times and JSON. The
// JSON field names are a stable interface documented in docs/cli.md.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.h"
#include "queue/clip_store.h"

namespace fleetclip::cli {

// State directory: --db/--state-dir, else $FLEETCLIP_STATE_DIR, else `state_dir` of the base config
// (--config PATH, $FLEETCLIP_CONFIG or /etc/fleetclip/fleetclip.conf, when it exists), else
// /var/lib/fleetclip (the unit's StateDirectory). The database is <state dir>/queue.db.
inline constexpr std::string_view kDefaultStateDir = "/var/lib/fleetclip";

struct QueueArgs {
  std::filesystem::path state_dir;
  std::filesystem::path config_path;  // --config, else $FLEETCLIP_CONFIG or the default path
  bool json = false;
  bool help = false;
  std::vector<std::string> positional;
  std::map<std::string, std::string, std::less<>> values;  // --option VALUE
  std::set<std::string, std::less<>> flags;                // --flag
};

// Parses `args`; `value_options` take a value, `flag_options` do not. Returns a usage problem.
std::optional<std::string> ParseQueueArgs(std::span<const std::string_view> args,
                                          std::initializer_list<std::string_view> value_options,
                                          std::initializer_list<std::string_view> flag_options,
                                          QueueArgs& out);

// The daemon's control socket: --socket PATH, else the base config's control_socket (or
// <runtime_dir>/control.sock), else /run/fleetclip/control.sock.
std::filesystem::path ControlSocketPath(const QueueArgs& args);

// Handles --help and usage errors the same way for every command; returns the exit code to use,
// or nullopt to go on.
std::optional<int> HandleUsage(const Command& cmd, std::optional<std::string> problem,
                               const QueueArgs& args, CommandContext& ctx);

// Opens the store: read-only (listings work while the daemon writes) or for one change (no
// recovery: that is the daemon's job at start). Prints the error and returns null on failure.
std::unique_ptr<queue::ClipStore> OpenStoreForCli(const QueueArgs& args, bool writable,
                                                  const Command& cmd, CommandContext& ctx);

// Prints "fleetclip NAME: <error>" and returns kExitFailure.
int Fail(const Command& cmd, CommandContext& ctx, const Error& error);

// "1.2 GiB", "640 B".
std::string HumanBytes(int64_t bytes);
// "2026-01-01T00:00:00.000Z" (UTC, so output does not depend on the machine's zone).
std::string IsoTime(int64_t unix_ms);
// A JSON string literal with escapes.
std::string JsonString(std::string_view s);
// One clip as a JSON object (events and files included when `full`).
std::string ClipJson(const queue::ClipRecord& c, bool full);

}  // namespace fleetclip::cli

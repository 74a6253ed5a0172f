// `fleetclip stats`: clips and bytes by state and by rule, the oldest clip waiting to upload, the
// counters (dropped for lack of space, evicted) and disk use against the quota.
#include <sys/statvfs.h>

#include <charconv>
#include <cstdio>

#include "cli/queue_cli.h"
#include "cli/queue_commands.h"
#include "cli/quota_in_force.h"

namespace fleetclip::cli {
namespace {

int RunStats(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--quota", "--socket"}, {}, a);
  int64_t quota = 0;
  if (!problem && !a.positional.empty())
    problem = "unexpected argument \"" + a.positional[0] + "\"";
  if (!problem && a.values.contains("--quota")) {
    const std::string& v = a.values["--quota"];
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), quota);
    if (ec != std::errc() || p != v.data() + v.size() || quota <= 0) {
      problem = "--quota must be a number of bytes above 0, got \"" + v + "\"";
    }
  }
  if (auto code = HandleUsage(kStatsCommand, problem, a, ctx)) return *code;
  QuotaInForce in_force{quota, "option", "--quota"};
  if (!a.values.contains("--quota")) in_force = FindQuotaInForce(a, ctx);
  quota = in_force.bytes;
  auto store = OpenStoreForCli(a, false, kStatsCommand, ctx);
  if (!store) return kExitFailure;
  auto st = store->GetStats();
  if (!st.ok()) return Fail(kStatsCommand, ctx, st.error());
  if (a.json) {
    std::string j = "{\"schema\":\"fleetclip.stats/1\",\"by_state\":{";
    for (size_t i = 0; i < st->by_state.size(); ++i) {
      const auto& [name, t] = st->by_state[i];
      j += (i ? "," : "") + JsonString(name) + ":{\"clips\":" + std::to_string(t.clips) +
           ",\"bytes\":" + std::to_string(t.bytes) +
           ",\"local_bytes\":" + std::to_string(t.local_bytes) + "}";
    }
    j += "},\"by_rule\":{";
    for (size_t i = 0; i < st->by_rule.size(); ++i) {
      const auto& [name, t] = st->by_rule[i];
      j += (i ? "," : "") + JsonString(name) + ":{\"clips\":" + std::to_string(t.clips) +
           ",\"bytes\":" + std::to_string(t.bytes) +
           ",\"local_bytes\":" + std::to_string(t.local_bytes) + "}";
    }
    j += "},\"oldest_waiting\":";
    if (st->oldest_waiting) {
      j += "{\"id\":" + JsonString(st->oldest_waiting->id) +
           ",\"created_unix_ms\":" + std::to_string(st->oldest_waiting->created_unix_ms) + "}";
    } else {
      j += "null";
    }
    j += ",\"local_bytes\":" + std::to_string(st->local_bytes) +
         ",\"quota_bytes\":" + std::to_string(quota) +
         ",\"quota_source\":" + JsonString(in_force.source) +
         ",\"dropped_no_space\":" + std::to_string(st->dropped_no_space) +
         ",\"evicted\":" + std::to_string(st->evicted) + "}\n";
    ctx.out << j;
    return kExitOk;
  }
  char line[256];
  std::string out;
  std::snprintf(line, sizeof line, "%-12s  %8s  %10s  %10s\n", "STATE", "CLIPS", "SIZE", "ON DISK");
  out += line;
  for (const auto& [name, t] : st->by_state) {
    std::snprintf(line, sizeof line, "%-12s  %8lld  %10s  %10s\n", name.c_str(),
                  static_cast<long long>(t.clips), HumanBytes(t.bytes).c_str(),
                  HumanBytes(t.local_bytes).c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "\n%-24s  %8s  %10s  %10s\n", "RULE", "CLIPS", "SIZE",
                "ON DISK");
  out += line;
  for (const auto& [name, t] : st->by_rule) {
    std::snprintf(line, sizeof line, "%-24s  %8lld  %10s  %10s\n", name.c_str(),
                  static_cast<long long>(t.clips), HumanBytes(t.bytes).c_str(),
                  HumanBytes(t.local_bytes).c_str());
    out += line;
  }
  out += "\noldest waiting:  ";
  out += st->oldest_waiting
             ? st->oldest_waiting->id + " (" + IsoTime(st->oldest_waiting->created_unix_ms) + ")\n"
             : std::string("none\n");
  std::snprintf(line, sizeof line, "disk use:        %s of %s quota (%.1f%%; ",
                HumanBytes(st->local_bytes).c_str(), HumanBytes(quota).c_str(),
                100.0 * static_cast<double>(st->local_bytes) / static_cast<double>(quota));
  out += line + in_force.description + ")\n";
  out += "dropped (space): " + std::to_string(st->dropped_no_space) + "\n";
  out += "evicted:         " + std::to_string(st->evicted) + "\n";
  ctx.out << out;
  return kExitOk;
}

}  // namespace

const Command kStatsCommand{
    "stats", "counts and bytes by state and rule, oldest waiting clip, disk use",
    "fleetclip stats [--quota BYTES] [--json] [--config PATH] [--socket PATH]\n"
    "                [--db PATH | --state-dir DIR]\n"
    "  --quota  the storage quota to compare disk use with; default: the one in force (the\n"
    "           running daemon's, else the kept fleet config's or the config's\n"
    "           storage.quota_bytes, else 21474836480)\n"
    "  --json   JSON (schema fleetclip.stats/1, docs/cli.md)\n",
    RunStats};

}  // namespace fleetclip::cli

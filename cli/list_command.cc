// `fleetclip list`: the newest clips first, filtered by state, rule and time, as a table or JSON.
#include <charconv>
#include <cstdio>

#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunList(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--state", "--rule", "--since", "--limit"}, {}, a);
  queue::ListFilter filter;
  if (!problem && !a.positional.empty())
    problem = "unexpected argument \"" + a.positional[0] + "\"";
  if (!problem && a.values.contains("--state")) {
    filter.state = queue::ParseClipState(a.values["--state"]);
    if (!filter.state) {
      problem = "--state must be one of ready, uploading, uploaded, failed, evicted, lost; got \"" +
                a.values["--state"] + "\"";
    }
  }
  if (!problem && a.values.contains("--limit")) {
    const std::string& v = a.values["--limit"];
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), filter.limit);
    if (ec != std::errc() || p != v.data() + v.size() || filter.limit < 0) {
      problem = "--limit must be a whole number >= 0 (0 = all), got \"" + v + "\"";
    }
  }
  if (!problem && a.values.contains("--since")) {
    const std::string& v = a.values["--since"];
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), filter.since_unix_ms);
    if (ec != std::errc() || p != v.data() + v.size()) {
      problem = "--since must be unix milliseconds, got \"" + v + "\"";
    }
  }
  if (a.values.contains("--rule")) filter.rule = a.values["--rule"];
  if (auto code = HandleUsage(kListCommand, problem, a, ctx)) return *code;

  auto store = OpenStoreForCli(a, false, kListCommand, ctx);
  if (!store) return kExitFailure;
  auto clips = store->List(filter);
  if (!clips.ok()) return Fail(kListCommand, ctx, clips.error());
  if (a.json) {
    std::string out = "{\"schema\":\"fleetclip.list/1\",\"clips\":[";
    for (size_t i = 0; i < clips->size(); ++i) {
      out += (i ? ",\n" : "\n") + ClipJson((*clips)[i], false);
    }
    ctx.out << out << "\n]}\n";
    return kExitOk;
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-36s  %-9s  %3s  %10s  %-24s  %s\n", "ID", "STATE", "PRI",
                "SIZE", "CREATED (UTC)", "RULES");
  std::string out = line;
  for (const auto& c : *clips) {
    std::snprintf(line, sizeof line, "%-36s  %-9s  %3d  %10s  %-24s  %s%s\n", c.id.c_str(),
                  std::string(queue::ClipStateName(c.state)).c_str(), c.priority,
                  HumanBytes(c.bytes).c_str(), IsoTime(c.created_unix_ms).c_str(), c.rules.c_str(),
                  c.pinned ? " (pinned)" : "");
    out += line;
  }
  ctx.out << out;
  return kExitOk;
}

}  // namespace

const Command kListCommand{
    "list", "list clips in the queue, newest first",
    "fleetclip list [--state STATE] [--rule RULE] [--since UNIX_MS] [--limit N] [--json]\n"
    "               [--db PATH | --state-dir DIR]\n"
    "  --state      ready, uploading, uploaded, failed, evicted or lost\n"
    "  --rule       clips with at least one event of this rule\n"
    "  --since      clips created at or after this time (unix ms)\n"
    "  --limit      at most N clips (default 50; 0 = all)\n"
    "  --json       JSON (schema fleetclip.list/1, docs/cli.md)\n"
    "  --db         the queue database (default $FLEETCLIP_STATE_DIR/queue.db or\n"
    "               /var/lib/fleetclip/queue.db); --state-dir names its folder instead\n",
    RunList};

}  // namespace fleetclip::cli

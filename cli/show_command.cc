// `fleetclip show ID`: one clip with its events and files.
#include <cmath>
#include <cstdio>

#include "cli/queue_cli.h"
#include "cli/queue_commands.h"

namespace fleetclip::cli {
namespace {

int RunShow(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {}, {}, a);
  if (!problem && a.positional.size() != 1) problem = "expected one clip ID";
  if (auto code = HandleUsage(kShowCommand, problem, a, ctx)) return *code;
  auto store = OpenStoreForCli(a, false, kShowCommand, ctx);
  if (!store) return kExitFailure;
  auto c = store->Get(a.positional[0]);
  if (!c.ok()) return Fail(kShowCommand, ctx, c.error());
  if (a.json) {
    ctx.out << "{\"schema\":\"fleetclip.show/1\",\"clip\":" << ClipJson(*c, true) << "}\n";
    return kExitOk;
  }
  std::string out;
  out += "id:           " + c->id + "\n";
  out += "state:        " + std::string(queue::ClipStateName(c->state)) +
         (c->pinned ? " (pinned)" : "") + "\n";
  out += "priority:     " + std::to_string(c->priority) + "\n";
  out += "size:         " + HumanBytes(c->bytes) + " (" + std::to_string(c->bytes) + " bytes, " +
         std::to_string(c->local_bytes) + " on disk)\n";
  out += "created:      " + IsoTime(c->created_unix_ms) + "\n";
  out += "window:       " + IsoTime(c->window_start_unix_ms) + " + " +
         std::to_string(c->duration_ms) + " ms\n";
  out += "attempts:     " + std::to_string(c->attempts) + "\n";
  if (c->next_attempt_unix_ms > 0)
    out += "next attempt: " + IsoTime(c->next_attempt_unix_ms) + "\n";
  if (!c->last_error.empty()) out += "last error:   " + c->last_error + "\n";
  out += "events:\n";
  char line[512];
  for (const auto& e : c->events) {
    std::snprintf(line, sizeof line, "  %-24s  %-16s  %-6s  pri %3d  peak %s%s%s\n",
                  IsoTime(e.fired_unix_ms).c_str(), e.rule.c_str(), e.source.c_str(), e.priority,
                  std::isfinite(e.peak) ? std::to_string(e.peak).c_str() : "-",
                  e.tag.empty() ? "" : ("  tag " + e.tag).c_str(),
                  e.window_shortened ? "  (window shortened)" : "");
    out += line;
  }
  out += "files:\n";
  for (const auto& f : c->files) {
    std::snprintf(line, sizeof line, "  %-20s  %10s  %s%s\n", f.name.c_str(),
                  HumanBytes(f.bytes).c_str(), f.sha256_hex.c_str(),
                  f.uploaded ? "  uploaded" : "");
    out += line;
  }
  ctx.out << out;
  return kExitOk;
}

}  // namespace

const Command kShowCommand{"show", "show one clip: events, files, upload state",
                           "fleetclip show ID [--json] [--db PATH | --state-dir DIR]\n"
                           "  --json  JSON (schema fleetclip.show/1, docs/cli.md)\n",
                           RunShow};

}  // namespace fleetclip::cli

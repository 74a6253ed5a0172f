// Shared parsing, store opening and formatting for the queue commands. See cli/queue_cli.h.
#include "cli/queue_cli.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/config_file.h"

namespace fleetclip::cli {
namespace fs = std::filesystem;

std::optional<std::string> ParseQueueArgs(std::span<const std::string_view> args,
                                          std::initializer_list<std::string_view> value_options,
                                          std::initializer_list<std::string_view> flag_options,
                                          QueueArgs& out) {
  bool explicit_dir = false;
  fs::path config_path = DefaultConfigPath();
  auto in = [](std::initializer_list<std::string_view> list, std::string_view a) {
    for (auto x : list) {
      if (x == a) return true;
    }
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--help" || a == "-h") {
      out.help = true;
    } else if (a == "--json") {
      out.json = true;
    } else if (a == "--db" || a == "--state-dir" || a == "--config" || in(value_options, a)) {
      if (i + 1 >= args.size()) return std::string(a) + " needs a value";
      const std::string_view v = args[++i];
      if (a == "--db") {
        const fs::path db(v);
        if (db.filename() != "queue.db")
          return "--db must name a queue.db file, got \"" + std::string(v) + "\"";
        out.state_dir = db.parent_path().empty() ? fs::path(".") : db.parent_path();
        explicit_dir = true;
      } else if (a == "--state-dir") {
        out.state_dir = fs::path(v);
        explicit_dir = true;
      } else if (a == "--config") {
        config_path = fs::path(v);
      } else {
        out.values[std::string(a)] = std::string(v);
      }
    } else if (in(flag_options, a)) {
      out.flags.insert(std::string(a));
    } else if (a.starts_with("-") && a.size() > 1) {
      return "unknown option \"" + std::string(a) + "\"";
    } else {
      out.positional.emplace_back(a);
    }
  }
  out.config_path = config_path;
  if (explicit_dir || out.help) return std::nullopt;
  // Where the daemon keeps it: $FLEETCLIP_STATE_DIR, else the base config's state_dir, else the
  // default.
  const char* env = std::getenv("FLEETCLIP_STATE_DIR");
  if (env != nullptr && *env != '\0') {
    out.state_dir = fs::path(env);
    return std::nullopt;
  }
  out.state_dir = fs::path(kDefaultStateDir);
  Result<proto::BaseConfig> config = ReadBaseConfig(config_path);
  if (!config.ok()) {
    if (config.error().code() == ErrorCode::kNotFound) return std::nullopt;
    return config.error().message();
  }
  if (!config->state_dir().empty()) out.state_dir = fs::path(config->state_dir());
  return std::nullopt;
}

std::filesystem::path ControlSocketPath(const QueueArgs& a) {
  if (auto it = a.values.find("--socket"); it != a.values.end()) return it->second;
  if (Result<proto::BaseConfig> c = ReadBaseConfig(a.config_path); c.ok()) {
    if (!c->control_socket().empty()) return c->control_socket();
    if (!c->runtime_dir().empty()) return fs::path(c->runtime_dir()) / "control.sock";
  }
  return fs::path("/run/fleetclip/control.sock");
}

std::optional<int> HandleUsage(const Command& cmd, std::optional<std::string> problem,
                               const QueueArgs& args, CommandContext& ctx) {
  if (args.help) {
    ctx.out << "usage: " << cmd.usage;
    return kExitOk;
  }
  if (problem) {
    ctx.err << "fleetclip " << cmd.name << ": " << *problem << "\nusage: " << cmd.usage;
    return kExitUsage;
  }
  return std::nullopt;
}

std::unique_ptr<queue::ClipStore> OpenStoreForCli(const QueueArgs& args, bool writable,
                                                  const Command& cmd, CommandContext& ctx) {
  queue::StoreOptions o;
  o.state_dir = args.state_dir;
  o.read_only = !writable;
  o.recover = false;
  o.reserve_bytes = 0;
  o.file_system = ctx.file_system;
  if (writable && !fs::exists(args.state_dir / "queue.db")) {
    Fail(cmd, ctx,
         Error(ErrorCode::kNotFound,
               "no queue database at " + (args.state_dir / "queue.db").string()));
    return nullptr;
  }
  auto store = queue::ClipStore::Open(o, ctx.clock, ctx.log);
  if (!store.ok()) {
    Fail(cmd, ctx, store.error());
    return nullptr;
  }
  return std::move(*store);
}

int Fail(const Command& cmd, CommandContext& ctx, const Error& error) {
  ctx.err << "fleetclip " << cmd.name << ": " << error.ToString() << "\n";
  return kExitFailure;
}

std::string HumanBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (std::fabs(v) >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  }
  return buf;
}

std::string IsoTime(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  return buf;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {
std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string ClipJson(const queue::ClipRecord& c, bool full) {
  std::string j =
      "{\"id\":" + JsonString(c.id) + ",\"state\":" + JsonString(queue::ClipStateName(c.state)) +
      ",\"priority\":" + std::to_string(c.priority) + ",\"bytes\":" + std::to_string(c.bytes) +
      ",\"local_bytes\":" + std::to_string(c.local_bytes) +
      ",\"created\":" + JsonString(IsoTime(c.created_unix_ms)) +
      ",\"created_unix_ms\":" + std::to_string(c.created_unix_ms) +
      ",\"window_start_unix_ms\":" + std::to_string(c.window_start_unix_ms) +
      ",\"duration_ms\":" + std::to_string(c.duration_ms) +
      ",\"attempts\":" + std::to_string(c.attempts) +
      ",\"next_attempt_unix_ms\":" + std::to_string(c.next_attempt_unix_ms) +
      ",\"last_error\":" + JsonString(c.last_error) +
      ",\"pinned\":" + (c.pinned ? "true" : "false") + ",\"rules\":[";
  size_t start = 0;
  bool first = true;
  while (start < c.rules.size()) {
    size_t end = c.rules.find(',', start);
    if (end == std::string::npos) end = c.rules.size();
    j += (first ? "" : ",") + JsonString(std::string_view(c.rules).substr(start, end - start));
    first = false;
    start = end + 1;
  }
  j += "]";
  if (full) {
    j += ",\"events\":[";
    for (size_t i = 0; i < c.events.size(); ++i) {
      const auto& e = c.events[i];
      j += std::string(i ? "," : "") + "{\"rule\":" + JsonString(e.rule) +
           ",\"source\":" + JsonString(e.source) + ",\"trigger_id\":" + JsonString(e.trigger_id) +
           ",\"fired\":" + JsonString(IsoTime(e.fired_unix_ms)) +
           ",\"fired_unix_ms\":" + std::to_string(e.fired_unix_ms) +
           ",\"priority\":" + std::to_string(e.priority) + ",\"peak\":" + JsonNumber(e.peak) +
           ",\"tier\":" + JsonString(e.tier) + ",\"tag\":" + JsonString(e.tag) +
           ",\"note\":" + JsonString(e.note) +
           ",\"window_shortened\":" + (e.window_shortened ? "true" : "false") + "}";
    }
    j += "],\"files\":[";
    for (size_t i = 0; i < c.files.size(); ++i) {
      const auto& f = c.files[i];
      j += std::string(i ? "," : "") + "{\"name\":" + JsonString(f.name) +
           ",\"bytes\":" + std::to_string(f.bytes) + ",\"sha256\":" + JsonString(f.sha256_hex) +
           ",\"uploaded\":" + (f.uploaded ? "true" : "false") + "}";
    }
    j += "]";
  }
  return j + "}";
}

}  // namespace fleetclip::cli

// `fleetclip status | trigger | reload | upload-now`: one request on the control socket each.
#include "cli/daemon_commands.h"

#include <charconv>
#include <cstdio>
#include <map>

#include <google/protobuf/util/json_util.h>

#include "cli/can_status.h"
#include "cli/queue_cli.h"
#include "daemon/control_protocol.h"

namespace fleetclip::cli {
namespace {

// Sends `request`; prints the failure and returns nullopt when the call or the daemon failed.
std::optional<proto::ControlResponse> Call(const Command& cmd, const QueueArgs& a,
                                           const proto::ControlRequest& request,
                                           CommandContext& ctx) {
  Result<proto::ControlResponse> r =
      daemon::CallControl(ControlSocketPath(a), request, kControlTimeout);
  if (!r.ok()) {
    Fail(cmd, ctx, r.error());
    return std::nullopt;
  }
  if (!r->ok()) {
    ctx.err << "fleetclip " << cmd.name << ": the daemon refused: " << r->error() << "\n";
    return std::nullopt;
  }
  return *r;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void PrintStatus(const proto::DaemonStatus& s, std::ostream& out) {
  out << "fleetclipd " << s.software_version() << " on " << s.vehicle_id() << ": " << s.state()
      << "\n";
  out << "config:  "
      << (s.config_version() == 0 ? std::string("base config only (no fleet config applied)")
                                  : "fleet config v" + std::to_string(s.config_version()))
      << "\n";
  if (!s.last_config_rejection().empty()) {
    out << "         last rejection: " << s.last_config_rejection() << "\n";
  }
  if (s.awaiting_restart_size() > 0) {
    out << "         waiting for a restart (changed in the file, running as at start): ";
    for (int i = 0; i < s.awaiting_restart_size(); ++i)
      out << (i ? ", " : "") << s.awaiting_restart(i);
    out << "\n";
  }
  out << "cameras:\n";
  for (const proto::CameraStatus& c : s.cameras()) {
    char line[512];
    std::snprintf(
        line, sizeof line,
        "  %-12s %-12s %5.1f fps %7s/s  packets %lld  dropped %lld  reopens %lld  "
        "ring %.1f s %s\n",
        c.name().c_str(), c.connected() ? "connected" : "disconnected", c.fps(),
        (Fixed(c.bitrate_bps() / 1e6, 1) + " Mbit").c_str(), static_cast<long long>(c.packets()),
        static_cast<long long>(c.dropped_packets()), static_cast<long long>(c.reopens()),
        static_cast<double>(c.ring_duration_ms()) / 1000.0, HumanBytes(c.ring_bytes()).c_str());
    out << line;
    if (!c.last_error().empty()) out << "               last error: " << c.last_error() << "\n";
  }
  out << "signals: " << Fixed(s.signal_rate_hz(), 1) << " Hz, " << s.signal_frames_dropped()
      << " datagrams dropped\n";
  for (const proto::ProducerStatus& p : s.producers()) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "  producer %-16s %6.1f Hz  accepted %llu  dropped: duplicate %llu, out_of_order "
                  "%llu, late %llu  gaps %llu  last seen %.1f s ago\n",
                  p.name().empty() ? "(unnamed)" : p.name().c_str(), p.rate_hz(),
                  static_cast<unsigned long long>(p.accepted()),
                  static_cast<unsigned long long>(p.dropped_duplicate()),
                  static_cast<unsigned long long>(p.dropped_out_of_order()),
                  static_cast<unsigned long long>(p.dropped_late()),
                  static_cast<unsigned long long>(p.seq_gaps()),
                  static_cast<double>(p.last_seen_age_ms()) / 1000.0);
    out << line;
  }
  PrintCanBuses(s, out);
  out << "rules:   ";
  for (int i = 0; i < s.rules_size(); ++i) out << (i ? ", " : "") << s.rules(i);
  out << "\n";
  const std::map<std::string, int64_t> clips(s.queue().clips_by_state().begin(),
                                             s.queue().clips_by_state().end());
  const std::map<std::string, int64_t> bytes(s.queue().bytes_by_state().begin(),
                                             s.queue().bytes_by_state().end());
  out << "queue:  ";
  bool any = false;
  for (const auto& [state, n] : clips) {
    if (n == 0) continue;
    out << " " << n << " " << state << " (" << HumanBytes(bytes.count(state) ? bytes.at(state) : 0)
        << ")";
    any = true;
  }
  if (!any) out << " empty";
  out << "; " << HumanBytes(s.queue().used_bytes()) << " on disk of a "
      << HumanBytes(s.queue().quota_bytes()) << " quota";
  if (s.queue().oldest_waiting_age_s() > 0) {
    out << "; oldest waiting " << s.queue().oldest_waiting_age_s() << " s";
  }
  out << "\nupload:  " << s.upload_decision() << "\n";
}

int RunStatus(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--socket"}, {}, a);
  if (!problem && !a.positional.empty())
    problem = "unexpected argument \"" + a.positional[0] + "\"";
  if (auto code = HandleUsage(kStatusCommand, problem, a, ctx)) return *code;
  proto::ControlRequest req;
  req.set_status(true);
  auto r = Call(kStatusCommand, a, req, ctx);
  if (!r) return kExitFailure;
  if (a.json) {
    // The protobuf JSON mapping of DaemonStatus (proto/control.proto), field names as there.
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    if (auto st = google::protobuf::util::MessageToJsonString(r->status(), &json, options);
        !st.ok()) {
      return Fail(kStatusCommand, ctx, Error(ErrorCode::kInternal, std::string(st.message())));
    }
    ctx.out << json << "\n";
    return kExitOk;
  }
  PrintStatus(r->status(), ctx.out);
  return kExitOk;
}

std::optional<std::string> ParseSeconds(const QueueArgs& a, std::string_view option, int64_t& ms) {
  auto it = a.values.find(option);
  if (it == a.values.end()) return std::nullopt;
  double seconds = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), seconds);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || seconds <= 0 ||
      seconds > 600) {
    return std::string(option) + " must be seconds in (0, 600], got \"" + it->second + "\"";
  }
  ms = static_cast<int64_t>(seconds * 1000);
  return std::nullopt;
}

int RunTrigger(std::span<const std::string_view> args, CommandContext& ctx) {
  QueueArgs a;
  auto problem = ParseQueueArgs(
      args, {"--socket", "--rule", "--note", "--priority", "--pre", "--post"}, {}, a);
  if (!problem && !a.positional.empty())
    problem = "unexpected argument \"" + a.positional[0] + "\"";
  proto::ControlRequest req;
  proto::TriggerRequest* t = req.mutable_trigger();
  t->set_rule(a.values.contains("--rule") ? a.values["--rule"] : "manual");
  if (a.values.contains("--note")) t->set_note(a.values["--note"]);
  if (!problem && a.values.contains("--priority")) {
    const std::string& v = a.values["--priority"];
    int p = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), p);
    if (ec != std::errc() || end != v.data() + v.size() || p < 1 || p > 100) {
      problem = "--priority must be a whole number 1..100, got \"" + v + "\"";
    }
    t->set_priority(p);
  }
  int64_t pre = 0, post = 0;
  if (!problem) problem = ParseSeconds(a, "--pre", pre);
  if (!problem) problem = ParseSeconds(a, "--post", post);
  t->set_pre_roll_ms(pre);
  t->set_post_roll_ms(post);
  if (auto code = HandleUsage(kTriggerCommand, problem, a, ctx)) return *code;
  auto r = Call(kTriggerCommand, a, req, ctx);
  if (!r) return kExitFailure;
  ctx.out << "clip scheduled: " << r->clip_window()
          << " (written once the post-roll has passed; see fleetclip list)\n";
  return kExitOk;
}

int RunSimple(const Command& cmd, std::span<const std::string_view> args, CommandContext& ctx,
              proto::ControlRequest req, std::string_view done) {
  QueueArgs a;
  auto problem = ParseQueueArgs(args, {"--socket"}, {}, a);
  if (!problem && !a.positional.empty())
    problem = "unexpected argument \"" + a.positional[0] + "\"";
  if (auto code = HandleUsage(cmd, problem, a, ctx)) return *code;
  if (!Call(cmd, a, req, ctx)) return kExitFailure;
  ctx.out << done << "\n";
  return kExitOk;
}

int RunReload(std::span<const std::string_view> args, CommandContext& ctx) {
  proto::ControlRequest req;
  req.set_reload(true);
  return RunSimple(kReloadCommand, args, ctx, req, "reloaded");
}

int RunUploadNow(std::span<const std::string_view> args, CommandContext& ctx) {
  proto::ControlRequest req;
  req.set_upload_now(true);
  return RunSimple(kUploadNowCommand, args, ctx, req,
                   "upload pass requested (window and parking lifted for it; link rules hold)");
}

}  // namespace

const Command kStatusCommand{
    "status", "what the running daemon is doing: cameras, signals, rules, queue, upload, config",
    "fleetclip status [--socket PATH | --config FILE] [--json]\n"
    "  Asks fleetclipd over its control socket. Exit 1 when the daemon cannot be reached.\n",
    RunStatus};

const Command kTriggerCommand{
    "trigger", "cut a clip around now (manual trigger)",
    "fleetclip trigger [--note TEXT] [--priority 1..100] [--pre SECONDS] [--post SECONDS]\n"
    "                  [--rule NAME] [--socket PATH | --config FILE]\n"
    "  Defaults: priority 50, 30 s before and 10 s after now.\n",
    RunTrigger};

const Command kReloadCommand{"reload", "re-read the base config and the fleet config (like SIGHUP)",
                             "fleetclip reload [--socket PATH | --config FILE]\n", RunReload};

const Command kUploadNowCommand{
    "upload-now", "run an upload pass now, ignoring the time window and parking",
    "fleetclip upload-now [--socket PATH | --config FILE]\n", RunUploadNow};

}  // namespace fleetclip::cli

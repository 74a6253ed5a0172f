// Control request first when a daemon holds the writer lock, else the change applied here under
// it; see cli/clip_change.h.
#include "cli/clip_change.h"

#include "cli/daemon_commands.h"
#include "daemon/control_actions.h"
#include "daemon/control_protocol.h"
#include "queue/writer_lock.h"

namespace fleetclip::cli {

std::optional<ClipChange> ApplyClipChange(const Command& cmd, const QueueArgs& args,
                                          const proto::ClipRequest& request, CommandContext& ctx) {
  const std::filesystem::path db = args.state_dir / "queue.db";
  if (!std::filesystem::exists(db)) {
    Fail(cmd, ctx, Error(ErrorCode::kNotFound, "no queue database at " + db.string()));
    return std::nullopt;
  }
  Result<queue::WriterLock> lock =
      queue::WriterLock::TryAcquire(args.state_dir, "fleetclip " + std::string(cmd.name));
  if (lock.ok()) {
    // No daemon holds the state directory: change queue.db here, holding the lock until done.
    auto store = OpenStoreForCli(args, true, cmd, ctx);
    if (!store) return std::nullopt;
    proto::ControlResponse r = daemon::ApplyClipRequest(request, *store, ctx.log);
    if (!r.ok()) {
      ctx.err << "fleetclip " << cmd.name << ": " << r.error() << "\n";
      return std::nullopt;
    }
    return ClipChange{r.clips_changed(), false};
  }
  // A daemon (or another CLI) holds it, or the lock file cannot be opened: ask the daemon.
  const std::filesystem::path socket = ControlSocketPath(args);
  proto::ControlRequest call;
  *call.mutable_clip() = request;
  Result<proto::ControlResponse> r = daemon::CallControl(socket, call, kControlTimeout);
  if (!r.ok()) {
    ctx.err << "fleetclip " << cmd.name << ": ";
    if (lock.error().code() == ErrorCode::kUnavailable) {
      ctx.err << lock.error().message() << ", but no daemon answers on " << socket.string() << " ("
              << r.error().message()
              << "); queue.db was not changed. If fleetclipd is starting, try again; with another "
                 "socket, pass --socket PATH or --config FILE\n";
    } else {
      ctx.err << "cannot take the writer lock (" << lock.error().ToString()
              << ") and no daemon answers on " << socket.string() << " (" << r.error().message()
              << "); queue.db was not changed\n";
    }
    return std::nullopt;
  }
  if (!r->ok()) {
    ctx.err << "fleetclip " << cmd.name << ": fleetclipd refused: " << r->error() << "\n";
    return std::nullopt;
  }
  return ClipChange{r->clips_changed(), true};
}

std::string_view AppliedBy(const ClipChange& change) {
  return change.by_daemon ? "" : " (no fleetclipd running: queue.db changed directly)";
}

std::string AppliedByJson(const ClipChange& change) {
  return std::string("\"applied_by\":") + (change.by_daemon ? "\"fleetclipd\"" : "\"fleetclip\"");
}

}  // namespace fleetclip::cli

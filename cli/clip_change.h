// The one path of every changing queue command (pin, unpin, retry, delete; DESIGN.md §10): while
// fleetclipd runs it is the only writer of queue.db, so the change is a request on its control
// socket; only when no daemon holds the state directory's writer lock (queue/writer_lock.h) does
// the CLI apply the change itself, holding that lock, so a daemon starting meanwhile waits.
//
// The cases, each with its own message: the daemon applied it; the daemon refused it (its reason,
// e.g. "clip X is uploading"); no daemon runs and the CLI applied it; the lock is held but no
// daemon answers on the socket (a daemon starting, or another CLI).
#pragma once

#include <optional>

#include "cli/command.h"
#include "cli/queue_cli.h"
#include "proto/control.pb.h"

namespace fleetclip::cli {

struct ClipChange {
  int clips_changed = 0;
  bool by_daemon = false;  // applied by fleetclipd; false: by this CLI under the writer lock
};

// Applies `request` as above. Prints the failure ("fleetclip NAME: …") and returns nullopt when
// it was not applied.
std::optional<ClipChange> ApplyClipChange(const Command& cmd, const QueueArgs& args,
                                          const proto::ClipRequest& request, CommandContext& ctx);

// " (no fleetclipd running: queue.db changed directly)" for a change the CLI applied itself, ""
// for one the daemon applied: the suffix of every human-readable result line.
std::string_view AppliedBy(const ClipChange& change);
// The JSON field `"applied_by":"fleetclipd"` or `"applied_by":"fleetclip"`, without braces.
std::string AppliedByJson(const ClipChange& change);

}  // namespace fleetclip::cli

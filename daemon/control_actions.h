// The clip changes of the control socket (pin, unpin, retry, delete: proto ClipRequest) applied to
// a ClipStore. fleetclipd applies them on its own store when the CLI asks (DESIGN.md §10: while it
// runs it is the only writer of queue.db); the CLI applies the same function itself, under the
// writer lock, only when no daemon holds that lock. One implementation, so both paths refuse with
// the same words: "no clip X", "clip X is pinned", "clip X is uploading".
#pragma once

#include "common/log.h"
#include "proto/control.pb.h"
#include "queue/clip_store.h"

namespace fleetclip::daemon {

// Applies `request` to `store`. ok with clips_changed set, or not ok with the reason in error.
// Thread-safe as the store is.
proto::ControlResponse ApplyClipRequest(const proto::ClipRequest& request, queue::ClipStore& store,
                                        const Logger& log);

}  // namespace fleetclip::daemon

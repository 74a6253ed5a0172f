// ClipRequest → ClipStore; see daemon/control_actions.h.
#include "daemon/control_actions.h"

namespace fleetclip::daemon {
namespace {

proto::ControlResponse Refused(std::string reason) {
  proto::ControlResponse r;
  r.set_error(std::move(reason));
  return r;
}

proto::ControlResponse Changed(int clips) {
  proto::ControlResponse r;
  r.set_ok(true);
  r.set_clips_changed(clips);
  return r;
}

}  // namespace

proto::ControlResponse ApplyClipRequest(const proto::ClipRequest& request, queue::ClipStore& store,
                                        const Logger& log) {
  const std::string& id = request.clip_id();
  const bool all = request.action() == proto::ClipRequest::RETRY && request.all_failed();
  if (all && !id.empty()) return Refused("clip_id must be empty with all_failed");
  if (!all && id.empty()) return Refused("clip_id is empty");
  if (request.all_failed() && request.action() != proto::ClipRequest::RETRY) {
    return Refused("all_failed is for RETRY only");
  }
  Status done = Ok();
  int changed = 1;
  switch (request.action()) {
    case proto::ClipRequest::PIN:
      done = store.SetPinned(id, true);
      break;
    case proto::ClipRequest::UNPIN:
      done = store.SetPinned(id, false);
      break;
    case proto::ClipRequest::RETRY: {
      Result<int> n = all ? store.RetryAllFailed() : store.Retry(id);
      if (n.ok()) changed = *n;
      done = n.ok() ? Ok() : Status(n.error());
      break;
    }
    case proto::ClipRequest::DELETE:
      done = store.Delete(id);
      break;
    default:
      return Refused("unknown clip action " + std::to_string(request.action()));
  }
  const std::string action = proto::ClipRequest::Action_Name(request.action());
  if (!done.ok()) {
    log.Info("clip_request_refused",
             {{"action", action}, {"clip", id}, {"reason", done.error().message()}});
    return Refused(done.error().message());
  }
  log.Notice("clip_request",
             {{"action", action}, {"clip", all ? "all failed" : id}, {"clips", changed}});
  return Changed(changed);
}

}  // namespace fleetclip::daemon

// The drain of pending multipart aborts; see uploader/abort_drain.h.
#include "uploader/abort_drain.h"

#include "uploader/uploader.h"

namespace fleetclip::uploader {

Result<AbortDrainResult> DrainPendingAborts(AbortQueue& queue, Transport& transport,
                                            std::string_view prefix, std::string_view vehicle,
                                            const Logger& log, int limit) {
  Result<std::vector<PendingUploadAbort>> pending = queue.PendingAborts(limit);
  if (!pending.ok()) return pending.error();
  AbortDrainResult result;
  for (size_t i = 0; i < pending->size(); ++i) {
    const PendingUploadAbort& a = (*pending)[i];
    const std::string key = ObjectKey(prefix, vehicle, a.captured_at, a.clip_id, a.file);
    Status s = transport.AbortUpload(key, a.upload_id);
    if (!s.ok() && s.error().retryable()) {
      result.waiting = static_cast<int>(pending->size() - i);
      log.Warn("upload_abort_waiting", {{"clip", a.clip_id},
                                        {"key", key},
                                        {"pending", result.waiting},
                                        {"error", s.error().ToString()}});
      return result;
    }
    if (s.ok()) {
      ++result.aborted;
      log.Notice("upload_aborted", {{"clip", a.clip_id}, {"key", key}, {"upload_id", a.upload_id}});
    } else {
      ++result.dropped;
      log.Error("upload_abort_refused", {{"clip", a.clip_id},
                                         {"key", key},
                                         {"upload_id", a.upload_id},
                                         {"error", s.error().ToString()}});
    }
    if (Status f = queue.ForgetPendingAbort(a); !f.ok()) return f.error();
  }
  return result;
}

}  // namespace fleetclip::uploader

// Aborting the multipart uploads that deleted and evicted clips left open (DESIGN.md §10): a
// removal records each open upload in the AbortQueue in the same transaction that marks the clip,
// and the upload thread drains that queue before each pass, calling the transport's
// AbortUpload() with the object key the upload used. An abort the target could not be reached
// for (link down, 5xx) stays queued and ends the drain until the next pass; one the target
// refused for good (e.g. AccessDenied) is logged and forgotten, since repeating it cannot help
// (a bucket lifecycle rule for incomplete uploads is the backstop). Upload thread only.
#pragma once

#include <string_view>

#include "common/log.h"
#include "uploader/transport.h"
#include "uploader/upload_journal.h"

namespace fleetclip::uploader {

struct AbortDrainResult {
  int aborted = 0;  // confirmed gone on the target
  int dropped = 0;  // refused for good, forgotten with an error in the log
  int waiting = 0;  // kept for the next pass (the target was not reachable)
};

// Drains at most `limit` pending aborts; keys are ObjectKey(prefix, vehicle, …) as at upload.
// Fails only when the queue itself cannot be read or written.
Result<AbortDrainResult> DrainPendingAborts(AbortQueue& queue, Transport& transport,
                                            std::string_view prefix, std::string_view vehicle,
                                            const Logger& log, int limit = 64);

}  // namespace fleetclip::uploader

// The one interface every upload target implements (S3, HTTP PUT, file://). A transport puts one
// local file under one object key, resuming from and recording into the UploadJournal where it can.
// Errors come back classified through their code: retryable codes (kUnavailable, kTimeout) mean
// "back off and try again" (expired credentials were already refreshed); any other code is
// permanent and the clip is marked failed with the message.
#pragma once

#include <atomic>
#include <cstdint>
#include <stop_token>
#include <string>

#include "common/result.h"
#include "uploader/upload_journal.h"

namespace fleetclip::uploader {

// Counters for tests, status and benchmarks. Updated from worker threads.
struct TransferStats {
  std::atomic<int64_t> parts_sent{0};     // part (or whole-object) requests started
  std::atomic<int64_t> parts_resumed{0};  // parts found on the server and not sent again
  std::atomic<int64_t> bytes_sent{0};     // payload bytes of successful requests
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Uploads `file` as `key`. Called by one thread at a time (the upload thread); a transport may
  // use worker threads inside the call. Returns once the object is confirmed on the target.
  virtual Status PutFile(const std::string& clip_id, const LocalFile& file, const std::string& key,
                         UploadJournal& journal, std::stop_token stop) = 0;
  virtual const TransferStats& stats() const = 0;
  // Aborts the multipart upload `upload_id` of `key` on the target, so the server drops the parts
  // it holds (a clip deleted or evicted before its upload finished). Ok also when the target no
  // longer knows the upload; a retryable code when it could not be reached (the caller keeps the
  // abort and tries again). Upload thread only. Transports without multipart uploads have none.
  virtual Status AbortUpload(const std::string& key, const std::string& upload_id) {
    (void)key;
    (void)upload_id;
    return Ok();
  }
};

}  // namespace fleetclip::uploader

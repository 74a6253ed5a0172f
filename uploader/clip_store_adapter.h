// queue/ClipStore as the uploader's UploadQueue and UploadJournal: the SQLite queue of DESIGN.md §6
// (thread-safe, durable on return). Candidate files live in the store's clip folder; the vehicle id
// comes from the base config, the object date from the clip window's wall start.
#pragma once

#include <string>

#include "queue/clip_store.h"
#include "uploader/upload_journal.h"

namespace fleetclip::uploader {

class ClipStoreAdapter final : public UploadQueue,
                               public UploadJournal,
                               public CounterStore,
                               public AbortQueue {
 public:
  // `store` must outlive the adapter.
  ClipStoreAdapter(queue::ClipStore& store, std::string vehicle_id)
      : store_(store), vehicle_id_(std::move(vehicle_id)) {}

  Result<std::vector<UploadCandidate>> UploadCandidates(WallTime now, int limit) override;
  Status MarkUploading(const std::string& clip_id) override {
    return store_.MarkUploading(clip_id);
  }
  Status MarkUploaded(const std::string& clip_id) override { return store_.MarkUploaded(clip_id); }
  Status ScheduleRetry(const std::string& clip_id, WallTime next_attempt,
                       const std::string& error) override {
    return store_.ScheduleRetry(clip_id, next_attempt, error);
  }
  Status MarkFailed(const std::string& clip_id, const std::string& reason) override {
    return store_.MarkFailed(clip_id, reason);
  }
  Result<int64_t> ShiftRetryDeadlines(Nanos by, WallTime now, Nanos max_wait) override {
    return store_.ShiftRetryDeadlines(by, now, max_wait);
  }

  Result<FileUploadState> GetUploadState(const std::string& clip_id,
                                         const std::string& file) override;
  Status SetUploadId(const std::string& clip_id, const std::string& file,
                     const std::string& upload_id, int64_t part_size_bytes) override {
    return store_.SetUploadId(clip_id, file, upload_id, part_size_bytes);
  }
  Status AddUploadedPart(const std::string& clip_id, const std::string& file,
                         const UploadedPart& part) override {
    return store_.AddUploadedPart(clip_id, file, part.part_number, part.bytes, part.etag);
  }
  Status MarkFileUploaded(const std::string& clip_id, const std::string& file) override {
    return store_.MarkFileUploaded(clip_id, file);
  }
  Status ClearUploadState(const std::string& clip_id, const std::string& file) override {
    return store_.ClearUploadState(clip_id, file);
  }

  Result<std::vector<PendingUploadAbort>> PendingAborts(int limit) override;
  Status ForgetPendingAbort(const PendingUploadAbort& abort) override;

  Result<int64_t> Counter(const std::string& name) override { return store_.Counter(name); }
  Status IncrementCounter(const std::string& name, int64_t by) override {
    return store_.IncrementCounter(name, by);
  }

 private:
  queue::ClipStore& store_;
  std::string vehicle_id_;
};

}  // namespace fleetclip::uploader

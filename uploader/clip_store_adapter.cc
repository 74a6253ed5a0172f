// ClipStore → UploadQueue/UploadJournal mapping (clip_store_adapter.h).
#include "uploader/clip_store_adapter.h"

namespace fleetclip::uploader {

Result<std::vector<UploadCandidate>> ClipStoreAdapter::UploadCandidates(WallTime now, int limit) {
  Result<std::vector<queue::ClipRecord>> records = store_.UploadCandidates(now, limit);
  if (!records.ok()) return records.error();
  std::vector<UploadCandidate> out;
  for (const queue::ClipRecord& r : *records) {
    UploadCandidate c;
    c.clip_id = r.id;
    c.vehicle_id = vehicle_id_;
    c.priority = r.priority;
    c.captured_at = WallTime(std::chrono::milliseconds(r.window_start_unix_ms));
    c.attempts = r.attempts;
    for (const queue::FileRecord& f : r.files) {
      c.files.push_back({f.name, store_.ClipDir(r.id) / f.name, f.bytes, f.sha256_hex, f.uploaded,
                         f.md5_part_size, f.part_md5_hex});
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<FileUploadState> ClipStoreAdapter::GetUploadState(const std::string& clip_id,
                                                         const std::string& file) {
  Result<queue::UploadState> s = store_.GetUploadState(clip_id, file);
  if (!s.ok()) return s.error();
  FileUploadState out;
  out.upload_id = s->upload_id;
  out.part_size_bytes = s->part_size;
  for (const queue::UploadedPart& p : s->parts)
    out.parts.push_back({p.part_number, p.bytes, p.etag});
  return out;
}

Result<std::vector<PendingUploadAbort>> ClipStoreAdapter::PendingAborts(int limit) {
  Result<std::vector<queue::PendingAbort>> rows = store_.PendingAborts(limit);
  if (!rows.ok()) return rows.error();
  std::vector<PendingUploadAbort> out;
  for (const queue::PendingAbort& a : *rows) {
    out.push_back({a.clip_id, a.file, a.upload_id,
                   WallTime(std::chrono::milliseconds(a.window_start_unix_ms))});
  }
  return out;
}

Status ClipStoreAdapter::ForgetPendingAbort(const PendingUploadAbort& abort) {
  const int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(abort.captured_at.time_since_epoch())
          .count();
  return store_.ForgetPendingAbort({abort.clip_id, abort.file, abort.upload_id, ms});
}

}  // namespace fleetclip::uploader

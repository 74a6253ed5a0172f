// ClipStore: the uploader's side of the contract (uploader/ calls these): candidates in upload
// order, state transitions, and per-file multipart resume state.
#include <string>

#include "queue/clip_store.h"
#include "queue/clip_store_impl.h"

namespace fleetclip::queue {
Result<std::vector<ClipRecord>> ClipStore::UploadCandidates(WallTime now, int limit) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(std::string("SELECT ") + kClipColumns +
                               " FROM clips WHERE state='ready' AND deleting=0 AND "
                               "next_attempt_unix_ms<=?1 ORDER BY priority DESC, "
                               "created_unix_ms, id LIMIT ?2");
  if (!st.ok()) return st.error();
  st->Bind(1, UnixMs(now)).Bind(2, limit);
  std::vector<ClipRecord> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(Impl::ReadClip(*st));
  }
  for (ClipRecord& c : out) {
    if (Status s = impl_->LoadChildrenLocked(c); !s.ok()) return s.error();
  }
  return out;
}

Status ClipStore::MarkUploading(std::string_view clip_id) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "UPDATE clips SET state='uploading' WHERE id=?1 AND state='ready' AND deleting=0");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Run(); !s.ok()) return s;
  if (impl_->db_.Changes() == 0) {
    return impl_->NoChangeErrorLocked(clip_id, "mark uploading", "ready");
  }
  return Ok();
}

Status ClipStore::MarkUploaded(std::string_view clip_id) {
  std::lock_guard lock(impl_->mu_);
  Db& db = impl_->db_;
  {
    Transaction tx(db);
    if (Status s = tx.Begin(); !s.ok()) return s;
    auto st = db.Prepare(
        "UPDATE clips SET state='uploaded',last_error='' WHERE id=?1 AND state='uploading'");
    if (!st.ok()) return st.error();
    if (Status s = st->Bind(1, clip_id).Run(); !s.ok()) return s;
    if (db.Changes() == 0) return impl_->NoChangeErrorLocked(clip_id, "mark uploaded", "uploading");
    auto files =
        db.Prepare("UPDATE files SET uploaded=1,upload_id='',part_size=0 WHERE clip_id=?1");
    if (!files.ok()) return files.error();
    if (Status s = files->Bind(1, clip_id).Run(); !s.ok()) return s;
    auto parts = db.Prepare("DELETE FROM upload_parts WHERE clip_id=?1");
    if (!parts.ok()) return parts.error();
    if (Status s = parts->Bind(1, clip_id).Run(); !s.ok()) return s;
    if (Status s = tx.Commit(); !s.ok()) return s;
  }
  impl_->log_.Info("clip_uploaded", {{"clip", clip_id}});
  return impl_->RemoveBundleLocked(clip_id, AfterRemoval::kKeepUploaded);
}

Result<int64_t> ClipStore::ShiftRetryDeadlines(Nanos by, WallTime now, Nanos max_wait) {
  std::lock_guard lock(impl_->mu_);
  const int64_t by_ms = std::chrono::duration_cast<std::chrono::milliseconds>(by).count();
  const int64_t latest =
      UnixMs(now) + std::chrono::duration_cast<std::chrono::milliseconds>(max_wait).count();
  auto st = impl_->db_.Prepare(
      "UPDATE clips SET next_attempt_unix_ms=MIN(next_attempt_unix_ms+?1,?2) "
      "WHERE state='ready' AND next_attempt_unix_ms>0 AND (?1!=0 OR next_attempt_unix_ms>?2)");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, by_ms).Bind(2, latest).Run(); !s.ok()) return s.error();
  return static_cast<int64_t>(impl_->db_.Changes());
}

Status ClipStore::ScheduleRetry(std::string_view clip_id, WallTime next_attempt,
                                std::string_view error) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "UPDATE clips SET state='ready',attempts=attempts+1,next_attempt_unix_ms=?2,last_error=?3 "
      "WHERE id=?1 AND state IN ('ready','uploading')");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Bind(2, UnixMs(next_attempt)).Bind(3, error).Run(); !s.ok()) {
    return s;
  }
  if (impl_->db_.Changes() == 0) {
    return impl_->NoChangeErrorLocked(clip_id, "schedule retry", "ready or uploading");
  }
  return Ok();
}

Status ClipStore::MarkFailed(std::string_view clip_id, std::string_view reason) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "UPDATE clips SET state='failed',attempts=attempts+1,last_error=?2 "
      "WHERE id=?1 AND state IN ('ready','uploading')");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Bind(2, reason).Run(); !s.ok()) return s;
  if (impl_->db_.Changes() == 0) {
    return impl_->NoChangeErrorLocked(clip_id, "mark failed", "ready or uploading");
  }
  impl_->log_.Warn("clip_failed", {{"clip", clip_id}, {"reason", reason}});
  return Ok();
}

namespace {
Error FileNotFound(std::string_view clip_id, std::string_view file) {
  return Error(ErrorCode::kNotFound,
               "no file " + std::string(file) + " in clip " + std::string(clip_id));
}
}  // namespace

Status ClipStore::SetUploadId(std::string_view clip_id, std::string_view file,
                              std::string_view upload_id, int64_t part_size) {
  std::lock_guard lock(impl_->mu_);
  Db& db = impl_->db_;
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto st = db.Prepare("UPDATE files SET upload_id=?3,part_size=?4 WHERE clip_id=?1 AND name=?2");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Bind(2, file).Bind(3, upload_id).Bind(4, part_size).Run();
      !s.ok()) {
    return s;
  }
  if (db.Changes() == 0) return FileNotFound(clip_id, file);
  // Parts of an earlier upload id belong to an upload that no longer exists.
  auto parts = db.Prepare("DELETE FROM upload_parts WHERE clip_id=?1 AND file=?2");
  if (!parts.ok()) return parts.error();
  if (Status s = parts->Bind(1, clip_id).Bind(2, file).Run(); !s.ok()) return s;
  return tx.Commit();
}

Status ClipStore::AddUploadedPart(std::string_view clip_id, std::string_view file, int part_number,
                                  int64_t bytes, std::string_view etag) {
  if (part_number < 1 || part_number > 10000) {
    return Error(ErrorCode::kInvalidArgument,
                 "part_number " + std::to_string(part_number) + " outside 1..10000");
  }
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "INSERT OR REPLACE INTO upload_parts(clip_id,file,part_number,bytes,etag) "
      "VALUES(?1,?2,?3,?4,?5)");
  if (!st.ok()) return st.error();
  Status s =
      st->Bind(1, clip_id).Bind(2, file).Bind(3, part_number).Bind(4, bytes).Bind(5, etag).Run();
  if (!s.ok() && s.error().code() == ErrorCode::kAlreadyExists) return FileNotFound(clip_id, file);
  return s;
}

Result<UploadState> ClipStore::GetUploadState(std::string_view clip_id, std::string_view file) {
  std::lock_guard lock(impl_->mu_);
  auto st =
      impl_->db_.Prepare("SELECT upload_id,part_size FROM files WHERE clip_id=?1 AND name=?2");
  if (!st.ok()) return st.error();
  auto row = st->Bind(1, clip_id).Bind(2, file).Step();
  if (!row.ok()) return row.error();
  if (!*row) return FileNotFound(clip_id, file);
  UploadState state{st->Text(0), st->Int(1), {}};
  auto parts = impl_->db_.Prepare(
      "SELECT part_number,bytes,etag FROM upload_parts WHERE clip_id=?1 AND file=?2 "
      "ORDER BY part_number");
  if (!parts.ok()) return parts.error();
  parts->Bind(1, clip_id).Bind(2, file);
  while (true) {
    auto r = parts->Step();
    if (!r.ok()) return r.error();
    if (!*r) break;
    state.parts.push_back({static_cast<int>(parts->Int(0)), parts->Int(1), parts->Text(2)});
  }
  return state;
}

Status ClipStore::MarkFileUploaded(std::string_view clip_id, std::string_view file) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare("UPDATE files SET uploaded=1 WHERE clip_id=?1 AND name=?2");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Bind(2, file).Run(); !s.ok()) return s;
  if (impl_->db_.Changes() == 0) return FileNotFound(clip_id, file);
  return Ok();
}

Status ClipStore::ClearUploadState(std::string_view clip_id, std::string_view file) {
  std::lock_guard lock(impl_->mu_);
  Db& db = impl_->db_;
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto st = db.Prepare("UPDATE files SET upload_id='',part_size=0 WHERE clip_id=?1 AND name=?2");
  if (!st.ok()) return st.error();
  if (Status s = st->Bind(1, clip_id).Bind(2, file).Run(); !s.ok()) return s;
  if (db.Changes() == 0) return FileNotFound(clip_id, file);
  auto parts = db.Prepare("DELETE FROM upload_parts WHERE clip_id=?1 AND file=?2");
  if (!parts.ok()) return parts.error();
  if (Status s = parts->Bind(1, clip_id).Bind(2, file).Run(); !s.ok()) return s;
  return tx.Commit();
}

Result<std::vector<PendingAbort>> ClipStore::PendingAborts(int limit) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "SELECT clip_id,file,upload_id,window_start_unix_ms FROM pending_aborts "
      "ORDER BY clip_id,file,upload_id LIMIT ?1");
  if (!st.ok()) return st.error();
  st->Bind(1, limit);
  std::vector<PendingAbort> out;
  while (true) {
    auto row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back({st->Text(0), st->Text(1), st->Text(2), st->Int(3)});
  }
  return out;
}

Status ClipStore::ForgetPendingAbort(const PendingAbort& abort) {
  std::lock_guard lock(impl_->mu_);
  auto st = impl_->db_.Prepare(
      "DELETE FROM pending_aborts WHERE clip_id=?1 AND file=?2 AND upload_id=?3");
  if (!st.ok()) return st.error();
  return st->Bind(1, abort.clip_id).Bind(2, abort.file).Bind(3, abort.upload_id).Run();
}

}  // namespace fleetclip::queue

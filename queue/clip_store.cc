// ClipStore: open, insert, queries for the CLI, pinning, deletion and eviction. The uploader's
// transitions are in clip_store_upload.cc, recovery in clip_store_recovery.cc.
#include "queue/clip_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>

#include "common/durable_file.h"
#include "queue/clip_store_impl.h"
#include "queue/schema.h"

namespace fleetclip::queue {
namespace fs = std::filesystem;

namespace {
constexpr std::array<std::string_view, 6> kStateNames = {"ready",  "uploading", "uploaded",
                                                         "failed", "evicted",   "lost"};
}  // namespace

std::string_view ClipStateName(ClipState state) { return kStateNames[static_cast<int>(state)]; }

std::optional<ClipState> ParseClipState(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<ClipState>(i);
  }
  return std::nullopt;
}

int64_t ClipStore::Impl::NowUnixMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.WallNow().time_since_epoch())
      .count();
}

ClipRecord ClipStore::Impl::ReadClip(const Stmt& st) {
  ClipRecord c;
  c.id = st.Text(0);
  c.state = ParseClipState(st.Text(1)).value_or(ClipState::kLost);
  c.priority = static_cast<int>(st.Int(2));
  c.bytes = st.Int(3);
  c.local_bytes = st.Int(4);
  c.created_unix_ms = st.Int(5);
  c.window_start_unix_ms = st.Int(6);
  c.duration_ms = st.Int(7);
  c.attempts = static_cast<int>(st.Int(8));
  c.next_attempt_unix_ms = st.Int(9);
  c.last_error = st.Text(10);
  c.pinned = st.Int(11) != 0;
  c.rules = st.Text(12);
  return c;
}

Status ClipStore::Impl::LoadChildrenLocked(ClipRecord& clip) {
  auto ev = db_.Prepare(
      "SELECT rule,source,trigger_id,fired_unix_ms,priority,peak,tier,tag,note,window_shortened "
      "FROM events WHERE clip_id=?1 ORDER BY seq");
  if (!ev.ok()) return ev.error();
  ev->Bind(1, clip.id);
  clip.events.clear();
  while (true) {
    auto row = ev->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    EventRecord e{ev->Text(0),
                  ev->Text(1),
                  ev->Text(2),
                  ev->Int(3),
                  static_cast<int>(ev->Int(4)),
                  ev->IsNull(5) ? std::nan("") : ev->Double(5),
                  ev->Text(6),
                  ev->Text(7),
                  ev->Text(8),
                  ev->Int(9) != 0};
    clip.events.push_back(std::move(e));
  }
  auto fl = db_.Prepare(
      "SELECT name,bytes,sha256,uploaded,md5_part_size,part_md5 FROM files WHERE "
      "clip_id=?1 ORDER BY name");
  if (!fl.ok()) return fl.error();
  fl->Bind(1, clip.id);
  clip.files.clear();
  while (true) {
    auto row = fl->Step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    clip.files.push_back(
        {fl->Text(0), fl->Int(1), fl->Text(2), fl->Int(3) != 0, fl->Int(4), fl->Text(5)});
  }
  return Ok();
}

Result<ClipRecord> ClipStore::Impl::GetLocked(std::string_view id, bool with_children) {
  auto st = db_.Prepare(std::string("SELECT ") + kClipColumns + " FROM clips WHERE id=?1");
  if (!st.ok()) return st.error();
  st->Bind(1, id);
  auto row = st->Step();
  if (!row.ok()) return row.error();
  if (!*row) return Error(ErrorCode::kNotFound, "no clip with id " + std::string(id));
  ClipRecord c = ReadClip(*st);
  if (with_children) {
    if (Status s = LoadChildrenLocked(c); !s.ok()) return s.error();
  }
  return c;
}

Error ClipStore::Impl::NoChangeErrorLocked(std::string_view id, std::string_view action,
                                           std::string_view expected) {
  auto c = GetLocked(id, false);
  if (!c.ok()) return c.error().WithContext(action);
  return Error(ErrorCode::kInvalidArgument, std::string(action) + ": clip " + std::string(id) +
                                                " is " + std::string(ClipStateName(c->state)) +
                                                ", expected " + std::string(expected));
}

Status ClipStore::Impl::FinishRemovalLocked(std::string_view id, AfterRemoval after) {
  const char* sql = nullptr;
  switch (after) {
    case AfterRemoval::kDeleteRow:
      sql = "DELETE FROM clips WHERE id=?1";
      break;
    case AfterRemoval::kKeepUploaded:
      sql = "UPDATE clips SET state='uploaded',local_bytes=0,deleting=0 WHERE id=?1";
      break;
    case AfterRemoval::kKeepEvicted:
      sql = "UPDATE clips SET state='evicted',local_bytes=0,deleting=0 WHERE id=?1";
      break;
  }
  auto st = db_.Prepare(sql);
  if (!st.ok()) return st.error();
  return st->Bind(1, id).Run();
}

Error ClipStore::Impl::RemovalRefusedLocked(std::string_view id) {
  const std::string clip(id);
  auto c = GetLocked(id, false);
  if (!c.ok()) {
    if (c.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNotFound, "no clip " + clip);
    }
    return c.error();
  }
  if (c->pinned) return Error(ErrorCode::kInvalidArgument, "clip " + clip + " is pinned");
  if (c->state == ClipState::kUploading) {
    return Error(ErrorCode::kInvalidArgument, "clip " + clip + " is uploading");
  }
  return Error(ErrorCode::kInvalidArgument, "clip " + clip + " is already being removed");
}

Status ClipStore::Impl::MarkForRemovalLocked(std::string_view id, AfterRemoval after) {
  Transaction tx(db_);
  if (Status s = tx.Begin(); !s.ok()) return s;
  // The guard is evaluated by SQLite under the write lock: a pin or an upload start committed
  // before this statement wins, whatever the caller read earlier. A row already marked with the
  // same intent is recovery finishing a removal a crash interrupted.
  const char* sql =
      after == AfterRemoval::kKeepUploaded
          ? "UPDATE clips SET deleting=?2 WHERE id=?1 AND deleting IN (0,?2)"
          : "UPDATE clips SET deleting=?2 WHERE id=?1 AND (deleting=?2 OR (deleting=0 AND "
            "pinned=0 AND state<>'uploading'))";
  auto mark = db_.Prepare(sql);
  if (!mark.ok()) return mark.error();
  if (Status s = mark->Bind(1, id).Bind(2, static_cast<int>(after)).Run(); !s.ok()) return s;
  if (db_.Changes() == 0) return RemovalRefusedLocked(id);
  // Multipart uploads still open on the server move to pending_aborts in the same transaction,
  // so the upload thread aborts them even if the process dies right after this commit.
  auto keep = db_.Prepare(
      "INSERT OR IGNORE INTO pending_aborts(clip_id,file,upload_id,window_start_unix_ms) "
      "SELECT f.clip_id,f.name,f.upload_id,c.window_start_unix_ms FROM files f "
      "JOIN clips c ON c.id=f.clip_id WHERE f.clip_id=?1 AND f.upload_id<>''");
  if (!keep.ok()) return keep.error();
  if (Status s = keep->Bind(1, id).Run(); !s.ok()) return s;
  auto clear = db_.Prepare("UPDATE files SET upload_id='',part_size=0 WHERE clip_id=?1");
  if (!clear.ok()) return clear.error();
  if (Status s = clear->Bind(1, id).Run(); !s.ok()) return s;
  auto parts = db_.Prepare("DELETE FROM upload_parts WHERE clip_id=?1");
  if (!parts.ok()) return parts.error();
  if (Status s = parts->Bind(1, id).Run(); !s.ok()) return s;
  return tx.Commit();
}

Status ClipStore::Impl::RemoveBundleLocked(std::string_view id, AfterRemoval after) {
  // 1. Mark and commit, so a crash from here on is finished by recovery.
  Status marked = MarkForRemovalLocked(id, after);
  if (!marked.ok() && marked.error().code() == ErrorCode::kNoSpace && ReleaseReserveLocked()) {
    // The disk is too full even to record the mark: give up the reserve and try once more.
    marked = MarkForRemovalLocked(id, after);
  }
  if (!marked.ok()) return marked;
  // 2. Unlink the files and the folder, then make the removal durable.
  const fs::path dir = clips_dir_ / std::string(id);
  if (Status s = RemoveTree(fs_, dir); !s.ok())
    return s.error().WithContext("remove clip " + std::string(id));
  if (Status s = fs_.SyncDir(clips_dir_); !s.ok())
    return s.error().WithContext("remove clip " + std::string(id));
  // 3. Delete the row or keep it without local files.
  if (Status s = FinishRemovalLocked(id, after); !s.ok()) return s;
  RefillReserveLocked();
  return Ok();
}

void ClipStore::Impl::RefillReserveLocked() {
  if (options_.read_only || options_.reserve_bytes <= 0) return;
  const fs::path path = options_.state_dir / "reserve";
  if (auto st = fs_.Stat(path); st.ok() || st.error().code() != ErrorCode::kNotFound) {
    if (!st.ok()) log_.Warn("reserve_not_refilled", {{"error", st.error().ToString()}});
    return;  // there already, or unknowable now: the next removal tries again
  }
  if (Status s = WriteFileDurably(fs_, path,
                                  std::string(static_cast<size_t>(options_.reserve_bytes), '\0'));
      !s.ok()) {
    log_.Warn("reserve_not_refilled", {{"error", s.error().ToString()}});
  }
}

bool ClipStore::Impl::ReleaseReserveLocked() {
  const fs::path path = options_.state_dir / "reserve";
  if (!fs_.Unlink(path).ok()) return false;
  (void)fs_.SyncDir(options_.state_dir);
  log_.Warn("reserve_released", {{"bytes", options_.reserve_bytes}});
  return true;
}

ClipStore::ClipStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClipStore::~ClipStore() = default;

const fs::path& ClipStore::clips_dir() const { return impl_->clips_dir_; }
FileSystem& ClipStore::file_system() const { return impl_->fs_; }
fs::path ClipStore::ClipDir(std::string_view id) const {
  return impl_->clips_dir_ / std::string(id);
}

Result<std::unique_ptr<ClipStore>> ClipStore::Open(const StoreOptions& options, const Clock& clock,
                                                   const Logger& log) {
  const fs::path db_path = options.state_dir / "queue.db";
  if (!options.read_only) {
    PosixFileSystem posix;
    FileSystem& disk = options.file_system != nullptr ? *options.file_system : posix;
    if (Status s = CreateDirsDurably(disk, options.state_dir / "clips" / ".tmp"); !s.ok()) {
      return s.error().WithContext("open clip store");
    }
  } else if (!fs::exists(db_path)) {
    return Error(ErrorCode::kNotFound, "no queue database at " + db_path.string());
  }
  auto db = Db::Open(db_path.string(), options.read_only);
  if (!db.ok()) return db.error();
  if (Status s = ApplyPragmas(*db, options.busy_timeout_ms, options.read_only); !s.ok()) {
    return s.error().WithContext(db_path.string());
  }
  if (!options.read_only) {
    if (Status s = MigrateTo(*db, kSchemaVersion); !s.ok()) return s.error();
  } else {
    auto v = db->QueryInt("PRAGMA user_version");
    if (!v.ok()) return v.error();
    if (*v != kSchemaVersion) {
      return Error(ErrorCode::kUnsupported, db_path.string() + " has schema version " +
                                                std::to_string(*v) + ", this build " +
                                                "reads version " + std::to_string(kSchemaVersion) +
                                                " (let the daemon migrate it first)");
    }
  }
  auto impl = std::make_unique<Impl>(std::move(*db), options, clock, log);
  if (!options.read_only && options.recover) {
    auto check = impl->db_.Prepare("PRAGMA quick_check");
    if (!check.ok()) return check.error();
    auto row = check->Step();
    if (!row.ok()) return row.error();
    if (!*row || check->Text(0) != "ok") {
      return Error(ErrorCode::kCorruption,
                   db_path.string() + " fails quick_check: " + (*row ? check->Text(0) : ""));
    }
    std::lock_guard lock(impl->mu_);
    if (Status s = impl->RecoverLocked(); !s.ok()) return s.error().WithContext("recovery");
  }
  if (!options.read_only) {
    std::lock_guard lock(impl->mu_);
    impl->RefillReserveLocked();
  }
  return std::unique_ptr<ClipStore>(new ClipStore(std::move(impl)));
}

Status ClipStore::InsertClip(const ClipRecord& c) {
  std::lock_guard lock(impl_->mu_);
  if (Status s = impl_->InsertClipLocked(c); !s.ok()) return s;
  impl_->log_.Info(
      "clip_committed",
      {{"clip", c.id}, {"bytes", c.bytes}, {"priority", c.priority}, {"rules", c.rules}});
  return Ok();
}

Status ClipStore::Impl::InsertClipLocked(const ClipRecord& c) {
  Db& db = db_;
  Transaction tx(db);
  if (Status s = tx.Begin(); !s.ok()) return s;
  auto st = db.Prepare(
      "INSERT INTO clips(id,state,priority,bytes,local_bytes,created_unix_ms,window_start_unix_ms,"
      "duration_ms,next_attempt_unix_ms,pinned,rules) "
      "VALUES(?1,'ready',?2,?3,?4,?5,?6,?7,0,?8,?9)");
  if (!st.ok()) return st.error();
  st->Bind(1, c.id).Bind(2, c.priority).Bind(3, c.bytes).Bind(4, c.local_bytes);
  st->Bind(5, c.created_unix_ms).Bind(6, c.window_start_unix_ms).Bind(7, c.duration_ms);
  st->Bind(8, c.pinned ? 1 : 0).Bind(9, c.rules);
  if (Status s = st->Run(); !s.ok()) return s.error().WithContext("insert clip " + c.id);
  auto ev = db.Prepare(
      "INSERT INTO events(clip_id,seq,rule,source,trigger_id,fired_unix_ms,priority,peak,tier,tag,"
      "note,window_shortened) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
  if (!ev.ok()) return ev.error();
  for (size_t i = 0; i < c.events.size(); ++i) {
    const EventRecord& e = c.events[i];
    ev->Reset();
    ev->Bind(1, c.id).Bind(2, static_cast<int64_t>(i)).Bind(3, e.rule).Bind(4, e.source);
    ev->Bind(5, e.trigger_id).Bind(6, e.fired_unix_ms).Bind(7, e.priority).Bind(8, e.peak);
    ev->Bind(9, e.tier).Bind(10, e.tag).Bind(11, e.note).Bind(12, e.window_shortened ? 1 : 0);
    if (Status r = ev->Run(); !r.ok()) return r.error().WithContext("insert event of " + c.id);
  }
  auto fl = db.Prepare(
      "INSERT INTO files(clip_id,name,bytes,sha256,md5_part_size,part_md5) "
      "VALUES(?1,?2,?3,?4,?5,?6)");
  if (!fl.ok()) return fl.error();
  for (const FileRecord& f : c.files) {
    fl->Reset();
    fl->Bind(1, c.id).Bind(2, f.name).Bind(3, f.bytes).Bind(4, f.sha256_hex);
    fl->Bind(5, f.md5_part_size).Bind(6, f.part_md5_hex);
    if (Status r = fl->Run(); !r.ok()) return r.error().WithContext("insert file of " + c.id);
  }
  return tx.Commit();
}

}  // namespace fleetclip::queue

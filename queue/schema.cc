// Schema versions of queue.db. Never edit a shipped step: add a new one.
//   1: clips, events, files (the first release).
//   2: multipart resume state: files.upload_id/part_size and upload_parts.
//   3: counters (dropped/evicted totals) and the indexes behind `fleetclip list --rule` and stats.
//   4: a covering index for `fleetclip stats` (one index-only scan for states and rules).
//   5: files.md5_part_size/part_md5: the MD5 of every multipart part, taken by the clip writer in
//      the same read as the sha256, so the uploader never hashes a video at upload time.
//   6: pending_aborts: the multipart uploads of clips deleted or evicted before their upload
//      finished, kept until the upload thread has aborted them on the server.
#include "queue/schema.h"

#include <string>

namespace fleetclip::queue {
namespace {

constexpr const char* kSteps[] = {
    // 1
    R"sql(
CREATE TABLE clips(
  id TEXT PRIMARY KEY NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('ready','uploading','uploaded','failed','evicted','lost')),
  priority INTEGER NOT NULL CHECK(priority BETWEEN 0 AND 100),
  bytes INTEGER NOT NULL CHECK(bytes >= 0),
  local_bytes INTEGER NOT NULL CHECK(local_bytes >= 0),
  created_unix_ms INTEGER NOT NULL,
  window_start_unix_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_unix_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  pinned INTEGER NOT NULL DEFAULT 0,
  deleting INTEGER NOT NULL DEFAULT 0,
  rules TEXT NOT NULL DEFAULT ''
);
CREATE INDEX clips_by_created ON clips(created_unix_ms);
CREATE INDEX clips_by_upload_order ON clips(state, priority DESC, created_unix_ms);
CREATE TABLE events(
  clip_id TEXT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  rule TEXT NOT NULL,
  source TEXT NOT NULL,
  trigger_id TEXT NOT NULL DEFAULT '',
  fired_unix_ms INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  peak REAL,
  tier TEXT NOT NULL DEFAULT '',
  tag TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  window_shortened INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(clip_id, seq)
) WITHOUT ROWID;
CREATE TABLE files(
  clip_id TEXT NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  uploaded INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY(clip_id, name)
) WITHOUT ROWID;
)sql",
    // 2
    R"sql(
ALTER TABLE files ADD COLUMN upload_id TEXT NOT NULL DEFAULT '';
ALTER TABLE files ADD COLUMN part_size INTEGER NOT NULL DEFAULT 0;
CREATE TABLE upload_parts(
  clip_id TEXT NOT NULL,
  file TEXT NOT NULL,
  part_number INTEGER NOT NULL CHECK(part_number BETWEEN 1 AND 10000),
  bytes INTEGER NOT NULL,
  etag TEXT NOT NULL,
  PRIMARY KEY(clip_id, file, part_number),
  FOREIGN KEY(clip_id, file) REFERENCES files(clip_id, name) ON DELETE CASCADE
) WITHOUT ROWID;
)sql",
    // 3
    R"sql(
CREATE TABLE counters(name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX events_by_rule ON events(rule, clip_id);
CREATE INDEX clips_by_state_created ON clips(state, created_unix_ms);
)sql",
    // 4
    R"sql(
CREATE INDEX clips_stats ON clips(state, rules, bytes, local_bytes);
)sql",
    // 5
    R"sql(
ALTER TABLE files ADD COLUMN md5_part_size INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN part_md5 TEXT NOT NULL DEFAULT '';
)sql",
    // 6
    R"sql(
CREATE TABLE pending_aborts(
  clip_id TEXT NOT NULL,
  file TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  window_start_unix_ms INTEGER NOT NULL,
  PRIMARY KEY(clip_id, file, upload_id)
) WITHOUT ROWID;
)sql",
};
static_assert(std::size(kSteps) == kSchemaVersion);

}  // namespace

Status ApplyPragmas(Db& db, int busy_timeout_ms, bool read_only) {
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  if (Status s = db.Exec("PRAGMA busy_timeout=" + std::to_string(busy_timeout_ms)); !s.ok()) {
    return s;
  }
  if (!read_only) {
    if (Status s = db.Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
    // Keep queue.db-wal and -shm when the last writer closes (emptied, not deleted): a reader
    // that may not create files in the state dir (the CLI of an engineer in the daemon's group)
    // can then still open the queue while the daemon is stopped.
    int persist = 1;
    if (int rc = sqlite3_file_control(db.get(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
        rc != SQLITE_OK) {
      return Error(ErrorCode::kInternal,
                   "queue.db: SQLITE_FCNTL_PERSIST_WAL failed: " + std::string(sqlite3_errstr(rc)));
    }
  }
  // journal_size_limit: truncate the WAL back to 4 MiB after a checkpoint so a burst of writes
  // does not keep its space on a small state partition.
  return db.Exec(
      "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA journal_size_limit=4194304;");
}

Status MigrateTo(Db& db, int target) {
  auto current = db.QueryInt("PRAGMA user_version");
  if (!current.ok()) return current.error();
  if (*current > kSchemaVersion) {
    return Error(ErrorCode::kCorruption, "queue.db has schema version " + std::to_string(*current) +
                                             ", newer than the " + std::to_string(kSchemaVersion) +
                                             " this build knows (downgrade?)");
  }
  for (int64_t v = *current; v < target; ++v) {
    Transaction tx(db);
    if (Status s = tx.Begin(); !s.ok()) return s;
    // Re-read inside the lock: another process may have migrated meanwhile.
    auto now = db.QueryInt("PRAGMA user_version");
    if (!now.ok()) return now.error();
    if (*now > v) continue;
    if (Status s = db.Exec(kSteps[v]); !s.ok()) {
      return s.error().WithContext("migrate queue.db to version " + std::to_string(v + 1));
    }
    if (Status s = db.Exec("PRAGMA user_version=" + std::to_string(v + 1)); !s.ok()) return s;
    if (Status s = tx.Commit(); !s.ok()) return s;
  }
  return Ok();
}

}  // namespace fleetclip::queue

// The queue database schema and its migrations. `PRAGMA user_version` holds the version; each
// migration step runs in its own transaction, so a crash during a migration leaves the previous
// version intact. Private to queue/ (tests use MigrateTo to build older databases).
#pragma once

#include "queue/sqlite_db.h"

namespace fleetclip::queue {

inline constexpr int kSchemaVersion = 6;

// Connection settings from DESIGN.md: WAL, synchronous=FULL, foreign keys, busy timeout.
Status ApplyPragmas(Db& db, int busy_timeout_ms, bool read_only);

// Migrates from the current user_version up to `target`. kCorruption if the database is newer
// than this build knows (a downgrade), naming both versions.
Status MigrateTo(Db& db, int target);

}  // namespace fleetclip::queue

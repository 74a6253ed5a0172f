// A thin RAII layer over the SQLite C API for the queue: one owner per `sqlite3` and
// `sqlite3_stmt`, errors as Status with the SQL error text, and typed binding so call sites read
// as the SQL they run. SQLITE_FULL becomes kNoSpace and SQLITE_BUSY kUnavailable (retryable).
// Private to queue/. Not thread-safe: ClipStore serialises access.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/unique_handle.h"

namespace fleetclip::queue {

// An error from a SQLite result code, with the connection's message when there is one.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  // Binds parameters 1..n in order; returns *this for chaining.
  Stmt& Bind(int index, int64_t v);
  Stmt& Bind(int index, int v) { return Bind(index, static_cast<int64_t>(v)); }
  Stmt& Bind(int index, double v);
  Stmt& Bind(int index, std::string_view v);
  Stmt& Bind(int index, const char* v) { return Bind(index, std::string_view(v)); }
  Stmt& Bind(int index, const std::string& v) { return Bind(index, std::string_view(v)); }

  // Ready to run again with new bindings.
  void Reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
    bind_error_ = Ok();
  }
  // Advances: true with a row, false when done; errors as Result.
  Result<bool> Step();
  // Runs to completion, ignoring rows.
  Status Run();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  double Double(int col) const { return sqlite3_column_double(stmt_.get(), col); }
  std::string Text(int col) const;
  bool IsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;  // borrowed from the Db
  UniqueHandle<sqlite3_stmt, sqlite3_finalize> stmt_;
  Status bind_error_;  // the first binding error, reported by Step()
};

class Db {
 public:
  // Opens `path` (read-write-create, or read-only), extended result codes on.
  static Result<Db> Open(const std::string& path, bool read_only);

  sqlite3* get() const { return db_.get(); }
  Result<Stmt> Prepare(std::string_view sql);
  // Runs one or more statements without parameters.
  Status Exec(std::string_view sql);
  // The single integer result of `sql` (e.g. "PRAGMA user_version").
  Result<int64_t> QueryInt(std::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }

 private:
  UniqueHandle<sqlite3, sqlite3_close_v2> db_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Db& db) : db_(db) {}
  ~Transaction();
  Status Begin();
  Status Commit();

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace fleetclip::queue

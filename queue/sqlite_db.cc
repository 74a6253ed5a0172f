// SQLite RAII wrappers and error mapping. See queue/sqlite_db.h.
#include "queue/sqlite_db.h"

namespace fleetclip::queue {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kIo;
  switch (rc & 0xff) {
    case SQLITE_FULL:
      code = ErrorCode::kNoSpace;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = ErrorCode::kCorruption;
      break;
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kAlreadyExists;
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      code = ErrorCode::kPermissionDenied;
      break;
    case SQLITE_CANTOPEN:
      code = ErrorCode::kNotFound;
      break;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_ERROR:
      code = ErrorCode::kInternal;
      break;
    default:
      break;
  }
  std::string msg = std::string(what) + ": " + sqlite3_errstr(rc);
  if (db != nullptr && sqlite3_errcode(db) == rc) {
    const char* detail = sqlite3_errmsg(db);
    if (detail != nullptr && std::string_view(detail) != sqlite3_errstr(rc)) {
      msg += std::string(" (") + detail + ")";
    }
  }
  return Error(code, std::move(msg));
}

Stmt& Stmt::Bind(int index, int64_t v) {
  int rc = sqlite3_bind_int64(stmt_.get(), index, v);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::Bind(int index, double v) {
  int rc = sqlite3_bind_double(stmt_.get(), index, v);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view v) {
  int rc =
      sqlite3_bind_text64(stmt_.get(), index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteError(db_, rc, "bind");
  return *this;
}

Result<bool> Stmt::Step() {
  if (!bind_error_.ok()) return bind_error_.error();
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, std::string("step \"") + sqlite3_sql(stmt_.get()) + "\"");
}

Status Stmt::Run() {
  while (true) {
    auto r = Step();
    if (!r.ok()) return r.error();
    if (!*r) return Ok();
  }
}

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

Result<Db> Db::Open(const std::string& path, bool read_only) {
  sqlite3* raw = nullptr;
  const int flags =
      (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
      SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db;
  db.db_.reset(raw);
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "open database " + path);
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Result<Stmt> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return SqliteError(db_.get(), rc, "prepare \"" + std::string(sql) + "\"");
  }
  return Stmt(db_.get(), raw);
}

Status Db::Exec(std::string_view sql) {
  std::string s(sql);
  char* msg = nullptr;
  int rc = sqlite3_exec(db_.get(), s.c_str(), nullptr, nullptr, &msg);
  sqlite3_free(msg);
  if (rc != SQLITE_OK) return SqliteError(db_.get(), rc, "exec \"" + s.substr(0, 80) + "\"");
  return Ok();
}

Result<int64_t> Db::QueryInt(std::string_view sql) {
  auto st = Prepare(sql);
  if (!st.ok()) return st.error();
  auto row = st->Step();
  if (!row.ok()) return row.error();
  if (!*row) return Error(ErrorCode::kInternal, "no row from \"" + std::string(sql) + "\"");
  return st->Int(0);
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Begin() {
  if (Status s = db_.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  open_ = true;
  return Ok();
}

Status Transaction::Commit() {
  if (Status s = db_.Exec("COMMIT"); !s.ok()) return s;
  open_ = false;
  return Ok();
}

}  // namespace fleetclip::queue

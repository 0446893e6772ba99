// SQLite connection, statements and transactions.
#include "sqlite_db.h"

namespace riskradar::store {

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  if (rc == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_CONSTRAINT) return Status::Conflict("constraint: " + msg);
  if ((rc & 0xff) == SQLITE_BUSY) return Status::Conflict("database is busy: " + msg);
  if ((rc & 0xff) == SQLITE_CORRUPT) return Status::Corruption(msg);
  return Status::IoError("sqlite: " + msg);
}

Status SqliteStatement::Run() {
  auto r = Step();
  while (r.ok() && *r) r = Step();
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return Status::IoError("cannot open store '" + path + "': " + msg);
  }
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw));
  sqlite3_busy_timeout(raw, 10000);
  RR_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
  RR_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  RR_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  // A fixed 64 MiB page cache (the default is 2 MiB): a large import batch then keeps its hot index pages in
  // memory instead of spilling them to the WAL and reading them back. Fixed, so memory does not grow with the
  // file. Durability is untouched (WAL, synchronous=FULL).
  RR_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-65536"));
  RR_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store=MEMORY"));
  return db;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::Exec(std::string_view sql) {
  char* err = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IoError("sqlite: " + msg);
  }
  return Status::Ok();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return Status::Internal(std::string("cannot prepare statement: ") + sqlite3_errmsg(db_));
  }
  return SqliteStatement(db_, stmt);
}

Status SqliteDb::Error(std::string_view context) const {
  return Status::IoError(std::string(context) + ": " + sqlite3_errmsg(db_));
}

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  RR_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  // Rolling back is the safe outcome of any early return; its error is moot.
  if (db_) (void)db_->Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

}  // namespace riskradar::store

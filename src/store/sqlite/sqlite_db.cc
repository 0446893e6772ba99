// SQLite connection, statements and transactions.
#include "sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

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
  // Once per process, before SQLite initialises: no global memory statistics. With them every allocation
  // takes one process-wide mutex, which the server's concurrent readers then queue on. (If SQLite was already
  // initialised by someone else this is refused and harmless.)
  //
  // And each connection's page cache starts with one block of 256 pages that it recycles. In WAL mode a
  // reader drops its whole page cache whenever another connection has committed (the server's audit writer
  // commits all the time), so without this every request would malloc and free each page it reads again.
  static const bool configured = [] {
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 256);
    return true;
  }();
  (void)configured;
  // A new store file is created 0600 before SQLite opens it: it holds personal data, and SQLite gives its
  // -wal and -shm files the main file's mode. (An existing file keeps the mode its operator gave it.)
  if (!path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
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

Status SqliteDb::Run(TxnVerb verb) {
  static constexpr const char* kSql[] = {"BEGIN IMMEDIATE", "BEGIN DEFERRED", "COMMIT", "ROLLBACK"};
  SqliteStatement& stmt = txn_verbs_[static_cast<int>(verb)];
  if (!stmt.prepared()) {
    RR_ASSIGN_OR_RETURN(stmt, Prepare(kSql[static_cast<int>(verb)]));
  }
  return stmt.Run();
}

void SqliteDb::SetWalCommitHook(void (*on_commit)(void* arg, int frames), void* arg) {
  struct Hook {
    void (*fn)(void*, int);
    void* arg;
  };
  // sqlite3_wal_hook takes one pointer; keep the pair alive with the connection.
  wal_hook_ = std::make_shared<Hook>(Hook{on_commit, arg});
  sqlite3_wal_hook(
      db_,
      [](void* p, sqlite3*, const char*, int frames) {
        auto* h = static_cast<Hook*>(p);
        h->fn(h->arg, frames);
        return SQLITE_OK;
      },
      wal_hook_.get());
}

Status SqliteDb::CheckpointPassive() {
  const int rc = sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc == SQLITE_OK || rc == SQLITE_BUSY) return Status::Ok();
  return Error("checkpoint");
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
  RR_RETURN_IF_ERROR(db.Run(SqliteDb::TxnVerb::kBeginImmediate));
  return SqliteTransaction(&db);
}

Result<SqliteTransaction> SqliteTransaction::BeginRead(SqliteDb& db) {
  RR_RETURN_IF_ERROR(db.Run(SqliteDb::TxnVerb::kBeginDeferred));
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  // Rolling back is the safe outcome of any early return; its error is moot.
  if (db_) (void)db_->Run(SqliteDb::TxnVerb::kRollback);
}

Status SqliteTransaction::Commit() {
  Status s = db_->Run(SqliteDb::TxnVerb::kCommit);
  if (s.ok()) db_ = nullptr;
  return s;
}

}  // namespace riskradar::store

// A thin RAII layer over the SQLite C API: a connection, prepared statements
// with bound parameters, and errors as Status. Private to the store layer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar::store {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(SqliteStatement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQLite.
  SqliteStatement& Bind(int index, int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  SqliteStatement& Bind(int index, int value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  SqliteStatement& Bind(int index, double value) {
    sqlite3_bind_double(stmt_, index, value);
    return *this;
  }
  SqliteStatement& Bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Binds without copying: the text must stay alive and unchanged until the statement is reset (Run() resets).
  // For hot loops that bind, run and reset in one place (the import batch writer).
  SqliteStatement& BindView(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
  }
  SqliteStatement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  SqliteStatement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  SqliteStatement& BindNull(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
  }
  template <typename T>
  SqliteStatement& Bind(int index, const std::optional<T>& value) {
    if (value) return Bind(index, *value);
    return BindNull(index);
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  // Steps to completion (for statements without results) and resets for reuse.
  Status Run();
  // Steps through every row, calling fn() with the statement positioned on it (read columns with Int, Text...).
  template <typename Fn>
  Status ForEachRow(Fn&& fn) {
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, Step());
      if (!row) return Status::Ok();
      fn();
    }
  }
  // (Row mappers that can fail keep an explicit Step() loop.)
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  bool prepared() const { return stmt_ != nullptr; }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int ColumnType(int col) const { return sqlite3_column_type(stmt_, col); }
  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  // Valid until the next Step/Reset: for hot loops that must not copy.
  std::string_view TextView(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }
  std::string_view BlobView(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }
  SqliteStatement& BindBlob(int index, std::string_view value) {
    sqlite3_bind_blob(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  std::optional<int64_t> OptInt(int col) const { return IsNull(col) ? std::nullopt : std::optional<int64_t>(Int(col)); }
  std::optional<double> OptReal(int col) const { return IsNull(col) ? std::nullopt : std::optional<double>(Real(col)); }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // For fixed SQL without parameters only (DDL, pragmas, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
  // The database file's path (empty for an in-memory database).
  std::string FileName() const {
    const char* f = sqlite3_db_filename(db_, "main");
    return f ? f : "";
  }
  // True inside an open transaction (BEGIN ... COMMIT/ROLLBACK).
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  Status Error(std::string_view context) const;
  // The extended result code of the last failed call (SQLITE_BUSY_SNAPSHOT and the like).
  int ExtendedErrorCode() const { return sqlite3_extended_errcode(db_); }

  // BEGIN IMMEDIATE, BEGIN DEFERRED, COMMIT and ROLLBACK, prepared once per connection (the server runs
  // thousands of short transactions a second; sqlite3_exec would parse each again).
  enum class TxnVerb { kBeginImmediate, kBeginDeferred, kCommit, kRollback };
  Status Run(TxnVerb verb);

  // Instead of SQLite's auto-checkpoint (which copies the WAL back into the database, with its fsyncs, in the
  // committing thread), calls `on_commit(frames)` after each commit with the WAL's size in frames; the
  // caller checkpoints elsewhere (CheckpointPassive on another connection).
  void SetWalCommitHook(void (*on_commit)(void* arg, int frames), void* arg);
  // A PASSIVE checkpoint: copies what it can without waiting for readers or the writer.
  Status CheckpointPassive();

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
  std::shared_ptr<void> wal_hook_;
  SqliteStatement txn_verbs_[4];  // finalized after ~SqliteDb's sqlite3_close_v2, which waits for that
};

// Commits on Commit(); rolls back if destroyed first. BEGIN IMMEDIATE so a
// writer never deadlocks upgrading a read lock.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> Begin(SqliteDb& db);
  // A read transaction (BEGIN DEFERRED): every statement until Commit() sees one snapshot, and in WAL mode
  // it neither takes nor waits for the write lock.
  static Result<SqliteTransaction> BeginRead(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace riskradar::store

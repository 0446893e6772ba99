// The backend-neutral SQL layer (issue 16): one statement API over SQLite and PostgreSQL, so a store
// contract's SQL is written once and runs on both. Shaped like SqliteStatement (sqlite_db.h): Bind by
// 1-based index (optional = NULL when empty), Step, Run, ForEachRow, column getters. Private to the store.
//
// SQL text spells parameters ?1, ?2, ... only (the PostgreSQL driver rewrites them to $1, $2; a ? inside a
// string literal, a quoted identifier or a comment is text, not a parameter); a bare ? or a $1 is refused by
// both drivers, so no statement works on one backend only. The portable dialect is in docs/architecture.md
// ("Portable SQL"). Values are always bound, never spliced into SQL text.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::store {
class SqliteDb;
}

namespace riskradar::store::sql {

enum class Backend { kSqlite, kPostgres };
std::string_view BackendName(Backend backend);

// What a result column holds in the current row (integers, doubles, text, bytes, or NULL). SQLite answers per
// value; PostgreSQL per column type (int2/4/8 and bool integer, float4/8 and numeric double, bytea bytes).
enum class ValueType { kNull, kInt, kDouble, kText, kBlob };

// A driver's statement. Use Statement.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void BindInt(int index, int64_t value) = 0;
  virtual void BindDouble(int index, double value) = 0;
  virtual void BindText(int index, std::string_view value) = 0;
  // The text without a copy where the driver can: `value` must stay alive and unchanged until the statement has
  // run and been reset. (SQLite binds it in place; PostgreSQL copies it as BindText does.)
  virtual void BindTextView(int index, std::string_view value) { BindText(index, value); }
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index) = 0;
  virtual Result<bool> Step() = 0;
  // Ready to run again: the result is dropped and every parameter unbound.
  virtual void Reset() = 0;
  virtual int64_t Int(int col) const = 0;
  virtual double Double(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  // Valid until the next Step or Reset: for hot loops that must not copy.
  virtual std::string_view TextView(int col) const = 0;
  virtual std::string Blob(int col) const = 0;
  virtual bool IsNull(int col) const = 0;
  // Rows inserted, updated or deleted by the statement's last run.
  virtual int64_t Changes() const = 0;
  // After a run of a statement made by PrepareInsert: the new row's id; nullopt when it added no row.
  virtual std::optional<int64_t> InsertedId() const { return std::nullopt; }
  // The result's columns: how many, and what column `col` of the current row holds.
  virtual int ColumnCount() const = 0;
  virtual ValueType Type(int col) const = 0;
};

class Statement {
 public:
  Statement() = default;
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}

  // Parameters are 1-based (?1 is index 1).
  Statement& Bind(int index, int64_t value) {
    impl_->BindInt(index, value);
    return *this;
  }
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Statement& Bind(int index, double value) {
    impl_->BindDouble(index, value);
    return *this;
  }
  Statement& Bind(int index, std::string_view value) {
    impl_->BindText(index, value);
    return *this;
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  // Binds without copying: the text must stay alive and unchanged until the statement has run (Run and
  // ForEachRow reset it). For hot loops that bind, run and reset in one place (the import batch writer).
  Statement& BindView(int index, std::string_view value) {
    impl_->BindTextView(index, value);
    return *this;
  }
  Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Statement& BindBlob(int index, std::string_view bytes) {
    impl_->BindBlob(index, bytes);
    return *this;
  }
  Statement& BindNull(int index) {
    impl_->BindNull(index);
    return *this;
  }
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    if (value) return Bind(index, *value);
    return BindNull(index);
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> Step() { return impl_->Step(); }
  // Steps to completion (for statements without results) and resets for reuse.
  Status Run();
  // Runs an `INSERT ... RETURNING id`, or a PrepareInsert statement, to completion and resets it: the new row's
  // id, or nullopt when it added no row (ON CONFLICT DO NOTHING).
  Result<std::optional<int64_t>> RunForId();
  // The same for an insert that always adds its row: Internal "inserting WHAT returned no id" if it added none.
  Result<int64_t> RunForNewId(std::string_view what);
  // Steps through every row, calling fn() with the statement positioned on it; then resets.
  template <typename Fn>
  Status ForEachRow(Fn&& fn) {
    while (true) {
      auto row = Step();
      if (!row.ok()) {
        Reset();
        return row.status();
      }
      if (!*row) break;
      fn();
    }
    Reset();
    return Status::Ok();
  }
  void Reset() { impl_->Reset(); }
  bool prepared() const { return impl_ != nullptr; }

  int64_t Int(int col) const { return impl_->Int(col); }
  double Double(int col) const { return impl_->Double(col); }
  double Real(int col) const { return impl_->Double(col); }
  std::string Text(int col) const { return impl_->Text(col); }
  std::string_view TextView(int col) const { return impl_->TextView(col); }
  std::string Blob(int col) const { return impl_->Blob(col); }
  bool IsNull(int col) const { return impl_->IsNull(col); }
  int ColumnCount() const { return impl_->ColumnCount(); }
  ValueType Type(int col) const { return impl_->Type(col); }
  std::optional<int64_t> OptInt(int col) const { return IsNull(col) ? std::nullopt : std::optional(Int(col)); }
  std::optional<double> OptDouble(int col) const { return IsNull(col) ? std::nullopt : std::optional(Double(col)); }
  std::optional<std::string> OptText(int col) const { return IsNull(col) ? std::nullopt : std::optional(Text(col)); }
  int64_t Changes() const { return impl_->Changes(); }
  std::optional<int64_t> InsertedId() const { return impl_->InsertedId(); }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

enum class TxnMode {
  kWrite,  // SQLite: BEGIN IMMEDIATE (writers queue); PostgreSQL: SERIALIZABLE (conflicts fail with 40001)
  kRead,   // one snapshot for every statement: SQLite BEGIN DEFERRED; PostgreSQL REPEATABLE READ, READ ONLY
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Backend backend() const = 0;
  // Fixed SQL without parameters only (DDL, several statements separated by ';').
  virtual Status Exec(std::string_view sql) = 0;
  virtual Result<Statement> Prepare(std::string_view sql) = 0;
  // An INSERT (no RETURNING clause) whose new row's `id_column` is wanted: after Run(), InsertedId() holds it,
  // or nullopt when no row was added (ON CONFLICT DO NOTHING). For hot inserts: SQLite reads its last rowid (a
  // RETURNING clause would make it stage each result, a third more CPU per imported row); PostgreSQL appends
  // RETURNING. `id_column` is the table's integer key (SQLite's rowid alias).
  virtual Result<Statement> PrepareInsert(std::string_view sql, std::string_view id_column) = 0;
  virtual Status Begin(TxnMode mode) = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool InTransaction() const = 0;
  // A table of that name in the connection's schema (SQLite: main; PostgreSQL: current_schema()).
  virtual Result<bool> TableExists(std::string_view name) = 0;
  // False once the connection is broken (the server went away); a pool replaces it.
  virtual bool Healthy() const { return true; }
  // One writer at a time across every connection to the database that asks for it, as SQLite's BEGIN IMMEDIATE
  // already is: the store's connections do, because every store write appends to the one audit log (a single
  // sequence and Merkle tree). On PostgreSQL a write transaction then runs READ COMMITTED under a transaction
  // advisory lock taken first, so each statement sees every commit made before the lock was granted and no
  // serialisation failures arise between store writers; reads stay REPEATABLE READ snapshots, taking no lock.
  // Without it (the default), kWrite is SERIALIZABLE and conflicts fail with 40001 for RunInTransaction.
  void SerializeWriters(bool on) { serialize_writers_ = on; }
  bool serialize_writers() const { return serialize_writers_; }

  // Serialises schema migrations between processes (PostgreSQL: a session advisory lock; SQLite: nothing,
  // its BEGIN IMMEDIATE already does).
  virtual Status LockMigrations() { return Status::Ok(); }
  virtual Status UnlockMigrations() { return Status::Ok(); }

  // Set by the driver when a statement or commit failed because of a serialisation failure or a deadlock
  // (SQLSTATE 40001, 40P01; SQLite SQLITE_BUSY_SNAPSHOT); cleared by Begin. RunInTransaction reruns on it.
  bool serialization_failure() const { return serialization_failure_; }
  // Test seam: the next `n` statements (Step, Exec or Commit) fail as serialisation failures.
  void InjectSerializationFailuresForTesting(int n) { injected_failures_ = n; }

  // For drivers.
  void NoteSerializationFailure() { serialization_failure_ = true; }
  void ClearSerializationFailure() { serialization_failure_ = false; }
  // True (and counted down) when an injected failure is due.
  bool TakeInjectedFailure() {
    if (injected_failures_ <= 0) return false;
    --injected_failures_;
    serialization_failure_ = true;
    return true;
  }

 private:
  bool serialization_failure_ = false;
  int injected_failures_ = 0;
  bool serialize_writers_ = false;
};

// "postgresql://..." or "postgres://..." (a libpq URI): PostgreSQL; anything else is a SQLite file path
// ("sqlite:" prefix optional).
Result<std::unique_ptr<Connection>> OpenConnection(std::string_view location);
bool IsPostgresLocation(std::string_view location);
// The location for a message or a log: a password in a URL (user:password@, password=) is never repeated.
std::string RedactLocation(std::string_view location);
// The SQLite driver over a connection the caller keeps (the SQLite store's own), sharing its transactions.
std::unique_ptr<Connection> WrapSqlite(SqliteDb& db);

// Commits on Commit(); rolls back if destroyed first.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn, TxnMode mode = TxnMode::kWrite);
  Transaction(Transaction&& o) noexcept : conn_(o.conn_) { o.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{2};  // doubled per attempt (with jitter), at most max_backoff
  std::chrono::milliseconds max_backoff{100};
};

// Runs `work` in a transaction and commits it. When the work or the commit fails with a serialisation
// failure, rolls back and runs the whole unit again, at most policy.max_attempts times in all; then fails
// with Conflict naming the attempts and the last error. Any other failure rolls back and is returned as is.
// `attempts` (optional) receives the number of attempts made.
Status RunInTransaction(Connection& conn, TxnMode mode, const std::function<Status(Connection&)>& work,
                        const RetryPolicy& policy = {}, int* attempts = nullptr);

// A fixed number of connections, each used by one thread at a time. Acquire blocks until one is free or the
// timeout passes (ResourceExhausted). A lease returned inside a transaction is rolled back; a broken
// connection is replaced from the factory at its next acquire. Every lease must end before the pool does.
class ConnectionPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<Connection>>()>;
  static Result<std::unique_ptr<ConnectionPool>> Create(size_t size, Factory factory);

  class Lease {
   public:
    Lease(Lease&& o) noexcept : pool_(o.pool_), conn_(std::move(o.conn_)) { o.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Lease> Acquire(std::chrono::milliseconds timeout);
  size_t size() const { return size_; }

 private:
  ConnectionPool(size_t size, Factory factory) : size_(size), factory_(std::move(factory)) {}
  void Release(std::unique_ptr<Connection> conn);

  const size_t size_;
  Factory factory_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// The few constructs without one spelling on both backends, as SQL text for `backend`. Use them only where
// docs/architecture.md "Portable SQL" has no portable form.
//
// A subquery yielding the integers of a JSON array bound to ?`param` (a list of ids of any length in one
// parameter): SQLite json_each, PostgreSQL json_array_elements_text.
std::string JsonIntegers(Backend backend, int param);
// An aggregate joining `expr` (text) with commas, in no defined order unless the rows are ordered first:
// SQLite group_concat, PostgreSQL string_agg.
std::string CommaList(Backend backend, std::string_view expr);

// Placeholders: rewrites ?N to $N outside string literals, quoted identifiers and comments, and checks the
// spelling (no bare ?, no ?0, no $N written by hand). `max_index` receives the highest N.
Result<std::string> RewritePlaceholders(std::string_view sql, int* max_index = nullptr);
// Checks the spelling only (the SQLite driver, so both backends refuse the same statements).
Status CheckPlaceholders(std::string_view sql);
// The statement's text for an error message (whitespace collapsed, cut at 160 characters).
std::string StatementForError(std::string_view sql);

}  // namespace riskradar::store::sql

// The SQLite driver of the SQL layer: the store's own SqliteDb/SqliteStatement (sqlite_db.h) behind the
// neutral interface, owned (OpenConnection) or borrowed (WrapSqlite, the SQLite store's connection).
#include <utility>

#include "../sqlite/sqlite_db.h"
#include "sql.h"
#include "sql_drivers.h"

namespace riskradar::store::sql {
namespace {

class SqliteConnection;

class SqliteStmt final : public StatementImpl {
 public:
  SqliteStmt(SqliteConnection* conn, SqliteStatement stmt, std::string sql, bool want_id = false)
      : conn_(conn), stmt_(std::move(stmt)), sql_(std::move(sql)), want_id_(want_id) {}
  void BindInt(int index, int64_t value) override { stmt_.Bind(index, value); }
  void BindDouble(int index, double value) override { stmt_.Bind(index, value); }
  void BindText(int index, std::string_view value) override { stmt_.Bind(index, value); }
  void BindTextView(int index, std::string_view value) override { stmt_.BindView(index, value); }
  void BindBlob(int index, std::string_view bytes) override { stmt_.BindBlob(index, bytes); }
  void BindNull(int index) override { stmt_.BindNull(index); }
  Result<bool> Step() override;
  void Reset() override { stmt_.Reset(); }
  int64_t Int(int col) const override { return stmt_.Int(col); }
  double Double(int col) const override { return stmt_.Real(col); }
  std::string Text(int col) const override { return stmt_.Text(col); }
  std::string_view TextView(int col) const override { return stmt_.TextView(col); }
  std::string Blob(int col) const override { return std::string(stmt_.BlobView(col)); }
  bool IsNull(int col) const override { return stmt_.IsNull(col); }
  int ColumnCount() const override { return stmt_.ColumnCount(); }
  ValueType Type(int col) const override {
    switch (stmt_.ColumnType(col)) {
      case SQLITE_INTEGER:
        return ValueType::kInt;
      case SQLITE_FLOAT:
        return ValueType::kDouble;
      case SQLITE_TEXT:
        return ValueType::kText;
      case SQLITE_BLOB:
        return ValueType::kBlob;
      default:
        return ValueType::kNull;
    }
  }
  int64_t Changes() const override { return changes_; }
  std::optional<int64_t> InsertedId() const override { return inserted_; }

 private:
  SqliteConnection* conn_;
  SqliteStatement stmt_;
  std::string sql_;
  int64_t changes_ = 0;
  bool want_id_ = false;
  std::optional<int64_t> inserted_;
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(std::unique_ptr<SqliteDb> owned) : owned_(std::move(owned)), db_(owned_.get()) {}
  explicit SqliteConnection(SqliteDb& borrowed) : db_(&borrowed) {}

  Backend backend() const override { return Backend::kSqlite; }
  SqliteDb& db() { return *db_; }

  Status Exec(std::string_view sql) override {
    if (TakeInjectedFailure()) return InjectedSerializationFailure(sql);
    return Checked(db_->Exec(sql), sql);
  }
  Result<Statement> Prepare(std::string_view sql) override {
    RR_RETURN_IF_ERROR(CheckPlaceholders(sql));
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status().WithContext("sqlite: preparing " + StatementForError(sql));
    return Statement(std::make_unique<SqliteStmt>(this, std::move(stmt).value(), std::string(sql)));
  }
  Result<Statement> PrepareInsert(std::string_view sql, std::string_view) override {
    RR_RETURN_IF_ERROR(CheckPlaceholders(sql));
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status().WithContext("sqlite: preparing " + StatementForError(sql));
    return Statement(std::make_unique<SqliteStmt>(this, std::move(stmt).value(), std::string(sql), true));
  }
  Status Begin(TxnMode mode) override {
    ClearSerializationFailure();
    return db_->Run(mode == TxnMode::kWrite ? SqliteDb::TxnVerb::kBeginImmediate : SqliteDb::TxnVerb::kBeginDeferred);
  }
  Status Commit() override {
    if (TakeInjectedFailure()) return InjectedSerializationFailure("COMMIT");
    return Checked(db_->Run(SqliteDb::TxnVerb::kCommit), "COMMIT");
  }
  Status Rollback() override { return db_->Run(SqliteDb::TxnVerb::kRollback); }
  bool InTransaction() const override { return db_->InTransaction(); }
  Result<bool> TableExists(std::string_view name) override {
    RR_ASSIGN_OR_RETURN(auto q, Prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1"));
    q.Bind(1, name);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    const bool exists = row && q.Int(0) > 0;
    q.Reset();
    return exists;
  }

  // A failed statement: a snapshot that cannot be upgraded to a write is SQLite's serialisation failure.
  Status Checked(Status s, std::string_view sql) {
    if (s.ok()) return s;
    if (db_->ExtendedErrorCode() == SQLITE_BUSY_SNAPSHOT) NoteSerializationFailure();
    return s.WithContext("sqlite: " + StatementForError(sql));
  }

 private:
  std::unique_ptr<SqliteDb> owned_;
  SqliteDb* db_;
};

Result<bool> SqliteStmt::Step() {
  if (conn_->TakeInjectedFailure()) return InjectedSerializationFailure(sql_);
  auto row = stmt_.Step();
  if (!row.ok()) return conn_->Checked(row.status(), sql_);
  if (!*row) {
    changes_ = conn_->db().Changes();
    if (want_id_) inserted_ = changes_ > 0 ? std::optional<int64_t>(conn_->db().LastInsertId()) : std::nullopt;
  }
  return row;
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenSqliteConnection(const std::string& path) {
  RR_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  return std::unique_ptr<Connection>(std::make_unique<SqliteConnection>(std::move(db)));
}

std::unique_ptr<Connection> WrapSqlite(SqliteDb& db) { return std::make_unique<SqliteConnection>(db); }

}  // namespace riskradar::store::sql

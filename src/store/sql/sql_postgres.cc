// The PostgreSQL driver of the SQL layer, on libpq: parameters always bound (PQexecParams; ?N rewritten to
// $N), integers as int8 and doubles as float8 in text form (shortest round-trip), blobs as binary bytea; text
// results. Serialisation failures and deadlocks (SQLSTATE 40001, 40P01) are flagged on the connection for
// RunInTransaction.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

#include "sql.h"
#include "sql_drivers.h"

namespace riskradar::store::sql {
namespace {

constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kByteaOid = 17;
constexpr Oid kBoolOid = 16;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kNumericOid = 1700;

std::string TrimMessage(const char* msg) {
  std::string out = msg ? msg : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (out.rfind("ERROR:  ", 0) == 0) out = out.substr(8);
  return out;
}

class PgConnection;

class PgStmt final : public StatementImpl {
 public:
  PgStmt(PgConnection* conn, std::string sql, std::string text, int nparams)
      : conn_(conn),
        sql_(std::move(sql)),
        text_(std::move(text)),
        values_(nparams),
        is_null_(nparams, 1),
        types_(nparams, 0),
        formats_(nparams, 0) {}
  ~PgStmt() override { PQclear(res_); }

  void BindInt(int index, int64_t value) override { Set(index, std::to_string(value), kInt8Oid, 0); }
  void BindDouble(int index, double value) override {
    if (std::isnan(value)) return Set(index, "NaN", kFloat8Oid, 0);
    if (std::isinf(value)) return Set(index, value > 0 ? "Infinity" : "-Infinity", kFloat8Oid, 0);
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, value);
    Set(index, std::string(buf, r.ptr), kFloat8Oid, 0);
  }
  void BindText(int index, std::string_view value) override {
    if (value.find('\0') != std::string_view::npos && bind_error_.empty()) {
      bind_error_ = "parameter ?" + std::to_string(index) + " holds a NUL character, which PostgreSQL text cannot";
    }
    Set(index, std::string(value), 0, 0);
  }
  void BindBlob(int index, std::string_view bytes) override { Set(index, std::string(bytes), kByteaOid, 1); }
  void BindNull(int index) override {
    if (!InRange(index)) return;
    is_null_[index - 1] = 1;
    types_[index - 1] = 0;
    formats_[index - 1] = 0;
  }
  Result<bool> Step() override;
  void Reset() override {
    PQclear(res_);
    res_ = nullptr;
    executed_ = false;
    row_ = -1;
    next_row_ = 0;
    bind_error_.clear();
    std::fill(is_null_.begin(), is_null_.end(), 1);
    std::fill(types_.begin(), types_.end(), 0);
    std::fill(formats_.begin(), formats_.end(), 0);
  }
  int64_t Int(int col) const override {
    const char* v = Value(col);
    if (!v) return 0;
    if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean
    int64_t out = 0;
    std::from_chars(v, v + std::strlen(v), out);
    return out;
  }
  double Double(int col) const override {
    const char* v = Value(col);
    if (!v) return 0;
    double out = 0;
    std::from_chars(v, v + std::strlen(v), out);
    return out;
  }
  std::string Text(int col) const override { return std::string(TextView(col)); }
  std::string_view TextView(int col) const override {
    const char* v = Value(col);
    return v ? std::string_view(v, static_cast<size_t>(PQgetlength(res_, row_, col))) : std::string_view();
  }
  std::string Blob(int col) const override {
    std::string text = Text(col);
    if (PQftype(res_, col) != kByteaOid || text.rfind("\\x", 0) != 0) return text;
    std::string out;
    out.reserve((text.size() - 2) / 2);
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (size_t i = 2; i + 1 < text.size(); i += 2) {
      out.push_back(static_cast<char>((nibble(text[i]) << 4) | nibble(text[i + 1])));
    }
    return out;
  }
  bool IsNull(int col) const override { return !res_ || row_ < 0 || PQgetisnull(res_, row_, col); }
  int64_t Changes() const override { return changes_; }
  std::optional<int64_t> InsertedId() const override { return inserted_; }
  void WantInsertedId() { want_id_ = true; }
  int ColumnCount() const override { return res_ ? PQnfields(res_) : 0; }
  ValueType Type(int col) const override {
    if (IsNull(col)) return ValueType::kNull;
    switch (PQftype(res_, col)) {
      case kInt8Oid:
      case kInt4Oid:
      case kInt2Oid:
      case kBoolOid:
        return ValueType::kInt;
      case kFloat8Oid:
      case kFloat4Oid:
      case kNumericOid:
        return ValueType::kDouble;
      case kByteaOid:
        return ValueType::kBlob;
      default:
        return ValueType::kText;
    }
  }

 private:
  bool InRange(int index) {
    if (index >= 1 && index <= static_cast<int>(values_.size())) return true;
    if (bind_error_.empty()) {
      bind_error_ =
          "parameter ?" + std::to_string(index) + " bound, but the statement has " + std::to_string(values_.size());
    }
    return false;
  }
  void Set(int index, std::string value, Oid type, int format) {
    if (!InRange(index)) return;
    values_[index - 1] = std::move(value);
    is_null_[index - 1] = 0;
    types_[index - 1] = type;
    formats_[index - 1] = format;
  }
  const char* Value(int col) const {
    if (!res_ || row_ < 0 || col < 0 || col >= PQnfields(res_) || PQgetisnull(res_, row_, col)) return nullptr;
    return PQgetvalue(res_, row_, col);
  }

  PgConnection* conn_;
  std::string sql_;   // as written (?N), for messages
  std::string text_;  // as sent ($N)
  std::vector<std::string> values_;
  std::vector<char> is_null_;
  std::vector<Oid> types_;
  std::vector<int> formats_;
  std::string bind_error_;
  bool want_id_ = false;
  std::optional<int64_t> inserted_;
  PGresult* res_ = nullptr;
  bool executed_ = false;
  int row_ = -1;
  int next_row_ = 0;
  int64_t changes_ = 0;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  ~PgConnection() override { PQfinish(conn_); }

  Backend backend() const override { return Backend::kPostgres; }
  PGconn* raw() { return conn_; }

  Status Exec(std::string_view sql) override {
    if (TakeInjectedFailure()) return InjectedSerializationFailure(sql);
    const std::string text(sql);
    PGresult* res = PQexec(conn_, text.c_str());
    Status s = Check(res, sql);
    PQclear(res);
    return s;
  }
  Result<Statement> Prepare(std::string_view sql) override {
    int nparams = 0;
    RR_ASSIGN_OR_RETURN(std::string text, RewritePlaceholders(sql, &nparams));
    return Statement(std::make_unique<PgStmt>(this, std::string(sql), std::move(text), nparams));
  }
  Result<Statement> PrepareInsert(std::string_view sql, std::string_view id_column) override {
    int nparams = 0;
    RR_ASSIGN_OR_RETURN(std::string text, RewritePlaceholders(sql, &nparams));
    text += " RETURNING " + std::string(id_column);
    auto stmt = std::make_unique<PgStmt>(this, std::string(sql), std::move(text), nparams);
    stmt->WantInsertedId();
    return Statement(std::move(stmt));
  }
  Status Begin(TxnMode mode) override {
    ClearSerializationFailure();
    const bool exclusive = mode == TxnMode::kWrite && serialize_writers();
    const char* sql = mode == TxnMode::kRead ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                      : exclusive            ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                             : "BEGIN ISOLATION LEVEL SERIALIZABLE";
    PGresult* res = PQexec(conn_, sql);
    Status s = Check(res, sql);
    PQclear(res);
    if (s.ok() && exclusive) {
      // The writer lock: released by COMMIT or ROLLBACK. Its key is the migration lock's plus one.
      constexpr const char* kLock = "SELECT pg_advisory_xact_lock(7275728)";
      res = PQexec(conn_, kLock);
      s = Check(res, kLock);
      PQclear(res);
      if (!s.ok()) (void)Rollback();
    }
    return s;
  }
  Status Commit() override {
    if (TakeInjectedFailure()) return InjectedSerializationFailure("COMMIT");
    if (PQtransactionStatus(conn_) == PQTRANS_INERROR) {
      (void)Rollback();
      return Status::FailedPrecondition(
          "postgresql: the transaction was aborted by an earlier failed statement and has been rolled back");
    }
    PGresult* res = PQexec(conn_, "COMMIT");
    Status s = Check(res, "COMMIT");
    // COMMIT of a transaction the server had already aborted answers ROLLBACK, not an error.
    if (s.ok() && std::strcmp(PQcmdStatus(res), "COMMIT") != 0) {
      s = Status::Conflict(std::string("postgresql: COMMIT was answered with ") + PQcmdStatus(res));
    }
    PQclear(res);
    return s;
  }
  Status Rollback() override {
    PGresult* res = PQexec(conn_, "ROLLBACK");
    Status s = Check(res, "ROLLBACK");
    PQclear(res);
    return s;
  }
  bool InTransaction() const override {
    const auto t = PQtransactionStatus(conn_);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
  }
  Result<bool> TableExists(std::string_view name) override {
    RR_ASSIGN_OR_RETURN(auto q, Prepare("SELECT COUNT(*) FROM information_schema.tables "
                                        "WHERE table_schema = current_schema() AND table_name = ?1"));
    q.Bind(1, name);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    const bool exists = row && q.Int(0) > 0;
    q.Reset();
    return exists;
  }
  bool Healthy() const override { return PQstatus(conn_) == CONNECTION_OK; }
  Status LockMigrations() override { return Exec("SELECT pg_advisory_lock(7275727)"); }
  Status UnlockMigrations() override { return Exec("SELECT pg_advisory_unlock(7275727)"); }

  // A result's status as a Status naming the statement; flags serialisation failures.
  Status Check(PGresult* res, std::string_view sql) {
    const auto st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return Status::Ok();
    const char* code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = code ? code : "";
    std::string msg = TrimMessage(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    if (msg.empty()) msg = TrimMessage(PQerrorMessage(conn_));
    msg = "postgresql: " + msg + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")") + " in " +
          StatementForError(sql);
    if (sqlstate == "40001" || sqlstate == "40P01") {
      NoteSerializationFailure();
      return Status::Conflict("serialisation failure: " + msg);
    }
    const std::string cls = sqlstate.substr(0, 2);
    if (cls == "23") return Status::Conflict("constraint: " + msg);
    if (cls == "22") return Status::InvalidArgument(msg);
    if (cls == "42") return Status::Internal(msg);
    return Status::IoError(msg);
  }

 private:
  PGconn* conn_;
};

Result<bool> PgStmt::Step() {
  if (!executed_) {
    executed_ = true;
    if (conn_->TakeInjectedFailure()) return InjectedSerializationFailure(sql_);
    if (!bind_error_.empty()) return Status::InvalidArgument(bind_error_ + " in " + StatementForError(sql_));
    const int n = static_cast<int>(values_.size());
    std::vector<const char*> values(n);
    std::vector<int> lengths(n);
    for (int i = 0; i < n; ++i) {
      values[i] = is_null_[i] ? nullptr : values_[i].data();
      lengths[i] = static_cast<int>(values_[i].size());
    }
    res_ =
        PQexecParams(conn_->raw(), text_.c_str(), n, types_.data(), values.data(), lengths.data(), formats_.data(), 0);
    Status s = conn_->Check(res_, sql_);
    if (!s.ok()) {
      PQclear(res_);
      res_ = nullptr;
      return s;
    }
    const char* tuples = PQcmdTuples(res_);
    changes_ = 0;
    if (tuples && *tuples) std::from_chars(tuples, tuples + std::strlen(tuples), changes_);
    if (want_id_) {  // PrepareInsert's RETURNING row
      inserted_.reset();
      if (PQntuples(res_) > 0 && !PQgetisnull(res_, 0, 0)) {
        const char* v = PQgetvalue(res_, 0, 0);
        int64_t id = 0;
        std::from_chars(v, v + std::strlen(v), id);
        inserted_ = id;
      }
    }
    next_row_ = 0;
  }
  if (res_ && next_row_ < PQntuples(res_)) {
    row_ = next_row_++;
    return true;
  }
  row_ = -1;
  return false;
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenPostgresConnection(const std::string& uri) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    std::string msg = conn ? TrimMessage(PQerrorMessage(conn)) : "out of memory";
    PQfinish(conn);
    return Status::IoError("cannot connect to PostgreSQL at " + RedactLocation(uri) + ": " + msg);
  }
  // Notices (CREATE ... IF NOT EXISTS skipping) are not errors; libpq would print them to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQsetClientEncoding(conn, "UTF8") != 0) {
    std::string msg = TrimMessage(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::IoError("PostgreSQL at " + RedactLocation(uri) + ": cannot use UTF8: " + msg);
  }
  return std::unique_ptr<Connection>(std::make_unique<PgConnection>(conn));
}

}  // namespace riskradar::store::sql

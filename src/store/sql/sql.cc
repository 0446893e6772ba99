// The backend-neutral parts of the SQL layer: statements' Run, transactions, the retry helper, the pool and
// the placeholder scanner.
#include "sql.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <thread>

#include "sql_drivers.h"

namespace riskradar::store::sql {

std::string_view BackendName(Backend backend) { return backend == Backend::kSqlite ? "sqlite" : "postgresql"; }

// The location for an error message: a password in the URI is never repeated.
std::string RedactLocation(std::string_view location) {
  std::string uri(location);
  const size_t scheme = uri.find("://");
  const size_t at = uri.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    const size_t colon = uri.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) uri.replace(colon + 1, at - colon - 1, "***");
  }
  const size_t pw = uri.find("password=");
  if (pw != std::string::npos) {
    const size_t end = uri.find_first_of("& ", pw);
    uri.replace(pw + 9, (end == std::string::npos ? uri.size() : end) - pw - 9, "***");
  }
  return uri;
}

std::string JsonIntegers(Backend backend, int param) {
  const std::string p = "?" + std::to_string(param);
  if (backend == Backend::kSqlite) return "SELECT value FROM json_each(" + p + ")";
  return "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(" + p + " AS json))";
}

std::string CommaList(Backend backend, std::string_view expr) {
  if (backend == Backend::kSqlite) return "group_concat(" + std::string(expr) + ", ',')";
  return "string_agg(" + std::string(expr) + ", ',')";
}

Status Statement::Run() {
  return ForEachRow([] {});
}

Result<std::optional<int64_t>> Statement::RunForId() {
  auto row = Step();
  if (!row.ok()) {
    Reset();
    return row.status();
  }
  std::optional<int64_t> id;
  if (*row) {
    id = Int(0);  // the RETURNING row; then the statement to its end
    RR_RETURN_IF_ERROR(Run());
  } else {
    // Done already (never stepped again: SQLite would run the insert a second time). No row back: a
    // PrepareInsert statement on SQLite (its last rowid), or an insert that added nothing.
    id = InsertedId();
    Reset();
  }
  return id;
}

Result<int64_t> Statement::RunForNewId(std::string_view what) {
  RR_ASSIGN_OR_RETURN(const std::optional<int64_t> id, RunForId());
  if (!id) return Status::Internal("inserting " + std::string(what) + " returned no id");
  return *id;
}

bool IsPostgresLocation(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

Result<std::unique_ptr<Connection>> OpenConnection(std::string_view location) {
  if (IsPostgresLocation(location)) return OpenPostgresConnection(std::string(location));
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.empty()) return Status::InvalidArgument("empty database location");
  return OpenSqliteConnection(path);
}

Status InjectedSerializationFailure(std::string_view sql) {
  return Status::Conflict("serialisation failure (injected for testing) in " + StatementForError(sql));
}

// ---------------------------------------------------------------- transactions

Result<Transaction> Transaction::Begin(Connection& conn, TxnMode mode) {
  RR_RETURN_IF_ERROR(conn.Begin(mode));
  return Transaction(&conn);
}

Transaction::~Transaction() {
  // Rolling back is the safe outcome of any early return; its error is moot.
  if (conn_ && conn_->InTransaction()) (void)conn_->Rollback();
}

Status Transaction::Commit() {
  Connection* conn = conn_;
  conn_ = nullptr;
  Status s = conn->Commit();
  if (!s.ok() && conn->InTransaction()) (void)conn->Rollback();
  return s;
}

Status RunInTransaction(Connection& conn, TxnMode mode, const std::function<Status(Connection&)>& work,
                        const RetryPolicy& policy, int* attempts) {
  const int max_attempts = std::max(1, policy.max_attempts);
  thread_local std::minstd_rand jitter(std::random_device{}());
  auto backoff = policy.first_backoff;
  for (int attempt = 1;; ++attempt) {
    if (attempts) *attempts = attempt;
    Status s = conn.Begin(mode);
    if (s.ok()) s = work(conn);
    if (s.ok()) s = conn.Commit();
    if (s.ok()) return s;
    const bool retryable = conn.serialization_failure();
    if (conn.InTransaction()) (void)conn.Rollback();
    if (!retryable) return s;
    if (attempt >= max_attempts) {
      return Status::Conflict("gave up after " + std::to_string(attempt) +
                              " attempts, each ended by a serialisation failure (another transaction changed "
                              "the same data); last: " +
                              s.message());
    }
    // Full jitter: concurrent losers do not retry in lock step.
    const auto wait_us = std::chrono::duration_cast<std::chrono::microseconds>(backoff).count();
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us > 0 ? jitter() % (wait_us + 1) : 0));
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

// ---------------------------------------------------------------- pool

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(size_t size, Factory factory) {
  if (size == 0) return Status::InvalidArgument("a connection pool needs at least one connection");
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(size, std::move(factory)));
  for (size_t i = 0; i < size; ++i) {
    auto conn = pool->factory_();
    if (!conn.ok()) return conn.status().WithContext("opening the connection pool");
    pool->idle_.push_back(std::move(conn).value());
  }
  return pool;
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire(std::chrono::milliseconds timeout) {
  std::unique_ptr<Connection> conn;
  {
    std::unique_lock lock(mu_);
    if (!freed_.wait_for(lock, timeout, [&] { return !idle_.empty(); })) {
      return Status::ResourceExhausted("no database connection free within " + std::to_string(timeout.count()) +
                                       " ms (all " + std::to_string(size_) + " of the pool in use)");
    }
    conn = std::move(idle_.back());
    idle_.pop_back();
  }
  if (!conn->Healthy()) {
    auto fresh = factory_();
    if (!fresh.ok()) {
      Release(std::move(conn));  // keeps the pool's size; the next acquire tries again
      return fresh.status().WithContext("replacing a broken pooled connection");
    }
    conn = std::move(fresh).value();
  }
  return Lease(this, std::move(conn));
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  if (conn->InTransaction()) (void)conn->Rollback();
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

ConnectionPool::Lease::~Lease() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

// ---------------------------------------------------------------- placeholders

namespace {

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// Scans `sql`, copying it to `out` (when not null) with ?N rewritten to $N.
Status ScanPlaceholders(std::string_view sql, std::string* out, int* max_index) {
  int highest = 0;
  const size_t n = sql.size();
  size_t i = 0;
  auto copy = [&](size_t from, size_t to) {
    if (out) out->append(sql.substr(from, to - from));
  };
  auto bad = [&](std::string what) {
    return Status::InvalidArgument(what + " at offset " + std::to_string(i) + " in: " + StatementForError(sql));
  };
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // A string literal or a quoted identifier; a doubled quote is one quote. E'...' takes backslash escapes.
      const bool backslash =
          c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentChar(sql[i - 2]));
      size_t j = i + 1;
      while (true) {
        if (j >= n) return bad(c == '\'' ? "unterminated string literal" : "unterminated quoted identifier");
        if (backslash && sql[j] == '\\') {
          j += 2;
        } else if (sql[j] == c) {
          if (j + 1 < n && sql[j + 1] == c) {
            j += 2;
          } else {
            break;
          }
        } else {
          ++j;
        }
      }
      copy(i, j + 1);
      i = j + 1;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      size_t j = sql.find('\n', i);
      j = j == std::string_view::npos ? n : j;
      copy(i, j);
      i = j;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      size_t j = sql.find("*/", i + 2);
      if (j == std::string_view::npos) return bad("unterminated comment");
      copy(i, j + 2);
      i = j + 2;
    } else if (c == '?') {
      size_t j = i + 1;
      while (j < n && std::isdigit(static_cast<unsigned char>(sql[j]))) ++j;
      if (j == i + 1) return bad("a bare ? (write numbered parameters: ?1, ?2, ...)");
      if (j - i - 1 > 5) return bad("parameter number too large");
      const int index = std::stoi(std::string(sql.substr(i + 1, j - i - 1)));
      if (index < 1 || index > 32767) return bad("parameter numbers run from ?1 to ?32767");
      highest = std::max(highest, index);
      if (out) {
        out->push_back('$');
        out->append(sql.substr(i + 1, j - i - 1));
      }
      i = j;
    } else if (c == '$' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])) &&
               (i == 0 || !IsIdentChar(sql[i - 1]))) {
      return bad("a $N parameter (write ?N: the PostgreSQL driver rewrites it)");
    } else {
      if (out) out->push_back(c);
      ++i;
    }
  }
  if (max_index) *max_index = highest;
  return Status::Ok();
}

}  // namespace

Result<std::string> RewritePlaceholders(std::string_view sql, int* max_index) {
  std::string out;
  out.reserve(sql.size());
  RR_RETURN_IF_ERROR(ScanPlaceholders(sql, &out, max_index));
  return out;
}

Status CheckPlaceholders(std::string_view sql) { return ScanPlaceholders(sql, nullptr, nullptr); }

std::string StatementForError(std::string_view sql) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= 160) {
      out += "...";
      break;
    }
  }
  return "`" + out + "`";
}

}  // namespace riskradar::store::sql

// The SQL layer's driver conformance suite (issue 16): the same test bodies on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "sql_test_db.h"

namespace riskradar::store::sql {
namespace conformance_test {

class SqlConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto conn = db_->Open();
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
    ASSERT_TRUE(conn_->Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, s TEXT, i BIGINT, d DOUBLE PRECISION)").ok());
    ASSERT_TRUE(conn_->Exec("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)").ok());
    ASSERT_TRUE(conn_->Exec("INSERT INTO counter (id, n) VALUES (1, 0)").ok());
  }

  std::unique_ptr<Connection> OpenAnother() {
    auto conn = db_->Open();
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  int64_t Count(Connection& conn, std::string_view table = "t") {
    auto q = conn.Prepare("SELECT COUNT(*) FROM " + std::string(table));
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    auto row = q->Step();
    EXPECT_TRUE(row.ok() && *row);
    const int64_t n = q->Int(0);
    q->Reset();
    return n;
  }

  int64_t CounterValue(Connection& conn) {
    auto q = conn.Prepare("SELECT n FROM counter WHERE id = 1");
    EXPECT_TRUE(q.ok());
    auto row = q->Step();
    EXPECT_TRUE(row.ok() && *row);
    const int64_t n = q->Int(0);
    q->Reset();
    return n;
  }

  Status Insert(Connection& conn, int64_t id, std::string_view s) {
    RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("INSERT INTO t (id, s) VALUES (?1, ?2)"));
    return q.Bind(1, id).Bind(2, s).Run();
  }

  // For the SQLite interferer: give up on the write lock quickly instead of the store's 10 s.
  void ShortBusyTimeout(Connection& conn) {
    if (conn.backend() == Backend::kSqlite) {
      ASSERT_TRUE(conn.Exec("PRAGMA busy_timeout = 100").ok());
    }
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Connection> conn_;
};

TEST_P(SqlConformance, HostileStringsAreBoundNeverSpliced) {
  const std::vector<std::string> values = {
      "O'Brien",
      "'; DROP TABLE t; --",
      "'); DELETE FROM counter; SELECT ('",
      "\"double\" quotes and `backticks`",
      "back\\slash \\' \\\\ E'\\x41'",
      "?1 ?2 $1 $2 :name @p %s {}",
      "émigré, 日本語, Ελληνικά, עברית \u200f, 😀 (astral)",
      "",
      "tab\tnew\nline\rcarriage",
      "/* not a comment */ -- nor this",
      std::string(100000, 'x') + "'",
  };
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(Insert(*conn_, static_cast<int64_t>(i), values[i]).ok()) << i;
  }
  auto q = conn_->Prepare("SELECT s FROM t WHERE id = ?1");
  ASSERT_TRUE(q.ok());
  for (size_t i = 0; i < values.size(); ++i) {
    q->Bind(1, static_cast<int64_t>(i));
    auto row = q->Step();
    ASSERT_TRUE(row.ok() && *row) << i;
    EXPECT_EQ(q->Text(0), values[i]) << i;
    q->Reset();
  }
  // Found by value too, and nothing was dropped or deleted.
  auto by_value = conn_->Prepare("SELECT id FROM t WHERE s = ?1");
  ASSERT_TRUE(by_value.ok());
  by_value->Bind(1, values[1]);
  auto row = by_value->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(by_value->Int(0), 1);
  by_value->Reset();
  EXPECT_EQ(Count(*conn_), static_cast<int64_t>(values.size()));
  EXPECT_EQ(Count(*conn_, "counter"), 1);
}

TEST_P(SqlConformance, NullsFromOptionalsAndUnboundParameters) {
  auto ins = conn_->Prepare("INSERT INTO t (id, s, i, d) VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->Bind(1, 1)
                  .Bind(2, std::optional<std::string>())
                  .Bind(3, std::optional<int64_t>())
                  .Bind(4, std::optional<double>())
                  .Run()
                  .ok());
  // An unbound parameter is NULL (and Run reset the bindings of the last row).
  ASSERT_TRUE(ins->Bind(1, 2).Run().ok());
  ASSERT_TRUE(ins->Bind(1, 3).Bind(2, std::optional<std::string>("x")).Bind(3, std::optional<int64_t>(7)).Run().ok());
  auto q = conn_->Prepare("SELECT id, s, i, d FROM t ORDER BY id");
  ASSERT_TRUE(q.ok());
  std::vector<std::tuple<int64_t, std::optional<std::string>, std::optional<int64_t>, std::optional<double>>> rows;
  ASSERT_TRUE(q->ForEachRow([&] { rows.emplace_back(q->Int(0), q->OptText(1), q->OptInt(2), q->OptDouble(3)); }).ok());
  ASSERT_EQ(rows.size(), 3u);
  for (int r = 0; r < 2; ++r) {
    EXPECT_FALSE(std::get<1>(rows[r]).has_value());
    EXPECT_FALSE(std::get<2>(rows[r]).has_value());
    EXPECT_FALSE(std::get<3>(rows[r]).has_value());
  }
  EXPECT_EQ(std::get<1>(rows[2]), "x");
  EXPECT_EQ(std::get<2>(rows[2]), 7);
  EXPECT_FALSE(std::get<3>(rows[2]).has_value());
  auto nulls = conn_->Prepare("SELECT COUNT(*) FROM t WHERE s IS NULL AND i IS NULL");
  ASSERT_TRUE(nulls.ok());
  auto row = nulls->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(nulls->Int(0), 2);
}

TEST_P(SqlConformance, Int64ExtremesAndDoublesRoundTrip) {
  const std::vector<int64_t> ints = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 0, -1,
                                     (int64_t{1} << 53) + 1};
  const std::vector<double> doubles = {0.1,
                                       -2.5,
                                       3.141592653589793,
                                       1e-300,
                                       std::numeric_limits<double>::max(),
                                       std::numeric_limits<double>::lowest(),
                                       std::numeric_limits<double>::min(),
                                       std::numeric_limits<double>::infinity(),
                                       -std::numeric_limits<double>::infinity(),
                                       123456789.123456789};
  auto ins = conn_->Prepare("INSERT INTO t (id, i, d) VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(ins.ok());
  const size_t n = std::max(ints.size(), doubles.size());
  for (size_t k = 0; k < n; ++k) {
    ins->Bind(1, static_cast<int64_t>(k));
    if (k < ints.size()) ins->Bind(2, ints[k]);
    if (k < doubles.size()) ins->Bind(3, doubles[k]);
    ASSERT_TRUE(ins->Run().ok()) << k;
  }
  auto q = conn_->Prepare("SELECT i, d FROM t WHERE id = ?1");
  ASSERT_TRUE(q.ok());
  for (size_t k = 0; k < n; ++k) {
    q->Bind(1, static_cast<int64_t>(k));
    auto row = q->Step();
    ASSERT_TRUE(row.ok() && *row);
    if (k < ints.size()) {
      EXPECT_EQ(q->Int(0), ints[k]) << k;
    }
    if (k < doubles.size()) {
      EXPECT_EQ(q->Double(1), doubles[k]) << k;
    }
    q->Reset();
  }
  // Compared in SQL against a bound extreme, and arithmetic stays 64-bit.
  auto max = conn_->Prepare("SELECT id, i - 1 FROM t WHERE i = ?1");
  ASSERT_TRUE(max.ok());
  max->Bind(1, std::numeric_limits<int64_t>::max());
  auto row = max->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(max->Int(0), 1);
  EXPECT_EQ(max->Int(1), std::numeric_limits<int64_t>::max() - 1);
}

TEST_P(SqlConformance, BlobsRoundTripEveryByte) {
  ASSERT_TRUE(conn_
                  ->Exec(db_->Ddl("CREATE TABLE b (id BIGINT PRIMARY KEY, v BLOB NOT NULL)",
                                  "CREATE TABLE b (id BIGINT PRIMARY KEY, v BYTEA NOT NULL)"))
                  .ok());
  std::string bytes;
  for (int c = 0; c < 256; ++c) bytes.push_back(static_cast<char>(c));
  auto ins = conn_->Prepare("INSERT INTO b (id, v) VALUES (?1, ?2)");
  ASSERT_TRUE(ins.ok());
  ASSERT_TRUE(ins->Bind(1, 1).BindBlob(2, bytes).Run().ok());
  ASSERT_TRUE(ins->Bind(1, 2).BindBlob(2, "").Run().ok());
  auto q = conn_->Prepare("SELECT v FROM b ORDER BY id");
  ASSERT_TRUE(q.ok());
  std::vector<std::string> got;
  ASSERT_TRUE(q->ForEachRow([&] { got.push_back(q->Blob(0)); }).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], bytes);
  EXPECT_EQ(got[1], "");
}

TEST_P(SqlConformance, QuestionMarksInLiteralsAreTextAndBarePlaceholdersAreRefused) {
  auto q = conn_->Prepare("INSERT INTO t (id, s) VALUES (?1, 'a ?2 ''b'' -- c /* d */ $1') -- ?3 is commented out");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_TRUE(q->Bind(1, 5).Run().ok());
  auto sel = conn_->Prepare("SELECT s FROM t WHERE id = ?1 AND s <> '?1'");
  ASSERT_TRUE(sel.ok());
  sel->Bind(1, 5);
  auto row = sel->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(sel->Text(0), "a ?2 'b' -- c /* d */ $1");
  sel->Reset();
  for (const char* bad : {"SELECT s FROM t WHERE id = ?", "SELECT s FROM t WHERE id = $1",
                          "SELECT s FROM t WHERE id = ?0", "SELECT 'unterminated ?1"}) {
    auto refused = conn_->Prepare(bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_P(SqlConformance, ErrorsNameTheStatement) {
  ASSERT_TRUE(Insert(*conn_, 1, "a").ok());
  Status dup = Insert(*conn_, 1, "b");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.code(), StatusCode::kConflict) << dup.ToString();
  EXPECT_NE(dup.message().find("INSERT INTO t (id, s) VALUES (?1, ?2)"), std::string::npos) << dup.ToString();
  // A statement the database cannot run fails at Prepare (SQLite) or at its first Step (PostgreSQL), naming it.
  auto bad = conn_->Prepare("SELECT no_such_column FROM t WHERE id = ?1");
  Status s = bad.ok() ? bad->Bind(1, 1).Run() : bad.status();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no_such_column"), std::string::npos) << s.ToString();
}

TEST_P(SqlConformance, ChangesReturningAndOnConflictDoNothing) {
  ASSERT_TRUE(conn_
                  ->Exec(db_->Ddl("CREATE TABLE auto (id INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE)",
                                  "CREATE TABLE auto (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                                  "s TEXT NOT NULL UNIQUE)"))
                  .ok());
  auto ins = conn_->Prepare("INSERT INTO auto (s) VALUES (?1) ON CONFLICT (s) DO NOTHING RETURNING id");
  ASSERT_TRUE(ins.ok());
  std::vector<int64_t> ids;
  for (const char* s : {"a", "b", "a"}) {
    ins->Bind(1, s);
    auto row = ins->Step();
    ASSERT_TRUE(row.ok()) << row.status().ToString();
    if (*row) ids.push_back(ins->Int(0));
    ins->Reset();
  }
  ASSERT_EQ(ids.size(), 2u);  // the second "a" was ignored
  EXPECT_LT(ids[0], ids[1]);
  auto upd = conn_->Prepare("UPDATE auto SET s = s || ?1");
  ASSERT_TRUE(upd.ok());
  ASSERT_TRUE(upd->Bind(1, "!").Run().ok());
  EXPECT_EQ(upd->Changes(), 2);
}

// The dialect helpers: an id list of any length in one parameter, and a comma-joined aggregate, give the same
// answers on both backends; a text column read as a view holds the same bytes as a copy.
TEST_P(SqlConformance, DialectHelpersAgreeAcrossBackends) {
  for (int64_t id : {1, 2, 3, 5, 8}) ASSERT_TRUE(Insert(*conn_, id, "s" + std::to_string(id)).ok());
  auto in = conn_->Prepare("SELECT id, s FROM t WHERE id IN (" + JsonIntegers(conn_->backend(), 1) + ") ORDER BY id");
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  std::vector<std::string> seen;
  in->Bind(1, "[8, 2, 13, 5, -9223372036854775808]");
  ASSERT_TRUE(in->ForEachRow([&] { seen.push_back(std::to_string(in->Int(0)) + std::string(in->TextView(1))); }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"2s2", "5s5", "8s8"}));
  in->Bind(1, "[]");
  seen.clear();
  ASSERT_TRUE(in->ForEachRow([&] { seen.push_back("row"); }).ok());
  EXPECT_TRUE(seen.empty());
  auto list = conn_->Prepare("SELECT " + CommaList(conn_->backend(), "s") +
                             " FROM (SELECT s FROM t WHERE id < ?1 ORDER BY id) x");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  list->Bind(1, int64_t{4});
  auto row = list->Step();
  ASSERT_TRUE(row.ok() && *row) << row.status().ToString();
  std::string joined = list->Text(0);
  list->Reset();
  std::sort(joined.begin(), joined.end());  // the aggregate's order is not defined: compare the letters
  EXPECT_EQ(joined, ",,123sss");
}

// PrepareInsert: the new row's id after each run, and none when ON CONFLICT DO NOTHING added no row.
TEST_P(SqlConformance, PrepareInsertReadsTheNewIdOrNone) {
  ASSERT_TRUE(conn_
                  ->Exec(db_->Ddl("CREATE TABLE ins (id INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE)",
                                  "CREATE TABLE ins (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                                  "s TEXT NOT NULL UNIQUE)"))
                  .ok());
  auto ins = conn_->PrepareInsert("INSERT INTO ins (s) VALUES (?1) ON CONFLICT (s) DO NOTHING", "id");
  ASSERT_TRUE(ins.ok()) << ins.status().ToString();
  std::vector<std::optional<int64_t>> ids;
  for (const char* s : {"a", "b", "a", "c"}) {
    const std::string text = s;
    ASSERT_TRUE(ins->BindView(1, text).Run().ok());
    ids.push_back(ins->InsertedId());
  }
  ASSERT_EQ(ids.size(), 4u);
  ASSERT_TRUE(ids[0] && ids[1] && ids[3]);
  EXPECT_FALSE(ids[2]) << "the second \"a\" added no row";
  EXPECT_LT(*ids[0], *ids[1]);
  EXPECT_LT(*ids[1], *ids[3]);
  auto q = conn_->Prepare("SELECT id FROM ins WHERE s = ?1");
  ASSERT_TRUE(q.ok());
  q->Bind(1, "c");
  auto row = q->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(q->Int(0), *ids[3]);
  q->Reset();
}

TEST_P(SqlConformance, CommitIsVisibleElsewhereAndRollbackLeavesNothing) {
  auto other = OpenAnother();
  ASSERT_TRUE(other);
  {
    auto txn = Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(Insert(*conn_, 1, "one").ok());
    ASSERT_TRUE(Insert(*conn_, 2, "two").ok());
    EXPECT_EQ(Count(*other), 0);  // not yet committed
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(Count(*other), 2);
  {
    auto txn = Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(Insert(*conn_, 3, "three").ok());
    ASSERT_TRUE(conn_->Exec("UPDATE counter SET n = 99").ok());
    // destroyed without Commit: rolled back
  }
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Count(*other), 2);
  EXPECT_EQ(CounterValue(*other), 0);
}

TEST_P(SqlConformance, AFailedUnitOfWorkWritesNothing) {
  int attempts = 0;
  Status s = RunInTransaction(
      *conn_, TxnMode::kWrite,
      [&](Connection& c) -> Status {
        RR_RETURN_IF_ERROR(Insert(c, 1, "first"));
        RR_RETURN_IF_ERROR(c.Exec("UPDATE counter SET n = n + 1"));
        return Insert(c, 1, "duplicate key");
      },
      {}, &attempts);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(attempts, 1);  // a constraint is not a serialisation failure: not retried
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Count(*conn_), 0);
  EXPECT_EQ(CounterValue(*conn_), 0);
}

// The unit of work both conflict tests run: read the counter, let `interfere` write it from another connection,
// then write what was read plus one.
Status IncrementAfter(Connection& c, const std::function<void()>& interfere) {
  RR_ASSIGN_OR_RETURN(auto q, c.Prepare("SELECT n FROM counter WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("no counter");
  const int64_t n = q.Int(0);
  q.Reset();
  interfere();
  RR_ASSIGN_OR_RETURN(auto upd, c.Prepare("UPDATE counter SET n = ?1 WHERE id = 1"));
  return upd.Bind(1, n + 1).Run();
}

// Another connection changes the row this unit of work read, before it writes. PostgreSQL (SERIALIZABLE) fails the
// write with 40001 and the unit is rerun on the new value; SQLite's writers queue (BEGIN IMMEDIATE), so the other
// connection cannot write meanwhile. Either way no update is lost.
TEST_P(SqlConformance, AConflictingWriteIsRetriedAndNoUpdateIsLost) {
  auto other = OpenAnother();
  ASSERT_TRUE(other);
  ShortBusyTimeout(*other);
  bool interfered = false;
  int runs = 0;
  int attempts = 0;
  Status s = RunInTransaction(
      *conn_, TxnMode::kWrite,
      [&](Connection& c) {
        return IncrementAfter(c, [&] {
          if (runs++ == 0) interfered = other->Exec("UPDATE counter SET n = n + 100 WHERE id = 1").ok();
        });
      },
      {}, &attempts);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(CounterValue(*conn_), (interfered ? 100 : 0) + 1);
  if (GetParam() == Backend::kPostgres) {
    EXPECT_TRUE(interfered);
    EXPECT_EQ(attempts, 2);
  } else {
    EXPECT_FALSE(interfered);
    EXPECT_EQ(attempts, 1);
  }
}

TEST_P(SqlConformance, SerialisationFailuresAreRetriedThenSucceed) {
  conn_->InjectSerializationFailuresForTesting(2);
  int attempts = 0;
  Status s = RunInTransaction(
      *conn_, TxnMode::kWrite, [&](Connection& c) { return Insert(c, 1, "once"); }, {}, &attempts);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(Count(*conn_), 1);
}

TEST_P(SqlConformance, TheRetryBoundGivesAClearError) {
  conn_->InjectSerializationFailuresForTesting(1000);
  RetryPolicy policy;
  policy.max_attempts = 3;
  int attempts = 0;
  Status s = RunInTransaction(
      *conn_, TxnMode::kWrite, [&](Connection& c) { return Insert(c, 1, "never"); }, policy, &attempts);
  conn_->InjectSerializationFailuresForTesting(0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(attempts, 3);
  EXPECT_NE(s.message().find("gave up after 3 attempts"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("serialisation failure"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("INSERT INTO t"), std::string::npos) << s.ToString();
  EXPECT_EQ(Count(*conn_), 0);
}

// The same race every attempt: PostgreSQL gives up at the bound; on SQLite the other writer never gets in.
TEST_P(SqlConformance, AConflictOnEveryAttemptReachesTheBound) {
  auto other = OpenAnother();
  ASSERT_TRUE(other);
  ShortBusyTimeout(*other);
  RetryPolicy policy;
  policy.max_attempts = 3;
  int interfered = 0;
  int attempts = 0;
  Status s = RunInTransaction(
      *conn_, TxnMode::kWrite,
      [&](Connection& c) {
        return IncrementAfter(c, [&] {
          if (other->Exec("UPDATE counter SET n = n + 100 WHERE id = 1").ok()) ++interfered;
        });
      },
      policy, &attempts);
  if (GetParam() == Backend::kPostgres) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kConflict);
    EXPECT_EQ(attempts, 3);
    EXPECT_NE(s.message().find("gave up after 3 attempts"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("40001"), std::string::npos) << s.ToString();
    EXPECT_EQ(CounterValue(*conn_), 100 * interfered);
  } else {
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(interfered, 0);
    EXPECT_EQ(CounterValue(*conn_), 1);
  }
}

// Connections that serialise their writers (the store's) queue for the write instead of conflicting: each
// read-then-write unit runs once, none is retried, and no update is lost.
TEST_P(SqlConformance, SerialisedWritersQueueAndNeverConflict) {
  constexpr int kThreads = 6, kEach = 20;
  std::atomic<int> attempts_total{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto conn = db_->Open();
      if (!conn.ok()) {
        ++failures;
        return;
      }
      (*conn)->SerializeWriters(true);
      for (int i = 0; i < kEach; ++i) {
        int attempts = 0;
        const Status s = RunInTransaction(
            **conn, TxnMode::kWrite,
            [](Connection& c) {
              return IncrementAfter(c, [] { std::this_thread::sleep_for(std::chrono::microseconds(200)); });
            },
            {}, &attempts);
        if (!s.ok()) ++failures;
        attempts_total += attempts;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(attempts_total.load(), kThreads * kEach);  // not one rerun
  EXPECT_EQ(CounterValue(*conn_), kThreads * kEach);
}

TEST_P(SqlConformance, ThirtyTwoConcurrentWritersThroughThePoolAllLand) {
  const std::string location = db_->location();
  auto pool = ConnectionPool::Create(4, [location] { return OpenConnection(location); });
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  constexpr int kWriters = 32;
  constexpr int kRowsEach = 10;
  std::atomic<int> retries{0};
  std::vector<Status> results(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto lease = (*pool)->Acquire(std::chrono::seconds(60));
      if (!lease.ok()) {
        results[w] = lease.status();
        return;
      }
      RetryPolicy policy;
      policy.max_attempts = 100;  // every writer bumps one counter row: PostgreSQL conflicts often
      int attempts = 0;
      results[w] = RunInTransaction(
          **lease, TxnMode::kWrite,
          [&](Connection& c) -> Status {
            for (int r = 0; r < kRowsEach; ++r) {
              RR_RETURN_IF_ERROR(Insert(c, w * 1000 + r, "writer " + std::to_string(w)));
            }
            return c.Exec("UPDATE counter SET n = n + 1 WHERE id = 1");
          },
          policy, &attempts);
      retries += attempts - 1;
    });
  }
  for (auto& t : threads) t.join();
  for (int w = 0; w < kWriters; ++w) EXPECT_TRUE(results[w].ok()) << w << ": " << results[w].ToString();
  EXPECT_EQ(Count(*conn_), kWriters * kRowsEach);
  EXPECT_EQ(CounterValue(*conn_), kWriters);
  RecordProperty("retries", retries.load());
}

TEST_P(SqlConformance, ThePoolTimesOutAndRollsBackWhatIsReturnedOpen) {
  const std::string location = db_->location();
  auto pool = ConnectionPool::Create(1, [location] { return OpenConnection(location); });
  ASSERT_TRUE(pool.ok());
  {
    auto lease = (*pool)->Acquire(std::chrono::milliseconds(100));
    ASSERT_TRUE(lease.ok());
    auto none = (*pool)->Acquire(std::chrono::milliseconds(50));
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().code(), StatusCode::kResourceExhausted);
    EXPECT_NE(none.status().message().find("within 50 ms"), std::string::npos) << none.status().ToString();
    ASSERT_TRUE((*lease)->Begin(TxnMode::kWrite).ok());
    ASSERT_TRUE(Insert(**lease, 1, "left open").ok());
  }  // returned inside its transaction
  auto again = (*pool)->Acquire(std::chrono::milliseconds(100));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->InTransaction());
  EXPECT_EQ(Count(**again), 0);
}

TEST_P(SqlConformance, AReadTransactionSeesOneSnapshot) {
  ASSERT_TRUE(Insert(*conn_, 1, "before").ok());
  auto reader = OpenAnother();
  ASSERT_TRUE(reader);
  auto txn = Transaction::Begin(*reader, TxnMode::kRead);
  ASSERT_TRUE(txn.ok());
  EXPECT_EQ(Count(*reader), 1);
  ASSERT_TRUE(Insert(*conn_, 2, "after").ok());
  EXPECT_EQ(Count(*reader), 1);
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(Count(*reader), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlConformance, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         BackendTestName);

}  // namespace conformance_test
}  // namespace riskradar::store::sql

// The PostgreSQL schema (src/store/sql/pg_schema.h) against the SQLite one (src/store/sqlite/sqlite_schema.h):
// the same migration numbers, applied by the same runner, giving the same tables and columns with the same
// nullability and broad type, and triggers that keep the same invariants. Fails when the two drift.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "../../src/store/sql/migrate.h"
#include "../../src/store/sql/pg_schema.h"
#include "../../src/store/sqlite/sqlite_schema.h"
#include "riskradar/store/store.h"
#include "sql_test_db.h"

namespace riskradar::store::sql {
namespace schema_test {

struct Column {
  bool not_null = false;
  std::string type_class;  // integer, real, text, blob
  bool operator==(const Column&) const = default;
};
using Schema = std::map<std::string, std::map<std::string, Column>>;

std::string TypeClass(std::string type) {
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type.find("int") != std::string::npos) return "integer";
  if (type == "real" || type.find("double") != std::string::npos || type.find("float") != std::string::npos) {
    return "real";
  }
  if (type == "text" || type.find("char") != std::string::npos) return "text";
  if (type == "blob" || type == "bytea") return "blob";
  return "other:" + type;
}

Result<Schema> Describe(Connection& conn) {
  Schema out;
  if (conn.backend() == Backend::kSqlite) {
    // A primary key column is NOT NULL (SQLite's INTEGER PRIMARY KEY is the rowid, never NULL).
    RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("SELECT m.name, p.name, p.\"notnull\", p.pk, p.type FROM sqlite_master m "
                                             "JOIN pragma_table_info(m.name) p WHERE m.type = 'table' "
                                             "AND m.name NOT LIKE 'sqlite_%'"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] {
      out[q.Text(0)][q.Text(1)] = Column{q.Int(2) != 0 || q.Int(3) != 0, TypeClass(q.Text(4))};
    }));
  } else {
    RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("SELECT table_name, column_name, is_nullable, data_type "
                                             "FROM information_schema.columns WHERE table_schema = current_schema()"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] {
      out[q.Text(0)][q.Text(1)] = Column{q.Text(2) == "NO", TypeClass(q.Text(3))};
    }));
  }
  return out;
}

std::string Differences(const Schema& sqlite, const Schema& pg) {
  std::ostringstream out;
  std::set<std::string> tables;
  for (const auto& [t, _] : sqlite) tables.insert(t);
  for (const auto& [t, _] : pg) tables.insert(t);
  for (const auto& t : tables) {
    auto a = sqlite.find(t);
    auto b = pg.find(t);
    if (a == sqlite.end()) {
      out << "table " << t << ": only in PostgreSQL\n";
      continue;
    }
    if (b == pg.end()) {
      out << "table " << t << ": only in SQLite\n";
      continue;
    }
    std::set<std::string> cols;
    for (const auto& [c, _] : a->second) cols.insert(c);
    for (const auto& [c, _] : b->second) cols.insert(c);
    for (const auto& c : cols) {
      auto x = a->second.find(c);
      auto y = b->second.find(c);
      if (x == a->second.end() || y == b->second.end()) {
        out << t << "." << c << ": only in " << (x == a->second.end() ? "PostgreSQL" : "SQLite") << "\n";
      } else if (!(x->second == y->second)) {
        out << t << "." << c << ": SQLite " << x->second.type_class << (x->second.not_null ? " NOT NULL" : "")
            << ", PostgreSQL " << y->second.type_class << (y->second.not_null ? " NOT NULL" : "") << "\n";
      }
    }
  }
  return out.str();
}

struct Migrated {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<Connection> conn;
};

Migrated MigrateFresh(Backend backend) {
  Migrated m;
  auto db = TestDatabase::Create(backend);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return m;
  m.db = std::move(db).value();
  auto conn = m.db->Open();
  EXPECT_TRUE(conn.ok()) << conn.status().ToString();
  if (!conn.ok()) return m;
  m.conn = std::move(conn).value();
  std::span<const Migration> migrations = backend == Backend::kSqlite ? std::span<const Migration>(kSqliteMigrations)
                                                                      : std::span<const Migration>(kPostgresMigrations);
  Status s = ApplyMigrations(*m.conn, migrations, false);
  EXPECT_TRUE(s.ok()) << BackendName(backend) << ": " << s.ToString();
  return m;
}

TEST(PostgresSchema, HasTheSameMigrationNumbers) {
  std::vector<int> sqlite, pg;
  for (const auto& m : kSqliteMigrations) sqlite.push_back(m.version);
  for (const auto& m : kPostgresMigrations) pg.push_back(m.version);
  EXPECT_EQ(sqlite, pg);
  EXPECT_EQ(pg.back(), 20);
}

TEST(PostgresSchema, MatchesTheSqliteSchemaTableByTableColumnByColumn) {
  Migrated sqlite = MigrateFresh(Backend::kSqlite);
  Migrated pg = MigrateFresh(Backend::kPostgres);
  ASSERT_TRUE(sqlite.conn && pg.conn);
  auto a = Describe(*sqlite.conn);
  auto b = Describe(*pg.conn);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_GT(a->size(), 40u);
  EXPECT_EQ(Differences(*a, *b), "");
  // The runner recorded the same versions on both, and a second run has nothing to do.
  for (Connection* conn : {sqlite.conn.get(), pg.conn.get()}) {
    auto status =
        ReadSchemaStatus(*conn, conn->backend() == Backend::kSqlite ? std::span<const Migration>(kSqliteMigrations)
                                                                    : std::span<const Migration>(kPostgresMigrations));
    ASSERT_TRUE(status.ok()) << status.status().ToString();
    EXPECT_EQ(status->current, 20);
    EXPECT_TRUE(status->pending.empty());
    EXPECT_TRUE(status->unknown.empty());
  }
  EXPECT_TRUE(ApplyMigrations(*pg.conn, kPostgresMigrations, false).ok());
}

TEST(PostgresSchema, ANewerDatabaseIsRefusedAsOnSqlite) {
  Migrated pg = MigrateFresh(Backend::kPostgres);
  ASSERT_TRUE(pg.conn);
  ASSERT_TRUE(pg.conn->Exec("INSERT INTO schema_migration (version, applied_at) VALUES (99, 'later')").ok());
  Status s = ApplyMigrations(*pg.conn, kPostgresMigrations, false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("newer riskradar"), std::string::npos) << s.ToString();
}

// The triggers keep the same invariants on both: generations move with what they count, review versions move
// with decisions, every break-glass grant raises its alert; the export key is 32 random bytes.
class SchemaTriggers : public ::testing::TestWithParam<Backend> {};

int64_t One(Connection& conn, std::string_view sql) {
  auto q = conn.Prepare(sql);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return -1;
  auto row = q->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return row.ok() && *row ? q->Int(0) : -1;
}

TEST_P(SchemaTriggers, BehaveTheSameOnBothBackends) {
  Migrated m = MigrateFresh(GetParam());
  ASSERT_TRUE(m.conn);
  Connection& c = *m.conn;
  const int64_t radar = One(c, "SELECT n FROM radar_generation WHERE id = 1");
  const int64_t records = One(c, "SELECT n FROM person_record_generation WHERE id = 1");
  auto person = c.Prepare(
      "INSERT INTO person (id, active, display_name, dob, sex, district, is_child, "
      "person_of_concern, mention_count) VALUES (?1, 1, ?2, NULL, 'F', 'North', 1, 0, 0)");
  ASSERT_TRUE(person.ok());
  ASSERT_TRUE(person->Bind(1, 7).Bind(2, "Child A").Run().ok());
  EXPECT_EQ(One(c, "SELECT n FROM radar_generation WHERE id = 1"), radar + 1);
  EXPECT_EQ(One(c, "SELECT n FROM person_record_generation WHERE id = 1"), records + 1);
  // A change the radar does not count moves only the record generation.
  ASSERT_TRUE(c.Exec("UPDATE person SET display_name = 'Child B' WHERE id = 7").ok());
  EXPECT_EQ(One(c, "SELECT n FROM radar_generation WHERE id = 1"), radar + 1);
  EXPECT_EQ(One(c, "SELECT n FROM person_record_generation WHERE id = 1"), records + 2);
  ASSERT_TRUE(c.Exec("UPDATE person SET district = 'South' WHERE id = 7").ok());
  EXPECT_EQ(One(c, "SELECT n FROM radar_generation WHERE id = 1"), radar + 2);

  ASSERT_TRUE(
      c.Exec("INSERT INTO agency (code, name, kind, area) VALUES ('CSC', 'Children', 'council', 'North')").ok());
  auto user = c.Prepare(
      "INSERT INTO app_user (name, agency_code, role, password_hash, totp_secret, created_at, "
      "updated_at) VALUES (?1, 'CSC', 'practitioner', 'x', 'y', 'now', 'now') RETURNING id");
  ASSERT_TRUE(user.ok());
  user->Bind(1, "pat");
  auto row = user->Step();
  ASSERT_TRUE(row.ok() && *row) << row.status().ToString();
  const int64_t user_id = user->Int(0);
  user->Reset();
  auto grant = c.Prepare(
      "INSERT INTO break_glass (user_id, person_id, reason, granted_at, expires_at_s) "
      "VALUES (?1, 7, 'urgent', 'now', 0)");
  ASSERT_TRUE(grant.ok());
  ASSERT_TRUE(grant->Bind(1, user_id).Run().ok());
  EXPECT_EQ(One(c, "SELECT COUNT(*) FROM ig_alert WHERE agency_code = 'CSC' AND kind = 'break_glass'"), 1);

  auto key = c.Prepare("SELECT key FROM export_key WHERE id = 1");
  ASSERT_TRUE(key.ok());
  row = key->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(key->Blob(0).size(), 32u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchemaTriggers, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         BackendTestName);

}  // namespace schema_test
}  // namespace riskradar::store::sql

namespace riskradar::store::sql {
namespace schema_test {

// A PostgreSQL store names its key files and witness (no file to put them beside); a server that cannot be
// reached is an I/O error whose message never repeats the URL's password.
TEST(PostgresStore, NeedsItsKeyFilesNamedAndNeverRepeatsAPassword) {
  const std::string url = "postgresql://rr:hunter2@127.0.0.1:1/rr";
  auto store = OpenStore(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  for (const char* named : {"[keys] audit", "[keys] totp", "[keys] audit_witness"}) {
    EXPECT_NE(store.status().message().find(named), std::string::npos) << store.status().ToString();
  }
  StoreOptions keys;
  keys.audit_key_path = "/nonexistent/audit-key";
  keys.totp_key_path = "/nonexistent/totp-key";
  keys.audit_witness_path = "/nonexistent/audit-witness";
  store = OpenStore(url, keys);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << store.status().ToString();
  EXPECT_EQ(store.status().ToString().find("hunter2"), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().ToString().find("rr:***@127.0.0.1:1"), std::string::npos) << store.status().ToString();
  EXPECT_EQ(RedactLocation(url), "postgresql://rr:***@127.0.0.1:1/rr");
  EXPECT_EQ(RedactLocation("host=db password=hunter2 dbname=rr"), "host=db password=*** dbname=rr");
  EXPECT_EQ(RedactLocation("/var/lib/riskradar/rr.db"), "/var/lib/riskradar/rr.db");
}

}  // namespace schema_test
}  // namespace riskradar::store::sql

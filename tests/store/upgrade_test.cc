// Upgrades (issue 18 item 4): a store written by an earlier schema is refused by every command but
// `riskradar migrate` (StoreOptions::migrate), which upgrades it with its data intact; a store written by a newer
// riskradar is refused by both, unchanged.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "../../src/store/sqlite/sqlite_schema.h"
#include "riskradar/store/operations.h"
#include "riskradar/store/store.h"

namespace riskradar::store {
namespace upgrade_test {

namespace fs = std::filesystem;

int64_t SqlInt(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &q, nullptr);
  const int64_t n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
  sqlite3_finalize(q);
  sqlite3_close(h);
  return n;
}

// A store as riskradar wrote it when migration 5 was its newest (migrations 1, 2, 3, 5), with an agency, an
// import batch, a record and two mentions of children.
void WriteSchema5Store(const std::string& db) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  std::string sql = "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";
  for (const Migration& m : kSqliteMigrations) {
    if (m.version <= 5)
      sql += std::string(m.sql) + "INSERT INTO schema_migration VALUES (" + std::to_string(m.version) + ", 'x');";
  }
  sql +=
      "INSERT INTO agency VALUES ('wmp', 'West Midlands Police', 'police', 'West Midlands');"
      "INSERT INTO import_batch (agency_code, file, file_hash, format, record_class, lawful_basis, status, "
      "started_at) VALUES ('wmp', 'f.csv', 'h', 'f', 'police_intelligence', 'b', 'complete', 'x');"
      "INSERT INTO source_record VALUES (1, 1, 'wmp', 'r1', 1, '{}', 'c1', 'police_intelligence', 'b');"
      "INSERT INTO person_mention VALUES (1, 1, 'subject', 'child', 'p1', 'Amy', 'Synthetic', NULL, 'female', "
      "'', '', '');"
      "INSERT INTO person_mention VALUES (2, 1, 'subject', 'child', 'p2', 'Bea', 'Synthetic', NULL, 'female', "
      "'', '', '');";
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(h);
}

// The riskradar binary's exit code and its output (stdout and stderr).
std::pair<int, std::string> RunCli(const std::string& args) {
  const std::string command = std::string(RISKRADAR_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class UpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-upgrade-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "old.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string db_;
};

TEST_F(UpgradeTest, AnEarlierSchemaIsRefusedByCommandsAndUpgradedByMigrateWithItsData) {
  WriteSchema5Store(db_);
  const int64_t newest = kSqliteMigrations.back().version;
  auto status = ReadSchemaStatus(db_);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->current, 5);
  EXPECT_EQ(status->newest, newest);
  EXPECT_EQ(status->pending.front(), 6);
  EXPECT_EQ(status->pending.size(), kSqliteMigrations.size() - 4);
  EXPECT_TRUE(status->unknown.empty());

  // Any other command: refused, naming the versions and what to run, and nothing changes.
  auto refused = OpenStore(db_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("schema version 5"), std::string::npos) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("riskradar migrate"), std::string::npos);
  EXPECT_NE(refused.status().message().find(db_), std::string::npos) << "names the store";
  EXPECT_EQ(SqlInt(db_, "SELECT MAX(version) FROM schema_migration"), 5);

  // `riskradar migrate`: every pending migration, in order, and the data survives.
  {
    auto s = OpenStoreForMigration(db_, StoreOptions{});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto agencies = (*s)->ListAgencies();
    ASSERT_TRUE(agencies.ok());
    ASSERT_EQ(agencies->size(), 1u);
    EXPECT_EQ(agencies->front().name, "West Midlands Police");
    auto mentions = (*s)->LoadPersonMentions();
    ASSERT_TRUE(mentions.ok()) << mentions.status().ToString();
    ASSERT_EQ(mentions->size(), 2u);
    EXPECT_EQ((*mentions)[0].mention.forename, "Amy");
    EXPECT_EQ((*mentions)[1].mention.forename, "Bea");
    auto counts = (*s)->Counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->batches, 1);
    EXPECT_EQ(counts->source_records, 1);
    // The upgraded store takes new writes of the newest schema.
    AuditEvent e;
    e.actor.user = "operator";
    e.action = "upgrade_check";
    ASSERT_TRUE((*s)->AppendAudit(e).ok());
    EXPECT_TRUE((*s)->VerifyAudit()->ok);
  }
  EXPECT_EQ(SqlInt(db_, "SELECT MAX(version) FROM schema_migration"), newest);
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM schema_migration"), static_cast<int64_t>(kSqliteMigrations.size()));
  EXPECT_TRUE(ReadSchemaStatus(db_)->pending.empty());
  // Now every command opens it.
  EXPECT_TRUE(OpenStore(db_).ok());
}

TEST_F(UpgradeTest, AStoreWrittenByANewerRiskradarIsRefusedEvenByMigrate) {
  ASSERT_TRUE(OpenStore(db_).ok());  // a new store: set up at the newest schema
  const int64_t newest = kSqliteMigrations.back().version;
  const std::string future = std::to_string(newest + 40);
  ASSERT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM schema_migration"), static_cast<int64_t>(kSqliteMigrations.size()));
  {
    sqlite3* h = nullptr;
    sqlite3_open(db_.c_str(), &h);
    ASSERT_EQ(sqlite3_exec(h, ("INSERT INTO schema_migration VALUES (" + future + ", 'x')").c_str(), nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(h);
  }
  EXPECT_EQ(ReadSchemaStatus(db_)->unknown, std::vector<int64_t>{newest + 40});
  for (const bool migrate : {false, true}) {
    auto s = migrate ? OpenStoreForMigration(db_, StoreOptions{}) : OpenStore(db_);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.status().message().find("newer riskradar"), std::string::npos) << s.status().ToString();
    EXPECT_NE(s.status().message().find(future), std::string::npos);
  }
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM schema_migration"), static_cast<int64_t>(kSqliteMigrations.size()) + 1);
  EXPECT_EQ(ReadSchemaStatus((dir_ / "absent.db").string()).status().code(), StatusCode::kNotFound);
}

// The operator's view: a command on the old store exits 4 naming `riskradar migrate`; `migrate --status` changes
// nothing; `migrate` upgrades; then the command works.
TEST_F(UpgradeTest, TheCommandLineRefusesThenMigratesOnRequest) {
  WriteSchema5Store(db_);
  const std::string newest = std::to_string(kSqliteMigrations.back().version);
  const auto [refused, refusal] = RunCli("status --db " + db_);
  EXPECT_EQ(refused, 4) << refusal;
  EXPECT_NE(refusal.find("riskradar migrate"), std::string::npos) << refusal;
  const auto [looked, status] = RunCli("migrate --status --db " + db_);
  EXPECT_EQ(looked, 0) << status;
  EXPECT_NE(status.find("schema version 5; this riskradar knows up to " + newest), std::string::npos) << status;
  EXPECT_NE(status.find("pending migrations: 6,"), std::string::npos) << status;
  EXPECT_EQ(SqlInt(db_, "SELECT MAX(version) FROM schema_migration"), 5);
  const auto [migrated, output] = RunCli("migrate --db " + db_);
  EXPECT_EQ(migrated, 0) << output;
  EXPECT_NE(output.find("migrated: schema version 5 -> " + newest), std::string::npos) << output;
  const auto [ok, summary] = RunCli("status --db " + db_);
  EXPECT_EQ(ok, 0) << summary;
  const auto [again, nothing] = RunCli("migrate --db " + db_);
  EXPECT_EQ(again, 0) << nothing;
  EXPECT_NE(nothing.find("up to date"), std::string::npos) << nothing;
}

}  // namespace upgrade_test
}  // namespace riskradar::store

// The audit log as an RFC 6962 Merkle tree with signed checkpoints: tampering with the SQLite file directly
// (edit, delete, reorder, truncate, forge) is detected; proofs verify against the signed roots.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "../../src/store/sqlite/sqlite_schema.h"
#include "riskradar/core/hash.h"
#include "riskradar/core/merkle.h"
#include "riskradar/store/operations.h"
#include "riskradar/store/store.h"

namespace riskradar::store {
namespace audit_test {

namespace fs = std::filesystem;

class AuditTree : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-audit-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
    options_.checkpoint_interval = 4;
    Reopen();
    for (int i = 0; i < 10; ++i) {
      AuditEvent e;
      e.actor = {"user" + std::to_string(i), "bcc", "analyst", "test"};
      e.action = "read_child";
      e.target = "person:" + std::to_string(i);
      e.details = "{}";
      ASSERT_TRUE(store_->AppendAudit(e).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = OpenStore(db_, options_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  // Changes the database behind the store's back, as an attacker with file access would.
  void Sql(const std::string& sql) {
    store_.reset();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);
    Reopen();
  }
  AuditCheck Verify() {
    auto c = store_->VerifyAudit();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : AuditCheck{};
  }

  fs::path dir_;
  std::string db_;
  StoreOptions options_;
  std::unique_ptr<Store> store_;
};

TEST_F(AuditTree, IntactLogVerifiesAgainstSignedCheckpoints) {
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.events, 10);
  ASSERT_TRUE(c.latest.has_value());
  EXPECT_EQ(c.latest->tree_size, 10);
  EXPECT_EQ(c.latest->root_hash, c.root_hash);
  EXPECT_EQ(c.checkpoints_checked, 3);  // kept at 4 and 8, plus the head at 10
  auto cps = store_->AuditCheckpoints();
  ASSERT_TRUE(cps.ok());
  EXPECT_EQ(cps->kept.size(), 2u);
  // The key file is private; its public half is published beside it.
  struct stat st {};
  ASSERT_EQ(::stat((db_ + ".audit-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(fs::exists(db_ + ".audit-key.pub"));
}

TEST_F(AuditTree, EditedEventIsDetected) {
  Sql("UPDATE audit_event SET target = 'person:999' WHERE seq = 3");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("event 3"), std::string::npos) << c.problem;
}

TEST_F(AuditTree, EditWithRecomputedLeafHashIsDetectedByTheSignedRoot) {
  // The attacker knows the leaf format and rewrites the leaf hash too; only the signed root catches it.
  AuditEvent e;
  e.seq = 3;
  {
    auto all = OpenStore(db_, options_);
    ASSERT_TRUE(all.ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT at_utc FROM audit_event WHERE seq = 3", -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  const std::string at = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
  std::string leaf = std::string(1, '\x01') + std::string(7, '\0') + std::string(1, '\x03');
  for (std::string f : {at, std::string("user2"), std::string("bcc"), std::string("analyst"), std::string("test"),
                        std::string("read_child"), std::string("person:999"), std::string("ok"), std::string("{}")}) {
    const uint32_t n = static_cast<uint32_t>(f.size());
    for (int s = 24; s >= 0; s -= 8) leaf.push_back(static_cast<char>((n >> s) & 0xff));
    leaf += f;
  }
  Sql("UPDATE audit_event SET target = 'person:999', leaf_hash = '" + merkle::ToHex(merkle::LeafHash(leaf)) +
      "' WHERE seq = 3");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("do not match the signed checkpoint"), std::string::npos) << c.problem;
}

TEST_F(AuditTree, DeletedEventIsDetected) {
  Sql("DELETE FROM audit_event WHERE seq = 5");
  EXPECT_FALSE(Verify().ok);
}

TEST_F(AuditTree, DeleteAndRenumberIsDetected) {
  Sql("DELETE FROM audit_event WHERE seq = 5; UPDATE audit_event SET seq = seq - 1 WHERE seq > 5");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
}

TEST_F(AuditTree, ReorderedEventsAreDetected) {
  Sql("UPDATE audit_event SET seq = -1 WHERE seq = 2; UPDATE audit_event SET seq = 2 WHERE seq = 6; "
      "UPDATE audit_event SET seq = 6 WHERE seq = -1");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
}

TEST_F(AuditTree, TruncationIsDetected) {
  Sql("DELETE FROM audit_event WHERE seq > 7");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("truncation"), std::string::npos) << c.problem;
}

TEST_F(AuditTree, ForgedHeadIsDetected) {
  Sql("UPDATE audit_tree SET root_hash = '" + std::string(64, 'a') + "'");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("signature"), std::string::npos) << c.problem;
}

TEST_F(AuditTree, RemovedHeadIsDetected) {
  Sql("DELETE FROM audit_tree");
  EXPECT_FALSE(Verify().ok);
}

TEST_F(AuditTree, CheckpointFromAnotherKeyIsRefused) {
  // Re-signing with a fresh key (as someone without the real key would) fails against the trusted key.
  StoreOptions other = options_;
  other.audit_key_path = (dir_ / "other.key").string();
  store_.reset();
  {
    // The other key comes from elsewhere (an empty store's first event makes one): no store makes a new key
    // for a log that already has events.
    StoreOptions scratch = other;
    scratch.audit_witness_path = (dir_ / "scratch.witness").string();
    auto empty = OpenStore((dir_ / "scratch.db").string(), scratch);
    ASSERT_TRUE(empty.ok());
    AuditEvent e;
    e.action = "x";
    ASSERT_TRUE((*empty)->AppendAudit(e).ok());
  }
  {
    auto s = OpenStore(db_, other);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->SignAuditCheckpoint().ok());
  }
  Reopen();
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("trusted audit key"), std::string::npos) << c.problem;
}

// Issue 18: with the key file moved away, a command signed the log with a new key it made on the spot, and
// verification with that new key said "ok". A missing key is never made for a log that has events.
TEST_F(AuditTree, MissingKeyIsNeverMadeForALogWithEvents) {
  fs::rename(db_ + ".audit-key", dir_ / "elsewhere.key");
  Reopen();
  AuditEvent e;
  e.action = "x";
  const Status s = store_->AppendAudit(e);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find(db_ + ".audit-key"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("--audit-key"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("[keys] audit"), std::string::npos) << s.ToString();
  EXPECT_FALSE(fs::exists(db_ + ".audit-key"));
  EXPECT_EQ(store_->SignAuditCheckpoint().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(db_ + ".audit-key"));
  EXPECT_EQ(store_->Counts()->audit_events, 10) << "the refused append wrote nothing";
  // Pointed at the key where it is, the same store appends and verifies.
  options_.audit_key_path = (dir_ / "elsewhere.key").string();
  Reopen();
  ASSERT_TRUE(store_->AppendAudit(e).ok());
  EXPECT_TRUE(Verify().ok);
}

// `riskradar keys rotate --audit`: the old key signs a last kept checkpoint over an event naming the new key;
// verification passes across the rotation, trusting the old key only up to that size.
TEST_F(AuditTree, RotatedKeyVerifiesAcrossTheRotationAndTheOldKeySignsNothingNew) {
  fs::copy_file(db_ + ".audit-key", dir_ / "old.key");
  auto rotated = store_->RotateAuditKey(Actor{"cli:ops", "", "administrator", "key rotation"});
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  EXPECT_NE(rotated->old_public_key, rotated->new_public_key);
  EXPECT_EQ(rotated->old_last_size, 11);
  EXPECT_EQ(rotated->new_first_size, 12);
  struct stat st {};
  ASSERT_EQ(::stat((db_ + ".audit-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream pub(db_ + ".audit-key.pub");
  std::string hex;
  pub >> hex;
  EXPECT_EQ(hex, rotated->new_public_key);
  EXPECT_FALSE(fs::exists(db_ + ".audit-key.next"));
  for (int i = 0; i < 6; ++i) {
    AuditEvent e;
    e.action = "read_child";
    ASSERT_TRUE(store_->AppendAudit(e).ok());
  }
  Reopen();
  AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.events, 18);
  EXPECT_EQ(c.latest->public_key, rotated->new_public_key);
  // Both rotation events are in the log, the first naming the new key.
  auto events = store_->QueryAuditEvents(AuditQuery{"", "audit_key_rotate", "", "", 0, 10, "", ""});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_NE((*events)[0].details.find(rotated->new_public_key), std::string::npos);
  // Without the retired-key list the old key's checkpoints are not trusted: it is what carries the trust.
  fs::rename(db_ + ".audit-key.retired", dir_ / "retired.saved");
  Reopen();
  c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("trusted audit key"), std::string::npos) << c.problem;
  fs::rename(dir_ / "retired.saved", db_ + ".audit-key.retired");
  // The old key (a leaked copy) signing after the rotation is refused: it is trusted up to size 11 only.
  StoreOptions leaked = options_;
  leaked.audit_key_path = (dir_ / "old.key").string();
  store_.reset();
  {
    auto s = OpenStore(db_, leaked);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->SignAuditCheckpoint().ok());
  }
  Reopen();
  c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("not signed by the trusted audit key"), std::string::npos) << c.problem;
}

TEST_F(AuditTree, RotationNeedsAKey) {
  fs::rename(db_ + ".audit-key", dir_ / "elsewhere.key");
  Reopen();
  const Status s = store_->RotateAuditKey(Actor{}).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_FALSE(fs::exists(db_ + ".audit-key"));
}

TEST_F(AuditTree, ReadableKeyFileIsRefused) {
  fs::permissions(db_ + ".audit-key", fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  Reopen();
  AuditEvent e;
  e.action = "x";
  const Status s = store_->AppendAudit(e);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(s.message().find("seed"), std::string::npos);  // the error names the file, not its content
}

TEST_F(AuditTree, VerifyWithOnlyThePublicKey) {
  std::ifstream pub(db_ + ".audit-key.pub");
  std::string hex;
  pub >> hex;
  fs::rename(db_ + ".audit-key", dir_ / "moved.key");
  fs::remove(db_ + ".audit-key.pub");
  options_.audit_public_key = hex;
  Reopen();
  EXPECT_TRUE(Verify().ok);
  options_.audit_public_key = std::string(64, '0');
  Reopen();
  EXPECT_FALSE(Verify().ok);
}

TEST_F(AuditTree, ProofsVerifyAgainstTheSignedRoots) {
  const AuditCheck c = Verify();
  ASSERT_TRUE(c.latest);
  const merkle::Hash root = *merkle::FromHex(c.latest->root_hash);
  for (int64_t seq = 1; seq <= 10; ++seq) {
    auto p = store_->AuditInclusionProof(seq, 10);
    ASSERT_TRUE(p.ok());
    std::vector<merkle::Hash> path;
    for (const auto& h : p->path) path.push_back(*merkle::FromHex(h));
    EXPECT_TRUE(merkle::VerifyInclusion(*merkle::FromHex(p->leaf_hash), seq - 1, 10, path, root));
  }
  auto cps = store_->AuditCheckpoints();
  ASSERT_TRUE(cps.ok());
  for (const auto& cp : cps->kept) {
    auto p = store_->AuditConsistencyProof(cp.tree_size, 10);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->old_root_hash, cp.root_hash);
    std::vector<merkle::Hash> path;
    for (const auto& h : p->path) path.push_back(*merkle::FromHex(h));
    EXPECT_TRUE(merkle::VerifyConsistency(cp.tree_size, 10, *merkle::FromHex(cp.root_hash), root, path));
  }
}

TEST_F(AuditTree, LogInjectionStaysOneEvent) {
  AuditEvent e;
  e.actor = {"mallory\nseq=11 user=admin action=login outcome=ok", "bcc", "analyst", "test"};
  e.action = "login";
  e.target = "user:x\r\n{\"forged\":true}";
  ASSERT_TRUE(store_->AppendAudit(e).ok());
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.events, 11);
}

TEST_F(AuditTree, BatchAppendSignsOnce) {
  std::vector<AuditEvent> events(100);
  for (auto& e : events) e.action = "bulk";
  ASSERT_TRUE(store_->AppendAuditBatch(events).ok());
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.events, 110);
  EXPECT_EQ(c.latest->tree_size, 110);
}

// Several connections appending at once (as the server's workers do), starting before any key exists:
// one key is created, every append lands, the sequence has no gaps and the tree verifies.
TEST(AuditConcurrency, ParallelAppendersShareOneKeyAndOneGaplessTree) {
  const fs::path dir = fs::temp_directory_path() / ("rr-audit-conc-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "c.db").string();
  ASSERT_TRUE(OpenStore(db).ok());  // migrate once
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto s = OpenStore(db);
      if (!s.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < 20; ++i) {
        AuditEvent e;
        e.actor.user = "worker" + std::to_string(t);
        e.action = "read_child";
        if (!(*s)->AppendAudit(e).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto s = OpenStore(db);
  ASSERT_TRUE(s.ok());
  auto c = (*s)->VerifyAudit();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->ok) << c->problem;
  EXPECT_EQ(c->events, 120);
  fs::remove_all(dir);
}

// A store written by schema 1 (hash chain) is checked, re-hashed as Merkle leaves and signed on upgrade.
void WriteSchema1Store(const std::string& path, bool break_chain) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string schema =
      "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);"
      "INSERT INTO schema_migration VALUES (1, 'then');" +
      std::string(kSqliteMigrations[0].sql);
  ASSERT_EQ(sqlite3_exec(db, schema.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  std::string prev(64, '0');
  for (int seq = 1; seq <= 3; ++seq) {
    nlohmann::json j = {{"seq", seq},         {"at", "2025-01-01T00:00:00.000Z"},
                        {"user", "pipeline"}, {"agency", ""},
                        {"role", "system"},   {"purpose", "safeguarding analysis"},
                        {"action", "import"}, {"target", "batch:" + std::to_string(seq)},
                        {"outcome", "ok"},    {"details", "{}"},
                        {"prev", prev}};
    const std::string leaf = HashHex(j.dump());
    const std::string target = break_chain && seq == 2 ? "batch:99" : "batch:" + std::to_string(seq);
    const std::string sql = "INSERT INTO audit_event VALUES (" + std::to_string(seq) +
                            ", '2025-01-01T00:00:00.000Z', 'pipeline', '', 'system', 'safeguarding analysis', "
                            "'import', '" +
                            target + "', 'ok', '{}', '" + prev + "', '" + leaf + "')";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    prev = leaf;
  }
  sqlite3_close(db);
}

TEST(AuditUpgrade, Schema1ChainIsCheckedRehashedAndSigned) {
  const fs::path dir = fs::temp_directory_path() / ("rr-audit-upgrade-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string good = (dir / "good.db").string(), bad = (dir / "bad.db").string();
  WriteSchema1Store(good, false);
  WriteSchema1Store(bad, true);
  {
    // `riskradar migrate`: only it upgrades an existing store.
    auto s = OpenStoreForMigration(good, StoreOptions{});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto c = (*s)->VerifyAudit();
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(c->ok) << c->problem;
    EXPECT_EQ(c->events, 3);
    ASSERT_TRUE(c->latest);
    EXPECT_EQ(c->latest->tree_size, 3);
    AuditEvent e;
    e.action = "after_upgrade";
    ASSERT_TRUE((*s)->AppendAudit(e).ok());
    EXPECT_TRUE((*s)->VerifyAudit()->ok);
  }
  auto broken = OpenStoreForMigration(bad, StoreOptions{});
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption) << broken.status().ToString();
  fs::remove_all(dir);
}

}  // namespace audit_test
}  // namespace riskradar::store

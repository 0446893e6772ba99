// `audit verify` on a log longer than one verification chunk (65,536 events), which is checked in parallel
// chunks joined in order: an intact log verifies against checkpoints inside chunks, on chunk boundaries and at
// the end; edits, deletions and truncation anywhere are still found, and reported as a sequential scan would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <set>

#include "riskradar/core/merkle.h"
#include "riskradar/store/store.h"

namespace riskradar::store {
namespace audit_verify_test {

namespace fs = std::filesystem;

constexpr int64_t kEvents = 140000;

class AuditVerifyChunks : public ::testing::Test {
 protected:
  // Built once: batches of 4,096 up to 65,536 (a checkpoint kept at each multiple of 4,096, so one on the first
  // chunk boundary), an explicit checkpoint at 70,001, one batch ending exactly on the second boundary
  // (131,072), and the head at 140,000.
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("rr-audit-chunks-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "template");
    const std::string db = (dir_ / "template" / "a.db").string();
    StoreOptions options;
    options.checkpoint_interval = 4096;
    auto store = OpenStore(db, options);
    ASSERT_TRUE(store.ok());
    int64_t size = 0;
    auto append = [&](int64_t count) {
      std::vector<AuditEvent> events(static_cast<size_t>(count));
      for (auto& e : events) {
        ++size;
        e.at_utc = "2025-06-01T12:00:00.000Z";
        e.actor = {"user" + std::to_string(size % 7), "bcc", "practitioner", "test"};
        e.action = "read_child";
        e.target = "person:" + std::to_string(size);
        e.details = "{}";
      }
      ASSERT_TRUE((*store)->AppendAuditBatch(events).ok());
    };
    while (size < 65536) append(4096);
    append(70001 - size);
    ASSERT_TRUE((*store)->SignAuditCheckpoint().ok());
    append(131072 - size);
    append(kEvents - size);
    ASSERT_EQ(size, kEvents);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // Each test works on its own copy of the template store.
  void SetUp() override {
    work_ = dir_ / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(work_);
    fs::copy(dir_ / "template", work_);
    db_ = (work_ / "a.db").string();
  }
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);
  }
  AuditCheck Verify() {
    auto s = OpenStore(db_);
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return {};
    auto c = (*s)->VerifyAudit();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : AuditCheck{};
  }
  // The leaf hash of an event as the store computes it (the layout is in sqlite_store.h).
  static std::string LeafHex(int64_t seq, std::initializer_list<std::string> fields) {
    std::string leaf(1, '\x01');
    for (int s = 56; s >= 0; s -= 8) leaf.push_back(static_cast<char>((static_cast<uint64_t>(seq) >> s) & 0xff));
    for (const std::string& f : fields) {
      const auto n = static_cast<uint32_t>(f.size());
      for (int s = 24; s >= 0; s -= 8) leaf.push_back(static_cast<char>((n >> s) & 0xff));
      leaf += f;
    }
    return merkle::ToHex(merkle::LeafHash(leaf));
  }

  static inline fs::path dir_;
  fs::path work_;
  std::string db_;
};

TEST_F(AuditVerifyChunks, IntactLogVerifiesAcrossChunks) {
  auto s = OpenStore(db_);
  ASSERT_TRUE(s.ok());
  auto cps = (*s)->AuditCheckpoints();
  ASSERT_TRUE(cps.ok());
  std::set<int64_t> sizes;
  for (const auto& c : cps->kept) sizes.insert(c.tree_size);
  for (int64_t expected : {4096, 65536, 70001, 131072, 140000}) EXPECT_TRUE(sizes.count(expected)) << expected;
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.events, kEvents);
  EXPECT_EQ(c.checkpoints_checked, static_cast<int64_t>(cps->kept.size()) + 1);  // and the head
  ASSERT_TRUE(c.latest);
  EXPECT_EQ(c.root_hash, c.latest->root_hash);
  // The same root as the reference computation over every stored leaf hash.
  auto proof = (*s)->AuditConsistencyProof(70001, kEvents);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->root_hash, c.root_hash);
}

TEST_F(AuditVerifyChunks, AnEditWithARecomputedLeafInTheSecondChunkFailsItsCheckpoint) {
  Sql("UPDATE audit_event SET target = 'person:1', leaf_hash = '" +
      LeafHex(100000, {"2025-06-01T12:00:00.000Z", "user" + std::to_string(100000 % 7), "bcc", "practitioner", "test",
                       "read_child", "person:1", "ok", "{}"}) +
      "' WHERE seq = 100000");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("the first 131072 events do not match"), std::string::npos) << c.problem;
}

TEST_F(AuditVerifyChunks, AnEditedEventIsNamedByItsSequenceNumber) {
  Sql("UPDATE audit_event SET target = 'person:1' WHERE seq = 70002");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("audit event 70002: content does not match"), std::string::npos) << c.problem;
  EXPECT_EQ(c.events, 65536);  // the chunks before the one holding the edit were joined
}

TEST_F(AuditVerifyChunks, AGapAtAChunkBoundaryIsFound) {
  Sql("DELETE FROM audit_event WHERE seq = 65537");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("expected 65537"), std::string::npos) << c.problem;
}

TEST_F(AuditVerifyChunks, AMissingLastEventOfAChunkIsFound) {
  Sql("DELETE FROM audit_event WHERE seq = 131072");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("131072"), std::string::npos) << c.problem;
}

TEST_F(AuditVerifyChunks, TruncationAndStrayEventsAreFound) {
  Sql("DELETE FROM audit_event WHERE seq > 139000");
  AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("truncation"), std::string::npos) << c.problem;
  SetUp();  // a fresh copy
  Sql("UPDATE audit_event SET seq = -5 WHERE seq = 140000");
  c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("below 1"), std::string::npos) << c.problem;
}

}  // namespace audit_verify_test
}  // namespace riskradar::store

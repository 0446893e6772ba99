// The audit witness (issue 11 item 8): a copy of the store taken earlier, restored over a store that has
// grown since, verifies on its own signed checkpoints but fails against the witness, and so does the restored
// copy once it has grown past the witnessed size. Also the file modes of the store's files (item 9).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "riskradar/store/store.h"

namespace riskradar::store {
namespace audit_witness_test {

namespace fs = std::filesystem;

class AuditWitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-witness-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "w.db").string();
    witness_ = db_ + ".audit-witness";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> Open() {
    StoreOptions o;
    o.checkpoint_interval = 4;
    auto s = OpenStore(db_, o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static void Append(Store& s, int n, const std::string& who) {
    for (int i = 0; i < n; ++i) {
      AuditEvent e;
      e.actor = {who, "bcc", "practitioner", "test"};
      e.action = "read_child";
      e.target = "person:" + std::to_string(i + 1);
      e.details = "{}";
      ASSERT_TRUE(s.AppendAudit(e).ok());
    }
  }
  static AuditCheck Verify(Store& s) {
    auto c = s.VerifyAudit();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : AuditCheck{};
  }
  // Copies the store file alone (the store is closed: SQLite has folded its WAL back into it).
  void CopyStore(const std::string& to) { fs::copy_file(db_, to, fs::copy_options::overwrite_existing); }
  void RestoreStore(const std::string& from) {
    fs::remove(db_ + "-wal");
    fs::remove(db_ + "-shm");
    fs::copy_file(from, db_, fs::copy_options::overwrite_existing);
  }
  static int64_t Lines(const std::string& path) {
    std::ifstream in(path);
    int64_t n = 0;
    for (std::string line; std::getline(in, line);) n += !line.empty();
    return n;
  }

  fs::path dir_;
  std::string db_, witness_;
};

// A verification from another process between the commit of the log's first kept checkpoint and the append
// of its head must not find the witness missing (which reads as a deleted witness): the file exists, empty,
// before that transaction commits, and a log ahead of its witness verifies.
TEST_F(AuditWitnessTest, TheWitnessExistsBeforeTheFirstCheckpointCommits) {
  auto s = Open();
  Append(*s, 3, "amy");
  EXPECT_FALSE(fs::exists(witness_));
  auto unit = s->BeginUnit(UnitKind::kWrite);
  ASSERT_TRUE(unit.ok()) << unit.status().ToString();
  AuditEvent e;
  e.actor = {"amy", "bcc", "practitioner", "test"};
  e.action = "read_child";
  e.target = "person:4";
  e.details = "{}";
  ASSERT_TRUE((*unit)->AppendAudit(e).ok());  // the 4th event: a kept checkpoint in this unit
  ASSERT_TRUE(fs::exists(witness_)) << "created before the commit";
  EXPECT_EQ(fs::file_size(witness_), 0u);
  EXPECT_EQ(fs::status(witness_).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_TRUE((*unit)->Commit().ok());
  EXPECT_EQ(Lines(witness_), 1) << "and its head appended after";
  AuditCheck c = Verify(*s);
  EXPECT_TRUE(c.ok) << c.problem;
}

TEST_F(AuditWitnessTest, EveryKeptCheckpointIsWitnessedAndAFreshLogVerifies) {
  auto s = Open();
  Append(*s, 3, "amy");
  EXPECT_FALSE(fs::exists(witness_));  // no kept checkpoint yet
  AuditCheck c = Verify(*s);
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_FALSE(c.witness_present);
  Append(*s, 6, "amy");                        // kept checkpoints at 4 and 8
  ASSERT_TRUE(s->SignAuditCheckpoint().ok());  // and at 9
  EXPECT_EQ(Lines(witness_), 3);
  c = Verify(*s);
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_TRUE(c.witness_present);
  EXPECT_EQ(c.witness_heads, 3);
  EXPECT_EQ(c.witness_size, 9);
  struct stat st {};
  ASSERT_EQ(::stat(witness_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AuditWitnessTest, ARestoredEarlierCopyFailsVerificationAndStillFailsOnceGrownAgain) {
  const std::string backup = (dir_ / "backup.db").string();
  {
    auto s = Open();
    Append(*s, 10, "amy");
    ASSERT_TRUE(s->SignAuditCheckpoint().ok());
    EXPECT_TRUE(Verify(*s).ok);
  }
  CopyStore(backup);  // the attacker's earlier copy: 10 events, all its checkpoints signed and valid
  {
    auto s = Open();
    Append(*s, 10, "bea");  // events the attacker wants gone
    ASSERT_TRUE(s->SignAuditCheckpoint().ok());
    AuditCheck c = Verify(*s);
    EXPECT_TRUE(c.ok) << c.problem;
    EXPECT_EQ(c.witness_size, 20);
  }
  RestoreStore(backup);
  {
    // The command line says so too, and fails.
    std::string out;
    int code = -1;
    if (FILE* p = ::popen((std::string(RISKRADAR_BINARY) + " audit verify --db " + db_ + " 2>&1").c_str(), "r")) {
      char buf[512];
      while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
      code = ::pclose(p);
    }
    EXPECT_NE(code, 0) << out;
    EXPECT_NE(out.find("rollback"), std::string::npos) << out;
  }
  {
    auto s = Open();
    AuditCheck c = Verify(*s);
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.problem.find("rollback"), std::string::npos) << c.problem;
    EXPECT_NE(c.problem.find("20 events"), std::string::npos) << c.problem;
    // Without the witness the restored copy would pass: its own checkpoints are genuine.
    StoreOptions o;
    o.audit_witness_path = (dir_ / "elsewhere.witness").string();
    auto blind = OpenStore(db_, o);
    ASSERT_TRUE(blind.ok());
    EXPECT_FALSE(Verify(**blind).ok);  // missing witness with checkpoints in the log: refused too
    EXPECT_NE(Verify(**blind).problem.find("missing"), std::string::npos);
    // The restored copy grows past the witnessed size: the sizes are there, the roots are not.
    Append(*s, 15, "cat");
    ASSERT_TRUE(s->SignAuditCheckpoint().ok());
    c = Verify(*s);
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.problem.find("not consistent"), std::string::npos) << c.problem;
  }
}

TEST_F(AuditWitnessTest, AForgedOrDeletedWitnessIsReported) {
  {
    auto s = Open();
    Append(*s, 8, "amy");
    EXPECT_TRUE(Verify(*s).ok);
  }
  {
    std::ofstream out(witness_, std::ios::app);
    out << "v1 99 " << std::string(64, 'a') << " 2026-12-02T00:00:00.000Z " << std::string(64, 'b') << " "
        << std::string(128, 'c') << "\n";
  }
  auto s = Open();
  AuditCheck c = Verify(*s);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("line 3 is not a head signed by the trusted audit key"), std::string::npos) << c.problem;
  fs::remove(witness_);
  c = Verify(*s);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("witness"), std::string::npos) << c.problem;
  // A deleted witness is not silently recreated by later checkpoints.
  Append(*s, 4, "amy");
  EXPECT_FALSE(fs::exists(witness_));
}

// `riskradar audit witness-init` restarts a deleted witness on purpose (audited), and never replaces one.
TEST_F(AuditWitnessTest, WitnessInitStartsANewWitnessOnlyWhenNoneExists) {
  {
    auto s = Open();
    Append(*s, 8, "amy");
  }
  fs::remove(witness_);
  auto run = [&](const std::string& args) {
    std::string out;
    int code = -1;
    if (FILE* p = ::popen((std::string(RISKRADAR_BINARY) + " " + args + " --db " + db_ + " 2>&1").c_str(), "r")) {
      char buf[512];
      while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
      code = ::pclose(p);
    }
    return std::pair{code, out};
  };
  auto [missing_code, missing_out] = run("audit verify");
  EXPECT_NE(missing_code, 0) << missing_out;
  EXPECT_NE(missing_out.find("missing"), std::string::npos) << missing_out;
  auto [init_code, init_out] = run("audit witness-init");
  EXPECT_EQ(init_code, 0) << init_out;
  struct stat st {};
  ASSERT_EQ(::stat(witness_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Lines(witness_), 1);
  auto [ok_code, ok_out] = run("audit verify");
  EXPECT_EQ(ok_code, 0) << ok_out;
  EXPECT_NE(ok_out.find("witness: 1 signed heads, newest at size 9"), std::string::npos) << ok_out;
  auto [again_code, again_out] = run("audit witness-init");
  EXPECT_NE(again_code, 0) << again_out;
  EXPECT_EQ(Lines(witness_), 1);
  auto s = Open();
  AuditQuery q;
  q.action = "audit_witness_init";
  auto events = s->QueryAuditEvents(q);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
}

TEST_F(AuditWitnessTest, StoreAndKeyFilesAreCreatedPrivate) {
  ::umask(022);  // the usual default: files would be world-readable without an explicit mode
  {
    auto s = Open();
    Append(*s, 4, "amy");  // creates the audit key and the witness
    store::User u;
    u.name = "someone";
    u.agency_code = "bcc";
    u.role = Role::kPractitioner;
    u.password_hash = "x";
    u.totp_secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    ASSERT_TRUE(s->UpsertAgency({"bcc", "bcc", AgencyKind::kCouncil, "Birmingham"}).ok());
    ASSERT_TRUE(s->AddUser(u, Actor{}).ok());  // seals the TOTP secret: creates the TOTP key
    for (const std::string suffix : {"", "-wal", "-shm", ".audit-key", ".totp-key", ".audit-witness"}) {
      struct stat st {};
      ASSERT_EQ(::stat((db_ + suffix).c_str(), &st), 0) << suffix;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << db_ + suffix;
    }
  }
}

}  // namespace audit_witness_test
}  // namespace riskradar::store

// The group-commit audit writer: concurrent appends land once each, gap-free, in a tree that verifies; one
// failing event fails only its caller; other writers (connections, processes) interleave safely; a process
// killed in the middle of group commits leaves a log that verifies and holds every acknowledged event.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "riskradar/store/store.h"

namespace riskradar::store {
namespace audit_writer_test {

// "u" + std::to_string(n), built by appending: the operator+ form trips GCC 12's false -Wrestrict at -O3 when
// inlined into these threads' lambdas (GCC bug 105651).
std::string Numbered(const char* prefix, int64_t n) {
  std::string out = prefix;
  out += std::to_string(n);
  return out;
}

namespace fs = std::filesystem;

class AuditWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-audit-writer-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "w.db").string();
    options_.checkpoint_interval = 64;
    ASSERT_TRUE(OpenStore(db_, options_).ok());  // migrate once
  }
  void TearDown() override { fs::remove_all(dir_); }

  static AuditEvent Event(const std::string& user, const std::string& target) {
    AuditEvent e;
    e.actor = {user, "bcc", "practitioner", "test"};
    e.action = "read_child";
    e.target = target;
    e.details = "{}";
    return e;
  }
  // Runs one SQL statement on a separate raw connection (as a tamperer or another tool would).
  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(db);
  }
  int64_t Scalar(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    const int64_t v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
  }
  AuditCheck Verify() {
    auto s = OpenStore(db_, options_);
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return {};
    auto c = (*s)->VerifyAudit();
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : AuditCheck{};
  }

  fs::path dir_;
  std::string db_;
  StoreOptions options_;
};

TEST_F(AuditWriterTest, ConcurrentAppendsLandOnceEachGapFreeAndVerify) {
  auto writer = OpenAuditWriter(db_, options_);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  constexpr int kThreads = 32, kEach = 25;
  std::mutex mu;
  std::map<int64_t, std::string> seq_to_target;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string target = Numbered("person:", t * 1000 + i);
        auto seq = (*writer)->Append(Event(Numbered("user", t), target));
        if (!seq.ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        if (!seq_to_target.emplace(*seq, target).second) ++failures;  // a seq handed out twice
      }
    });
  }
  for (auto& t : threads) t.join();
  (*writer)->Close();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(seq_to_target.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(seq_to_target.begin()->first, 1);
  EXPECT_EQ(seq_to_target.rbegin()->first, kThreads * kEach);  // distinct and 1..n: no gaps
  // Each caller's seq is the row holding its own event.
  for (const auto& [seq, target] : seq_to_target) {
    ASSERT_EQ(Scalar("SELECT COUNT(*) FROM audit_event WHERE seq = " + std::to_string(seq) + " AND target = '" +
                     target + "'"),
              1)
        << seq;
  }
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.events, kThreads * kEach);
  ASSERT_TRUE(c.latest);
  EXPECT_EQ(c.latest->tree_size, kThreads * kEach);  // the signed head covers every committed event
  // Batches cross multiples of the interval rather than land on them: one checkpoint is kept per crossing.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_checkpoint"), kThreads * kEach / 64);
}

TEST_F(AuditWriterTest, AFailingEventFailsOnlyItsOwnCaller) {
  Sql("CREATE TRIGGER no_secret BEFORE INSERT ON audit_event WHEN NEW.target = 'person:secret' "
      "BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  auto writer = OpenAuditWriter(db_, options_);
  ASSERT_TRUE(writer.ok());
  std::atomic<int> good_ok{0}, bad_ok{0}, good_failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const bool bad = (t + i) % 5 == 0;
        auto seq = (*writer)->Append(Event(Numbered("u", t), bad ? "person:secret" : "person:1"));
        if (bad && seq.ok()) ++bad_ok;
        if (!bad && seq.ok()) ++good_ok;
        if (!bad && !seq.ok()) ++good_failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  (*writer)->Close();
  EXPECT_EQ(bad_ok.load(), 0);
  EXPECT_EQ(good_failed.load(), 0);
  EXPECT_EQ(good_ok.load(), 16 * 20 * 4 / 5);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event"), good_ok.load());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event WHERE target = 'person:secret'"), 0);
  EXPECT_EQ(Scalar("SELECT MAX(seq) FROM audit_event"), good_ok.load());
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
}

// The writer starts each batch from the stored head, so appends through other connections (a login on a pool
// connection, `riskradar user add` in another process) and through the writer interleave into one tree.
TEST_F(AuditWriterTest, InterleavesWithOtherWriters) {
  StoreOptions with_writer = options_;
  auto writer = OpenAuditWriter(db_, options_);
  ASSERT_TRUE(writer.ok());
  with_writer.audit_writer = *writer;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads append directly on their own connection, half through a store that uses the writer.
      auto s = OpenStore(db_, t % 2 ? options_ : with_writer);
      if (!s.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < 30; ++i) {
        if (!(*s)->AppendAudit(Event(Numbered("t", t), Numbered("person:", i))).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event"), 240);
  EXPECT_EQ(Scalar("SELECT MAX(seq) FROM audit_event"), 240);
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.latest->tree_size, 240);
}

TEST_F(AuditWriterTest, TamperingWithGroupCommittedEventsIsDetected) {
  {
    auto writer = OpenAuditWriter(db_, options_);
    ASSERT_TRUE(writer.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 10; ++i) (void)(*writer)->Append(Event(Numbered("u", t), "person:1"));
      });
    }
    for (auto& t : threads) t.join();
  }
  ASSERT_TRUE(Verify().ok);
  Sql("UPDATE audit_event SET user_name = 'someone-else' WHERE seq = 40");
  EXPECT_FALSE(Verify().ok);
  Sql("UPDATE audit_event SET user_name = (SELECT user_name FROM audit_event WHERE seq = 39) WHERE seq = 40");
  Sql("DELETE FROM audit_event WHERE seq > 75");
  const AuditCheck c = Verify();
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.problem.find("truncation"), std::string::npos) << c.problem;
}

// `audit verify` while the server keeps appending: it checks one snapshot's head and the events under it.
TEST_F(AuditWriterTest, VerifyPassesWhileEventsAreBeingAppended) {
  auto writer = OpenAuditWriter(db_, options_);
  ASSERT_TRUE(writer.ok());
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      while (!stop) {
        if ((*writer)->Append(Event(Numbered("u", t), "person:1")).ok()) ++appended;
      }
    });
  }
  while (appended < 50) std::this_thread::yield();
  auto s = OpenStore(db_, options_);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 20; ++i) {
    auto c = (*s)->VerifyAudit();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_TRUE(c->ok) << c->problem;
    EXPECT_GT(c->events, 0);
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(Verify().ok);
}

TEST_F(AuditWriterTest, AClosedWriterRefusesAppends) {
  auto writer = OpenAuditWriter(db_, options_);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(Event("u", "person:1")).ok());
  (*writer)->Close();
  EXPECT_FALSE((*writer)->Append(Event("u", "person:2")).ok());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event"), 1);
}

// A process killed (SIGKILL, no clean-up) in the middle of group commits: the log still verifies against its
// signed head, and every event whose Append returned (the point where the server would release data) is in it.
TEST_F(AuditWriterTest, KilledInTheMiddleOfGroupCommitsTheLogVerifiesAndKeepsEveryAcknowledgedEvent) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto writer = OpenAuditWriter(db_, options_);
    if (!writer.ok()) ::_exit(2);
    std::mutex out;
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0;; ++i) {
          auto seq = (*writer)->Append(Event(Numbered("u", t), Numbered("person:", i)));
          if (!seq.ok()) ::_exit(3);
          std::lock_guard lock(out);
          const int64_t v = *seq;
          if (::write(fds[1], &v, sizeof v) != sizeof v) ::_exit(4);
        }
      });
    }
    for (auto& t : threads) t.join();
    ::_exit(0);
  }
  ::close(fds[1]);
  std::set<int64_t> acknowledged;
  int64_t v = 0;
  while (acknowledged.size() < 600 && ::read(fds[0], &v, sizeof v) == sizeof v) acknowledged.insert(v);
  ::kill(child, SIGKILL);
  while (::read(fds[0], &v, sizeof v) == sizeof v) acknowledged.insert(v);  // written before the kill
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer process ended on its own: " << status;
  ASSERT_GE(acknowledged.size(), 600u);
  const AuditCheck c = Verify();
  EXPECT_TRUE(c.ok) << c.problem;
  ASSERT_TRUE(c.latest);
  EXPECT_EQ(c.latest->tree_size, c.events);
  EXPECT_GE(c.events, *acknowledged.rbegin());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event"), Scalar("SELECT MAX(seq) FROM audit_event"));
  // Appending after the crash continues the same tree.
  auto writer = OpenAuditWriter(db_, options_);
  ASSERT_TRUE(writer.ok());
  auto next = (*writer)->Append(Event("after", "person:1"));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, c.events + 1);
  (*writer)->Close();
  EXPECT_TRUE(Verify().ok);
}

}  // namespace audit_writer_test
}  // namespace riskradar::store

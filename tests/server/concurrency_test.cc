// Concurrent audited reads through the real server: group commit must give each read exactly one audit event,
// committed before the answer, in one gap-free tree that verifies, whether the read was granted or refused.
#include "server_fixture.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

namespace riskradar::server {
namespace concurrency_test {

class ServerConcurrencyTest : public ServerFixture {
 protected:
  static int64_t Scalar(const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &q, nullptr);
    const int64_t v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
  }
};

TEST_F(ServerConcurrencyTest, ThirtyTwoClientsReadingAtOnceAreEachAuditedOnce) {
  Session police = Login("wmp-practitioner");  // own agency's records: child 1 is visible
  Session health = Login("nhs-practitioner");  // no agreement with the police: child 1 is refused
  const int64_t ok_before = CountAudit("read_child", "wmp-practitioner", "ok");
  const int64_t refused_before = CountAudit("read_child", "nhs-practitioner", "refused");
  constexpr int kThreads = 32, kEach = 10;
  std::atomic<int> granted{0}, refused{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const Session& s = t % 2 ? health : police;
      for (int i = 0; i < kEach; ++i) {
        auto r = Get(s, "/api/children/1");
        if (!r) {
          ++unexpected;
        } else if (r->status == 200 && t % 2 == 0 && r->body.find("Amy Synthetic") != std::string::npos) {
          ++granted;
        } else if (r->status == 404 && t % 2 == 1 && r->body.find("Amy") == std::string::npos) {
          ++refused;
        } else {
          ++unexpected;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(granted.load(), kThreads / 2 * kEach);
  EXPECT_EQ(refused.load(), kThreads / 2 * kEach);
  // Every answer was sent after its event was committed, so the log already holds each one, exactly once.
  EXPECT_EQ(CountAudit("read_child", "wmp-practitioner", "ok") - ok_before, granted.load());
  EXPECT_EQ(CountAudit("read_child", "nhs-practitioner", "refused") - refused_before, refused.load());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event"), Scalar("SELECT MAX(seq) FROM audit_event"));
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->problem;
  ASSERT_TRUE(check->latest);
  EXPECT_EQ(check->latest->tree_size, check->events);  // the signed head covers every read
}

// While the audit log refuses read events, concurrent reads all fail without data; once it accepts them again,
// reads succeed and the log still verifies (no event half-written by the failed batches).
TEST_F(ServerConcurrencyTest, ConcurrentReadsReturnNoDataWhileTheirEventsCannotBeWritten) {
  Session s = Login("wmp-analyst");
  sqlite3* db = nullptr;
  sqlite3_open(db_.c_str(), &db);
  sqlite3_exec(db,
               "CREATE TRIGGER audit_down BEFORE INSERT ON audit_event WHEN NEW.action = 'read_child' "
               "BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END;",
               nullptr, nullptr, nullptr);
  const int64_t events_before = Scalar("SELECT COUNT(*) FROM audit_event");
  std::atomic<int> leaked{0}, answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = Get(s, "/api/children/1");
        if (!r) continue;
        ++answered;
        if (r->status < 400 || r->body.find("Amy") != std::string::npos) ++leaked;
      }
    });
  }
  for (auto& t : threads) t.join();
  sqlite3_exec(db, "DROP TRIGGER audit_down", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(answered.load(), 80);
  EXPECT_EQ(leaked.load(), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_event"), events_before);
  auto r = Get(s, "/api/children/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem;
}

}  // namespace concurrency_test
}  // namespace riskradar::server

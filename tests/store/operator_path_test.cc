// The operator's path on the command line (separation of duties): `user add` of a privileged role and
// `user reset` work directly for the first accounts of an agency, and once the agency has someone who can
// approve a request through the API they need --bootstrap, audited as such. `approvals list` shows the
// requests for review.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "riskradar/store/store.h"

namespace riskradar::store {
namespace operator_path_test {

namespace fs = std::filesystem;

class OperatorPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-operator-path-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
    auto s = OpenStore(db_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE((*s)->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "Birmingham"}).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::pair<int, std::string> Run(const std::string& args) {
    std::string out;
    int code = -1;
    if (FILE* p = ::popen((std::string(RISKRADAR_BINARY) + " " + args + " --db " + db_ + " 2>&1").c_str(), "r")) {
      char buf[512];
      while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
      const int status = ::pclose(p);
      code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return {code, out};
  }

  int64_t CountPurpose(const std::string& action, const std::string& purpose) {
    auto s = OpenStore(db_);
    EXPECT_TRUE(s.ok());
    AuditQuery q;
    q.action = action;
    q.limit = 1000;
    auto events = (*s)->QueryAuditEvents(q);  // the test reads the rows itself (no person involved)
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    int64_t n = 0;
    for (const AuditEvent& e : *events) n += e.actor.purpose == purpose ? 1 : 0;
    return n;
  }

  fs::path dir_;
  std::string db_;
};

TEST_F(OperatorPathTest, PrivilegedGrantsAndResetsNeedBootstrapOnceTheAgencyCanApprove) {
  // The first administrator of the agency: nobody could approve, so the operator's path works directly.
  auto [first, first_out] = Run("user add --name wmp-admin1 --agency wmp --role administrator");
  ASSERT_EQ(first, 0) << first_out;
  EXPECT_NE(first_out.find("password: "), std::string::npos);
  // Now wmp-admin1 could approve: a manager, or a reset of another account, takes --bootstrap.
  auto [refused, refused_out] = Run("user add --name wmp-mgr --agency wmp --role manager");
  EXPECT_EQ(refused, 4) << refused_out;
  EXPECT_NE(refused_out.find("--bootstrap"), std::string::npos) << refused_out;
  EXPECT_EQ(refused_out.find("password: "), std::string::npos) << "no credentials for a refused grant";
  auto [plain, plain_out] = Run("user add --name wmp-prac --agency wmp --role practitioner");
  EXPECT_EQ(plain, 0) << plain_out;  // not a privileged role
  auto [reset_refused, reset_refused_out] = Run("user reset --name wmp-prac");
  EXPECT_EQ(reset_refused, 4) << reset_refused_out;
  // Resetting the only approver itself is the operator's to do (nobody else could approve it).
  auto [own, own_out] = Run("user reset --name wmp-admin1");
  EXPECT_EQ(own, 0) << own_out;
  auto [boot, boot_out] = Run("user add --name wmp-mgr --agency wmp --role manager --bootstrap");
  EXPECT_EQ(boot, 0) << boot_out;
  auto [boot_reset, boot_reset_out] = Run("user reset --name wmp-prac --bootstrap");
  EXPECT_EQ(boot_reset, 0) << boot_reset_out;
  EXPECT_EQ(CountPurpose("user_add", "user administration (operator bootstrap)"), 1);
  EXPECT_EQ(CountPurpose("user_reset", "user administration (operator bootstrap)"), 1);
  EXPECT_EQ(CountPurpose("user_add", "user administration"), 3);    // two added, one refused (audited)
  EXPECT_EQ(CountPurpose("user_reset", "user administration"), 2);  // one refused, one done

  auto [listed, listed_out] = Run("approvals list --all");
  EXPECT_EQ(listed, 0) << listed_out;
  EXPECT_NE(listed_out.find("0 requests"), std::string::npos) << listed_out;
  EXPECT_EQ(CountPurpose("list_approvals", "separation of duties review"), 1);

  // Listing the accounts names people: audited like any other read, as the --user who looked.
  auto [users, users_out] = Run("user list --user amy.ops");
  EXPECT_EQ(users, 0) << users_out;
  EXPECT_NE(users_out.find("wmp-admin1"), std::string::npos) << users_out;
  EXPECT_NE(users_out.find("3 users"), std::string::npos) << users_out;
  EXPECT_EQ(users_out.find("argon2"), std::string::npos) << "no hash listed";
  EXPECT_EQ(CountPurpose("list_users", "user administration"), 1);
  auto s = OpenStore(db_);
  ASSERT_TRUE(s.ok());
  AuditQuery q;
  q.action = "list_users";
  auto events = (*s)->QueryAuditEvents(q);
  ASSERT_TRUE(events.ok() && events->size() == 1u);
  EXPECT_EQ(events->front().actor.user, "amy.ops");
  EXPECT_EQ(events->front().target, "users");
  EXPECT_EQ(events->front().details, R"({"scope":"all","users":3})");
}

}  // namespace operator_path_test
}  // namespace riskradar::store

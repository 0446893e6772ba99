// `riskradar keys rotate --totp`: every TOTP secret re-sealed under a new key in one transaction, the new key
// file replacing the old, and an interrupted rotation finished or undone by which key the secrets open with.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "riskradar/store/store.h"

namespace riskradar::store {
namespace totp_rotation_test {

namespace fs = std::filesystem;

class TotpRotation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-totp-rotation-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
    Reopen();
    ASSERT_TRUE(store_->UpsertAgency({"bcc", "Birmingham (fictional)", AgencyKind::kCouncil, "Birmingham"}).ok());
    for (const auto& [name, secret] : secrets_) {
      User u;
      u.name = name;
      u.agency_code = "bcc";
      u.role = Role::kAnalyst;
      u.password_hash = "$argon2id$placeholder";
      u.totp_secret = secret;
      ASSERT_TRUE(store_->AddUser(u, Actor{"cli:ops", "", "administrator", "test"}).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = OpenStore(db_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  std::string Secret(const std::string& name) {
    auto u = store_->FindUser(name);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() && u->has_value() ? (*u)->totp_secret : "";
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  fs::path dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
  const std::vector<std::pair<std::string, std::string>> secrets_ = {{"amy", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
                                                                     {"ben", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}};
};

TEST_F(TotpRotation, ResealsEverySecretUnderTheNewKey) {
  const std::string key = db_ + ".totp-key";
  const std::string old_key = Read(key);
  fs::copy_file(key, dir_ / "old.key");
  const int64_t audit_before = store_->Counts()->audit_events;
  auto n = store_->RotateTotpKey(Actor{"cli:ops", "", "administrator", "key rotation"});
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_NE(Read(key), old_key);
  EXPECT_FALSE(fs::exists(key + ".next"));
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1);
  Reopen();
  for (const auto& [name, secret] : secrets_) EXPECT_EQ(Secret(name), secret);
  // The old key opens nothing any more.
  fs::rename(key, dir_ / "new.key");
  fs::copy_file(dir_ / "old.key", key);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  Reopen();
  EXPECT_EQ(store_->FindUser("amy").status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_F(TotpRotation, AnInterruptedRotationIsUndoneWhenTheSecretsDoNotOpenWithTheNewKey) {
  // A crash after the new key was written but before the transaction committed: a stray "<key>.next".
  const std::string key = db_ + ".totp-key";
  const std::string old_key = Read(key);
  {
    StoreOptions scratch;
    scratch.totp_key_path = key + ".next";
    auto other = OpenStore((dir_ / "scratch.db").string(), scratch);
    ASSERT_TRUE(other.ok());
    User u;
    u.name = "zed";
    u.agency_code = "x";
    u.password_hash = "h";
    u.totp_secret = "JBSWY3DPEHPK3PXP";
    ASSERT_TRUE((*other)->UpsertAgency({"x", "X", AgencyKind::kCouncil, ""}).ok());
    ASSERT_TRUE((*other)->AddUser(u, Actor{}).ok());  // makes the stray key file
  }
  ASSERT_TRUE(fs::exists(key + ".next"));
  Reopen();
  EXPECT_EQ(Secret("amy"), secrets_[0].second);
  EXPECT_FALSE(fs::exists(key + ".next"));
  EXPECT_EQ(Read(key), old_key);
}

TEST_F(TotpRotation, AnInterruptedRotationIsFinishedWhenTheSecretsOpenWithTheNewKey) {
  // A crash after the commit but before the rename: the secrets open with "<key>.next" only.
  const std::string key = db_ + ".totp-key";
  ASSERT_TRUE(store_->RotateTotpKey(Actor{"cli:ops", "", "administrator", "key rotation"}).ok());
  store_.reset();
  const std::string new_key = Read(key);
  fs::rename(key, key + ".next");
  std::ofstream(key) << "riskradar TOTP sealing key (XSalsa20-Poly1305, hex). Keep secret; back up.\n"
                     << std::string(64, 'a') << "\n";
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  Reopen();
  EXPECT_EQ(Secret("ben"), secrets_[1].second);
  EXPECT_FALSE(fs::exists(key + ".next"));
  EXPECT_EQ(Read(key), new_key);
}

TEST_F(TotpRotation, RotationNeedsAKey) {
  fs::remove(db_ + ".totp-key");
  Reopen();
  const Status s = store_->RotateTotpKey(Actor{}).status();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_FALSE(fs::exists(db_ + ".totp-key"));
}

}  // namespace totp_rotation_test
}  // namespace riskradar::store

// Issue 18 at the command line: one configuration file read by every command (strict, with a documented
// precedence), key files never made behind the operator's back, key rotation, `riskradar init` and the acting
// user. Each test builds a tiny store with `init` (no demo data), so they stay fast.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "demo_store.h"

namespace riskradar::e2e {
namespace opsconf_test {

namespace fs = std::filesystem;

class OpsConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-opsconf-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    fs::create_directories(dir_ / "keys");
    fs::permissions(dir_ / "keys", fs::perms::owner_all, fs::perm_options::replace);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  // The deployment's configuration: the store in state/, its keys apart in keys/.
  std::string Config(const std::string& extra = "") {
    return Write("riskradar.toml", "store = \"" + Db() + "\"\nactor = \"ops-tester\"\n[keys]\naudit = \"" + AuditKey() +
                                       "\"\ntotp = \"" + TotpKey() + "\"\n" + extra);
  }
  std::string Db() const { return (dir_ / "state" / "rr.db").string(); }
  std::string AuditKey() const { return (dir_ / "keys" / "audit-key").string(); }
  std::string TotpKey() const { return (dir_ / "keys" / "totp-key").string(); }
  // `riskradar ARGS` with a clean environment: no $RISKRADAR_* from the caller.
  static CommandRun Run(const std::string& args, const std::string& env = "") {
    return RunCommand(
        "env -u RISKRADAR_CONFIG -u RISKRADAR_DB -u RISKRADAR_AUDIT_KEY -u RISKRADAR_TOTP_KEY -u RISKRADAR_ACTOR " +
        env + " " + Cli(args));
  }
  CommandRun Init(const std::string& config) {
    return Run(
        "--config " + config +
        " --actor ops-init init --agency 'bcc-cs:council:Birmingham Children'\"'\"'s Services (fictional):Birmingham' "
        "--agency 'wmp:police:West Midlands Police (fictional)' --admin ada-admin --admin-agency bcc-cs");
  }
  static mode_t Mode(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
  }

  fs::path dir_;
};

TEST_F(OpsConfig, StrictParsingNamesFileLineAndKey) {
  const std::string typo = Write("typo.toml", "store = \"x.db\"\n[keys]\naudti = \"/k\"\n");
  CommandRun r = Run("--config " + typo + " status");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(typo + ":3: keys.audti: unknown key (expected one of: audit, totp"), std::string::npos)
      << r.output;
  const std::string wrong_type = Write("type.toml", "# a comment\nstore = 5\n");
  r = Run("--config " + wrong_type + " status");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(wrong_type + ":2: store: must be a string"), std::string::npos) << r.output;
  const std::string workers = Write("workers.toml", "[server]\nworkers = \"eight\"\n");
  r = Run("--config " + workers + " status");
  EXPECT_NE(r.output.find(workers + ":2: server.workers: must be an integer"), std::string::npos) << r.output;
  const std::string broken = Write("broken.toml", "store = \"unterminated\n");
  r = Run("--config " + broken + " status");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(broken + ":1: not valid TOML"), std::string::npos) << r.output;
  // A file named explicitly must exist, whether by --config or $RISKRADAR_CONFIG.
  r = Run("--config " + (dir_ / "missing.toml").string() + " status");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("missing.toml"), std::string::npos) << r.output;
  r = Run("status", "RISKRADAR_CONFIG=" + (dir_ / "missing.toml").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
}

TEST_F(OpsConfig, EveryCommandReadsTheStoreAndKeysFromTheFileAndFlagsOverrideIt) {
  const std::string config = Config();
  const CommandRun init = Init(config);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  // The keys are where the file says, not beside the store.
  EXPECT_EQ(Mode(AuditKey()), 0600u);
  EXPECT_EQ(Mode(TotpKey()), 0600u);
  EXPECT_EQ(Mode(Db()), 0600u);
  EXPECT_FALSE(fs::exists(Db() + ".audit-key"));
  EXPECT_FALSE(fs::exists(Db() + ".totp-key"));
  // status, audit verify, user list: all the same store and key, found through the file alone.
  CommandRun r = Run("--config " + config + " status");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("agencies 2"), std::string::npos) << r.output;
  r = Run("audit verify", "RISKRADAR_CONFIG=" + config);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("audit log ok"), std::string::npos) << r.output;
  r = Run("--config " + config + " user list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ada-admin"), std::string::npos) << r.output;
  r = Run("--config " + config + " keys show");
  EXPECT_NE(r.output.find(AuditKey() + " (present)"), std::string::npos) << r.output;
  // A flag beats the environment, which beats the file: --db names another (missing-directory) store.
  r = Run("--config " + config + " status --db " + (dir_ / "nowhere" / "x.db").string(),
          "RISKRADAR_DB=" + (dir_ / "env" / "y.db").string());
  EXPECT_NE(r.output.find("nowhere"), std::string::npos) << r.output;
  r = Run("--config " + config + " status", "RISKRADAR_DB=" + (dir_ / "env" / "y.db").string());
  EXPECT_NE(r.output.find((dir_ / "env").string()), std::string::npos) << r.output;
}

// Issue 18: with the key moved away, a plain command made a new key and signed the log with it. Now every
// command that signs refuses, naming the expected key path and the setting to fix; no key file appears.
TEST_F(OpsConfig, NoCommandMakesAKeyForAStoreWithEvents) {
  const std::string config = Config();
  ASSERT_EQ(Init(config).exit_code, 0);
  fs::rename(AuditKey(), dir_ / "moved-key");
  const std::string hold = " hold add --scope agency --target wmp --reason 'Operation Larkspur (fictional) review'";
  CommandRun r = Run("--config " + config + hold);
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("the audit key file " + AuditKey() + " does not exist"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[keys] audit"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--audit-key"), std::string::npos) << r.output;
  // Without the file at all, the store's default key path is refused the same way.
  r = Run("--totp-key " + TotpKey() + hold + " --db " + Db(), "USER=ops");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find(Db() + ".audit-key"), std::string::npos) << r.output;
  r = Run("--config " + config + " audit checkpoint");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_FALSE(fs::exists(AuditKey()));
  EXPECT_FALSE(fs::exists(Db() + ".audit-key"));
  // Every command takes the key path: the global --audit-key (here after the subcommand) finds it.
  r = Run("--config " + config + hold + " --audit-key " + (dir_ / "moved-key").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = Run("--config " + config + " audit verify --audit-key " + (dir_ / "moved-key").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(OpsConfig, KeyRotationKeepsTheAuditLogVerifiable) {
  const std::string config = Config();
  ASSERT_EQ(Init(config).exit_code, 0);
  const std::string before = Run("--config " + config + " keys show").output;
  CommandRun r = Run("--config " + config + " keys rotate --audit");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("audit key rotated"), std::string::npos) << r.output;
  EXPECT_EQ(Mode(AuditKey()), 0600u);
  r = Run("--config " + config + " hold add --scope agency --target wmp --reason 'Inquiry 2026/7 (fictional)'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("--config " + config + " audit verify");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("audit log ok"), std::string::npos) << r.output;
  r = Run("--config " + config + " keys rotate --totp");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 secrets re-sealed"), std::string::npos) << r.output;
  EXPECT_EQ(Mode(TotpKey()), 0600u);
  r = Run("--config " + config + " keys rotate");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = Run("--config " + config + " keys rotate --audit --db " + (dir_ / "none.db").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));
}

// Decisions and holds were attributed to "unknown" when $USER was unset (cron, systemd).
TEST_F(OpsConfig, TheActingUserComesFromActorOrTheFileNeverUnknown) {
  const std::string config = Write("noactor.toml", "store = \"" + Db() + "\"\n");
  ASSERT_EQ(Init(config).exit_code, 0);
  const std::string hold = " hold add --scope agency --target wmp --reason 'Operation Larkspur (fictional) review'";
  CommandRun r = Run("--config " + config + hold, "-u USER -u SUDO_USER");
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("who is acting?"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--actor"), std::string::npos) << r.output;
  r = Run("--config " + config + " --actor ops-night-shift" + hold, "-u USER -u SUDO_USER");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string with_actor = Write("actor.toml", "store = \"" + Db() + "\"\nactor = \"ops-tester\"\n");
  r = Run("--config " + with_actor + hold, "-u USER -u SUDO_USER");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("--config " + config + hold, "-u USER -u SUDO_USER RISKRADAR_ACTOR=ops-timer");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("--config " + config + " hold list", "-u USER -u SUDO_USER");
  EXPECT_NE(r.output.find("by cli:ops-night-shift"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("by cli:ops-tester"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("by cli:ops-timer"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("unknown"), std::string::npos) << r.output;
  const std::string bad = Write("unknown.toml", "actor = \"unknown\"\n");
  r = Run("--config " + bad + " status");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST_F(OpsConfig, InitRefusesWhatItWouldOverwriteOrCannotDo) {
  const std::string config = Config();
  CommandRun r = Run("--config " + config + " init --admin ada --admin-agency x");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("needs the partnership's agencies"), std::string::npos) << r.output;
  r = Run("--config " + config + " init --agency 'x:council:X (fictional)' --admin ada --admin-agency y");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = Run("--config " + config + " init --agency 'x:castle:X' --admin ada --admin-agency x");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_FALSE(fs::exists(Db())) << "a refused init writes nothing";
  // Agencies from a file, strictly read.
  const std::string file =
      Write("agencies.toml",
            "[[agency]]\ncode = \"sol-cs\"\nname = \"Solihull Children's Services (fictional)\"\n"
            "kind = \"council\"\narea = \"Solihull\"\n[[agency]]\ncode = \"nhs-bsol\"\n"
            "name = \"NHS Birmingham and Solihull (fictional)\"\nkind = \"nhs\"\ncolour = \"b\"\n");
  r = Run("--config " + config + " init --agencies " + file + " --admin ada --admin-agency sol-cs");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(file + ":10: agency.colour: unknown key"), std::string::npos) << r.output;
  Write("agencies.toml",
        "[[agency]]\ncode = \"sol-cs\"\nname = \"Solihull Children's Services (fictional)\"\n"
        "kind = \"council\"\n");
  r = Run("--config " + config + " init --agencies " + file + " --admin ada --admin-agency sol-cs");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 agencies"), std::string::npos) << r.output;
  // An existing store, or an existing key file, is never reused or replaced.
  r = Init(config);
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_NE(r.output.find(Db() + " exists"), std::string::npos) << r.output;
  const std::string other = Write("other.toml", "store = \"" + (dir_ / "state" / "second.db").string() +
                                                    "\"\n[keys]\naudit = \"" + AuditKey() + "\"\n");
  r = Init(other);
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_NE(r.output.find(AuditKey() + " exists"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "state" / "second.db"));
}

// The first administrator signs in with the one-time code printed by init, and can do nothing but enrol
// (their own password and TOTP) until they have.
TEST_F(OpsConfig, TheFirstAdministratorMustEnrolAtFirstSignIn) {
  const std::string config = Config();
  const CommandRun init = Init(config);
  ASSERT_EQ(init.exit_code, 0) << init.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(init.output, m, std::regex("shown once:\\n  ([A-Za-z0-9_-]{40})\\n"))) << init.output;
  const std::string code = m[1];
  // init printed no password hash, no TOTP secret: only the one-time code.
  EXPECT_EQ(init.output.find("argon2"), std::string::npos);
  e2e::ServedProcess server("env -u RISKRADAR_CONFIG " + Cli("--config " + config + " serve --listen 127.0.0.1:0"),
                            dir_ / "serve.log");
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  const bool up = server.port() != 0;
  const std::string jar = (dir_ / "jar").string();
  const CommandRun login =
      RunCommand("curl -s -c " + jar + " -H 'Content-Type: application/json' " + base +
                     "/api/login -d '{\"user\":\"ada-admin\",\"password\":\"" + code + "\",\"totp\":\"000000\"}'",
                 false);
  const CommandRun radar = RunCommand("curl -s -b " + jar + " -w ' %{http_code}' " + base + "/api/users", false);
  // A key rotation under the running server is refused (it would go on signing with the retired key).
  const CommandRun rotate_served = RunCommand(Cli("--config " + config + " keys rotate --audit"));
  const bool stopped = server.Stop();
  ASSERT_TRUE(up) << "the server did not start:\n" << server.Log();
  EXPECT_TRUE(stopped) << "riskradar serve did not stop within 60 s of SIGTERM";
  EXPECT_EQ(rotate_served.exit_code, 4) << rotate_served.output;
  EXPECT_NE(rotate_served.output.find("a riskradar server is running on this store"), std::string::npos)
      << rotate_served.output;
  // Once the server has stopped (its lock goes with the process), the rotation goes ahead.
  CommandRun rotate_stopped;
  for (int i = 0; i < 100; ++i) {
    rotate_stopped = RunCommand(Cli("--config " + config + " keys rotate --audit"));
    if (rotate_stopped.exit_code != 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(rotate_stopped.exit_code, 0) << rotate_stopped.output;
  EXPECT_NE(login.output.find("\"must_enrol\":true"), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("\"totp_secret\""), std::string::npos) << login.output;
  EXPECT_NE(login.output.find("\"role\":\"administrator\""), std::string::npos) << login.output;
  EXPECT_NE(radar.output.find("set a new password and TOTP first"), std::string::npos) << radar.output;
  EXPECT_NE(radar.output.find(" 403"), std::string::npos) << radar.output;
}

}  // namespace opsconf_test
}  // namespace riskradar::e2e

// The restore drill (issue 18 item 3), with the real `riskradar` binary against the running server: back up
// while a user's reads append audit events, then restore on a "new machine" path (refusing a wrong passphrase, a
// tampered copy and an existing store), verify the audit log, start a server on the restored store, sign in
// with the same password and one-time code secret, and read a child.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "server_fixture.h"

namespace riskradar::server {
namespace backup_restore_test {

struct Ran {
  int code = -1;
  std::string output;
};

Ran RunCli(const std::string& args) {
  Ran r;
  const std::string command = std::string(RISKRADAR_BINARY) + " " + args + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

unsigned Mode(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

class BackupRestoreTest : public ServerFixture {};

TEST_F(BackupRestoreTest, DrillBackUpUnderLoadDestroyRestoreVerifySignInAndReadAChild) {
  const fs::path work = dir_ / "drill";
  fs::create_directories(work);
  const fs::path pass = work / "passphrase";
  {
    std::ofstream(pass) << "a long backup passphrase kept in the safe\n";
    fs::permissions(pass, fs::perms::owner_read | fs::perms::owner_write);
  }
  // The load: a practitioner reading a child over and over (each read appends an audit event).
  const Session practitioner = Login("wmp-practitioner");
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread load([&] {
    while (!stop.load()) {
      auto r = Get(practitioner, "/api/children/1");
      if (r && r->status == 200) ++reads;
    }
  });
  while (reads.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int before = reads.load();
  const fs::path backup = work / "backup";
  const Ran made = RunCli("backup --db " + db_ + " --out " + backup.string() + " --passphrase-file " + pass.string());
  const int after = reads.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  load.join();
  ASSERT_EQ(made.code, 0) << made.output;
  EXPECT_GT(after, before) << "the server kept writing while the backup ran";
  EXPECT_NE(made.output.find("key files sealed"), std::string::npos) << made.output;

  // What the backup holds: a 0700 directory of 0600 files, listed with hashes; the keys sealed, not copied.
  EXPECT_EQ(Mode(backup), 0700u);
  const json manifest = json::parse(Slurp(backup / "MANIFEST.json"));
  EXPECT_EQ(manifest["format"], "riskradar-backup 2");
  EXPECT_EQ(manifest["keys"], "sealed");
  std::set<std::string> roles;
  for (const json& f : manifest["files"]) {
    roles.insert(f["role"].get<std::string>());
    EXPECT_EQ(Mode(backup / f["name"].get<std::string>()), 0600u) << f.dump();
    EXPECT_EQ(f["blake2b_256"].get<std::string>().size(), 64u);
  }
  EXPECT_TRUE(roles.count("store") && roles.count("audit_key") && roles.count("totp_key")) << manifest.dump();
  EXPECT_EQ(Mode(backup / "MANIFEST.json"), 0600u);
  const std::string audit_key = Slurp(db_ + ".audit-key");
  const std::string seed = audit_key.substr(audit_key.rfind('\n', audit_key.size() - 2) + 1, 64);
  ASSERT_EQ(seed.size(), 64u);
  for (const auto& entry : fs::directory_iterator(backup)) {
    EXPECT_EQ(Slurp(entry.path()).find(seed), std::string::npos) << entry.path() << " holds the audit key in clear";
  }
  EXPECT_GE(manifest["audit"]["events"].get<int64_t>(), before);

  // Restores that must not happen: a wrong passphrase, a damaged copy. Neither leaves anything at the target.
  const fs::path machine = work / "new-machine";
  fs::create_directories(machine);
  const std::string target = (machine / "riskradar.db").string();
  const fs::path wrong = work / "wrong";
  {
    std::ofstream(wrong) << "not the passphrase of this backup\n";
    fs::permissions(wrong, fs::perms::owner_read | fs::perms::owner_write);
  }
  const Ran refused =
      RunCli("restore --from " + backup.string() + " --db " + target + " --passphrase-file " + wrong.string());
  EXPECT_EQ(refused.code, 5) << refused.output;
  EXPECT_NE(refused.output.find("wrong passphrase"), std::string::npos) << refused.output;
  const fs::path damaged = work / "damaged";
  fs::copy(backup, damaged);
  {
    std::fstream f(damaged / "store.db", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5000);
    f.put('\x5a');
  }
  const Ran tampered =
      RunCli("restore --from " + damaged.string() + " --db " + target + " --passphrase-file " + pass.string());
  EXPECT_EQ(tampered.code, 7) << tampered.output;
  EXPECT_NE(tampered.output.find("does not match its hash"), std::string::npos) << tampered.output;
  // A manifest edited to match swapped files (here: its recorded source and audit size) fails its MAC, which only
  // the passphrase's holder can compute.
  const fs::path forged = work / "forged";
  fs::copy(backup, forged);
  {
    json m = json::parse(Slurp(forged / "MANIFEST.json"));
    EXPECT_EQ(m["format"], "riskradar-backup 2");
    EXPECT_EQ(m["mac"].get<std::string>().size(), 64u);
    m["source"] = "/elsewhere/riskradar.db";
    m["audit"]["events"] = m["audit"]["events"].get<int64_t>() - 1;
    std::ofstream(forged / "MANIFEST.json", std::ios::trunc) << m.dump(2) << "\n";
  }
  const Ran forged_run =
      RunCli("restore --from " + forged.string() + " --db " + target + " --passphrase-file " + pass.string());
  EXPECT_EQ(forged_run.code, 5) << forged_run.output;
  EXPECT_NE(forged_run.output.find("MANIFEST.json was altered"), std::string::npos) << forged_run.output;
  // A backup made before manifests carried a MAC (format 1) still restores; format 2 without its MAC does not.
  const fs::path older = work / "format-1";
  fs::copy(backup, older);
  json m1 = json::parse(Slurp(older / "MANIFEST.json"));
  m1.erase("mac");
  m1["format"] = "riskradar-backup 2";
  std::ofstream(older / "MANIFEST.json", std::ios::trunc) << m1.dump(2) << "\n";
  const std::string older_target = (work / "older" / "riskradar.db").string();
  fs::create_directories(work / "older");
  EXPECT_EQ(
      RunCli("restore --from " + older.string() + " --db " + older_target + " --passphrase-file " + pass.string()).code,
      5);
  m1["format"] = "riskradar-backup 1";
  std::ofstream(older / "MANIFEST.json", std::ios::trunc) << m1.dump(2) << "\n";
  const Ran older_run =
      RunCli("restore --from " + older.string() + " --db " + older_target + " --passphrase-file " + pass.string());
  EXPECT_EQ(older_run.code, 0) << older_run.output;
  EXPECT_TRUE(fs::is_empty(machine)) << "a refused restore leaves nothing behind";

  // The restore, then the same again over it: refused without --force.
  const Ran restored =
      RunCli("restore --from " + backup.string() + " --db " + target + " --passphrase-file " + pass.string());
  ASSERT_EQ(restored.code, 0) << restored.output;
  EXPECT_NE(restored.output.find("audit events verified"), std::string::npos) << restored.output;
  for (const char* suffix : {"", ".audit-key", ".totp-key"}) EXPECT_EQ(Mode(target + suffix), 0600u) << suffix;
  EXPECT_EQ(Slurp(target + ".audit-key"), audit_key);
  const Ran again =
      RunCli("restore --from " + backup.string() + " --db " + target + " --passphrase-file " + pass.string());
  EXPECT_EQ(again.code, 6) << again.output;
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  const Ran verified = RunCli("audit verify --db " + target);
  EXPECT_EQ(verified.code, 0) << verified.output;
  EXPECT_NE(verified.output.find("audit log ok"), std::string::npos) << verified.output;

  // A server on the restored store: sign in with the same password and TOTP secret, read a child.
  ServerOptions o;
  o.db = target;
  o.port = 0;
  o.workers = 2;
  o.hash_params = PasswordHashParams::MinimumForTestsOnly();
  o.clock = [] { return now_.load(); };
  o.access_log_off = true;
  auto srv = Server::Create(o);
  ASSERT_TRUE(srv.ok()) << srv.status().ToString();
  auto port = (*srv)->Bind();
  ASSERT_TRUE(port.ok());
  std::thread run([&] { (void)(*srv)->Run(); });
  httplib::Client c("127.0.0.1", *port);
  EXPECT_EQ(c.Get("/readyz")->status, 200);
  now_ += 31;
  auto login = c.Post("/api/login",
                      json({{"user", "wmp-practitioner"},
                            {"password", kPassword},
                            {"totp", *TotpCode(secrets_["wmp-practitioner"], now_)}})
                          .dump(),
                      "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200) << login->body;
  const std::string cookie = login->get_header_value("Set-Cookie");
  auto child = c.Get("/api/children/1", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
  ASSERT_TRUE(child);
  EXPECT_EQ(child->status, 200) << child->body;
  EXPECT_NE(child->body.find("Amy"), std::string::npos);
  (*srv)->Stop();
  run.join();
}

TEST_F(BackupRestoreTest, BackupRefusesAnExistingDirectoryAndAskHowToTreatTheKeys) {
  const fs::path out = dir_ / "refusals";
  const Ran neither = RunCli("backup --db " + db_ + " --out " + out.string());
  EXPECT_EQ(neither.code, 2) << neither.output;
  EXPECT_NE(neither.output.find("--without-keys"), std::string::npos) << neither.output;
  EXPECT_FALSE(fs::exists(out));
  const Ran without = RunCli("backup --db " + db_ + " --out " + out.string() + " --without-keys");
  ASSERT_EQ(without.code, 0) << without.output;
  const json manifest = json::parse(Slurp(out / "MANIFEST.json"));
  EXPECT_EQ(manifest["keys"], "left out");
  EXPECT_EQ(manifest["left_out"], json({"audit_key", "totp_key"}));
  EXPECT_FALSE(fs::exists(out / "audit-key.sealed"));
  const Ran exists = RunCli("backup --db " + db_ + " --out " + out.string() + " --without-keys");
  EXPECT_EQ(exists.code, 6) << exists.output;
  // A restore of a backup without keys puts the store in place and says the keys must come from elsewhere.
  const std::string target = (dir_ / "keyless.db").string();
  const Ran restored = RunCli("restore --from " + out.string() + " --db " + target);
  EXPECT_EQ(restored.code, 0) << restored.output;
  EXPECT_NE(restored.output.find("holds no key files"), std::string::npos) << restored.output;
  EXPECT_FALSE(fs::exists(target + ".audit-key"));
}

// The configuration's key paths (keys apart from the store, as the operator guide advises) are where backup reads
// the keys and restore puts them, without --db or key flags; a rotated audit key's retired public keys go with
// them, so the restored log verifies across the rotation.
TEST_F(BackupRestoreTest, BackupAndRestoreFollowTheConfigurationAndCarryRetiredAuditKeys) {
  const fs::path work = dir_ / "configured";
  fs::create_directories(work / "state");
  fs::create_directories(work / "keys");
  const fs::path config = work / "riskradar.toml";
  std::ofstream(config) << "store = \"" << (work / "state" / "rr.db").string() << "\"\nactor = \"drill-operator\"\n"
                        << "[keys]\naudit = \"" << (work / "keys" / "audit-key").string() << "\"\n"
                        << "totp = \"" << (work / "keys" / "totp-key").string() << "\"\n";
  const std::string cli = "--config " + config.string() + " ";
  const Ran init =
      RunCli(cli + "init --agency 'drl-cs:council:Drill Council' --admin drill.admin --admin-agency drl-cs");
  ASSERT_EQ(init.code, 0) << init.output;
  const Ran rotated = RunCli(cli + "keys rotate --audit");
  ASSERT_EQ(rotated.code, 0) << rotated.output;
  ASSERT_TRUE(fs::exists(work / "keys" / "audit-key.retired"));
  const std::string retired = Slurp(work / "keys" / "audit-key.retired");

  const fs::path pass = work / "passphrase";
  std::ofstream(pass) << "another long passphrase for the drill\n";
  fs::permissions(pass, fs::perms::owner_read | fs::perms::owner_write);
  const fs::path backup = work / "backup";
  const Ran made = RunCli(cli + "backup --out " + backup.string() + " --passphrase-file " + pass.string());
  ASSERT_EQ(made.code, 0) << made.output;
  const json manifest = json::parse(Slurp(backup / "MANIFEST.json"));
  std::set<std::string> roles;
  for (const json& f : manifest["files"]) roles.insert(f["role"].get<std::string>());
  EXPECT_EQ(roles, (std::set<std::string>{"store", "audit_witness", "audit_public_key", "audit_retired_keys",
                                          "audit_key", "totp_key"}));
  EXPECT_EQ(manifest["left_out"], json::array());
  EXPECT_EQ(Slurp(backup / "audit-key.retired"), retired);

  // The machine is lost: the store and every key file.
  fs::remove_all(work / "state");
  fs::remove_all(work / "keys");
  fs::create_directories(work / "state");
  fs::create_directories(work / "keys");
  const Ran restored = RunCli(cli + "restore --from " + backup.string() + " --passphrase-file " + pass.string());
  ASSERT_EQ(restored.code, 0) << restored.output;
  for (const char* f : {"keys/audit-key", "keys/audit-key.pub", "keys/audit-key.retired", "keys/totp-key",
                        "state/rr.db", "state/rr.db.audit-witness"}) {
    ASSERT_TRUE(fs::exists(work / f)) << f;
    EXPECT_EQ(Mode(work / f), 0600u) << f;
  }
  EXPECT_EQ(Slurp(work / "keys" / "audit-key.retired"), retired);
  EXPECT_FALSE(fs::exists(work / "state" / "rr.db.audit-key")) << "restore put a key beside the store";
  const Ran verified = RunCli(cli + "audit verify");
  EXPECT_EQ(verified.code, 0) << verified.output;
  EXPECT_NE(verified.output.find("audit log ok"), std::string::npos) << verified.output;

  // Without the retired keys the rotation's older checkpoints no longer verify: the file matters.
  fs::remove(work / "keys" / "audit-key.retired");
  const Ran unverified = RunCli(cli + "audit verify");
  EXPECT_NE(unverified.code, 0) << unverified.output;
}

}  // namespace backup_restore_test
}  // namespace riskradar::server

// Small helpers shared by the CLI's command files (see cli_support.h).
#include "cli_support.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace riskradar::cli {
namespace {

struct Settings {
  FileConfig file;
  std::string actor, audit_key, totp_key;  // global flags
};

Settings& Global() {
  static Settings settings;
  return settings;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : "";
}

std::string FirstOf(std::initializer_list<std::string> candidates) {
  for (const std::string& c : candidates) {
    if (!c.empty()) return c;
  }
  return "";
}

}  // namespace

void SetConfig(FileConfig config) { Global().file = std::move(config); }
const FileConfig& Config() { return Global().file; }
void SetActorOverride(std::string name) { Global().actor = std::move(name); }
void SetAuditKeyOverride(std::string path) { Global().audit_key = std::move(path); }
void SetTotpKeyOverride(std::string path) { Global().totp_key = std::move(path); }

std::string DefaultDbPath() { return FirstOf({Env("RISKRADAR_DB"), Config().store, "riskradar.db"}); }

store::StoreOptions ConfiguredStoreOptions(store::StoreOptions o) {
  const Settings& g = Global();
  if (o.audit_key_path.empty()) o.audit_key_path = FirstOf({g.audit_key, Env("RISKRADAR_AUDIT_KEY"), g.file.audit_key});
  if (o.totp_key_path.empty()) o.totp_key_path = FirstOf({g.totp_key, Env("RISKRADAR_TOTP_KEY"), g.file.totp_key});
  if (o.audit_witness_path.empty()) o.audit_witness_path = g.file.audit_witness;
  if (o.audit_public_key.empty()) o.audit_public_key = g.file.audit_public_key;
  return o;
}

Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const std::string& db, store::StoreOptions o) {
  return store::OpenStore(db, ConfiguredStoreOptions(std::move(o)));
}

Result<std::string> ActingOperatorName() {
  std::string name = FirstOf({Global().actor, Env("RISKRADAR_ACTOR"), Config().actor, Env("SUDO_USER"), Env("USER")});
  if (name.empty() || name == "unknown") {
    return Status::FailedPrecondition(
        "who is acting? no --actor, no `actor` in the configuration file and no $USER (cron, systemd): pass "
        "--actor NAME or set actor = \"NAME\" in " +
        (Config().source.empty() ? std::string(kDefaultConfigPath) : Config().source) +
        " so the audit log names the operator");
  }
  return name;
}

Result<store::Actor> OperatorActor(std::string purpose) {
  RR_ASSIGN_OR_RETURN(std::string name, ActingOperatorName());
  return store::Actor{"cli:" + name, "", "administrator", std::move(purpose)};
}

namespace {
std::string ServeLockPath(const std::string& db) {
  return (db.rfind("sqlite:", 0) == 0 ? db.substr(7) : db) + ".serve-lock";
}
}  // namespace

ServeLock& ServeLock::operator=(ServeLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

ServeLock::~ServeLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<ServeLock> ServeLock::Hold(const std::string& db) {
  // A PostgreSQL store has no file beside it, and its servers may run on several hosts: the operator stops them
  // before rotating keys or restoring (docs/deploying-postgresql.md).
  if (store::IsPostgresLocation(db)) return ServeLock(-1);
  const std::string path = ServeLockPath(db);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError("cannot lock " + path + ": " + std::strerror(err));
  }
  return ServeLock(fd);
}

Status RefuseWhileServed(const std::string& db, const std::string& what) {
  if (store::IsPostgresLocation(db)) return Status::Ok();  // see ServeLock::Hold
  const std::string path = ServeLockPath(db);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Ok();  // no server has run on this store
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  if (held) {
    return Status::FailedPrecondition(what + ": a riskradar server is running on this store (it holds " + path +
                                      "); stop it first (systemctl stop riskradar)");
  }
  return Status::Ok();
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace riskradar::cli

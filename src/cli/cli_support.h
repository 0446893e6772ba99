// Small helpers shared by the CLI's command files, and the one seam through which every command reads the
// configuration (config.h): the store, its key files, the acting operator.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {

// The configuration file's settings (config.h), installed once by Main before any command is registered.
void SetConfig(FileConfig config);
const FileConfig& Config();

// The global flags that override the file for every command (--actor, --audit-key, --totp-key).
void SetActorOverride(std::string name);
void SetAuditKeyOverride(std::string path);
void SetTotpKeyOverride(std::string path);

// The store: the command's --db, else $RISKRADAR_DB, else the file's `store`, else riskradar.db in the working
// directory. This is the default every --db option shows.
std::string DefaultDbPath();

// `explicit_options` with each empty key path filled in, first match wins: the global flag (--audit-key,
// --totp-key), the environment ($RISKRADAR_AUDIT_KEY, $RISKRADAR_TOTP_KEY), the file's [keys]; still empty,
// the store's default beside the store file.
store::StoreOptions ConfiguredStoreOptions(store::StoreOptions explicit_options = {});

// Every command opens its store here, so the CLI and the server use the same key files.
Result<std::unique_ptr<store::Store>> OpenConfiguredStore(const std::string& db,
                                                          store::StoreOptions explicit_options = {});

// The operator acting, for the audit log: --actor, else the file's `actor`, else the login name ($SUDO_USER,
// $USER). FailedPrecondition when there is none (cron, systemd): a change is never attributed
// to nobody.
Result<std::string> ActingOperatorName();
// "cli:<operator>" with the given purpose and the administrator role.
Result<store::Actor> OperatorActor(std::string purpose);

// The running server's claim on its store. `serve` holds a shared lock (flock) on "<db>.serve-lock" for as long
// as it runs; what must not happen under a running server (key rotation, a forced restore over the store) asks
// for the lock exclusively and is refused while a server holds it. The lock goes with the process, however it
// ends. (A separate file: a descriptor on the database itself must not be closed while SQLite holds locks on it.)
class ServeLock {
 public:
  ServeLock() = default;
  ServeLock(ServeLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ServeLock& operator=(ServeLock&& other) noexcept;
  ~ServeLock();
  // For `serve`: creates the lock file (0600) when needed and holds it shared.
  static Result<ServeLock> Hold(const std::string& db);

 private:
  explicit ServeLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};
// FailedPrecondition naming `what` while a server holds the store's lock; Ok when none does (or none ever ran).
Status RefuseWhileServed(const std::string& db, const std::string& what);

// The wall-clock time now, in seconds since the Unix epoch (what the access layer's now_s parameters take).
int64_t UnixNow();

}  // namespace riskradar::cli

// Consistent online copies and integrity checks of a SQLite store file (riskradar backup / restore; see
// store.h). Raw SQLite on a connection of their own: neither needs the store's schema or keys.
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "riskradar/store/operations.h"

namespace riskradar::store {
namespace {

std::string PathOf(std::string_view location) {
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  return path;
}

class Connection {
 public:
  ~Connection() { sqlite3_close(db_); }
  Status Open(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      return Status::IoError("cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    }
    sqlite3_busy_timeout(db_, 10'000);
    return Status::Ok();
  }
  sqlite3* get() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

Status CopyStoreConsistently(std::string_view location, const std::string& out_path) {
  const std::string path = PathOf(location);
  if (::access(path.c_str(), R_OK) != 0) return Status::NotFound("no store at " + path);
  // VACUUM INTO writes into an empty file: made here, 0600, so the copy is never readable by others.
  const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(out_path + " exists");
    return Status::IoError("cannot create " + out_path + ": " + std::strerror(errno));
  }
  ::close(fd);
  Connection c;
  Status st = c.Open(path, SQLITE_OPEN_READONLY);
  if (st.ok()) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(c.get(), "VACUUM INTO ?1", -1, &q, nullptr) != SQLITE_OK) {
      st = Status::IoError(std::string("cannot copy the store: ") + sqlite3_errmsg(c.get()));
    } else {
      sqlite3_bind_text(q, 1, out_path.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(q) != SQLITE_DONE) {
        st = Status::IoError("copying " + path + " to " + out_path + " failed: " + sqlite3_errmsg(c.get()));
      }
    }
    sqlite3_finalize(q);
  }
  if (!st.ok()) ::unlink(out_path.c_str());
  return st;
}

Status CheckStoreIntegrity(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0) return Status::NotFound("no store at " + path);
  Connection c;
  RR_RETURN_IF_ERROR(c.Open(path, SQLITE_OPEN_READONLY));
  sqlite3_stmt* q = nullptr;
  if (sqlite3_prepare_v2(c.get(), "PRAGMA integrity_check(20)", -1, &q, nullptr) != SQLITE_OK) {
    return Status::Corruption(path + " is not a readable SQLite store: " + sqlite3_errmsg(c.get()));
  }
  std::string findings;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    const std::string line = text ? text : "";
    if (line != "ok") findings += (findings.empty() ? "" : "; ") + line;
  }
  const std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(c.get());
  sqlite3_finalize(q);
  if (!error.empty()) return Status::Corruption(path + " failed its integrity check: " + error);
  if (!findings.empty()) return Status::Corruption(path + " failed its integrity check: " + findings);
  return Status::Ok();
}

}  // namespace riskradar::store

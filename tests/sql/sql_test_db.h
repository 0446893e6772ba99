// A fresh, empty database per test on either backend: a SQLite file in the test's temporary directory, or a new
// database on the throw-away PostgreSQL cluster that ctest's `pg` fixture starts (tests/pg/cluster.sh writes its
// URL to the file named by RISKRADAR_PG_URL_FILE; RISKRADAR_PG_URL may name a server directly). Without either,
// a PostgreSQL test fails and says so: it is never skipped.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "../../src/store/sql/sql.h"

namespace riskradar::store::sql {
inline namespace sql_test_db {

inline std::string PgServerUrl() {
  if (const char* url = std::getenv("RISKRADAR_PG_URL"); url && *url) return url;
  if (const char* file = std::getenv("RISKRADAR_PG_URL_FILE"); file && *file) {
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    return url;
  }
#ifdef RISKRADAR_PG_URL_FILE_DEFAULT  // the build's own `pg` fixture (tests/CMakeLists.txt)
  std::ifstream in(RISKRADAR_PG_URL_FILE_DEFAULT);
  std::string url;
  std::getline(in, url);
  return url;
#else
  return "";
#endif
}

// The URL with its database (the last path segment) replaced.
inline std::string WithDatabase(const std::string& url, const std::string& db) {
  const size_t slash = url.rfind('/');
  const size_t query = url.find('?', slash);
  return url.substr(0, slash + 1) + db + (query == std::string::npos ? "" : url.substr(query));
}

class TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> Create(Backend backend) {
    static std::atomic<int> counter{0};
    std::random_device rd;
    const std::string name = "rr_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                             std::to_string(rd() % 1000000);
    std::unique_ptr<TestDatabase> db(new TestDatabase(backend));
    if (backend == Backend::kSqlite) {
      db->location_ = (std::filesystem::path(::testing::TempDir()) / (name + ".db")).string();
      return db;
    }
    const std::string server = PgServerUrl();
    if (server.empty()) {
      return Status::FailedPrecondition(
          "no PostgreSQL server for this test: run it through ctest, whose `pg` fixture starts a throw-away cluster "
          "(tests/pg/cluster.sh) and sets RISKRADAR_PG_URL_FILE, or set RISKRADAR_PG_URL");
    }
    RR_ASSIGN_OR_RETURN(auto admin, OpenConnection(server));
    RR_RETURN_IF_ERROR(admin->Exec("CREATE DATABASE " + name));  // a generated name, never user input
    db->admin_ = std::move(admin);
    db->pg_name_ = name;
    db->location_ = WithDatabase(server, name);
    return db;
  }
  ~TestDatabase() {
    if (admin_) {
      (void)admin_->Exec("DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
    } else if (!location_.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(location_ + suffix);
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  const std::string& location() const { return location_; }
  Result<std::unique_ptr<Connection>> Open() const { return OpenConnection(location_); }
  // Per-backend DDL for test tables (the store's own schema is in its migrations).
  std::string Ddl(std::string_view sqlite, std::string_view postgres) const {
    return std::string(backend_ == Backend::kSqlite ? sqlite : postgres);
  }

 private:
  explicit TestDatabase(Backend backend) : backend_(backend) {}
  Backend backend_;
  std::string location_;
  std::string pg_name_;
  std::unique_ptr<Connection> admin_;
};

inline std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(BackendName(info.param));
}

}  // namespace sql_test_db
}  // namespace riskradar::store::sql

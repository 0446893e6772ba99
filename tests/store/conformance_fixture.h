// The store conformance suite's fixture: every test is written against the store contracts and run once per
// backend: SQLite, and PostgreSQL on the `pg` fixture's throw-away cluster. A backend supplies a fresh location
// (and the options it needs); tampering goes through a test-only hook on the SQL layer; nothing in a test names
// a backend's SQL.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "../sql/sql_test_db.h"
#include "riskradar/store/store.h"
#include "tamper_hook.h"

namespace riskradar::store::conformance {

namespace fs = std::filesystem;

// Where a test's store lives: its location and options, and (PostgreSQL) the database, dropped with it.
struct StoreLocation {
  std::string location;
  StoreOptions options;
  std::unique_ptr<sql::TestDatabase> database;
};

struct Backend {
  std::string name;
  // A fresh, empty store location for a test whose files go in `dir`.
  std::function<Result<StoreLocation>(const fs::path& dir)> make;
  // The bytes the backend keeps on this machine's disk for the store (SQLite: the file and its WAL), to look for
  // residue of erased data; nullopt where the backend's files are not the test's to read (a database server).
  std::function<std::optional<std::string>(const std::string& location)> stored_bytes;
};

inline std::optional<std::string> SqliteStoredBytes(const std::string& location) {
  std::string bytes;
  for (const std::string suffix : {"", "-wal"}) {
    std::ifstream f(location + suffix, std::ios::binary);
    bytes.append((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
  return bytes;
}

inline std::vector<Backend> Backends() {
  return {
      Backend{"sqlite",
              [](const fs::path& dir) -> Result<StoreLocation> {
                return StoreLocation{(dir / "s.db").string(), {}, nullptr};
              },
              SqliteStoredBytes},
      // A new database on the `pg` fixture's throw-away cluster (tests/sql/sql_test_db.h); its keys and witness
      // are files in the test's directory, as a deployment names them in its configuration.
      Backend{"postgresql",
              [](const fs::path& dir) -> Result<StoreLocation> {
                RR_ASSIGN_OR_RETURN(auto db, sql::TestDatabase::Create(sql::Backend::kPostgres));
                StoreLocation at{db->location(), {}, std::move(db)};
                at.options.audit_key_path = (dir / "audit-key").string();
                at.options.totp_key_path = (dir / "totp-key").string();
                at.options.audit_witness_path = (dir / "audit-witness").string();
                return at;
              },
              [](const std::string&) -> std::optional<std::string> { return std::nullopt; }},
  };
}

// Names a parameter in gtest's own output (ctest names tests by BackendName).
inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) { return info.param.name; }

// A fresh store per test with one agency ("bcc", a council), and builders for the rows the tests land.
class Fixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-store-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto at = GetParam().make(dir_);
    ASSERT_TRUE(at.ok()) << at.status().ToString();
    at_ = std::move(*at);
    location_ = at_.location;
    auto s = Reopen();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->UpsertAgency({"bcc", "Council", AgencyKind::kCouncil, "Birmingham"}).ok());
  }
  void TearDown() override {
    store_.reset();
    at_.database.reset();
    fs::remove_all(dir_);
  }
  // Another store on the test's location, with its options.
  Result<std::unique_ptr<Store>> Reopen() const { return OpenStore(location_, at_.options); }
  // The backend's test-only hook for changing the store behind its back (tamper_hook.h).
  Result<std::unique_ptr<AuditTamperHook>> Tamper() const { return OpenAuditTamperHook(location_); }

 public:
  // A child-protection missing episode about `forename` Test, born 2011-01-02, recorded by bcc.
  static ParsedRow Row(const std::string& local_id, const std::string& forename) {
    ParsedRow r;
    r.record.agency_code = "bcc";
    r.record.local_id = local_id;
    r.record.line = 2;
    r.record.raw_json = "{\"id\":\"" + local_id + "\",\"f\":\"" + forename + "\"}";
    r.record.content_hash = "h-" + local_id + "-" + forename;
    r.record.record_class = "child_protection";
    r.record.lawful_basis = "test";
    r.subject.forename = forename;
    r.subject.surname = "Test";
    r.subject.dob = Date::FromYmd(2011, 1, 2);
    r.event.kind = EventKind::kMissingEpisode;
    r.event.category = "missing_overnight";
    r.event.date = *Date::FromYmd(2025, 3, 1);
    return r;
  }

  static BatchHeader Header() { return {"bcc", "f.csv", "filehash", "fmt", "child_protection", "test"}; }

 protected:
  // Lands `rows` as one committed batch and returns it.
  BatchInfo Land(const std::vector<ParsedRow>& rows, BatchHeader header = Header()) {
    auto writer = store_->BeginBatch(header);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    if (!writer.ok()) return {};
    int64_t landed = 0;
    for (const ParsedRow& r : rows) {
      auto added = (*writer)->AddRow(r);
      EXPECT_TRUE(added.ok()) << added.status().ToString();
      if (added.ok() && *added) ++landed;
    }
    auto info = (*writer)->Commit({static_cast<int64_t>(rows.size()), landed, 0, 0}, Actor{});
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? *info : BatchInfo{};
  }

  fs::path dir_;
  StoreLocation at_;
  std::string location_;
  std::unique_ptr<Store> store_;
};

}  // namespace riskradar::store::conformance

// The store conformance suite's fixture: every test is written against the store contracts and run once per
// backend (SQLite now; PostgreSQL joins by adding a Backend to kBackends). A backend supplies a location in a
// fresh directory and its test-only tamper hook; nothing in a test names a backend's SQL.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "riskradar/store/store.h"
#include "tamper_hook.h"

namespace riskradar::store::conformance {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  std::function<std::string(const fs::path& dir)> location;
  // The backend's test-only hook for changing a closed store behind its back.
  std::function<Result<std::unique_ptr<AuditTamperHook>>(std::string_view location)> tamper;
};

inline std::vector<Backend> Backends() {
  return {Backend{"sqlite", [](const fs::path& dir) { return (dir / "s.db").string(); }, OpenSqliteTamperHook}};
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
    location_ = GetParam().location(dir_);
    auto s = OpenStore(location_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->UpsertAgency({"bcc", "Council", AgencyKind::kCouncil, "Birmingham"}).ok());
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

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
  std::string location_;
  std::unique_ptr<Store> store_;
};

}  // namespace riskradar::store::conformance

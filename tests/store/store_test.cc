// Store conformance tests: written against the Store interface and run per
// backend (SQLite now; PostgreSQL joins the same suite later).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <functional>

#include "riskradar/store/store.h"

namespace riskradar::store {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  std::function<std::string(const fs::path& dir)> location;
};

class StoreConformance : public ::testing::TestWithParam<Backend> {
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

  ParsedRow Row(const std::string& local_id, const std::string& forename) {
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

  BatchHeader Header() { return {"bcc", "f.csv", "filehash", "fmt", "child_protection", "test"}; }

  fs::path dir_;
  std::string location_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformance, ReopeningDoesNotRemigrate) {
  store_.reset();
  auto again = OpenStore(location_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->ListAgencies()->size(), 1u);
}

TEST_P(StoreConformance, UncommittedBatchLeavesNothing) {
  {
    auto writer = store_->BeginBatch(Header());
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->AddRow(Row("R1", "Amy")).ok());
  }  // destroyed without Commit
  auto c = store_->Counts();
  EXPECT_EQ(c->source_records, 0);
  EXPECT_EQ(c->batches, 0);
  EXPECT_EQ(c->audit_events, 0);
}

TEST_P(StoreConformance, CommittedBatchLandsWithItsAuditEvent) {
  auto writer = store_->BeginBatch(Header());
  ASSERT_TRUE(writer.ok());
  EXPECT_TRUE(*(*writer)->AddRow(Row("R1", "Amy")));
  EXPECT_FALSE(*(*writer)->AddRow(Row("R1", "Amy"))) << "identical row is not stored twice";
  EXPECT_TRUE(*(*writer)->AddRow(Row("R1", "Aimee"))) << "a correction is a new record";
  auto info = (*writer)->Commit({3, 2, 1, 0}, Actor{});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto c = store_->Counts();
  EXPECT_EQ(c->source_records, 2);
  EXPECT_EQ(c->person_mentions, 2);
  EXPECT_EQ(c->events, 2);
  EXPECT_EQ(c->audit_events, 1);
  auto found = store_->FindCompletedBatch("bcc", "filehash");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->counts.landed, 2);
}

TEST_P(StoreConformance, UnknownAgencyIsRefused) {
  BatchHeader h = Header();
  h.agency_code = "nobody";
  auto writer = store_->BeginBatch(h);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformance, LinkageKeepsRetiredPersonsAndAssessmentsAppend) {
  auto writer = store_->BeginBatch(Header());
  ASSERT_TRUE((*writer)->AddRow(Row("R1", "Amy")).ok());
  ASSERT_TRUE((*writer)->AddRow(Row("R2", "Ben")).ok());
  ASSERT_TRUE((*writer)->Commit({2, 2, 0, 0}, Actor{}).ok());
  auto mentions = *store_->LoadPersonMentions();
  ASSERT_EQ(mentions.size(), 2u);
  LinkageOutput out;
  Person a;
  a.id = 1;
  a.display_name = "Amy Test";
  a.is_child = true;
  Person b = a;
  b.id = 2;
  b.display_name = "Ben Test";
  out.persons = {a, b};
  out.mention_person = {{mentions[0].mention.id, 1}, {mentions[1].mention.id, 2}};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  Assessment assessment;
  assessment.person_id = 2;
  assessment.level = RiskLevel::kAtRisk;
  assessment.model_version = "m1";
  ASSERT_TRUE(store_->SaveAssessments({assessment}, Actor{}).ok());
  assessment.level = RiskLevel::kSignificant;
  ASSERT_TRUE(store_->SaveAssessments({assessment}, Actor{}).ok());
  EXPECT_EQ(store_->Counts()->assessments, 2);
  auto latest = *store_->LatestAssessments();
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].level, RiskLevel::kSignificant);

  // A re-run merges both mentions into person 1: person 2 is retired, not deleted.
  out.persons = {a};
  out.mention_person = {{mentions[0].mention.id, 1}, {mentions[1].mention.id, 1}};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_EQ(store_->ListPersons()->size(), 1u);
  EXPECT_EQ(store_->MaxEntityIds()->first, 2);
  EXPECT_TRUE(store_->LatestAssessments()->empty());
  auto audit = store_->VerifyAudit();
  EXPECT_TRUE(audit->ok) << audit->problem;
}

TEST_P(StoreConformance, AuditEditIsDetected) {
  for (int i = 0; i < 3; ++i) {
    AuditEvent e;
    e.action = "read_child";
    e.target = "person:" + std::to_string(i);
    e.details = "{\"note\":\"line\\nbreak\"}";
    ASSERT_TRUE(store_->AppendAudit(e).ok());
  }
  auto ok = store_->VerifyAudit();
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->events, 3);
  store_.reset();
  // Tamper with the file directly, as an attacker with database access would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE audit_event SET target = 'person:99' WHERE seq = 2", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto reopened = OpenStore(location_);
  ASSERT_TRUE(reopened.ok());
  auto check = (*reopened)->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_FALSE(check->ok);
  EXPECT_NE(check->problem.find("audit event 2"), std::string::npos) << check->problem;
}

TEST_P(StoreConformance, AuditDeletionIsDetected) {
  for (int i = 0; i < 3; ++i) {
    AuditEvent e;
    e.action = "a" + std::to_string(i);
    ASSERT_TRUE(store_->AppendAudit(e).ok());
  }
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM audit_event WHERE seq = 2", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto check = (*OpenStore(location_))->VerifyAudit();
  EXPECT_FALSE(check->ok);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(Backend{"sqlite", [](const fs::path& dir) { return (dir / "s.db").string(); }}),
                         [](const auto& info) { return info.param.name; });

TEST(OpenStoreTest, ClearErrors) {
  EXPECT_EQ(OpenStore("/no/such/dir/x.db").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(OpenStore("postgresql://localhost/rr").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace riskradar::store

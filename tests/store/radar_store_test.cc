// The radar generation (what the server's radar cache is keyed on) and the stand-in child record (the
// not-found path's equal work, issue 11 item 6), against the SQLite store.
#include <gtest/gtest.h>

#include <set>

#include "conformance_fixture.h"

namespace riskradar::store {
namespace {

class RadarStoreTest : public conformance::Fixture {
 protected:
  // Persons 1..n (odd ids children in Birmingham, even ids adults), one record each.
  void SeedPeople(int n) {
    auto writer = store_->BeginBatch({"bcc", "f.csv", "h", "fmt", "child_protection", "test"});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (int i = 1; i <= n; ++i) {
      ParsedRow r;
      r.record.agency_code = "bcc";
      r.record.local_id = "L" + std::to_string(i);
      r.record.line = i + 1;
      r.record.raw_json = "{}";
      r.record.content_hash = r.record.local_id;
      r.record.record_class = "child_protection";
      r.record.lawful_basis = "test";
      r.subject.forename = "P" + std::to_string(i);
      r.subject.surname = "Synthetic";
      r.event.kind = EventKind::kMissingEpisode;
      r.event.category = "missing_overnight";
      r.event.date = *Date::FromYmd(2025, 3, 1);
      ASSERT_TRUE((*writer)->AddRow(r).ok());
    }
    ASSERT_TRUE((*writer)->Commit({n, n, 0, 0}, Actor{}).ok());
    auto mentions = store_->LoadPersonMentions();
    ASSERT_TRUE(mentions.ok());
    LinkageOutput out;
    for (int i = 1; i <= n; ++i) {
      Person p;
      p.id = i;
      p.display_name = "P" + std::to_string(i) + " Synthetic";
      p.is_child = i % 2 == 1;
      p.district = "Birmingham";
      out.persons.push_back(p);
    }
    for (const auto& m : *mentions)
      out.mention_person.push_back({m.mention.id, std::stoi(m.mention.forename.substr(1))});
    ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
    linkage_ = out;
  }

  Assessment Assess(int64_t person_id, RiskLevel level) {
    Assessment a;
    a.person_id = person_id;
    a.as_of = *Date::FromYmd(2025, 4, 1);
    a.level = level;
    a.model_version = "test";
    return a;
  }

  int64_t Generation() {
    auto g = store_->RadarGeneration();
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : -1;
  }

  int64_t Cell(const RadarCounts& counts, const std::string& level) {
    for (const RadarCell& c : counts.cells) {
      if (c.district == "Birmingham" && c.level == level) return c.children;
    }
    return 0;
  }

  LinkageOutput linkage_;
};

TEST_P(RadarStoreTest, EveryChangeToWhatTheRadarCountsMovesTheGenerationAndAuditAppendsDoNot) {
  SeedPeople(6);
  int64_t g = Generation();
  ASSERT_TRUE(
      store_->SaveAssessments({Assess(1, RiskLevel::kAtRisk), Assess(3, RiskLevel::kNoCurrentRisk)}, Actor{}).ok());
  EXPECT_NE(Generation(), g) << "a new assessment";
  auto counts = store_->ReadRadarCounts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->generation, Generation()) << "counts and generation come from one snapshot";
  EXPECT_EQ(Cell(*counts, "at_risk"), 1);
  EXPECT_EQ(Cell(*counts, "none"), 1);

  // Audited reads and writes that do not touch assessments or persons leave it alone.
  g = Generation();
  for (int i = 0; i < 5; ++i) {
    AuditEvent e;
    e.action = "read_child";
    e.target = "person:1";
    ASSERT_TRUE(store_->AppendAudit(e).ok());
  }
  {
    auto unit = store_->BeginUnit(UnitKind::kRead);
    ASSERT_TRUE(unit.ok());
    ASSERT_TRUE(store_->ReadChildRecord(1).ok());
    AuditEvent e;
    e.action = "read_child";
    ASSERT_TRUE((*unit)->AppendAudit(e).ok());
    ASSERT_TRUE((*unit)->Commit().ok());
  }
  User u;
  u.name = "radar-user";
  u.agency_code = "bcc";
  u.role = Role::kPractitioner;
  u.password_hash = "x";
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  ASSERT_TRUE(store_->AddUser(u, Actor{}).ok());
  EXPECT_EQ(Generation(), g);

  // A newer assessment of the same child (a re-run) moves it, and the radar counts the newest one only.
  ASSERT_TRUE(store_->SaveAssessments({Assess(1, RiskLevel::kSerious)}, Actor{}).ok());
  EXPECT_NE(Generation(), g);
  counts = store_->ReadRadarCounts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(Cell(*counts, "at_risk"), 0);
  EXPECT_EQ(Cell(*counts, "serious"), 1);

  // A linkage run that moves a child to another district moves it too.
  g = Generation();
  linkage_.persons[0].district = "Coventry";
  ASSERT_TRUE(store_->SaveLinkage(linkage_, Actor{}).ok());
  EXPECT_NE(Generation(), g);
  counts = store_->ReadRadarCounts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(Cell(*counts, "serious"), 0) << "child 1 is now counted in Coventry";
}

TEST_P(RadarStoreTest, AStandInIsARealChildTheSameOneForTheSameIdAndAbsentWithoutChildren) {
  auto none = store_->ReadStandInChildRecord(42);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value()) << "no person at all";

  SeedPeople(40);
  ASSERT_TRUE(store_->SaveAssessments({Assess(7, RiskLevel::kAtRisk)}, Actor{}).ok());
  std::set<int64_t> seen;
  for (int64_t missing = 1000; missing < 1200; ++missing) {
    auto a = store_->ReadStandInChildRecord(missing);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    ASSERT_TRUE(a->has_value());
    const int64_t id = (*a)->person.id;
    EXPECT_EQ(id % 2, 1) << "only children stand in (odd ids), got " << id;
    EXPECT_EQ((*a)->events.size(), 1u) << "read like a child record: with its events";
    if (id == 7) {
      EXPECT_TRUE((*a)->latest.has_value()) << "and its newest assessment";
    }
    auto again = store_->ReadStandInChildRecord(missing);
    ASSERT_TRUE(again.ok() && again->has_value());
    EXPECT_EQ((*again)->person.id, id) << "the same stand-in for the same id";
    seen.insert(id);
  }
  EXPECT_GE(seen.size(), 10u) << "stand-ins spread over the children";
}

INSTANTIATE_TEST_SUITE_P(Backends, RadarStoreTest, ::testing::ValuesIn(conformance::Backends()),
                         conformance::BackendName);

}  // namespace
}  // namespace riskradar::store

// The radar generation (what the server's radar cache is keyed on) and the choice of a stand-in record (the
// not-found path's equal work, issue 11 item 6), on every backend.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "conformance_fixture.h"
#include "riskradar/store/practice.h"

namespace riskradar::store {
namespace radar_store_test {

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

// The person-record generation (what the server's cache of people's mentions and record classes is keyed on,
// access/person_cache.h): every change to a person's stored record moves it in the same transaction; imports of
// records nobody is linked to yet, assessments and audit appends do not.
TEST_P(RadarStoreTest, EveryChangeToAPersonsRecordMovesThePersonRecordGenerationAndImportsDoNot) {
  SeedPeople(4);
  auto generation = [&] {
    auto g = store_->PersonRecordGeneration();
    EXPECT_TRUE(g.ok()) << g.status().ToString();
    return g.ok() ? *g : -1;
  };
  // ReadPersonMentions is ReadPersonRecord without the review pairs.
  auto full = store_->ReadPersonRecord(1);
  auto mentions = store_->ReadPersonMentions(1);
  ASSERT_TRUE(full.ok() && mentions.ok());
  ASSERT_TRUE(full->has_value() && mentions->has_value());
  EXPECT_EQ((*mentions)->person.display_name, (*full)->person.display_name);
  ASSERT_EQ((*mentions)->mentions.size(), 1u);
  EXPECT_EQ((*mentions)->mentions[0].mention_id, (*full)->mentions[0].mention_id);
  EXPECT_EQ((*mentions)->mentions[0].agency_code, "bcc");
  EXPECT_TRUE((*mentions)->reviewed.empty());
  auto none = store_->ReadPersonMentions(999);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  int64_t g = generation();
  ASSERT_TRUE(store_->SaveAssessments({Assess(1, RiskLevel::kAtRisk)}, Actor{}).ok());
  AuditEvent e;
  e.action = "read_child";
  ASSERT_TRUE(store_->AppendAudit(e).ok());
  // A new police record, not linked to anyone yet.
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "Birmingham"}).ok());
  auto writer = store_->BeginBatch({"wmp", "g.csv", "h2", "fmt", "police_intelligence", "test"});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ParsedRow r;
  r.record.agency_code = "wmp";
  r.record.local_id = "W1";
  r.record.line = 2;
  r.record.raw_json = "{}";
  r.record.content_hash = "W1";
  r.record.record_class = "police_intelligence";
  r.record.lawful_basis = "test";
  r.subject.forename = "P1";
  r.subject.surname = "Synthetic";
  r.event.kind = EventKind::kMissingEpisode;
  r.event.category = "missing_overnight";
  r.event.date = *Date::FromYmd(2025, 3, 2);
  ASSERT_TRUE((*writer)->AddRow(r).ok());
  ASSERT_TRUE((*writer)->Commit({1, 1, 0, 0}, Actor{}).ok());
  EXPECT_EQ(generation(), g) << "assessments, audit appends and an unlinked import leave it alone";
  auto classes = PracticeOf(*store_)->ReadPersonRecordClasses({1});
  ASSERT_TRUE(classes.ok());
  EXPECT_EQ(classes->size(), 1u) << "the new record is nobody's yet";

  // Linkage links the police record to person 1: the generation moves, and person 1 now has two classes.
  auto all = store_->LoadPersonMentions();
  ASSERT_TRUE(all.ok());
  for (const auto& m : *all) {
    if (m.mention.forename == "P1" && m.agency_code == "wmp") linkage_.mention_person.push_back({m.mention.id, 1});
  }
  ASSERT_TRUE(store_->SaveLinkage(linkage_, Actor{}).ok());
  EXPECT_GT(generation(), g);
  classes = PracticeOf(*store_)->ReadPersonRecordClasses({1});
  ASSERT_TRUE(classes.ok());
  EXPECT_EQ(classes->size(), 2u);
  // A linkage run that gives a person a new name (no link moved) moves it too.
  g = generation();
  linkage_.persons[1].display_name = "Renamed Synthetic";
  ASSERT_TRUE(store_->SaveLinkage(linkage_, Actor{}).ok());
  EXPECT_GT(generation(), g);
}

TEST_P(RadarStoreTest, ChooseSubjectGivesTheIdItselfOrAStandInOfTheSameKind) {
  for (SubjectKind kind : {SubjectKind::kChild, SubjectKind::kPerson, SubjectKind::kReviewItem}) {
    auto none = store_->ChooseSubject(kind, 42, 5);
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_EQ(none->id, 0) << "an empty store has nothing to stand in";
    EXPECT_FALSE(none->exists);
  }

  SeedPeople(40);
  // A review item for each pair of neighbouring mentions 1-2, 3-4, ... (ids 1..20).
  auto mentions = store_->LoadPersonMentions();
  ASSERT_TRUE(mentions.ok());
  ASSERT_EQ(mentions->size(), 40u);
  for (size_t i = 0; i + 1 < mentions->size(); i += 2) {
    ReviewItem r;
    r.left_mention_id = (*mentions)[i].mention.id;
    r.right_mention_id = (*mentions)[i + 1].mention.id;
    r.match_probability = 0.5;
    linkage_.review.push_back(r);
  }
  ASSERT_TRUE(store_->SaveLinkage(linkage_, Actor{}).ok());
  auto queue = store_->ReadReviewQueue("", true);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->items.size(), 20u);
  std::set<int64_t> items;
  for (const auto& item : queue->items) items.insert(item.id);

  // The id itself when a record of the kind has it.
  auto child = store_->ChooseSubject(SubjectKind::kChild, 7, 123);
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->exists);
  EXPECT_EQ(child->id, 7);
  auto adult = store_->ChooseSubject(SubjectKind::kPerson, 8, 123);
  ASSERT_TRUE(adult.ok());
  EXPECT_TRUE(adult->exists);
  EXPECT_EQ(adult->id, 8);
  auto item = store_->ChooseSubject(SubjectKind::kReviewItem, *items.begin(), 123);
  ASSERT_TRUE(item.ok());
  EXPECT_TRUE(item->exists);
  EXPECT_EQ(item->id, *items.begin());

  // An adult is not a child: asked for as a child, person 8 gets a stand-in child.
  auto not_child = store_->ChooseSubject(SubjectKind::kChild, 8, 123);
  ASSERT_TRUE(not_child.ok());
  EXPECT_FALSE(not_child->exists);
  EXPECT_EQ(not_child->id % 2, 1) << "a child stands in, got " << not_child->id;

  // A missing id: a real record of the kind, the same one for the same point, spread over the records as the
  // point moves (it wraps round the range of ids).
  std::map<SubjectKind, std::set<int64_t>> seen;
  for (int64_t point = 0; point < 400; ++point) {
    for (SubjectKind kind : {SubjectKind::kChild, SubjectKind::kPerson, SubjectKind::kReviewItem}) {
      auto a = store_->ChooseSubject(kind, 987654, point * 7919);
      ASSERT_TRUE(a.ok()) << a.status().ToString();
      EXPECT_FALSE(a->exists);
      ASSERT_NE(a->id, 0);
      if (kind == SubjectKind::kChild) {
        EXPECT_EQ(a->id % 2, 1) << "only children stand in, got " << a->id;
      } else if (kind == SubjectKind::kPerson) {
        EXPECT_TRUE(a->id >= 1 && a->id <= 40) << a->id;
      } else {
        EXPECT_TRUE(items.count(a->id)) << a->id;
      }
      auto again = store_->ChooseSubject(kind, 987654, point * 7919);
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(again->id, a->id) << "the same stand-in for the same point";
      seen[kind].insert(a->id);
    }
  }
  EXPECT_EQ(seen[SubjectKind::kChild].size(), 20u) << "every child stands in for some point";
  EXPECT_EQ(seen[SubjectKind::kPerson].size(), 40u);
  EXPECT_EQ(seen[SubjectKind::kReviewItem].size(), 20u);
}

INSTANTIATE_TEST_SUITE_P(Backends, RadarStoreTest, ::testing::ValuesIn(conformance::Backends()),
                         conformance::BackendName);

}  // namespace radar_store_test
}  // namespace riskradar::store

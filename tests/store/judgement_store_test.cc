// Store conformance for store/judgement.h: the trajectory with who made each entry, screenings, allocations and
// case notes, through the contract only, on every backend (conformance_fixture.h). Rows are written inside a
// unit of work, as the access layer writes them.
#include <string>
#include <vector>

#include "conformance_fixture.h"

namespace riskradar::store::conformance {
namespace judgement_store_test {

class JudgementStoreTest : public Fixture {
 protected:
  // Two children (ids 3 and 4, active) and an adult (id 5) of bcc.
  void LandPeople() {
    Land({Row("C1", "Amy"), Row("C2", "Bea"), Row("C3", "Cal")});
    auto mentions = *store_->LoadPersonMentions();
    ASSERT_EQ(mentions.size(), 3u);
    LinkageOutput out;
    for (int i = 0; i < 3; ++i) {
      Person p;
      p.id = 3 + i;
      p.display_name = "Person " + std::to_string(3 + i);
      p.is_child = i < 2;
      p.district = "Walsall";
      out.persons.push_back(p);
      out.mention_person.push_back({mentions[i].mention.id, 3 + i});
    }
    ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  }

  int64_t AddAccount(const std::string& name, const std::string& agency, Role role) {
    User u;
    u.name = name;
    u.agency_code = agency;
    u.role = role;
    u.password_hash = "$argon2id$test-hash-of-" + name;
    u.totp_secret = "JBSWY3DPEHPK3PXP";
    auto id = store_->AddUser(u, Actor{});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  static AssessmentEntry Entry(int64_t person, RiskLevel level, const char* kind, const char* by) {
    AssessmentEntry e;
    e.assessment.person_id = person;
    e.assessment.as_of = *Date::FromYmd(2026, 3, 1);
    e.assessment.level = level;
    e.assessment.score = 2.5;
    e.assessment.model_version = "wm-test";
    e.assessment.indicators = {{"disclosure", "significant", "Disclosure", true, 5, {}}};
    e.assessment.explanation = {"line one"};
    e.assessment.next_review = *Date::FromYmd(2026, 5, 31);
    e.kind = kind;
    e.created_by = by;
    return e;
  }
};

TEST_P(JudgementStoreTest, TheTrajectoryKeepsEveryEntryWithKindAuthorOverrideAndReview) {
  LandPeople();
  // The assess stage's own write also records its kind, author and review date.
  Assessment pipeline;
  pipeline.person_id = 3;
  pipeline.as_of = *Date::FromYmd(2026, 1, 1);
  pipeline.level = RiskLevel::kAtRisk;
  pipeline.next_review = *Date::FromYmd(2026, 4, 2);
  ASSERT_TRUE(store_->SaveAssessments({pipeline}, Actor{"op", "", "system", "test"}).ok());

  auto unit = store_->BeginUnit(UnitKind::kWrite);
  ASSERT_TRUE(unit.ok());
  AssessmentEntry screening = Entry(3, RiskLevel::kSignificant, "screening", "p.one");
  auto id1 = store_->InsertAssessmentEntry(screening);
  ASSERT_TRUE(id1.ok()) << id1.status().ToString();
  AssessmentEntry override_entry = Entry(3, RiskLevel::kSignificant, "override", "m.two");
  override_entry.assessment.override_level = RiskLevel::kSerious;
  override_entry.assessment.override_reason = "Disclosure to the school nurse";
  override_entry.assessment.override_by = "m.two";
  auto id2 = store_->InsertAssessmentEntry(override_entry);
  ASSERT_TRUE(id2.ok());
  EXPECT_GT(*id2, *id1);
  EXPECT_EQ(store_->InsertAssessmentEntry(Entry(99, RiskLevel::kAtRisk, "screening", "x")).status().code(),
            StatusCode::kConflict)
      << "an assessment names a stored person";
  ASSERT_TRUE((*unit)->Commit().ok());

  auto history = store_->ReadAssessmentHistory(3);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].kind, "pipeline");
  EXPECT_EQ((*history)[0].created_by, "op");
  EXPECT_EQ((*history)[0].assessment.next_review->ToIso(), "2026-04-02");
  EXPECT_EQ((*history)[1].kind, "screening");
  EXPECT_EQ((*history)[1].created_by, "p.one");
  EXPECT_EQ((*history)[1].assessment.id, *id1);
  EXPECT_EQ((*history)[1].assessment.indicators.size(), 1u);
  EXPECT_FALSE((*history)[1].assessment.override_level.has_value());
  const AssessmentEntry& last = (*history)[2];
  EXPECT_EQ(last.kind, "override");
  EXPECT_EQ(last.assessment.level, RiskLevel::kSignificant);
  EXPECT_EQ(*last.assessment.override_level, RiskLevel::kSerious);
  EXPECT_EQ(last.assessment.override_reason, "Disclosure to the school nurse");
  EXPECT_EQ(last.assessment.override_by, "m.two");
  EXPECT_EQ(last.assessment.next_review->ToIso(), "2026-05-31");
  EXPECT_FALSE(last.created_at.empty());
  EXPECT_TRUE(store_->ReadAssessmentHistory(4)->empty());

  // The latest assessment everywhere else carries the override's author and review date too.
  auto latest = store_->LatestAssessments();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].override_by, "m.two");
  EXPECT_EQ((*latest)[0].next_review->ToIso(), "2026-05-31");
  EXPECT_EQ((*store_->ReadChildRecord(3))->latest->override_by, "m.two");
}

TEST_P(JudgementStoreTest, AWriteAbandonedWithItsUnitLeavesNothing) {
  LandPeople();
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    ASSERT_TRUE(store_->InsertAssessmentEntry(Entry(3, RiskLevel::kAtRisk, "screening", "p.one")).ok());
    CaseNote note{0, "child", 3, "p.one", "bcc", "text", ""};
    ASSERT_TRUE(store_->InsertCaseNote(note).ok());
  }
  EXPECT_TRUE(store_->ReadAssessmentHistory(3)->empty());
  EXPECT_TRUE(store_->ReadCaseNotes("child", 3)->empty());
}

TEST_P(JudgementStoreTest, ScreeningsKeepTheirObservationsAndNameTheirAssessment) {
  LandPeople();
  auto unit = store_->BeginUnit(UnitKind::kWrite);
  ASSERT_TRUE(unit.ok());
  const int64_t assessment = *store_->InsertAssessmentEntry(Entry(3, RiskLevel::kAtRisk, "screening", "p.one"));
  ScreeningRow row;
  row.person_id = 3;
  row.assessment_id = assessment;
  row.recorded_by = "p.one";
  row.agency_code = "bcc";
  row.observations = {{"disclosure", *Date::FromYmd(2026, 2, 20), "school nurse"},
                      {"unexplained_gifts_money", *Date::FromYmd(2026, 2, 21), "parent, by phone"}};
  auto id = store_->InsertScreening(row);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  row.person_id = 4;
  EXPECT_EQ(store_->InsertScreening(row).status().code(), StatusCode::kConflict) << "another child's assessment";
  row.person_id = 3;
  row.assessment_id = assessment + 100;
  EXPECT_EQ(store_->InsertScreening(row).status().code(), StatusCode::kConflict) << "no such assessment";
  ASSERT_TRUE((*unit)->Commit().ok());

  auto screenings = store_->ReadScreenings(3);
  ASSERT_TRUE(screenings.ok());
  ASSERT_EQ(screenings->size(), 1u);
  const ScreeningRow& got = (*screenings)[0];
  EXPECT_EQ(got.id, *id);
  EXPECT_EQ(got.assessment_id, assessment);
  EXPECT_EQ(got.recorded_by, "p.one");
  EXPECT_EQ(got.agency_code, "bcc");
  EXPECT_FALSE(got.recorded_at.empty());
  ASSERT_EQ(got.observations.size(), 2u);
  EXPECT_EQ(got.observations[1].indicator, "unexplained_gifts_money");
  EXPECT_EQ(got.observations[1].date.ToIso(), "2026-02-21");
  EXPECT_EQ(got.observations[1].source, "parent, by phone");
  EXPECT_TRUE(store_->ReadScreenings(4)->empty());
}

TEST_P(JudgementStoreTest, AllocationsAreCurrentAllocatedCasesWithTheTwoNewestAssessments) {
  LandPeople();
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  const int64_t ann = AddAccount("ann", "bcc", Role::kPractitioner);
  const int64_t bob = AddAccount("bob", "bcc", Role::kPractitioner);
  const int64_t pc = AddAccount("pc", "wmp", Role::kPractitioner);
  ASSERT_TRUE(store_->AddCareRelationship({ann, 3, "allocated_case"}, Actor{}).ok());
  ASSERT_TRUE(store_->AddCareRelationship({ann, 4, "mase_listing"}, Actor{}).ok());  // not a case
  ASSERT_TRUE(store_->AddCareRelationship({bob, 4, "allocated_case"}, Actor{}).ok());
  ASSERT_TRUE(store_->AddCareRelationship({pc, 3, "allocated_case"}, Actor{}).ok());
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    for (RiskLevel level : {RiskLevel::kAtRisk, RiskLevel::kSignificant, RiskLevel::kSerious}) {
      ASSERT_TRUE(store_->InsertAssessmentEntry(Entry(3, level, "screening", "ann")).ok());
    }
    ASSERT_TRUE((*unit)->Commit().ok());
  }
  auto own = store_->ReadAllocations("ignored", ann);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  ASSERT_EQ(own->size(), 1u);
  EXPECT_EQ((*own)[0].person_id, 3);
  EXPECT_EQ((*own)[0].user_name, "ann");
  ASSERT_TRUE((*own)[0].latest && (*own)[0].previous);
  EXPECT_EQ((*own)[0].latest->level, RiskLevel::kSerious);
  EXPECT_EQ((*own)[0].previous->level, RiskLevel::kSignificant);

  auto team = store_->ReadAllocations("bcc", 0);
  ASSERT_EQ(team->size(), 2u) << "bcc's users' cases, not wmp's";
  EXPECT_EQ((*team)[0].user_name, "ann");
  EXPECT_EQ((*team)[1].user_name, "bob");
  EXPECT_EQ((*team)[1].person_id, 4);
  EXPECT_FALSE((*team)[1].latest.has_value());

  // An ended relationship leaves the caseload.
  auto rels = store_->ReadCareRelationships(4);
  for (const CareRelationshipRecord& r : *rels) {
    if (r.user_name == "bob") {
      ASSERT_TRUE(store_->SetCareRelationshipEnded(r.id, "manager").ok());
    }
  }
  EXPECT_EQ(store_->ReadAllocations("bcc", 0)->size(), 1u);
}

TEST_P(JudgementStoreTest, CaseNotesAreKeptPerSubjectOldestFirst) {
  LandPeople();
  EXPECT_TRUE(*store_->NoteSubjectExists("child", 3));
  EXPECT_FALSE(*store_->NoteSubjectExists("child", 5)) << "an adult is no child";
  EXPECT_TRUE(*store_->NoteSubjectExists("person", 5));
  EXPECT_FALSE(*store_->NoteSubjectExists("person", 42));
  EXPECT_FALSE(*store_->NoteSubjectExists("place", 42));
  EXPECT_EQ(store_->NoteSubjectExists("network", 1).status().code(), StatusCode::kInvalidArgument);

  auto unit = store_->BeginUnit(UnitKind::kWrite);
  ASSERT_TRUE(unit.ok());
  const int64_t first = *store_->InsertCaseNote({0, "child", 3, "ann", "bcc", "Visited at home.\nWell.", ""});
  const int64_t second = *store_->InsertCaseNote({0, "child", 3, "pc", "wmp", "Seen near the rank", ""});
  ASSERT_TRUE(store_->InsertCaseNote({0, "person", 3, "ann", "bcc", "Same id, another kind", ""}).ok());
  ASSERT_TRUE((*unit)->Commit().ok());
  auto notes = store_->ReadCaseNotes("child", 3);
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].id, first);
  EXPECT_EQ((*notes)[0].text, "Visited at home.\nWell.");
  EXPECT_EQ((*notes)[0].author, "ann");
  EXPECT_EQ((*notes)[1].id, second);
  EXPECT_EQ((*notes)[1].agency_code, "wmp");
  EXPECT_FALSE((*notes)[1].created_at.empty());
  EXPECT_EQ(store_->ReadCaseNotes("person", 3)->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, JudgementStoreTest, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace judgement_store_test
}  // namespace riskradar::store::conformance

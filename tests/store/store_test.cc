// Store conformance tests: written against the Store interface and run per
// backend (SQLite now; PostgreSQL joins the same suite later).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "conformance_fixture.h"

namespace riskradar::store {
namespace store_test {

namespace fs = std::filesystem;

// The cross-cutting conformance cases; the per-method ones are in contracts_test.cc.
using StoreConformance = conformance::Fixture;

TEST_P(StoreConformance, ReopeningDoesNotRemigrate) {
  store_.reset();
  auto again = Reopen();
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
  // Tamper with the stored log directly, as an attacker with database access would.
  {
    auto hook = Tamper();
    ASSERT_TRUE(hook.ok()) << hook.status().ToString();
    ASSERT_TRUE((*hook)->SetAuditTarget(2, "person:99").ok());
  }
  auto reopened = Reopen();
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
  {
    auto hook = Tamper();
    ASSERT_TRUE(hook.ok()) << hook.status().ToString();
    ASSERT_TRUE((*hook)->DeleteAuditEvent(2).ok());
  }
  auto check = (*Reopen())->VerifyAudit();
  EXPECT_FALSE(check->ok);
}

// ---- the contract reads the access layer builds on: units of work, facts and unfiltered rows

TEST_P(StoreConformance, UnitOfWorkCommitsItsEventsOrNothing) {
  const int64_t before = store_->Counts()->audit_events;
  {
    auto unit = store_->BeginUnit(UnitKind::kRead);
    ASSERT_TRUE(unit.ok()) << unit.status().ToString();
    AuditEvent e;
    e.action = "read_child";
    ASSERT_TRUE((*unit)->AppendAudit(e).ok());
  }  // abandoned without Commit
  EXPECT_EQ(store_->Counts()->audit_events, before);
  auto unit = store_->BeginUnit(UnitKind::kRead);
  ASSERT_TRUE(unit.ok());
  EXPECT_EQ(store_->BeginUnit(UnitKind::kWrite).status().code(), StatusCode::kFailedPrecondition)
      << "one unit at a time per store";
  AuditEvent e;
  e.action = "read_child";
  e.target = "person:5";
  ASSERT_TRUE((*unit)->AppendAudit(e).ok());
  ASSERT_TRUE((*unit)->AppendAudit(e).ok());
  ASSERT_TRUE((*unit)->Commit().ok());
  EXPECT_EQ((*unit)->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*unit)->AppendAudit(e).code(), StatusCode::kFailedPrecondition);
  unit->reset();
  EXPECT_EQ(store_->Counts()->audit_events, before + 2);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_P(StoreConformance, ChildRecordIsEveryEventUnfiltered) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  {
    auto writer = store_->BeginBatch(Header());
    ASSERT_TRUE((*writer)->AddRow(Row("R1", "Amy")).ok());
    ASSERT_TRUE((*writer)->Commit({1, 1, 0, 0}, Actor{}).ok());
  }
  {
    auto writer = store_->BeginBatch({"wmp", "p.csv", "policehash", "fmt", "police_intel", "test"});
    ParsedRow r = Row("P1", "Amy");
    r.record.agency_code = "wmp";
    r.record.record_class = "police_intel";
    r.event.date = *Date::FromYmd(2025, 2, 1);
    ASSERT_TRUE((*writer)->AddRow(r).ok());
    ASSERT_TRUE((*writer)->Commit({1, 1, 0, 0}, Actor{}).ok());
  }
  auto mentions = *store_->LoadPersonMentions();
  ASSERT_EQ(mentions.size(), 2u);
  LinkageOutput out;
  Person amy;
  amy.id = 4;
  amy.display_name = "Amy Test";
  amy.is_child = true;
  out.persons = {amy};
  out.mention_person = {{mentions[0].mention.id, 4}, {mentions[1].mention.id, 4}};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  Assessment a;
  a.person_id = 4;
  a.level = RiskLevel::kAtRisk;
  a.model_version = "m1";
  a.indicators = {{"repeat_missing", "risk", "Missing", true, 2, {1}}, {"intel", "risk", "Intelligence", true, 1, {2}}};
  a.explanation = {"first line", "second line"};
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());

  auto record = store_->ReadChildRecord(4);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  ASSERT_TRUE(record->has_value());
  const ChildRecord& r = **record;
  EXPECT_EQ(r.person.display_name, "Amy Test");
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].agency_code, "wmp") << "oldest first";
  EXPECT_EQ(r.events[0].record_class, "police_intel");
  EXPECT_EQ(r.events[1].agency_code, "bcc");
  ASSERT_TRUE(r.latest.has_value());
  EXPECT_EQ(r.latest->indicators.size(), 2u);
  EXPECT_EQ(r.latest->explanation, (std::vector<std::string>{"first line", "second line"}));
  EXPECT_FALSE(store_->ReadChildRecord(5)->has_value());
}

TEST_P(StoreConformance, ChildAccessFactsFollowAgreementsRelationshipsAndExpiry) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  User officer;
  officer.name = "officer";
  officer.agency_code = "wmp";
  officer.role = Role::kPractitioner;
  officer.password_hash = "x";
  officer.totp_secret = "JBSWY3DPEHPK3PXP";
  auto user = store_->AddUser(officer, Actor{});
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  const Viewer viewer{*user, "officer", "wmp", Role::kPractitioner};
  auto none = store_->ReadChildAccessFacts(viewer, 4, 1000);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->relationship);
  EXPECT_FALSE(none->break_glass);
  EXPECT_TRUE(none->agreements.empty());

  ASSERT_TRUE(
      store_->AddSharingAgreement({0, "bcc", "wmp", "child_protection", "safeguarding", "test", 2000}, Actor{}).ok());
  ASSERT_TRUE(store_->AddCareRelationship({*user, 4, "allocated_case"}, Actor{}).ok());
  ASSERT_TRUE(store_->GrantBreakGlass(viewer, 4, "emergency", 1000, 600, Actor{}).ok());
  auto facts = *store_->ReadChildAccessFacts(viewer, 4, 1500);
  EXPECT_TRUE(facts.relationship);
  EXPECT_TRUE(facts.break_glass);
  ASSERT_EQ(facts.agreements.size(), 1u);
  EXPECT_EQ(facts.agreements[0].provider_agency, "bcc");
  EXPECT_EQ(facts.agreements[0].data_class, "child_protection");
  // After the grant (1600) and the agreement (2000) expire only the relationship holds; other people: nothing.
  auto later = *store_->ReadChildAccessFacts(viewer, 4, 2500);
  EXPECT_TRUE(later.relationship);
  EXPECT_FALSE(later.break_glass);
  EXPECT_TRUE(later.agreements.empty());
  EXPECT_FALSE(store_->ReadChildAccessFacts(viewer, 5, 1500)->relationship);
}

TEST_P(StoreConformance, BatchesAndQuarantinePagesAreRows) {
  auto writer = store_->BeginBatch(Header());
  for (int i = 0; i < 5; ++i) {
    QuarantinedRow q;
    q.file = "f.csv";
    q.line = 2 + i;
    q.reason = "bad date";
    q.raw = "row " + std::to_string(i);
    ASSERT_TRUE((*writer)->AddQuarantine(q).ok());
  }
  auto info = (*writer)->Commit({5, 0, 0, 5}, Actor{});
  ASSERT_TRUE(info.ok());
  auto batch = store_->FindBatch(info->id);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->has_value());
  EXPECT_EQ((*batch)->header.agency_code, "bcc");
  EXPECT_EQ((*batch)->counts.quarantined, 5);
  EXPECT_FALSE(store_->FindBatch(info->id + 1)->has_value());
  const int64_t events = store_->Counts()->audit_events;
  auto page = store_->ListQuarantinePage(info->id, 2, 3);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 5);
  ASSERT_EQ(page->rows.size(), 2u);
  EXPECT_EQ(page->rows[0].raw, "row 3");
  EXPECT_EQ(page->rows[1].line, 6);
  EXPECT_EQ(store_->Counts()->audit_events, events) << "rows reads are audited by the access layer, not here";
  EXPECT_EQ(store_->ListQuarantinePage(info->id + 1, 10, 0)->total, 0);
}

// Retention: records past their class's period go with everything derived from them; a legal hold keeps them;
// a plan changes nothing; a person left with no record keeps only an inactive id; the deleted bytes are gone
// from the file and its WAL.
TEST_P(StoreConformance, RetentionDeletesDueRecordsAndRespectsLegalHolds) {
  auto writer = store_->BeginBatch(Header());
  ASSERT_TRUE(writer.ok());
  struct Spec {
    const char* id;
    const char* name;
    Date date;
    int64_t person;
  };
  const std::vector<Spec> specs = {{"R1", "Amy", *Date::FromYmd(2000, 3, 1), 1},
                                   {"R2", "Ben", *Date::FromYmd(2025, 3, 1), 2},
                                   {"R3", "Cat", *Date::FromYmd(2000, 5, 1), 3},
                                   {"R4", "Amy", *Date::FromYmd(2024, 6, 1), 1},
                                   {"R5", "Zephyrine", *Date::FromYmd(1999, 1, 1), 4}};
  for (const Spec& spec : specs) {
    ParsedRow r = Row(spec.id, spec.name);
    r.event.date = spec.date;
    ASSERT_TRUE((*writer)->AddRow(r).ok());
  }
  ASSERT_TRUE(
      (*writer)->AddQuarantine({0, 0, "f.csv", 9, "Event Date", "x", "bad date", "{\"f\":\"Quarantina\"}"}).ok());
  ASSERT_TRUE((*writer)->Commit({6, 5, 0, 1}, Actor{}).ok());
  auto mentions = *store_->LoadPersonMentions();
  ASSERT_EQ(mentions.size(), 5u);
  LinkageOutput out;
  for (int64_t id = 1; id <= 4; ++id) {
    Person p;
    p.id = id;
    p.display_name = std::string(id == 4 ? "Zephyrine" : "Someone") + " Test";
    p.is_child = true;
    out.persons.push_back(p);
  }
  for (size_t i = 0; i < mentions.size(); ++i) out.mention_person.push_back({mentions[i].mention.id, specs[i].person});
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  Assessment a;
  a.person_id = 4;
  a.level = RiskLevel::kAtRisk;
  a.model_version = "m1";
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());

  LegalHold bad;
  bad.scope = "person";
  bad.target = "3";
  bad.reason = "short";
  EXPECT_EQ(store_->AddLegalHold(bad, Actor{"ig", "bcc", "ig_lead", "test"}).status().code(),
            StatusCode::kInvalidArgument);
  bad.reason = "Inquiry ref 2026/17: keep everything about this child";
  bad.target = "999";
  EXPECT_EQ(store_->AddLegalHold(bad, Actor{"ig", "bcc", "ig_lead", "test"}).status().code(), StatusCode::kNotFound);
  bad.target = "3";
  auto hold = store_->AddLegalHold(bad, Actor{"ig", "bcc", "ig_lead", "test"});
  ASSERT_TRUE(hold.ok()) << hold.status().ToString();
  ASSERT_EQ(store_->ListLegalHolds(true)->size(), 1u);

  RetentionPolicy policy;
  policy.version = "t1";
  policy.rules = {{"child_protection", 25 * 365}};
  const Date as_of = *Date::FromYmd(2026, 1, 1);
  auto plan = store_->PlanRetention(policy, as_of);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->classes.size(), 1u);
  EXPECT_EQ(plan->classes[0].due, 2);   // R1 and R5
  EXPECT_EQ(plan->classes[0].held, 1);  // R3
  EXPECT_EQ(plan->persons_erased, 1);   // Zephyrine (R5 was her only record)
  EXPECT_EQ(plan->quarantine_due, 0);   // quarantined today
  EXPECT_FALSE(plan->applied);
  EXPECT_EQ(store_->Counts()->source_records, 5) << "a plan changes nothing";
  EXPECT_TRUE(plan->unruled.empty()) << "every class held has a rule";
  // A class no rule names is kept forever: the plan says which, and how many records it holds.
  RetentionPolicy no_rules;
  no_rules.version = "t0";
  auto unruled = store_->PlanRetention(no_rules, as_of);
  ASSERT_TRUE(unruled.ok()) << unruled.status().ToString();
  ASSERT_EQ(unruled->unruled.size(), 1u);
  EXPECT_EQ(unruled->unruled[0].first, "child_protection");
  EXPECT_EQ(unruled->unruled[0].second, 5);
  EXPECT_TRUE(unruled->classes.empty());

  RetentionPolicy twice = policy;
  twice.rules.push_back({"child_protection", 10});
  EXPECT_EQ(store_->PlanRetention(twice, as_of).status().code(), StatusCode::kInvalidArgument);

  const int64_t audit_before = store_->Counts()->audit_events;
  auto applied = store_->ApplyRetention(policy, as_of, Actor{"ig", "bcc", "ig_lead", "retention"});
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_TRUE(applied->applied);
  EXPECT_EQ(applied->classes[0].due, 2);
  auto c = store_->Counts();
  EXPECT_EQ(c->source_records, 3);
  EXPECT_EQ(c->person_mentions, 3);
  EXPECT_EQ(c->events, 3);
  EXPECT_EQ(c->audit_events, audit_before + 1);
  EXPECT_EQ(c->assessments, 0) << "the erased person's assessment goes";
  auto persons = *store_->ListPersons();
  EXPECT_EQ(persons.size(), 3u);
  for (const Person& p : persons) EXPECT_NE(p.id, 4);
  auto check = store_->VerifyAudit();
  EXPECT_TRUE(check->ok) << check->problem;

  // Secure deletion: the erased name is nowhere in the database file or its WAL (SQLite). A PostgreSQL server's
  // files are not this test's to read: its dead rows go with VACUUM (docs/deploying-postgresql.md).
  store_.reset();
  if (const auto bytes = GetParam().stored_bytes(location_)) {
    EXPECT_GT(bytes->size(), 0u) << "the store's files were read";
    EXPECT_EQ(bytes->find("Zephyrine"), std::string::npos) << location_;
  }
  auto reopened = Reopen();
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);

  // Releasing the hold makes R3 due; the quarantined row is due 90 days after its import.
  ASSERT_TRUE(store_->ReleaseLegalHold(*hold, Actor{"ig", "bcc", "ig_lead", "test"}).ok());
  EXPECT_EQ(store_->ReleaseLegalHold(*hold, Actor{}).code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListLegalHolds(true)->empty());
  EXPECT_EQ(store_->ListLegalHolds(false)->size(), 1u);
  plan = store_->PlanRetention(policy, as_of);
  EXPECT_EQ(plan->classes[0].due, 1);
  EXPECT_EQ(plan->classes[0].held, 0);
  plan = store_->PlanRetention(policy, *Date::FromYmd(2099, 1, 1));
  EXPECT_EQ(plan->quarantine_due, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(conformance::Backends()),
                         conformance::BackendName);

TEST(OpenStoreTest, ClearErrors) {
  EXPECT_EQ(OpenStore("/no/such/dir/x.db").status().code(), StatusCode::kNotFound);
  // A PostgreSQL store names its key files and witness (there is no file next to which to put them).
  const auto pg = OpenStore("postgresql://localhost/rr");
  EXPECT_EQ(pg.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pg.status().message().find("[keys] audit"), std::string::npos) << pg.status().ToString();
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace store_test
}  // namespace riskradar::store

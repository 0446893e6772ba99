// Store conformance, one contract at a time: what each method of imports.h, linkage.h and assessments.h
// promises, and the rows and facts of users.h and need_to_know.h that the access layer decides on, checked
// through the contract only, on every backend (conformance_fixture.h). The cross-cutting cases (all-or-nothing
// batches, audit tampering, units of work, retention) are in store_test.cc.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "conformance_fixture.h"
#include "riskradar/store/linkage_changes.h"

namespace riskradar::store::conformance {
namespace contracts_test {

using Contracts = Fixture;

// A row with an associate adult and a place, as a police sighting records them.
ParsedRow Sighting(const std::string& local_id, const std::string& child, const std::string& adult,
                   const std::string& place) {
  ParsedRow r = Fixture::Row(local_id, child);
  r.record.agency_code = "wmp";
  r.record.record_class = "police_intel";
  r.event.kind = EventKind::kSighting;
  r.event.category = "seen_with_adult";
  r.event.date = *Date::FromYmd(2025, 4, 2);
  r.event.detail = "seen at the rank";
  r.event.minute_of_day = 22 * 60 + 15;
  PersonMention a;
  a.role = PersonRole::kPersonOfConcern;
  a.forename = adult;
  a.surname = "Fictional";
  a.sex = Sex::kMale;
  r.associate = a;
  PlaceMention p;
  p.name = place;
  p.type = PlaceType::kTaxiRank;
  p.postcode = "B1 1AA";
  p.lat = 52.48;
  p.lon = -1.9;
  r.place = p;
  return r;
}

BatchHeader PoliceHeader() { return {"wmp", "p.csv", "policehash", "police-v1", "police_intel", "test"}; }

TEST_P(Contracts, AgenciesAreUpsertedByCodeAndListedInCodeOrder) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  ASSERT_TRUE(store_->UpsertAgency({"bcc", "Birmingham Children's Trust", AgencyKind::kCouncil, "Birmingham"}).ok());
  auto agencies = store_->ListAgencies();
  ASSERT_TRUE(agencies.ok()) << agencies.status().ToString();
  ASSERT_EQ(agencies->size(), 2u) << "the second upsert of bcc replaces it";
  EXPECT_EQ((*agencies)[0].code, "bcc");
  EXPECT_EQ((*agencies)[0].name, "Birmingham Children's Trust");
  EXPECT_EQ((*agencies)[1].code, "wmp");
  EXPECT_EQ((*agencies)[1].kind, AgencyKind::kPolice);
  EXPECT_EQ((*agencies)[1].area, "West Midlands");
}

TEST_P(Contracts, BatchesAreListedWithHeadersCountsAndTheirOwnQuarantine) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  auto first = store_->BeginBatch(Header());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(*(*first)->AddRow(Row("R1", "Amy")));
  ASSERT_TRUE((*first)->AddQuarantine({0, 0, "f.csv", 3, "DOB", "31/02/2011", "no such date", "{\"f\":\"X\"}"}).ok());
  auto b1 = (*first)->Commit({2, 1, 0, 1}, Actor{});
  ASSERT_TRUE(b1.ok()) << b1.status().ToString();
  auto second = store_->BeginBatch(PoliceHeader());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE((*second)->AddQuarantine({0, 0, "p.csv", 7, "", "", "too few columns", "a,b"}).ok());
  auto b2 = (*second)->Commit({1, 0, 0, 1}, Actor{});
  ASSERT_TRUE(b2.ok());

  auto batches = store_->ListBatches();
  ASSERT_TRUE(batches.ok());
  ASSERT_EQ(batches->size(), 2u);
  const BatchInfo& one = (*batches)[0].id == b1->id ? (*batches)[0] : (*batches)[1];
  EXPECT_EQ(one.header.file, "f.csv");
  EXPECT_EQ(one.header.format, "fmt");
  EXPECT_EQ(one.header.record_class, "child_protection");
  EXPECT_EQ(one.counts.rows_in, 2);
  EXPECT_EQ(one.counts.landed, 1);
  EXPECT_EQ(one.counts.quarantined, 1);
  EXPECT_EQ(one.status, "complete");
  EXPECT_FALSE(one.finished_at.empty());

  auto all = store_->ListQuarantine(0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u) << "batch 0 lists every batch's quarantine";
  auto only = store_->ListQuarantine(b2->id);
  ASSERT_EQ(only->size(), 1u);
  const QuarantinedRow& q = (*only)[0];
  EXPECT_EQ(q.batch_id, b2->id);
  EXPECT_EQ(q.line, 7);
  EXPECT_EQ(q.reason, "too few columns");
  EXPECT_EQ(q.raw, "a,b") << "the raw row is kept for re-submission";
  EXPECT_TRUE(store_->ListQuarantine(b2->id + 100)->empty());
  auto from_first = store_->ListQuarantine(b1->id);
  ASSERT_EQ(from_first->size(), 1u);
  EXPECT_EQ((*from_first)[0].column, "DOB");
  EXPECT_EQ((*from_first)[0].value, "31/02/2011");

  auto again = store_->FindCompletedBatch("wmp", "policehash");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->id, b2->id);
  EXPECT_FALSE(store_->FindCompletedBatch("bcc", "policehash")->has_value()) << "a file hash is per agency";
}

TEST_P(Contracts, MentionsCarryTheirSlotAgencyAndLocalId) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  Land({Row("C1", "Amy")});
  Land({Sighting("S1", "Amy", "Drew", "Fictional Rank")}, PoliceHeader());
  auto mentions = store_->LoadPersonMentions();
  ASSERT_TRUE(mentions.ok()) << mentions.status().ToString();
  ASSERT_EQ(mentions->size(), 3u);
  int subjects = 0, associates = 0;
  for (const MentionRow& m : *mentions) {
    EXPECT_GT(m.mention.id, 0);
    EXPECT_GT(m.mention.source_record_id, 0);
    if (m.slot == "associate") {
      ++associates;
      EXPECT_EQ(m.agency_code, "wmp");
      EXPECT_EQ(m.local_id, "S1");
      EXPECT_EQ(m.mention.forename, "Drew");
      EXPECT_EQ(m.mention.role, PersonRole::kPersonOfConcern);
      EXPECT_EQ(m.mention.sex, Sex::kMale);
    } else {
      ++subjects;
      EXPECT_EQ(m.slot, "subject");
      EXPECT_EQ(m.mention.forename, "Amy");
      EXPECT_EQ(m.mention.dob, Date::FromYmd(2011, 1, 2));
    }
  }
  EXPECT_EQ(subjects, 2);
  EXPECT_EQ(associates, 1);
  auto places = store_->LoadPlaceMentions();
  ASSERT_TRUE(places.ok());
  ASSERT_EQ(places->size(), 1u);
  EXPECT_EQ((*places)[0].agency_code, "wmp");
  EXPECT_EQ((*places)[0].local_id, "S1");
  EXPECT_EQ((*places)[0].mention.name, "Fictional Rank");
  EXPECT_EQ((*places)[0].mention.type, PlaceType::kTaxiRank);
  EXPECT_EQ((*places)[0].mention.postcode, "B1 1AA");
  ASSERT_TRUE((*places)[0].mention.lat.has_value());
  EXPECT_DOUBLE_EQ(*(*places)[0].mention.lat, 52.48);
}

// A linkage run's output, read back through every linkage read, and the events joined to it.
TEST_P(Contracts, LinkageOutputIsReadBackWholeAndJoinsTheEvents) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  EXPECT_EQ(store_->LatestLinkageModel().status().code(), StatusCode::kNotFound) << "before the first run";
  EXPECT_EQ(*store_->MaxEntityIds(), std::make_pair(int64_t{0}, int64_t{0}));
  Land({Row("C1", "Amy")});
  Land({Sighting("S1", "Amy", "Drew", "Fictional Rank")}, PoliceHeader());
  auto mentions = *store_->LoadPersonMentions();
  auto place_mentions = *store_->LoadPlaceMentions();
  ASSERT_EQ(mentions.size(), 3u);
  ASSERT_EQ(place_mentions.size(), 1u);

  LinkageOutput out;
  Person amy;
  amy.id = 10;
  amy.display_name = "Amy Test";
  amy.dob = Date::FromYmd(2011, 1, 2);
  amy.sex = Sex::kFemale;
  amy.district = "Birmingham";
  amy.is_child = true;
  amy.mention_count = 2;
  Person drew;
  drew.id = 11;
  drew.display_name = "Drew Fictional";
  drew.sex = Sex::kMale;
  drew.person_of_concern = true;
  drew.mention_count = 1;
  out.persons = {amy, drew};
  for (const MentionRow& m : mentions) out.mention_person.push_back({m.mention.id, m.slot == "associate" ? 11 : 10});
  Place rank;
  rank.id = 7;
  rank.name = "Fictional Rank";
  rank.type = PlaceType::kTaxiRank;
  rank.postcode = "B1 1AA";
  rank.district = "Birmingham";
  rank.lat = 52.48;
  rank.lon = -1.9;
  out.places = {rank};
  out.place_mention_place = {{place_mentions[0].mention.id, 7}};
  ReviewItem pair;
  pair.left_mention_id = mentions[0].mention.id;
  pair.right_mention_id = mentions[1].mention.id;
  pair.match_weight = 3.5;
  pair.match_probability = 0.62;
  out.review = {pair};
  out.model_json = "{\"m\":0.9}";
  const int64_t audit_before = store_->Counts()->audit_events;
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1) << "one event for the run";

  EXPECT_EQ(*store_->LatestLinkageModel(), "{\"m\":0.9}");
  EXPECT_EQ(*store_->MaxEntityIds(), std::make_pair(int64_t{11}, int64_t{7}));
  auto persons = *store_->ListPersons();
  ASSERT_EQ(persons.size(), 2u);
  EXPECT_EQ(persons[0].id, 10) << "in id order";
  EXPECT_EQ(persons[0].display_name, "Amy Test");
  EXPECT_EQ(persons[0].dob, Date::FromYmd(2011, 1, 2));
  EXPECT_EQ(persons[0].sex, Sex::kFemale);
  EXPECT_EQ(persons[0].district, "Birmingham");
  EXPECT_TRUE(persons[0].is_child);
  EXPECT_EQ(persons[0].mention_count, 2);
  EXPECT_TRUE(persons[1].person_of_concern);
  EXPECT_FALSE(persons[1].dob.has_value());
  auto places = *store_->ListPlaces();
  ASSERT_EQ(places.size(), 1u);
  EXPECT_EQ(places[0].name, "Fictional Rank");
  EXPECT_EQ(places[0].type, PlaceType::kTaxiRank);
  EXPECT_EQ(places[0].district, "Birmingham");

  auto mention_persons = *store_->LoadMentionPersons();
  std::sort(mention_persons.begin(), mention_persons.end());
  auto expected = out.mention_person;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(mention_persons, expected);
  EXPECT_EQ(*store_->LoadPlaceMentionPlaces(), out.place_mention_place);
  EXPECT_TRUE(store_->LoadReviewDecisions()->empty()) << "a pending pair is not a decision";

  auto events = store_->LoadEvents();
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  const EventRow& sighting = (*events)[0].agency_code == "wmp" ? (*events)[0] : (*events)[1];
  const EventRow& missing = (*events)[0].agency_code == "wmp" ? (*events)[1] : (*events)[0];
  EXPECT_EQ(sighting.event.kind, EventKind::kSighting);
  EXPECT_EQ(sighting.event.category, "seen_with_adult");
  EXPECT_EQ(sighting.event.date, *Date::FromYmd(2025, 4, 2));
  EXPECT_EQ(sighting.event.detail, "seen at the rank");
  EXPECT_EQ(sighting.event.minute_of_day, 22 * 60 + 15) << "the time of day comes back";
  EXPECT_EQ(sighting.subject_person_id, 10);
  EXPECT_EQ(sighting.associate_person_id, 11);
  EXPECT_EQ(sighting.place_id, 7);
  EXPECT_EQ(sighting.associate_role, PersonRole::kPersonOfConcern);
  ASSERT_TRUE(sighting.event.associate_mention_id.has_value());
  ASSERT_TRUE(sighting.event.place_mention_id.has_value());
  EXPECT_EQ(missing.subject_person_id, 10);
  EXPECT_EQ(missing.associate_person_id, 0);
  EXPECT_FALSE(missing.event.minute_of_day.has_value()) << "a date-only record has no time";
  EXPECT_EQ(missing.place_id, 0);
  EXPECT_FALSE(missing.event.associate_mention_id.has_value());

  // A later run without the place retires it; ids ever issued are still counted.
  out.places.clear();
  out.place_mention_place.clear();
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_TRUE(store_->ListPlaces()->empty());
  EXPECT_EQ(store_->MaxEntityIds()->second, 7);
  EXPECT_TRUE(store_->LoadPlaceMentionPlaces()->empty());
}

// An incremental run's changes: only what is named changes; a merged person is retired; bad changes write nothing.
TEST_P(Contracts, LinkageChangesTouchOnlyWhatTheyNameAndRefuseInconsistentChanges) {
  Land({Row("C1", "Amy"), Row("C2", "Amy"), Row("C3", "Amy")});
  auto mentions = *store_->LoadPersonMentions();
  ASSERT_EQ(mentions.size(), 3u);
  LinkageOutput out;
  Person amy;
  amy.id = 10;
  amy.display_name = "Amy Test";
  amy.is_child = true;
  amy.mention_count = 1;
  Person other = amy;
  other.id = 12;
  other.display_name = "Amy Other";
  out.persons = {amy, other};
  out.mention_person = {{mentions[0].mention.id, 10}, {mentions[1].mention.id, 12}};
  out.model_json = "{\"m\":0.9}";
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  const int64_t audit_before = store_->Counts()->audit_events;
  LinkageChangesStore* changes_store = LinkageChangesOf(*store_);
  ASSERT_NE(changes_store, nullptr) << "every backend saves incremental runs";

  // The third mention joins Amy and merges person 12 into her; a new pending pair is queued.
  LinkageChanges changes;
  amy.mention_count = 3;
  changes.persons = {amy};
  changes.retired_persons = {12};
  changes.mention_person = {{mentions[1].mention.id, 10}, {mentions[2].mention.id, 10}};
  ReviewItem pair;
  pair.left_mention_id = mentions[0].mention.id;
  pair.right_mention_id = mentions[2].mention.id;
  pair.match_weight = 2.5;
  pair.match_probability = 0.85;
  changes.review = {pair};
  changes.model_json = "{\"m\":0.9,\"batch\":{}}";

  // Inconsistent changes are refused before anything is written.
  LinkageChanges retired_and_written = changes;
  retired_and_written.persons.push_back(other);
  EXPECT_EQ(changes_store->SaveLinkageChanges(retired_and_written, Actor{}).code(), StatusCode::kInvalidArgument);
  LinkageChanges twice = changes;
  twice.mention_person.push_back({mentions[2].mention.id, 10});
  EXPECT_EQ(changes_store->SaveLinkageChanges(twice, Actor{}).code(), StatusCode::kInvalidArgument);
  LinkageChanges still_used = changes;
  still_used.mention_person.pop_back();
  still_used.mention_person.erase(still_used.mention_person.begin());  // mentions[1] still points to 12
  EXPECT_EQ(changes_store->SaveLinkageChanges(still_used, Actor{}).code(), StatusCode::kConflict);
  LinkageChanges missing_person = changes;
  missing_person.mention_person.back().second = 99;
  EXPECT_EQ(changes_store->SaveLinkageChanges(missing_person, Actor{}).code(), StatusCode::kConflict);
  EXPECT_EQ(store_->Counts()->audit_events, audit_before) << "a refused change writes nothing";
  EXPECT_EQ(store_->ListPersons()->size(), 2u);
  EXPECT_EQ(*store_->LatestLinkageModel(), "{\"m\":0.9}");

  ASSERT_TRUE(changes_store->SaveLinkageChanges(changes, Actor{}).ok());
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1) << "one event for the batch";
  EXPECT_EQ(*store_->LatestLinkageModel(), changes.model_json);
  auto persons = *store_->ListPersons();
  ASSERT_EQ(persons.size(), 1u) << "the merged person is inactive";
  EXPECT_EQ(persons[0].id, 10);
  EXPECT_EQ(persons[0].mention_count, 3);
  EXPECT_EQ(store_->MaxEntityIds()->first, 12) << "its id is still counted as issued";
  auto mention_persons = *store_->LoadMentionPersons();
  ASSERT_EQ(mention_persons.size(), 3u);
  for (const auto& [mention, person] : mention_persons) EXPECT_EQ(person, 10) << "mention " << mention;
  auto pending = store_->ReadReviewQueue("pending", true);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->items.size(), 1u);
  EXPECT_EQ(pending->items[0].item.right_mention_id, mentions[2].mention.id);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_P(Contracts, EventLinksResolveEventsUntilTheNextPersonLinkageAndRefuseWhatNamesNoEvent) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  Land({Row("C1", "Amy"), Row("C2", "Amy")});
  Land({Sighting("S1", "Amy", "Drew", "Fictional Rank")}, PoliceHeader());
  auto mentions = *store_->LoadPersonMentions();
  LinkageOutput out;
  Person amy;
  amy.id = 10;
  amy.is_child = true;
  out.persons = {amy};
  for (const MentionRow& m : mentions) {
    if (m.slot == "subject") out.mention_person.push_back({m.mention.id, 10});
  }
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_TRUE(store_->LoadEventLinks()->empty()) << "before the first resolution";
  auto events = *store_->LoadEvents();
  ASSERT_EQ(events.size(), 3u);
  for (const EventRow& e : events) {
    EXPECT_EQ(e.resolved_event_id, e.event.id) << "an unlinked event is its own resolved event";
    EXPECT_FALSE(e.local_id.empty());
  }
  const int64_t a = events[0].event.id, b = events[1].event.id, c = events[2].event.id;
  EXPECT_EQ(events[0].local_id, "C1");
  EXPECT_EQ(events[2].local_id, "S1");

  EventLinkOutput links;
  links.rules_version = "events-test";
  links.source_records = 3;
  links.resolved_events = 1;
  links.links = {{c, a, "same event as event a"}, {b, a, "same event as event a too"}};
  const int64_t audit_before = store_->Counts()->audit_events;
  ASSERT_TRUE(store_->SaveEventLinks(links, Actor{}).ok());
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1) << "one audit event for the resolution";
  auto stored = *store_->LoadEventLinks();
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].event_id, b) << "by event id";
  EXPECT_EQ(stored[0].resolved_event_id, a);
  EXPECT_EQ(stored[0].reason, "same event as event a too");
  EXPECT_EQ(stored[1].event_id, c);
  const auto linked = *store_->LoadEvents();
  for (const EventRow& e : linked) EXPECT_EQ(e.resolved_event_id, a) << e.event.id;

  // Refused whole: an unknown event, a link to itself, a record linked twice, a resolved event linked on.
  auto refused = [&](std::vector<EventLink> bad) {
    EventLinkOutput o;
    o.links = std::move(bad);
    return store_->SaveEventLinks(o, Actor{}).code();
  };
  EXPECT_EQ(refused({{b, a, "ok"}, {c, 999999, "no such event"}}), StatusCode::kConflict);
  EXPECT_EQ(refused({{b, b, "itself"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused({{b, a, "x"}, {b, c, "twice"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused({{b, a, "x"}, {a, c, "a chain"}}), StatusCode::kConflict);
  EXPECT_EQ(store_->LoadEventLinks()->size(), 2u) << "a refused resolution leaves the stored one";

  // A new resolution replaces the old one; a new person linkage drops it (made over the old people).
  links.links = {{b, a, "only b"}};
  ASSERT_TRUE(store_->SaveEventLinks(links, Actor{}).ok());
  ASSERT_EQ(store_->LoadEventLinks()->size(), 1u);
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_TRUE(store_->LoadEventLinks()->empty());
  const auto relinked = *store_->LoadEvents();
  for (const EventRow& e : relinked) EXPECT_EQ(e.resolved_event_id, e.event.id);
}

// The problem profile's reads (issue 14): every assessment's level (the trajectory, by person, as_of, id), and a
// mention's and a person's ethnicity round-trip.
TEST_P(Contracts, AssessmentLevelsListTheTrajectoryAndEthnicityRoundTrips) {
  ParsedRow row = Row("C1", "Amy");
  row.subject.ethnicity = "mixed";
  Land({row});
  auto mentions = *store_->LoadPersonMentions();
  ASSERT_EQ(mentions.size(), 1u);
  EXPECT_EQ(mentions[0].mention.ethnicity, "mixed");
  LinkageOutput out;
  Person amy;
  amy.id = 3;
  amy.display_name = "Amy Test";
  amy.is_child = true;
  amy.ethnicity = "mixed";
  out.persons = {amy};
  out.mention_person = {{mentions[0].mention.id, 3}};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_EQ(store_->ListPersons()->at(0).ethnicity, "mixed");

  Assessment a;
  a.person_id = 3;
  a.model_version = "wm-2025.1";
  a.as_of = *Date::FromYmd(2025, 6, 30);
  a.level = RiskLevel::kSerious;
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());
  a.as_of = *Date::FromYmd(2025, 3, 31);  // saved later, dated earlier
  a.level = RiskLevel::kAtRisk;
  a.override_level = RiskLevel::kSignificant;
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());
  auto levels = store_->ListAssessmentLevels();
  ASSERT_TRUE(levels.ok()) << levels.status().ToString();
  ASSERT_EQ(levels->size(), 2u);
  EXPECT_EQ((*levels)[0].as_of, *Date::FromYmd(2025, 3, 31)) << "ordered by as_of, not by when saved";
  EXPECT_EQ((*levels)[0].Effective(), RiskLevel::kSignificant);
  EXPECT_EQ((*levels)[1].level, RiskLevel::kSerious);
  EXPECT_FALSE((*levels)[1].override_level.has_value());
  EXPECT_EQ((*levels)[1].model_version, "wm-2025.1");
  EXPECT_EQ((*levels)[1].person_id, 3);
}

TEST_P(Contracts, AssessmentsKeepIndicatorsEvidenceExplanationAndOverride) {
  Land({Row("C1", "Amy")});
  auto mentions = *store_->LoadPersonMentions();
  LinkageOutput out;
  Person amy;
  amy.id = 3;
  amy.display_name = "Amy Test";
  amy.is_child = true;
  amy.district = "Walsall";
  out.persons = {amy};
  out.mention_person = {{mentions[0].mention.id, 3}};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());

  Assessment a;
  a.person_id = 3;
  a.as_of = *Date::FromYmd(2025, 5, 1);
  a.level = RiskLevel::kAtRisk;
  a.score = 4.5;
  a.model_version = "wm-2025.1";
  a.indicators = {{"repeat_missing", "risk", "Repeatedly missing", true, 5, {1, 2, 3}}};
  a.explanation = {"at risk: score 4.5 >= 4"};
  a.override_level = RiskLevel::kSignificant;
  a.override_reason = "disclosure to teacher";
  const int64_t audit_before = store_->Counts()->audit_events;
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1);
  auto latest = store_->LatestAssessments();
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  const Assessment& got = (*latest)[0];
  EXPECT_GT(got.id, 0);
  EXPECT_EQ(got.as_of, a.as_of);
  EXPECT_DOUBLE_EQ(got.score, 4.5);
  EXPECT_EQ(got.model_version, "wm-2025.1");
  ASSERT_EQ(got.indicators.size(), 1u);
  EXPECT_EQ(got.indicators[0].code, "repeat_missing");
  EXPECT_EQ(got.indicators[0].points, 5);
  EXPECT_EQ(got.indicators[0].evidence_event_ids, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(got.explanation, a.explanation);
  ASSERT_TRUE(got.override_level.has_value());
  EXPECT_EQ(*got.override_level, RiskLevel::kSignificant);
  EXPECT_EQ(got.override_reason, "disclosure to teacher");

  // The radar counts the latest assessment of each active child, at its overridden level, by district.
  auto counts = store_->ReadRadarCounts();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->generation, *store_->RadarGeneration()) << "counted at the current generation";
  std::vector<RadarCell> radar = counts->cells;
  ASSERT_EQ(radar.size(), 1u);
  EXPECT_EQ(radar[0].district, "Walsall");
  EXPECT_EQ(radar[0].level, "significant");
  EXPECT_EQ(radar[0].children, 1);
  a.override_level.reset();
  a.level = RiskLevel::kSerious;
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());
  auto newer = store_->ReadRadarCounts();
  EXPECT_NE(newer->generation, counts->generation) << "a new assessment moves the generation";
  ASSERT_EQ(newer->cells.size(), 1u);
  EXPECT_EQ(newer->cells[0].level, "serious") << "only the newest assessment counts";
  amy.is_child = false;
  out.persons = {amy};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  EXPECT_TRUE(store_->ReadRadarCounts()->cells.empty()) << "adults are not on the radar";
}

TEST_P(Contracts, NetworksAreReplacedByEachRun) {
  EXPECT_EQ(store_->LoadNetworks().status().code(), StatusCode::kFailedPrecondition) << "before the first run";
  NetworkOutput out;
  PlaceScore unknown;
  unknown.place_id = 99;
  out.networks = {{1, {11}, {10}, {}}};
  out.places = {unknown};
  EXPECT_EQ(store_->SaveNetworks(out, Actor{}).code(), StatusCode::kConflict) << "a score names a stored place";
  EXPECT_EQ(store_->LoadNetworks().status().code(), StatusCode::kFailedPrecondition) << "and nothing was written";
  LinkageOutput entities;
  for (int64_t id = 10; id <= 15; ++id) {
    Person p;
    p.id = id;
    p.display_name = "Person " + std::to_string(id);
    p.is_child = id == 10 || id >= 14;
    entities.persons.push_back(p);
  }
  for (int64_t id : {7, 8}) {
    Place place;
    place.id = id;
    place.name = "Fictional Place " + std::to_string(id);
    entities.places.push_back(place);
  }
  ASSERT_TRUE(store_->SaveLinkage(entities, Actor{}).ok());
  out.networks = {{1, {11, 12}, {10}, {7}}, {2, {13}, {14, 15}, {}}};
  PlaceScore hot;
  hot.place_id = 7;
  hot.children_at_risk = 2;
  hot.persons_of_concern = 1;
  hot.events = 5;
  hot.score = 3.25;
  hot.of_concern = true;
  hot.reasons = {"2 children at risk", "1 person of concern"};
  hot.profile.by_weekday = {0, 0, 0, 0, 2, 3, 0};
  hot.profile.by_hour[22] = 4;
  hot.profile.occasions = 5;
  hot.profile.timed = 4;
  hot.profile.last_quarter = 4;
  hot.profile.previous_quarter = 1;
  hot.profile.trend = "emerging";
  hot.profile.context_children = 2;
  PlaceScore quiet;
  quiet.place_id = 8;
  quiet.events = 1;
  quiet.score = 0.5;
  out.places = {hot, quiet};
  out.lone_offenders = 4;
  const int64_t audit_before = store_->Counts()->audit_events;
  auto saved = store_->SaveNetworks(out, Actor{});
  ASSERT_TRUE(saved.ok()) << saved.ToString();
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1);
  auto got = store_->LoadNetworks();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->lone_offenders, 4);
  ASSERT_EQ(got->networks.size(), 2u);
  EXPECT_EQ(got->networks[0].id, 1);
  EXPECT_EQ(got->networks[0].offenders, (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(got->networks[0].children, (std::vector<int64_t>{10}));
  EXPECT_EQ(got->networks[0].places, (std::vector<int64_t>{7}));
  EXPECT_EQ(got->networks[1].children, (std::vector<int64_t>{14, 15}));
  ASSERT_EQ(got->places.size(), 2u);
  EXPECT_EQ(got->places[0].place_id, 7) << "highest score first";
  EXPECT_TRUE(got->places[0].of_concern);
  EXPECT_DOUBLE_EQ(got->places[0].score, 3.25);
  EXPECT_EQ(got->places[0].reasons, (std::vector<std::string>{"2 children at risk", "1 person of concern"}));
  const PlaceProfile& profile = got->places[0].profile;  // the time profile and trend come back as saved
  EXPECT_EQ(profile.by_weekday, (std::array<int, 7>{0, 0, 0, 0, 2, 3, 0}));
  EXPECT_EQ(profile.by_hour[22], 4);
  EXPECT_EQ(profile.occasions, 5);
  EXPECT_EQ(profile.timed, 4);
  EXPECT_EQ(profile.last_quarter, 4);
  EXPECT_EQ(profile.previous_quarter, 1);
  EXPECT_EQ(profile.trend, "emerging");
  EXPECT_EQ(profile.context_children, 2);
  EXPECT_FALSE(got->places[1].of_concern);
  EXPECT_EQ(got->places[1].profile.trend, "steady");

  NetworkOutput next;
  next.networks = {{1, {13}, {14}, {}}};
  ASSERT_TRUE(store_->SaveNetworks(next, Actor{}).ok());
  got = store_->LoadNetworks();
  ASSERT_EQ(got->networks.size(), 1u);
  EXPECT_EQ(got->networks[0].offenders, (std::vector<int64_t>{13}));
  EXPECT_TRUE(got->places.empty());
  EXPECT_EQ(got->lone_offenders, 0);
}

TEST_P(Contracts, NetworkEdgesAreKeptPerRunAndReadAroundPeople) {
  LinkageOutput entities;
  for (int64_t id : {31, 32, 33, 34}) {
    Person p;
    p.id = id;
    p.display_name = "Person " + std::to_string(id);
    p.is_child = id == 31;
    entities.persons.push_back(p);
  }
  Place hotel;
  hotel.id = 9;
  hotel.name = "Fictional Hotel";
  hotel.type = PlaceType::kHotel;
  hotel.district = "Ladywood";
  entities.places.push_back(hotel);
  ASSERT_TRUE(store_->SaveLinkage(entities, Actor{}).ok());
  EXPECT_EQ(store_->ReadNetworkEdges({}).status().code(), StatusCode::kFailedPrecondition) << "before the first run";

  const Date d1 = *Date::FromYmd(2025, 2, 1), d2 = *Date::FromYmd(2025, 6, 30);
  NetworkOutput out;
  out.edges = {{"child_adult", 31, 32, 3, 3, d1, d2},
               {"co_offending", 32, 33, 1, 1, d2, d2},
               {"person_place", 32, 9, 2, 2, d1, d2},
               {"co_offending", 33, 34, 1, 1, d1, d1}};
  NetworkOutput bad = out;
  bad.edges.push_back({"friendship", 31, 34, 1, 1, d1, d1});
  EXPECT_EQ(store_->SaveNetworks(bad, Actor{}).code(), StatusCode::kInvalidArgument) << "an unknown kind";
  bad.edges.back() = {"person_place", 31, 77, 1, 1, d1, d1};
  EXPECT_EQ(store_->SaveNetworks(bad, Actor{}).code(), StatusCode::kConflict) << "a place end names a stored place";
  bad.edges.back() = {"co_offending", 32, 99, 1, 1, d1, d1};
  EXPECT_EQ(store_->SaveNetworks(bad, Actor{}).code(), StatusCode::kConflict) << "a person end names a stored person";
  bad.edges.back() = {"co_offending", 32, 34, 1, 1, d2, d1};
  EXPECT_EQ(store_->SaveNetworks(bad, Actor{}).code(), StatusCode::kInvalidArgument) << "first after last";
  bad.edges.back() = {"co_offending", 32, 34, 0, 0, d1, d1};
  EXPECT_EQ(store_->SaveNetworks(bad, Actor{}).code(), StatusCode::kInvalidArgument) << "no occasion";
  EXPECT_EQ(store_->ReadNetworkEdges({}).status().code(), StatusCode::kFailedPrecondition) << "nothing written";

  ASSERT_TRUE(store_->SaveNetworks(out, Actor{}).ok());
  auto all = store_->ReadNetworkEdges({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].kind, "child_adult") << "by kind, then a, then b";
  EXPECT_EQ((*all)[0].a, 31);
  EXPECT_EQ((*all)[0].b, 32);
  EXPECT_EQ((*all)[0].occasions, 3);
  EXPECT_DOUBLE_EQ((*all)[0].weight, 3);
  EXPECT_EQ((*all)[0].first_seen, d1);
  EXPECT_EQ((*all)[0].last_seen, d2);
  EXPECT_EQ((*all)[1].a, 32);
  EXPECT_EQ((*all)[2].a, 33);
  EXPECT_EQ((*all)[3].kind, "person_place");
  EXPECT_EQ((*all)[3].b, 9) << "a place end is the place id";

  auto around = store_->ReadNetworkEdges({34});
  ASSERT_TRUE(around.ok());
  ASSERT_EQ(around->size(), 1u) << "either end of a person edge";
  EXPECT_EQ((*around)[0].a, 33);
  around = store_->ReadNetworkEdges({31, 33});
  ASSERT_TRUE(around.ok());
  EXPECT_EQ(around->size(), 3u);
  around = store_->ReadNetworkEdges({9});
  ASSERT_TRUE(around.ok());
  EXPECT_TRUE(around->empty()) << "a place id is not a person end";

  auto places = store_->ReadPlaces({9, 77});
  ASSERT_TRUE(places.ok());
  ASSERT_EQ(places->size(), 1u);
  EXPECT_EQ(places->at(9).name, "Fictional Hotel");
  EXPECT_EQ(places->at(9).type, PlaceType::kHotel);

  Assessment a;
  a.person_id = 31;
  a.as_of = d2;
  a.level = RiskLevel::kAtRisk;
  a.model_version = "m";
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());
  a.override_level = RiskLevel::kSerious;
  ASSERT_TRUE(store_->SaveAssessments({a}, Actor{}).ok());
  auto levels = store_->ReadLatestLevels({31, 32});
  ASSERT_TRUE(levels.ok()) << levels.status().ToString();
  ASSERT_EQ(levels->size(), 1u) << "only people with an assessment";
  EXPECT_EQ(levels->at(31), RiskLevel::kSerious) << "the latest assessment, its override first";

  auto key = store_->ReadExportKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
  EXPECT_NE(*key, std::string(32, '\0'));
  EXPECT_EQ(*store_->ReadExportKey(), *key) << "drawn once";

  NetworkOutput next;
  next.edges = {{"co_offending", 33, 34, 2, 2, d1, d2}};
  ASSERT_TRUE(store_->SaveNetworks(next, Actor{}).ok());
  all = store_->ReadNetworkEdges({});
  ASSERT_EQ(all->size(), 1u) << "the latest run's edges only";
  EXPECT_EQ((*all)[0].occasions, 2);
  EXPECT_TRUE(store_->LoadNetworks()->edges.empty()) << "LoadNetworks leaves the edges to ReadNetworkEdges";
}

TEST_P(Contracts, PersonPrioritiesAreKeptPerRunHighestFirst) {
  LinkageOutput entities;
  for (int64_t id : {21, 22, 23}) {
    Person p;
    p.id = id;
    p.display_name = "Person " + std::to_string(id);
    entities.persons.push_back(p);
  }
  ASSERT_TRUE(store_->SaveLinkage(entities, Actor{}).ok());
  EXPECT_FALSE(store_->ReadPersonPriority(21)->has_value()) << "no run yet";

  NetworkOutput out;
  out.networks = {{1, {21, 22}, {}, {}}};
  out.priority_model = "volt-test-1";
  PersonPriority low;
  low.person_id = 22;
  low.network_id = 1;
  low.role = "member";
  low.priority = 2.5;
  PersonPriority high;
  high.person_id = 21;
  high.network_id = 1;
  high.role = "hub";
  high.priority = 17.25;
  high.suspected_offender = true;
  high.children_linked = 3;
  high.children_serious = 1;
  high.children_significant = 1;
  high.children_at_risk = 1;
  high.contacts = 5;
  high.co_offenders = 1;
  high.degree = 4;
  high.places = 2;
  high.disruptions = 1;
  high.betweenness = 0.75;
  high.last_contact = Date::FromYmd(2025, 11, 3);
  high.reasons = {"3 children on the radar linked (+12)", "hub of network 1 (+5.25)"};
  PersonPriority ghost = low;
  ghost.person_id = 99;  // no such person
  out.persons = {low, high, ghost};
  EXPECT_EQ(store_->SaveNetworks(out, Actor{}).code(), StatusCode::kConflict) << "a priority names a stored person";
  EXPECT_EQ(store_->LoadNetworks().status().code(), StatusCode::kFailedPrecondition) << "and nothing was written";

  out.persons = {low, high};
  ASSERT_TRUE(store_->SaveNetworks(out, Actor{}).ok());
  auto got = store_->LoadNetworks();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->priority_model, "volt-test-1");
  ASSERT_EQ(got->persons.size(), 2u);
  EXPECT_EQ(got->persons[0].person_id, 21) << "highest priority first";
  EXPECT_EQ(got->persons[1].person_id, 22);
  const PersonPriority& p = got->persons[0];
  EXPECT_EQ(p.network_id, 1);
  EXPECT_EQ(p.role, "hub");
  EXPECT_DOUBLE_EQ(p.priority, 17.25);
  EXPECT_TRUE(p.suspected_offender);
  EXPECT_EQ(std::vector<int>({p.children_linked, p.children_serious, p.children_significant, p.children_at_risk,
                              p.contacts, p.co_offenders, p.degree, p.places, p.disruptions}),
            std::vector<int>({3, 1, 1, 1, 5, 1, 4, 2, 1}));
  EXPECT_DOUBLE_EQ(p.betweenness, 0.75);
  EXPECT_EQ(p.last_contact, Date::FromYmd(2025, 11, 3));
  EXPECT_EQ(p.reasons, high.reasons);
  EXPECT_FALSE(got->persons[1].last_contact.has_value());
  EXPECT_FALSE(got->persons[1].suspected_offender);

  auto one = store_->ReadPersonPriority(21);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_DOUBLE_EQ((*one)->priority, 17.25);
  EXPECT_FALSE(store_->ReadPersonPriority(23)->has_value()) << "a person with no row";

  // The next run replaces them: the read returns the latest run's row only.
  NetworkOutput next;
  high.priority = 1;
  next.persons = {high};
  ASSERT_TRUE(store_->SaveNetworks(next, Actor{}).ok());
  EXPECT_DOUBLE_EQ((*store_->ReadPersonPriority(21))->priority, 1);
  EXPECT_FALSE(store_->ReadPersonPriority(22)->has_value());
  EXPECT_EQ(store_->LoadNetworks()->persons.size(), 1u);
  EXPECT_EQ(store_->LoadNetworks()->priority_model, "");
}

TEST_P(Contracts, AuditBatchAppendsInOrderAndCheckpointsSign) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 3; ++i) {
    AuditEvent e;
    e.actor = Actor{"reader", "bcc", "practitioner", "safeguarding"};
    e.action = "read_child";
    e.target = "person:" + std::to_string(i);
    e.details = "{}";
    events.push_back(e);
  }
  ASSERT_TRUE(store_->AppendAuditBatch(events).ok());
  AuditEvent refused = events[0];
  refused.outcome = "refused";
  ASSERT_TRUE(store_->AppendAudit(refused).ok());
  EXPECT_EQ(store_->Counts()->audit_events, 4);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->problem;
  auto head = store_->SignAuditCheckpoint();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->tree_size, 4);
  EXPECT_EQ(head->root_hash.size(), 64u);
  EXPECT_EQ(head->public_key.size(), 64u);
  EXPECT_TRUE(store_->AppendAuditBatch({}).ok()) << "an empty batch is a no-op";
  EXPECT_EQ(store_->Counts()->audit_events, 4);
}

// ---- users.h and need_to_know.h: the rows and facts the access layer (access/governance.h) decides on

// An account of `agency` with `role` (hashes and secrets as a test sets them).
int64_t AddAccount(Store& s, const std::string& name, const std::string& agency, Role role) {
  User u;
  u.name = name;
  u.agency_code = agency;
  u.role = role;
  u.password_hash = "$argon2id$test-hash-of-" + name;
  u.totp_secret = "JBSWY3DPEHPK3PXP";
  auto id = s.AddUser(u, Actor{});
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : 0;
}

TEST_P(Contracts, UserRowsAreEveryAccountWithoutSecretsAndCountsAreOfEnabledAccountsByAgencyAndRole) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  AddAccount(*store_, "wmp-admin", "wmp", Role::kAdministrator);
  AddAccount(*store_, "bcc-prac", "bcc", Role::kPractitioner);
  AddAccount(*store_, "bcc-ig", "bcc", Role::kIgLead);
  AddAccount(*store_, "bcc-admin", "bcc", Role::kAdministrator);
  AddAccount(*store_, "bcc-admin2", "bcc", Role::kAdministrator);
  ASSERT_TRUE(store_->SetUserDisabled("bcc-ig", true, Actor{}).ok());

  auto rows = store_->ReadUserRows();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> names;
  for (const User& u : *rows) {
    names.push_back(u.name);
    EXPECT_GT(u.id, 0) << u.name;
    EXPECT_TRUE(u.password_hash.empty()) << u.name << ": no hash in a row";
    EXPECT_TRUE(u.totp_secret.empty()) << u.name << ": no secret, sealed or not";
    EXPECT_TRUE(u.enrol_hash.empty()) << u.name;
    EXPECT_FALSE(u.created_at.empty()) << u.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"bcc-admin", "bcc-admin2", "bcc-ig", "bcc-prac", "wmp-admin"}))
      << "every agency's accounts, by name: the backend does not filter";
  EXPECT_EQ((*rows)[2].role, Role::kIgLead);
  EXPECT_TRUE((*rows)[2].disabled);
  EXPECT_EQ((*rows)[4].agency_code, "wmp");
  EXPECT_FALSE((*rows)[4].disabled);

  auto counts = store_->CountUsersByRole();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  auto enabled = [&](const std::string& agency, Role role) {
    int64_t n = 0;
    for (const UserRoleCount& c : *counts) n += c.agency_code == agency && c.role == role ? c.enabled : 0;
    return n;
  };
  EXPECT_EQ(enabled("bcc", Role::kAdministrator), 2);
  EXPECT_EQ(enabled("bcc", Role::kPractitioner), 1);
  EXPECT_EQ(enabled("bcc", Role::kIgLead), 0) << "a disabled account is not counted";
  EXPECT_EQ(enabled("wmp", Role::kAdministrator), 1);
  EXPECT_EQ(enabled("wmp", Role::kPractitioner), 0);
}

TEST_P(Contracts, SessionsLiveWithinBothTimeoutsAndEndOnRevocationRotationOrDisabling) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  const int64_t id = AddAccount(*store_, "wmp-prac", "wmp", Role::kPractitioner);
  const Actor actor{"wmp-prac", "wmp", "practitioner", "sign-in"};
  constexpr int64_t kIdle = 600, kAbsolute = 3600;
  auto live = [&](const std::string& token, int64_t now) {
    auto su = store_->TouchSession(token, now, kIdle, kAbsolute);
    EXPECT_TRUE(su.ok()) << su.status().ToString();
    return su.ok() && su->has_value();
  };

  const int64_t audit_before = store_->Counts()->audit_events;
  ASSERT_TRUE(store_->CreateSession({id, "h1", "csrf1", 1000, 33, ""}, actor).ok());
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 1) << "the sign-in is audited with the session";
  auto su = store_->TouchSession("h1", 1100, kIdle, kAbsolute);
  ASSERT_TRUE(su.ok() && su->has_value());
  EXPECT_EQ((*su)->user.name, "wmp-prac");
  EXPECT_EQ((*su)->user.id, id);
  EXPECT_EQ((*su)->csrf_token, "csrf1");
  EXPECT_EQ((*su)->created_s, 1000);
  EXPECT_FALSE(live("no-such-token", 1100));

  // A one-time code's step is used once: a replay is refused (and audited), and makes no session.
  EXPECT_EQ(store_->CreateSession({id, "h2", "csrf2", 1100, 33, ""}, actor).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 2) << "the refused replay is audited too";
  EXPECT_FALSE(live("h2", 1100));

  // Idle: each touch keeps it alive; more than the idle time since the last touch ends it.
  EXPECT_TRUE(live("h1", 1650));
  EXPECT_TRUE(live("h1", 2200));
  EXPECT_FALSE(live("h1", 2200 + kIdle + 1));

  // Absolute: however often it is touched, it ends after the absolute time.
  ASSERT_TRUE(store_->CreateSession({id, "h3", "csrf3", 5000, 40, ""}, actor).ok());
  for (int64_t now = 5500; now <= 5000 + kAbsolute; now += 500) EXPECT_TRUE(live("h3", now)) << now;
  EXPECT_FALSE(live("h3", 5000 + kAbsolute + 1));

  // Revocation (sign-out), audited; rotation at a new sign-in revokes the session it replaces.
  ASSERT_TRUE(store_->CreateSession({id, "h4", "csrf4", 10000, 50, ""}, actor).ok());
  const int64_t before_logout = store_->Counts()->audit_events;
  ASSERT_TRUE(store_->RevokeSession("h4", actor).ok());
  EXPECT_EQ(store_->Counts()->audit_events, before_logout + 1);
  EXPECT_FALSE(live("h4", 10001));
  ASSERT_TRUE(store_->CreateSession({id, "h5", "csrf5", 10000, 51, ""}, actor).ok());
  ASSERT_TRUE(store_->CreateSession({id, "h6", "csrf6", 10010, 52, "h5"}, actor).ok());
  EXPECT_FALSE(live("h5", 10020)) << "replaced at the new sign-in";
  EXPECT_TRUE(live("h6", 10020));

  // A disabled account's sessions end, and it cannot start one.
  ASSERT_TRUE(store_->SetUserDisabled("wmp-prac", true, Actor{}).ok());
  EXPECT_FALSE(live("h6", 10030));
  EXPECT_FALSE(store_->CreateSession({id, "h7", "csrf7", 10040, 60, ""}, actor).ok());
  EXPECT_FALSE(live("h7", 10040));
}

TEST_P(Contracts, DisablingAnAccountRevokesItsSessionsOnlyWhenTheUnitCommits) {
  const int64_t prac = AddAccount(*store_, "bcc-prac", "bcc", Role::kPractitioner);
  const int64_t mgr = AddAccount(*store_, "bcc-mgr", "bcc", Role::kManager);
  ASSERT_TRUE(store_->CreateSession({prac, "token-prac", "csrf-1", 1000, 1, ""}, Actor{}).ok());
  ASSERT_TRUE(store_->CreateSession({mgr, "token-mgr", "csrf-2", 1000, 1, ""}, Actor{}).ok());
  ASSERT_TRUE(store_->TouchSession("token-prac", 1001, 900, 3600)->has_value());
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    ASSERT_TRUE(store_->DisableUserAndSessions(mgr).ok());
    // Abandoned: the account and its session stay as they were.
  }
  EXPECT_TRUE(store_->TouchSession("token-mgr", 1002, 900, 3600)->has_value());
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    ASSERT_TRUE(store_->DisableUserAndSessions(prac).ok());
    EXPECT_EQ(store_->DisableUserAndSessions(987654).code(), StatusCode::kNotFound);
    ASSERT_TRUE((*unit)->Commit().ok());
  }
  EXPECT_FALSE(store_->TouchSession("token-prac", 1003, 900, 3600)->has_value()) << "sessions revoked";
  EXPECT_TRUE(store_->TouchSession("token-mgr", 1003, 900, 3600)->has_value()) << "only that account's";
  auto rows = *store_->ReadUserRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].disabled) << rows[0].name;
  EXPECT_EQ(rows[1].name, "bcc-prac");
  EXPECT_TRUE(rows[1].disabled);
}

TEST_P(Contracts, SharingAgreementRowsAreEveryAgencysAndEndOnceCappingTheirValidity) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  ASSERT_TRUE(store_->UpsertAgency({"nhs", "Health", AgencyKind::kNhs, "Birmingham"}).ok());
  auto add = [&](const char* provider, const char* recipient, std::optional<int64_t> until) {
    SharingAgreement a;
    a.provider_agency = provider;
    a.recipient_agency = recipient;
    a.data_class = "*";
    a.purpose = "CSE safeguarding";
    a.lawful_basis = "Children Act 2004 s.11";
    a.valid_until_s = until;
    auto id = store_->AddSharingAgreement(a, Actor{});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  };
  const int64_t a = add("wmp", "bcc", std::nullopt), b = add("bcc", "nhs", std::nullopt), c = add("nhs", "wmp", 5000);

  auto rows = store_->ReadSharingAgreements();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u) << "every agreement, whoever the parties";
  EXPECT_EQ((*rows)[0].agreement.id, a);
  EXPECT_EQ((*rows)[1].agreement.id, b);
  EXPECT_EQ((*rows)[2].agreement.id, c);
  EXPECT_EQ((*rows)[2].agreement.valid_until_s, std::optional<int64_t>(5000));
  auto one = store_->ReadSharingAgreement(a);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->agreement.provider_agency, "wmp");
  EXPECT_EQ((*one)->agreement.recipient_agency, "bcc");
  EXPECT_EQ((*one)->agreement.purpose, "CSE safeguarding");
  EXPECT_FALSE((*one)->created_at.empty());
  EXPECT_TRUE((*one)->ended_at.empty());
  EXPECT_FALSE(store_->ReadSharingAgreement(987654)->has_value());

  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    ASSERT_TRUE(*store_->SetSharingAgreementEnded(b, "bcc-ig", "abandoned end", 1000));
  }
  EXPECT_TRUE((*store_->ReadSharingAgreement(b))->ended_at.empty()) << "an abandoned unit ends nothing";
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    EXPECT_TRUE(*store_->SetSharingAgreementEnded(c, "nhs-ig", "no longer needed", 1000));
    EXPECT_FALSE(*store_->SetSharingAgreementEnded(c, "wmp-ig", "a second end", 2000)) << "ends once";
    EXPECT_TRUE(*store_->SetSharingAgreementEnded(a, "wmp-ig", "the review ended", 2000));
    ASSERT_TRUE((*unit)->Commit().ok());
  }
  const auto ended = *store_->ReadSharingAgreement(c);
  EXPECT_FALSE(ended->ended_at.empty());
  EXPECT_EQ(ended->ended_by, "nhs-ig");
  EXPECT_EQ(ended->end_reason, "no longer needed");
  EXPECT_EQ(ended->agreement.valid_until_s, std::optional<int64_t>(1000)) << "the end caps the validity";
  EXPECT_EQ((*store_->ReadSharingAgreement(a))->agreement.valid_until_s, std::optional<int64_t>(2000));
  EXPECT_TRUE((*store_->ReadSharingAgreement(b))->ended_at.empty());
}

TEST_P(Contracts, CareRelationshipRowsAreEveryAgencysForTheChildAndEndOnce) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  const int64_t bcc = AddAccount(*store_, "bcc-prac", "bcc", Role::kPractitioner);
  const int64_t wmp = AddAccount(*store_, "wmp-mgr", "wmp", Role::kManager);
  ASSERT_TRUE(store_->AddCareRelationship({bcc, 5, "allocated_case"}, Actor{}).ok());
  ASSERT_TRUE(store_->AddCareRelationship({wmp, 5, "mase_listing"}, Actor{}).ok());
  ASSERT_TRUE(store_->AddCareRelationship({bcc, 6, "allocated_case"}, Actor{}).ok());

  auto rows = store_->ReadCareRelationships(5);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u) << "every agency's relationships over the child";
  EXPECT_LT((*rows)[0].id, (*rows)[1].id);
  EXPECT_EQ((*rows)[0].user_name, "bcc-prac");
  EXPECT_EQ((*rows)[0].agency_code, "bcc");
  EXPECT_EQ((*rows)[0].kind, "allocated_case");
  EXPECT_EQ((*rows)[1].user_name, "wmp-mgr");
  EXPECT_EQ((*rows)[1].agency_code, "wmp");
  EXPECT_EQ((*rows)[1].kind, "mase_listing");
  EXPECT_EQ((*rows)[1].person_id, 5);
  EXPECT_TRUE((*rows)[1].ended_at.empty());
  EXPECT_EQ(store_->ReadCareRelationships(6)->size(), 1u);
  EXPECT_TRUE(store_->ReadCareRelationships(7)->empty());

  const int64_t id = (*rows)[1].id;
  auto one = store_->ReadCareRelationship(id);
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->user_name, "wmp-mgr");
  EXPECT_EQ((*one)->person_id, 5);
  EXPECT_FALSE(store_->ReadCareRelationship(987654)->has_value());
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    EXPECT_TRUE(*store_->SetCareRelationshipEnded(id, "wmp-mgr2"));
    EXPECT_FALSE(*store_->SetCareRelationshipEnded(id, "wmp-mgr3")) << "ends once";
    ASSERT_TRUE((*unit)->Commit().ok());
  }
  one = store_->ReadCareRelationship(id);
  EXPECT_FALSE((*one)->ended_at.empty());
  EXPECT_EQ((*one)->ended_by, "wmp-mgr2");
  EXPECT_TRUE((*store_->ReadCareRelationship((*rows)[0].id))->ended_at.empty());
}

TEST_P(Contracts, BreakGlassRowsCarryEveryAlertedAgencyAndAreReviewedOnce) {
  ASSERT_TRUE(store_->UpsertAgency({"wmp", "Police", AgencyKind::kPolice, "West Midlands"}).ok());
  Land({Row("C1", "Amy")});  // bcc holds a record on Amy
  auto mentions = *store_->LoadPersonMentions();
  LinkageOutput out;
  Person amy;
  amy.id = 3;
  amy.display_name = "Amy Test";
  amy.is_child = true;
  out.persons = {amy};
  out.mention_person = {{mentions[0].mention.id, 3}};
  ASSERT_TRUE(store_->SaveLinkage(out, Actor{}).ok());
  const int64_t wmp = AddAccount(*store_, "wmp-prac", "wmp", Role::kPractitioner);
  const int64_t bcc = AddAccount(*store_, "bcc-prac", "bcc", Role::kPractitioner);
  auto g1 = store_->GrantBreakGlass({wmp, "wmp-prac", "wmp", Role::kPractitioner}, 3, "missing overnight, urgent", 1000,
                                    3600, Actor{});
  ASSERT_TRUE(g1.ok()) << g1.status().ToString();
  auto g2 = store_->GrantBreakGlass({bcc, "bcc-prac", "bcc", Role::kPractitioner}, 99, "a second emergency", 1000, 600,
                                    Actor{});
  ASSERT_TRUE(g2.ok()) << g2.status().ToString();

  auto grants = store_->ReadBreakGlassGrants();
  ASSERT_TRUE(grants.ok()) << grants.status().ToString();
  ASSERT_EQ(grants->size(), 2u);
  const BreakGlassGrantRow& first = (*grants)[0];
  EXPECT_EQ(first.grant.id, g1->id);
  EXPECT_EQ(first.grant.user_name, "wmp-prac");
  EXPECT_EQ(first.grant.agency_code, "wmp");
  EXPECT_EQ(first.grant.person_id, 3);
  EXPECT_EQ(first.grant.expires_at_s, 4600);
  EXPECT_TRUE(first.grant.reviewed_at.empty());
  EXPECT_EQ(first.alerted_agencies, (std::vector<std::string>{"bcc", "wmp"}))
      << "the grantee's agency and the agency holding records on the child";
  EXPECT_EQ((*grants)[1].alerted_agencies, (std::vector<std::string>{"bcc"}));
  EXPECT_FALSE(store_->ReadBreakGlassGrant(987654)->has_value());

  auto alerts = store_->ReadIgAlerts();
  ASSERT_TRUE(alerts.ok()) << alerts.status().ToString();
  EXPECT_EQ(alerts->size(), 3u) << "every agency's alerts";
  auto of_g1 = store_->ReadIgAlertsOfGrant(g1->id);
  ASSERT_TRUE(of_g1.ok());
  ASSERT_EQ(of_g1->size(), 2u);
  for (const IgAlert& a : *of_g1) {
    EXPECT_EQ(a.grant.id, g1->id);
    EXPECT_EQ(a.kind, "break_glass");
    EXPECT_TRUE(a.review_outcome.empty());
  }
  EXPECT_TRUE(store_->ReadIgAlertsOfGrant(987654)->empty());

  EXPECT_EQ(store_->SetBreakGlassReview(g1->id, "bcc-ig", "fine", "a note of ten", false).status().code(),
            StatusCode::kInvalidArgument);
  {
    auto unit = store_->BeginUnit(UnitKind::kWrite);
    ASSERT_TRUE(unit.ok());
    EXPECT_TRUE(*store_->SetBreakGlassReview(g1->id, "bcc-ig", "inappropriate", "no emergency found", true));
    EXPECT_FALSE(*store_->SetBreakGlassReview(g1->id, "wmp-ig", "appropriate", "a second review", false))
        << "reviewed once";
    EXPECT_TRUE(*store_->SetBreakGlassReview(g2->id, "bcc-ig", "appropriate", "a real emergency", false));
    ASSERT_TRUE((*unit)->Commit().ok());
  }
  const auto reviewed = *store_->ReadBreakGlassGrant(g1->id);
  ASSERT_TRUE(reviewed.has_value());
  EXPECT_EQ(reviewed->grant.reviewed_by, "bcc-ig");
  EXPECT_FALSE(reviewed->grant.reviewed_at.empty());
  EXPECT_EQ(reviewed->review_outcome, "inappropriate");
  EXPECT_EQ(reviewed->review_note, "no emergency found");
  EXPECT_EQ(reviewed->grant.expires_at_s, 0) << "ended at once";
  EXPECT_EQ((*store_->ReadBreakGlassGrant(g2->id))->grant.expires_at_s, 1600) << "kept: judged appropriate";
  const auto after = store_->ReadIgAlertsOfGrant(g1->id);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  for (const IgAlert& a : *after) EXPECT_EQ(a.review_outcome, "inappropriate");
}

INSTANTIATE_TEST_SUITE_P(Backends, Contracts, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace contracts_test
}  // namespace riskradar::store::conformance

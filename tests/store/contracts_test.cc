// Store conformance, one contract at a time: what each method of imports.h, linkage.h and assessments.h
// promises, checked through the contract only, on every backend (conformance_fixture.h). The cross-cutting
// cases (all-or-nothing batches, audit tampering, units of work, retention) are in store_test.cc.
#include <algorithm>

#include "conformance_fixture.h"

namespace riskradar::store::conformance {
namespace {

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
  EXPECT_EQ(sighting.subject_person_id, 10);
  EXPECT_EQ(sighting.associate_person_id, 11);
  EXPECT_EQ(sighting.place_id, 7);
  EXPECT_EQ(sighting.associate_role, PersonRole::kPersonOfConcern);
  ASSERT_TRUE(sighting.event.associate_mention_id.has_value());
  ASSERT_TRUE(sighting.event.place_mention_id.has_value());
  EXPECT_EQ(missing.subject_person_id, 10);
  EXPECT_EQ(missing.associate_person_id, 0);
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
  EXPECT_FALSE(got->places[1].of_concern);

  NetworkOutput next;
  next.networks = {{1, {13}, {14}, {}}};
  ASSERT_TRUE(store_->SaveNetworks(next, Actor{}).ok());
  got = store_->LoadNetworks();
  ASSERT_EQ(got->networks.size(), 1u);
  EXPECT_EQ(got->networks[0].offenders, (std::vector<int64_t>{13}));
  EXPECT_TRUE(got->places.empty());
  EXPECT_EQ(got->lone_offenders, 0);
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

INSTANTIATE_TEST_SUITE_P(Backends, Contracts, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace
}  // namespace riskradar::store::conformance

// The practice workflow's pure rules as tables: validation, police disruption events, the MASE agenda and the
// practitioner alerts (before/after facts, recipients, idempotent keys, the review-overdue rule).
#include <gtest/gtest.h>

#include <algorithm>

#include "riskradar/practice/practice.h"

namespace riskradar::practice {
namespace practice_test {

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

store::RadarFact Child(int64_t id, std::optional<RiskLevel> level, std::optional<RiskLevel> previous = std::nullopt,
                       std::string district = "Birmingham") {
  store::RadarFact f;
  f.person_id = id;
  f.district = std::move(district);
  f.is_child = true;
  f.level = level;
  f.previous_level = previous;
  f.assessment_id = 1000 + id;
  return f;
}

std::vector<std::string> Kinds(const std::vector<store::NewAlert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.kind + ":" + std::to_string(a.person_id));
  return out;
}

std::string LinkKeyForTest(const ConcernLink& l) {
  return std::string(l.place ? "l:" : "p:") + std::to_string(l.child_id) + ":" + std::to_string(l.other_id);
}

std::vector<std::string> Names(const std::vector<store::AlertRecipient>& r) {
  std::vector<std::string> out;
  for (const auto& x : r) out.push_back(x.user_name + "/" + x.why);
  return out;
}

// ---------------------------------------------------------------- validation

TEST(PracticeValidation, TextNamesTheFieldAndWhy) {
  EXPECT_TRUE(CheckText("title", "Visit the home", 3, 200).ok());
  const Status shortv = CheckText("title", "ab", 3, 200);
  EXPECT_EQ(shortv.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(shortv.message().find("title: give 3 to 200 characters (got 2)"), std::string::npos) << shortv.message();
  EXPECT_EQ(CheckText("title", std::string(201, 'x'), 3, 200).code(), StatusCode::kInvalidArgument);
  const Status ctl = CheckText("note", "line\x1b[31m", 0, 200);
  EXPECT_NE(ctl.message().find("note: control characters"), std::string::npos);
  EXPECT_NE(CheckText("note", "bad \xc3\x28", 0, 200).message().find("note: not valid UTF-8"), std::string::npos);
  EXPECT_NE(CheckText("note", std::string_view("nul\0x", 5), 0, 200).code(), StatusCode::kOk);
  EXPECT_TRUE(CheckText("note", "two\nlines\tand caf\xc3\xa9", 0, 200).ok());
  EXPECT_FALSE(CheckText("note", "surrogate \xed\xa0\x80", 0, 200).ok());
}

TEST(PracticeValidation, DatesAndIds) {
  EXPECT_EQ(*ParseDateField("due", "2026-03-31"), D(2026, 3, 31));
  EXPECT_NE(ParseDateField("due", "31/03/2026").status().message().find("due: not a valid date"), std::string::npos);
  EXPECT_NE(ParseDateField("due", "2026-02-30").status().message().find("due: not a valid date"), std::string::npos);
  EXPECT_NE(ParseDateField("due", "31/03/26").status().message().find("due: give a date as YYYY-MM-DD"),
            std::string::npos);
  EXPECT_FALSE(ParseDateField("due", "1999-12-31").ok());
  EXPECT_EQ(*ParseIdField("link_id", "42"), 42);
  for (const char* bad : {"", "0", "-1", "1x", "1234567890123456789", " 4"}) {
    EXPECT_NE(ParseIdField("link_id", bad).status().message().find("link_id: give a positive id"), std::string::npos)
        << bad;
  }
}

TEST(PracticeValidation, Transitions) {
  EXPECT_TRUE(CheckActionTransition("open", "done", "").ok());
  EXPECT_NE(CheckActionTransition("open", "cancelled", "").message().find("status_reason"), std::string::npos);
  EXPECT_TRUE(CheckActionTransition("open", "cancelled", "no longer needed").ok());
  EXPECT_FALSE(CheckActionTransition("done", "open", "").ok());
  EXPECT_FALSE(CheckActionTransition("open", "closed", "x").ok());
  EXPECT_TRUE(CheckDisruptionTransition("active", "revoked").ok());
  EXPECT_FALSE(CheckDisruptionTransition("revoked", "active").ok());
  EXPECT_FALSE(CheckDisruptionTransition("active", "paused").ok());
  EXPECT_EQ(DisruptionKinds().size(), 7u);
  EXPECT_TRUE(IsDisruptionKind("sexual_harm_prevention_order"));
  EXPECT_FALSE(IsDisruptionKind("asbo"));
}

// ---------------------------------------------------------------- police disruption events

TEST(PracticeDisruptions, PoliceEventsBecomeTrackerEntries) {
  store::EventRow e;
  e.event.id = 77;
  e.event.kind = EventKind::kDisruption;
  e.event.category = "cawn";
  e.event.date = D(2025, 6, 1);
  e.agency_code = "wmp";
  e.local_id = "OCC-1";
  e.subject_person_id = 9;
  auto d = DisruptionFromEvent(e);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, "cawn");
  EXPECT_EQ(d->person_id, 9);
  EXPECT_EQ(d->source_event_id, 77);
  EXPECT_EQ(d->issuing_agency, "wmp");
  ASSERT_TRUE(d->expires);
  EXPECT_EQ(*d->expires, D(2027, 6, 1));
  e.event.category = "licensing_referral";
  e.place_id = 5;
  d = DisruptionFromEvent(e);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, "licensing_review");
  EXPECT_FALSE(d->expires);
  EXPECT_EQ(d->place_id, 5);
  e.event.category = "hotel_notice";
  EXPECT_EQ(*DisruptionFromEvent(e)->expires, D(2025, 12, 1));
  e.event.category = "something_else";
  EXPECT_FALSE(DisruptionFromEvent(e));
  e.event.category = "cawn";
  e.event.kind = EventKind::kSighting;
  EXPECT_FALSE(DisruptionFromEvent(e));
}

// ---------------------------------------------------------------- the MASE agenda

TEST(PracticeAgenda, ProposesChildrenAndPlacesWithReasons) {
  AgendaInputs in;
  in.radar = {Child(1, RiskLevel::kSerious, RiskLevel::kSignificant),          // new serious, rising
              Child(2, RiskLevel::kSignificant, std::nullopt),                 // new significant
              Child(3, RiskLevel::kSignificant, RiskLevel::kSignificant),      // steady: only if missing again
              Child(4, RiskLevel::kAtRisk, RiskLevel::kNoCurrentRisk),         // rising
              Child(5, RiskLevel::kSerious, std::nullopt, "Coventry"),         // another district
              Child(6, RiskLevel::kAtRisk, RiskLevel::kAtRisk),                // review overdue
              Child(7, RiskLevel::kNoCurrentRisk, RiskLevel::kNoCurrentRisk),  // review overdue, not on the radar
              Child(8, std::nullopt, std::nullopt)};                           // never assessed
  // Child 3: two episodes (three records, two resolved events), the latest 10 days before the meeting.
  in.missing = {{10, 10, 3, D(2026, 1, 2)},
                {11, 10, 3, D(2026, 1, 2)},
                {12, 12, 3, D(2026, 2, 19)},
                // Child 6: one episode recorded twice: not "again".
                {13, 13, 6, D(2026, 2, 20)},
                {14, 13, 6, D(2026, 2, 20)}};
  in.places_of_concern = {40, 41, 41};
  in.places_already_tabled = {41};
  in.review_overdue = {6, 7, 8};
  const auto agenda = GenerateAgenda(in, "Birmingham", D(2026, 3, 1), {});
  std::vector<std::string> got;
  for (const auto& i : agenda) {
    got.push_back((i.person_id ? "child " + std::to_string(i.person_id) : "place " + std::to_string(i.place_id)) +
                  ": " + i.reasons);
    EXPECT_EQ(i.source, "generated");
  }
  EXPECT_EQ(got, (std::vector<std::string>{"child 1: new_serious,rising", "child 2: new_significant",
                                           "child 3: missing_again", "child 4: rising", "child 6: review_overdue",
                                           "place 40: new_place_of_concern"}));
  // Outside the lookback the second episode is not "again".
  AgendaOptions shorter;
  shorter.lookback_days = 5;
  const auto later = GenerateAgenda(in, "Birmingham", D(2026, 3, 1), shorter);
  EXPECT_TRUE(std::none_of(later.begin(), later.end(), [](const auto& i) { return i.person_id == 3; }));
}

// ---------------------------------------------------------------- alerts

AlertInputs BaseInputs() {
  AlertInputs in;
  in.radar = {Child(1, RiskLevel::kSignificant, RiskLevel::kAtRisk), Child(2, RiskLevel::kAtRisk),
              Child(3, RiskLevel::kNoCurrentRisk)};
  store::RadarFact adult;
  adult.person_id = 50;
  adult.person_of_concern = true;
  in.radar.push_back(adult);
  in.holders = {{1, "bcc-sw", "bcc", "allocated_case"},
                {1, "wmp-officer", "wmp", "mase_listing"},
                {2, "bcc-sw", "bcc", "allocated_case"},
                {3, "bcc-sw", "bcc", "allocated_case"}};
  in.users = {{"bcc-sw", "bcc", Role::kPractitioner},
              {"bcc-manager", "bcc", Role::kManager},
              {"wmp-officer", "wmp", Role::kPractitioner},
              {"wmp-manager", "wmp", Role::kManager},
              {"nhs-manager", "nhs", Role::kManager}};
  in.max_event_id = 100;
  return in;
}

TEST(PracticeAlerts, RecipientsAreRelationshipsAndTheirManagers) {
  const AlertInputs in = BaseInputs();
  EXPECT_EQ(Names(RecipientsFor(1, in)), (std::vector<std::string>{"bcc-manager/manager", "bcc-sw/allocated_case",
                                                                   "wmp-manager/manager", "wmp-officer/mase_listing"}));
  EXPECT_EQ(Names(RecipientsFor(2, in)), (std::vector<std::string>{"bcc-manager/manager", "bcc-sw/allocated_case"}));
  EXPECT_TRUE(RecipientsFor(99, in).empty());
}

TEST(PracticeAlerts, FirstRunRecordsABaselineWithoutFlooding) {
  AlertInputs in = BaseInputs();
  in.missing = {{90, 90, 1, D(2026, 1, 1)}};
  in.links = {{1, 50, false, 91}};
  const auto first = DeriveAlerts(AlertBaseline{}, in, D(2026, 3, 1), {});
  EXPECT_TRUE(first.alerts.empty()) << ::testing::PrintToString(Kinds(first.alerts));
  EXPECT_TRUE(first.baseline.set);
  EXPECT_EQ(first.baseline.event_watermark, 100);
  EXPECT_EQ(first.baseline.levels.at(1), RiskLevel::kSignificant);
  EXPECT_EQ(first.baseline.levels.at(3), RiskLevel::kNoCurrentRisk);
  EXPECT_EQ(first.baseline.links, (std::set<std::string>{"p:1:50"}));
  // The baseline survives its JSON.
  auto back = BaselineFromJson(BaselineToJson(first.baseline));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->event_watermark, 100);
  EXPECT_EQ(back->levels, first.baseline.levels);
  EXPECT_EQ(back->links, first.baseline.links);
  EXPECT_FALSE(BaselineFromJson("").value().set);
  EXPECT_EQ(BaselineFromJson("{\"x\":1}").status().code(), StatusCode::kCorruption);
}

TEST(PracticeAlerts, EventsAfterTheBaselineRaiseAlertsNamingTheirEvidence) {
  AlertBaseline before;
  before.set = true;
  before.event_watermark = 100;
  before.levels = {{1, RiskLevel::kAtRisk}, {2, RiskLevel::kAtRisk}, {3, RiskLevel::kNoCurrentRisk}};
  before.links = {"p:1:50"};
  AlertInputs in = BaseInputs();
  in.max_event_id = 130;
  in.missing = {{99, 99, 2, D(2026, 1, 1)},    // seen before the watermark
                {120, 120, 2, D(2026, 2, 1)},  // new, recorded twice (120 and 121 are one event)
                {121, 120, 2, D(2026, 2, 1)},
                {122, 122, 3, D(2026, 2, 2)}};  // child 3 is not on the radar
  in.links = {{1, 50, false, 91}, {2, 50, false, 125}, {2, 50, false, 124}, {2, 7, true, 126}, {3, 50, false, 127}};
  const auto d = DeriveAlerts(before, in, D(2026, 3, 1), {});
  EXPECT_EQ(Kinds(d.alerts),
            (std::vector<std::string>{"missing_episode:2", "level_rise:1", "new_link:2", "new_link:2"}));
  const auto& missing = d.alerts[0];
  EXPECT_EQ(missing.evidence, (std::vector<int64_t>{120, 121}));
  EXPECT_EQ(missing.evidence_kind, "event");
  EXPECT_EQ(missing.key, "missing:2:120");
  EXPECT_EQ(Names(missing.recipients), (std::vector<std::string>{"bcc-manager/manager", "bcc-sw/allocated_case"}));
  EXPECT_EQ(d.alerts[1].evidence, (std::vector<int64_t>{1001}));
  EXPECT_EQ(d.alerts[1].detail, "level rose from at_risk to significant");
  EXPECT_EQ(d.alerts[2].key, "link:l:2:7");
  EXPECT_EQ(d.alerts[3].key, "link:p:2:50");
  EXPECT_EQ(d.alerts[3].evidence, (std::vector<int64_t>{124})) << "the first event that shows the link";
  // Run again on the new baseline with nothing new: nothing.
  const auto again = DeriveAlerts(d.baseline, in, D(2026, 3, 1), {});
  EXPECT_TRUE(again.alerts.empty()) << ::testing::PrintToString(Kinds(again.alerts));
}

TEST(PracticeAlerts, OverdueActionsAndDisruptions) {
  AlertBaseline before;
  before.set = true;
  before.event_watermark = 100;
  before.levels = {{1, RiskLevel::kSignificant}, {2, RiskLevel::kAtRisk}};
  before.links = {"p:1:50"};
  AlertInputs in = BaseInputs();
  in.links = {{1, 50, false, 91}};
  store::ActionRecord overdue;
  overdue.id = 7;
  overdue.status = "open";
  overdue.due = D(2026, 2, 28);
  overdue.link_kind = "child";
  overdue.link_id = 2;
  overdue.owner_user = "nhs-manager";
  store::ActionRecord due_today = overdue;
  due_today.id = 8;
  due_today.due = D(2026, 3, 1);
  store::ActionRecord done = overdue;
  done.id = 9;
  done.status = "done";
  store::ActionRecord place_action = overdue;
  place_action.id = 10;
  place_action.link_kind = "place";
  in.actions = {overdue, due_today, done, place_action};
  store::DisruptionRecord cawn;
  cawn.id = 3;
  cawn.kind = "cawn";
  cawn.person_id = 50;
  cawn.status = "active";
  cawn.expires = D(2026, 3, 20);
  store::DisruptionRecord later = cawn;
  later.id = 4;
  later.expires = D(2026, 6, 1);
  store::DisruptionRecord breached = later;
  breached.id = 5;
  breached.breaches = {{31, D(2026, 2, 27), "seen with child", "wmp-officer", ""}};
  in.disruptions = {cawn, later, breached};
  const auto d = DeriveAlerts(before, in, D(2026, 3, 1), {});
  EXPECT_EQ(Kinds(d.alerts), (std::vector<std::string>{"action_overdue:2", "action_overdue:0", "disruption_expiring:1",
                                                       "disruption_breached:1"}));
  EXPECT_EQ(Names(d.alerts[0].recipients),
            (std::vector<std::string>{"bcc-manager/manager", "bcc-sw/allocated_case", "nhs-manager/action_owner"}));
  EXPECT_EQ(d.alerts[0].key, "action_overdue:7:2026-02-28");
  EXPECT_EQ(Names(d.alerts[1].recipients), (std::vector<std::string>{"nhs-manager/action_owner"}));
  EXPECT_EQ(d.alerts[2].evidence, (std::vector<int64_t>{3}));
  EXPECT_EQ(d.alerts[3].evidence, (std::vector<int64_t>{5, 31}));
  EXPECT_EQ(d.alerts[3].evidence_kind, "breach");
  // A shorter warning window leaves the order out.
  AlertOptions near;
  near.expiry_warning_days = 7;
  const auto n = DeriveAlerts(before, in, D(2026, 3, 1), near);
  EXPECT_EQ(
      std::count_if(n.alerts.begin(), n.alerts.end(), [](const auto& a) { return a.kind == "disruption_expiring"; }),
      0);
  // The same facts give the same keys (the store keeps each key once).
  const auto again = DeriveAlerts(d.baseline, in, D(2026, 3, 1), {});
  std::vector<std::string> k1, k2;
  for (const auto& a : d.alerts) k1.push_back(a.key);
  for (const auto& a : again.alerts) k2.push_back(a.key);
  EXPECT_EQ(k1, k2);
}

// The stage loads the events once for both halves: one pass gives the disruptions to track (as
// DisruptionFromEvent gives them one by one), the newest event id, the missing episodes after the watermark and
// the ties of children on the radar to persons and places of concern, the same facts as the two loops before.
TEST(PracticeAlerts, OnePassOverTheEventsGivesBothHalvesTheirFacts) {
  const AlertInputs base = BaseInputs();  // children 1 (significant), 2 (at risk), 3 (none); adult 50 of concern
  store::NetworkOutput networks;
  store::PersonPriority offender, other;
  offender.person_id = 60;
  offender.suspected_offender = true;
  other.person_id = 61;
  networks.persons = {offender, other};
  store::PlaceScore hotel, shop;
  hotel.place_id = 7;
  hotel.of_concern = true;
  shop.place_id = 8;
  networks.places = {hotel, shop};
  const ConcernSets concern = ConcernSetsOf(base.radar, networks);
  EXPECT_EQ(concern.children, (std::set<int64_t>{1, 2}));
  EXPECT_EQ(concern.persons, (std::set<int64_t>{50, 60}));
  EXPECT_EQ(concern.places, (std::set<int64_t>{7}));

  const auto event = [](int64_t id, EventKind kind, int64_t subject, int64_t associate = 0, int64_t place = 0) {
    store::EventRow e;
    e.event.id = id;
    e.event.kind = kind;
    e.event.date = D(2026, 2, 1);
    e.agency_code = "wmp";
    e.local_id = "R" + std::to_string(id);
    e.subject_person_id = subject;
    e.associate_person_id = associate;
    e.place_id = place;
    return e;
  };
  std::vector<store::EventRow> events = {
      event(90, EventKind::kMissingEpisode, 1),          // before the watermark: seen by the last run
      event(96, EventKind::kMissingEpisode, 2),          // new
      event(97, EventKind::kMissingEpisode, 0),          // nobody linked
      event(98, EventKind::kMissingEpisode, 3),          // new, a child not on the radar (DeriveAlerts drops it)
      event(99, EventKind::kSighting, 1, 50, 7),         // child 1 with an adult and at a place of concern
      event(100, EventKind::kSighting, 3, 50, 7),        // child 3 is not watched
      event(101, EventKind::kPoliceIncident, 2, 61, 8),  // neither of concern
      event(102, EventKind::kPoliceIncident, 2, 60),     // a suspected offender from the network run
      event(103, EventKind::kDisruption, 60, 0, 7),      // a CAWN: tracked; its subject is no child
      event(104, EventKind::kDisruption, 60),            // a category the tracker does not know
  };
  events[3].resolved_event_id = 96;  // event linkage made 96 and 98 one event
  events[8].event.category = "cawn";
  events[9].event.category = "warning_letter";
  const EventFacts facts = EventFactsOf(events, 95, concern);

  EXPECT_EQ(facts.max_event_id, 104);
  std::vector<int64_t> tracked, expected_tracked;
  for (const auto& d : facts.disruptions) tracked.push_back(d.source_event_id);
  for (const auto& e : events) {
    if (auto d = DisruptionFromEvent(e)) expected_tracked.push_back(d->source_event_id);
  }
  EXPECT_EQ(tracked, expected_tracked);
  EXPECT_EQ(tracked, (std::vector<int64_t>{103}));
  ASSERT_EQ(facts.disruptions.size(), 1u);
  EXPECT_EQ(facts.disruptions[0].kind, "cawn");
  EXPECT_EQ(facts.disruptions[0].note, "imported from police record R103");

  std::vector<std::string> missing;
  for (const auto& m : facts.missing) {
    missing.push_back(std::to_string(m.event_id) + ">" + std::to_string(m.resolved_event_id) + "@" +
                      std::to_string(m.person_id));
  }
  EXPECT_EQ(missing, (std::vector<std::string>{"96>96@2", "98>96@3"}));
  std::vector<std::string> links;
  for (const auto& l : facts.links) links.push_back(LinkKeyForTest(l) + "#" + std::to_string(l.event_id));
  EXPECT_EQ(links, (std::vector<std::string>{"p:1:50#99", "l:1:7#99", "p:2:60#102"}));

  // Fed to DeriveAlerts after a baseline at event 95 that knew child 1's ties: child 2's new episode and new tie.
  AlertBaseline before;
  before.set = true;
  before.event_watermark = 95;
  before.levels = {{1, RiskLevel::kSignificant}, {2, RiskLevel::kAtRisk}, {3, RiskLevel::kNoCurrentRisk}};
  before.links = {"p:1:50", "l:1:7"};
  AlertInputs in = base;
  in.max_event_id = facts.max_event_id;
  in.missing = facts.missing;
  in.links = facts.links;
  const auto d = DeriveAlerts(before, in, D(2026, 3, 1), {});
  EXPECT_EQ(Kinds(d.alerts), (std::vector<std::string>{"missing_episode:2", "new_link:2"}));
  EXPECT_EQ(d.alerts[0].evidence, (std::vector<int64_t>{96}));
  EXPECT_EQ(d.baseline.event_watermark, 104);
}

TEST(PracticeAlerts, ReviewOverdueRule) {
  const AlertInputs in = BaseInputs();
  EXPECT_FALSE(ReviewOverdueAlert(1, 11, D(2026, 3, 1), D(2026, 3, 1), in)) << "due today is not overdue";
  auto a = ReviewOverdueAlert(1, 11, D(2026, 2, 28), D(2026, 3, 1), in);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->key, "review_overdue:1:2026-02-28");
  EXPECT_EQ(a->evidence, (std::vector<int64_t>{11}));
  EXPECT_EQ(a->recipients.size(), 4u);
  EXPECT_FALSE(ReviewOverdueAlert(99, 12, D(2026, 2, 1), D(2026, 3, 1), in)) << "nobody to tell";
}

}  // namespace practice_test
}  // namespace riskradar::practice

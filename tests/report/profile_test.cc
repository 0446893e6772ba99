// The problem profile's figures (report/profile.h) from a hand-made store read: the radar as of the period's
// end, new / continuing / ceased, events in the period counted once, quarters, fixed row orders.
#include "riskradar/report/profile.h"

#include <gtest/gtest.h>

#include <set>

namespace riskradar::report {
namespace profile_test {

Date D(const char* iso) { return *Date::ParseIso(iso); }

const CountTableSpec& T(const ProfileFigures& f, const std::string& name, bool previous = false) {
  for (const CountTableSpec& t : previous ? f.previous_tables.tables : f.tables.tables) {
    if (t.name == name) return t;
  }
  ADD_FAILURE() << "no table " << name;
  static CountTableSpec none;
  return none;
}

int64_t Cell(const CountTableSpec& t, const std::string& label) {
  for (size_t i = 0; i < t.labels.size(); ++i) {
    if (t.labels[i] == label) return t.counts[i];
  }
  ADD_FAILURE() << t.name << " has no row " << label;
  return -1;
}

store::AssessmentLevel A(int64_t id, int64_t person, const char* as_of, RiskLevel level,
                         std::optional<RiskLevel> override_level = std::nullopt) {
  store::AssessmentLevel a;
  a.id = id;
  a.person_id = person;
  a.as_of = D(as_of);
  a.level = level;
  a.override_level = override_level;
  a.model_version = "test-1";
  return a;
}

store::EventRow E(int64_t id, const char* date, EventKind kind, const char* category, int64_t subject,
                  const char* agency, int64_t resolved = 0) {
  store::EventRow r;
  r.event.id = id;
  r.event.date = D(date);
  r.event.kind = kind;
  r.event.category = category;
  r.subject_person_id = subject;
  r.agency_code = agency;
  r.resolved_event_id = resolved ? resolved : id;
  return r;
}

ProfileSource Source() {
  ProfileSource s;
  auto child = [](int64_t id, const char* district, Sex sex, const char* dob, const char* ethnicity) {
    Person p;
    p.id = id;
    p.display_name = "Fictional Child " + std::to_string(id);
    p.district = district;
    p.sex = sex;
    p.dob = D(dob);
    p.is_child = true;
    p.ethnicity = ethnicity;
    return p;
  };
  s.persons = {
      child(1, "Dudley", Sex::kFemale, "2010-05-01", "white"), child(2, "Coventry", Sex::kMale, "2012-01-10", "asian"),
      child(3, "Nowhere", Sex::kFemale, "2009-03-03", ""), child(4, "Walsall", Sex::kFemale, "2008-02-02", "black")};
  s.agencies = {{"wmp", "West Midlands Police", AgencyKind::kPolice, "West Midlands"},
                {"dudley-cs", "Dudley Children's Services", AgencyKind::kCouncil, "Dudley"}};
  s.assessments = {
      A(1, 1, "2025-03-31", RiskLevel::kSerious),                             // on at both ends: continuing
      A(2, 1, "2025-06-30", RiskLevel::kSignificant),                         // the level at the period's end
      A(3, 1, "2025-07-15", RiskLevel::kNoCurrentRisk),                       // after the period: ignored
      A(4, 2, "2025-06-30", RiskLevel::kAtRisk),                              // new
      A(5, 3, "2025-03-31", RiskLevel::kAtRisk),                              // ceased: off by the end
      A(6, 3, "2025-06-30", RiskLevel::kNoCurrentRisk),                       //
      A(7, 4, "2025-06-30", RiskLevel::kNoCurrentRisk, RiskLevel::kSerious),  // an override counts
  };
  s.events = {E(10, "2025-04-02", EventKind::kReferral, "looked_after", 1, "dudley-cs"),
              E(11, "2025-04-02", EventKind::kMissingEpisode, "missing_day", 1, "wmp"),
              E(12, "2025-04-02", EventKind::kMissingEpisode, "missing_day", 1, "dudley-cs", 11),  // same event
              E(13, "2025-06-30", EventKind::kDisruption, "cawn", 2, "wmp"),
              E(14, "2025-07-01", EventKind::kDisruption, "hotel_notice", 2, "wmp"),  // next period
              E(15, "2025-01-05", EventKind::kPoliceIncident, "other", 4, "wmp"),     // before: first record
              E(16, "2025-05-05", EventKind::kReferral, "cse_concern", 4, "dudley-cs")};
  return s;
}

TEST(ProfileTest, RadarAsOfThePeriodEnd) {
  const ProfileFigures f = ComputeProfile(Source(), "Test partnership", {D("2025-04-01"), D("2025-06-30")});
  EXPECT_EQ(f.previous.from, D("2024-12-31"));  // the same length: 91 days
  EXPECT_EQ(f.previous.to, D("2025-03-31"));
  ASSERT_TRUE(f.radar_assessed_on.has_value());
  EXPECT_EQ(*f.radar_assessed_on, D("2025-06-30"));
  const CountTableSpec& level = T(f, "radar_by_level");
  EXPECT_EQ(level.labels, (std::vector<std::string>{"Serious risk", "Significant risk", "At risk"}));
  EXPECT_EQ(level.counts, (std::vector<int64_t>{1, 1, 1}));  // child 4 (override), child 1, child 2
  const CountTableSpec& district = T(f, "radar_by_district");
  EXPECT_EQ(district.labels.size(), 8u);
  EXPECT_EQ(district.labels.front(), "Birmingham");
  EXPECT_EQ(Cell(district, "Dudley"), 1);
  EXPECT_EQ(Cell(district, "Walsall"), 1);
  const CountTableSpec& grid = T(f, "radar_by_district_level");
  EXPECT_EQ(grid.columns, 3u);
  EXPECT_EQ(Cell(grid, "Dudley | Significant risk"), 1);
  EXPECT_EQ(Cell(grid, "Walsall | Serious risk"), 1);
  EXPECT_EQ(Cell(T(f, "radar_by_ethnicity"), "White"), 1);
  EXPECT_EQ(Cell(T(f, "radar_by_ethnicity"), "Black, Black British, Caribbean or African"), 1);
  EXPECT_EQ(Cell(T(f, "radar_by_looked_after"), "Looked after"), 1);
  // Child 4's first record is the police's (January), child 2's too (a notice on the last day); child 1's first
  // records are all on one day, and the first read (children's services) stands.
  EXPECT_EQ(Cell(T(f, "radar_by_first_agency"), "Police"), 2);
  EXPECT_EQ(Cell(T(f, "radar_by_first_agency"), "Children's services"), 1);
  EXPECT_EQ(Cell(T(f, "radar_by_first_agency"), "Not known"), 0);
  EXPECT_EQ(Cell(T(f, "radar_by_age"), "15"), 1);  // child 1 on 2025-06-30
  EXPECT_EQ(Cell(T(f, "radar_by_sex"), "Girls"), 2);
  // New: 2 and 4; continuing: 1; ceased: 3.
  EXPECT_EQ(T(f, "radar_cases").counts, (std::vector<int64_t>{2, 1, 1}));
  // The previous period's radar (end of March): children 1 and 3.
  EXPECT_EQ(T(f, "radar_by_level", true).counts, (std::vector<int64_t>{1, 0, 1}));
}

TEST(ProfileTest, EventsInThePeriodCountedOnce) {
  const ProfileFigures f = ComputeProfile(Source(), "Test partnership", {D("2025-04-01"), D("2025-06-30")});
  const CountTableSpec& missing = T(f, "missing_by_quarter");
  EXPECT_EQ(missing.labels, (std::vector<std::string>{"2025 Q2"}));
  EXPECT_EQ(missing.counts, (std::vector<int64_t>{1}));  // two records of one missing episode
  EXPECT_EQ(Cell(T(f, "disruptions_by_kind"), "Child abduction warning notices"), 1);
  EXPECT_EQ(Cell(T(f, "disruptions_by_kind"), "Hotel and B&B notices"), 0);  // dated in the next period
  EXPECT_EQ(T(f, "referrals_by_agency").labels, (std::vector<std::string>{"Dudley Children's Services"}));
  EXPECT_EQ(T(f, "referrals_by_agency").counts, (std::vector<int64_t>{2}));
  EXPECT_EQ(f.source_events, 5);
  EXPECT_EQ(f.resolved_events, 4);
  // A period across quarters gets one column per quarter, in order.
  const ProfileFigures long_period = ComputeProfile(Source(), "Test", {D("2025-02-15"), D("2025-08-01")});
  EXPECT_EQ(T(long_period, "missing_by_quarter").labels, (std::vector<std::string>{"2025 Q1", "2025 Q2", "2025 Q3"}));
  EXPECT_EQ(T(long_period, "disruptions_by_kind_quarter").columns, 3u);
}

// The disruption and action trackers (issue 14: disruptions by kind, MASE actions taken and outstanding).
TEST(ProfileTest, TrackersGiveDisruptionsByKindAndActionsTakenAndOutstanding) {
  ProfileSource src = Source();
  auto disruption = [](int64_t id, const char* kind, const char* issued, std::optional<Date> expires,
                       const char* status, const char* updated, int64_t source_event = 0) {
    store::DisruptionRecord d;
    d.id = id;
    d.kind = kind;
    d.issued = D(issued);
    d.expires = expires;
    d.status = status;
    d.updated_at = updated;
    d.source_event_id = source_event;
    return d;
  };
  // The police CAWN event 13 as the tracker imported it: counted once, not twice.
  src.disruptions.push_back(disruption(1, "cawn", "2025-06-30", D("2027-06-30"), "active", "", 13));
  // A hotel notice entered by hand, expired before the period's end, breached once in the period.
  src.disruptions.push_back(disruption(2, "hotel_notice", "2025-05-10", D("2025-06-01"), "active", ""));
  src.disruptions.back().breaches = {{1, D("2025-05-20"), "seen", "wmp-practitioner", ""},
                                     {2, D("2025-07-02"), "after the period", "wmp-practitioner", ""}};
  // Issued before the period: a closure order revoked within it, a sexual risk order revoked after it.
  src.disruptions.push_back(
      disruption(3, "closure_order", "2025-02-01", std::nullopt, "revoked", "2025-06-10T09:00:00Z"));
  src.disruptions.push_back(
      disruption(4, "sexual_risk_order", "2025-01-10", std::nullopt, "revoked", "2025-08-01T09:00:00Z"));
  auto action = [](int64_t id, const char* created, const char* status, const char* updated, const char* due,
                   const char* owner, const char* link) {
    store::ActionRecord a;
    a.id = id;
    a.created_at = created;
    a.status = status;
    a.updated_at = updated;
    a.due = D(due);
    a.owner_agency = owner;
    a.link_kind = link;
    return a;
  };
  src.actions = {
      action(1, "2025-04-03T10:00:00Z", "done", "2025-05-01T10:00:00Z", "2025-05-15", "dudley-cs", "meeting"),  // taken
      action(2, "2025-05-01T10:00:00Z", "open", "2025-05-01T10:00:00Z", "2025-06-01", "wmp", "child"),  // overdue
      action(3, "2025-06-01T10:00:00Z", "open", "2025-06-01T10:00:00Z", "2025-07-15", "wmp", "place"),  // not yet due
      action(4, "2025-01-01T10:00:00Z", "cancelled", "2025-03-01T10:00:00Z", "2025-02-01", "wmp", "child"),  // before
      action(5, "2025-07-02T10:00:00Z", "open", "2025-07-02T10:00:00Z", "2025-08-01", "wmp", "child"),       // after
      action(6, "2025-03-01T10:00:00Z", "cancelled", "2025-04-10T10:00:00Z", "2025-05-01", "gone", "person"),
      action(7, "2025-06-01T10:00:00Z", "done", "2025-07-05T10:00:00Z", "2025-06-20", "wmp", "child"),  // done later
  };
  const ProfileFigures f = ComputeProfile(src, "Test", {D("2025-04-01"), D("2025-06-30")});
  const CountTableSpec& kind = T(f, "disruptions_by_kind");
  EXPECT_EQ(kind.labels, (std::vector<std::string>{"Child abduction warning notices", "Sexual risk orders",
                                                   "Sexual harm prevention orders", "Hotel and B&B notices",
                                                   "Licensing reviews", "Closure orders", "Other disruption"}));
  EXPECT_EQ(kind.counts, (std::vector<int64_t>{1, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(T(f, "disruptions_by_quarter").counts, (std::vector<int64_t>{2}));
  EXPECT_EQ(T(f, "disruptions_in_force").counts, (std::vector<int64_t>{1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(T(f, "disruption_breaches").counts, (std::vector<int64_t>{0, 0, 0, 1, 0, 0, 0}));
  // Taken 1, outstanding not yet due 1 (3), overdue 2 (2, and 7 done only after the period), cancelled 1 (6).
  EXPECT_EQ(T(f, "actions_by_state").counts, (std::vector<int64_t>{1, 1, 2, 1}));
  EXPECT_EQ(Cell(T(f, "actions_by_owner"), "Police"), 3);
  EXPECT_EQ(Cell(T(f, "actions_by_owner"), "Children's services"), 1);
  EXPECT_EQ(Cell(T(f, "actions_by_owner"), "Not known"), 1);
  EXPECT_EQ(T(f, "actions_by_subject").counts, (std::vector<int64_t>{1, 2, 1, 1, 0}));
  // The previous period (2024-12-31 to 2025-03-31): action 4 cancelled in it, action 6 open at its end and not
  // yet due (2025-05-01); the two orders issued in it, both in force on its last day.
  EXPECT_EQ(T(f, "actions_by_state", true).counts, (std::vector<int64_t>{0, 1, 0, 1}));
  EXPECT_EQ(T(f, "disruptions_by_kind", true).counts, (std::vector<int64_t>{0, 1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(T(f, "disruptions_in_force", true).counts, (std::vector<int64_t>{0, 1, 0, 0, 0, 1, 0}));
  // The sections that show them.
  std::set<std::string> shown;
  for (const ProfileSection& s : f.sections) {
    if (s.id == "disruption" || s.id == "actions") shown.insert(s.tables.begin(), s.tables.end());
  }
  for (const char* t : {"disruptions_by_kind", "disruptions_in_force", "disruption_breaches", "actions_by_state",
                        "actions_by_owner", "actions_by_subject"}) {
    EXPECT_TRUE(shown.contains(t)) << t;
  }
}

TEST(ProfileTest, EveryTableNamesItsPopulationAndSectionsListOnlyKnownTables) {
  const ProfileFigures f = ComputeProfile(Source(), "Test", {D("2025-04-01"), D("2025-06-30")});
  std::set<std::string> names;
  for (const CountTableSpec& t : f.tables.tables) {
    EXPECT_FALSE(t.population.empty()) << t.name;
    EXPECT_EQ(t.labels.size(), t.counts.size()) << t.name;
    EXPECT_TRUE(names.insert(t.name).second) << t.name;
    if (t.population == kRadarPopulation) {
      int64_t sum = 0;
      for (int64_t c : t.counts) sum += c;
      EXPECT_EQ(sum, 3) << t.name << " partitions the radar";
    }
  }
  for (const ProfileSection& s : f.sections) {
    for (const std::string& t : s.tables) EXPECT_TRUE(names.contains(t)) << s.id << ": " << t;
  }
  EXPECT_EQ(f.tables.always_shown, (std::vector<std::string>{kRadarPopulation}));
}

}  // namespace profile_test
}  // namespace riskradar::report

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
  EXPECT_EQ(Cell(T(f, "disruptions_by_kind"), "Hotel notices"), 0);  // dated in the next period
  EXPECT_EQ(T(f, "referrals_by_agency").labels, (std::vector<std::string>{"Dudley Children's Services"}));
  EXPECT_EQ(T(f, "referrals_by_agency").counts, (std::vector<int64_t>{2}));
  EXPECT_EQ(f.source_events, 5);
  EXPECT_EQ(f.resolved_events, 4);
  // A period across quarters gets one column per quarter, in order.
  const ProfileFigures long_period = ComputeProfile(Source(), "Test", {D("2025-02-15"), D("2025-08-01")});
  EXPECT_EQ(T(long_period, "missing_by_quarter").labels, (std::vector<std::string>{"2025 Q1", "2025 Q2", "2025 Q3"}));
  EXPECT_EQ(T(long_period, "disruptions_by_kind_quarter").columns, 3u);
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

// The problem profile: the partnership's figures for any period (issue 14). The radar is the one as assessed
// on the period's last day (each child's newest assessment on or before it), events and disruptions are those
// dated within the period, and every table is compared with the previous period of the same length.
//
// ReadProfileSource reads the store once; ComputeProfile is pure (testable without a store); the tables it
// returns go through report/publication.h (Protect for the publishable version, PublishExact otherwise) and
// are written by report/profile_writer.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/report/publication.h"
#include "riskradar/store/practice.h"
#include "riskradar/store/store.h"

namespace riskradar::report {

// Everything the profile counts, read from the store in one go.
struct ProfileSource {
  std::vector<Person> persons;
  std::vector<store::AssessmentLevel> assessments;
  std::vector<store::EventRow> events;
  std::vector<Agency> agencies;
  std::vector<Place> places;
  store::NetworkOutput networks;  // the latest network run (empty before the first)
  int64_t quarantined_rows = 0;
  // The practice workflow's trackers (empty for a backend without them): MASE and practice actions, and the
  // disruption tracker with its breaches. Imported police disruption events are tracker entries
  // (source_event_id); a disruption event not (yet) tracked is still counted from the events.
  std::vector<store::ActionRecord> actions;
  std::vector<store::DisruptionRecord> disruptions;
};
Result<ProfileSource> ReadProfileSource(store::Store& store);

struct ProfilePeriod {
  Date from, to;  // both inclusive
  int32_t Days() const { return to - from + 1; }
};
// The period of the same length that ends the day before `period` starts.
ProfilePeriod PreviousPeriod(const ProfilePeriod& period);

// One section of the report: the HTML and the workbook show sections in this order. Sections are a list so a
// new one is one more entry.
struct ProfileSection {
  std::string id, title, intro;
  std::vector<std::string> tables;  // in the order shown
  std::vector<std::string> charts;  // of those, the ones also drawn as bar charts
  std::string map_table;            // a by-district table also drawn on the district map ("" none)
};

struct AgencyLinkRate {
  std::string agency;
  int64_t records = 0;  // records of the agency dated in the period
  int64_t linked = 0;   // of them, about a person some other agency also holds records on
};

struct ProfileFigures {
  std::string partnership;
  ProfilePeriod period, previous;
  std::optional<Date> radar_assessed_on, previous_radar_assessed_on;  // newest assessment used
  std::string model_version;
  PublishInput tables;           // this period's tables; the radar headline is always shown
  PublishInput previous_tables;  // the previous period's, computed as its own profile computes them
  std::vector<ProfileSection> sections;
  std::vector<AgencyLinkRate> link_rates;
  int64_t quarantined_rows = 0;
  int64_t source_events = 0, resolved_events = 0;  // dated in the period
};

// The names of the tables with their meaning, used by the writers and tests.
inline constexpr const char* kRadarPopulation = "children_on_radar";
inline constexpr const char* kRadarHeadlineTable = "radar_by_level";

ProfileFigures ComputeProfile(const ProfileSource& source, const std::string& partnership, const ProfilePeriod& period);

}  // namespace riskradar::report

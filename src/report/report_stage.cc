// Building the regional Summary from what the pipeline stored.
#include "riskradar/report/report_stage.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace riskradar::report {
namespace {

std::vector<CountRow> Rows(const std::map<std::string, int64_t>& counts, bool by_count) {
  std::vector<CountRow> rows;
  for (const auto& [label, n] : counts) rows.push_back({label, n});
  if (by_count) {
    std::stable_sort(rows.begin(), rows.end(), [](const CountRow& a, const CountRow& b) { return a.count > b.count; });
  }
  return rows;
}

std::string AgeBand(int age) {
  if (age <= 12) return "12 and under";
  if (age <= 14) return "13-14";
  if (age <= 15) return "15";
  return "16-17";
}

}  // namespace

Result<Summary> BuildSummary(store::Store& store, const SummaryOptions& options) {
  RR_ASSIGN_OR_RETURN(auto persons, store.ListPersons());
  RR_ASSIGN_OR_RETURN(auto assessments, store.LatestAssessments());
  RR_ASSIGN_OR_RETURN(auto places, store.ListPlaces());
  RR_ASSIGN_OR_RETURN(auto networks, store.LoadNetworks());
  RR_ASSIGN_OR_RETURN(auto counts, store.Counts());

  Summary s;
  s.partnership = options.partnership;
  s.period_start = options.period_start;
  s.period_end = options.period_end;
  std::unordered_map<int64_t, const Person*> person_by_id;
  for (const Person& p : persons) {
    person_by_id[p.id] = &p;
    s.children_known += p.is_child;
    s.suspected_offenders += p.person_of_concern;
  }
  if (networks.priority_model != "") {
    // A run with the VOLT priority: suspected offenders are the persons of concern at or above its offender score.
    s.suspected_offenders = 0;
    for (const store::PersonPriority& p : networks.persons) s.suspected_offenders += p.suspected_offender;
  }
  std::map<std::string, int64_t> by_district, by_sex, by_age;
  for (const Assessment& a : assessments) {
    const RiskLevel level = a.override_level.value_or(a.level);
    if (level == RiskLevel::kNoCurrentRisk) continue;
    ++s.children_on_radar;
    if (level == RiskLevel::kSerious) ++s.serious;
    if (level == RiskLevel::kSignificant) ++s.significant;
    if (level == RiskLevel::kAtRisk) ++s.at_risk;
    if (s.model_version.empty()) s.model_version = a.model_version;
    auto it = person_by_id.find(a.person_id);
    if (it == person_by_id.end()) continue;
    const Person& p = *it->second;
    ++by_district[p.district.empty() ? "Outside the region or unknown" : p.district];
    ++by_sex[p.sex == Sex::kFemale ? "Girls" : p.sex == Sex::kMale ? "Boys" : "Not recorded"];
    ++by_age[p.dob ? AgeBand(Date::AgeOn(*p.dob, a.as_of)) : "Age unknown"];
  }
  s.radar_by_district = Rows(by_district, true);
  s.radar_by_sex = Rows(by_sex, false);
  s.radar_by_age_band = Rows(by_age, false);

  s.networks = static_cast<int64_t>(networks.networks.size());
  s.lone_offenders = networks.lone_offenders;
  std::unordered_map<int64_t, const Place*> place_by_id;
  for (const Place& p : places) place_by_id[p.id] = &p;
  std::map<PlaceType, int64_t> by_type;
  for (const auto& ps : networks.places) {
    if (!ps.of_concern) continue;
    auto it = place_by_id.find(ps.place_id);
    if (it == place_by_id.end()) continue;
    ++s.places_of_concern;
    ++by_type[it->second->type];
  }
  std::vector<std::pair<PlaceType, int64_t>> types(by_type.begin(), by_type.end());
  std::stable_sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [type, n] : types) s.places_by_type.push_back({std::string(Label(type)), n});

  s.agency_records = counts.source_records;
  s.people_resolved = counts.persons;
  s.quarantined_rows = counts.quarantined;
  return s;
}

}  // namespace riskradar::report

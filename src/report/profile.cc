// The problem profile's figures for a period, from what the pipeline stored.
#include "riskradar/report/profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "riskradar/core/ethnicity.h"

namespace riskradar::report {
namespace {

// Fixed row orders: never by size.
const std::vector<std::string> kDistricts = {
    "Birmingham", "Coventry", "Dudley",        "Sandwell",
    "Solihull",   "Walsall",  "Wolverhampton", "Outside the region or unknown"};
const std::vector<std::string> kLevels = {"Serious risk", "Significant risk", "At risk"};
const std::vector<std::string> kChildAges = {"12 and under", "13-14", "15", "16-17", "18 or over", "Not known"};
const std::vector<std::string> kAdultAges = {"Under 18", "18-24", "25-34", "35-44", "45 and over", "Not known"};
const std::vector<std::string> kChildSexes = {"Girls", "Boys", "Other or not recorded"};
const std::vector<std::string> kAdultSexes = {"Female", "Male", "Other or not recorded"};
const std::vector<std::string> kLookedAfter = {"Looked after", "Not known to be looked after"};
const std::vector<std::string> kFirstAgency = {"Children's services", "Health",   "Police", "Schools",
                                               "Voluntary sector",    "Not known"};
const std::vector<std::string> kCases = {"New to the radar", "On the radar at both dates", "No longer on the radar"};
const std::vector<std::string> kNetworkSizes = {"2 suspected offenders", "3 to 4", "5 to 9", "10 or more"};
// The disruption tracker's kinds (store/practice.h), in a fixed order.
const std::vector<std::pair<std::string, std::string>> kDisruptions = {
    {"cawn", "Child abduction warning notices"},
    {"sexual_risk_order", "Sexual risk orders"},
    {"sexual_harm_prevention_order", "Sexual harm prevention orders"},
    {"hotel_notice", "Hotel and B&B notices"},
    {"licensing_review", "Licensing reviews"},
    {"closure_order", "Closure orders"},
    {"other", "Other disruption"}};
const std::vector<std::string> kActionStates = {"Taken (done in the period)", "Outstanding and not yet due",
                                                "Outstanding and overdue", "Cancelled in the period"};
const std::vector<std::string> kActionLinks = {"A MASE meeting", "A child", "Another person", "A place", "A network"};

// The tracker kind of a police disruption event's category (as the practice stage imports it), or npos.
size_t DisruptionIndex(const std::string& kind_or_category) {
  const std::string kind = kind_or_category == "licensing_referral" ? "licensing_review" : kind_or_category;
  for (size_t k = 0; k < kDisruptions.size(); ++k) {
    if (kDisruptions[k].first == kind) return k;
  }
  return std::string::npos;
}

size_t ActionLinkIndex(const std::string& kind) {
  return kind == "meeting" ? 0 : kind == "child" ? 1 : kind == "person" ? 2 : kind == "place" ? 3 : 4;
}

// The day of a stored timestamp ("2026-03-07T10:12:00Z"), nullopt when it has none.
std::optional<Date> DayOf(const std::string& timestamp) {
  if (timestamp.size() < 10) return std::nullopt;
  auto d = Date::ParseIso(timestamp.substr(0, 10));
  if (!d.ok()) return std::nullopt;
  return *d;
}

size_t DistrictIndex(const std::string& district) {
  auto it = std::find(kDistricts.begin(), kDistricts.end(), district);
  return it == kDistricts.end() ? kDistricts.size() - 1 : static_cast<size_t>(it - kDistricts.begin());
}

size_t LevelIndex(RiskLevel level) {
  return level == RiskLevel::kSerious ? 0 : level == RiskLevel::kSignificant ? 1 : 2;
}

size_t ChildAgeIndex(const std::optional<Date>& dob, Date on) {
  if (!dob) return 5;
  const int age = Date::AgeOn(*dob, on);
  return age <= 12 ? 0 : age <= 14 ? 1 : age == 15 ? 2 : age <= 17 ? 3 : 4;
}

size_t AdultAgeIndex(const std::optional<Date>& dob, Date on) {
  if (!dob) return 5;
  const int age = Date::AgeOn(*dob, on);
  return age < 18 ? 0 : age <= 24 ? 1 : age <= 34 ? 2 : age <= 44 ? 3 : 4;
}

size_t SexIndex(Sex sex) { return sex == Sex::kFemale ? 0 : sex == Sex::kMale ? 1 : 2; }

size_t EthnicityIndex(const std::string& code) {
  for (size_t i = 0; i < kEthnicGroups.size(); ++i) {
    if (kEthnicGroups[i].code == code) return i;
  }
  return kEthnicGroups.size();
}

size_t AgencyKindIndex(AgencyKind kind) {
  switch (kind) {
    case AgencyKind::kCouncil:
      return 0;
    case AgencyKind::kNhs:
      return 1;
    case AgencyKind::kPolice:
      return 2;
    case AgencyKind::kEducation:
      return 3;
    case AgencyKind::kVoluntary:
      return 4;
  }
  return 5;
}

size_t NetworkSizeIndex(size_t offenders) { return offenders <= 2 ? 0 : offenders <= 4 ? 1 : offenders <= 9 ? 2 : 3; }

// Calendar quarters that overlap the period, e.g. "2025 Q1", in order.
struct Quarter {
  std::string label;
  Date from, to;
};
std::vector<Quarter> Quarters(const ProfilePeriod& p) {
  std::vector<Quarter> out;
  int year = p.from.year();
  int q = (p.from.month() - 1) / 3;
  while (true) {
    const Date start = *Date::FromYmd(year, q * 3 + 1, 1);
    if (start > p.to) break;
    const Date next = q == 3 ? *Date::FromYmd(year + 1, 1, 1) : *Date::FromYmd(year, q * 3 + 4, 1);
    out.push_back({fmt::format("{} Q{}", year, q + 1), start, next.AddDays(-1)});
    if (++q == 4) {
      q = 0;
      ++year;
    }
  }
  return out;
}

size_t QuarterIndex(const std::vector<Quarter>& quarters, Date d) {
  for (size_t i = 0; i < quarters.size(); ++i) {
    if (d >= quarters[i].from && d <= quarters[i].to) return i;
  }
  return 0;
}

CountTableSpec OneWay(std::string name, std::string population, std::string title, std::string heading,
                      std::vector<std::string> labels) {
  CountTableSpec t;
  t.name = std::move(name);
  t.population = std::move(population);
  t.title = std::move(title);
  t.group_heading = std::move(heading);
  t.counts.assign(labels.size(), 0);
  t.labels = std::move(labels);
  return t;
}

CountTableSpec Cross(std::string name, std::string population, std::string title, const CountTableSpec& rows,
                     const CountTableSpec& columns) {
  CountTableSpec t;
  t.name = std::move(name);
  t.population = std::move(population);
  t.title = std::move(title);
  t.group_heading = rows.group_heading + " | " + columns.group_heading;
  for (const std::string& r : rows.labels) {
    for (const std::string& c : columns.labels) t.labels.push_back(r + " | " + c);
  }
  t.counts.assign(t.labels.size(), 0);
  t.columns = columns.labels.size();
  t.rows_of = rows.name;
  t.columns_of = columns.name;
  return t;
}

// Each person's effective level on a date: their newest assessment on or before it.
struct Radar {
  std::unordered_map<int64_t, RiskLevel> on_radar;  // person -> level (not "no current risk")
  std::optional<Date> assessed_on;
  std::string model_version;
};
Radar RadarOn(const std::vector<store::AssessmentLevel>& assessments, Date day) {
  Radar radar;
  std::unordered_map<int64_t, const store::AssessmentLevel*> newest;
  for (const store::AssessmentLevel& a : assessments) {
    if (a.as_of > day) continue;
    auto [it, inserted] = newest.try_emplace(a.person_id, &a);
    if (!inserted && (a.as_of > it->second->as_of || (a.as_of == it->second->as_of && a.id > it->second->id))) {
      it->second = &a;
    }
  }
  for (const auto& [person, a] : newest) {
    if (!radar.assessed_on || a->as_of > *radar.assessed_on) {
      radar.assessed_on = a->as_of;
      radar.model_version = a->model_version;
    }
    if (a->Effective() != RiskLevel::kNoCurrentRisk) radar.on_radar[person] = a->Effective();
  }
  return radar;
}

struct Computed {
  PublishInput input;
  std::optional<Date> assessed_on;
  std::string model_version;
  std::vector<AgencyLinkRate> link_rates;
  int64_t source_events = 0, resolved_events = 0;
};

Computed ComputeTables(const ProfileSource& src, const ProfilePeriod& period) {
  Computed out;
  const Radar radar = RadarOn(src.assessments, period.to);
  const Radar before = RadarOn(src.assessments, period.from.AddDays(-1));
  out.assessed_on = radar.assessed_on;
  out.model_version = radar.model_version;
  std::unordered_map<int64_t, const Person*> person_by_id;
  for (const Person& p : src.persons) person_by_id[p.id] = &p;
  std::unordered_map<std::string, const Agency*> agency_by_code;
  for (const Agency& a : src.agencies) agency_by_code[a.code] = &a;
  const auto in_period = [&](Date d) { return d >= period.from && d <= period.to; };

  // What each child's records say up to the period's end: looked after, and the agency of the first concern.
  std::unordered_set<int64_t> looked_after;
  std::unordered_map<int64_t, std::pair<Date, std::string>> first_record;
  std::unordered_map<int64_t, std::set<std::string>> agencies_of_person;
  for (const store::EventRow& row : src.events) {
    const int64_t subject = row.subject_person_id;
    if (subject == 0) continue;
    agencies_of_person[subject].insert(row.agency_code);
    if (row.event.date > period.to) continue;
    if (row.event.category == "looked_after") looked_after.insert(subject);
    auto [it, inserted] = first_record.try_emplace(subject, row.event.date, row.agency_code);
    if (!inserted && row.event.date < it->second.first) it->second = {row.event.date, row.agency_code};
  }

  // Children on the radar.
  const std::string radar_pop = kRadarPopulation;
  CountTableSpec level =
      OneWay("radar_by_level", radar_pop, "Children on the risk radar by level of risk", "Level of risk", kLevels);
  CountTableSpec district =
      OneWay("radar_by_district", radar_pop, "Children on the risk radar by district", "District", kDistricts);
  CountTableSpec grid = Cross("radar_by_district_level", radar_pop,
                              "Children on the risk radar by district and level of risk", district, level);
  CountTableSpec age = OneWay("radar_by_age", radar_pop, "Children on the risk radar by age", "Age", kChildAges);
  CountTableSpec sex = OneWay("radar_by_sex", radar_pop, "Children on the risk radar by sex", "Sex", kChildSexes);
  std::vector<std::string> ethnic_labels;
  for (const EthnicGroup& g : kEthnicGroups) ethnic_labels.emplace_back(g.label);
  ethnic_labels.emplace_back(kEthnicityNotRecorded);
  CountTableSpec ethnicity = OneWay("radar_by_ethnicity", radar_pop, "Children on the risk radar by ethnic group",
                                    "Ethnic group (Census 2021)", ethnic_labels);
  CountTableSpec care = OneWay("radar_by_looked_after", radar_pop, "Children on the risk radar by looked-after status",
                               "Looked-after status", kLookedAfter);
  CountTableSpec first = OneWay("radar_by_first_agency", radar_pop,
                                "Children on the risk radar by the agency that first recorded a concern",
                                "Agency of first record", kFirstAgency);
  for (const auto& [person_id, lvl] : radar.on_radar) {
    auto it = person_by_id.find(person_id);
    const Person* p = it == person_by_id.end() ? nullptr : it->second;
    const size_t l = LevelIndex(lvl);
    const size_t d = DistrictIndex(p ? p->district : "");
    ++level.counts[l];
    ++district.counts[d];
    ++grid.counts[d * grid.columns + l];
    ++age.counts[ChildAgeIndex(p ? p->dob : std::nullopt, period.to)];
    ++sex.counts[SexIndex(p ? p->sex : Sex::kUnknown)];
    ++ethnicity.counts[EthnicityIndex(p ? p->ethnicity : "")];
    ++care.counts[looked_after.contains(person_id) ? 0 : 1];
    auto f = first_record.find(person_id);
    size_t agency = 5;
    if (f != first_record.end()) {
      auto a = agency_by_code.find(f->second.second);
      if (a != agency_by_code.end()) agency = AgencyKindIndex(a->second->kind);
    }
    ++first.counts[agency];
  }
  CountTableSpec cases = OneWay("radar_cases", "children_on_radar_at_start_or_end",
                                "Children new to the radar, still on it and no longer on it since the previous "
                                "period's end",
                                "Case", kCases);
  for (const auto& [person_id, lvl] : radar.on_radar) ++cases.counts[before.on_radar.contains(person_id) ? 1 : 0];
  for (const auto& [person_id, lvl] : before.on_radar) cases.counts[2] += !radar.on_radar.contains(person_id);

  // Who and where was active in the period.
  std::unordered_set<int64_t> active_persons, active_places;
  for (const store::EventRow& row : src.events) {
    if (!in_period(row.event.date)) continue;
    active_persons.insert(row.subject_person_id);
    if (row.associate_person_id) active_persons.insert(row.associate_person_id);
    if (row.place_id) active_places.insert(row.place_id);
  }

  // Suspected offenders active in the period, their networks.
  CountTableSpec off_age = OneWay("offenders_by_age", "suspected_offenders",
                                  "Suspected offenders active in the period by age", "Age", kAdultAges);
  CountTableSpec off_sex = OneWay("offenders_by_sex", "suspected_offenders",
                                  "Suspected offenders active in the period by sex", "Sex", kAdultSexes);
  std::vector<int64_t> suspects;
  if (!src.networks.priority_model.empty()) {
    for (const store::PersonPriority& p : src.networks.persons) {
      if (p.suspected_offender) suspects.push_back(p.person_id);
    }
  } else {
    for (const Person& p : src.persons) {
      if (p.person_of_concern) suspects.push_back(p.id);
    }
  }
  for (int64_t id : suspects) {
    if (!active_persons.contains(id)) continue;
    auto it = person_by_id.find(id);
    const Person* p = it == person_by_id.end() ? nullptr : it->second;
    ++off_age.counts[AdultAgeIndex(p ? p->dob : std::nullopt, period.to)];
    ++off_sex.counts[SexIndex(p ? p->sex : Sex::kUnknown)];
  }
  CountTableSpec networks =
      OneWay("networks_by_size", "networks", "Offender networks active in the period by number of suspected offenders",
             "Network size", kNetworkSizes);
  for (const store::StoredNetwork& n : src.networks.networks) {
    const bool active =
        std::any_of(n.offenders.begin(), n.offenders.end(), [&](int64_t id) { return active_persons.contains(id); });
    if (active) ++networks.counts[NetworkSizeIndex(n.offenders.size())];
  }

  // Places of concern seen in the period.
  std::vector<std::string> type_labels;
  const std::vector<PlaceType> types = {PlaceType::kChildrensHome,  PlaceType::kHotel,       PlaceType::kPark,
                                        PlaceType::kSupermarket,    PlaceType::kTakeaway,    PlaceType::kTaxiRank,
                                        PlaceType::kShoppingCentre, PlaceType::kResidential, PlaceType::kSchool,
                                        PlaceType::kOther};
  for (PlaceType t : types) {
    std::string label(Label(t));
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    type_labels.push_back(label);
  }
  CountTableSpec place_type = OneWay("places_by_type", "places_of_concern",
                                     "Places of concern seen in the period by type", "Type of place", type_labels);
  CountTableSpec place_district = OneWay("places_by_district", "places_of_concern",
                                         "Places of concern seen in the period by district", "District", kDistricts);
  std::unordered_map<int64_t, const Place*> place_by_id;
  for (const Place& p : src.places) place_by_id[p.id] = &p;
  for (const store::PlaceScore& s : src.networks.places) {
    if (!s.of_concern || !active_places.contains(s.place_id)) continue;
    auto it = place_by_id.find(s.place_id);
    if (it == place_by_id.end()) continue;
    ++place_type.counts[static_cast<size_t>(std::find(types.begin(), types.end(), it->second->type) - types.begin())];
    ++place_district.counts[DistrictIndex(it->second->district)];
  }

  // Events in the period, each real-world event counted once (its first record stands for it).
  const std::vector<Quarter> quarters = Quarters(period);
  std::vector<std::string> quarter_labels;
  for (const Quarter& q : quarters) quarter_labels.push_back(q.label);
  std::set<std::string> referring_codes;
  for (const store::EventRow& row : src.events) {
    if (row.event.kind == EventKind::kReferral) referring_codes.insert(row.agency_code);
  }
  std::vector<std::string> referring_agencies, referring_order;
  for (const Agency& a : src.agencies) {
    if (referring_codes.contains(a.code)) referring_order.push_back(a.code);
  }
  std::sort(referring_order.begin(), referring_order.end(), [&](const std::string& a, const std::string& b) {
    return std::make_pair(agency_by_code.at(a)->name, a) < std::make_pair(agency_by_code.at(b)->name, b);
  });
  for (const std::string& code : referring_order) referring_agencies.push_back(agency_by_code.at(code)->name);
  std::vector<std::string> disruption_labels;
  for (const auto& [code, label] : kDisruptions) disruption_labels.push_back(label);

  CountTableSpec missing =
      OneWay("missing_by_quarter", "missing_episodes", "Missing episodes by quarter", "Quarter", quarter_labels);
  CountTableSpec ref_agency =
      OneWay("referrals_by_agency", "referrals", "Referrals by agency", "Agency", referring_agencies);
  CountTableSpec ref_quarter =
      OneWay("referrals_by_quarter", "referrals", "Referrals by quarter", "Quarter", quarter_labels);
  CountTableSpec ref_grid =
      Cross("referrals_by_agency_quarter", "referrals", "Referrals by agency and quarter", ref_agency, ref_quarter);
  CountTableSpec dis_kind =
      OneWay("disruptions_by_kind", "disruptions", "Disruptions by kind", "Kind of disruption", disruption_labels);
  CountTableSpec dis_quarter =
      OneWay("disruptions_by_quarter", "disruptions", "Disruptions by quarter", "Quarter", quarter_labels);
  CountTableSpec dis_grid =
      Cross("disruptions_by_kind_quarter", "disruptions", "Disruptions by kind and quarter", dis_kind, dis_quarter);
  std::vector<std::string> record_agencies;
  std::vector<const Agency*> sorted_agencies;
  for (const Agency& a : src.agencies) sorted_agencies.push_back(&a);
  std::sort(sorted_agencies.begin(), sorted_agencies.end(), [](const Agency* a, const Agency* b) {
    return std::make_pair(a->name, a->code) < std::make_pair(b->name, b->code);
  });
  std::unordered_map<std::string, size_t> record_index;
  for (const Agency* a : sorted_agencies) {
    record_index[a->code] = record_agencies.size();
    record_agencies.push_back(a->name);
    out.link_rates.push_back({a->name, 0, 0});
  }
  CountTableSpec records = OneWay("records_by_agency", "agency_records",
                                  "Agency records of events in the period by agency", "Agency", record_agencies);

  // The disruption tracker: entries issued in the period (hand-entered and imported), those in force on its last
  // day, and breaches dated in it. A police disruption event the tracker holds is counted once, from the tracker.
  CountTableSpec in_force = OneWay("disruptions_in_force", "disruptions_in_force",
                                   "Disruption orders and notices in force on the period's last day by kind",
                                   "Kind of disruption", disruption_labels);
  CountTableSpec breaches = OneWay("disruption_breaches", "disruption_breaches",
                                   "Breaches of disruption orders and notices recorded in the period by kind",
                                   "Kind of disruption", disruption_labels);
  std::unordered_set<int64_t> tracked_events;
  for (const store::DisruptionRecord& d : src.disruptions) {
    if (d.source_event_id) tracked_events.insert(d.source_event_id);
    const size_t k = DisruptionIndex(d.kind);
    if (k == std::string::npos) continue;
    if (in_period(d.issued)) {
      const size_t q = QuarterIndex(quarters, d.issued);
      ++dis_kind.counts[k];
      ++dis_quarter.counts[q];
      ++dis_grid.counts[k * dis_grid.columns + q];
    }
    // In force on the last day: issued by then, not expired by then, and active then (a status other than
    // active counts from the day it was last changed).
    const std::optional<Date> changed = DayOf(d.updated_at);
    const bool active_then = d.status == "active" || (changed && *changed > period.to);
    if (d.issued <= period.to && (!d.expires || *d.expires >= period.to) && active_then) ++in_force.counts[k];
    for (const store::DisruptionBreach& b : d.breaches) breaches.counts[k] += in_period(b.date);
  }

  // MASE and practice actions open at some time in the period: their state on its last day. A closed action's
  // closing day is the day it was last changed.
  CountTableSpec action_state =
      OneWay("actions_by_state", "actions", "MASE and practice actions open during the period: taken and outstanding",
             "State on the period's last day", kActionStates);
  CountTableSpec action_owner =
      OneWay("actions_by_owner", "actions", "MASE and practice actions open during the period by the owner's agency",
             "Owner's agency", kFirstAgency);
  CountTableSpec action_link =
      OneWay("actions_by_subject", "actions", "MASE and practice actions open during the period by what they are about",
             "About", kActionLinks);
  for (const store::ActionRecord& a : src.actions) {
    const std::optional<Date> created = DayOf(a.created_at);
    if (created && *created > period.to) continue;
    const std::optional<Date> changed = DayOf(a.updated_at);
    const bool closed_by_end = a.status != "open" && (!changed || *changed <= period.to);
    if (closed_by_end && changed && *changed < period.from) continue;  // closed before the period
    size_t state = a.due < period.to ? 2 : 1;
    if (closed_by_end) state = a.status == "done" ? 0 : 3;
    ++action_state.counts[state];
    auto owner = agency_by_code.find(a.owner_agency);
    ++action_owner.counts[owner == agency_by_code.end() ? 5 : AgencyKindIndex(owner->second->kind)];
    ++action_link.counts[ActionLinkIndex(a.link_kind)];
  }

  std::unordered_set<int64_t> seen_events;
  for (const store::EventRow& row : src.events) {
    if (!in_period(row.event.date)) continue;
    ++out.source_events;
    if (auto it = record_index.find(row.agency_code); it != record_index.end()) {
      ++records.counts[it->second];
      AgencyLinkRate& rate = out.link_rates[it->second];
      ++rate.records;
      auto others = agencies_of_person.find(row.subject_person_id);
      rate.linked += others != agencies_of_person.end() && others->second.size() > 1;
    }
    if (!seen_events.insert(row.resolved_event_id).second) continue;
    ++out.resolved_events;
    const size_t q = QuarterIndex(quarters, row.event.date);
    if (row.event.kind == EventKind::kMissingEpisode) ++missing.counts[q];
    if (row.event.kind == EventKind::kReferral) {
      const size_t a = static_cast<size_t>(std::find(referring_order.begin(), referring_order.end(), row.agency_code) -
                                           referring_order.begin());
      if (a == referring_order.size()) continue;  // an agency the store no longer lists: in no table at all
      ++ref_agency.counts[a];
      ++ref_quarter.counts[q];
      ++ref_grid.counts[a * ref_grid.columns + q];
    }
    if (row.event.kind == EventKind::kDisruption && !tracked_events.contains(row.event.id)) {
      const size_t k = DisruptionIndex(row.event.category);
      if (k != std::string::npos) {
        ++dis_kind.counts[k];
        ++dis_quarter.counts[q];
        ++dis_grid.counts[k * dis_grid.columns + q];
      }
    }
  }

  const int64_t before_total = static_cast<int64_t>(before.on_radar.size());
  out.input.tables = {level,    district,   grid,         age,          sex,         ethnicity,   care,
                      first,    cases,      off_age,      off_sex,      networks,    place_type,  place_district,
                      missing,  ref_agency, ref_quarter,  ref_grid,     dis_kind,    dis_quarter, dis_grid,
                      in_force, breaches,   action_state, action_owner, action_link, records};
  // What a reader of both periods knows: new + still on = on the radar now; still on + no longer on = on the
  // radar at the previous period's end (that period's headline).
  out.input.relations.push_back(
      {{{{"radar_cases", 0}, 1}, {{"radar_cases", 1}, 1}, {{"radar_by_level", -1}, -1}}, 0, 0});
  out.input.relations.push_back({{{{"radar_cases", 1}, 1}, {{"radar_cases", 2}, 1}}, before_total, before_total});
  out.input.always_shown = {kRadarPopulation};
  return out;
}

std::vector<ProfileSection> Sections() {
  return {
      {"radar",
       "Children on the risk radar",
       "Children whose newest assessment on or before the period's last day placed them at risk of sexual "
       "exploitation, by level of risk and by who they are.",
       {"radar_by_level", "radar_by_district", "radar_by_district_level", "radar_by_age", "radar_by_sex",
        "radar_by_ethnicity", "radar_by_looked_after", "radar_by_first_agency"},
       {"radar_by_level", "radar_by_age"},
       "radar_by_district"},
      {"cases",
       "New, continuing and ceased cases",
       "Children on the radar at the period's end compared with the radar at the previous period's end.",
       {"radar_cases"},
       {},
       ""},
      {"offenders",
       "Suspected offenders and networks",
       "Suspected offenders (from the latest network analysis) with a record dated in the period, and the "
       "networks with at least one of them. Ages are on the period's last day.",
       {"offenders_by_age", "offenders_by_sex", "networks_by_size"},
       {"offenders_by_age"},
       ""},
      {"places",
       "Places of concern",
       "Places of concern (from the latest network analysis) with a record dated in the period. Places are not "
       "named in this report.",
       {"places_by_type", "places_by_district"},
       {"places_by_type"},
       "places_by_district"},
      {"activity",
       "Missing episodes and referrals",
       "Events dated in the period, quarter by quarter; an event two agencies recorded is counted once.",
       {"missing_by_quarter", "referrals_by_quarter", "referrals_by_agency", "referrals_by_agency_quarter"},
       {"missing_by_quarter", "referrals_by_quarter"},
       ""},
      {"disruption",
       "Disruptions by kind",
       "Orders and notices from the disruption tracker issued in the period (police disruption events are "
       "tracked when the practice stage runs; one not yet tracked is counted from the police record), those in "
       "force on the period's last day, and breaches recorded in the period.",
       {"disruptions_by_kind", "disruptions_by_quarter", "disruptions_by_kind_quarter", "disruptions_in_force",
        "disruption_breaches"},
       {"disruptions_by_kind", "disruptions_by_quarter"},
       ""},
      {"actions",
       "MASE actions taken and outstanding",
       "Actions agreed at MASE meetings or by practitioners (the action tracker) that were open at some time in "
       "the period: done or cancelled in it (the day an action was last changed counts as the day it closed), or "
       "still outstanding on its last day, and overdue when their due date was before that day.",
       {"actions_by_state", "actions_by_owner", "actions_by_subject"},
       {"actions_by_state"},
       ""},
      {"quality",
       "Data quality",
       "Records each agency sent with an event dated in the period, how many of them are about a person another "
       "agency also holds records on (the link rate), rows that could not be loaded and events after linkage.",
       {"records_by_agency"},
       {},
       ""},
  };
}

}  // namespace

ProfilePeriod PreviousPeriod(const ProfilePeriod& period) {
  return {period.from.AddDays(-period.Days()), period.from.AddDays(-1)};
}

Result<ProfileSource> ReadProfileSource(store::Store& store) {
  ProfileSource src;
  RR_ASSIGN_OR_RETURN(src.persons, store.ListPersons());
  RR_ASSIGN_OR_RETURN(src.assessments, store.ListAssessmentLevels());
  RR_ASSIGN_OR_RETURN(src.events, store.LoadEvents());
  RR_ASSIGN_OR_RETURN(src.agencies, store.ListAgencies());
  RR_ASSIGN_OR_RETURN(src.places, store.ListPlaces());
  auto networks = store.LoadNetworks();
  if (networks.ok()) {
    src.networks = std::move(*networks);
  } else if (networks.status().code() != StatusCode::kFailedPrecondition) {
    return networks.status();
  }
  RR_ASSIGN_OR_RETURN(auto counts, store.Counts());
  src.quarantined_rows = counts.quarantined;
  if (store::PracticeStore* practice = store::PracticeOf(store)) {
    RR_ASSIGN_OR_RETURN(src.actions, practice->ReadActions());
    RR_ASSIGN_OR_RETURN(src.disruptions, practice->ReadDisruptions());
  }
  return src;
}

ProfileFigures ComputeProfile(const ProfileSource& source, const std::string& partnership,
                              const ProfilePeriod& period) {
  ProfileFigures f;
  f.partnership = partnership;
  f.period = period;
  f.previous = PreviousPeriod(period);
  Computed now = ComputeTables(source, period);
  Computed before = ComputeTables(source, f.previous);
  f.radar_assessed_on = now.assessed_on;
  f.previous_radar_assessed_on = before.assessed_on;
  f.model_version = now.model_version;
  f.tables = std::move(now.input);
  f.previous_tables = std::move(before.input);
  f.sections = Sections();
  f.link_rates = std::move(now.link_rates);
  f.quarantined_rows = source.quarantined_rows;
  f.source_events = now.source_events;
  f.resolved_events = now.resolved_events;
  return f;
}

}  // namespace riskradar::report

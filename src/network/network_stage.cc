// The network stage: store -> the VOLT graph (AnalyseVolt) and the place ranking (RankPlaces) -> store.
#include "riskradar/network/network_stage.h"

#include "riskradar/network/network.h"
#include "riskradar/network/places.h"
#include "riskradar/network/volt.h"

namespace riskradar::network {
namespace {

bool IsAssociationEvent(EventKind kind) {
  switch (kind) {
    case EventKind::kSighting:
    case EventKind::kIntelligence:
    case EventKind::kPoliceIncident:
    case EventKind::kMissingEpisode:
    case EventKind::kDisruption:
    case EventKind::kArrest:
    case EventKind::kCharge:
      return true;
    case EventKind::kReferral:
    case EventKind::kHealthAttendance:
    case EventKind::kSchoolExclusion:
    case EventKind::kSchoolAbsence:
      return false;
  }
  return false;
}

// The place ranking's input: the networks' associations and, from the records, each child's own home or
// placement (where a missing episode was recorded: the place a child goes missing from), each place's
// district and the time of day of the events that give one.
PlaceInput BuildPlaceInput(const NetworkInput& input, const std::vector<Place>& places,
                           const std::vector<store::EventRow>& events) {
  PlaceInput out;
  out.associations = input.associations;
  out.children_on_radar = input.children_on_radar;
  out.persons_of_concern = input.persons_of_concern;
  out.place_types = input.place_types;
  for (const Place& p : places) out.place_districts[p.id] = p.district;
  for (const auto& row : events) {
    if (row.event.minute_of_day) out.event_minutes[row.event.id] = *row.event.minute_of_day;
    if (row.event.kind == EventKind::kMissingEpisode && row.place_id != 0 && row.subject_person_id != 0)
      out.homes[row.subject_person_id].insert(row.place_id);
  }
  return out;
}

}  // namespace

Result<NetworkStageReport> RunNetworkStage(store::Store& store, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto persons, store.ListPersons());
  RR_ASSIGN_OR_RETURN(auto places, store.ListPlaces());
  RR_ASSIGN_OR_RETURN(auto events, store.LoadEvents());
  RR_ASSIGN_OR_RETURN(auto assessments, store.LatestAssessments());
  if (assessments.empty())
    return Status::FailedPrecondition("no assessments in the store: run `riskradar assess` first");

  NetworkInput input;
  for (const Person& p : persons) {
    if (p.person_of_concern) input.persons_of_concern.insert(p.id);
  }
  for (const Assessment& a : assessments) {
    const RiskLevel level = a.override_level.value_or(a.level);
    if (level != RiskLevel::kNoCurrentRisk) input.children_on_radar.insert(a.person_id);
  }
  for (const Place& p : places) input.place_types[p.id] = p.type;
  for (const auto& row : events) {
    // Only events that put people together or at a place in the course of
    // exploitation or its policing are associations. A school census row names
    // the pupil's own school and a health attendance the hospital: neither is
    // a place of concern because at-risk children are recorded there.
    if (!IsAssociationEvent(row.event.kind)) continue;
    if (row.associate_person_id == 0 && row.place_id == 0) continue;
    if (row.subject_person_id == 0) continue;
    Association a;
    a.event_id = row.event.id;
    a.person_id = row.subject_person_id;
    a.other_person_id = row.associate_person_id;
    a.place_id = row.place_id;
    a.date = row.event.date;
    input.associations.push_back(a);
  }
  const PlaceInput place_input = BuildPlaceInput(input, places, events);
  const std::vector<PlaceRank> place_ranks = RankPlaces(place_input);
  const std::vector<int64_t> places_of_concern = PlacesOfConcern(place_ranks);

  // The VOLT graph: networks as Leiden communities, per-person measures and the priority score (volt.h).
  VoltInput volt;
  volt.associations = input.associations;
  volt.persons_of_concern = input.persons_of_concern;
  for (const Assessment& a : assessments) {
    const RiskLevel level = a.override_level.value_or(a.level);
    if (level != RiskLevel::kNoCurrentRisk) volt.children_on_radar[a.person_id] = level;
  }
  for (const auto& row : events) {
    for (const int64_t person : {row.subject_person_id, row.associate_person_id}) {
      if (person != 0 && input.persons_of_concern.contains(person)) {
        volt.person_events.push_back({person, row.event.id, row.event.kind, row.event.category, row.event.date});
      }
    }
  }
  VoltOptions volt_options;
  RR_ASSIGN_OR_RETURN(volt_options.model, VoltModel::Default());
  RR_ASSIGN_OR_RETURN(const VoltResult graph, AnalyseVolt(volt, volt_options));

  store::NetworkOutput out;
  NetworkStageReport report;
  for (const Network& n : graph.networks) {
    out.networks.push_back({n.id, n.offenders, n.children, n.places});
    report.persons_of_concern_in_networks += static_cast<int64_t>(n.offenders.size());
  }
  out.priority_model = volt_options.model.version;
  out.edges.reserve(graph.edges.size());
  for (const VoltEdge& e : graph.edges) {
    out.edges.push_back({std::string(ToString(e.kind)), e.a, e.b, e.occasions, e.weight, e.first_seen, e.last_seen});
  }
  for (const PersonMeasures& m : graph.persons) {
    store::PersonPriority p;
    p.person_id = m.person_id;
    p.network_id = m.network_id;
    p.role = m.role;
    p.priority = m.priority;
    p.suspected_offender = m.suspected_offender;
    p.children_linked = m.children_linked;
    p.children_serious = m.children_serious;
    p.children_significant = m.children_significant;
    p.children_at_risk = m.children_at_risk;
    p.contacts = m.contacts;
    p.co_offenders = m.co_offenders;
    p.degree = m.degree;
    p.places = m.places;
    p.disruptions = m.disruptions;
    p.betweenness = m.betweenness;
    p.last_contact = m.last_contact;
    p.reasons = m.reasons;
    report.suspected_offenders += m.suspected_offender;
    out.persons.push_back(std::move(p));
  }
  std::unordered_set<int64_t> concern(places_of_concern.begin(), places_of_concern.end());
  for (const PlaceRank& p : place_ranks) {
    store::PlaceScore s;
    s.place_id = p.place_id;
    s.children_at_risk = p.children_at_risk;
    s.persons_of_concern = p.persons_of_concern;
    s.events = p.events;
    s.score = p.score;
    s.of_concern = concern.count(p.place_id) > 0;
    s.reasons = p.reasons;
    s.profile.by_weekday = p.profile.by_weekday;
    s.profile.by_hour = p.profile.by_hour;
    s.profile.occasions = p.profile.occasions;
    s.profile.timed = p.profile.timed;
    s.profile.last_quarter = p.last_quarter;
    s.profile.previous_quarter = p.previous_quarter;
    s.profile.trend = std::string(ToString(p.trend));
    s.profile.context_children = p.context_children;
    out.places.push_back(std::move(s));
  }
  out.lone_offenders = static_cast<int64_t>(graph.lone_offenders.size());
  report.networks = static_cast<int64_t>(out.networks.size());
  report.lone_offenders = out.lone_offenders;
  report.places_of_concern = static_cast<int64_t>(concern.size());
  RR_RETURN_IF_ERROR(store.SaveNetworks(out, actor));
  return report;
}

}  // namespace riskradar::network

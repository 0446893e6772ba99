// The practice stage's adapters: practitioner alerts after imports and stages, and police disruption events as
// tracker entries. Each reads through the store contracts and writes through PracticeStore with one run event.
#include <algorithm>
#include <set>

#include "riskradar/practice/practice.h"

namespace riskradar::practice {

Result<AlertStageSummary> RunAlertStage(store::Store& store, Date today, const AlertOptions& options,
                                        const store::Actor& actor) {
  store::PracticeStore* ps = store::PracticeOf(store);
  if (ps == nullptr) return Status::FailedPrecondition("this store has no practice workflow tables");
  AlertStageSummary summary;
  RR_ASSIGN_OR_RETURN(const std::string baseline_text, ps->ReadAlertBaseline());
  RR_ASSIGN_OR_RETURN(const AlertBaseline before, BaselineFromJson(baseline_text));
  summary.baseline_was_set = before.set;

  AlertInputs in;
  RR_ASSIGN_OR_RETURN(in.radar, ps->LoadRadarFacts());
  RR_ASSIGN_OR_RETURN(const std::vector<store::EventRow> events, store.LoadEvents());
  // Before the first network run there are no persons or places of concern from it (FailedPrecondition).
  store::NetworkOutput networks;
  if (auto loaded = store.LoadNetworks(); loaded.ok()) {
    networks = std::move(*loaded);
  } else if (loaded.status().code() != StatusCode::kFailedPrecondition) {
    return loaded.status();
  }
  std::set<int64_t> children, of_concern, places_of_concern;
  for (const auto& f : in.radar) {
    if (f.is_child && f.level && *f.level >= RiskLevel::kAtRisk) children.insert(f.person_id);
    if (f.person_of_concern && !f.is_child) of_concern.insert(f.person_id);
  }
  for (const auto& p : networks.persons) {
    if (p.suspected_offender) of_concern.insert(p.person_id);
  }
  for (const auto& p : networks.places) {
    if (p.of_concern) places_of_concern.insert(p.place_id);
  }
  for (const auto& e : events) {
    in.max_event_id = std::max(in.max_event_id, e.event.id);
    if (e.event.kind == EventKind::kMissingEpisode && e.subject_person_id != 0 && e.event.id > before.event_watermark) {
      in.missing.push_back(
          {e.event.id, e.resolved_event_id != 0 ? e.resolved_event_id : e.event.id, e.subject_person_id, e.event.date});
    }
    if (!children.count(e.subject_person_id)) continue;
    if (e.associate_person_id != 0 && of_concern.count(e.associate_person_id)) {
      in.links.push_back({e.subject_person_id, e.associate_person_id, false, e.event.id});
    }
    if (e.place_id != 0 && places_of_concern.count(e.place_id)) {
      in.links.push_back({e.subject_person_id, e.place_id, true, e.event.id});
    }
  }
  RR_ASSIGN_OR_RETURN(in.actions, ps->ReadActions());
  RR_ASSIGN_OR_RETURN(in.disruptions, ps->ReadDisruptions());
  RR_ASSIGN_OR_RETURN(in.holders, ps->ReadRelationshipHolders());
  std::stable_sort(in.holders.begin(), in.holders.end(),
                   [](const auto& a, const auto& b) { return a.person_id < b.person_id; });
  RR_ASSIGN_OR_RETURN(const std::vector<store::User> users, store.ReadUserRows());
  for (const auto& u : users) {
    if (!u.disabled) in.users.push_back({u.name, u.agency_code, u.role});
  }

  AlertDerivation derived = DeriveAlerts(before, in, today, options);
  // Review overdue: the next-review date the latest assessment of each child on the radar carries (read with
  // the radar's facts, not by a second read of every assessment).
  for (const store::RadarFact& f : in.radar) {
    if (!f.next_review || !children.count(f.person_id)) continue;
    if (auto alert = ReviewOverdueAlert(f.person_id, f.assessment_id, *f.next_review, today, in))
      derived.alerts.push_back(std::move(*alert));
  }
  summary.drafted = static_cast<int64_t>(derived.alerts.size());
  RR_ASSIGN_OR_RETURN(summary.raised, ps->SaveAlerts(derived.alerts, BaselineToJson(derived.baseline), actor));
  return summary;
}

Result<int64_t> ImportDisruptions(store::Store& store, const store::Actor& actor) {
  store::PracticeStore* ps = store::PracticeOf(store);
  if (ps == nullptr) return Status::FailedPrecondition("this store has no practice workflow tables");
  RR_ASSIGN_OR_RETURN(const std::vector<store::EventRow> events, store.LoadEvents());
  std::vector<store::DisruptionRecord> tracked;
  for (const auto& e : events) {
    if (auto d = DisruptionFromEvent(e)) tracked.push_back(std::move(*d));
  }
  return ps->ImportDisruptionEvents(tracked, actor);
}

}  // namespace riskradar::practice

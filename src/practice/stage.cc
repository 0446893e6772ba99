// The practice stage's adapters: practitioner alerts after imports and stages, and police disruption events as
// tracker entries. Each reads through the store contracts and writes through PracticeStore with one run event;
// the rules (who is watched, what the events show, which alerts) are the pure functions of rules.cc.
#include <algorithm>
#include <utility>

#include "riskradar/practice/practice.h"

namespace riskradar::practice {
namespace {

// What the alert stage reads before the events: the last run's baseline, the radar and who is watched.
struct AlertReads {
  AlertBaseline before;
  AlertInputs in;
  ConcernSets concern;
};

Result<AlertReads> ReadBeforeEvents(store::Store& store, store::PracticeStore& ps) {
  AlertReads r;
  RR_ASSIGN_OR_RETURN(const std::string baseline_text, ps.ReadAlertBaseline());
  RR_ASSIGN_OR_RETURN(r.before, BaselineFromJson(baseline_text));
  RR_ASSIGN_OR_RETURN(r.in.radar, ps.LoadRadarFacts());
  // Before the first network run there are no persons or places of concern from it (FailedPrecondition).
  store::NetworkOutput networks;
  if (auto loaded = store.LoadNetworks(); loaded.ok()) {
    networks = std::move(*loaded);
  } else if (loaded.status().code() != StatusCode::kFailedPrecondition) {
    return loaded.status();
  }
  r.concern = ConcernSetsOf(r.in.radar, networks);
  return r;
}

// The rest of the alert stage once the events' facts are known: the workflow's state and the accounts, the
// alerts derived, saved with the new baseline and one "raise_alerts" event.
Result<AlertStageSummary> RaiseAlerts(store::Store& store, store::PracticeStore& ps, AlertReads r, EventFacts facts,
                                      Date today, const AlertOptions& options, const store::Actor& actor) {
  AlertStageSummary summary;
  summary.baseline_was_set = r.before.set;
  AlertInputs& in = r.in;
  in.max_event_id = facts.max_event_id;
  in.missing = std::move(facts.missing);
  in.links = std::move(facts.links);
  RR_ASSIGN_OR_RETURN(in.actions, ps.ReadActions());
  RR_ASSIGN_OR_RETURN(in.disruptions, ps.ReadDisruptions());
  RR_ASSIGN_OR_RETURN(in.holders, ps.ReadRelationshipHolders());
  std::stable_sort(in.holders.begin(), in.holders.end(),
                   [](const auto& a, const auto& b) { return a.person_id < b.person_id; });
  RR_ASSIGN_OR_RETURN(const std::vector<store::User> users, store.ReadUserRows());
  for (const auto& u : users) {
    if (!u.disabled) in.users.push_back({u.name, u.agency_code, u.role});
  }

  AlertDerivation derived = DeriveAlerts(r.before, in, today, options);
  // Review overdue: the next-review date the latest assessment of each child on the radar carries (read with
  // the radar's facts, not by a second read of every assessment).
  for (const store::RadarFact& f : in.radar) {
    if (!f.next_review || !r.concern.children.count(f.person_id)) continue;
    if (auto alert = ReviewOverdueAlert(f.person_id, f.assessment_id, *f.next_review, today, in))
      derived.alerts.push_back(std::move(*alert));
  }
  summary.drafted = static_cast<int64_t>(derived.alerts.size());
  RR_ASSIGN_OR_RETURN(summary.raised, ps.SaveAlerts(derived.alerts, BaselineToJson(derived.baseline), actor));
  return summary;
}

Result<store::PracticeStore*> PracticeStoreOf(store::Store& store) {
  store::PracticeStore* ps = store::PracticeOf(store);
  if (ps == nullptr) return Status::FailedPrecondition("this store has no practice workflow tables");
  return ps;
}

}  // namespace

Result<AlertStageSummary> RunAlertStage(store::Store& store, Date today, const AlertOptions& options,
                                        const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(store::PracticeStore* const ps, PracticeStoreOf(store));
  RR_ASSIGN_OR_RETURN(AlertReads reads, ReadBeforeEvents(store, *ps));
  RR_ASSIGN_OR_RETURN(const std::vector<store::EventRow> events, store.LoadEvents());
  EventFacts facts = EventFactsOf(events, reads.before.event_watermark, reads.concern);
  return RaiseAlerts(store, *ps, std::move(reads), std::move(facts), today, options, actor);
}

Result<int64_t> ImportDisruptions(store::Store& store, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(store::PracticeStore* const ps, PracticeStoreOf(store));
  RR_ASSIGN_OR_RETURN(const std::vector<store::EventRow> events, store.LoadEvents());
  std::vector<store::DisruptionRecord> tracked;
  for (const auto& e : events) {
    if (auto d = DisruptionFromEvent(e)) tracked.push_back(std::move(*d));
  }
  return ps->ImportDisruptionEvents(tracked, actor);
}

Result<PracticeStageSummary> RunPracticeStage(store::Store& store, Date today, const AlertOptions& options,
                                              const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(store::PracticeStore* const ps, PracticeStoreOf(store));
  // The alert stage's reads come first; tracking the disruptions changes none of them (only the disruptions,
  // which RaiseAlerts reads after the import, as when the two halves ran one after the other).
  RR_ASSIGN_OR_RETURN(AlertReads reads, ReadBeforeEvents(store, *ps));
  EventFacts facts;
  {
    RR_ASSIGN_OR_RETURN(const std::vector<store::EventRow> events, store.LoadEvents());
    facts = EventFactsOf(events, reads.before.event_watermark, reads.concern);
  }  // the events' rows are freed before the alerts are derived
  PracticeStageSummary summary;
  RR_ASSIGN_OR_RETURN(summary.disruptions_tracked, ps->ImportDisruptionEvents(facts.disruptions, actor));
  RR_ASSIGN_OR_RETURN(summary.alerts,
                      RaiseAlerts(store, *ps, std::move(reads), std::move(facts), today, options, actor));
  return summary;
}

}  // namespace riskradar::practice

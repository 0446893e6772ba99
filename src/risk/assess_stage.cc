// The assess stage: events per child -> screening model -> stored assessments.
#include "riskradar/risk/assess_stage.h"

#include "riskradar/risk/judgement.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace riskradar::risk {

Result<Date> NewestEventDate(store::Store& store) {
  RR_ASSIGN_OR_RETURN(auto events, store.LoadEvents());
  if (events.empty()) return Status::FailedPrecondition("the store holds no events: import agency extracts first");
  Date newest = events.front().event.date;
  for (const auto& e : events) newest = std::max(newest, e.event.date);
  return newest;
}

namespace {

// Each child's facts (one per resolved event) from the store's bulk rows; `only` > 0 keeps that child alone.
std::unordered_map<int64_t, ChildFacts> GatherFacts(const std::vector<Person>& persons,
                                                    const std::vector<Place>& places,
                                                    const std::vector<store::EventRow>& events, Date as_of,
                                                    int64_t only) {
  std::unordered_map<int64_t, PlaceType> place_type;
  for (const Place& p : places) place_type[p.id] = p.type;
  std::unordered_set<int64_t> of_concern;
  std::unordered_map<int64_t, ChildFacts> children;
  for (const Person& p : persons) {
    if (p.person_of_concern) of_concern.insert(p.id);
    if (!p.is_child || (only > 0 && p.id != only)) continue;
    ChildFacts& facts = children[p.id];
    facts.person_id = p.id;
    facts.dob = p.dob;
    facts.sex = p.sex;
  }
  // One fact per resolved event (event linkage): the first record of an event (by id) carries it; the others
  // join it as evidence, with the earliest date and any place or person of concern they add.
  std::unordered_map<int64_t, std::pair<int64_t, size_t>> fact_of;  // resolved event -> (child, index)
  for (const auto& row : events) {
    auto it = children.find(row.subject_person_id);
    if (it == children.end()) continue;
    if (row.event.date > as_of) continue;  // screening sees only what was known on the day
    const int64_t resolved = row.resolved_event_id != 0 ? row.resolved_event_id : row.event.id;
    std::optional<PlaceType> row_place;
    if (row.place_id) {
      auto pt = place_type.find(row.place_id);
      if (pt != place_type.end()) row_place = pt->second;
    }
    const bool row_concern = row.associate_person_id != 0 && (row.associate_role == PersonRole::kPersonOfConcern ||
                                                              of_concern.count(row.associate_person_id) > 0);
    auto joined = fact_of.find(resolved);
    if (joined != fact_of.end() && joined->second.first == row.subject_person_id) {
      EventFact& fact = it->second.events[joined->second.second];
      it->second.merged_event_ids[fact.event_id].push_back(row.event.id);
      fact.date = std::min(fact.date, row.event.date);
      if (!fact.place_type) fact.place_type = row_place;
      fact.with_person_of_concern = fact.with_person_of_concern || row_concern;
      continue;
    }
    fact_of[resolved] = {row.subject_person_id, it->second.events.size()};
    EventFact fact;
    fact.event_id = row.event.id;
    fact.kind = row.event.kind;
    fact.category = row.event.category;
    fact.date = row.event.date;
    fact.agency = row.agency_code;
    fact.place_type = row_place;
    fact.with_person_of_concern = row_concern;
    it->second.events.push_back(std::move(fact));
  }

  return children;
}

}  // namespace

Result<std::optional<ChildFacts>> GatherChildFacts(store::Store& store, int64_t person_id, Date as_of) {
  RR_ASSIGN_OR_RETURN(auto persons, store.ListPersons());
  RR_ASSIGN_OR_RETURN(auto places, store.ListPlaces());
  RR_ASSIGN_OR_RETURN(auto events, store.LoadEvents());
  auto children = GatherFacts(persons, places, events, as_of, person_id);
  auto it = children.find(person_id);
  if (it == children.end()) return std::optional<ChildFacts>();
  return std::optional<ChildFacts>(std::move(it->second));
}

Result<AssessStageReport> RunAssessStage(store::Store& store, const ScreeningModel& model, Date as_of,
                                         const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto persons, store.ListPersons());
  if (persons.empty()) return Status::FailedPrecondition("no resolved people in the store: run `riskradar link` first");
  RR_ASSIGN_OR_RETURN(auto places, store.ListPlaces());
  RR_ASSIGN_OR_RETURN(auto events, store.LoadEvents());
  auto children = GatherFacts(persons, places, events, as_of, 0);
  // An override stays until its review date or a new override (risk/judgement.h CarryOverride).
  RR_ASSIGN_OR_RETURN(const std::vector<Assessment> previous, store.LatestAssessments());
  std::unordered_map<int64_t, const Assessment*> previous_of;
  for (const Assessment& a : previous) previous_of[a.person_id] = &a;

  AssessStageReport report;
  report.as_of = as_of;
  report.model_version = model.version();
  std::vector<Assessment> assessments;
  assessments.reserve(children.size());
  for (const Person& p : persons) {
    auto it = children.find(p.id);
    if (it == children.end()) continue;
    Assessment a = model.Assess(it->second, as_of);
    a.person_id = p.id;
    a.as_of = as_of;
    auto before = previous_of.find(p.id);
    if (CarryOverride(before == previous_of.end() ? nullptr : before->second, a, model.review())) {
      ++report.overrides_kept;
    }
    ++report.by_level[a.level];
    assessments.push_back(std::move(a));
  }
  report.children_assessed = static_cast<int64_t>(assessments.size());
  RR_RETURN_IF_ERROR(store.SaveAssessments(assessments, actor));
  return report;
}

}  // namespace riskradar::risk

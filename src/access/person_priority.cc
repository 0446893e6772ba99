// The offender priority under need-to-know (see person_priority.h).
#include "riskradar/access/person_priority.h"

#include <fmt/format.h>

#include "riskradar/access/directory_filters.h"

namespace riskradar::access {

std::optional<PersonPriorityView> FilterPersonPriority(const store::PersonRecord& record, const Viewer& viewer,
                                                       const ChildAccessFacts& facts,
                                                       const std::optional<store::PersonPriority>& priority) {
  const std::optional<store::PersonView> visible = FilterPersonView(record, viewer, facts);
  if (!visible) return std::nullopt;
  PersonPriorityView view;
  view.person = visible->person;
  view.access_basis = visible->access_basis;
  view.records_shown = static_cast<int>(visible->records.size());
  view.breakdown_complete = visible->records.size() == record.mentions.size();
  if (priority) {
    store::PersonPriority shown;
    shown.person_id = priority->person_id;
    shown.network_id = priority->network_id;
    shown.role = priority->role;
    shown.priority = priority->priority;
    shown.suspected_offender = priority->suspected_offender;
    if (view.breakdown_complete) shown = *priority;
    view.priority = shown;
  }
  return view;
}

nlohmann::json PersonPriorityJson(const PersonPriorityView& view) {
  nlohmann::json out = {{"person", view.person.id},
                        {"name", view.person.display_name},
                        {"records_shown", view.records_shown},
                        {"access_basis", view.access_basis},
                        {"breakdown_complete", view.breakdown_complete}};
  if (!view.priority) {
    out["priority"] = nullptr;
    return out;
  }
  const store::PersonPriority& p = *view.priority;
  nlohmann::json priority = {{"score", p.priority},
                             {"suspected_offender", p.suspected_offender},
                             {"network", p.network_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(p.network_id)},
                             {"role", p.role}};
  if (view.breakdown_complete) {
    priority["measures"] = {{"children_linked", p.children_linked},
                            {"children_serious", p.children_serious},
                            {"children_significant", p.children_significant},
                            {"children_at_risk", p.children_at_risk},
                            {"contacts", p.contacts},
                            {"co_offenders", p.co_offenders},
                            {"degree", p.degree},
                            {"places", p.places},
                            {"disruptions", p.disruptions},
                            {"betweenness", p.betweenness},
                            {"last_contact", p.last_contact ? nlohmann::json(p.last_contact->ToIso()) : nullptr}};
    priority["reasons"] = p.reasons;
  }
  out["priority"] = std::move(priority);
  return out;
}

std::string PersonPriorityText(const PersonPriorityView& view) {
  std::string out = fmt::format("Person {} {}\n", view.person.id, view.person.display_name);
  if (!view.priority) return out + "  no offender priority in the latest network run (not a person of concern)\n";
  const store::PersonPriority& p = *view.priority;
  out += fmt::format(
      "  priority {:g}: {}; {}\n", p.priority,
      p.suspected_offender ? "suspected offender" : "below the suspected-offender score",
      p.network_id == 0 ? std::string("in no network") : fmt::format("{} of network {}", p.role, p.network_id));
  if (!view.breakdown_complete) {
    return out + fmt::format(
                     "  the breakdown is withheld: {} of this person's records are visible to you, and it summarises "
                     "them all\n",
                     view.records_shown);
  }
  out += fmt::format(
      "  measures: {} children on the radar linked (serious {}, significant {}, at risk {}), {} occasions with "
      "them, last {}; {} co-offenders, degree {}, betweenness {:.2f}, {} places, {} disruptions\n",
      p.children_linked, p.children_serious, p.children_significant, p.children_at_risk, p.contacts,
      p.last_contact ? p.last_contact->ToIso() : "never", p.co_offenders, p.degree, p.betweenness, p.places,
      p.disruptions);
  out += "  why:\n";
  for (const std::string& reason : p.reasons) out += "    - " + reason + "\n";
  return out;
}

}  // namespace riskradar::access

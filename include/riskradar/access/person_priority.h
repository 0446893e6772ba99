// A person of concern's offender priority (network/volt.h) under need-to-know: the pure filter, and the one
// structure `riskradar explain person` prints (text or JSON). The audited read is
// AuditedAccess::ReadPersonPriority.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

struct PersonPriorityView {
  Person person;  // the identity from the viewer's visible records (VisibleIdentity)
  std::vector<std::string> access_basis;
  int records_shown = 0;  // visible records of the person
  // The latest network run's row: the score, the suspected-offender flag, the network and role always (as a
  // child's level is shown); the measures and the reason lines only when `breakdown_complete`.
  std::optional<store::PersonPriority> priority;
  // Every record of the person is visible to the viewer. The measures and reasons summarise all of them (an
  // intelligence report of another agency, the children seen with the person), so otherwise they are withheld.
  bool breakdown_complete = false;
};

// What `viewer` may see of `record`'s priority: nullopt when no record of the person is visible (a refusal,
// answered like a missing person). Pure: no store, no audit.
std::optional<PersonPriorityView> FilterPersonPriority(const store::PersonRecord& record, const Viewer& viewer,
                                                       const ChildAccessFacts& facts,
                                                       const std::optional<store::PersonPriority>& priority);

nlohmann::json PersonPriorityJson(const PersonPriorityView& view);
std::string PersonPriorityText(const PersonPriorityView& view);

}  // namespace riskradar::access

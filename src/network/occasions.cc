#include "occasions.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace riskradar::network::internal {

std::vector<Occasion> GroupOccasions(const std::vector<Association>& associations) {
  std::map<int64_t, Occasion> by_event;
  std::vector<Occasion> out;
  for (const Association& a : associations) {
    Occasion* occasion;
    if (a.event_id != 0) {
      auto [it, inserted] = by_event.try_emplace(a.event_id);
      occasion = &it->second;
      if (inserted) {
        occasion->event_id = a.event_id;
        occasion->date = a.date;
      }
      occasion->date = std::max(occasion->date, a.date);
    } else {
      out.emplace_back();
      occasion = &out.back();
      occasion->date = a.date;
    }
    if (a.person_id != 0) occasion->persons.insert(a.person_id);
    if (a.other_person_id != 0) occasion->persons.insert(a.other_person_id);
    if (a.place_id != 0) occasion->places.insert(a.place_id);
  }
  for (auto& [event_id, occasion] : by_event) out.push_back(std::move(occasion));
  return out;
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace riskradar::network::internal

// Internal to the network stage: grouping associations into occasions (everyone present at one event), shared
// by the VOLT graph (volt.cc) and the place ranking (places.cc), and the wording both explanations use.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/network/network.h"

namespace riskradar::network::internal {

// "1 child", "3 children": a count with its noun, for explanations.
std::string Plural(int n, std::string_view one, std::string_view many);

// Everyone present at one occasion (an event, or one association without an event id).
struct Occasion {
  int64_t event_id = 0;  // 0: an association without an event id
  std::set<int64_t> persons;
  std::set<int64_t> places;
  Date date;
};

// Associations sharing a non-zero event id are one occasion, dated by the latest of them; each association
// without an event id is an occasion of its own.
std::vector<Occasion> GroupOccasions(const std::vector<Association>& associations);

}  // namespace riskradar::network::internal

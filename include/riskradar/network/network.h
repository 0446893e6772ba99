// The network stage's shared vocabulary: who was seen with whom and where (associations), the input they come in,
// and an offender network. The VOLT graph that finds networks is volt.h; places are ranked in places.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"

namespace riskradar::network {

// One person seen in one event, optionally with another person and at a
// place: e.g. a sighting of child person_id with adult other_person_id at
// place_id. 0 means "none". Associations sharing an event_id (non-zero) are
// read as one occasion: everyone in them was together.
struct Association {
  int64_t event_id = 0;
  int64_t person_id = 0;
  int64_t other_person_id = 0;
  int64_t place_id = 0;
  Date date;
};

struct NetworkInput {
  std::vector<Association> associations;
  std::unordered_set<int64_t> children_on_radar;
  std::unordered_set<int64_t> persons_of_concern;
  std::unordered_map<int64_t, PlaceType> place_types;  // missing: kOther
};

struct Network {
  int32_t id = 0;                  // 1.. in output order (largest first)
  std::vector<int64_t> offenders;  // ascending
  std::vector<int64_t> children;   // children on the radar seen with its offenders, ascending
  std::vector<int64_t> places;     // where its offenders were seen, ascending
  std::vector<int64_t> event_ids;  // evidence, ascending
};

}  // namespace riskradar::network

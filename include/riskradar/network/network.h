// VOLT network analysis: offender networks linked through shared children and
// co-offending (places are ranked in places.h). Pure functions of
// their input; output order is deterministic.
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

struct NetworkOptions {
  // A group of persons of concern smaller than this is lone offenders, not a network.
  int min_offenders = 2;
  // Children on the radar always link the offenders seen with them; also
  // link through other persons (associates, children not on the radar)?
  bool link_through_persons_off_radar = false;

  // Being at the same place never links people by default: a busy hotel or
  // takeaway is visited by many unconnected people. When min_occasions > 0,
  // two persons of concern seen at the same place within window_days of each
  // other on at least that many distinct dates are linked (co-presence).
  int place_co_presence_min_occasions = 0;
  int place_co_presence_window_days = 0;
};

struct Network {
  int32_t id = 0;                  // 1.. in output order (largest first)
  std::vector<int64_t> offenders;  // ascending
  std::vector<int64_t> children;   // children on the radar seen with its offenders, ascending
  std::vector<int64_t> places;     // where its offenders were seen, ascending
  std::vector<int64_t> event_ids;  // evidence, ascending
};

struct NetworkResult {
  std::vector<Network> networks;        // largest first, then by lowest offender id
  std::vector<int64_t> lone_offenders;  // persons of concern in no network, ascending
};

NetworkResult AnalyseNetworks(const NetworkInput& input, const NetworkOptions& options = {});

}  // namespace riskradar::network

// VOLT network analysis: offender networks linked through shared children and
// co-offending, and places ranked by an explainable score. Pure functions of
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

  // A place is of concern when linked to >= min_offenders_with_child persons
  // of concern and >= min_children_with_offender children on the radar, or
  // to >= min_children children on the radar.
  int concern_min_offenders_with_child = 1;
  int concern_min_children_with_offender = 1;
  int concern_min_children = 2;

  // Place score weights; each part of the score is one reason line.
  double weight_child = 3;
  double weight_offender = 2;
  double weight_child_with_offender = 2;  // per occasion a child was seen with an offender here
  double weight_event = 0.25;
  double max_event_points = 5;
  double weight_recent = 2;  // once, if the place was seen within recent_days of as_of
  int recent_days = 90;
  std::optional<Date> as_of;  // default: the latest association date
};

struct Network {
  int32_t id = 0;                  // 1.. in output order (largest first)
  std::vector<int64_t> offenders;  // ascending
  std::vector<int64_t> children;   // children on the radar seen with its offenders, ascending
  std::vector<int64_t> places;     // where its offenders were seen, ascending
  std::vector<int64_t> event_ids;  // evidence, ascending
};

struct PlaceRank {
  int64_t place_id = 0;
  PlaceType type = PlaceType::kOther;
  int children_at_risk = 0;    // distinct children on the radar seen here
  int persons_of_concern = 0;  // distinct persons of concern seen here
  int events = 0;              // distinct events here
  double score = 0;
  std::vector<std::string> reasons;  // one per part of the score
  bool of_concern = false;
  Date last_seen;
};

struct NetworkResult {
  std::vector<Network> networks;           // largest first, then by lowest offender id
  std::vector<int64_t> lone_offenders;     // persons of concern in no network, ascending
  std::vector<PlaceRank> places;           // ranked, highest score first, then place id
  std::vector<int64_t> places_of_concern;  // in rank order
};

NetworkResult AnalyseNetworks(const NetworkInput& input, const NetworkOptions& options = {});

}  // namespace riskradar::network

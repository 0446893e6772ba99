// Places of concern: places ranked by an explainable score from who was seen
// there and when. A pure function of its input; output order is deterministic.
// Kept apart from the offender networks (network.h): places are never nodes of
// the network grouping, and their ranking has its own options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/network/network.h"

namespace riskradar::network {

struct PlaceInput {
  // Who was seen where and when; associations sharing an event id (non-zero)
  // are one occasion, as for the networks.
  std::vector<Association> associations;
  std::unordered_set<int64_t> children_on_radar;
  std::unordered_set<int64_t> persons_of_concern;
  std::unordered_map<int64_t, PlaceType> place_types;  // missing: kOther
};

struct PlaceOptions {
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

// Every place where a child on the radar or a person of concern was seen,
// highest score first, then by place id.
std::vector<PlaceRank> RankPlaces(const PlaceInput& input, const PlaceOptions& options = {});

// The ids of the ranked places that are of concern, in rank order.
std::vector<int64_t> PlacesOfConcern(const std::vector<PlaceRank>& ranks);

}  // namespace riskradar::network

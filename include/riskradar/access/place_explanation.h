// The explanation of a place's score as one viewer may see it (issue 12 item 6): the score and its breakdown
// (one reason a part), when the place is used (day of week and hour of day), whether it is emerging or
// declining quarter on quarter, its hotspot (the places of concern of its type in its district), and the
// people its records name that the viewer may see. Built by a pure function from an already filtered place
// view (FilterPlaceView) and the latest run's places of concern; `riskradar explain place` prints it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "riskradar/store/directory.h"

namespace riskradar::access {

struct PlaceHotspot {
  std::string type, district;
  int places_of_concern = 0;  // in the cell, this place included
  double score = 0;           // their summed scores
  int rank = 0;               // this place's rank among them, 1 = highest
  std::string peak_days, peak_hours;
};

struct PlaceExplanation {
  store::PlaceView view;
  int rank = 0;            // among every place of concern of the run, 1 = highest
  int of_concern = 0;      // how many places of concern the run has
  std::string peak_days;   // e.g. "Friday, Saturday"; "" without occasions
  std::string peak_hours;  // e.g. "21:00-23:59"; "" when no record gives a time
  PlaceHotspot hotspot;
};

// Pure. `all` is the run's places of concern (store::DirectoryStore::ListPlacesOfConcern); `view` one of them.
PlaceExplanation ExplainPlace(const store::PlaceView& view, const std::vector<store::PlaceOfConcern>& all);

nlohmann::json PlaceExplanationJson(const PlaceExplanation& explanation);
// Plain text for an analyst at the command line, one fact a line.
std::string PlaceExplanationText(const PlaceExplanation& explanation);

}  // namespace riskradar::access

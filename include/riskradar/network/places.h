// Places of concern: places ranked by an explainable score from who was seen
// there and when. A pure function of its input; output order is deterministic.
// Kept apart from the offender networks (network.h): places are never nodes of
// the network grouping, and their ranking has its own options.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  std::unordered_map<int64_t, PlaceType> place_types;        // missing: kOther
  std::unordered_map<int64_t, std::string> place_districts;  // missing: ""
  // A child's own home or placement (the children's home they live in, their family's address): context, not
  // a place of concern. Occasions there count only where exploitation evidence points there: a person of
  // concern seen at the place.
  std::unordered_map<int64_t, std::unordered_set<int64_t>> homes;  // child -> places
  // The time of day of the events whose records give one (minutes after midnight, 0..1439).
  std::unordered_map<int64_t, int> event_minutes;
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
  // Quarter on quarter: occasions in the last trend_days up to as_of against the trend_days before. A place
  // is emerging with >= trend_min_occasions in the last quarter and at least twice the quarter before, and
  // declining with >= trend_min_occasions in the quarter before and at most half of them in the last.
  int trend_days = 91;
  int trend_min_occasions = 2;
  double weight_emerging = 1;  // once, for an emerging place
  std::optional<Date> as_of;   // default: the latest association date
};

enum class PlaceTrend { kSteady, kEmerging, kDeclining };
std::string_view ToString(PlaceTrend trend);

// When the counted occasions at a place happened: day of week (all) and hour of day (those with a time).
struct TimeProfile {
  std::array<int, 7> by_weekday{};  // Monday first
  std::array<int, 24> by_hour{};
  int occasions = 0;  // every counted occasion
  int timed = 0;      // of which with a time of day
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
  std::string district;
  int context_children = 0;  // children on the radar seen here only at their own home or placement (not counted)
  TimeProfile profile;
  int last_quarter = 0, previous_quarter = 0;  // counted occasions in the two quarters up to as_of
  PlaceTrend trend = PlaceTrend::kSteady;
};

// Places of one type in one district together: a hotspot.
struct Hotspot {
  PlaceType type = PlaceType::kOther;
  std::string district;
  int places = 0, places_of_concern = 0;
  double score = 0;  // the sum of its places' scores
  int emerging = 0, declining = 0;
  TimeProfile profile;  // the sum of its places' profiles
};

// Every place where a child on the radar or a person of concern was seen,
// highest score first, then by place id.
std::vector<PlaceRank> RankPlaces(const PlaceInput& input, const PlaceOptions& options = {});

// The ids of the ranked places that are of concern, in rank order.
std::vector<int64_t> PlacesOfConcern(const std::vector<PlaceRank>& ranks);

// Ranked places grouped by type and district, highest total score first (then type, district).
std::vector<Hotspot> SummariseHotspots(const std::vector<PlaceRank>& ranks);

// "Friday, Saturday" and "21:00-23:59": the busiest days and hours of a profile (every day or hour within
// three quarters of the busiest); "" when it has no occasions (hours: none with a time).
std::string PeakDays(const TimeProfile& profile);
std::string PeakHours(const TimeProfile& profile);

}  // namespace riskradar::network

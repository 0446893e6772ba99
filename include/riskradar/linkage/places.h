// Place linkage: resolves place mentions (a hotel, a takeaway, a children's home)
// across agencies by normalised name, type and location.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/domain.h"

namespace riskradar::linkage {

struct PlaceRecord {
  int64_t id = 0;
  std::string name;
  PlaceType type = PlaceType::kOther;
  std::string postcode;  // normalised "B12 9QT" or empty
  std::optional<double> lat;
  std::optional<double> lon;
};

// Lower case, accents and punctuation removed, "the"/"and"/"ltd" and generic
// business words (hotel, takeaway, ...) dropped, abbreviations expanded
// ("rd" -> "road", a leading "st" -> "saint", otherwise "street"); tokens in order.
std::vector<std::string> PlaceNameTokens(std::string_view name);

// Great-circle distance in metres.
double DistanceMetres(double lat1, double lon1, double lat2, double lon2);

struct PlaceLinkOptions {
  double max_distance_m = 300;  // coordinates this close count as the same location
  double name_jaro_winkler = 0.92;
  double name_token_jaccard = 0.6;
  int64_t max_block_size = 500;  // name-token blocks larger than this are skipped (too common a word)
};

// Cluster index (0..k-1) per record. Two records link when their types are
// compatible (equal, or one is "other"), their names agree (same tokens, token
// Jaccard, Jaro-Winkler, or one name's tokens contained in the other's) and
// their locations agree (within max_distance_m, or the same postcode sector;
// with no comparable location, only identical names in the same postcode
// district link). Clusters are connected components of those links.
std::vector<int32_t> LinkPlaces(const std::vector<PlaceRecord>& records, const PlaceLinkOptions& options = {});

}  // namespace riskradar::linkage

// West Midlands reference geography: which district a postcode is in, and
// approximate coordinates, from data/reference/geo/ (public ONS-derived data).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar {

struct LatLon {
  double lat = 0;
  double lon = 0;
};

class Geography {
 public:
  // Reads wm_postcode_districts.csv and wm_postcode_sectors.csv from `geo_dir`.
  static Result<Geography> Load(const std::filesystem::path& geo_dir);
  // The default reference directory: the data directory's data/reference (core/paths.h).
  static std::filesystem::path DefaultDataDir();

  // District (local authority) name for a normalised postcode, or "" when outside the region.
  std::string DistrictOf(std::string_view postcode) const;
  std::optional<LatLon> Locate(std::string_view postcode) const;
  // Where to show something at a postcode without pinpointing it: the centroid of its sector when at least
  // `min_sector_postcodes` postcodes make the sector up, otherwise of its postcode district (outcode); nullopt
  // when neither is in the reference files (docs/security.md "Place locations on the map").
  std::optional<LatLon> LocateArea(std::string_view postcode, int min_sector_postcodes) const;
  // The seven districts in a stable order.
  const std::vector<std::string>& districts() const { return districts_; }

 private:
  std::unordered_map<std::string, std::string> district_by_outcode_;
  std::unordered_map<std::string, LatLon> sector_centroid_;
  std::unordered_map<std::string, int> sector_postcodes_;  // how many postcodes each sector centroid averages
  std::unordered_map<std::string, LatLon> outcode_centroid_;
  std::vector<std::string> districts_;
};

// Great-circle distance in kilometres.
double DistanceKm(LatLon a, LatLon b);

}  // namespace riskradar

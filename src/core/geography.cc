// Loading the reference postcode geography.
#include "riskradar/core/geography.h"
#include "riskradar/core/paths.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>

#include "riskradar/core/identifiers.h"

namespace riskradar {
namespace {

std::vector<std::string> SplitSimpleCsv(const std::string& line) {
  // Keeps empty fields, trailing ones included ("B46,...,,").
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Reads a header-ed CSV without quoted fields (the reference files have none).
Status ReadRows(const std::filesystem::path& path, size_t min_fields,
                const std::function<void(const std::vector<std::string>&)>& row_fn) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("reference file missing: " + path.string());
  std::string line;
  std::getline(in, line);
  int64_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto fields = SplitSimpleCsv(line);
    if (fields.size() < min_fields) {
      return Status::Corruption(path.string() + ": line " + std::to_string(number) + " has too few fields");
    }
    row_fn(fields);
  }
  return Status::Ok();
}

}  // namespace

std::filesystem::path Geography::DefaultDataDir() { return DataPath("data/reference"); }

Result<Geography> Geography::Load(const std::filesystem::path& geo_dir) {
  Geography g;
  std::set<std::string> districts;
  // outcode,postcode_area,lat,lon,n_postcodes,lad_code,lad_name
  RR_RETURN_IF_ERROR(ReadRows(geo_dir / "wm_postcode_districts.csv", 7, [&](const std::vector<std::string>& f) {
    g.outcode_centroid_[f[0]] = {std::atof(f[2].c_str()), std::atof(f[3].c_str())};
    if (f[6].empty()) return;  // a postcode district mostly outside the seven districts
    g.district_by_outcode_[f[0]] = f[6];
    districts.insert(f[6]);
  }));
  // sector,postcode_area,lat,lon,n_postcodes,lad_code,lad_name
  RR_RETURN_IF_ERROR(ReadRows(geo_dir / "wm_postcode_sectors.csv", 7, [&](const std::vector<std::string>& f) {
    g.sector_centroid_[f[0]] = {std::atof(f[2].c_str()), std::atof(f[3].c_str())};
    g.sector_postcodes_[f[0]] = std::atoi(f[4].c_str());
  }));
  g.districts_.assign(districts.begin(), districts.end());
  return g;
}

std::string Geography::DistrictOf(std::string_view postcode) const {
  auto it = district_by_outcode_.find(PostcodeDistrict(postcode));
  return it == district_by_outcode_.end() ? std::string() : it->second;
}

std::optional<LatLon> Geography::Locate(std::string_view postcode) const {
  if (auto it = sector_centroid_.find(PostcodeSector(postcode)); it != sector_centroid_.end()) return it->second;
  if (auto it = outcode_centroid_.find(PostcodeDistrict(postcode)); it != outcode_centroid_.end()) return it->second;
  return std::nullopt;
}

std::optional<LatLon> Geography::LocateArea(std::string_view postcode, int min_sector_postcodes) const {
  const std::string sector = PostcodeSector(postcode);
  if (auto it = sector_centroid_.find(sector); it != sector_centroid_.end()) {
    const auto n = sector_postcodes_.find(sector);
    if (n != sector_postcodes_.end() && n->second >= min_sector_postcodes) return it->second;
  }
  if (auto it = outcode_centroid_.find(PostcodeDistrict(postcode)); it != outcode_centroid_.end()) return it->second;
  return std::nullopt;
}

double DistanceKm(LatLon a, LatLon b) {
  constexpr double kEarthRadiusKm = 6371.0;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dlat = (b.lat - a.lat) * kRad;
  const double dlon = (b.lon - a.lon) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace riskradar

// An offline SVG map of the West Midlands districts (data/reference/geo/wm_lad_boundaries.geojson, ONS boundaries
// under the Open Government Licence, see that folder's README), shaded by an already disclosure-controlled count.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/report/disclosure.h"

namespace riskradar::report {

struct DistrictShape {
  std::string name;
  std::vector<std::vector<std::pair<double, double>>> rings;  // lon, lat
};

// Reads the districts' polygons (GeoJSON Polygon or MultiPolygon features with a "name" property).
Result<std::vector<DistrictShape>> LoadDistrictShapes(const std::filesystem::path& geojson);
Result<std::vector<DistrictShape>> ParseDistrictShapes(std::string_view geojson_text);

// id must be unique in the page. A district with no entry in `values` is drawn unshaded; a suppressed one hatched.
std::string RenderDistrictMapSvg(std::string_view id, std::string_view title, const std::vector<DistrictShape>& shapes,
                                 const std::map<std::string, ShownCell>& values);

}  // namespace riskradar::report

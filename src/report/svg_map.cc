// The district map: an equirectangular projection (scaled by the cosine of the middle latitude, close enough
// over 50 km), five shades by share of the largest shown value, suppressed districts hatched, each labelled.
#include "riskradar/report/svg_map.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "riskradar/report/html_report.h"

namespace riskradar::report {
namespace {

using json = nlohmann::json;

constexpr double kMapWidth = 640;
constexpr double kMapHeight = 420;
constexpr double kLegendHeight = 60;
constexpr std::array<const char*, 5> kShades = {"#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"};

Result<std::vector<std::pair<double, double>>> Ring(const json& ring) {
  std::vector<std::pair<double, double>> out;
  if (!ring.is_array()) return Status::InvalidArgument("a ring is not an array");
  for (const json& point : ring) {
    if (!point.is_array() || point.size() < 2 || !point[0].is_number() || !point[1].is_number()) {
      return Status::InvalidArgument("a point is not [lon, lat]");
    }
    out.emplace_back(point[0].get<double>(), point[1].get<double>());
  }
  return out;
}

}  // namespace

Result<std::vector<DistrictShape>> ParseDistrictShapes(std::string_view geojson_text) {
  const json doc = json::parse(geojson_text, nullptr, false);
  if (doc.is_discarded() || !doc.contains("features") || !doc["features"].is_array()) {
    return Status::InvalidArgument("district boundaries: not a GeoJSON FeatureCollection");
  }
  std::vector<DistrictShape> out;
  for (const json& feature : doc["features"]) {
    DistrictShape shape;
    const json& props = feature.value("properties", json::object());
    shape.name = props.value("name", "");
    const json& geometry = feature.value("geometry", json::object());
    const std::string type = geometry.value("type", "");
    const json& coordinates = geometry.value("coordinates", json::array());
    std::vector<json> polygons;
    if (type == "Polygon") {
      polygons.push_back(coordinates);
    } else if (type == "MultiPolygon") {
      for (const json& p : coordinates) polygons.push_back(p);
    } else {
      return Status::InvalidArgument(
          fmt::format("district boundaries: feature '{}' has geometry '{}' (expected "
                      "Polygon or MultiPolygon)",
                      shape.name, type));
    }
    for (const json& polygon : polygons) {
      for (const json& ring : polygon) {
        auto r = Ring(ring);
        if (!r.ok()) return r.status().WithContext("district boundaries: feature '" + shape.name + "'");
        shape.rings.push_back(std::move(*r));
      }
    }
    out.push_back(std::move(shape));
  }
  return out;
}

Result<std::vector<DistrictShape>> LoadDistrictShapes(const std::filesystem::path& geojson) {
  std::ifstream in(geojson);
  if (!in) return Status::IoError("cannot read " + geojson.string());
  std::stringstream text;
  text << in.rdbuf();
  auto shapes = ParseDistrictShapes(text.str());
  if (!shapes.ok()) return shapes.status().WithContext(geojson.string());
  return shapes;
}

std::string RenderDistrictMapSvg(std::string_view id, std::string_view title, const std::vector<DistrictShape>& shapes,
                                 const std::map<std::string, ShownCell>& values) {
  double min_lon = 1e9, max_lon = -1e9, min_lat = 1e9, max_lat = -1e9;
  for (const DistrictShape& s : shapes) {
    for (const auto& ring : s.rings) {
      for (const auto& [lon, lat] : ring) {
        min_lon = std::min(min_lon, lon);
        max_lon = std::max(max_lon, lon);
        min_lat = std::min(min_lat, lat);
        max_lat = std::max(max_lat, lat);
      }
    }
  }
  const double k = std::cos((min_lat + max_lat) / 2 * std::numbers::pi / 180);
  const double span_x = std::max((max_lon - min_lon) * k, 1e-9), span_y = std::max(max_lat - min_lat, 1e-9);
  const double scale = std::min((kMapWidth - 20) / span_x, (kMapHeight - 20) / span_y);
  const auto px = [&](double lon) { return 10 + (lon - min_lon) * k * scale; };
  const auto py = [&](double lat) { return 10 + (max_lat - lat) * scale; };
  int64_t max_value = 0;
  for (const auto& [name, cell] : values) max_value = std::max(max_value, cell.value.value_or(0));

  const std::string safe_id = HtmlEscape(id);
  std::string description = fmt::format("Map of the districts: {}.", title);
  for (const DistrictShape& s : shapes) {
    auto it = values.find(s.name);
    description += fmt::format(" {} {};", s.name,
                               it == values.end()                              ? "no figure"
                               : it->second.suppression == Suppression::kShown ? it->second.text
                                                                               : "suppressed");
  }
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" "
      "role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n<title id=\"{id}-title\">{t}</title>\n"
      "<desc id=\"{id}-desc\">{d}</desc>\n<defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" "
      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
      "fill=\"#f3f2f1\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#505a5f\" stroke-width=\"1.5\"/>"
      "</pattern></defs>\n",
      fmt::arg("w", static_cast<int>(kMapWidth)), fmt::arg("h", static_cast<int>(kMapHeight + kLegendHeight)),
      fmt::arg("id", safe_id), fmt::arg("t", HtmlEscape(title)), fmt::arg("d", HtmlEscape(description)));
  std::string labels;
  for (const DistrictShape& s : shapes) {
    auto it = values.find(s.name);
    std::string fill = "#ffffff";
    std::string value_text = "";
    if (it != values.end()) {
      value_text = it->second.text;
      if (it->second.suppression != Suppression::kShown) {
        fill = fmt::format("url(#{}-hatch)", safe_id);
      } else if (it->second.value && *it->second.value > 0 && max_value > 0) {
        const size_t shade =
            std::min<size_t>(kShades.size() - 1, static_cast<size_t>(static_cast<double>(*it->second.value) /
                                                                     static_cast<double>(max_value) * kShades.size()));
        fill = kShades[shade];
      }
    }
    std::string path;
    double sx = 0, sy = 0;
    size_t n = 0;
    for (const auto& ring : s.rings) {
      for (size_t i = 0; i < ring.size(); ++i) {
        path += fmt::format("{}{:.1f},{:.1f}", i == 0 ? "M" : "L", px(ring[i].first), py(ring[i].second));
        sx += px(ring[i].first);
        sy += py(ring[i].second);
        ++n;
      }
      path += "Z";
    }
    out +=
        fmt::format("<path d=\"{}\" fill=\"{}\" stroke=\"#0b0c0c\" stroke-width=\"1\"><title>{}: {}</title></path>\n",
                    path, fill, HtmlEscape(s.name), HtmlEscape(value_text.empty() ? "no figure" : value_text));
    if (n > 0) {
      const double cx = sx / static_cast<double>(n), cy = sy / static_cast<double>(n);
      labels += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" class=\"map-label\">{}</text>"
          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" class=\"map-value\">{}</text>\n",
          cx, cy - 2, HtmlEscape(s.name), cx, cy + 14, HtmlEscape(value_text));
    }
  }
  out += labels;
  // Legend: the shades as shares of the largest value, and the hatching.
  const double ly = kMapHeight + 10;
  for (size_t i = 0; i < kShades.size(); ++i) {
    const double x = 10 + static_cast<double>(i) * 70;
    out += fmt::format(
        "<rect x=\"{:.0f}\" y=\"{:.0f}\" width=\"60\" height=\"14\" fill=\"{}\" stroke=\"#0b0c0c\"/>"
        "<text x=\"{:.0f}\" y=\"{:.0f}\" class=\"map-legend\">{}-{}%</text>\n",
        x, ly, kShades[i], x, ly + 30, i * 20, (i + 1) * 20);
  }
  out += fmt::format(
      "<rect x=\"380\" y=\"{:.0f}\" width=\"60\" height=\"14\" fill=\"url(#{}-hatch)\" stroke=\"#0b0c0c\"/>"
      "<text x=\"380\" y=\"{:.0f}\" class=\"map-legend\">suppressed (c)</text>\n",
      ly, safe_id, ly + 30);
  out += "</svg>";
  return out;
}

}  // namespace riskradar::report

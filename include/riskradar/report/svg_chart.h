// Horizontal bar charts as inline, accessible SVG (role="img", title and
// description), drawn from already-disclosure-controlled values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace riskradar::report {

struct Bar {
  std::string label;
  std::optional<int64_t> value;  // nullopt: suppressed, drawn without a bar
  std::string value_text;        // printed after the bar ("371", "c")
};

// id must be unique in the page (it prefixes the title/desc ids). The
// description doubles as the chart's text alternative.
std::string RenderBarChartSvg(std::string_view id, std::string_view title, std::string_view description,
                              const std::vector<Bar>& bars);

}  // namespace riskradar::report

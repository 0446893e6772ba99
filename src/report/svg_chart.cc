// Bar charts drawn as SVG text; sizes are fixed so the chart scales with its viewBox.
#include "riskradar/report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>

#include "riskradar/report/html_report.h"

namespace riskradar::report {
namespace {

constexpr int kWidth = 640;
constexpr int kLabelWidth = 190;
constexpr int kBarArea = 370;
constexpr int kBarHeight = 20;
constexpr int kRowHeight = 28;
constexpr int kPadding = 8;

}  // namespace

std::string RenderBarChartSvg(std::string_view id, std::string_view title, std::string_view description,
                              const std::vector<Bar>& bars) {
  int64_t max_value = 0;
  for (const Bar& bar : bars) max_value = std::max(max_value, bar.value.value_or(0));
  int height = kPadding * 2 + kRowHeight * static_cast<int>(std::max<size_t>(bars.size(), 1));
  std::string safe_id = HtmlEscape(id);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" "
      "height=\"{h}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n"
      "<title id=\"{id}-title\">{title}</title>\n<desc id=\"{id}-desc\">{desc}</desc>\n",
      fmt::arg("w", kWidth), fmt::arg("h", height), fmt::arg("id", safe_id), fmt::arg("title", HtmlEscape(title)),
      fmt::arg("desc", HtmlEscape(description)));
  if (bars.empty()) {
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"chart-label\">No data</text>\n", kPadding,
                       kPadding + kBarHeight - 5);
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& bar = bars[i];
    int y = kPadding + static_cast<int>(i) * kRowHeight;
    int text_y = y + kBarHeight - 5;
    int bar_width = 0;
    if (bar.value && max_value > 0) {
      bar_width = static_cast<int>(static_cast<double>(*bar.value) / static_cast<double>(max_value) * kBarArea + 0.5);
      if (*bar.value > 0) bar_width = std::max(bar_width, 1);
    }
    out += fmt::format("<g><text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"chart-label\">{}</text>",
                       kLabelWidth - 8, text_y, HtmlEscape(bar.label));
    if (bar_width > 0) {
      out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"bar\"/>", kLabelWidth, y,
                         bar_width, kBarHeight);
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"chart-value\">{}</text></g>\n", kLabelWidth + bar_width + 6,
                       text_y, HtmlEscape(bar.value_text));
  }
  out += "</svg>";
  return out;
}

}  // namespace riskradar::report

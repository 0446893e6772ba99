// The HTML risk radar report. Every number passes through one Figures object
// that applies (publishable) or skips (restricted) disclosure control, so no
// table, chart or sentence can show a raw count by accident.
#include "riskradar/report/html_report.h"

#include <fmt/format.h>

#include <cstring>

#include "riskradar/core/atomic_file.h"
#include "riskradar/report/svg_chart.h"

namespace riskradar::report {

std::string_view ToString(ReportVariant variant) {
  return variant == ReportVariant::kPublishable ? "publishable" : "restricted";
}

Result<ReportVariant> ParseReportVariant(std::string_view text) {
  if (text == "restricted") return ReportVariant::kRestricted;
  if (text == "publishable") return ReportVariant::kPublishable;
  return Status::InvalidArgument(fmt::format("unknown report variant '{}' (expected restricted or publishable)", text));
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string HtmlParagraph(std::string_view text) { return fmt::format("<p>{}</p>\n", HtmlEscape(text)); }

namespace {

constexpr std::string_view kCss = R"css(
*{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;background:#fff}
.header{background:#0b0c0c;color:#fff;padding:12px 0;border-bottom:10px solid #1d70b8}
.header p{margin:0 auto;max-width:960px;padding:0 15px;font-weight:bold;font-size:24px}
.banner{max-width:960px;margin:20px auto 0;padding:10px 15px;border-left:10px solid #d4351c;background:#f3f2f1;font-weight:bold}
.banner.publishable{border-left-color:#00703c}
main{display:block;max-width:960px;margin:0 auto;padding:20px 15px 40px}
h1{font-size:40px;line-height:1.1;margin:10px 0 15px}
h2{font-size:28px;margin:45px 0 15px;padding-top:10px;border-top:2px solid #b1b4b6}
h3{font-size:22px;margin:30px 0 10px}
.lead{font-size:22px;color:#505a5f;margin-top:0}
.figures{display:flex;flex-wrap:wrap;gap:15px;margin:20px 0;padding:0}
.figures div{flex:1 1 200px;border-top:5px solid #1d70b8;background:#f3f2f1;padding:10px 15px}
.figures dt{font-size:16px}
.figures dd{margin:0;font-size:36px;font-weight:bold}
table{border-collapse:collapse;width:100%;margin:10px 0 25px;font-size:16px}
caption{text-align:left;font-weight:bold;font-size:19px;padding-bottom:8px}
th,td{text-align:left;padding:8px 10px 8px 0;border-bottom:1px solid #b1b4b6;vertical-align:top}
thead th{font-weight:bold}
tfoot th,tfoot td{font-weight:bold;border-top:2px solid #0b0c0c}
.num{text-align:right;font-variant-numeric:tabular-nums}
.suppressed{color:#505a5f}
figure{margin:10px 0}
figcaption{font-size:16px;color:#505a5f}
.chart{max-width:100%;height:auto}
.chart .bar{fill:#1d70b8}
.chart-label,.chart-value{font-family:Arial,Helvetica,sans-serif;font-size:14px;fill:#0b0c0c}
.note{border-left:5px solid #b1b4b6;padding:5px 15px;margin:15px 0}
footer{max-width:960px;margin:0 auto;padding:20px 15px;border-top:1px solid #b1b4b6;font-size:16px;color:#505a5f}
@media print{.header{border-bottom-color:#000}h2{page-break-after:avoid}table,figure{page-break-inside:avoid}}
)css";

struct ListView {
  std::vector<std::string> labels;
  std::vector<ShownCell> cells;
  ShownCell total;
};

// The single gate every published number goes through.
class Figures {
 public:
  explicit Figures(const ReportOptions& opts) : opts_(opts) {}
  bool publishable() const { return opts_.variant == ReportVariant::kPublishable; }

  ShownCell Count(int64_t value) const {
    return publishable() ? PublishCount(value, opts_.disclosure) : ExactCount(value);
  }

  ListView List(const std::vector<CountRow>& rows) const {
    if (publishable()) {
      SuppressedList list = SuppressTable(rows, opts_.disclosure);
      return {std::move(list.labels), std::move(list.cells), std::move(list.total)};
    }
    ListView view;
    int64_t total = 0;
    for (const CountRow& row : rows) {
      view.labels.push_back(row.label);
      view.cells.push_back(ExactCount(row.count));
      total += row.count;
    }
    view.total = ExactCount(total);
    return view;
  }

  SuppressedGrid Grid(const CountTable& table) const {
    DisclosureRule exact{.min_shown = 1, .round_totals_to = 1, .secondary = false};
    return SuppressTable(table, publishable() ? opts_.disclosure : exact);
  }

 private:
  const ReportOptions& opts_;
};

std::string Cell(const ShownCell& cell) {
  if (cell.suppression != Suppression::kShown) {
    return "<td class=\"num suppressed\"><abbr title=\"suppressed to protect privacy\">c</abbr></td>";
  }
  return fmt::format("<td class=\"num\">{}</td>", HtmlEscape(cell.text));
}

std::string ListTable(std::string_view caption, std::string_view label_heading, std::string_view count_heading,
                      const ListView& view, bool with_total) {
  std::string out = fmt::format(
      "<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" "
      "class=\"num\">{}</th></tr></thead>\n<tbody>\n",
      HtmlEscape(caption), HtmlEscape(label_heading), HtmlEscape(count_heading));
  for (size_t i = 0; i < view.labels.size(); ++i) {
    out += fmt::format("<tr><th scope=\"row\">{}</th>{}</tr>\n", HtmlEscape(view.labels[i]), Cell(view.cells[i]));
  }
  out += "</tbody>\n";
  if (with_total) out += fmt::format("<tfoot><tr><th scope=\"row\">Total</th>{}</tr></tfoot>\n", Cell(view.total));
  out += "</table>\n";
  return out;
}

std::string GridTable(std::string_view caption, const SuppressedGrid& grid) {
  std::string out = fmt::format("<table>\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>",
                                HtmlEscape(caption), HtmlEscape(grid.row_heading));
  for (const std::string& column : grid.columns) {
    out += fmt::format("<th scope=\"col\" class=\"num\">{}</th>", HtmlEscape(column));
  }
  out += "<th scope=\"col\" class=\"num\">Total</th></tr></thead>\n<tbody>\n";
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    out += fmt::format("<tr><th scope=\"row\">{}</th>", HtmlEscape(grid.rows[r]));
    for (const ShownCell& cell : grid.cells[r]) out += Cell(cell);
    out += Cell(grid.row_totals[r]) + "</tr>\n";
  }
  out += "</tbody>\n<tfoot><tr><th scope=\"row\">Total</th>";
  for (const ShownCell& cell : grid.column_totals) out += Cell(cell);
  out += Cell(grid.grand_total) + "</tr></tfoot>\n</table>\n";
  return out;
}

std::string Chart(std::string_view id, std::string_view title, const ListView& view) {
  std::vector<Bar> bars;
  std::string description = fmt::format("Bar chart: {}.", title);
  for (size_t i = 0; i < view.labels.size(); ++i) {
    bars.push_back({view.labels[i], view.cells[i].value, view.cells[i].text});
    description += fmt::format("{} {} {}", i == 0 ? "" : ",", view.labels[i],
                               view.cells[i].suppression == Suppression::kShown ? view.cells[i].text : "suppressed");
  }
  if (!view.labels.empty()) description += ".";
  description += " The same figures are in the table below.";
  return fmt::format("<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                     RenderBarChartSvg(id, title, description, bars), HtmlEscape(title));
}

std::string KeyFigure(std::string_view label, const ShownCell& cell) {
  return fmt::format("<div><dt>{}</dt><dd>{}</dd></div>\n", HtmlEscape(label), HtmlEscape(cell.text));
}

}  // namespace

std::string RenderHtmlReport(const Summary& s, const ReportOptions& opts) {
  const Figures figures(opts);
  const std::string period = fmt::format("{} to {}", s.period_start.ToIso(), s.period_end.ToIso());
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<meta name=\"riskradar-variant\" content=\"{}\">\n", ToString(opts.variant));
  out += fmt::format("<title>{}: {}, {}</title>\n", HtmlEscape(opts.title), HtmlEscape(s.partnership), period);
  out += fmt::format("<style>{}</style>\n</head>\n<body>\n", kCss);
  out += fmt::format("<header class=\"header\"><p>{}</p></header>\n", HtmlEscape(s.partnership));
  if (figures.publishable()) {
    out +=
        "<div class=\"banner publishable\" role=\"note\">Publishable version: small numbers are suppressed and "
        "totals rounded (see \"About these figures\").</div>\n";
  } else {
    out +=
        "<div class=\"banner\" role=\"note\">Restricted: exact counts for the partnership only. Do not publish or "
        "share outside the partnership.</div>\n";
  }

  out += "<main>\n";
  out += fmt::format("<h1>{}</h1>\n<p class=\"lead\">{}, {}</p>\n", HtmlEscape(opts.title), HtmlEscape(s.partnership),
                     period);
  out += "<dl class=\"figures\" aria-label=\"Key figures\">\n";
  out += KeyFigure("Children on the risk radar", figures.Count(s.children_on_radar));
  out += KeyFigure("Suspected offenders", figures.Count(s.suspected_offenders));
  out += KeyFigure("Offender networks", figures.Count(s.networks));
  out += KeyFigure("Places of concern", figures.Count(s.places_of_concern));
  out += "</dl>\n";

  // Victims.
  out += "<section aria-labelledby=\"victims\">\n<h2 id=\"victims\">Children on the risk radar</h2>\n";
  out += HtmlParagraph(
      "Children assessed as at risk of sexual exploitation on the last day of the period, by level of risk.");
  ListView by_level =
      figures.List({{"Serious risk", s.serious}, {"Significant risk", s.significant}, {"At risk", s.at_risk}});
  out += ListTable("Children on the risk radar by level of risk", "Level", "Children", by_level, true);
  if (!s.radar_by_district.empty()) {
    out += "<h3>By district</h3>\n";
    ListView view = figures.List(s.radar_by_district);
    out += Chart("chart-district", "Children on the risk radar by district", view);
    out += ListTable("Children on the risk radar by district", "District", "Children", view, true);
  }
  if (s.radar_district_by_level) {
    out += "<h3>By district and level of risk</h3>\n";
    out +=
        GridTable("Children on the risk radar by district and level of risk", figures.Grid(*s.radar_district_by_level));
  }
  if (!s.radar_by_sex.empty()) {
    out += "<h3>By sex</h3>\n";
    out += ListTable("Children on the risk radar by sex", "Sex", "Children", figures.List(s.radar_by_sex), true);
  }
  if (!s.radar_by_age_band.empty()) {
    out += "<h3>By age</h3>\n";
    out += ListTable("Children on the risk radar by age", "Age", "Children", figures.List(s.radar_by_age_band), true);
  }
  out += "</section>\n";

  // Offenders.
  out += "<section aria-labelledby=\"offenders\">\n<h2 id=\"offenders\">Suspected offenders and networks</h2>\n";
  out += HtmlParagraph(
      "A network is two or more suspected offenders linked by the children they were seen with or by being "
      "seen together. Being at the same place at different times does not link people.");
  ListView offenders;
  offenders.labels = {"Suspected offenders", "Networks", "Suspected offenders not in a network"};
  offenders.cells = {figures.Count(s.suspected_offenders), figures.Count(s.networks), figures.Count(s.lone_offenders)};
  out += ListTable("Suspected offenders and networks", "Measure", "Number", offenders, false);
  out += "</section>\n";

  // Locations.
  out += "<section aria-labelledby=\"places\">\n<h2 id=\"places\">Places of concern</h2>\n";
  out += HtmlParagraph(
      "Places linked to a suspected offender and a child on the risk radar, or to two or more children on "
      "the risk radar. Places are not named in this report.");
  if (!s.places_by_type.empty()) {
    ListView view = figures.List(s.places_by_type);
    out += Chart("chart-place-type", "Places of concern by type", view);
    out += ListTable("Places of concern by type", "Type of place", "Places", view, true);
  }
  if (!s.places_by_district.empty()) {
    out += ListTable("Places of concern by district", "District", "Places", figures.List(s.places_by_district), true);
  }
  out += "</section>\n";

  // Data.
  out += "<section aria-labelledby=\"data\">\n<h2 id=\"data\">Data and record linkage</h2>\n";
  ListView data;
  data.labels = {"Agency records", "People after linking records", "Children known to agencies",
                 "Rows quarantined as invalid"};
  data.cells = {figures.Count(s.agency_records), figures.Count(s.people_resolved), figures.Count(s.children_known),
                figures.Count(s.quarantined_rows)};
  out += ListTable("Records and linkage", "Measure", "Number", data, false);
  if (s.linkage_precision && s.linkage_recall) {
    out += HtmlParagraph(
        fmt::format("Linkage checked against the synthetic generator's truth: precision {:.3f}, recall {:.3f}.",
                    *s.linkage_precision, *s.linkage_recall));
  }
  out += "</section>\n";

  out += "<section aria-labelledby=\"about\">\n<h2 id=\"about\">About these figures</h2>\n";
  out += HtmlParagraph(
      fmt::format("Risk levels come from the screening model {}. Every level can be explained indicator by "
                  "indicator, and practitioners review and can override it.",
                  s.model_version.empty() ? "(version not recorded)" : s.model_version));
  if (figures.publishable()) {
    out += fmt::format("<div class=\"note\" id=\"disclosure\"><h3>Disclosure control</h3>\n{}</div>\n",
                       HtmlParagraph(DescribeRule(opts.disclosure) + " \"c\" marks a suppressed count."));
  } else {
    out += "<div class=\"note\" id=\"disclosure\">" +
           HtmlParagraph(
               "This restricted version shows exact counts, including small numbers that could identify a child. "
               "Use the publishable version for anything shared outside the partnership.") +
           "</div>\n";
  }
  out += "</section>\n</main>\n";
  out += fmt::format("<footer>Produced by riskradar {}{}.</footer>\n</body>\n</html>\n", RISKRADAR_VERSION,
                     opts.generated_on ? " on " + opts.generated_on->ToIso() : "");
  return out;
}

Status WriteHtmlReport(const Summary& s, const ReportOptions& opts, const std::filesystem::path& out_file) {
  return WriteFileAtomically(out_file, RenderHtmlReport(s, opts));
}

}  // namespace riskradar::report

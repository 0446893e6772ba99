// The problem profile's files: HTML, the Excel workbook and the CSV tables. Every count printed comes from a
// Publication (exact or protected), never from the figures themselves.
#include "riskradar/report/profile_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "riskradar/core/atomic_file.h"
#include "riskradar/report/svg_chart.h"

namespace riskradar::report {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProfileCss = R"css(
*{box-sizing:border-box}
body{margin:0;font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:1.4;color:#0b0c0c;background:#fff}
.header{background:#0b0c0c;color:#fff;padding:12px 0;border-bottom:10px solid #1d70b8}
.header p{margin:0 auto;max-width:980px;padding:0 15px;font-weight:bold;font-size:22px}
.banner{max-width:980px;margin:20px auto 0;padding:10px 15px;border-left:10px solid #d4351c;background:#f3f2f1;font-weight:bold}
.banner.publishable{border-left-color:#00703c}
main{display:block;max-width:980px;margin:0 auto;padding:20px 15px 40px}
h1{font-size:36px;line-height:1.1;margin:10px 0 15px}
h2{font-size:27px;margin:40px 0 15px;padding-top:10px;border-top:2px solid #b1b4b6}
h3{font-size:20px;margin:25px 0 8px}
.lead{font-size:20px;color:#505a5f;margin-top:0}
.figures{display:flex;flex-wrap:wrap;gap:15px;margin:20px 0;padding:0}
.figures div{flex:1 1 200px;border-top:5px solid #1d70b8;background:#f3f2f1;padding:10px 15px}
.figures dt{font-size:15px}
.figures dd{margin:0;font-size:34px;font-weight:bold}
.figures .change{display:block;font-size:15px;font-weight:normal;color:#505a5f}
nav ol{columns:2;font-size:16px}
table{border-collapse:collapse;width:100%;margin:8px 0 22px;font-size:15px}
caption{text-align:left;font-weight:bold;font-size:17px;padding-bottom:6px}
th,td{text-align:left;padding:6px 8px 6px 0;border-bottom:1px solid #b1b4b6;vertical-align:top}
thead th{font-weight:bold}
tfoot th,tfoot td{font-weight:bold;border-top:2px solid #0b0c0c}
.num{text-align:right;font-variant-numeric:tabular-nums}
.suppressed{color:#505a5f}
.withheld{border-left:5px solid #d4351c;padding:5px 15px;margin:10px 0}
figure{margin:10px 0}
figcaption{font-size:15px;color:#505a5f}
.chart,.map{max-width:100%;height:auto}
.chart .bar{fill:#1d70b8}
.chart-label,.chart-value,.map-legend{font-family:Arial,Helvetica,sans-serif;font-size:14px;fill:#0b0c0c}
.map-label{font-family:Arial,Helvetica,sans-serif;font-size:13px;font-weight:bold;fill:#0b0c0c;paint-order:stroke;stroke:#fff;stroke-width:3px}
.map-value{font-family:Arial,Helvetica,sans-serif;font-size:13px;fill:#0b0c0c;paint-order:stroke;stroke:#fff;stroke-width:3px}
.note{border-left:5px solid #b1b4b6;padding:5px 15px;margin:15px 0}
code{font-family:"Courier New",monospace;font-size:15px;background:#f3f2f1;padding:1px 4px;word-break:break-all}
footer{max-width:980px;margin:0 auto;padding:20px 15px;border-top:1px solid #b1b4b6;font-size:15px;color:#505a5f}
@page{size:A4;margin:15mm}
@media print{body{font-size:11pt}.header{background:none;color:#000;border-bottom:4px solid #000}
 .banner{border:2px solid #000}nav{display:none}h2{page-break-before:auto;page-break-after:avoid}
 h3{page-break-after:avoid}table,figure,.figures{page-break-inside:avoid}a{color:#000;text-decoration:none}}
)css";

std::string Esc(std::string_view s) { return HtmlEscape(s); }

std::string CellHtml(const ShownCell& cell) {
  if (cell.suppression != Suppression::kShown) {
    return "<td class=\"num suppressed\"><abbr title=\"suppressed to protect privacy\">c</abbr></td>";
  }
  return fmt::format("<td class=\"num\">{}</td>", Esc(cell.text));
}

std::string Change(const ShownCell& now, const ShownCell& before) {
  if (!now.value || !before.value) return "";
  const int64_t d = *now.value - *before.value;
  return d > 0 ? "+" + FormatCount(d) : d < 0 ? "-" + FormatCount(-d) : "0";
}

bool SameLabels(const PublishedTable* a, const PublishedTable* b) {
  return a && b && !a->withheld && !b->withheld && a->labels == b->labels;
}

std::string OneWayHtml(const PublishedTable& t, const PublishedTable* prev) {
  const bool compare = SameLabels(&t, prev);
  std::string out = fmt::format(
      "<table id=\"table-{}\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>"
      "<th scope=\"col\" class=\"num\">This period</th>",
      Esc(t.name), Esc(t.title), Esc(t.group_heading));
  if (compare) out += "<th scope=\"col\" class=\"num\">Previous period</th><th scope=\"col\" class=\"num\">Change</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < t.labels.size(); ++i) {
    out += fmt::format("<tr><th scope=\"row\">{}</th>{}", Esc(t.labels[i]), CellHtml(t.cells[i]));
    if (compare) {
      out += CellHtml(prev->cells[i]) + fmt::format("<td class=\"num\">{}</td>", Change(t.cells[i], prev->cells[i]));
    }
    out += "</tr>\n";
  }
  out += fmt::format("</tbody>\n<tfoot><tr><th scope=\"row\">Total</th>{}", CellHtml(t.total));
  if (compare) out += CellHtml(prev->total) + fmt::format("<td class=\"num\">{}</td>", Change(t.total, prev->total));
  out += "</tr></tfoot>\n</table>\n";
  return out;
}

// A cross table, its margins from the margin tables (the same published cells, so the page never shows two
// versions of one count).
std::string CrossHtml(const PublishedTable& t, const Publication& pub) {
  const PublishedTable* rows = pub.Find(t.rows_of);
  const PublishedTable* cols = pub.Find(t.columns_of);
  const size_t n_rows = t.cells.size() / std::max<size_t>(t.columns, 1);
  std::string out = fmt::format("<table id=\"table-{}\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\"></th>",
                                Esc(t.name), Esc(t.title));
  for (size_t c = 0; c < t.columns; ++c) {
    const std::string& label = t.labels[c];
    out += fmt::format("<th scope=\"col\" class=\"num\">{}</th>", Esc(label.substr(label.find(" | ") + 3)));
  }
  out += "<th scope=\"col\" class=\"num\">Total</th></tr></thead>\n<tbody>\n";
  for (size_t r = 0; r < n_rows; ++r) {
    const std::string& label = t.labels[r * t.columns];
    out += fmt::format("<tr><th scope=\"row\">{}</th>", Esc(label.substr(0, label.find(" | "))));
    for (size_t c = 0; c < t.columns; ++c) out += CellHtml(t.cells[r * t.columns + c]);
    out += rows && !rows->withheld ? CellHtml(rows->cells[r]) : std::string("<td></td>");
    out += "</tr>\n";
  }
  out += "</tbody>\n<tfoot><tr><th scope=\"row\">Total</th>";
  for (size_t c = 0; c < t.columns; ++c) {
    out += cols && !cols->withheld ? CellHtml(cols->cells[c]) : std::string("<td></td>");
  }
  out += CellHtml(t.total) + "</tr></tfoot>\n</table>\n";
  return out;
}

std::string ChartHtml(const PublishedTable& t) {
  std::vector<Bar> bars;
  std::string description = fmt::format("Bar chart: {}.", t.title);
  for (size_t i = 0; i < t.labels.size(); ++i) {
    bars.push_back({t.labels[i], t.cells[i].value, t.cells[i].text});
    description += fmt::format("{} {} {}", i == 0 ? "" : ",", t.labels[i],
                               t.cells[i].suppression == Suppression::kShown ? t.cells[i].text : "suppressed");
  }
  description += ". The same figures are in the table below.";
  return fmt::format("<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                     RenderBarChartSvg("chart-" + t.name, t.title, description, bars), Esc(t.title));
}

// A population's total, from any of its tables (a withheld table still carries the population's total, which
// other tables publish; the radar headline is always published).
std::string KeyFigure(std::string_view label, const PublishedTable* now, const PublishedTable* before) {
  if (!now) return "";
  std::string change;
  if (before) {
    const std::string d = Change(now->total, before->total);
    change = d.empty() ? "" : fmt::format("<span class=\"change\">{} on the previous period</span>", Esc(d));
  }
  return fmt::format("<div><dt>{}</dt><dd>{}{}</dd></div>\n", Esc(label), Esc(now->total.text), change);
}

// A lone count under the same rule as the tables (data-quality figures).
ShownCell LoneCount(int64_t value, const ProfileWriteOptions& o) {
  if (o.variant == ReportVariant::kRestricted) return {value, Suppression::kShown, FormatCount(value)};
  if (value > 0 && value < o.disclosure.min_shown) return {std::nullopt, Suppression::kPrimary, "c"};
  const int64_t r = RoundCount(value, o.disclosure);
  return {r, Suppression::kShown, FormatCount(r)};
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string PeriodText(const ProfilePeriod& p) { return fmt::format("{} to {}", p.from.ToIso(), p.to.ToIso()); }

// Replaces `path` atomically (a temporary file renamed over it: no reader sees half a file) without an fsync per
// file: a profile is re-made by the command in its appendix, and two dozen fsyncs cost seconds on a busy disk.
// Owner-only whatever the umask (the restricted version holds exact small counts): created 0600 and chmod-ed.
Status ReplaceFile(const fs::path& path, std::string_view content) {
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IoError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, 0600) == 0;
    size_t written = 0;
    while (ok && written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) written += static_cast<size_t>(n);
    }
    ok = ::close(fd) == 0 && ok;
    if (!ok) return Status::IoError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

// ---- Excel ----------------------------------------------------------------------------------------------

Status WriteWorkbook(const ProfileFigures& f, const PublishedProfile& pub, const ProfileWriteOptions& o,
                     const fs::path& file) {
  const fs::path tmp = file.parent_path() / (file.filename().string() + ".tmp");
  // Created owner-only before the library opens it (it keeps an existing file's mode), whatever the umask.
  if (const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600); fd >= 0) {
    (void)::fchmod(fd, 0600);
    ::close(fd);
  }
  lxw_workbook* wb = workbook_new(tmp.c_str());
  if (!wb) return Status::IoError("cannot create " + tmp.string());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 14);
  lxw_format* right = workbook_add_format(wb);
  format_set_align(right, LXW_ALIGN_RIGHT);
  lxw_format* number = workbook_add_format(wb);
  format_set_num_format(number, "#,##0");

  lxw_worksheet* contents = workbook_add_worksheet(wb, "Contents");
  worksheet_set_column(contents, 0, 0, 34, nullptr);
  worksheet_set_column(contents, 1, 1, 90, nullptr);
  worksheet_write_string(contents, 0, 0, "Problem profile: child sexual exploitation", title);
  int row = 2;
  auto pair = [&](const std::string& k, const std::string& v) {
    worksheet_write_string(contents, static_cast<lxw_row_t>(row), 0, k.c_str(), bold);
    worksheet_write_string(contents, static_cast<lxw_row_t>(row), 1, v.c_str(), nullptr);
    ++row;
  };
  pair("Partnership", f.partnership);
  pair("Period", PeriodText(f.period));
  pair("Compared with", PeriodText(f.previous));
  pair("Version", o.variant == ReportVariant::kPublishable
                      ? "Publishable: disclosure control applied"
                      : "Restricted: exact counts, for the partnership only. Do not publish.");
  if (o.variant == ReportVariant::kPublishable) pair("Disclosure control", DescribeRule(o.disclosure));
  pair("Reproduce with", o.command);
  ++row;
  worksheet_write_string(contents, static_cast<lxw_row_t>(row), 0, "Sheet", bold);
  worksheet_write_string(contents, static_cast<lxw_row_t>(row), 1, "Table (population)", bold);
  ++row;
  for (const PublishedTable& t : pub.current.tables) {
    const std::string note = t.withheld ? " - withheld: too few to publish safely" : "";
    pair(t.name, fmt::format("{} ({}){}", t.title, t.population, note));
  }
  for (const PublishedTable& t : pub.current.tables) {
    if (t.withheld) continue;
    lxw_worksheet* ws = workbook_add_worksheet(wb, t.name.substr(0, 31).c_str());
    if (!ws) {
      workbook_close(wb);
      return Status::Internal("cannot add worksheet " + t.name);
    }
    worksheet_set_column(ws, 0, 0, 48, nullptr);
    worksheet_set_column(ws, 1, 2, 16, nullptr);
    worksheet_write_string(ws, 0, 0, t.title.c_str(), title);
    worksheet_write_string(ws, 1, 0, fmt::format("{}; population: {}", PeriodText(f.period), t.population).c_str(),
                           nullptr);
    const PublishedTable* prev = pub.previous.Find(t.name);
    const bool compare = SameLabels(&t, prev);
    worksheet_write_string(ws, 3, 0, t.group_heading.c_str(), bold);
    worksheet_write_string(ws, 3, 1, "This period", bold);
    if (compare) worksheet_write_string(ws, 3, 2, "Previous period", bold);
    auto put = [&](lxw_row_t r, lxw_col_t c, const ShownCell& cell) {
      if (cell.value) {
        worksheet_write_number(ws, r, c, static_cast<double>(*cell.value), number);
      } else {
        worksheet_write_string(ws, r, c, "c", right);
      }
    };
    lxw_row_t r = 4;
    for (size_t i = 0; i < t.labels.size(); ++i, ++r) {
      worksheet_write_string(ws, r, 0, t.labels[i].c_str(), nullptr);
      put(r, 1, t.cells[i]);
      if (compare) put(r, 2, prev->cells[i]);
    }
    worksheet_write_string(ws, r, 0, "Total", bold);
    put(r, 1, t.total);
    if (compare) put(r, 2, prev->total);
    if (o.variant == ReportVariant::kPublishable) {
      worksheet_write_string(ws, r + 2, 0, "c: suppressed to protect privacy (see Contents).", nullptr);
    }
  }
  const lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return Status::IoError(fmt::format("cannot write {}: {}", tmp.string(), lxw_strerror(err)));
  if (::chmod(tmp.c_str(), 0600) != 0) return Status::IoError("cannot chmod " + tmp.string());
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) return Status::IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

PublishedProfile PublishProfile(const ProfileFigures& figures, const ProfileWriteOptions& options) {
  if (options.variant == ReportVariant::kRestricted) {
    return {PublishExact(figures.tables), PublishExact(figures.previous_tables)};
  }
  return {Protect(figures.tables, options.disclosure), Protect(figures.previous_tables, options.disclosure)};
}

std::string TableCsv(const PublishedTable& table) {
  std::string out = "group,count\n";
  for (size_t i = 0; i < table.labels.size(); ++i) {
    out +=
        CsvField(table.labels[i]) + "," + (table.cells[i].value ? std::to_string(*table.cells[i].value) : "c") + "\n";
  }
  out += "Total," + (table.total.value ? std::to_string(*table.total.value) : std::string("c")) + "\n";
  return out;
}

std::string IndexCsv(const Publication& publication) {
  std::string out = "table,population,title\n";
  for (const PublishedTable& t : publication.tables) {
    if (t.withheld) continue;
    out += CsvField(t.name) + "," + CsvField(t.population) + "," + CsvField(t.title) + "\n";
  }
  return out;
}

std::string RenderProfileHtml(const ProfileFigures& f, const PublishedProfile& pub, const ProfileWriteOptions& o) {
  const bool publishable = o.variant == ReportVariant::kPublishable;
  const std::string title = "Problem profile: child sexual exploitation";
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<meta name=\"riskradar-variant\" content=\"{}\">\n", ToString(o.variant));
  out += fmt::format("<title>{}: {}, {}</title>\n", Esc(title), Esc(f.partnership), PeriodText(f.period));
  out += fmt::format("<style>{}</style>\n</head>\n<body>\n", kProfileCss);
  out += fmt::format("<header class=\"header\"><p>{}</p></header>\n", Esc(f.partnership));
  out += publishable ? "<div class=\"banner publishable\" role=\"note\">Publishable version: small numbers are "
                       "suppressed (see \"About these figures\").</div>\n"
                     : "<div class=\"banner\" role=\"note\">Restricted: exact counts for the partnership only. Do not "
                       "publish or share outside the partnership.</div>\n";
  out += "<main>\n";
  out += fmt::format("<h1>{}</h1>\n<p class=\"lead\">{}, {}; compared with {}.</p>\n", Esc(title), Esc(f.partnership),
                     PeriodText(f.period), PeriodText(f.previous));
  out += "<dl class=\"figures\" aria-label=\"Key figures\">\n";
  out +=
      KeyFigure("Children on the risk radar", pub.current.Find("radar_by_level"), pub.previous.Find("radar_by_level"));
  out += KeyFigure("Suspected offenders active", pub.current.Find("offenders_by_sex"),
                   pub.previous.Find("offenders_by_sex"));
  out += KeyFigure("Offender networks active", pub.current.Find("networks_by_size"),
                   pub.previous.Find("networks_by_size"));
  out += KeyFigure("Places of concern seen", pub.current.Find("places_by_type"), pub.previous.Find("places_by_type"));
  out += "</dl>\n";
  out += HtmlParagraph(
      f.radar_assessed_on
          ? fmt::format("The radar is as assessed on {} (the newest assessment on or before the period's end).",
                        f.radar_assessed_on->ToIso())
          : std::string("No child had been assessed by the period's end: the radar is empty."));
  out += "<nav aria-label=\"Contents\"><h2 id=\"contents\">Contents</h2><ol>\n";
  for (const ProfileSection& s : f.sections)
    out += fmt::format("<li><a href=\"#{}\">{}</a></li>\n", s.id, Esc(s.title));
  out +=
      "<li><a href=\"#about\">About these figures</a></li>\n<li><a href=\"#appendix\">Appendix: tables and how to "
      "reproduce them</a></li>\n</ol></nav>\n";

  for (const ProfileSection& s : f.sections) {
    out += fmt::format("<section aria-labelledby=\"{0}\">\n<h2 id=\"{0}\">{1}</h2>\n", s.id, Esc(s.title));
    out += HtmlParagraph(s.intro);
    for (const std::string& name : s.tables) {
      const PublishedTable* t = pub.current.Find(name);
      if (!t) continue;
      out += fmt::format("<h3>{}</h3>\n", Esc(t->title));
      if (t->withheld) {
        out += "<div class=\"withheld\">" +
               HtmlParagraph("Not published for this period: the numbers are too small to publish safely.") +
               "</div>\n";
        continue;
      }
      if (std::find(s.charts.begin(), s.charts.end(), name) != s.charts.end()) out += ChartHtml(*t);
      if (s.map_table == name && !o.districts.empty()) {
        std::map<std::string, ShownCell> values;
        for (size_t i = 0; i < t->labels.size(); ++i) values[t->labels[i]] = t->cells[i];
        out += fmt::format(
            "<figure>\n{}\n<figcaption>{} (map; the figures are in the table below)</figcaption>\n"
            "</figure>\n",
            RenderDistrictMapSvg("map-" + name, t->title, o.districts, values), Esc(t->title));
      }
      out += t->columns > 0 ? CrossHtml(*t, pub.current) : OneWayHtml(*t, pub.previous.Find(name));
    }
    if (s.id == "quality") {
      const PublishedTable* records = pub.current.Find("records_by_agency");
      out +=
          "<table id=\"table-link-rates\">\n<caption>Link rate by agency</caption>\n<thead><tr><th scope=\"col\">"
          "Agency</th><th scope=\"col\" class=\"num\">Records about a person another agency also holds records on"
          "</th></tr></thead>\n<tbody>\n";
      for (size_t i = 0; i < f.link_rates.size(); ++i) {
        const AgencyLinkRate& r = f.link_rates[i];
        // A rate only where its agency's count is published (it is a share of that count).
        const bool shown =
            records && !records->withheld && i < records->cells.size() && records->cells[i].value && r.records > 0;
        out += fmt::format(
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>\n", Esc(r.agency),
            shown ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(r.linked) / static_cast<double>(r.records))
                  : std::string(r.records == 0 ? "no records" : "c"));
      }
      out += "</tbody>\n</table>\n";
      out += "<table id=\"table-data-quality\">\n<caption>Rows and events</caption>\n<tbody>\n";
      out += fmt::format("<tr><th scope=\"row\">Rows quarantined as invalid (all imports to date)</th>{}</tr>\n",
                         CellHtml(LoneCount(f.quarantined_rows, o)));
      out += fmt::format("<tr><th scope=\"row\">Agency records of events in the period</th>{}</tr>\n",
                         CellHtml(LoneCount(f.source_events, o)));
      out += fmt::format(
          "<tr><th scope=\"row\">Events in the period after event linkage (each counted once)</th>"
          "{}</tr>\n",
          CellHtml(LoneCount(f.resolved_events, o)));
      out += "</tbody>\n</table>\n";
    }
    out += "</section>\n";
  }

  out += "<section aria-labelledby=\"about\">\n<h2 id=\"about\">About these figures</h2>\n";
  out += HtmlParagraph(fmt::format(
      "Risk levels come from the screening model {}; practitioners review every level and can override it, and the "
      "override counts here. Each child is counted once, at the level of their newest assessment on or before the "
      "period's last day; the previous period's figures are its own profile's, published under the same rule.",
      f.model_version.empty() ? "(no assessment found)" : f.model_version));
  if (publishable) {
    out += fmt::format("<div class=\"note\" id=\"disclosure\"><h3>Disclosure control</h3>\n{}</div>\n",
                       HtmlParagraph(DescribeRule(o.disclosure) + " \"c\" marks a suppressed count."));
  } else {
    out += "<div class=\"note\" id=\"disclosure\">" +
           HtmlParagraph(
               "This restricted version shows exact counts, including small numbers that could identify a child. "
               "Use the publishable version for anything shared outside the partnership.") +
           "</div>\n";
  }
  out += HtmlParagraph(
      "Ethnic groups are the Census 2021 high-level groups that the agencies' own codes (the school census, "
      "NHS ethnic category and council case systems) map to; a child with no stated ethnicity is counted as "
      "not recorded. Looked-after status is whether any agency recorded the child as looked after by the "
      "period's end. The agency of first record is the kind of agency whose record about the child is the "
      "earliest.");
  out += "</section>\n";

  out +=
      "<section aria-labelledby=\"appendix\">\n<h2 id=\"appendix\">Appendix: tables and how to reproduce them</h2>\n";
  out += HtmlParagraph(
      "Every figure in this report is reproduced from the store by the command below; the same tables are "
      "written as CSV (tables/<name>.csv, header group,count, a last row Total; tables/index.csv lists them "
      "with the population each one partitions) and as an Excel workbook (profile.xlsx).");
  out += fmt::format("<p><code>{}</code></p>\n", Esc(o.command));
  out +=
      "<table id=\"table-appendix\">\n<caption>Tables</caption>\n<thead><tr><th scope=\"col\">File</th>"
      "<th scope=\"col\">Population</th><th scope=\"col\">Title</th></tr></thead>\n<tbody>\n";
  for (const PublishedTable& t : pub.current.tables) {
    out += fmt::format("<tr><td><code>tables/{}.csv</code></td><td>{}</td><td>{}{}</td></tr>\n", Esc(t.name),
                       Esc(t.population), Esc(t.title), t.withheld ? " (withheld for this period)" : "");
  }
  out += "</tbody>\n</table>\n";
  out += HtmlParagraph(
      "District boundaries: Office for National Statistics, Open Government Licence v3.0; contains OS data "
      "(c) Crown copyright and database right. Boundaries via \"GeoJSON and TopoJSON UK Boundary Data\" by "
      "Martin Chorley, CC BY 4.0. All people in this synthetic partnership are fictional.");
  out += "</section>\n</main>\n";
  out += fmt::format("<footer>Produced by riskradar {}{}.</footer>\n</body>\n</html>\n", RISKRADAR_VERSION,
                     o.generated_on ? " on " + o.generated_on->ToIso() : "");
  return out;
}

Status WriteProfile(const ProfileFigures& figures, const ProfileWriteOptions& options, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir / "tables", ec);
  if (ec) return Status::IoError("cannot create " + (dir / "tables").string() + ": " + ec.message());
  const PublishedProfile pub = PublishProfile(figures, options);
  // A table withheld now may have been written by an earlier run: remove every old table first.
  for (const auto& entry : fs::directory_iterator(dir / "tables", ec)) {
    if (entry.path().extension() == ".csv") fs::remove(entry.path(), ec);
  }
  for (const PublishedTable& t : pub.current.tables) {
    if (t.withheld) continue;
    RR_RETURN_IF_ERROR(ReplaceFile(dir / "tables" / (t.name + ".csv"), TableCsv(t)));
  }
  // The index last: a reader that finds it finds every table it lists.
  RR_RETURN_IF_ERROR(ReplaceFile(dir / "tables" / "index.csv", IndexCsv(pub.current)));
  RR_RETURN_IF_ERROR(WriteFileAtomically(dir / "profile.html", RenderProfileHtml(figures, pub, options)));
  return WriteWorkbook(figures, pub, options, dir / "profile.xlsx");
}

}  // namespace riskradar::report

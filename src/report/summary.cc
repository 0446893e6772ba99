// The console rendering of the risk radar summary.
#include "riskradar/report/summary.h"

#include <fmt/format.h>

namespace riskradar::report {
namespace {

std::string JoinRows(const std::vector<CountRow>& rows) {
  std::string out;
  for (const CountRow& row : rows) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", row.label, FormatCount(row.count));
  }
  return out;
}

}  // namespace

std::string FormatCount(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string RenderSummaryText(const Summary& s) {
  std::string out = fmt::format("{}, {}..{}\n", s.partnership, s.period_start.ToIso(), s.period_end.ToIso());
  out += fmt::format("Children on the risk radar: {} (serious {}, significant {}, at risk {})\n",
                     FormatCount(s.children_on_radar), FormatCount(s.serious), FormatCount(s.significant),
                     FormatCount(s.at_risk));
  if (!s.radar_by_district.empty()) out += fmt::format("  by district: {}\n", JoinRows(s.radar_by_district));
  out += fmt::format("Suspected offenders: {} in {} network{}\n", FormatCount(s.suspected_offenders),
                     FormatCount(s.networks), s.networks == 1 ? "" : "s");
  out += fmt::format("Places of concern: {}", FormatCount(s.places_of_concern));
  if (!s.places_by_type.empty()) out += fmt::format(" ({})", JoinRows(s.places_by_type));
  out += '\n';
  out += fmt::format("Linkage: {} agency records -> {} people", FormatCount(s.agency_records),
                     FormatCount(s.people_resolved));
  if (s.linkage_precision && s.linkage_recall) {
    out += fmt::format("; precision {:.3f} recall {:.3f} against the generator's truth", *s.linkage_precision,
                       *s.linkage_recall);
  }
  out += '\n';
  return out;
}

}  // namespace riskradar::report

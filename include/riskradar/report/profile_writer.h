// Writing the problem profile: DIR/profile.html (self-contained, prints to PDF), DIR/profile.xlsx (one sheet per
// table, libxlsxwriter) and DIR/tables/<name>.csv (header group,count; one row per category in a fixed order and
// a last row Total) with DIR/tables/index.csv (header table,population,title). In the publishable version every
// count has been through report/publication.h and a suppressed count is "c"; a withheld table is left out.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/report/html_report.h"
#include "riskradar/report/profile.h"
#include "riskradar/report/publication.h"
#include "riskradar/report/svg_map.h"

namespace riskradar::report {

struct ProfileWriteOptions {
  ReportVariant variant = ReportVariant::kRestricted;
  DisclosureConfig disclosure;
  std::string command;                   // the command that reproduces every figure (the appendix names it)
  std::vector<DistrictShape> districts;  // for the maps; none: no map
  std::optional<Date> generated_on;
};

// The two publications the profile shows: this period's and the previous period's (for the comparisons), each
// protected on its own under the same rule.
struct PublishedProfile {
  Publication current, previous;
};
PublishedProfile PublishProfile(const ProfileFigures& figures, const ProfileWriteOptions& options);

std::string RenderProfileHtml(const ProfileFigures& figures, const PublishedProfile& published,
                              const ProfileWriteOptions& options);
// CSV text of one table ("group,count", rows, "Total").
std::string TableCsv(const PublishedTable& table);
std::string IndexCsv(const Publication& publication);

// Writes everything into `dir` (created if needed); each file atomically.
Status WriteProfile(const ProfileFigures& figures, const ProfileWriteOptions& options,
                    const std::filesystem::path& dir);

}  // namespace riskradar::report

// The problem profile (issue 14) on request, for the API's /reports page: one period's publishable or exact
// tables, or the same profile as the self-contained HTML or the Excel workbook `riskradar report profile`
// writes. The profile counts every child's records in aggregate, so its read is audited ("report_profile",
// as the CLI audits it) in the same unit of work before anything is returned; the exact (restricted) version
// is for roles that may see identifying data only.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "riskradar/core/date.h"
#include "riskradar/core/status.h"

namespace riskradar::access {

inline constexpr int32_t kMaxProfileDays = 731;  // a longer period is refused (the request stays small)

struct ProfileRunRequest {
  Date from, to;                // both inclusive; to - from + 1 <= kMaxProfileDays
  bool publishable = true;      // disclosure control (config/report/disclosure.toml); false: exact counts
  std::string format = "json";  // json (the tables) | html | xlsx
  std::string partnership = "West Midlands partnership";
  std::string command;  // how to reproduce it, printed in the report's appendix
};

struct ProfileRun {
  nlohmann::json tables;  // format json: [{name, title, population, group_heading, rows:[{label,count}], total}]
  int64_t suppressed = 0, withheld = 0;  // cells suppressed and tables withheld (publishable)
  std::string file;                      // format html or xlsx: the file's bytes
};

// The request checked before anything is read: InvalidArgument naming the field (from, to, format) and why.
Status CheckProfileRequest(const ProfileRunRequest& request);

}  // namespace riskradar::access

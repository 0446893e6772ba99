// The report stage: assemble the regional summary from the store.
#pragma once

#include <string>

#include "riskradar/core/status.h"
#include "riskradar/report/summary.h"
#include "riskradar/store/store.h"

namespace riskradar::report {

struct SummaryOptions {
  std::string partnership = "West Midlands partnership";
  Date period_start;
  Date period_end;
};

// Figures come from the store only (latest assessments, resolved people and
// places, the latest network run), never from generator parameters.
Result<Summary> BuildSummary(store::Store& store, const SummaryOptions& options);

}  // namespace riskradar::report

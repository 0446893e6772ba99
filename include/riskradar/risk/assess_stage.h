// The assess stage: gather each child's linked events from the store, screen
// them with the configured model, and append the assessments (trajectory kept).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "riskradar/core/date.h"
#include "riskradar/core/status.h"
#include "riskradar/risk/screening.h"
#include "riskradar/store/store.h"

namespace riskradar::risk {

struct AssessStageReport {
  Date as_of;
  int64_t children_assessed = 0;
  std::map<RiskLevel, int64_t> by_level;
  std::string model_version;
};

// The date of the newest event in the store (the default "as of" for screening).
Result<Date> NewestEventDate(store::Store& store);

Result<AssessStageReport> RunAssessStage(store::Store& store, const ScreeningModel& model, Date as_of,
                                         const store::Actor& actor);

}  // namespace riskradar::risk

// The assess stage: gather each child's linked events from the store, screen
// them with the configured model, and append the assessments (trajectory kept).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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
  int64_t overrides_kept = 0;  // current overrides carried to the new assessment (risk/judgement.h CarryOverride)
};

// The date of the newest event in the store (the default "as of" for screening).
Result<Date> NewestEventDate(store::Store& store);

// One child's facts as the stage gathers them (events to `as_of`, after event linkage), for a practitioner's
// screening of that child; nullopt when `person_id` is no active child. Reads the store's bulk event rows.
Result<std::optional<ChildFacts>> GatherChildFacts(store::Store& store, int64_t person_id, Date as_of);

// Appends an assessment per child; a child's current override (risk/judgement.h) is kept on the new one.
Result<AssessStageReport> RunAssessStage(store::Store& store, const ScreeningModel& model, Date as_of,
                                         const store::Actor& actor);

}  // namespace riskradar::risk

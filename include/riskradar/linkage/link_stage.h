// The link stage: resolve person and place mentions in the store into stable
// Persons and Places, queue uncertain pairs for review.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "riskradar/core/date.h"
#include "riskradar/core/geography.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::linkage {

struct LinkStageOptions {
  Date as_of;  // reference date for "is a child" (age under 18)
  std::function<void(const std::string&)> progress;
};

struct LinkStageReport {
  int64_t person_mentions = 0;
  int64_t persons = 0;
  int64_t children = 0;
  int64_t persons_of_concern = 0;
  int64_t place_mentions = 0;
  int64_t places = 0;
  int64_t matches = 0;
  int64_t possibles = 0;
  int64_t persons_kept_id = 0;  // persons whose id carried over from the previous run
};

Result<LinkStageReport> RunLinkStage(store::Store& store, const Geography& geography, const LinkStageOptions& options,
                                     const store::Actor& actor);

}  // namespace riskradar::linkage

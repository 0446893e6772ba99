// The network stage: build the VOLT graph from linked events and the latest
// assessments, find offender networks and rank places; store the result.
#pragma once

#include <cstdint>

#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::network {

struct NetworkStageReport {
  int64_t networks = 0;
  int64_t persons_of_concern_in_networks = 0;
  int64_t lone_offenders = 0;
  int64_t places_of_concern = 0;
  int64_t suspected_offenders = 0;  // persons of concern at or above the priority model's offender score
};

Result<NetworkStageReport> RunNetworkStage(store::Store& store, const store::Actor& actor);

}  // namespace riskradar::network

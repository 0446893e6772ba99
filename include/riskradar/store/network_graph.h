// Store contract: the VOLT graph of the latest network run as the ego-network and export reads need it (issue 12
// item 7): its edges around given people, the people's latest levels, places by id, and the store's export
// pseudonym key. Rows and facts only, unfiltered: the access layer (access/network_graph.h) masks what a viewer
// may not see and writes the audit event.
// Thread safety: an implementation is used from one thread at a time.
// Errors: as in assessments.h; FailedPrecondition before the first network run for the edge read.
// Transactions: every read reads inside the open unit of work (unit_of_work.h); none is audited by itself.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/assessments.h"

namespace riskradar::store {

class NetworkGraphStore {
 public:
  virtual ~NetworkGraphStore() = default;

  // The latest run's edges with a person end among `person_ids` (either end of a person-to-person edge, the
  // person end of a person_place edge); every edge of the run when `person_ids` is empty. Ordered by kind, a, b.
  virtual Result<std::vector<NetworkEdge>> ReadNetworkEdges(const std::vector<int64_t>& person_ids) = 0;
  // The current level (an override's level when set) of each of `person_ids` that has an assessment and is
  // active; others are absent.
  virtual Result<std::map<int64_t, RiskLevel>> ReadLatestLevels(const std::vector<int64_t>& person_ids) = 0;
  // The active places among `place_ids`, by id.
  virtual Result<std::map<int64_t, Place>> ReadPlaces(const std::vector<int64_t>& place_ids) = 0;
  // 32 random bytes drawn once when the store was created (migration 15) and never shown: the key of the
  // stable pseudonyms of exports (the same person has the same pseudonym in every export from this store).
  virtual Result<std::string> ReadExportKey() = 0;
};

}  // namespace riskradar::store

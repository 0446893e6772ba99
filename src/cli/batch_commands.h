// Mapping safety and the quarantine round trip at the command line (batch_commands.cc): `ingest --dry-run`,
// `quarantine export --batch` in the agency's own format, `quarantine resolve`, `batch list|revert`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {

struct DryRunRequest {
  std::string db, agency, mapping, manifest, policy;
  std::vector<std::string> files;
};
// `ingest --dry-run`: reads and checks every file as ingest would and prints what would land and what would be
// quarantined (counts, and each reason with its lines). Writes nothing: an existing store is only read, a
// missing one is not created.
Status DryRunIngest(const DryRunRequest& request);

// `quarantine export --batch ID --out FILE`: the batch's open quarantined rows in its source format to FILE, and
// where and why to FILE's stem + ".reasons.csv", both 0600 (audited before either exists).
Status ExportQuarantineAsSource(store::Store& store, int64_t batch_id, const std::string& out);

}  // namespace riskradar::cli

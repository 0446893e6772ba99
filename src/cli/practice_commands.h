// The practice workflow on the command line: `alerts raise|list`, `disruptions import|list`, `actions list`,
// `mase list|show` (practice_commands.cc).
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {

// The practice stage after the analysis stages: imported police disruption events become tracker entries,
// then practitioner alerts are raised as of `today` (both idempotent). Prints one line.
Status RunPracticeStage(store::Store& store, Date today, int expiry_warning_days, const store::Actor& actor);

// Registers `alerts`, `disruptions`, `actions` and `mase`; a failing command sets `exit_code`.
void RegisterPracticeCommands(CLI::App& app, int& exit_code);

}  // namespace riskradar::cli

namespace riskradar::cli {

// DEMO ONLY (`riskradar demo-users`, right after the demo accounts are created): a MASE meeting chaired by the
// first council's manager with its generated agenda and minutes, two actions (one overdue), the police
// disruption events tracked plus one hotel notice, and the alerts they raise, all through the access layer
// and audited as the demo accounts. `created` maps the new accounts' names to their ids.
Status SeedDemoPractice(store::Store& store, const std::vector<Agency>& agencies,
                        const std::map<std::string, int64_t>& created);

}  // namespace riskradar::cli

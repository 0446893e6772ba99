// Small helpers shared by the CLI's command files.
#pragma once

#include <string>

#include "riskradar/store/store.h"

namespace riskradar::cli {

// The store path: $RISKRADAR_DB, or riskradar.db in the working directory.
std::string DefaultDbPath();

// The operator running the command, for the audit log: "cli:<login name>" with the given purpose.
store::Actor OperatorActor(std::string purpose);

}  // namespace riskradar::cli

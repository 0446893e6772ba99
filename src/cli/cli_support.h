// Small helpers shared by the CLI's command files.
#pragma once

#include <cstdint>
#include <string>

#include "riskradar/store/store.h"

namespace riskradar::cli {

// The store path: $RISKRADAR_DB, or riskradar.db in the working directory.
std::string DefaultDbPath();

// The operator running the command, for the audit log: "cli:<login name>" with the given purpose.
store::Actor OperatorActor(std::string purpose);

// The wall-clock time now, in seconds since the Unix epoch (what the access layer's now_s parameters take).
int64_t UnixNow();

}  // namespace riskradar::cli

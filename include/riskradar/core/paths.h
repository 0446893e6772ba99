// The one place that decides where config/ and the reference data are found at run time.
//
// A data directory holds config/ (mappings, screening models, linkage settings, retention policy, the
// common-password list) and data/reference/ (names, geography, with their licences), the same layout as the
// source tree and as an installed share/riskradar/. It is looked up, first match wins:
//   1. SetDataDirOverride() (the CLI's global --data-dir option);
//   2. the RISKRADAR_DATA_DIR environment variable;
//   3. the install prefix's data directory: <bindir>/../share/riskradar next to the running binary, then the
//      prefix compiled in (CMAKE_INSTALL_FULL_DATADIR/riskradar);
//   4. the source tree, only for a developer build whose binary runs from inside its own build tree.
// An explicit choice (1 or 2) that is not a data directory is an error; it never falls through.
// Thread safety: SetDataDirOverride() before any lookup (at start-up); lookups are safe from any thread.
#pragma once

#include <filesystem>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// --data-dir: takes precedence over every other source. Call before the first lookup.
void SetDataDirOverride(std::filesystem::path dir);

// The data directory, or NotFound listing every place that was tried and why each was rejected.
Result<std::filesystem::path> DataDir();

// DataDir() / relative; if there is no data directory, just `relative` (opening it then fails, naming the
// file). Callers that can report the lookup's own error should use DataDir().
std::filesystem::path DataPath(std::string_view relative);

// The two halves of a data directory.
inline std::filesystem::path ConfigPath(std::string_view relative) { return DataPath("config") / relative; }
inline std::filesystem::path ReferencePath(std::string_view relative) { return DataPath("data/reference") / relative; }

}  // namespace riskradar

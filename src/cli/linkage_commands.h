// Linkage subcommands: link-csv, linkage-eval, review, explain.
#pragma once

#include <CLI/CLI.hpp>

namespace riskradar::cli {

// Registers the subcommands on `app`; a failing command sets `exit_code`
// (which must outlive app.parse()).
void AddLinkageCommands(CLI::App& app, int& exit_code);

}  // namespace riskradar::cli

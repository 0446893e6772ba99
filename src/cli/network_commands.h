// Network subcommands: `explain person` (a person of concern's offender priority, through the access layer).
#pragma once

#include <CLI/CLI.hpp>

namespace riskradar::cli {

// Adds `person` under the existing `explain` subcommand of `app`; a failing command sets `exit_code`.
void RegisterNetworkCommands(CLI::App& app, int& exit_code);

}  // namespace riskradar::cli

// `riskradar report profile`: the problem profile for any period (issue 14), restricted or publishable.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>

#include "pipeline.h"
#include "riskradar/core/date.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {

struct ProfileRequest {
  std::string db;  // as given, for the reproducing command
  Date from, to;
  bool publishable = false;
  std::filesystem::path out_dir;
  std::filesystem::path disclosure_file;  // empty: config/report/disclosure.toml
  std::string partnership = "West Midlands partnership";
};

// Reads the store, writes the profile into out_dir (audited as "report_profile": nothing is written when the audit
// write fails) and prints one line about it.
Status RunProfile(store::Store& store, const Paths& paths, const store::Actor& actor, const ProfileRequest& request);

// Adds `profile` under the `report` command; returns it so `report` can tell it ran.
CLI::App* RegisterReportProfileCommand(CLI::App& report, int& exit_code);

}  // namespace riskradar::cli

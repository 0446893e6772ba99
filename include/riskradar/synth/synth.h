// riskradar synth: generates a synthetic West Midlands safeguarding partnership
// (agency extracts in their own formats, a manifest, and the hidden truth for evaluation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "riskradar/core/date.h"
#include "riskradar/core/status.h"

namespace riskradar::synth {

struct SynthOptions {
  uint64_t seed = 42;
  // Multiplies every population and place count linearly (1.0 is regional demo size).
  double scale = 1.0;
  // Reference data (names/, geo/). Empty means the data directory's data/reference (core/paths.h).
  std::string data_dir;
  Date period_start = *Date::FromYmd(2025, 1, 1);
  Date period_end = *Date::FromYmd(2025, 12, 31);
};

struct SynthSummary {
  size_t people = 0;
  size_t children = 0;
  size_t adults = 0;
  size_t records = 0;  // rows across all extracts
  size_t files = 0;    // extract files written
  size_t agencies = 0;
  size_t children_at_risk = 0;  // true level above none
  size_t offenders = 0;
  size_t networks = 0;
  size_t places = 0;
  size_t places_of_concern = 0;
};

// Writes manifest.json, extracts/<agency>/..., and truth/ under out_dir (created
// if missing; existing files of the same name are overwritten). The same options
// always produce byte-identical output.
Result<SynthSummary> GenerateSynthetic(const SynthOptions& options, const std::filesystem::path& out_dir);

}  // namespace riskradar::synth

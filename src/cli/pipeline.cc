// Manifest import and terminal progress for the CLI.
#include "pipeline.h"

#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "retention_policy.h"
#include "riskradar/core/geography.h"
#include "riskradar/core/paths.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"

namespace riskradar::cli {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Result<nlohmann::json> ReadManifest(const std::filesystem::path& dir) {
  const auto path = dir / "manifest.json";
  std::ifstream in(path);
  if (!in) return Status::NotFound("no manifest.json in " + dir.string());
  nlohmann::json manifest = nlohmann::json::parse(in, nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object())
    return Status::InvalidArgument(path.string() + " is not valid JSON");
  return manifest;
}

}  // namespace

Paths Paths::Defaults() {
  Paths p;
  p.config_dir = DataPath("config");
  p.data_dir = Geography::DefaultDataDir();
  return p;
}

Progress::Progress(std::string label)
    : label_(std::move(label)), tty_(isatty(STDERR_FILENO) != 0), start_(NowSeconds()) {}

void Progress::Update(int64_t rows, int64_t bytes, int64_t total_bytes) {
  if (!tty_) return;
  const double now = NowSeconds();
  if (now - last_ < 0.2) return;
  last_ = now;
  const double rate = rows / std::max(1e-6, now - start_);
  const double pct = total_bytes > 0 ? 100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes) : 0;
  std::cerr << fmt::format("\r  {}: {} rows, {:.0f} rows/s, {:.0f}%   ", label_, rows, rate, pct) << std::flush;
}

void Progress::Done() {
  if (tty_ && last_ > 0) std::cerr << "\r\033[K" << std::flush;
}

Result<PeriodOfManifest> ReadManifestPeriod(const std::filesystem::path& dir) {
  RR_ASSIGN_OR_RETURN(auto manifest, ReadManifest(dir));
  PeriodOfManifest p;
  p.name = manifest.value("partnership", "West Midlands (synthetic)");
  if (manifest.contains("period") && manifest["period"].is_object()) {
    p.start = manifest["period"].value("start", "");
    p.end = manifest["period"].value("end", "");
  }
  return p;
}

Status IngestManifest(store::Store& store, const std::filesystem::path& dir, const Paths& paths, bool verbose) {
  RR_ASSIGN_OR_RETURN(auto manifest, ReadManifest(dir));
  if (!manifest.contains("agencies") || !manifest["agencies"].is_array()) {
    return Status::InvalidArgument("manifest.json has no agencies array");
  }
  store::Actor actor;
  for (const auto& a : manifest["agencies"]) {
    Agency agency;
    agency.code = a.value("code", "");
    agency.name = a.value("name", "");
    RR_ASSIGN_OR_RETURN(agency.kind, ParseAgencyKind(a.value("kind", "")));
    agency.area = a.value("area", "");
    if (agency.code.empty()) return Status::InvalidArgument("manifest.json: an agency has no code");
    RR_RETURN_IF_ERROR(store.UpsertAgency(agency));
    if (!a.contains("extracts")) continue;
    for (const auto& x : a["extracts"]) {
      const std::filesystem::path file = dir / x.value("file", "");
      const std::filesystem::path mapping_path = paths.config_dir / "mappings" / x.value("mapping", "");
      RR_ASSIGN_OR_RETURN(auto mapping, ingest::Mapping::FromFile(mapping_path));
      RR_RETURN_IF_ERROR(RequireRetentionRule(mapping.record_class, (paths.config_dir / "retention.toml").string()));
      Progress progress(file.filename().string());
      auto result = ingest::ImportFile(store, mapping, agency.code, file, actor, [&](const ingest::ImportProgress& p) {
        progress.Update(p.rows, p.bytes_read, p.file_size);
      });
      progress.Done();
      if (!result.ok()) return result.status().WithContext("importing " + file.string());
      if (verbose) {
        const auto& c = result->batch.counts;
        std::cout << fmt::format("  {:<10} {:<42} {}\n", agency.code, file.filename().string(),
                                 result->already_imported
                                     ? std::string("already imported")
                                     : fmt::format("{} rows: {} landed, {} unchanged, {} quarantined", c.rows_in,
                                                   c.landed, c.unchanged, c.quarantined));
      }
    }
  }
  return Status::Ok();
}

}  // namespace riskradar::cli

// Pipeline steps shared by the stage subcommands and `riskradar demo`.
#pragma once

#include <filesystem>
#include <string>

#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {

struct Paths {
  std::filesystem::path config_dir;  // mappings and screening models
  std::filesystem::path data_dir;    // reference data (names, geography)
  static Paths Defaults();
};

// Prints progress on a terminal, nothing otherwise.
class Progress {
 public:
  explicit Progress(std::string label);
  void Update(int64_t rows, int64_t bytes, int64_t total_bytes);
  void Done();

 private:
  std::string label_;
  bool tty_;
  double start_;
  double last_ = 0;
};

// Registers the agencies of a synthetic partnership manifest and imports every extract.
Status IngestManifest(store::Store& store, const std::filesystem::path& partnership_dir, const Paths& paths,
                      bool verbose);

struct PeriodOfManifest {
  std::string start, end, name;
};
Result<PeriodOfManifest> ReadManifestPeriod(const std::filesystem::path& partnership_dir);

}  // namespace riskradar::cli

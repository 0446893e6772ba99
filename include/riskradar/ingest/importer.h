// Importing one agency extract: read, validate and normalise each row against
// its mapping, land the good rows and quarantine the bad ones, all in one
// transaction per batch (a crash leaves the whole batch or none of it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/store/store.h"

namespace riskradar::ingest {

// A source row's fields by column name (CSV) or dotted path (JSON Lines).
class RowFields {
 public:
  virtual ~RowFields() = default;
  // nullopt when the column or path is absent; an empty view when present but empty.
  virtual std::optional<std::string> Get(std::string_view column) const = 0;
};

struct RowProblem {
  std::string column;
  std::string value;  // redacted where identifying
  std::string reason;
};

// Validates and normalises one row. Returns false, with the problems, when
// the row must be quarantined. `out.record` gets local id, agency, class and basis.
bool ConvertRow(const Mapping& mapping, const RowFields& fields, std::string_view agency_code, store::ParsedRow& out,
                std::vector<RowProblem>& problems);

// Shows an identifying value only by its first character and length.
std::string RedactValue(std::string_view value);

struct ImportProgress {
  int64_t rows = 0;
  int64_t bytes_read = 0;
  int64_t file_size = 0;
};
using ProgressFn = std::function<void(const ImportProgress&)>;

struct ImportResult {
  store::BatchInfo batch;
  bool already_imported = false;  // the same file was imported before: nothing was done
};

Result<ImportResult> ImportFile(store::Store& store, const Mapping& mapping, const std::string& agency_code,
                                const std::filesystem::path& file, const store::Actor& actor,
                                const ProgressFn& progress = {});

}  // namespace riskradar::ingest

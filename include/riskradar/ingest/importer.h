// Importing one agency extract: read, validate and normalise each row against
// its mapping, land the good rows and quarantine the bad ones, all in one
// transaction per batch (a crash leaves the whole batch or none of it).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/json_text.h"
#include "riskradar/core/status.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/store/store.h"

namespace riskradar::ingest {

// A source row's fields, looked up by a mapping's field spec (CSV column or JSON Lines dotted path).
class RowFields {
 public:
  virtual ~RowFields() = default;
  // nullopt when the column or path is absent; an empty view when present but empty. The view stays valid
  // while this object and the row it reads do.
  virtual std::optional<std::string_view> Get(const FieldSpec& field) const = 0;
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

// The positions of a mapping's columns in one CSV header, resolved once per file so that each field of each
// row is found by index rather than by name.
class CsvColumns {
 public:
  // Checks the header against the mapping (which must be indexed: Mapping::IndexColumns): every header column is
  // read or ignored, none appears twice, and every column the mapping reads is present. `file` is for messages.
  static Result<CsvColumns> Resolve(const Mapping& mapping, const std::vector<std::string>& header,
                                    std::string_view file);
  // The field's position in a row, or -1 when the field reads no column.
  int Position(const FieldSpec& field) const {
    return field.slot >= 0 && static_cast<size_t>(field.slot) < slot_position_.size() ? slot_position_[field.slot] : -1;
  }
  size_t size() const { return header_.size(); }
  const std::vector<std::string>& header() const { return header_; }
  // Header positions in the order of their names as raw-row JSON keys (byte order).
  const std::vector<size_t>& key_order() const { return key_order_; }
  // For each key in that order, its JSON text with the separator before it and the colon after it.
  const std::vector<std::string>& json_keys() const { return json_keys_; }

 private:
  std::vector<std::string> header_;  // as in the file (the raw-row JSON keys)
  std::vector<int> slot_position_;   // Mapping::columns slot -> position in the row
  std::vector<size_t> key_order_;
  std::vector<std::string> json_keys_;
};

class CsvRowFields final : public RowFields {
 public:
  CsvRowFields(const CsvColumns& columns, const std::vector<std::string>& fields)
      : columns_(columns), fields_(fields) {}
  std::optional<std::string_view> Get(const FieldSpec& field) const override {
    const int pos = columns_.Position(field);
    if (pos < 0 || static_cast<size_t>(pos) >= fields_.size()) return std::nullopt;
    return std::string_view(fields_[pos]);
  }

 private:
  const CsvColumns& columns_;
  const std::vector<std::string>& fields_;
};

// Appends a CSV row as a JSON object of header name -> field, keys in byte order (nlohmann::json's order).
void AppendCsvRowJson(std::string& out, const CsvColumns& columns, const std::vector<std::string>& fields);

// What becomes of one source row, decided without a store: a row to land, or a quarantine entry.
struct RowOutcome {
  bool ok = false;
  store::ParsedRow row;              // when ok; raw_json, content_hash and line are filled
  store::QuarantinedRow quarantine;  // when not ok: line, column, value, reason and raw (file and batch are not)
  std::vector<RowProblem> problems;  // scratch, kept to reuse its memory
};

// One CSV record (not the header) through the mapping.
void ConvertCsvRecord(const Mapping& mapping, const CsvColumns& columns, std::string_view agency_code,
                      const CsvRecord& record, char delimiter, RowOutcome& out);
// One JSON Lines line (not blank) through the mapping.
void ConvertJsonLine(const Mapping& mapping, std::string_view agency_code, std::string_view line, int64_t line_number,
                     bool invalid_utf8, RowOutcome& out);

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

// Imports one file as one batch (nothing of it is visible before its commit). Each quarantined row keeps its local
// record id; the batch's commit resolves the open quarantined rows of earlier batches that a row of it corrects
// (store/imports.h, "Quarantine resolution").
Result<ImportResult> ImportFile(store::Store& store, const Mapping& mapping, const std::string& agency_code,
                                const std::filesystem::path& file, const store::Actor& actor,
                                const ProgressFn& progress = {});

// What ImportFile would do, without writing anything: the same reading, checks and conversions, with every row
// that passes counted in `counts.landed` (new or already stored alike) and every row that would be quarantined
// kept with its line, column and reason (no raw row, no value). The store, when given, is only read: a file it
// has already imported is reported as such.
struct DryRunResult {
  std::optional<store::BatchInfo> already_imported;
  store::BatchCounts counts;
  std::vector<store::QuarantinedRow> quarantined;
};
Result<DryRunResult> DryRunImport(store::ImportStore* store, const Mapping& mapping, const std::string& agency_code,
                                  const std::filesystem::path& file, const ProgressFn& progress = {});

}  // namespace riskradar::ingest

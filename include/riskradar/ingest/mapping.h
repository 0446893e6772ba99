// Mapping files: how one agency format's fields become riskradar records
// (docs/mapping-files.md). Loaded from TOML and checked strictly, so a typo in
// a mapping is reported with the file and key before any data is read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/ingest/readers.h"

namespace riskradar::ingest {

struct FieldSpec {
  std::string column;                // source column or dotted JSON path; empty when `value` is used
  std::optional<std::string> value;  // constant
  std::string format;                // date format
  std::vector<std::pair<std::string, std::string>> map;  // lower-cased source value -> target
  std::optional<std::string> default_value;
  bool required = false;
  size_t max_length = 0;  // 0: the kind's default limit
  int slot = -1;          // index of `column` in Mapping::columns (Mapping::IndexColumns), or -1

  bool defined() const { return !column.empty() || value.has_value(); }
};

struct PersonSpec {
  bool defined = false;
  FieldSpec role, local_person_id, forename, surname, dob, sex, postcode, nhs_number, upn;
  FieldSpec ethnicity;  // optional: the agency's code mapped to a Census 2021 group (core/ethnicity.h)
};

struct PlaceSpec {
  bool defined = false;
  FieldSpec name, type, postcode, lat, lon;
};

struct EventSpec {
  FieldSpec kind, category, date, detail;
  FieldSpec time;  // optional: the time of day, by a format with %H and %M (e.g. of a date-time column)
};

enum class FileType { kCsv, kJsonLines, kXlsx };

struct Mapping {
  std::string source;  // where the mapping was loaded from, for messages
  std::string format;
  std::string description;
  FileType file_type = FileType::kCsv;
  Encoding encoding = Encoding::kUtf8;
  char delimiter = ',';
  std::string record_class;
  std::string lawful_basis;
  std::string local_id;  // column or path
  std::vector<std::string> ignore;
  EventSpec event;
  PersonSpec subject, associate;
  PlaceSpec place;

  // The sorted, distinct columns the mapping reads; each field's `slot` indexes it. Filled by IndexColumns(), so
  // a reader resolves each column to its position once per file rather than by name once per field per row.
  std::vector<std::string> columns;
  FieldSpec local_id_field;  // `local_id` as a required field, filled by IndexColumns()

  static Result<Mapping> FromToml(std::string_view text, std::string_view source_name);
  static Result<Mapping> FromFile(const std::filesystem::path& path);
  // Every column or path the mapping reads.
  std::vector<std::string> UsedColumns() const;
  // Fills `columns` and every field's `slot`. FromToml calls it; call it again after editing fields by hand.
  void IndexColumns();
  // True when `columns` and every slot match the fields as they are now.
  bool ColumnsIndexed() const;
  // True when the column is read or deliberately ignored (a JSON path is also
  // known when an ignored path is its prefix).
  bool KnowsColumn(std::string_view column) const;
};

// The mapping file a `--mapping` argument names. An argument that contains a '/' or ends in ".toml" is a path, used
// as given; anything else is the name of a shipped mapping, `<mappings_dir>/<name>.toml` (NotFound, listing the
// names there, when there is none). So `police-intelligence` is the shipped mapping and `./police-intelligence`
// or `my.toml` a file.
Result<std::filesystem::path> ResolveMappingArgument(std::string_view argument,
                                                     const std::filesystem::path& mappings_dir);

}  // namespace riskradar::ingest

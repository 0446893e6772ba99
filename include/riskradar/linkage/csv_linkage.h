// Linking or de-duplicating arbitrary CSV files with the generic engine: the
// settings file (TOML), reading and validating the inputs, writing the results.
// `riskradar link-csv` is a thin shell around this.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

// How a value is checked before linkage; a value that fails is missing (and counted).
enum class ValueCheck { kNone, kNhsNumber, kUpn };

struct CsvField {
  std::string column;       // CSV header name
  std::string kind_name;    // as written: forename, full_name, email, town, ...
  std::string date_format;  // date_of_birth: strftime-style; empty = ISO or YYYYMMDD
  ValueCheck check = ValueCheck::kNone;
};

// Settings, e.g.
//   id_column = "unique_id"
//   link_only = true              # two or more inputs: compare only across files (default: true with 2+ inputs)
//   [[field]]
//   column = "first_name"
//   kind = "forename"             # forename | surname | full_name | date_of_birth | postcode | email | town
//                                 # | identifier | sex | text | string
//   swap_with = "surname"         # forename only: the surname column it may be swapped with
//   date_format = "%d/%m/%Y"      # date_of_birth only
//   check = "nhs_number"          # identifier only: nhs_number | upn (bad check digit = missing)
//   cannot_link = true            # different values = different entities
//   term_frequency = true
//   [blocking]
//   rules = ["dob", "surname:soundex & dob:year"]   # default: planned within the budget (blocking_plan.h)
//   budget = 10000000             # candidate pairs the planner may spend (default: 10 per record, at least 4M)
//   [thresholds]
//   match_probability = 0.95
//   possible_probability = 0.5
//   contradiction_weight = -6
//   contradiction_disagreement = 11   # bits against from the disagreeing fields (engine.h)
//   [options]
//   max_block_size = 2000
//   delimiter = ","
//   encoding = "utf-8"            # utf-8 | windows-1252 | auto
struct CsvLinkSettings {
  std::string source;  // file name, for messages
  std::string id_column;
  std::vector<CsvField> fields;  // parallel to spec.fields
  LinkageSpec spec;              // field names are the column names
  LinkageOptions options;
  std::optional<bool> link_only;  // unset: true when there are two or more inputs
  char delimiter = ',';
  std::string encoding = "utf-8";
  bool default_blocking = false;  // no rules given: Link plans them within options.blocking_budget
};

// Errors name the settings file, the line and the key.
Result<CsvLinkSettings> ParseCsvLinkSettings(std::string_view toml_text, std::string_view source_name);
Result<CsvLinkSettings> LoadCsvLinkSettings(const std::filesystem::path& path);

// The candidate rules the planner starts from when the settings give none
// (CandidateBlockingRules in blocking_plan.h).
std::vector<BlockingRule> DefaultBlockingRules(const LinkageSpec& spec);

struct CsvInputs {
  std::vector<Record> records;            // values normalised for the engine; record.source = input name
  std::vector<std::string> record_ids;    // the id column, per record
  std::vector<std::string> source_names;  // one per input file (file stem, made unique)
  // Values that did not parse (impossible date, bad check digit), treated as missing: per column.
  std::map<std::string, int64_t> unparsed;
  std::map<std::string, std::string> unparsed_example;  // column -> "file:line value"
};

// Reads every input through the ingest CSV reader. A missing column, a record
// with the wrong number of fields or a broken quote is an error naming the file,
// line and field; an unparseable value is missing and counted.
Result<CsvInputs> ReadCsvInputs(const CsvLinkSettings& settings, const std::vector<std::filesystem::path>& paths);

// Writes dir/clusters.csv (record_id,cluster_id[,source]) and dir/pairs.csv
// (left_id,right_id,match_weight,match_probability[,left_source,right_source]) atomically.
Status WriteCsvLinkOutputs(const std::filesystem::path& dir, const CsvInputs& inputs, const LinkResult& result);

}  // namespace riskradar::linkage

// Entry functions of the fuzz targets: the code under test plus the invariants it must keep on any input.
#include "fuzz_entries.h"

#include <nlohmann/json.hpp>

#include <string_view>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/readers.h"

namespace riskradar::fuzz {
namespace {

using ingest::CsvColumns;
using ingest::Mapping;

// Reads every field kind: coded values, dates, identifiers, postcodes, free text, numbers, both people, a place.
constexpr char kCsvMapping[] = R"(
format = "fuzz-csv"
record_class = "child_protection"
lawful_basis = "fuzz"
local_id = "id"
ignore = ["skip"]
[event]
kind = { column = "kind", map = { "m" = "missing_episode", "r" = "referral", "s" = "sighting" } }
category = { column = "cat", map = { "o" = "missing_overnight", "c" = "cse_concern" }, default = "other" }
date = { column = "date", format = "%d/%m/%Y" }
detail = { column = "note", max_length = 50 }
[subject]
role = { value = "child" }
local_person_id = { column = "pid" }
forename = { column = "fn" }
surname = { column = "sn" }
dob = { column = "dob", format = "%d-%b-%y" }
sex = { column = "sex", map = { "f" = "female", "m" = "male" } }
postcode = { column = "pc" }
nhs_number = { column = "nhs" }
upn = { column = "upn" }
[associate]
role = { column = "arole", map = { "a" = "adult", "p" = "person_of_concern" }, default = "associate" }
forename = { column = "afn" }
dob = { column = "adob", format = "%Y%m%d" }
[place]
name = { column = "place" }
type = { column = "ptype", map = { "h" = "hotel" }, default = "other" }
postcode = { column = "ppc" }
lat = { column = "lat" }
lon = { column = "lon" }
)";

const std::vector<std::string> kCsvHeader = {"id",    "kind",  "cat", "date", "note", "pid",   "fn",  "sn",
                                             "dob",   "sex",   "pc",  "nhs",  "upn",  "arole", "afn", "adob",
                                             "place", "ptype", "ppc", "lat",  "lon",  "skip"};

constexpr char kJsonMapping[] = R"(
format = "fuzz-jsonl"
file_type = "jsonl"
record_class = "police_intelligence"
lawful_basis = "fuzz"
local_id = "ref"
ignore = ["officer", "extra"]
[event]
kind = { column = "type" }
category = { column = "category", default = "other" }
date = { column = "date" }
detail = { column = "summary", max_length = 100 }
[subject]
role = { column = "subject.role", map = { "CHILD" = "child", "SUSPECT" = "person_of_concern" }, default = "child" }
forename = { column = "subject.name.given" }
surname = { column = "subject.name.family" }
dob = { column = "subject.dob" }
nhs_number = { column = "subject.nhs" }
[associate]
role = { value = "person_of_concern" }
forename = { column = "associate.given_name" }
[place]
name = { column = "location.name" }
type = { column = "location.type" }
postcode = { column = "location.postcode" }
lat = { column = "location.lat" }
lon = { column = "location.lon" }
)";

const Mapping& CsvMapping() {
  static const Mapping m = *Mapping::FromToml(kCsvMapping, "fuzz-csv.toml");
  return m;
}
const CsvColumns& CsvHeaderColumns() {
  static const CsvColumns c = *CsvColumns::Resolve(CsvMapping(), kCsvHeader, "fuzz.csv");
  return c;
}
const Mapping& JsonMapping() {
  static const Mapping m = *Mapping::FromToml(kJsonMapping, "fuzz-jsonl.toml");
  return m;
}

// Checks what any landed row must satisfy; returns a problem or "".
std::string CheckOutcome(const ingest::RowOutcome& out) {
  if (!out.ok) return out.quarantine.reason.empty() ? "a quarantined row has no reason" : "";
  const auto& r = out.row.record;
  if (r.local_id.empty()) return "a landed row has no local id";
  if (r.content_hash.size() != 64) return "content hash is not 64 hex digits";
  if (!ingest::IsValidUtf8(r.raw_json)) return "raw_json is not valid UTF-8";
  const nlohmann::json parsed = nlohmann::json::parse(r.raw_json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return "raw_json is not a JSON object: " + r.raw_json;
  if (parsed.dump() != r.raw_json) return "raw_json is not in canonical form: " + r.raw_json;
  for (const std::string* text : {&out.row.subject.forename, &out.row.subject.surname, &out.row.event.detail}) {
    if (!ingest::IsValidUtf8(*text)) return "a stored field is not valid UTF-8";
  }
  if (out.row.subject.dob && *out.row.subject.dob > out.row.event.date) return "date of birth after the event landed";
  return "";
}

std::vector<std::string_view> Split(std::string_view text, char sep, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const size_t at = text.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  parts.push_back(text);
  return parts;
}

}  // namespace

std::string CsvReaderEntry(const uint8_t* data, size_t size) {
  if (size == 0) return "";
  // The first byte picks the encoding, delimiter and how many lines a quoted field may span.
  const uint8_t control = data[0];
  const ingest::Encoding encoding = control % 3 == 0   ? ingest::Encoding::kUtf8
                                    : control % 3 == 1 ? ingest::Encoding::kWindows1252
                                                       : ingest::Encoding::kAuto;
  const char delimiters[] = {',', ';', '\t', '|'};
  const char delimiter = delimiters[(control / 3) % 4];
  const int max_lines = 1 + (control / 12) % 8;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto reader = ingest::CsvReader::FromString(text, encoding, delimiter, max_lines);
  reader->set_expected_fields(kCsvHeader.size());
  ingest::CsvRecord record;
  ingest::RowOutcome outcome;
  int64_t previous_line = 0;
  size_t records = 0;
  while (reader->Next(record)) {
    if (++records > size + 1) return "more records than bytes: the reader does not advance";
    if (record.line <= previous_line) return "record lines do not increase";
    if (record.end_line < record.line) return "a record ends before it starts";
    if (record.end_line - record.line >= max_lines) return "a record spans more lines than allowed";
    if (record.fields.empty()) return "a record has no fields";
    previous_line = record.line;
    if (encoding != ingest::Encoding::kUtf8) {
      if (record.invalid_utf8) return "converted text flagged as invalid UTF-8";
      for (const auto& f : record.fields) {
        if (!ingest::IsValidUtf8(f)) return "converted text is not valid UTF-8";
      }
    }
    ingest::ConvertCsvRecord(CsvMapping(), CsvHeaderColumns(), "fuzz", record, delimiter, outcome);
    if (std::string problem = CheckOutcome(outcome); !problem.empty()) return problem;
  }
  return "";
}

std::string JsonLinesEntry(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ingest::RowOutcome outcome;
  int64_t number = 0;
  for (std::string_view line : Split(text, '\n', 64)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ingest::ConvertJsonLine(JsonMapping(), "fuzz", line, number, false, outcome);
    if (std::string problem = CheckOutcome(outcome); !problem.empty()) return problem;
  }
  return "";
}

std::string FieldValidatorsEntry(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string_view> parts = Split(text, '\n', 24);
  const char* formats[] = {"%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y", "%Y%m%d", "%d/%m/%y", "%d.%m.%Y %H:%M", "%b %d %Y"};
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string_view p = parts[i];
    const char* format = formats[i % (sizeof formats / sizeof formats[0])];
    if (auto d = Date::Parse(p, format); d.ok()) {
      auto again = Date::ParseIso(d->ToIso());
      if (!again.ok() || *again != *d) return "a parsed date does not survive ISO formatting: " + d->ToIso();
    }
    if (auto iso = Date::ParseIso(p); iso.ok()) {
      if (!Date::FromYmd(iso->year(), iso->month(), iso->day())) return "ParseIso accepted an impossible date";
    }
    if (auto nhs = NormaliseNhsNumber(p); nhs.ok()) {
      if (nhs->size() != 10 || !IsValidNhsNumber(*nhs)) return "a normalised NHS number is not 10 valid digits";
      auto again = NormaliseNhsNumber(*nhs);
      if (!again.ok() || *again != *nhs) return "NHS number normalisation is not idempotent";
    }
    if (auto upn = NormaliseUpn(p); upn.ok()) {
      if (upn->size() != 13) return "a normalised UPN is not 13 characters";
      auto again = NormaliseUpn(*upn);
      if (!again.ok() || *again != *upn) return "UPN normalisation is not idempotent";
    }
    if (auto pc = NormalisePostcode(p); pc.ok()) {
      auto again = NormalisePostcode(*pc);
      if (!again.ok() || *again != *pc) return "postcode normalisation is not idempotent: " + *pc;
      if (pc->find(' ') == std::string::npos) return "a normalised postcode has no space";
      if (PostcodeDistrict(*pc).empty() || PostcodeSector(*pc).empty()) return "a normalised postcode has no district";
    }
    const std::string utf8 = ingest::Windows1252ToUtf8(p);
    if (!ingest::IsValidUtf8(utf8)) return "Windows-1252 conversion produced invalid UTF-8";
    const std::string_view valid = ingest::IsValidUtf8(p) ? p : std::string_view(utf8);
    std::string quoted;
    riskradar::AppendJsonString(quoted, valid);
    const nlohmann::json parsed = nlohmann::json::parse(quoted, nullptr, false);
    if (!parsed.is_string() || parsed.get<std::string>() != valid) return "AppendJsonString does not round-trip";
    if (parsed.dump() != quoted) return "AppendJsonString differs from nlohmann::json::dump";
    (void)ingest::RedactValue(p);
  }
  // The pieces as one row through a mapping that reads every field kind.
  std::vector<std::string> fields(kCsvHeader.size());
  for (size_t i = 0; i < parts.size() && i < fields.size(); ++i) fields[i] = std::string(parts[i]);
  for (auto& f : fields) {
    if (!ingest::IsValidUtf8(f)) f = ingest::Windows1252ToUtf8(f);
  }
  store::ParsedRow row;
  std::vector<ingest::RowProblem> problems;
  const bool ok =
      ingest::ConvertRow(CsvMapping(), ingest::CsvRowFields(CsvHeaderColumns(), fields), "fuzz", row, problems);
  if (ok != problems.empty()) return "ConvertRow's result disagrees with its problems";
  for (const auto& problem : problems) {
    if (problem.reason.empty()) return "a problem without a reason";
  }
  return "";
}

}  // namespace riskradar::fuzz

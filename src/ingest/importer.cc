// ImportFile: stream an extract through its mapping into one store batch.
#include "riskradar/ingest/importer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "riskradar/core/hash.h"
#include "riskradar/core/text.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/ingest/xlsx.h"

namespace riskradar::ingest {
namespace {

using nlohmann::json;

class JsonRowFields final : public RowFields {
 public:
  explicit JsonRowFields(const json& object) : object_(object) {}
  std::optional<std::string_view> Get(const FieldSpec& field) const override {
    const std::string_view column = field.column;
    const json* node = &object_;
    size_t start = 0;
    while (start <= column.size()) {
      const size_t dot = column.find('.', start);
      const std::string_view key =
          column.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
      if (!node->is_object()) return std::nullopt;
      const auto& members = node->get_ref<const json::object_t&>();
      auto it = members.find(std::string(key));
      if (it == members.end()) return std::nullopt;
      node = &it->second;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (node->is_null()) return std::string_view();
    if (node->is_string()) return std::string_view(node->get_ref<const std::string&>());
    // Numbers, booleans, arrays and objects are read as their text; kept alive for the row's lifetime.
    if (node->is_number_integer())
      scratch_.push_back(std::to_string(node->get<int64_t>()));
    else if (node->is_boolean())
      scratch_.push_back(node->get<bool>() ? "true" : "false");
    else
      scratch_.push_back(node->dump());
    return std::string_view(scratch_.back());
  }

 private:
  const json& object_;
  mutable std::deque<std::string> scratch_;
};

// Every leaf path of a JSON object ("a.b.c"), for the unknown-field check.
void LeafPaths(const json& node, const std::string& prefix, std::vector<std::string>& out) {
  if (node.is_object() && !node.empty()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      LeafPaths(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    }
    return;
  }
  out.push_back(prefix);
}

std::string JoinReasons(const std::vector<RowProblem>& problems) {
  std::string out;
  for (const RowProblem& p : problems) {
    if (!out.empty()) out += "; ";
    out += p.reason;
  }
  return out;
}

void SetQuarantine(RowOutcome& out, int64_t line, std::string column, std::string value, std::string reason,
                   std::string raw) {
  out.ok = false;
  out.quarantine.local_id.clear();
  out.quarantine.line = line;
  out.quarantine.column = std::move(column);
  out.quarantine.value = std::move(value);
  out.quarantine.reason = std::move(reason);
  out.quarantine.raw = std::move(raw);
}

// The row's local record id as the mapping reads it (trimmed, as a landed record's), or '' when absent: the key
// that resolves a quarantined row once a corrected row with the same id lands.
std::string LocalIdOf(const Mapping& mapping, const RowFields& fields) {
  if (mapping.local_id_field.column != mapping.local_id) return "";
  const std::optional<std::string_view> value = fields.Get(mapping.local_id_field);
  return value ? std::string(Trim(*value)) : std::string();
}

// Converts fields already known to be well-formed; `raw_json` is the stored form, `raw_for_quarantine` what the
// analyst sees if the row is refused.
void ConvertFields(const Mapping& mapping, const RowFields& fields, std::string_view agency, int64_t line,
                   std::string& raw_json, std::string_view raw_for_quarantine, RowOutcome& out) {
  out.problems.clear();
  if (!ConvertRow(mapping, fields, agency, out.row, out.problems)) {
    SetQuarantine(out, line, out.problems.front().column, out.problems.front().value, JoinReasons(out.problems),
                  std::string(raw_for_quarantine));
    out.quarantine.local_id = LocalIdOf(mapping, fields);
    return;
  }
  out.ok = true;
  out.row.record.line = line;
  out.row.record.content_hash = HashHex(raw_json);
  out.row.record.raw_json = std::move(raw_json);
}

std::string JoinFields(const std::vector<std::string>& fields, char delimiter) {
  std::string joined;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) joined += delimiter;
    joined += fields[i];
  }
  return joined;
}

struct BatchRun {
  store::BatchWriter& writer;
  std::string file;
  store::BatchCounts counts;

  Status Record(RowOutcome& outcome) {
    ++counts.rows_in;
    if (!outcome.ok) {
      ++counts.quarantined;
      outcome.quarantine.file = file;
      return writer.AddQuarantine(outcome.quarantine);
    }
    RR_ASSIGN_OR_RETURN(const bool added, writer.AddRow(outcome.row));
    ++(added ? counts.landed : counts.unchanged);
    return Status::Ok();
  }
};

// Reads the header record and resolves the mapping's columns against it.
Result<CsvColumns> ReadHeader(const Mapping& mapping, CsvReader& reader, const std::string& file) {
  CsvRecord record;
  if (!reader.Next(record)) return Status::InvalidArgument(file + ": the file is empty (no header row)");
  if (!record.error.empty()) {
    return Status::InvalidArgument(file + ": line " + std::to_string(record.line) + ": header: " + record.error);
  }
  if (record.invalid_utf8) {
    return Status::InvalidArgument(file + ": line " + std::to_string(record.line) +
                                   ": the header is not valid UTF-8 (declare encoding = \"windows-1252\" or \"auto\")");
  }
  RR_ASSIGN_OR_RETURN(CsvColumns columns, CsvColumns::Resolve(mapping, record.fields, file));
  reader.set_expected_fields(columns.size());
  return columns;
}

Status ImportCsv(const Mapping& mapping, const std::string& agency, const std::filesystem::path& file, BatchRun& run,
                 const ProgressFn& progress) {
  RR_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(file.string(), mapping.encoding, mapping.delimiter));
  RR_ASSIGN_OR_RETURN(const CsvColumns columns, ReadHeader(mapping, *reader, file.string()));
  CsvRecord record;
  RowOutcome outcome;
  while (reader->Next(record)) {
    ConvertCsvRecord(mapping, columns, agency, record, mapping.delimiter, outcome);
    RR_RETURN_IF_ERROR(run.Record(outcome));
    if (progress && run.counts.rows_in % 5000 == 0) {
      progress({run.counts.rows_in, reader->lines().bytes_read(), reader->lines().file_size()});
    }
  }
  return Status::Ok();
}

// A date cell holds an Excel serial number; the mapping declares the date's text format, so the serial is
// written in that format (a value that already parses in it, such as 20250301 for %Y%m%d, is left alone).
void ExcelDatesToText(const Mapping& mapping, const CsvColumns& columns, bool date1904, CsvRecord& record) {
  for (const FieldSpec* spec : {&mapping.event.date, &mapping.subject.dob, &mapping.associate.dob}) {
    const int pos = columns.Position(*spec);
    if (pos < 0 || static_cast<size_t>(pos) >= record.fields.size()) continue;
    std::string& text = record.fields[pos];
    if (text.empty() || Date::Parse(text, spec->format).ok()) continue;
    double serial = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), serial);
    if (ec != std::errc() || end != text.data() + text.size()) continue;
    if (auto date = ExcelSerialToDate(serial, date1904)) text = date->Format(spec->format);
  }
}

Status ImportXlsx(const Mapping& mapping, const std::string& agency, const std::filesystem::path& file, BatchRun& run,
                  const ProgressFn& progress) {
  RR_ASSIGN_OR_RETURN(auto reader, XlsxReader::Open(file.string()));
  CsvRecord record;
  if (!reader->Next(record)) {
    RR_RETURN_IF_ERROR(reader->status());
    return Status::InvalidArgument(file.string() + ": the first sheet is empty (no header row)");
  }
  if (!record.error.empty()) {
    return Status::InvalidArgument(file.string() + ": row " + std::to_string(record.line) +
                                   ": header: " + record.error);
  }
  RR_ASSIGN_OR_RETURN(const CsvColumns columns, CsvColumns::Resolve(mapping, record.fields, file.string()));
  RowOutcome outcome;
  while (reader->Next(record)) {
    // A sheet does not store trailing empty cells: a short row is padded, a long one is refused as in a CSV.
    if (record.fields.size() < columns.size()) record.fields.resize(columns.size());
    if (!record.error.empty()) {
      SetQuarantine(outcome, record.line, "", "", "malformed sheet: " + record.error, JoinFields(record.fields, '\t'));
    } else {
      ExcelDatesToText(mapping, columns, reader->date1904(), record);
      ConvertCsvRecord(mapping, columns, agency, record, '\t', outcome);
    }
    RR_RETURN_IF_ERROR(run.Record(outcome));
    if (progress && run.counts.rows_in % 5000 == 0) progress({run.counts.rows_in, 0, 0});
  }
  // A sheet that turns out malformed part-way is refused whole: nothing of the batch is committed.
  return reader->status();
}

Status ImportJsonLines(const Mapping& mapping, const std::string& agency, const std::filesystem::path& file,
                       BatchRun& run, const ProgressFn& progress) {
  RR_ASSIGN_OR_RETURN(auto reader, LineReader::Open(file.string(), mapping.encoding));
  std::string line;
  int64_t number = 0;
  RowOutcome outcome;
  while (reader->Next(line, number)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ConvertJsonLine(mapping, agency, line, number, reader->last_line_invalid_utf8(), outcome);
    RR_RETURN_IF_ERROR(run.Record(outcome));
    if (progress && run.counts.rows_in % 5000 == 0)
      progress({run.counts.rows_in, reader->bytes_read(), reader->file_size()});
  }
  return Status::Ok();
}

}  // namespace

Result<CsvColumns> CsvColumns::Resolve(const Mapping& mapping, const std::vector<std::string>& header,
                                       std::string_view file) {
  const std::string where(file);
  CsvColumns c;
  c.header_ = header;
  c.slot_position_.assign(mapping.columns.size(), -1);
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string_view name = header[i];
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    if (!seen.emplace(name).second) {
      return Status::InvalidArgument(where + ": line 1: column '" + std::string(name) +
                                     "' appears twice in the header");
    }
    if (!mapping.KnowsColumn(name)) {
      return Status::InvalidArgument(where + ": line 1: column '" + std::string(name) + "' is not in mapping " +
                                     mapping.source + " (map it, or list it under `ignore`)");
    }
    auto slot = std::lower_bound(mapping.columns.begin(), mapping.columns.end(), name);
    if (slot != mapping.columns.end() && *slot == name)
      c.slot_position_[slot - mapping.columns.begin()] = static_cast<int>(i);
  }
  for (size_t s = 0; s < mapping.columns.size(); ++s) {
    if (c.slot_position_[s] < 0) {
      return Status::InvalidArgument(where + ": line 1: the mapping reads column '" + mapping.columns[s] +
                                     "' but the header has no such column");
    }
  }
  c.key_order_.resize(header.size());
  for (size_t i = 0; i < header.size(); ++i) c.key_order_[i] = i;
  std::sort(c.key_order_.begin(), c.key_order_.end(), [&](size_t a, size_t b) { return header[a] < header[b]; });
  for (size_t k = 0; k < c.key_order_.size(); ++k) {
    std::string key = k ? "," : "{";
    AppendJsonString(key, header[c.key_order_[k]]);
    key += ':';
    c.json_keys_.push_back(std::move(key));
  }
  return c;
}

void AppendCsvRowJson(std::string& out, const CsvColumns& columns, const std::vector<std::string>& fields) {
  const auto& order = columns.key_order();
  if (order.empty()) {
    out += "{}";
    return;
  }
  for (size_t k = 0; k < order.size(); ++k) {
    out += columns.json_keys()[k];  // `{"name":` or `,"name":`, escaped once per file
    AppendJsonString(out, order[k] < fields.size() ? std::string_view(fields[order[k]]) : std::string_view());
  }
  out += '}';
}

void ConvertCsvRecord(const Mapping& mapping, const CsvColumns& columns, std::string_view agency,
                      const CsvRecord& record, char delimiter, RowOutcome& out) {
  if (!record.error.empty()) {
    SetQuarantine(out, record.line, "", "", "malformed CSV: " + record.error, JoinFields(record.fields, delimiter));
  } else if (record.invalid_utf8) {
    SetQuarantine(out, record.line, "", "",
                  "not valid UTF-8 (if the file comes from Excel, declare encoding = \"windows-1252\" or \"auto\" in "
                  "the mapping)",
                  JoinFields(record.fields, delimiter));
  } else if (record.fields.size() != columns.size()) {
    SetQuarantine(out, record.line, "", "",
                  "has " + std::to_string(record.fields.size()) + " fields but the header has " +
                      std::to_string(columns.size()) + " (an unquoted comma or a missing field?)",
                  JoinFields(record.fields, delimiter));
  } else {
    std::string raw;
    raw.reserve(256);
    AppendCsvRowJson(raw, columns, record.fields);
    // The quarantine shows the same JSON text: built only when needed.
    out.problems.clear();
    const CsvRowFields fields(columns, record.fields);
    if (!ConvertRow(mapping, fields, agency, out.row, out.problems)) {
      SetQuarantine(out, record.line, out.problems.front().column, out.problems.front().value,
                    JoinReasons(out.problems), std::move(raw));
      out.quarantine.local_id = LocalIdOf(mapping, fields);
      return;
    }
    out.ok = true;
    out.row.record.line = record.line;
    out.row.record.content_hash = HashHex(raw);
    out.row.record.raw_json = std::move(raw);
  }
}

void ConvertJsonLine(const Mapping& mapping, std::string_view agency, std::string_view line, int64_t number,
                     bool invalid_utf8, RowOutcome& out) {
  if (invalid_utf8 || !IsValidUtf8(line)) {
    SetQuarantine(out, number, "", "", "not valid UTF-8", std::string(line));
    return;
  }
  json object = json::parse(line, nullptr, false);
  if (object.is_discarded()) {
    SetQuarantine(out, number, "", "", "not valid JSON", std::string(line));
    return;
  }
  if (!object.is_object()) {
    SetQuarantine(out, number, "", "", "each line must be a JSON object", std::string(line));
    return;
  }
  std::vector<std::string> paths;
  LeafPaths(object, "", paths);
  for (const std::string& p : paths) {
    if (!mapping.KnowsColumn(p)) {
      SetQuarantine(out, number, p, "", "field '" + p + "' is not in mapping " + mapping.source, std::string(line));
      return;
    }
  }
  // \u escapes in the input can decode to text that is not valid UTF-8 (a lone surrogate); dump() would throw.
  std::string raw_json;
  try {
    raw_json = object.dump();
  } catch (const json::exception&) {
    SetQuarantine(out, number, "", "", "not valid JSON (an escape decodes to text that is not UTF-8)",
                  std::string(line));
    return;
  }
  ConvertFields(mapping, JsonRowFields(object), agency, number, raw_json, line, out);
}

namespace {

std::string FileTypeName(FileType type) {
  switch (type) {
    case FileType::kCsv:
      return "csv";
    case FileType::kJsonLines:
      return "jsonl";
    case FileType::kXlsx:
      return "xlsx";
  }
  return "csv";
}

std::string EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUtf8:
      return "utf-8";
    case Encoding::kWindows1252:
      return "windows-1252";
    case Encoding::kAuto:
      return "auto";
  }
  return "utf-8";
}

// The source file's layout (store::BatchHeader::layout): what a quarantine export needs to write rows back in the
// agency's own format. The header is read ahead here; a file whose header cannot be read gets none (the import
// itself then reports why).
std::string SourceLayout(const Mapping& m, const std::filesystem::path& file) {
  json header = json::array();
  CsvRecord record;
  if (m.file_type == FileType::kCsv) {
    if (auto reader = CsvReader::Open(file.string(), m.encoding, m.delimiter); reader.ok() && (*reader)->Next(record)) {
      if (record.error.empty() && !record.invalid_utf8) header = record.fields;
    }
  } else if (m.file_type == FileType::kXlsx) {
    if (auto reader = XlsxReader::Open(file.string()); reader.ok() && (*reader)->Next(record)) {
      if (record.error.empty()) header = record.fields;
    }
  }
  return json{{"file_type", FileTypeName(m.file_type)},
              {"encoding", EncodingName(m.encoding)},
              {"delimiter", std::string(1, m.delimiter)},
              {"header", header},
              {"local_id", m.local_id}}
      .dump();
}

// Streams every row of `file` through the mapping into `run`.
Status RunRows(const Mapping& m, const std::string& agency_code, const std::filesystem::path& file, BatchRun& run,
               const ProgressFn& progress) {
  switch (m.file_type) {
    case FileType::kCsv:
      return ImportCsv(m, agency_code, file, run, progress);
    case FileType::kJsonLines:
      return ImportJsonLines(m, agency_code, file, run, progress);
    case FileType::kXlsx:
      return ImportXlsx(m, agency_code, file, run, progress);
  }
  return Status::Internal("unknown file type");
}

// A writer that writes nothing: counts the rows that would land and keeps the quarantine entries' where and why.
class DryRunWriter final : public store::BatchWriter {
 public:
  explicit DryRunWriter(std::vector<store::QuarantinedRow>& quarantined) : quarantined_(quarantined) {}
  Result<bool> AddRow(const store::ParsedRow&) override { return true; }
  Status AddQuarantine(const store::QuarantinedRow& row) override {
    store::QuarantinedRow kept;
    kept.file = row.file;
    kept.line = row.line;
    kept.column = row.column;
    kept.reason = row.reason;
    kept.local_id = row.local_id;
    quarantined_.push_back(std::move(kept));
    return Status::Ok();
  }
  Result<store::BatchInfo> Commit(const store::BatchCounts&, const store::Actor&) override {
    return Status::FailedPrecondition("a dry run commits nothing");
  }

 private:
  std::vector<store::QuarantinedRow>& quarantined_;
};

// Readers find fields by the mapping's column slots; a mapping edited by hand after loading is re-indexed.
const Mapping& Indexed(const Mapping& mapping, std::optional<Mapping>& reindexed) {
  if (mapping.ColumnsIndexed()) return mapping;
  reindexed = mapping;
  reindexed->IndexColumns();
  return *reindexed;
}

}  // namespace

Result<ImportResult> ImportFile(store::Store& store, const Mapping& mapping, const std::string& agency_code,
                                const std::filesystem::path& file, const store::Actor& actor,
                                const ProgressFn& progress) {
  if (!std::filesystem::is_regular_file(file)) return Status::NotFound("no such file: " + file.string());
  std::optional<Mapping> reindexed;
  const Mapping& m = Indexed(mapping, reindexed);
  RR_ASSIGN_OR_RETURN(const std::string file_hash, HashFileHex(file));
  ImportResult result;
  RR_ASSIGN_OR_RETURN(auto previous, store.FindCompletedBatch(agency_code, file_hash));
  if (previous) {
    result.batch = *previous;
    result.already_imported = true;
    return result;
  }
  store::BatchHeader header{agency_code,    file.string(),        file_hash, m.format, m.record_class,
                            m.lawful_basis, SourceLayout(m, file)};
  RR_ASSIGN_OR_RETURN(auto writer, store.BeginBatch(header));
  BatchRun run{*writer, file.string(), {}};
  RR_RETURN_IF_ERROR(RunRows(m, agency_code, file, run, progress));
  RR_ASSIGN_OR_RETURN(result.batch, writer->Commit(run.counts, actor));
  return result;
}

Result<DryRunResult> DryRunImport(store::ImportStore* store, const Mapping& mapping, const std::string& agency_code,
                                  const std::filesystem::path& file, const ProgressFn& progress) {
  if (!std::filesystem::is_regular_file(file)) return Status::NotFound("no such file: " + file.string());
  std::optional<Mapping> reindexed;
  const Mapping& m = Indexed(mapping, reindexed);
  DryRunResult result;
  if (store) {
    RR_ASSIGN_OR_RETURN(const std::string file_hash, HashFileHex(file));
    RR_ASSIGN_OR_RETURN(result.already_imported, store->FindCompletedBatch(agency_code, file_hash));
    if (result.already_imported) return result;
  }
  DryRunWriter writer(result.quarantined);
  BatchRun run{writer, file.string(), {}};
  RR_RETURN_IF_ERROR(RunRows(m, agency_code, file, run, progress));
  result.counts = run.counts;
  return result;
}

}  // namespace riskradar::ingest

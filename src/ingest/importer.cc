// ImportFile: stream an extract through its mapping into one store batch.
#include "riskradar/ingest/importer.h"

#include <nlohmann/json.hpp>

#include <unordered_map>

#include "riskradar/core/hash.h"
#include "riskradar/ingest/readers.h"

namespace riskradar::ingest {
namespace {

using nlohmann::json;

class CsvRowFields final : public RowFields {
 public:
  CsvRowFields(const std::unordered_map<std::string, size_t>& index, const std::vector<std::string>& fields)
      : index_(index), fields_(fields) {}
  std::optional<std::string> Get(std::string_view column) const override {
    auto it = index_.find(std::string(column));
    if (it == index_.end() || it->second >= fields_.size()) return std::nullopt;
    return fields_[it->second];
  }

 private:
  const std::unordered_map<std::string, size_t>& index_;
  const std::vector<std::string>& fields_;
};

class JsonRowFields final : public RowFields {
 public:
  explicit JsonRowFields(const json& object) : object_(object) {}
  std::optional<std::string> Get(std::string_view column) const override {
    const json* node = &object_;
    size_t start = 0;
    while (start <= column.size()) {
      const size_t dot = column.find('.', start);
      const std::string key(column.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
      if (!node->is_object()) return std::nullopt;
      auto it = node->find(key);
      if (it == node->end()) return std::nullopt;
      node = &*it;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    if (node->is_null()) return std::string();
    if (node->is_string()) return node->get<std::string>();
    if (node->is_number_integer()) return std::to_string(node->get<int64_t>());
    if (node->is_boolean()) return node->get<bool>() ? "true" : "false";
    return node->dump();
  }

 private:
  const json& object_;
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

struct BatchRun {
  store::BatchWriter& writer;
  std::string file;
  store::BatchCounts counts;

  Status Quarantine(int64_t line, std::string column, std::string value, std::string reason, std::string raw) {
    ++counts.quarantined;
    store::QuarantinedRow q;
    q.file = file;
    q.line = line;
    q.column = std::move(column);
    q.value = std::move(value);
    q.reason = std::move(reason);
    q.raw = std::move(raw);
    return writer.AddQuarantine(q);
  }

  Status Land(const Mapping& mapping, const RowFields& fields, const std::string& agency, int64_t line,
              std::string raw_json, const std::string& raw_for_quarantine) {
    store::ParsedRow row;
    std::vector<RowProblem> problems;
    if (!ConvertRow(mapping, fields, agency, row, problems)) {
      return Quarantine(line, problems.front().column, problems.front().value, JoinReasons(problems),
                        raw_for_quarantine);
    }
    row.record.line = line;
    row.record.content_hash = HashHex(raw_json);
    row.record.raw_json = std::move(raw_json);
    RR_ASSIGN_OR_RETURN(const bool added, writer.AddRow(row));
    ++(added ? counts.landed : counts.unchanged);
    return Status::Ok();
  }
};

Status ImportCsv(const Mapping& mapping, const std::string& agency, const std::filesystem::path& file,
                 BatchRun& run, const ProgressFn& progress) {
  RR_ASSIGN_OR_RETURN(auto reader, CsvReader::Open(file.string(), mapping.encoding, mapping.delimiter));
  CsvRecord record;
  if (!reader->Next(record)) return Status::InvalidArgument(file.string() + ": the file is empty (no header row)");
  if (!record.error.empty()) {
    return Status::InvalidArgument(file.string() + ": line " + std::to_string(record.line) + ": header: " + record.error);
  }
  const std::vector<std::string> header = record.fields;
  reader->set_expected_fields(header.size());
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name = header[i];
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    if (!index.emplace(name, i).second) {
      return Status::InvalidArgument(file.string() + ": line 1: column '" + name + "' appears twice in the header");
    }
    if (!mapping.KnowsColumn(name)) {
      return Status::InvalidArgument(file.string() + ": line 1: column '" + name + "' is not in mapping " +
                                     mapping.source + " (map it, or list it under `ignore`)");
    }
  }
  for (const std::string& column : mapping.UsedColumns()) {
    if (!index.count(column)) {
      return Status::InvalidArgument(file.string() + ": line 1: the mapping reads column '" + column +
                                     "' but the header has no such column");
    }
  }
  while (reader->Next(record)) {
    ++run.counts.rows_in;
    const std::string line_text = [&] {
      std::string joined;
      for (size_t i = 0; i < record.fields.size(); ++i) joined += (i ? std::string(1, mapping.delimiter) : "") + record.fields[i];
      return joined;
    }();
    if (!record.error.empty()) {
      RR_RETURN_IF_ERROR(run.Quarantine(record.line, "", "", "malformed CSV: " + record.error, line_text));
    } else if (record.invalid_utf8) {
      RR_RETURN_IF_ERROR(run.Quarantine(record.line, "", "",
                                        "not valid UTF-8 (if the file comes from Excel, declare encoding = "
                                        "\"windows-1252\" or \"auto\" in the mapping)",
                                        line_text));
    } else if (record.fields.size() != header.size()) {
      RR_RETURN_IF_ERROR(run.Quarantine(record.line, "", "",
                                        "has " + std::to_string(record.fields.size()) + " fields but the header has " +
                                            std::to_string(header.size()) + " (an unquoted comma or a missing field?)",
                                        line_text));
    } else {
      json raw = json::object();
      for (size_t i = 0; i < header.size(); ++i) raw[header[i]] = record.fields[i];
      const std::string raw_text = raw.dump();
      RR_RETURN_IF_ERROR(run.Land(mapping, CsvRowFields(index, record.fields), agency, record.line, raw_text, raw_text));
    }
    if (progress && run.counts.rows_in % 5000 == 0) {
      progress({run.counts.rows_in, reader->lines().bytes_read(), reader->lines().file_size()});
    }
  }
  return Status::Ok();
}

Status ImportJsonLines(const Mapping& mapping, const std::string& agency, const std::filesystem::path& file,
                       BatchRun& run, const ProgressFn& progress) {
  RR_ASSIGN_OR_RETURN(auto reader, LineReader::Open(file.string(), mapping.encoding));
  std::string line;
  int64_t number = 0;
  while (reader->Next(line, number)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++run.counts.rows_in;
    if (reader->last_line_invalid_utf8()) {
      RR_RETURN_IF_ERROR(run.Quarantine(number, "", "", "not valid UTF-8", line));
      continue;
    }
    json object = json::parse(line, nullptr, false);
    if (object.is_discarded()) {
      RR_RETURN_IF_ERROR(run.Quarantine(number, "", "", "not valid JSON", line));
      continue;
    }
    if (!object.is_object()) {
      RR_RETURN_IF_ERROR(run.Quarantine(number, "", "", "each line must be a JSON object", line));
      continue;
    }
    std::vector<std::string> paths;
    LeafPaths(object, "", paths);
    std::string unknown;
    for (const std::string& p : paths) {
      if (!mapping.KnowsColumn(p)) {
        unknown = p;
        break;
      }
    }
    if (!unknown.empty()) {
      RR_RETURN_IF_ERROR(run.Quarantine(number, unknown, "",
                                        "field '" + unknown + "' is not in mapping " + mapping.source, line));
      continue;
    }
    RR_RETURN_IF_ERROR(run.Land(mapping, JsonRowFields(object), agency, number, object.dump(), line));
    if (progress && run.counts.rows_in % 5000 == 0) progress({run.counts.rows_in, reader->bytes_read(), reader->file_size()});
  }
  return Status::Ok();
}

}  // namespace

Result<ImportResult> ImportFile(store::Store& store, const Mapping& mapping, const std::string& agency_code,
                                const std::filesystem::path& file, const store::Actor& actor,
                                const ProgressFn& progress) {
  if (!std::filesystem::is_regular_file(file)) return Status::NotFound("no such file: " + file.string());
  RR_ASSIGN_OR_RETURN(const std::string file_hash, HashFileHex(file));
  ImportResult result;
  RR_ASSIGN_OR_RETURN(auto previous, store.FindCompletedBatch(agency_code, file_hash));
  if (previous) {
    result.batch = *previous;
    result.already_imported = true;
    return result;
  }
  store::BatchHeader header{agency_code, file.string(), file_hash, mapping.format, mapping.record_class,
                            mapping.lawful_basis};
  RR_ASSIGN_OR_RETURN(auto writer, store.BeginBatch(header));
  BatchRun run{*writer, file.string(), {}};
  if (mapping.file_type == FileType::kCsv) {
    RR_RETURN_IF_ERROR(ImportCsv(mapping, agency_code, file, run, progress));
  } else {
    RR_RETURN_IF_ERROR(ImportJsonLines(mapping, agency_code, file, run, progress));
  }
  RR_ASSIGN_OR_RETURN(result.batch, writer->Commit(run.counts, actor));
  return result;
}

}  // namespace riskradar::ingest

// RenderQuarantineExport (ingest/quarantine_export.h): quarantined rows back in the agency's own format.
#include "riskradar/ingest/quarantine_export.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "riskradar/ingest/readers.h"

namespace riskradar::ingest {
namespace {

using nlohmann::json;

std::string CsvField(std::string_view value, char delimiter) {
  if (value.find_first_of(std::string{delimiter, '"', '\r', '\n'}) == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string CsvLine(const std::vector<std::string>& fields, char delimiter) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += delimiter;
    out += CsvField(fields[i], delimiter);
  }
  return out;
}

std::string Extension(const std::string& file) {
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos || file.find('/', dot) != std::string::npos) return "";
  std::string ext = file.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string TextOf(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

std::optional<std::string> Utf8ToWindows1252(std::string_view s) {
  // The bytes 0x80..0x9F stand for assorted code points (the euro sign, curly quotes, ...): their inverse, taken
  // from the decoder so the two cannot disagree.
  static const std::array<char32_t, 32> high = [] {
    std::array<char32_t, 32> t{};
    for (int b = 0x80; b < 0xA0; ++b) {
      const std::string u = Windows1252ToUtf8(std::string(1, static_cast<char>(b)));
      char32_t cp = 0;
      if (u.size() == 3) cp = ((u[0] & 0x0F) << 12) | ((u[1] & 0x3F) << 6) | (u[2] & 0x3F);
      if (u.size() == 2) cp = ((u[0] & 0x1F) << 6) | (u[1] & 0x3F);
      t[b - 0x80] = cp == 0xFFFD ? 0 : cp;
    }
    return t;
  }();
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    if (len > 1) {
      cp = c & (0x7F >> len);
      for (size_t k = 1; k < len; ++k) {
        const unsigned char cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (cc & 0x3F);
      }
    }
    i += len;
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
      out += static_cast<char>(cp);
      continue;
    }
    const auto it = std::find(high.begin(), high.end(), cp);
    if (cp == 0 || it == high.end()) return std::nullopt;
    out += static_cast<char>(0x80 + (it - high.begin()));
  }
  return out;
}

Result<QuarantineExport> RenderQuarantineExport(const store::BatchInfo& batch,
                                                const std::vector<store::QuarantinedRow>& rows) {
  json layout = json::object();
  if (!batch.header.layout.empty()) {
    layout = json::parse(batch.header.layout, nullptr, false);
    if (layout.is_discarded() || !layout.is_object()) {
      return Status::Corruption("import batch " + std::to_string(batch.id) + " has an unreadable layout");
    }
  }
  QuarantineExport out;
  out.file_type = layout.value("file_type", "");
  if (out.file_type.empty()) {
    const std::string ext = Extension(batch.header.file);
    out.file_type = ext == "jsonl" || ext == "json" || ext == "ndjson" ? "jsonl" : ext == "xlsx" ? "xlsx" : "csv";
  }
  const std::string encoding = layout.value("encoding", "utf-8");
  std::string delimiter_text = layout.value("delimiter", ",");
  char delimiter = delimiter_text.size() == 1 ? delimiter_text[0] : ',';
  if (out.file_type == "xlsx") {
    out.file_type = "csv";
    delimiter = ',';
    out.note =
        "the batch came from an Excel workbook: its rows are written as a UTF-8 CSV with the sheet's header; "
        "load it with a copy of the mapping that says file_type = \"csv\"";
  }
  const bool to_1252 = encoding == "windows-1252" && out.file_type == "csv";
  const bool jsonl_1252 = encoding == "windows-1252" && out.file_type == "jsonl";

  std::vector<std::string> header;
  if (layout.contains("header") && layout["header"].is_array()) {
    for (const json& h : layout["header"]) header.push_back(TextOf(h));
  }
  if (out.file_type == "csv" && header.empty()) {
    // No recorded header (a batch from before layouts were kept): the columns the rows name, in byte order.
    std::set<std::string> names;
    for (const auto& r : rows) {
      const json object = json::parse(r.raw, nullptr, false);
      if (!object.is_object()) continue;
      for (auto it = object.begin(); it != object.end(); ++it) names.insert(it.key());
    }
    header.assign(names.begin(), names.end());
  }
  const std::set<std::string> known(header.begin(), header.end());

  out.reasons = "line,column,reason,source_line,quarantine_id\n";
  int64_t line = 1;
  if (out.file_type == "csv") {
    out.data = CsvLine(header, delimiter) + "\n";
    if (to_1252) {
      std::optional<std::string> encoded = Utf8ToWindows1252(out.data);
      if (!encoded) return Status::InvalidArgument("the header has a character that Windows-1252 cannot hold");
      out.data = std::move(*encoded);
    }
    line = 2;
  }
  for (const store::QuarantinedRow& r : rows) {
    if (!r.open()) continue;
    std::string record;
    if (out.file_type == "csv") {
      const json object = json::parse(r.raw, nullptr, false);
      bool fits = object.is_object() && !header.empty();
      if (fits) {
        for (auto it = object.begin(); it != object.end() && fits; ++it) fits = known.count(it.key()) > 0;
      }
      if (fits) {
        std::vector<std::string> fields;
        fields.reserve(header.size());
        for (const std::string& column : header)
          fields.push_back(object.contains(column) ? TextOf(object[column]) : "");
        record = CsvLine(fields, delimiter);
      } else {
        record = r.raw;  // refused whole: as received, to be fixed by hand
      }
    } else {
      record = r.raw;
    }
    if (to_1252 || jsonl_1252) {
      std::optional<std::string> encoded = Utf8ToWindows1252(record);
      if (!encoded) {
        return Status::InvalidArgument("quarantined row " + std::to_string(r.id) + " (" + r.file + ":" +
                                       std::to_string(r.line) +
                                       ") has a character that Windows-1252, the source's encoding, cannot hold");
      }
      record = std::move(*encoded);
    }
    out.reasons += std::to_string(line) + "," + CsvField(r.column, ',') + "," + CsvField(r.reason, ',') + "," +
                   std::to_string(r.line) + "," + std::to_string(r.id) + "\n";
    line += 1 + static_cast<int64_t>(std::count(record.begin(), record.end(), '\n'));
    out.data += record;
    out.data += '\n';
    ++out.rows;
  }
  return out;
}

}  // namespace riskradar::ingest

// XLSX reader: libzip for the archive, expat for the XML (workbook, relationships, shared strings, first sheet).
#include "riskradar/ingest/xlsx.h"

#include <expat.h>
#include <zip.h>

#include <cmath>
#include <cstring>
#include <string_view>

namespace riskradar::ingest {
namespace {

constexpr size_t kMaxColumns = 16384;  // Excel's limit (XFD); a larger reference is a malformed sheet
constexpr size_t kChunk = 64 * 1024;

// Element names without a namespace prefix ("x:row" -> "row"): generators differ in the prefixes they use.
std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const XML_Char* Attr(const XML_Char** attrs, std::string_view local) {
  for (size_t i = 0; attrs[i]; i += 2) {
    if (LocalName(attrs[i]) == local) return attrs[i + 1];
  }
  return nullptr;
}

// Column index (0-based) of a cell reference like "BC12"; -1 when it has no letters.
int64_t ColumnOf(std::string_view ref) {
  int64_t col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + (ref[i] - 'A' + 1);
    if (col > static_cast<int64_t>(kMaxColumns)) return static_cast<int64_t>(kMaxColumns);
  }
  return i == 0 ? -1 : col - 1;
}

class ZipFile {
 public:
  ZipFile(zip_t* archive, const char* name) : file_(zip_fopen(archive, name, 0)) {}
  ~ZipFile() {
    if (file_) zip_fclose(file_);
  }
  bool ok() const { return file_ != nullptr; }
  // Bytes read, 0 at the end, -1 on error.
  int64_t Read(char* buffer, size_t size) { return zip_fread(file_, buffer, size); }

 private:
  zip_file_t* file_;
};

// Parses one whole (small) part with the given handlers; false when it is missing or malformed.
template <typename Handler>
Status ParsePart(zip_t* archive, const std::string& file, const char* part, Handler& handler, bool required) {
  ZipFile in(archive, part);
  if (!in.ok()) {
    return required ? Status::InvalidArgument(file + ": not an XLSX workbook (no " + std::string(part) + ")")
                    : Status::NotFound(part);
  }
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &handler);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        static_cast<Handler*>(data)->Start(LocalName(name), attrs);
      },
      [](void* data, const XML_Char* name) { static_cast<Handler*>(data)->End(LocalName(name)); });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* s, int len) {
    static_cast<Handler*>(data)->Text(std::string_view(s, static_cast<size_t>(len)));
  });
  std::string buffer(kChunk, '\0');
  Status status;
  while (true) {
    const int64_t n = in.Read(buffer.data(), buffer.size());
    if (n < 0) {
      status = Status::InvalidArgument(file + ": " + part + " cannot be decompressed");
      break;
    }
    if (XML_Parse(parser, buffer.data(), static_cast<int>(n), n == 0) == XML_STATUS_ERROR) {
      status = Status::InvalidArgument(file + ": " + part + " is not well-formed XML (line " +
                                       std::to_string(XML_GetCurrentLineNumber(parser)) +
                                       "): " + XML_ErrorString(XML_GetErrorCode(parser)));
      break;
    }
    if (n == 0) break;
  }
  XML_ParserFree(parser);
  return status;
}

// workbook.xml: the first sheet's relationship id and the date system.
struct WorkbookHandler {
  std::string first_sheet_rid;
  bool date1904 = false;
  void Start(std::string_view name, const XML_Char** attrs) {
    if (name == "workbookPr") {
      const char* d = Attr(attrs, "date1904");
      date1904 = d && (std::strcmp(d, "1") == 0 || std::strcmp(d, "true") == 0);
    } else if (name == "sheet" && first_sheet_rid.empty()) {
      if (const char* id = Attr(attrs, "id")) first_sheet_rid = id;
    }
  }
  void End(std::string_view) {}
  void Text(std::string_view) {}
};

// xl/_rels/workbook.xml.rels: relationship id -> part.
struct RelsHandler {
  std::string wanted, target;
  void Start(std::string_view name, const XML_Char** attrs) {
    if (name != "Relationship") return;
    const char* id = Attr(attrs, "Id");
    const char* t = Attr(attrs, "Target");
    if (id && t && wanted == id) target = t;
  }
  void End(std::string_view) {}
  void Text(std::string_view) {}
};

// sharedStrings.xml: each <si> is the text of its <t> elements (rich-text runs joined; phonetic <rPh> skipped).
struct SharedStringsHandler {
  std::vector<std::string> strings;
  bool in_t = false;
  int in_phonetic = 0;
  void Start(std::string_view name, const XML_Char**) {
    if (name == "si")
      strings.emplace_back();
    else if (name == "rPh")
      ++in_phonetic;
    else if (name == "t")
      in_t = true;
  }
  void End(std::string_view name) {
    if (name == "rPh")
      --in_phonetic;
    else if (name == "t")
      in_t = false;
  }
  void Text(std::string_view s) {
    if (in_t && !in_phonetic && !strings.empty()) strings.back().append(s);
  }
};

}  // namespace

struct XlsxReader::Impl {
  std::string file;
  zip_t* archive = nullptr;
  std::unique_ptr<ZipFile> sheet;
  XML_Parser parser = nullptr;
  std::vector<std::string> shared;
  bool done = false;
  std::string buffer = std::string(kChunk, '\0');

  // Sheet parsing state.
  struct Row {
    int64_t number = 0;
    std::vector<std::string> cells;
    std::string error;
  };
  std::deque<Row> ready;
  Row row;
  int64_t last_row = 0;
  int64_t cursor = 0;  // next column when a cell has no reference
  int64_t column = 0;
  std::string type;         // the cell's t attribute
  std::string value;        // <v> text
  std::string inline_text;  // <is><t> text
  bool in_v = false, in_is_t = false;
  int in_phonetic = 0;

  ~Impl() {
    if (parser) XML_ParserFree(parser);
    sheet.reset();
    if (archive) zip_discard(archive);
  }

  void Start(std::string_view name, const XML_Char** attrs) {
    if (name == "row") {
      const char* r = Attr(attrs, "r");
      row = Row{};
      row.number = r ? std::atoll(r) : last_row + 1;
      if (row.number <= last_row) row.number = last_row + 1;  // rows must increase; a bad r is not trusted
      cursor = 0;
    } else if (name == "c") {
      const char* r = Attr(attrs, "r");
      const int64_t col = r ? ColumnOf(r) : -1;
      column = col >= 0 ? col : cursor;
      const char* t = Attr(attrs, "t");
      type = t ? t : "n";
      value.clear();
      inline_text.clear();
    } else if (name == "v") {
      in_v = true;
    } else if (name == "rPh") {
      ++in_phonetic;
    } else if (name == "t") {
      in_is_t = true;
    }
  }

  void End(std::string_view name) {
    if (name == "v") {
      in_v = false;
    } else if (name == "rPh") {
      --in_phonetic;
    } else if (name == "t") {
      in_is_t = false;
    } else if (name == "c") {
      EndCell();
    } else if (name == "row") {
      last_row = row.number;
      // Trailing empty cells carry nothing; a row with no text at all is skipped like a blank line.
      while (!row.cells.empty() && row.cells.back().empty()) row.cells.pop_back();
      if (!row.cells.empty() || !row.error.empty()) ready.push_back(std::move(row));
      row = Row{};
    }
  }

  void Text(std::string_view s) {
    if (in_v)
      value.append(s);
    else if (in_is_t && !in_phonetic)
      inline_text.append(s);
  }

  void EndCell() {
    if (column >= static_cast<int64_t>(kMaxColumns)) {
      if (row.error.empty()) row.error = "a cell beyond column XFD (the sheet is malformed)";
      return;
    }
    std::string text;
    if (type == "s") {
      char* end = nullptr;
      const long long index = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || index < 0 || static_cast<size_t>(index) >= shared.size()) {
        if (row.error.empty()) row.error = "a cell refers to a shared string that does not exist";
      } else {
        text = shared[static_cast<size_t>(index)];
      }
    } else if (type == "inlineStr") {
      text = inline_text;
    } else if (type == "b") {
      text = value == "1" ? "TRUE" : value == "0" ? "FALSE" : value;
    } else {
      text = value;  // n (number), str (formula text), e (error code), d (ISO date)
    }
    const size_t col = static_cast<size_t>(column);
    if (row.cells.size() <= col) row.cells.resize(col + 1);
    row.cells[col] = std::move(text);
    cursor = column + 1;
  }
};

std::optional<Date> ExcelSerialToDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958465) return std::nullopt;  // 9999-12-31
  const auto whole = static_cast<int32_t>(std::floor(serial));
  if (date1904) return Date::FromDays(Date::FromYmd(1904, 1, 1)->days() + whole);
  // Excel counts 1900 as a leap year: serial 60 is 29 February 1900, which never was.
  if (whole == 60 || whole == 0) return std::nullopt;
  const Date epoch = *Date::FromYmd(1899, 12, whole < 60 ? 31 : 30);  // serial 1 is 1 January 1900
  return Date::FromDays(epoch.days() + whole);
}

Result<std::unique_ptr<XlsxReader>> XlsxReader::Open(const std::string& path) {
  std::unique_ptr<XlsxReader> r(new XlsxReader());
  r->impl_ = std::make_unique<Impl>();
  Impl& impl = *r->impl_;
  impl.file = path;
  int error = 0;
  impl.archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (!impl.archive) {
    if (error == ZIP_ER_OPEN || error == ZIP_ER_NOENT) return Status::IoError("cannot open '" + path + "'");
    return Status::InvalidArgument(path + ": not an XLSX workbook (not a zip archive)");
  }
  WorkbookHandler workbook;
  RR_RETURN_IF_ERROR(ParsePart(impl.archive, path, "xl/workbook.xml", workbook, true));
  r->date1904_ = workbook.date1904;
  std::string sheet_part = "xl/worksheets/sheet1.xml";
  if (!workbook.first_sheet_rid.empty()) {
    RelsHandler rels;
    rels.wanted = workbook.first_sheet_rid;
    Status s = ParsePart(impl.archive, path, "xl/_rels/workbook.xml.rels", rels, false);
    if (s.ok() && !rels.target.empty()) {
      // Targets are relative to xl/ unless absolute.
      sheet_part = rels.target.front() == '/' ? rels.target.substr(1) : "xl/" + rels.target;
    }
  }
  SharedStringsHandler shared;
  Status s = ParsePart(impl.archive, path, "xl/sharedStrings.xml", shared, false);
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  impl.shared = std::move(shared.strings);
  impl.sheet = std::make_unique<ZipFile>(impl.archive, sheet_part.c_str());
  if (!impl.sheet->ok()) return Status::InvalidArgument(path + ": the first sheet (" + sheet_part + ") is missing");
  impl.parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(impl.parser, &impl);
  XML_SetElementHandler(
      impl.parser,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        static_cast<Impl*>(data)->Start(LocalName(name), attrs);
      },
      [](void* data, const XML_Char* name) { static_cast<Impl*>(data)->End(LocalName(name)); });
  XML_SetCharacterDataHandler(impl.parser, [](void* data, const XML_Char* text, int len) {
    static_cast<Impl*>(data)->Text(std::string_view(text, static_cast<size_t>(len)));
  });
  return r;
}

XlsxReader::~XlsxReader() = default;

bool XlsxReader::Next(CsvRecord& record) {
  Impl& impl = *impl_;
  // Inflate and parse until a row is complete: a few chunks at a time, never the whole sheet.
  while (impl.ready.empty() && !impl.done && status_.ok()) {
    const int64_t n = impl.sheet->Read(impl.buffer.data(), impl.buffer.size());
    if (n < 0) {
      status_ = Status::InvalidArgument(impl.file + ": the sheet cannot be decompressed (a damaged file?)");
      break;
    }
    if (XML_Parse(impl.parser, impl.buffer.data(), static_cast<int>(n), n == 0) == XML_STATUS_ERROR) {
      status_ = Status::InvalidArgument(impl.file + ": the sheet is not well-formed XML (line " +
                                        std::to_string(XML_GetCurrentLineNumber(impl.parser)) +
                                        "): " + XML_ErrorString(XML_GetErrorCode(impl.parser)));
      break;
    }
    if (n == 0) impl.done = true;
  }
  if (impl.ready.empty()) return false;
  Impl::Row& row = impl.ready.front();
  record.fields = std::move(row.cells);
  record.line = row.number;
  record.end_line = row.number;
  record.error = std::move(row.error);
  record.invalid_utf8 = false;  // expat delivers UTF-8 and refuses malformed text
  impl.ready.pop_front();
  return true;
}

}  // namespace riskradar::ingest

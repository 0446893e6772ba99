// CSV and line readers with encoding conversion.
#include "riskradar/ingest/readers.h"

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace riskradar::ingest {
namespace {

// Windows-1252 code points for bytes 0x80..0x9F (0 = undefined, mapped to U+FFFD).
constexpr std::array<char32_t, 32> kCp1252High = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                                  0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Result<Encoding> ParseEncoding(std::string_view name) {
  if (name == "utf-8" || name == "utf8" || name == "UTF-8") return Encoding::kUtf8;
  if (name == "windows-1252" || name == "cp1252" || name == "Windows-1252") return Encoding::kWindows1252;
  if (name == "auto") return Encoding::kAuto;
  return Status::InvalidArgument("unknown encoding '" + std::string(name) + "' (expected utf-8, windows-1252 or auto)");
}

std::string Windows1252ToUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0xA0) {
      const char32_t cp = kCp1252High[c - 0x80];
      AppendUtf8(out, cp ? cp : 0xFFFD);
    } else {
      AppendUtf8(out, c);
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Most text is ASCII: skip it eight bytes at a time.
    while (i + 8 <= s.size()) {
      uint64_t chunk;
      std::memcpy(&chunk, s.data() + i, 8);
      if (chunk & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    char32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else
      return false;
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and out-of-range code points.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, Encoding encoding) {
  std::unique_ptr<LineReader> r(new LineReader());
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*file) return Status::IoError("cannot open '" + path + "'");
  r->in_ = std::move(file);
  std::error_code ec;
  r->file_size_ = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  r->encoding_ = encoding;
  return r;
}

std::unique_ptr<LineReader> LineReader::FromString(std::string data, Encoding encoding) {
  std::unique_ptr<LineReader> r(new LineReader());
  r->file_size_ = static_cast<int64_t>(data.size());
  r->in_ = std::make_unique<std::istringstream>(std::move(data));
  r->encoding_ = encoding;
  return r;
}

bool LineReader::Next(std::string& line, int64_t& line_number) {
  if (!std::getline(*in_, line)) return false;
  bytes_read_ += static_cast<int64_t>(line.size()) + 1;
  line_number = ++line_number_;
  if (line_number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  last_invalid_ = false;
  switch (encoding_) {
    case Encoding::kWindows1252:
      line = Windows1252ToUtf8(line);
      break;
    case Encoding::kAuto:
      if (!IsValidUtf8(line)) line = Windows1252ToUtf8(line);
      break;
    case Encoding::kUtf8:
      last_invalid_ = !IsValidUtf8(line);
      break;
  }
  return true;
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, Encoding encoding, char delimiter,
                                                   int max_record_lines) {
  RR_ASSIGN_OR_RETURN(auto lines, LineReader::Open(path, encoding));
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->lines_ = std::move(lines);
  r->delimiter_ = delimiter;
  r->max_record_lines_ = max_record_lines;
  return r;
}

std::unique_ptr<CsvReader> CsvReader::FromString(std::string data, Encoding encoding, char delimiter,
                                                 int max_record_lines) {
  std::unique_ptr<CsvReader> r(new CsvReader());
  r->lines_ = LineReader::FromString(std::move(data), encoding);
  r->delimiter_ = delimiter;
  r->max_record_lines_ = max_record_lines;
  return r;
}

bool CsvReader::NextLine(std::string& line, int64_t& number, bool& invalid) {
  if (!pending_.empty()) {
    line = std::move(pending_.front().text);
    number = pending_.front().number;
    invalid = pending_.front().invalid;
    pending_.pop_front();
    return true;
  }
  if (!lines_->Next(line, number)) return false;
  invalid = lines_->last_line_invalid_utf8();
  return true;
}

CsvReader::ParseState CsvReader::Parse(std::string_view text, CsvRecord& record) const {
  // Fields are assigned in place (not cleared and re-pushed) so their buffers are reused record after record.
  std::vector<std::string>& fields = record.fields;
  size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == fields.size()) fields.emplace_back();
    std::string& f = fields[count++];
    f.clear();
    return f;
  };
  record.error.clear();
  size_t i = 0;
  const size_t n = text.size();
  while (true) {
    std::string& field = next_field();
    if (i < n && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        const size_t quote = text.find('"', i);
        if (quote == std::string_view::npos) {
          field.append(text.data() + i, n - i);
          i = n;
          break;
        }
        field.append(text.data() + i, quote - i);
        i = quote;
        if (i + 1 < n && text[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        closed = true;
        ++i;
        break;
      }
      if (!closed) {
        fields.resize(count);
        return ParseState::kNeedMore;
      }
      if (i < n && text[i] != delimiter_) {
        record.error = "text after a closing quote in field " + std::to_string(count);
        // Keep going to the end so the record's extent is right.
        while (i < n && text[i] != delimiter_) field += text[i++];
      }
    } else {
      size_t end = text.find(delimiter_, i);
      if (end == std::string_view::npos) end = n;
      const std::string_view value = text.substr(i, end - i);
      if (record.error.empty() && value.find('"') != std::string_view::npos) {
        record.error = "a quote inside an unquoted field " + std::to_string(count) +
                       " (fields containing quotes must be quoted, quotes doubled)";
      }
      field.assign(value.data(), value.size());
      i = end;
    }
    if (i >= n) break;
    ++i;  // the delimiter
  }
  fields.resize(count);
  return record.error.empty() ? ParseState::kComplete : ParseState::kError;
}

bool CsvReader::Next(CsvRecord& record) {
  int64_t number = 0;
  bool invalid = false;
  if (!NextLine(line_, number, invalid)) return false;
  // Blank lines between records carry no data.
  while (line_.empty()) {
    if (!NextLine(line_, number, invalid)) return false;
  }
  record.line = number;
  record.end_line = number;
  record.invalid_utf8 = invalid;
  // The common case: a record on one line, parsed straight from the line.
  if (Parse(line_, record) != ParseState::kNeedMore) return true;

  std::vector<PendingLine> consumed{{line_, number, invalid}};
  std::string text = line_;
  while (true) {
    std::string more;
    int64_t more_number = 0;
    bool more_invalid = false;
    const bool have_more =
        static_cast<int>(consumed.size()) < max_record_lines_ && NextLine(more, more_number, more_invalid);
    if (have_more) {
      consumed.push_back({more, more_number, more_invalid});
      record.invalid_utf8 = record.invalid_utf8 || more_invalid;
      text += '\n';
      text += more;
      const ParseState state = Parse(text, record);
      record.end_line = consumed.back().number;
      if (state == ParseState::kNeedMore) continue;
      // A record spanning lines that then fails to parse, or has the wrong
      // number of fields, most likely began with a stray quote.
      const bool suspicious =
          state == ParseState::kError || (expected_fields_ > 0 && record.fields.size() != expected_fields_);
      if (!suspicious) return true;
    }
    // Broken quote: report the first line alone and re-read the rest.
    for (size_t k = consumed.size(); k-- > 1;) pending_.push_front(std::move(consumed[k]));
    record.fields.assign(1, consumed.front().text);
    record.line = consumed.front().number;
    record.end_line = record.line;
    record.invalid_utf8 = consumed.front().invalid;
    record.error = "a quoted field is never closed (an unmatched \" in this line)";
    return true;
  }
}

}  // namespace riskradar::ingest

// Streaming readers for agency extracts: CSV per RFC 4180 (quoted fields,
// embedded newlines and quotes, BOM, CRLF) and JSON Lines, with Windows-1252
// to UTF-8 conversion. Memory stays flat as the file grows: one record at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::ingest {

enum class Encoding { kUtf8, kWindows1252, kAuto };
Result<Encoding> ParseEncoding(std::string_view name);

// Appends the UTF-8 encoding of Windows-1252 bytes.
std::string Windows1252ToUtf8(std::string_view bytes);
bool IsValidUtf8(std::string_view bytes);

// Reads physical lines (LF or CRLF; the terminator is removed), decoding to UTF-8.
// With kAuto each line that is not valid UTF-8 is read as Windows-1252.
class LineReader {
 public:
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path, Encoding encoding);
  // Reads from memory (tests, fuzzing).
  static std::unique_ptr<LineReader> FromString(std::string data, Encoding encoding);
  // False at end of file. `line_number` is 1-based.
  bool Next(std::string& line, int64_t& line_number);
  // Bytes consumed so far and the file size, for progress.
  int64_t bytes_read() const { return bytes_read_; }
  int64_t file_size() const { return file_size_; }
  // Lines that were not valid UTF-8 in a UTF-8 file (left as they were).
  bool last_line_invalid_utf8() const { return last_invalid_; }

 private:
  LineReader() = default;
  std::unique_ptr<std::istream> in_;
  Encoding encoding_ = Encoding::kUtf8;
  int64_t line_number_ = 0;
  int64_t bytes_read_ = 0;
  int64_t file_size_ = 0;
  bool last_invalid_ = false;
};

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;      // first physical line of the record
  int64_t end_line = 0;  // last physical line
  std::string error;     // non-empty: the record is malformed (the fields may be partial)
  bool invalid_utf8 = false;
};

// RFC 4180 CSV. A quoted field may span lines; a quoted field still open after
// `max_record_lines` lines is treated as a broken quote: its first line is
// reported malformed and reading resumes on the next line, so one stray quote
// cannot swallow the rest of the file.
class CsvReader {
 public:
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, Encoding encoding, char delimiter,
                                                 int max_record_lines = 50);
  // Reads from memory (tests, fuzzing).
  static std::unique_ptr<CsvReader> FromString(std::string data, Encoding encoding, char delimiter,
                                               int max_record_lines = 50);
  // The record's fields are overwritten in place, so reusing one CsvRecord reuses its memory.
  bool Next(CsvRecord& record);
  // Once known (after the header), a multi-line record with another field
  // count is treated as a broken quote.
  void set_expected_fields(size_t n) { expected_fields_ = n; }
  const LineReader& lines() const { return *lines_; }

 private:
  enum class ParseState { kComplete, kNeedMore, kError };
  ParseState Parse(std::string_view text, CsvRecord& record) const;
  bool NextLine(std::string& line, int64_t& number, bool& invalid);

  std::unique_ptr<LineReader> lines_;
  char delimiter_ = ',';
  int max_record_lines_ = 50;
  size_t expected_fields_ = 0;
  struct PendingLine {
    std::string text;
    int64_t number;
    bool invalid;
  };
  std::deque<PendingLine> pending_;  // lines pushed back after a broken quote
  std::string line_;                 // the current physical line, reused
};

}  // namespace riskradar::ingest

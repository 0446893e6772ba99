// Text helpers for the generator: CSV reading (reference data) and RFC 4180
// writing (extracts), UTF-8 case and diacritic handling, and name corruption.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "random.h"
#include "riskradar/core/status.h"
#include "riskradar/core/text.h"

namespace riskradar::synth {

// A parsed CSV table: header names and rows (RFC 4180 quoting; a UTF-8 BOM is skipped).
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // Index of a header column, or -1.
  int Column(std::string_view name) const;
};
Result<CsvTable> ReadCsv(const std::filesystem::path& path);

// Writes rows with RFC 4180 quoting (only where needed) and CRLF-free "\n" line ends.
class CsvWriter {
 public:
  Status Open(const std::filesystem::path& path, const std::vector<std::string>& header);
  void WriteRow(const std::vector<std::string>& fields);
  Status Close();
  size_t rows() const { return rows_; }

 private:
  std::ofstream out_;
  std::filesystem::path path_;
  std::string line_;
  size_t rows_ = 0;
};

// Plain line writer for JSON Lines and small files.
class LineWriter {
 public:
  Status Open(const std::filesystem::path& path);
  void Write(std::string_view line);
  Status Close();
  size_t lines() const { return lines_; }

 private:
  std::ofstream out_;
  std::filesystem::path path_;
  size_t lines_ = 0;
};

std::u32string DecodeUtf8(std::string_view text);
std::string EncodeUtf8(std::u32string_view text);
// Removes diacritics (Zoë -> Zoe, Łukasz -> Lukasz).
std::string FoldDiacritics(std::string_view text);
// Upper case for any script (utf8proc).
std::string ToUpperUtf8(std::string_view text);
// ASCII lower case: AsciiLower() in core/text.h.
// "o'neill" -> "O'Neill", "mcintyre" -> "McIntyre", "smith-jones" -> "Smith-Jones".
std::string TitleCaseName(std::string_view lower);
// One keyboard-style error: insert, delete, substitute or transpose a letter.
std::string Typo(std::string_view text, Rng& rng);
// Punctuation drift between systems: O'Neill -> ONeill / O Neill, Smith-Jones -> Smith Jones.
std::string PunctuationVariant(std::string_view text, Rng& rng);

}  // namespace riskradar::synth

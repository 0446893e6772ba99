// Text helpers for the generator (see text.h).
#include "text.h"

#include <utf8proc.h>

#include <cctype>

namespace riskradar::synth {

int CsvTable::Column(std::string_view name) const {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<CsvTable> ReadCsv(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open reference file " + path.string());
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t pos = 0;
  if (data.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
  CsvTable table;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false;
  bool have_row = false;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    if (table.header.empty())
      table.header = std::move(row);
    else
      table.rows.push_back(std::move(row));
    row.clear();
    have_row = false;
  };
  for (; pos < data.size(); ++pos) {
    const char c = data[pos];
    if (in_quotes) {
      if (c == '"') {
        if (pos + 1 < data.size() && data[pos + 1] == '"') {
          field += '"';
          ++pos;
        } else {
          in_quotes = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      in_quotes = true;
      have_row = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      have_row = true;
    } else if (c == '\r') {
      continue;
    } else if (c == '\n') {
      end_row();
    } else {
      field += c;
      have_row = true;
    }
  }
  if (have_row || !field.empty()) end_row();
  if (in_quotes) return Status::InvalidArgument("unterminated quote in " + path.string());
  return table;
}

namespace {

void AppendCsvField(std::string& line, std::string_view field) {
  const bool needs_quotes = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                            (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) {
    line += field;
    return;
  }
  line += '"';
  for (char c : field) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

}  // namespace

Status CsvWriter::Open(const std::filesystem::path& path, const std::vector<std::string>& header) {
  path_ = path;
  out_.open(path, std::ios::binary | std::ios::trunc);
  if (!out_) return Status::IoError("cannot write " + path.string());
  WriteRow(header);
  rows_ = 0;
  return Status::Ok();
}

void CsvWriter::WriteRow(const std::vector<std::string>& fields) {
  line_.clear();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line_ += ',';
    AppendCsvField(line_, fields[i]);
  }
  line_ += '\n';
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  ++rows_;
}

Status CsvWriter::Close() {
  out_.close();
  if (!out_) return Status::IoError("error writing " + path_.string());
  return Status::Ok();
}

Status LineWriter::Open(const std::filesystem::path& path) {
  path_ = path;
  out_.open(path, std::ios::binary | std::ios::trunc);
  if (!out_) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

void LineWriter::Write(std::string_view line) {
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.put('\n');
  ++lines_;
}

Status LineWriter::Close() {
  out_.close();
  if (!out_) return Status::IoError("error writing " + path_.string());
  return Status::Ok();
}

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t pos = 0;
  const auto size = static_cast<utf8proc_ssize_t>(text.size());
  while (pos < size) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(bytes + pos, size - pos, &cp);
    if (n <= 0) {
      cp = 0xFFFD;
      n = 1;
    }
    out += static_cast<char32_t>(cp);
    pos += n;
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  utf8proc_uint8_t buffer[4];
  for (char32_t cp : text) {
    const utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buffer);
    out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
  }
  return out;
}

std::string FoldDiacritics(std::string_view text) {
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &folded, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK));
  if (n < 0) return std::string(text);
  std::string mapped(reinterpret_cast<char*>(folded), static_cast<size_t>(n));
  std::free(folded);
  // Letters with strokes do not decompose; fold the ones found in the name lists.
  std::u32string cps = DecodeUtf8(mapped);
  for (char32_t& cp : cps) {
    switch (cp) {
      case U'ł':
        cp = U'l';
        break;
      case U'Ł':
        cp = U'L';
        break;
      case U'ø':
        cp = U'o';
        break;
      case U'Ø':
        cp = U'O';
        break;
      case U'đ':
        cp = U'd';
        break;
      case U'Đ':
        cp = U'D';
        break;
      case U'ß':
        cp = U's';
        break;
      default:
        break;
    }
  }
  return EncodeUtf8(cps);
}

std::string ToUpperUtf8(std::string_view text) {
  std::u32string cps = DecodeUtf8(text);
  for (char32_t& cp : cps) cp = static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)));
  return EncodeUtf8(cps);
}

std::string TitleCaseName(std::string_view lower) {
  std::u32string cps = DecodeUtf8(lower);
  bool start = true;
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t& cp = cps[i];
    if (start) cp = static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cp)));
    start = (cp == U'-' || cp == U'\'' || cp == U' ');
  }
  // Mc prefixes keep their inner capital (McIntyre), as registrars write them.
  if (cps.size() > 3 && cps[0] == U'M' && cps[1] == U'c') {
    cps[2] = static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(cps[2])));
  }
  return EncodeUtf8(cps);
}

std::string Typo(std::string_view text, Rng& rng) {
  std::u32string cps = DecodeUtf8(text);
  if (cps.size() < 3) return std::string(text);
  static constexpr std::u32string_view kLetters = U"aeiourstnlmhdbcgkpy";
  // Errors away from the first letter are more common (and leave blocking keys intact).
  const size_t pos = 1 + rng.Index(cps.size() - 1);
  const char32_t letter = kLetters[rng.Index(kLetters.size())];
  const bool upper = cps[pos] >= U'A' && cps[pos] <= U'Z';
  const char32_t replacement = upper ? static_cast<char32_t>(letter - 32) : letter;
  switch (rng.Index(4)) {
    case 0:
      cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(pos), replacement);
      break;
    case 1:
      cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(pos));
      break;
    case 2:
      cps[pos] = replacement == cps[pos] ? (upper ? U'E' : U'e') : replacement;
      break;
    default:
      if (pos + 1 < cps.size())
        std::swap(cps[pos], cps[pos + 1]);
      else
        std::swap(cps[pos - 1], cps[pos]);
      break;
  }
  return EncodeUtf8(cps);
}

std::string PunctuationVariant(std::string_view text, Rng& rng) {
  std::string out;
  const bool use_space = rng.Chance(0.4);
  for (char c : text) {
    if (c == '\'' || c == '-') {
      if (use_space) out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace riskradar::synth

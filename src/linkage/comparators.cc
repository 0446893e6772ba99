// String comparators and phonetic encoders (see comparators.h), jellyfish-compatible.
#include "riskradar/linkage/comparators.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <vector>

namespace riskradar::linkage {
namespace {

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Small-buffer boolean flags: names are short, so avoid the heap in the hot path.
class Flags {
 public:
  explicit Flags(size_t n) : size_(n) {
    if (n > inline_.size())
      heap_.assign(n, 0);
    else
      std::fill(inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(n), 0);
  }
  unsigned char& operator[](size_t i) { return size_ > inline_.size() ? heap_[i] : inline_[i]; }

 private:
  size_t size_;
  std::array<unsigned char, 64> inline_;
  std::vector<unsigned char> heap_;
};

template <typename Char>
double JaroImpl(std::basic_string_view<Char> s1, std::basic_string_view<Char> s2, bool winklerize,
                bool long_tolerance) {
  const size_t len1 = s1.size();
  const size_t len2 = s2.size();
  if (len1 == 0 || len2 == 0) return 0.0;
  const size_t min_len = std::min(len1, len2);
  size_t search_range = std::max(len1, len2) / 2;
  search_range = search_range > 0 ? search_range - 1 : 0;
  Flags flags1(len1);
  Flags flags2(len2);
  size_t common = 0;
  for (size_t i = 0; i < len1; ++i) {
    const size_t low = i > search_range ? i - search_range : 0;
    const size_t high = std::min(i + search_range, len2 - 1);
    for (size_t j = low; j <= high; ++j) {
      if (!flags2[j] && s2[j] == s1[i]) {
        flags1[i] = flags2[j] = 1;
        ++common;
        break;
      }
    }
  }
  if (common == 0) return 0.0;
  size_t k = 0;
  size_t transpositions = 0;
  for (size_t i = 0; i < len1; ++i) {
    if (!flags1[i]) continue;
    size_t j = k;
    for (; j < len2; ++j) {
      if (flags2[j]) {
        k = j + 1;
        break;
      }
    }
    if (s1[i] != s2[j]) ++transpositions;
  }
  transpositions /= 2;
  const double c = static_cast<double>(common);
  double weight =
      (c / static_cast<double>(len1) + c / static_cast<double>(len2) + (c - static_cast<double>(transpositions)) / c) /
      3.0;
  if (winklerize && weight > 0.7) {
    const size_t limit = std::min<size_t>(min_len, 4);
    size_t prefix = 0;
    while (prefix < limit && s1[prefix] == s2[prefix]) ++prefix;
    if (prefix > 0) weight += static_cast<double>(prefix) * 0.1 * (1.0 - weight);
    if (long_tolerance && min_len > 4 && common > prefix + 1 && 2 * common >= min_len + prefix) {
      weight += (1.0 - weight) *
                (static_cast<double>(common - prefix - 1) / static_cast<double>(len1 + len2 - prefix * 2 + 2));
    }
  }
  return weight;
}

template <typename Char>
int LevenshteinImpl(std::basic_string_view<Char> a, std::basic_string_view<Char> b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Lowrance-Wagner algorithm with a last-row-seen table per character.
template <typename Char>
int DamerauImpl(std::basic_string_view<Char> a, std::basic_string_view<Char> b) {
  const size_t la = a.size();
  const size_t lb = b.size();
  const int max_dist = static_cast<int>(la + lb);
  const size_t width = lb + 2;
  std::vector<int> d((la + 2) * width);
  auto at = [&](size_t i, size_t j) -> int& { return d[i * width + j]; };
  at(0, 0) = max_dist;
  for (size_t i = 0; i <= la; ++i) {
    at(i + 1, 0) = max_dist;
    at(i + 1, 1) = static_cast<int>(i);
  }
  for (size_t j = 0; j <= lb; ++j) {
    at(0, j + 1) = max_dist;
    at(1, j + 1) = static_cast<int>(j);
  }
  // Last row (1-based) in which each character of a was seen; linear scan is fine for names.
  std::vector<std::pair<Char, size_t>> last_row;
  auto last_row_of = [&](Char c) -> size_t {
    for (const auto& [ch, row] : last_row) {
      if (ch == c) return row;
    }
    return 0;
  };
  for (size_t i = 1; i <= la; ++i) {
    size_t last_col = 0;
    for (size_t j = 1; j <= lb; ++j) {
      const size_t k = last_row_of(b[j - 1]);
      const size_t l = last_col;
      int cost = 1;
      if (a[i - 1] == b[j - 1]) {
        cost = 0;
        last_col = j;
      }
      at(i + 1, j + 1) = std::min({at(i, j) + cost, at(i + 1, j) + 1, at(i, j + 1) + 1,
                                   at(k, l) + static_cast<int>(i - k - 1) + 1 + static_cast<int>(j - l - 1)});
    }
    bool found = false;
    for (auto& [ch, row] : last_row) {
      if (ch == a[i - 1]) {
        row = i;
        found = true;
      }
    }
    if (!found) last_row.emplace_back(a[i - 1], i);
  }
  return at(la + 1, lb + 1);
}

template <typename Char>
int OsaImpl(std::basic_string_view<Char> a, std::basic_string_view<Char> b) {
  const size_t la = a.size();
  const size_t lb = b.size();
  std::vector<int> d((la + 1) * (lb + 1));
  auto at = [&](size_t i, size_t j) -> int& { return d[i * (lb + 1) + j]; };
  for (size_t i = 0; i <= la; ++i) at(i, 0) = static_cast<int>(i);
  for (size_t j = 0; j <= lb; ++j) at(0, j) = static_cast<int>(j);
  for (size_t i = 1; i <= la; ++i) {
    for (size_t j = 1; j <= lb; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(la, lb);
}

std::u32string Nfkd(std::string_view text) {
  utf8proc_uint8_t* out = nullptr;
  const auto n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &out, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT));
  if (n < 0) return DecodeUtf8(text);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> holder(out, &std::free);
  return DecodeUtf8(std::string_view(reinterpret_cast<const char*>(out), static_cast<size_t>(n)));
}

char32_t Upper(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  return static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(c)));
}
char32_t Lower(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

bool IsOneOf(char32_t c, std::u32string_view set) { return set.find(c) != std::u32string_view::npos; }

}  // namespace

std::u32string DecodeUtf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                                    static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0) {
      out.push_back(U'\uFFFD');
      ++i;
    } else {
      out.push_back(static_cast<char32_t>(cp));
      i += static_cast<size_t>(n);
    }
  }
  return out;
}

std::string EncodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
  }
  return out;
}

double JaroSimilarity(std::u32string_view a, std::u32string_view b) { return JaroImpl(a, b, false, false); }
double JaroSimilarity(std::string_view a, std::string_view b) {
  if (IsAscii(a) && IsAscii(b)) return JaroImpl(a, b, false, false);
  return JaroSimilarity(DecodeUtf8(a), DecodeUtf8(b));
}

double JaroWinklerSimilarity(std::u32string_view a, std::u32string_view b, bool long_tolerance) {
  return JaroImpl(a, b, true, long_tolerance);
}
double JaroWinklerSimilarity(std::string_view a, std::string_view b, bool long_tolerance) {
  if (IsAscii(a) && IsAscii(b)) return JaroImpl(a, b, true, long_tolerance);
  return JaroWinklerSimilarity(DecodeUtf8(a), DecodeUtf8(b), long_tolerance);
}

int LevenshteinDistance(std::u32string_view a, std::u32string_view b) { return LevenshteinImpl(a, b); }
int LevenshteinDistance(std::string_view a, std::string_view b) {
  if (IsAscii(a) && IsAscii(b)) return LevenshteinImpl(a, b);
  return LevenshteinDistance(DecodeUtf8(a), DecodeUtf8(b));
}

int DamerauLevenshteinDistance(std::u32string_view a, std::u32string_view b) { return DamerauImpl(a, b); }
int DamerauLevenshteinDistance(std::string_view a, std::string_view b) {
  if (IsAscii(a) && IsAscii(b)) return DamerauImpl(a, b);
  return DamerauLevenshteinDistance(DecodeUtf8(a), DecodeUtf8(b));
}

int OsaDistance(std::u32string_view a, std::u32string_view b) { return OsaImpl(a, b); }
int OsaDistance(std::string_view a, std::string_view b) {
  if (IsAscii(a) && IsAscii(b)) return OsaImpl(a, b);
  return OsaDistance(DecodeUtf8(a), DecodeUtf8(b));
}

std::string Soundex(std::string_view text) {
  if (text.empty()) return "";
  std::u32string s = Nfkd(text);
  for (char32_t& c : s) c = Upper(c);
  auto code_of = [](char32_t c) -> char32_t {
    switch (c) {
      case 'B':
      case 'F':
      case 'P':
      case 'V':
        return '1';
      case 'C':
      case 'G':
      case 'J':
      case 'K':
      case 'Q':
      case 'S':
      case 'X':
      case 'Z':
        return '2';
      case 'D':
      case 'T':
        return '3';
      case 'L':
        return '4';
      case 'M':
      case 'N':
        return '5';
      case 'R':
        return '6';
      default:
        return 0;
    }
  };
  std::u32string result(1, s[0]);
  char32_t last = code_of(s[0]);
  for (size_t i = 1; i < s.size() && result.size() < 4; ++i) {
    const char32_t code = code_of(s[i]);
    if (code != 0) {
      if (code != last) result.push_back(code);
      last = code;
    } else if (s[i] != 'H' && s[i] != 'W') {
      // H and W do not separate letters with the same code; vowels do.
      last = 0;
    }
  }
  while (result.size() < 4) result.push_back('0');
  return EncodeUtf8(result);
}

std::string Nysiis(std::string_view text) {
  if (text.empty()) return "";
  std::u32string s = DecodeUtf8(text);
  for (char32_t& c : s) c = Upper(c);
  auto starts = [&](std::u32string_view p) { return std::u32string_view(s).substr(0, p.size()) == p; };
  auto ends = [&](std::u32string_view p) {
    return s.size() >= p.size() && std::u32string_view(s).substr(s.size() - p.size()) == p;
  };
  if (starts(U"MAC"))
    s = U"MCC" + s.substr(3);
  else if (starts(U"KN"))
    s = s.substr(1);
  else if (starts(U"K"))
    s = U"C" + s.substr(1);
  else if (starts(U"PH") || starts(U"PF"))
    s = U"FF" + s.substr(2);
  else if (starts(U"SCH"))
    s = U"SSS" + s.substr(3);
  if (ends(U"IE") || ends(U"EE"))
    s = s.substr(0, s.size() - 2) + U"Y";
  else if (ends(U"DT") || ends(U"RT") || ends(U"RD") || ends(U"NT") || ends(U"ND"))
    s = s.substr(0, s.size() - 2) + U"D";

  constexpr std::u32string_view kVowels = U"AEIOU";
  std::u32string key(1, s[0]);
  const size_t n = s.size();
  for (size_t i = 1; i < n; ++i) {
    std::u32string ch(1, s[i]);
    const char32_t c = s[i];
    if (c == 'E' && i + 1 < n && s[i + 1] == 'V') {
      ch = U"AF";
      ++i;
    } else if (IsOneOf(c, kVowels)) {
      ch = U"A";
    } else if (c == 'Q') {
      ch = U"G";
    } else if (c == 'Z') {
      ch = U"S";
    } else if (c == 'M') {
      ch = U"N";
    } else if (c == 'K') {
      ch = (i + 1 < n && s[i + 1] == 'N') ? U"N" : U"C";
    } else if (c == 'S' && i + 2 < n && s[i + 1] == 'C' && s[i + 2] == 'H') {
      ch = U"SS";
      i += 2;
    } else if (c == 'P' && i + 1 < n && s[i + 1] == 'H') {
      ch = U"F";
      ++i;
    } else if (c == 'H' && (!IsOneOf(s[i - 1], kVowels) || (i + 1 < n && !IsOneOf(s[i + 1], kVowels)) || i + 1 >= n)) {
      ch = IsOneOf(s[i - 1], kVowels) ? std::u32string(U"A") : std::u32string(1, s[i - 1]);
    } else if (c == 'W' && IsOneOf(s[i - 1], kVowels)) {
      ch = std::u32string(1, s[i - 1]);
    }
    if (ch.back() != key.back()) key += ch;
  }
  if (key.size() > 1 && key.back() == 'S') key.pop_back();
  if (key.size() >= 2 && key.substr(key.size() - 2) == U"AY") key = key.substr(0, key.size() - 2) + U"Y";
  if (key.size() > 1 && key.back() == 'A') key.pop_back();
  return EncodeUtf8(key);
}

std::string Metaphone(std::string_view text) {
  std::u32string lowered = DecodeUtf8(text);
  for (char32_t& c : lowered) c = Lower(c);
  std::u32string s = Nfkd(EncodeUtf8(lowered));
  auto starts = [&](std::u32string_view p) { return std::u32string_view(s).substr(0, p.size()) == p; };
  if (starts(U"kn") || starts(U"gn") || starts(U"pn") || starts(U"wr") || starts(U"ae")) s = s.substr(1);
  // 0 stands for jellyfish's "*****" sentinel: past the end, never in any letter set.
  constexpr char32_t kNone = 0;
  constexpr std::u32string_view kVowels = U"aeiou";
  auto in = [](char32_t c, std::u32string_view set) { return c != kNone && set.find(c) != std::u32string_view::npos; };
  std::string result;
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    const char32_t c = s[i];
    const char32_t next = i + 1 < n ? s[i + 1] : kNone;
    const char32_t nextnext = i + 2 < n ? s[i + 2] : kNone;
    if (c == next && c != 'c') continue;
    if (in(c, kVowels)) {
      if (i == 0 || s[i - 1] == ' ') result.push_back(static_cast<char>(c));
    } else if (c == 'b') {
      result.push_back('b');  // jellyfish's "unless after m" test is always overridden by its sentinel
    } else if (c == 'c') {
      if ((next == 'i' && nextnext == 'a') || next == 'h') {
        result.push_back('x');
        ++i;
      } else if (in(next, U"iey")) {
        result.push_back('s');
        ++i;
      } else {
        result.push_back('k');
      }
    } else if (c == 'd') {
      if (next == 'g' && in(nextnext, U"iey")) {
        result.push_back('j');
        i += 2;
      } else {
        result.push_back('t');
      }
    } else if (in(c, U"fjlmnr")) {
      result.push_back(static_cast<char>(c));
    } else if (c == 'g') {
      if (in(next, U"iey"))
        result.push_back('j');
      else if (next == 'h' && !in(nextnext, kVowels))
        ++i;
      else
        result.push_back('k');
    } else if (c == 'h') {
      if (i == 0 || in(next, kVowels) || !in(s[i - 1], kVowels)) result.push_back('h');
    } else if (c == 'k') {
      if (i == 0 || s[i - 1] != 'c') result.push_back('k');
    } else if (c == 'p') {
      if (next == 'h') {
        result.push_back('f');
        ++i;
      } else {
        result.push_back('p');
      }
    } else if (c == 'q') {
      result.push_back('k');
    } else if (c == 's') {
      if (next == 'h') {
        result.push_back('x');
        ++i;
      } else if (next == 'i' && in(nextnext, U"oa")) {
        result.push_back('x');
        i += 2;
      } else {
        result.push_back('s');
      }
    } else if (c == 't') {
      if (next == 'i' && in(nextnext, U"oa")) {
        result.push_back('x');
      } else if (next == 'h') {
        result.push_back('0');
        ++i;
      } else if (next != 'c' || nextnext != 'h') {
        result.push_back('t');
      }
    } else if (c == 'v') {
      result.push_back('f');
    } else if (c == 'w') {
      if (i == 0 && next == 'h') {
        ++i;
        result.push_back('w');
      } else if (in(next, kVowels)) {
        result.push_back('w');
      }
    } else if (c == 'x') {
      if (i == 0) {
        result.push_back((next == 'h' || (next == 'i' && in(nextnext, U"oa"))) ? 'x' : 's');
      } else {
        result += "ks";
      }
    } else if (c == 'y') {
      if (in(next, kVowels)) result.push_back('y');
    } else if (c == 'z') {
      result.push_back('s');
    } else if (c == ' ') {
      if (!result.empty() && result.back() != ' ') result.push_back(' ');
    }
  }
  for (char& c : result) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return result;
}

}  // namespace riskradar::linkage

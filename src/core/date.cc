// Civil-date arithmetic (Hinnant's days-from-civil algorithm) and strict parsing.
#include "riskradar/core/date.h"
#include "riskradar/core/text.h"

#include <array>
#include <cctype>
#include <cstdio>

namespace riskradar {
namespace {

constexpr std::array<std::string_view, 12> kMonthAbbrev = {"jan", "feb", "mar", "apr", "may", "jun",
                                                           "jul", "aug", "sep", "oct", "nov", "dec"};

int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t z, int& y, int& m, int& d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe) + era * 400 + (m <= 2);
}

// Reads between min_digits and max_digits digits at text[pos].
bool ReadNumber(std::string_view text, size_t& pos, int min_digits, int max_digits, int& out) {
  int value = 0;
  int count = 0;
  while (pos < text.size() && count < max_digits && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    value = value * 10 + (text[pos] - '0');
    ++pos;
    ++count;
  }
  if (count < min_digits) return false;
  out = value;
  return true;
}

}  // namespace

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[static_cast<size_t>(month - 1)];
}

std::optional<Date> Date::FromYmd(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > DaysInMonth(year, month)) return std::nullopt;
  return FromDays(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

Result<Date> Date::Parse(std::string_view raw, std::string_view format) {
  const std::string_view text = Trim(raw);
  if (text.empty()) return Status::InvalidArgument("empty date");
  int year = -1, month = -1, day = -1, ignored = 0;
  size_t pos = 0;
  auto fail = [&](std::string_view why) {
    // Appended piece by piece: `"'" + std::string` trips GCC 12's false -Wrestrict at -O3 (GCC bug 105651).
    std::string message = "'";
    message.append(text).append("' is not a date in format '").append(format).append("' (").append(why).append(")");
    return Status::InvalidArgument(std::move(message));
  };
  for (size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%' || f + 1 == format.size()) {
      if (pos >= text.size() || text[pos] != format[f]) return fail("unexpected character");
      ++pos;
      continue;
    }
    const char spec = format[++f];
    bool ok = true;
    switch (spec) {
      case 'Y':
        ok = ReadNumber(text, pos, 4, 4, year);
        break;
      case 'y':
        ok = ReadNumber(text, pos, 2, 2, year);
        if (ok) year += year <= 68 ? 2000 : 1900;
        break;
      case 'm':
        ok = ReadNumber(text, pos, 1, 2, month);
        break;
      case 'd':
        ok = ReadNumber(text, pos, 1, 2, day);
        break;
      case 'H':
      case 'M':
      case 'S':
        ok = ReadNumber(text, pos, 1, 2, ignored);
        break;
      case 'b': {
        ok = false;
        if (pos + 3 <= text.size()) {
          std::string abbrev;
          for (size_t i = 0; i < 3; ++i)
            abbrev += static_cast<char>(std::tolower(static_cast<unsigned char>(text[pos + i])));
          for (size_t i = 0; i < kMonthAbbrev.size(); ++i) {
            if (abbrev == kMonthAbbrev[i]) {
              month = static_cast<int>(i) + 1;
              ok = true;
            }
          }
          if (ok) pos += 3;
        }
        break;
      }
      case '%':
        ok = pos < text.size() && text[pos] == '%';
        if (ok) ++pos;
        break;
      default:
        return Status::InvalidArgument("unsupported date format directive %" + std::string(1, spec));
    }
    if (!ok) return fail("field does not match");
  }
  if (pos != text.size()) return fail("trailing characters");
  if (year < 0 || month < 0 || day < 0) return fail("format lacks a year, month or day");
  auto date = FromYmd(year, month, day);
  if (!date) return fail("no such day");
  return *date;
}

int Date::year() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  return y;
}
int Date::month() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  return m;
}
int Date::day() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  return d;
}

std::string Date::ToIso() const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  char buf[40];  // room for any int in each field, so -Wformat-truncation can prove nothing is cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

std::string Date::Format(std::string_view format) const {
  int y, m, d;
  CivilFromDays(days_, y, m, d);
  std::string out;
  char buf[16];  // room for any int, so -Wformat-truncation can prove nothing is cut
  for (size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%' || f + 1 == format.size()) {
      out += format[f];
      continue;
    }
    switch (format[++f]) {
      case 'Y':
        std::snprintf(buf, sizeof buf, "%04d", y);
        out += buf;
        break;
      case 'y':
        std::snprintf(buf, sizeof buf, "%02d", y % 100);
        out += buf;
        break;
      case 'm':
        std::snprintf(buf, sizeof buf, "%02d", m);
        out += buf;
        break;
      case 'd':
        std::snprintf(buf, sizeof buf, "%02d", d);
        out += buf;
        break;
      case 'b': {
        std::string_view a = kMonthAbbrev[static_cast<size_t>(m - 1)];
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(a[0])));
        out += a.substr(1);
        break;
      }
      default:
        out += '%';
        out += format[f];
        break;
    }
  }
  return out;
}

int Date::AgeOn(Date birth, Date on) {
  int by, bm, bd, oy, om, od;
  CivilFromDays(birth.days_, by, bm, bd);
  CivilFromDays(on.days_, oy, om, od);
  int age = oy - by;
  if (om < bm || (om == bm && od < bd)) --age;
  return age;
}

}  // namespace riskradar

// Civil dates (no time zone) as days since 1970-01-01, with strict parsing
// against strftime-style formats so impossible dates (31/02/2010) are rejected.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date FromDays(int32_t days) {
    Date d;
    d.days_ = days;
    return d;
  }
  // The UTC calendar day of a Unix time in seconds (before 1970 too: the day is rounded down).
  static constexpr Date FromUnixSeconds(int64_t seconds) {
    const int64_t days = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
    return FromDays(static_cast<int32_t>(days));
  }
  // Returns nullopt for an impossible date (month 13, 30 February, ...).
  static std::optional<Date> FromYmd(int year, int month, int day);

  // Parses text with a strftime-style format. Supported: %Y (4 digits),
  // %y (2 digits, 00-68 -> 20xx), %m, %d (1 or 2 digits), %b (Jan..Dec,
  // case-insensitive), %H, %M, %S (parsed and ignored: dates only), literal
  // characters. The whole text must be consumed; surrounding spaces are trimmed.
  static Result<Date> Parse(std::string_view text, std::string_view format);
  // ISO 8601 calendar date, YYYY-MM-DD.
  static Result<Date> ParseIso(std::string_view text) { return Parse(text, "%Y-%m-%d"); }

  int32_t days() const { return days_; }
  int year() const;
  int month() const;
  int day() const;
  std::string ToIso() const;
  // Formats with %Y %y %m %d %b; other characters copied.
  std::string Format(std::string_view format) const;

  Date AddDays(int32_t n) const { return FromDays(days_ + n); }
  // Whole years from birth to on (age on a date).
  static int AgeOn(Date birth, Date on);

  friend constexpr auto operator<=>(Date a, Date b) = default;
  friend constexpr int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }

 private:
  int32_t days_ = 0;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

}  // namespace riskradar

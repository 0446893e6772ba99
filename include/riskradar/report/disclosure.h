// Statistical disclosure control for published counts: small numbers
// suppressed, secondary suppression so they cannot be recovered from totals,
// totals rounded. Output carries only what may be shown, never the raw count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/report/summary.h"

namespace riskradar::report {

struct DisclosureRule {
  int64_t min_shown = 6;        // counts 1..min_shown-1 are suppressed; 0 is shown
  int64_t round_totals_to = 5;  // totals to the nearest multiple; 1 = exact
  bool secondary = true;        // suppress partners so no suppressed cell is recoverable
};

enum class Suppression { kShown, kPrimary, kSecondary };

struct ShownCell {
  std::optional<int64_t> value;  // nullopt when suppressed
  Suppression suppression = Suppression::kShown;
  std::string text;  // "c" or the count with thousands separators
};

struct SuppressedList {
  std::vector<std::string> labels;
  std::vector<ShownCell> cells;
  ShownCell total;  // of all cells, rounded (suppressed itself if small)
};

struct SuppressedGrid {
  std::string row_heading;
  std::vector<std::string> rows, columns;
  std::vector<std::vector<ShownCell>> cells;
  std::vector<ShownCell> row_totals, column_totals;  // rounded
  ShownCell grand_total;
};

// One-way table: cells 1..min_shown-1 become "c"; when exactly one cell is
// suppressed, the next smallest non-zero cell is suppressed too.
SuppressedList SuppressTable(const std::vector<CountRow>& rows, const DisclosureRule& rule);
// Two-way table with margins: secondary suppression is repeated until no row
// and no column has exactly one suppressed cell.
SuppressedGrid SuppressTable(const CountTable& table, const DisclosureRule& rule);

// A lone published count (a headline figure): treated as a total, so
// suppressed when small and otherwise rounded.
ShownCell PublishCount(int64_t value, const DisclosureRule& rule);
// Exact, for restricted output.
ShownCell ExactCount(int64_t value);

// One or two sentences explaining the rule, for the report's note.
std::string DescribeRule(const DisclosureRule& rule);

}  // namespace riskradar::report

// Small-number suppression with secondary suppression and rounded totals.
#include "riskradar/report/disclosure.h"

#include <fmt/format.h>

#include <algorithm>

namespace riskradar::report {
namespace {

bool IsSmall(int64_t value, const DisclosureRule& rule) { return value > 0 && value < rule.min_shown; }

int64_t RoundTotal(int64_t value, const DisclosureRule& rule) {
  int64_t step = std::max<int64_t>(rule.round_totals_to, 1);
  int64_t rounded = (value + step / 2) / step * step;
  // A non-zero total never rounds to a misleading 0.
  return value > 0 && rounded == 0 ? step : rounded;
}

ShownCell Shown(int64_t value) { return {value, Suppression::kShown, FormatCount(value)}; }
ShownCell Hidden(Suppression why) { return {std::nullopt, why, "c"}; }

ShownCell Total(int64_t value, const DisclosureRule& rule) {
  if (IsSmall(value, rule)) return Hidden(Suppression::kPrimary);
  return Shown(RoundTotal(value, rule));
}

// The index of the non-zero, not yet suppressed value with the lowest tier
// (see SuppressTable), then the smallest value, then the lowest index.
template <typename Tier>
std::optional<size_t> PickPartner(const std::vector<int64_t>& values, const std::vector<bool>& suppressed, Tier tier) {
  std::optional<size_t> best;
  int best_tier = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (suppressed[i] || values[i] == 0) continue;
    int t = tier(i);
    if (!best || t < best_tier || (t == best_tier && values[i] < values[*best])) {
      best = i;
      best_tier = t;
    }
  }
  return best;
}

}  // namespace

ShownCell PublishCount(int64_t value, const DisclosureRule& rule) { return Total(value, rule); }
ShownCell ExactCount(int64_t value) { return Shown(value); }

SuppressedList SuppressTable(const std::vector<CountRow>& rows, const DisclosureRule& rule) {
  SuppressedList out;
  std::vector<int64_t> values;
  std::vector<bool> suppressed;
  int64_t total = 0;
  for (const CountRow& row : rows) {
    out.labels.push_back(row.label);
    values.push_back(row.count);
    suppressed.push_back(IsSmall(row.count, rule));
    total += row.count;
  }
  std::optional<size_t> partner;
  if (rule.secondary && std::count(suppressed.begin(), suppressed.end(), true) == 1) {
    partner = PickPartner(values, suppressed, [](size_t) { return 0; });
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (suppressed[i]) {
      out.cells.push_back(Hidden(Suppression::kPrimary));
    } else if (partner && *partner == i) {
      out.cells.push_back(Hidden(Suppression::kSecondary));
    } else {
      out.cells.push_back(Shown(values[i]));
    }
  }
  out.total = Total(total, rule);
  return out;
}

SuppressedGrid SuppressTable(const CountTable& table, const DisclosureRule& rule) {
  const size_t row_count = table.rows.size();
  const size_t column_count = table.columns.size();
  auto value = [&](size_t r, size_t c) -> int64_t {
    return r < table.cells.size() && c < table.cells[r].size() ? table.cells[r][c] : 0;
  };
  std::vector<std::vector<Suppression>> state(row_count, std::vector<Suppression>(column_count, Suppression::kShown));
  for (size_t r = 0; r < row_count; ++r) {
    for (size_t c = 0; c < column_count; ++c) {
      if (IsSmall(value(r, c), rule)) state[r][c] = Suppression::kPrimary;
    }
  }
  auto row_suppressed = [&](size_t r) {
    size_t n = 0;
    for (size_t c = 0; c < column_count; ++c) n += state[r][c] != Suppression::kShown;
    return n;
  };
  auto column_suppressed = [&](size_t c) {
    size_t n = 0;
    for (size_t r = 0; r < row_count; ++r) n += state[r][c] != Suppression::kShown;
    return n;
  };
  auto row_has_other = [&](size_t r, size_t except_c) {
    for (size_t c = 0; c < column_count; ++c) {
      if (c != except_c && state[r][c] == Suppression::kShown && value(r, c) > 0) return true;
    }
    return false;
  };
  auto column_has_other = [&](size_t c, size_t except_r) {
    for (size_t r = 0; r < row_count; ++r) {
      if (r != except_r && state[r][c] == Suppression::kShown && value(r, c) > 0) return true;
    }
    return false;
  };
  // Choosing a partner also adds a suppression to the crossing line. Prefer
  // partners that complete a crossing line left with one (tier 0), then lines
  // already safe (1), then lines that can still find a partner (2), and only
  // last one that would leave the crossing line unprotectable (3).
  auto tier = [](size_t crossing_suppressed, bool crossing_has_other) {
    if (crossing_suppressed == 1) return 0;
    if (crossing_suppressed >= 2) return 1;
    return crossing_has_other ? 2 : 3;
  };

  // Each pass adds at least one suppression or stops, so this terminates.
  bool changed = rule.secondary;
  while (changed) {
    changed = false;
    for (size_t r = 0; r < row_count; ++r) {
      if (row_suppressed(r) != 1) continue;
      std::vector<int64_t> values;
      std::vector<bool> taken;
      for (size_t c = 0; c < column_count; ++c) {
        values.push_back(value(r, c));
        taken.push_back(state[r][c] != Suppression::kShown);
      }
      auto partner =
          PickPartner(values, taken, [&](size_t c) { return tier(column_suppressed(c), column_has_other(c, r)); });
      if (!partner) continue;  // the rest of the row is zeros: its total is hidden below
      state[r][*partner] = Suppression::kSecondary;
      changed = true;
    }
    for (size_t c = 0; c < column_count; ++c) {
      if (column_suppressed(c) != 1) continue;
      std::vector<int64_t> values;
      std::vector<bool> taken;
      for (size_t r = 0; r < row_count; ++r) {
        values.push_back(value(r, c));
        taken.push_back(state[r][c] != Suppression::kShown);
      }
      auto partner = PickPartner(values, taken, [&](size_t r) { return tier(row_suppressed(r), row_has_other(r, c)); });
      if (!partner) continue;
      state[*partner][c] = Suppression::kSecondary;
      changed = true;
    }
  }

  SuppressedGrid out;
  out.row_heading = table.row_heading;
  out.rows = table.rows;
  out.columns = table.columns;
  std::vector<int64_t> column_sums(column_count, 0);
  int64_t grand = 0;
  for (size_t r = 0; r < row_count; ++r) {
    std::vector<ShownCell> cells;
    int64_t row_sum = 0;
    for (size_t c = 0; c < column_count; ++c) {
      int64_t v = value(r, c);
      cells.push_back(state[r][c] == Suppression::kShown ? Shown(v) : Hidden(state[r][c]));
      row_sum += v;
      column_sums[c] += v;
    }
    grand += row_sum;
    out.cells.push_back(std::move(cells));
    // A line left with one suppressed cell (the rest zeros) would give it
    // away through its total, so the total goes too.
    bool exposed = rule.secondary && row_suppressed(r) == 1;
    out.row_totals.push_back(exposed ? Hidden(Suppression::kSecondary) : Total(row_sum, rule));
  }
  for (size_t c = 0; c < column_count; ++c) {
    bool exposed = rule.secondary && column_suppressed(c) == 1;
    out.column_totals.push_back(exposed ? Hidden(Suppression::kSecondary) : Total(column_sums[c], rule));
  }
  out.grand_total = Total(grand, rule);
  return out;
}

std::string DescribeRule(const DisclosureRule& rule) {
  std::string text;
  if (rule.min_shown > 1) {
    text = rule.min_shown == 2 ? "Counts of 1 are shown as \"c\" (suppressed)."
                               : fmt::format("Counts from 1 to {} are shown as \"c\" (suppressed); 0 is shown as 0.",
                                             rule.min_shown - 1);
  }
  if (rule.secondary && rule.min_shown > 1) {
    text +=
        " Where a suppressed count could otherwise be worked out from a total, the next smallest count is"
        " suppressed as well.";
  }
  if (rule.round_totals_to > 1) {
    text += fmt::format(" Totals are rounded to the nearest {}, so they may not equal the sum of their parts.",
                        rule.round_totals_to);
  }
  if (text.empty()) return "Counts are shown exactly.";
  return text[0] == ' ' ? text.substr(1) : text;
}

}  // namespace riskradar::report

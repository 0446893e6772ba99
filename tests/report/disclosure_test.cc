// Disclosure control: primary and secondary suppression, zeros, rounded totals, two-way margins.
#include "riskradar/report/disclosure.h"

#include <gtest/gtest.h>

#include <random>

namespace riskradar::report {
namespace disclosure_test {

std::vector<std::string> Texts(const std::vector<ShownCell>& cells) {
  std::vector<std::string> out;
  for (const ShownCell& cell : cells) out.push_back(cell.text);
  return out;
}

using Texts_ = std::vector<std::string>;

struct OneWayCase {
  std::string name;
  std::vector<int64_t> counts;
  Texts_ expect;
  std::string expect_total;
};

TEST(DisclosureTest, OneWayCases) {
  const std::vector<OneWayCase> cases = {
      {"nothing small", {10, 20, 30}, {"10", "20", "30"}, "60"},
      {"single small cell gets the next smallest as partner", {40, 3, 12, 25}, {"40", "c", "c", "25"}, "80"},
      {"two small cells need no partner", {40, 3, 2, 25}, {"40", "c", "c", "25"}, "70"},
      {"zero is shown as zero and never a partner", {0, 4, 0, 9}, {"0", "c", "0", "c"}, "15"},
      {"boundary: 5 suppressed, 6 shown", {5, 6, 100}, {"c", "c", "100"}, "110"},
      {"all zero", {0, 0}, {"0", "0"}, "0"},
      {"small total is suppressed", {2, 0, 1}, {"c", "0", "c"}, "c"},
      {"only one non-zero small cell: total hides it", {3, 0}, {"c", "0"}, "c"},
      {"partner ties go to the first", {8, 1, 8}, {"c", "c", "8"}, "15"},
      {"thousands separators", {12345, 1000}, {"12,345", "1,000"}, "13,345"},
  };
  for (const OneWayCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<CountRow> rows;
    for (int64_t count : c.counts) rows.push_back({"row " + std::to_string(rows.size()), count});
    SuppressedList list = SuppressTable(rows, DisclosureRule{});
    EXPECT_EQ(Texts(list.cells), c.expect);
    EXPECT_EQ(list.total.text, c.expect_total);
    EXPECT_EQ(list.labels.size(), c.counts.size());
  }
}

TEST(DisclosureTest, SuppressedCellsCarryNoValue) {
  SuppressedList list = SuppressTable({{"a", 40}, {"b", 3}, {"c", 12}}, DisclosureRule{});
  EXPECT_EQ(list.cells[1].suppression, Suppression::kPrimary);
  EXPECT_FALSE(list.cells[1].value.has_value());
  EXPECT_EQ(list.cells[2].suppression, Suppression::kSecondary);
  EXPECT_FALSE(list.cells[2].value.has_value());
  EXPECT_EQ(list.cells[0].value, 40);
}

TEST(DisclosureTest, RuleIsConfigurable) {
  DisclosureRule rule{.min_shown = 11, .round_totals_to = 10, .secondary = false};
  SuppressedList list = SuppressTable({{"a", 40}, {"b", 10}, {"c", 12}}, rule);
  EXPECT_EQ(Texts(list.cells), (Texts_{"40", "c", "12"}));  // no secondary partner
  EXPECT_EQ(list.total.text, "60");                         // 62 to the nearest 10
  DisclosureRule exact{.min_shown = 1, .round_totals_to = 1, .secondary = true};
  EXPECT_EQ(Texts(SuppressTable({{"a", 1}, {"b", 2}}, exact).cells), (Texts_{"1", "2"}));
}

TEST(DisclosureTest, TotalsRoundToNearest) {
  DisclosureRule rule;
  EXPECT_EQ(PublishCount(0, rule).text, "0");
  EXPECT_EQ(PublishCount(3, rule).text, "c");
  EXPECT_EQ(PublishCount(7, rule).text, "5");
  EXPECT_EQ(PublishCount(8, rule).text, "10");
  EXPECT_EQ(PublishCount(731, rule).text, "730");
  EXPECT_EQ(PublishCount(61238, rule).text, "61,240");
  EXPECT_EQ(ExactCount(3).text, "3");
}

int SuppressedIn(const std::vector<ShownCell>& cells) {
  int n = 0;
  for (const ShownCell& cell : cells) n += cell.suppression != Suppression::kShown;
  return n;
}

// No row or column may have exactly one suppressed cell; no 1..5 cell visible.
void ExpectProtected(const CountTable& table, const SuppressedGrid& grid) {
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    EXPECT_NE(SuppressedIn(grid.cells[r]), 1) << "row " << r;
    for (size_t c = 0; c < grid.columns.size(); ++c) {
      int64_t v = table.cells[r][c];
      if (v >= 1 && v <= 5) {
        EXPECT_NE(grid.cells[r][c].suppression, Suppression::kShown);
      }
      if (v == 0) {
        EXPECT_EQ(grid.cells[r][c].text, "0");
      }
    }
  }
  for (size_t c = 0; c < grid.columns.size(); ++c) {
    std::vector<ShownCell> column;
    for (size_t r = 0; r < grid.rows.size(); ++r) column.push_back(grid.cells[r][c]);
    EXPECT_NE(SuppressedIn(column), 1) << "column " << c;
  }
}

TEST(DisclosureTest, TwoWaySecondarySuppression) {
  CountTable table;
  table.row_heading = "District";
  table.rows = {"Birmingham", "Coventry", "Dudley"};
  table.columns = {"serious", "significant", "at risk"};
  table.cells = {{20, 45, 90}, {3, 14, 30}, {9, 11, 25}};
  SuppressedGrid grid = SuppressTable(table, DisclosureRule{});
  ExpectProtected(table, grid);
  EXPECT_EQ(grid.cells[1][0].text, "c");
  EXPECT_EQ(grid.cells[1][0].suppression, Suppression::kPrimary);
  // Row Coventry's partner is its smallest other cell (14); column serious's is 9.
  EXPECT_EQ(grid.cells[1][1].suppression, Suppression::kSecondary);
  EXPECT_EQ(grid.cells[2][0].suppression, Suppression::kSecondary);
  EXPECT_EQ(grid.cells[2][1].suppression, Suppression::kSecondary);  // then Dudley and significant need a fourth
  EXPECT_EQ(grid.row_totals[0].text, "155");
  EXPECT_EQ(grid.row_totals[1].text, "45");     // 47
  EXPECT_EQ(grid.column_totals[0].text, "30");  // 32
  EXPECT_EQ(grid.grand_total.text, "245");      // 247
}

TEST(DisclosureTest, TwoWayRandomTablesAreAlwaysProtected) {
  std::mt19937 rng(42);
  for (int round = 0; round < 500; ++round) {
    CountTable table;
    size_t rows = 1 + rng() % 6, columns = 1 + rng() % 5;
    // Labels appended, not "r" + std::to_string(r): GCC 12 -O3 false -Wrestrict (bug 105651).
    for (size_t r = 0; r < rows; ++r) table.rows.push_back(std::string("r").append(std::to_string(r)));
    for (size_t c = 0; c < columns; ++c) table.columns.push_back(std::string("c").append(std::to_string(c)));
    for (size_t r = 0; r < rows; ++r) {
      table.cells.emplace_back();
      for (size_t c = 0; c < columns; ++c) {
        int kind = static_cast<int>(rng() % 4);
        table.cells[r].push_back(kind == 0 ? 0 : kind == 1 ? 1 + rng() % 5 : rng() % 60);
      }
    }
    SuppressedGrid grid = SuppressTable(table, DisclosureRule{});
    SCOPED_TRACE(round);
    // A line whose only other cells are zeros cannot be protected by a
    // partner; there the line's total is suppressed instead.
    for (size_t r = 0; r < rows; ++r) {
      if (SuppressedIn(grid.cells[r]) == 1) {
        EXPECT_EQ(grid.row_totals[r].text, "c");
      }
      for (size_t c = 0; c < columns; ++c) {
        int64_t v = table.cells[r][c];
        if (v >= 1 && v <= 5) {
          EXPECT_NE(grid.cells[r][c].suppression, Suppression::kShown);
        }
        if (v == 0) {
          EXPECT_EQ(grid.cells[r][c].text, "0");
        }
      }
    }
    for (size_t c = 0; c < columns; ++c) {
      std::vector<ShownCell> column;
      for (size_t r = 0; r < rows; ++r) column.push_back(grid.cells[r][c]);
      if (SuppressedIn(column) == 1) {
        EXPECT_EQ(grid.column_totals[c].text, "c");
      }
    }
  }
}

TEST(DisclosureTest, DescribesTheRule) {
  std::string text = DescribeRule(DisclosureRule{});
  EXPECT_NE(text.find("Counts from 1 to 5 are shown as \"c\""), std::string::npos) << text;
  EXPECT_NE(text.find("next smallest"), std::string::npos) << text;
  EXPECT_NE(text.find("nearest 5"), std::string::npos) << text;
}

}  // namespace disclosure_test
}  // namespace riskradar::report

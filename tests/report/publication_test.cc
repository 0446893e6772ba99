// Disclosure control of a whole publication (report/publication.h): the issue-14 leak is closed, and on many
// random partnerships an attacker solving every published constraint (attacker.h) pins no suppressed cell.
#include "riskradar/report/publication.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "attacker.h"

namespace riskradar::report {
namespace publication_test {

attack::Cell ToAttack(const ShownCell& c) { return {c.value}; }

// What the attacker sees: only published values, the tables' structure and the reader's facts.
std::vector<attack::Finding> AttackPublication(const Publication& pub, const std::vector<Relation>& relations,
                                               const DisclosureConfig& config, bool all_primary) {
  std::vector<attack::Table> tables;
  for (const PublishedTable& t : pub.tables) {
    if (t.withheld) continue;
    attack::Table a{t.name, t.population, {}, ToAttack(t.total), t.columns, t.rows_of, t.columns_of};
    for (const ShownCell& c : t.cells) a.cells.push_back(ToAttack(c));
    tables.push_back(std::move(a));
  }
  std::vector<attack::Fact> facts;
  for (const Relation& r : relations) {
    attack::Fact f{{}, r.lo, r.hi};
    for (const auto& [ref, coefficient] : r.terms) f.terms.push_back({ref.table, ref.index, coefficient});
    facts.push_back(f);
  }
  return attack::Attack(tables, facts, config.round_to, config.min_shown, all_primary);
}

void ExpectNothingPinned(const Publication& pub, const std::vector<Relation>& relations,
                         const DisclosureConfig& config) {
  for (const attack::Finding& f : AttackPublication(pub, relations, config, false)) {
    EXPECT_FALSE(f.infeasible) << f.table << "[" << f.index << "]: the published constraints are inconsistent";
    EXPECT_FALSE(f.hi && *f.hi == f.lo) << f.table << "[" << f.index << "] pinned to " << f.lo;
  }
  // The reader who takes every "c" for a primary cell: where the figures allow that reading, it pins nothing either.
  const std::vector<attack::Finding> primary = AttackPublication(pub, relations, config, true);
  const bool contradicted = std::any_of(primary.begin(), primary.end(), [](const auto& f) { return f.infeasible; });
  if (contradicted) return;
  for (const attack::Finding& f : primary) {
    EXPECT_FALSE(f.hi && *f.hi == f.lo) << f.table << "[" << f.index << "] pinned to " << f.lo << " (all primary)";
  }
}

CountTableSpec Table(std::string name, std::string population, std::vector<int64_t> counts) {
  CountTableSpec t;
  t.name = std::move(name);
  t.population = std::move(population);
  t.title = t.name;
  for (size_t i = 0; i < counts.size(); ++i) t.labels.push_back("row " + std::to_string(i));
  t.counts = std::move(counts);
  return t;
}

// The leak of issue 14: age 21, 10, 5, 5 with exact level (6, 0, 35) and sex (13, 28) tables gave both 5s away.
TEST(PublicationTest, IssueFourteenAgeLeakIsClosed) {
  PublishInput input;
  input.tables = {Table("age", "radar", {21, 10, 5, 5}), Table("level", "radar", {6, 0, 35}),
                  Table("sex", "radar", {13, 28})};
  input.always_shown = {"radar"};
  const DisclosureConfig config;
  const Publication pub = Protect(input, config);
  const PublishedTable* age = pub.Find("age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ(age->cells[2].text, "c");
  EXPECT_EQ(age->cells[3].text, "c");
  EXPECT_EQ(age->total.text, "41");  // the headline, always shown
  // The complementary cell is the smallest shown one of the same table.
  EXPECT_EQ(age->cells[1].text, "c");
  EXPECT_EQ(age->cells[0].text, "21");
  EXPECT_EQ(pub.Find("level")->cells[0].text, "6");
  ExpectNothingPinned(pub, input.relations, config);
  // The library's own check agrees.
  for (const CellBounds& b : SuppressedCellBounds(pub, input.relations, config)) EXPECT_FALSE(b.Pinned());
  EXPECT_EQ(pub.primary, 2);
  EXPECT_EQ(pub.complementary, 1);
}

TEST(PublicationTest, LabelsKeepTheirOrderAndZerosAreShown) {
  PublishInput input;
  input.tables = {Table("t", "p", {0, 40, 3, 12, 0, 2})};
  const Publication pub = Protect(input, DisclosureConfig{});
  const PublishedTable& t = pub.tables[0];
  std::vector<std::string> texts;
  for (const ShownCell& c : t.cells) texts.push_back(c.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"0", "40", "c", "12", "0", "c"}));
  EXPECT_EQ(t.labels, input.tables[0].labels);
  EXPECT_EQ(t.total.text, "57");
}

// A table whose only non-zero cell equals a headline that is always shown cannot be protected: withheld.
TEST(PublicationTest, TableThatCannotBeProtectedIsWithheld) {
  PublishInput input;
  input.tables = {Table("level", "radar", {2, 1, 0}), Table("looked_after", "radar", {3, 0})};
  input.always_shown = {"radar"};
  const Publication pub = Protect(input, DisclosureConfig{});
  EXPECT_TRUE(pub.Find("looked_after")->withheld);
  EXPECT_EQ(pub.Find("level")->total.text, "3");
  EXPECT_FALSE(pub.Find("level")->withheld);  // {2,1} or {1,2}: two ways
  ExpectNothingPinned(pub, input.relations, DisclosureConfig{});
}

TEST(PublicationTest, CrossTableWithMarginsIsProtected) {
  PublishInput input;
  CountTableSpec district = Table("district", "radar", {30, 12, 9});
  CountTableSpec level = Table("level", "radar", {8, 14, 29});
  CountTableSpec grid = Table("grid", "radar", {4, 8, 18, 2, 3, 7, 2, 3, 4});
  grid.columns = 3;
  grid.rows_of = "district";
  grid.columns_of = "level";
  input.tables = {level, district, grid};
  input.always_shown = {"radar"};
  const Publication pub = Protect(input, DisclosureConfig{});
  ExpectNothingPinned(pub, input.relations, DisclosureConfig{});
  EXPECT_EQ(pub.Find("district")->cells[0].text, "30");
}

TEST(PublicationTest, RoundingAppliesToCellsAndTotalsAlike) {
  DisclosureConfig config{.min_shown = 6, .round_to = 5};
  PublishInput input;
  input.tables = {Table("t", "p", {21, 10, 5, 5}), Table("u", "p", {13, 28})};
  input.always_shown = {"p"};
  const Publication pub = Protect(input, config);
  EXPECT_EQ(pub.Find("t")->cells[0].text, "20");
  EXPECT_EQ(pub.Find("t")->cells[1].text, "10");
  EXPECT_EQ(pub.Find("t")->total.text, "40");
  EXPECT_EQ(pub.Find("u")->cells[1].text, "30");
  ExpectNothingPinned(pub, input.relations, config);
}

TEST(PublicationTest, ConfigParsesAndRefusesNonsense) {
  auto ok = ParseDisclosureConfig("[disclosure]\nmin_shown = 11\nround_to = 5\n", "t.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->min_shown, 11);
  EXPECT_EQ(ok->round_to, 5);
  auto bad_key = ParseDisclosureConfig("[disclosure]\nminimum = 3\n", "t.toml");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().ToString().find("unknown key 'minimum'"), std::string::npos);
  auto rounding = ParseDisclosureConfig("[disclosure]\nmin_shown = 3\nround_to = 5\n", "t.toml");
  ASSERT_FALSE(rounding.ok());
  EXPECT_NE(rounding.status().ToString().find("round_to (5) must not exceed min_shown (3)"), std::string::npos);
  EXPECT_FALSE(ParseDisclosureConfig("[disclosure]\nmin_shown = 0\n", "t.toml").ok());
  EXPECT_FALSE(ParseDisclosureConfig("min_shown = 6\n", "t.toml").ok());
  EXPECT_FALSE(ParseDisclosureConfig("[disclosure]\nmin_shown = \"six\"\n", "t.toml").ok());
  auto syntax = ParseDisclosureConfig("[disclosure]\nmin_shown = \n", "t.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("t.toml:2: not valid TOML"), std::string::npos) << syntax.status().message();
}

// Random partnerships, many of them tiny: one population split four ways (one a cross table with both margins),
// a second population, and the new / continuing / ceased relation to the previous period's headline.
TEST(PublicationTest, RandomPublicationsPinNothing) {
  std::mt19937_64 rng(20261207);
  int suppressed_seen = 0;
  for (int round = 0; round < 150; ++round) {
    const int64_t scale = round % 3 == 0 ? 3 : round % 3 == 1 ? 12 : 60;
    std::uniform_int_distribution<int> rows(2, 6), cols(2, 3);
    const int r = rows(rng), c = cols(rng);
    std::vector<int64_t> grid;
    std::poisson_distribution<int> cell(double(scale) / (r * c) + 0.3);
    for (int i = 0; i < r * c; ++i) grid.push_back(rng() % 5 == 0 ? 0 : cell(rng));
    std::vector<int64_t> row_sums(size_t(r), 0), col_sums(size_t(c), 0);
    int64_t total = 0;
    for (int i = 0; i < r * c; ++i) {
      row_sums[size_t(i / c)] += grid[size_t(i)];
      col_sums[size_t(i % c)] += grid[size_t(i)];
      total += grid[size_t(i)];
    }
    // Two further partitions of the same total.
    auto split = [&](int parts) {
      std::vector<int64_t> out(size_t(parts), 0);
      for (int64_t k = 0; k < total; ++k) out[rng() % size_t(parts)]++;
      return out;
    };
    PublishInput input;
    CountTableSpec g = Table("grid", "radar", grid);
    g.columns = size_t(c);
    g.rows_of = "district";
    g.columns_of = "level";
    input.tables = {Table("level", "radar", col_sums), Table("district", "radar", row_sums), g,
                    Table("sex", "radar", split(2)), Table("age", "radar", split(4))};
    const int64_t prev_total = total + int64_t(rng() % 7) - 3 > 0 ? total + int64_t(rng() % 7) - 3 : 1;
    const int64_t continuing = std::min(total, prev_total) * int64_t(rng() % 100) / 100;
    input.tables.push_back(Table("cases", "radar_either", {total - continuing, continuing, prev_total - continuing}));
    std::vector<int64_t> places = split(3);
    for (auto& v : places) v = v / 2;
    input.tables.push_back(Table("places", "places", places));
    input.relations.push_back({{{{"cases", 0}, 1}, {{"cases", 1}, 1}, {{"level", -1}, -1}}, 0, 0});
    input.relations.push_back({{{{"cases", 1}, 1}, {{"cases", 2}, 1}}, prev_total, prev_total});
    input.always_shown = {"radar"};
    for (const DisclosureConfig& config : {DisclosureConfig{}, DisclosureConfig{.min_shown = 6, .round_to = 5}}) {
      SCOPED_TRACE("round " + std::to_string(round) + " round_to " + std::to_string(config.round_to));
      const Publication pub = Protect(input, config);
      ExpectNothingPinned(pub, input.relations, config);
      EXPECT_EQ(*pub.Find("level")->total.value, RoundCount(total, config)) << "the headline is always shown";
      for (const PublishedTable& t : pub.tables) {
        for (size_t i = 0; i < t.cells.size(); ++i) {
          const int64_t truth = input.tables[size_t(&t - pub.tables.data())].counts[i];
          if (t.cells[i].value) {
            EXPECT_EQ(*t.cells[i].value, RoundCount(truth, config));
            EXPECT_TRUE(truth == 0 || truth >= config.min_shown) << t.name << " shows a small count";
          } else {
            ++suppressed_seen;
            if (!t.withheld) {
              EXPECT_GT(truth, 0) << t.name << ": a zero is never suppressed in a published table";
            }
          }
        }
      }
    }
  }
  EXPECT_GT(suppressed_seen, 300);  // the rounds really exercised suppression
}

}  // namespace publication_test
}  // namespace riskradar::report

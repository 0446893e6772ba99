// Disclosure control for a whole publication (the problem profile): every table of counts it publishes,
// protected together. Pure functions: no store, no files.
//
// The rule (DisclosureConfig, config/report/disclosure.toml):
//  - primary suppression: a count from 1 to min_shown-1 is published as "c"; 0 is published as 0;
//  - one rounding rule for every published count, cells and totals alike (round_to; 1 = exact);
//  - complementary suppression: after the primary cells, more cells are suppressed until no suppressed cell
//    can be narrowed to a single value by solving every published constraint together: each table's cells
//    sum to its population's total (the same in every table of that population), a cross table's rows and
//    columns sum to the cells of its margin tables, the declared relations between tables (e.g. new +
//    continuing = on the radar now; continuing + ceased = on the radar at the previous period's end, which
//    that period's publication showed), the rounding intervals and that a "c" is at least 1. The bounds are
//    integer bounds, solved as linear programs (GLPK), with the integer program where the linear optimum is
//    fractional;
//  - rows keep the order the caller gives (a fixed order, never by size);
//  - a population's total may be suppressed like a cell unless the population is "always shown" (the
//    headline), and a table that cannot be protected any other way is withheld whole.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/report/disclosure.h"

namespace riskradar::report {

struct DisclosureConfig {
  int64_t min_shown = 6;  // counts 1..min_shown-1 are suppressed ("c"); 0 is shown
  int64_t round_to = 1;   // every published count, cells and totals, to the nearest multiple (halves up); 1 = exact
};

// Parses [disclosure] min_shown / round_to; `where` names the source in errors. min_shown >= 1, round_to >= 1 and
// round_to <= min_shown (a rounded cell must not be able to show a suppressed value).
Result<DisclosureConfig> ParseDisclosureConfig(std::string_view toml_text, std::string_view where);
Result<DisclosureConfig> LoadDisclosureConfig(const std::filesystem::path& file);

// The rounded value of a count under the rule (0 stays 0).
int64_t RoundCount(int64_t value, const DisclosureConfig& config);

// One table of counts as computed (exact). Rows are in the order given.
struct CountTableSpec {
  std::string name;        // file name stem, e.g. "radar_by_district"
  std::string population;  // tables partitioning the same population name the same one
  std::string title;       // "Children on the risk radar by district"
  std::string group_heading;
  std::vector<std::string> labels;
  std::vector<int64_t> counts;
  // A cross table: labels and counts row-major, `columns` per row, labelled "row | column". Its row sums are the
  // cells of table `rows_of` and its column sums those of `columns_of` (tables of the same population), when named.
  size_t columns = 0;
  std::string rows_of, columns_of;
};

struct CellRef {
  std::string table;
  int index = -1;  // -1: the table's total (its population's total)
};
// lo <= sum(coefficient * cell) <= hi, a fact a reader knows about the published tables.
struct Relation {
  std::vector<std::pair<CellRef, int>> terms;
  int64_t lo = 0, hi = 0;
};

struct PublishInput {
  std::vector<CountTableSpec> tables;
  std::vector<Relation> relations;
  std::vector<std::string> always_shown;  // populations whose total is always published (the headline)
};

struct PublishedTable {
  std::string name, population, title, group_heading;
  std::vector<std::string> labels;
  size_t columns = 0;
  std::string rows_of, columns_of;
  std::vector<ShownCell> cells;
  ShownCell total;
  bool withheld = false;  // not published at all: it could not be protected
};

struct Publication {
  std::vector<PublishedTable> tables;
  int64_t primary = 0, complementary = 0, withheld = 0;
  const PublishedTable* Find(std::string_view name) const;
};

// Exact figures (the restricted version): every cell and total as computed.
Publication PublishExact(const PublishInput& input);
// The publishable version under `config`.
Publication Protect(const PublishInput& input, const DisclosureConfig& config);

// What a reader can work out: for each suppressed cell (and suppressed total) of `publication`, its integer
// bounds given everything published. hi is nullopt when unbounded. Used by Protect; exposed for tests.
struct CellBounds {
  CellRef cell;
  int64_t lo = 0;
  std::optional<int64_t> hi;
  bool Pinned() const { return hi && *hi == lo; }
};
std::vector<CellBounds> SuppressedCellBounds(const Publication& publication, const std::vector<Relation>& relations,
                                             const DisclosureConfig& config);

// The rule in words, for the report and the docs.
std::string DescribeRule(const DisclosureConfig& config);

}  // namespace riskradar::report

// Disclosure control for a whole publication: primary suppression, one rounding rule, and complementary
// suppression checked by solving what a reader can work out from every published table together (GLPK).
#include "riskradar/report/publication.h"
#include "riskradar/core/toml_text.h"

#include <fmt/format.h>
#include <glpk.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace riskradar::report {
namespace {

ShownCell ShownValue(int64_t value) { return {value, Suppression::kShown, FormatCount(value)}; }
ShownCell HiddenCell(Suppression why) { return {std::nullopt, why, "c"}; }

// ---- The reader's view as a linear program ----------------------------------------------------------------

struct Constraint {
  std::vector<std::pair<int, double>> terms;  // column (1-based), coefficient
  double lo = 0, hi = 0;
};

struct Column {
  double lo = 0;
  std::optional<double> hi;
};

struct Target {
  CellRef cell;
  int column = 0;
};

struct ReaderModel {
  std::vector<Column> columns;  // index 0 unused (GLPK columns are 1-based)
  std::vector<Constraint> constraints;
  std::vector<Target> targets;  // the suppressed cells and totals
};

// The interval a published count stands for under the rule.
// all_primary: the reader assumes every "c" is a primary cell, at most min_shown-1 (see Solve).
std::pair<double, std::optional<double>> Interval(const ShownCell& cell, bool is_total, const DisclosureConfig& config,
                                                  bool all_primary) {
  if (!cell.value) {  // "c": at least 1 (0 is always shown)
    if (all_primary) return {1.0, static_cast<double>(std::max<int64_t>(config.min_shown - 1, 1))};
    return {1.0, std::nullopt};
  }
  const int64_t r = *cell.value;
  if (r == 0 || config.round_to <= 1) return {static_cast<double>(r), static_cast<double>(r)};
  const int64_t b = config.round_to;
  int64_t lo = r - b / 2;
  const int64_t hi = r + (b - 1) - b / 2;
  if (!is_total) lo = std::max(lo, config.min_shown);  // a shown cell was at least min_shown
  lo = std::max<int64_t>(lo, 1);
  return {static_cast<double>(lo), static_cast<double>(hi)};
}

ReaderModel BuildModel(const Publication& pub, const std::vector<Relation>& relations, const DisclosureConfig& config,
                       const std::optional<CellRef>& only, bool all_primary) {
  ReaderModel m;
  m.columns.push_back({});
  std::map<std::string, int> population_column;
  std::map<std::string, size_t> table_index;
  std::vector<std::vector<int>> cell_column(pub.tables.size());
  auto wanted = [&](const std::string& table, int index) {
    return !only || (only->table == table && only->index == index);
  };
  for (size_t t = 0; t < pub.tables.size(); ++t) {
    const PublishedTable& table = pub.tables[t];
    table_index[table.name] = t;
    if (table.withheld) continue;
    auto [it, inserted] = population_column.try_emplace(table.population, 0);
    if (inserted) {
      auto [lo, hi] = Interval(table.total, true, config, all_primary);
      m.columns.push_back({lo, hi});
      it->second = static_cast<int>(m.columns.size() - 1);
      if (!table.total.value && wanted(table.name, -1)) m.targets.push_back({{table.name, -1}, it->second});
    }
    for (size_t i = 0; i < table.cells.size(); ++i) {
      auto [lo, hi] = Interval(table.cells[i], false, config, all_primary);
      m.columns.push_back({lo, hi});
      const int column = static_cast<int>(m.columns.size() - 1);
      cell_column[t].push_back(column);
      if (!table.cells[i].value && wanted(table.name, static_cast<int>(i))) {
        m.targets.push_back({{table.name, static_cast<int>(i)}, column});
      }
    }
    Constraint sum;
    for (int column : cell_column[t]) sum.terms.push_back({column, 1.0});
    sum.terms.push_back({it->second, -1.0});
    m.constraints.push_back(std::move(sum));
  }
  auto margin = [&](const std::string& name) -> const std::vector<int>* {
    auto it = table_index.find(name);
    if (it == table_index.end() || pub.tables[it->second].withheld) return nullptr;
    return &cell_column[it->second];
  };
  for (size_t t = 0; t < pub.tables.size(); ++t) {
    const PublishedTable& table = pub.tables[t];
    if (table.withheld || table.columns == 0) continue;
    const size_t rows = table.cells.size() / table.columns;
    if (const std::vector<int>* r = margin(table.rows_of); r && r->size() == rows) {
      for (size_t row = 0; row < rows; ++row) {
        Constraint c;
        for (size_t col = 0; col < table.columns; ++col)
          c.terms.push_back({cell_column[t][row * table.columns + col], 1});
        c.terms.push_back({(*r)[row], -1});
        m.constraints.push_back(std::move(c));
      }
    }
    if (const std::vector<int>* k = margin(table.columns_of); k && k->size() == table.columns) {
      for (size_t col = 0; col < table.columns; ++col) {
        Constraint c;
        for (size_t row = 0; row < rows; ++row) c.terms.push_back({cell_column[t][row * table.columns + col], 1});
        c.terms.push_back({(*k)[col], -1});
        m.constraints.push_back(std::move(c));
      }
    }
  }
  for (const Relation& relation : relations) {
    Constraint c;
    bool complete = true;
    for (const auto& [ref, coefficient] : relation.terms) {
      auto it = table_index.find(ref.table);
      if (it == table_index.end()) {
        complete = false;
        break;
      }
      // A total is the population's, published by its other tables even when this one is withheld.
      auto population = population_column.find(pub.tables[it->second].population);
      if (ref.index < 0 ? population == population_column.end() : pub.tables[it->second].withheld) {
        complete = false;
        break;
      }
      const int column =
          ref.index < 0 ? population->second : cell_column[it->second].at(static_cast<size_t>(ref.index));
      c.terms.push_back({column, static_cast<double>(coefficient)});
    }
    if (!complete) continue;  // a relation through a withheld table tells the reader nothing
    c.lo = static_cast<double>(relation.lo);
    c.hi = static_cast<double>(relation.hi);
    m.constraints.push_back(std::move(c));
  }
  return m;
}

struct GlpProblem {
  glp_prob* p = glp_create_prob();
  GlpProblem() = default;
  GlpProblem(const GlpProblem&) = delete;
  GlpProblem& operator=(const GlpProblem&) = delete;
  ~GlpProblem() { glp_delete_prob(p); }
};

bool AllIntegral(glp_prob* p) {
  for (int j = 1; j <= glp_get_num_cols(p); ++j) {
    const double v = glp_get_col_prim(p, j);
    if (std::fabs(v - std::round(v)) > 1e-6) return false;
  }
  return true;
}

// The optimum of one direction: nullopt when unbounded. An infeasible model (it cannot be: the true counts
// satisfy it) is reported as pinned so the caller protects more rather than less.
std::optional<double> Optimise(glp_prob* p, int direction, bool& infeasible) {
  glp_set_obj_dir(p, direction);
  glp_smcp smcp;
  glp_init_smcp(&smcp);
  smcp.msg_lev = GLP_MSG_OFF;
  if (glp_simplex(p, &smcp) != 0) {
    glp_adv_basis(p, 0);
    if (glp_simplex(p, &smcp) != 0) {
      infeasible = true;
      return 0.0;
    }
  }
  const int status = glp_get_status(p);
  if (status == GLP_UNBND) return std::nullopt;
  if (status != GLP_OPT) {
    infeasible = true;
    return 0.0;
  }
  if (AllIntegral(p)) return glp_get_obj_val(p);
  glp_iocp iocp;
  glp_init_iocp(&iocp);
  iocp.msg_lev = GLP_MSG_OFF;
  if (glp_intopt(p, &iocp) != 0 || (glp_mip_status(p) != GLP_OPT)) {
    infeasible = true;
    return 0.0;
  }
  return glp_mip_obj_val(p);
}

// Integer bounds of every target. With skip_if_infeasible, a model the published figures contradict (the
// "every c is primary" reading when some c is complementary) gives no bounds at all.
std::optional<std::vector<CellBounds>> Solve(const ReaderModel& m, bool skip_if_infeasible) {
  std::vector<CellBounds> out;
  if (m.targets.empty()) return out;
  glp_term_out(GLP_OFF);
  GlpProblem lp;
  const int n = static_cast<int>(m.columns.size() - 1);
  glp_add_cols(lp.p, n);
  for (int j = 1; j <= n; ++j) {
    const Column& c = m.columns[static_cast<size_t>(j)];
    if (!c.hi) {
      glp_set_col_bnds(lp.p, j, GLP_LO, c.lo, 0);
    } else if (*c.hi <= c.lo) {
      glp_set_col_bnds(lp.p, j, GLP_FX, c.lo, c.lo);
    } else {
      glp_set_col_bnds(lp.p, j, GLP_DB, c.lo, *c.hi);
    }
    glp_set_col_kind(lp.p, j, GLP_IV);
  }
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  if (!m.constraints.empty()) glp_add_rows(lp.p, static_cast<int>(m.constraints.size()));
  for (size_t i = 0; i < m.constraints.size(); ++i) {
    const Constraint& c = m.constraints[i];
    const int row = static_cast<int>(i + 1);
    if (c.lo == c.hi) {
      glp_set_row_bnds(lp.p, row, GLP_FX, c.lo, c.lo);
    } else {
      glp_set_row_bnds(lp.p, row, GLP_DB, c.lo, c.hi);
    }
    for (const auto& [column, coefficient] : c.terms) {
      ia.push_back(row);
      ja.push_back(column);
      ar.push_back(coefficient);
    }
  }
  glp_load_matrix(lp.p, static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
  int previous = 0;
  for (const Target& target : m.targets) {
    if (previous) glp_set_obj_coef(lp.p, previous, 0);
    glp_set_obj_coef(lp.p, target.column, 1);
    previous = target.column;
    bool infeasible = false;
    const std::optional<double> lo = Optimise(lp.p, GLP_MIN, infeasible);
    const std::optional<double> hi = infeasible ? lo : Optimise(lp.p, GLP_MAX, infeasible);
    if (infeasible && skip_if_infeasible) return std::nullopt;
    CellBounds b;
    b.cell = target.cell;
    b.lo = static_cast<int64_t>(std::llround(lo.value_or(0)));
    if (infeasible) {
      b.hi = b.lo;
    } else if (hi) {
      b.hi = static_cast<int64_t>(std::llround(*hi));
    }
    out.push_back(std::move(b));
  }
  return out;
}

// ---- Suppression state ------------------------------------------------------------------------------------

struct State {
  std::vector<std::vector<Suppression>> cells;
  std::map<std::string, Suppression> totals;  // per population
  std::vector<bool> withheld;
};

Publication Render(const PublishInput& input, const State& state, const DisclosureConfig& config,
                   const std::map<std::string, int64_t>& population_totals) {
  Publication pub;
  for (size_t t = 0; t < input.tables.size(); ++t) {
    const CountTableSpec& spec = input.tables[t];
    PublishedTable table{spec.name,    spec.population,
                         spec.title,   spec.group_heading,
                         spec.labels,  spec.columns,
                         spec.rows_of, spec.columns_of,
                         {},           {},
                         false};
    table.withheld = state.withheld[t];
    for (size_t i = 0; i < spec.counts.size(); ++i) {
      const Suppression s = table.withheld ? Suppression::kSecondary : state.cells[t][i];
      table.cells.push_back(s == Suppression::kShown ? ShownValue(RoundCount(spec.counts[i], config)) : HiddenCell(s));
    }
    const Suppression ts = state.totals.at(spec.population);
    table.total = ts == Suppression::kShown ? ShownValue(RoundCount(population_totals.at(spec.population), config))
                                            : HiddenCell(ts);
    pub.tables.push_back(std::move(table));
  }
  return pub;
}

struct Candidate {
  int table = 0;  // -1: a population total
  int index = 0;
  int tier = 0;
  int64_t value = 0;
  std::string population;
};

}  // namespace

int64_t RoundCount(int64_t value, const DisclosureConfig& config) {
  const int64_t b = std::max<int64_t>(config.round_to, 1);
  if (b == 1 || value == 0) return value;
  const int64_t rounded = (value + b / 2) / b * b;
  return rounded == 0 ? b : rounded;
}

Result<DisclosureConfig> ParseDisclosureConfig(std::string_view toml_text, std::string_view where) {
  RR_ASSIGN_OR_RETURN(const toml::table doc, ParseTomlText(toml_text, std::string(where)));
  DisclosureConfig config;
  const toml::node_view section = doc["disclosure"];
  if (!section.is_table()) return Status::InvalidArgument(fmt::format("{}: missing [disclosure] table", where));
  for (const auto& [key, node] : *section.as_table()) {
    if (key != "min_shown" && key != "round_to") {
      return Status::InvalidArgument(
          fmt::format("{}: [disclosure] unknown key '{}' (expected min_shown, round_to)", where, key.str()));
    }
    if (!node.is_integer()) {
      return Status::InvalidArgument(fmt::format("{}: [disclosure] {} must be a whole number", where, key.str()));
    }
  }
  config.min_shown = section["min_shown"].value_or(config.min_shown);
  config.round_to = section["round_to"].value_or(config.round_to);
  if (config.min_shown < 1) {
    return Status::InvalidArgument(
        fmt::format("{}: [disclosure] min_shown must be at least 1 (1 suppresses nothing)", where));
  }
  if (config.round_to < 1) {
    return Status::InvalidArgument(fmt::format("{}: [disclosure] round_to must be at least 1 (1 = exact)", where));
  }
  if (config.round_to > std::max<int64_t>(config.min_shown, 1)) {
    return Status::InvalidArgument(
        fmt::format("{}: [disclosure] round_to ({}) must not exceed min_shown ({}): a rounded count could otherwise "
                    "show a value the rule suppresses",
                    where, config.round_to, config.min_shown));
  }
  return config;
}

Result<DisclosureConfig> LoadDisclosureConfig(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Status::IoError("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return ParseDisclosureConfig(text.str(), file.string());
}

const PublishedTable* Publication::Find(std::string_view name) const {
  for (const PublishedTable& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Publication PublishExact(const PublishInput& input) {
  Publication pub;
  for (const CountTableSpec& spec : input.tables) {
    PublishedTable table{spec.name,    spec.population,
                         spec.title,   spec.group_heading,
                         spec.labels,  spec.columns,
                         spec.rows_of, spec.columns_of,
                         {},           {},
                         false};
    int64_t total = 0;
    for (int64_t v : spec.counts) {
      table.cells.push_back(ShownValue(v));
      total += v;
    }
    table.total = ShownValue(total);
    pub.tables.push_back(std::move(table));
  }
  return pub;
}

namespace {

// Two readers: one who knows only that a "c" is at least 1, and one who assumes every "c" is a primary cell (at
// most min_shown-1), the reasoning of the issue-14 attack. The second's reading applies whenever the published
// figures allow it; where it does, its (narrower) bounds are the ones that count.
std::vector<CellBounds> ReaderBounds(const Publication& publication, const std::vector<Relation>& relations,
                                     const DisclosureConfig& config, const std::optional<CellRef>& only) {
  if (config.min_shown > 1) {
    std::optional<std::vector<CellBounds>> primary =
        Solve(BuildModel(publication, relations, config, only, true), true);
    if (primary) return *primary;
  }
  return *Solve(BuildModel(publication, relations, config, only, false), false);
}

}  // namespace

std::vector<CellBounds> SuppressedCellBounds(const Publication& publication, const std::vector<Relation>& relations,
                                             const DisclosureConfig& config) {
  return ReaderBounds(publication, relations, config, std::nullopt);
}

namespace {

// One group of populations that published facts link (the whole of Protect's work for it).
Publication ProtectLinked(const PublishInput& input, const DisclosureConfig& config) {
  const auto small = [&](int64_t v) { return v > 0 && v < config.min_shown; };
  State state;
  std::map<std::string, int64_t> totals;
  std::map<std::string, size_t> by_name;
  for (size_t t = 0; t < input.tables.size(); ++t) {
    const CountTableSpec& spec = input.tables[t];
    by_name[spec.name] = t;
    int64_t sum = 0;
    std::vector<Suppression> cells;
    for (int64_t v : spec.counts) {
      sum += v;
      cells.push_back(small(v) ? Suppression::kPrimary : Suppression::kShown);
    }
    state.cells.push_back(std::move(cells));
    state.withheld.push_back(false);
    totals.try_emplace(spec.population, sum);
  }
  const std::set<std::string> always(input.always_shown.begin(), input.always_shown.end());
  for (const auto& [population, total] : totals) {
    state.totals[population] =
        small(total) && !always.contains(population) ? Suppression::kPrimary : Suppression::kShown;
  }

  auto pinned = [&](const CellRef& ref) {
    const Publication pub = Render(input, state, config, totals);
    std::vector<CellBounds> b = ReaderBounds(pub, input.relations, config, ref);
    return !b.empty() && b.front().Pinned();
  };

  // Every pass suppresses one more cell or total, or withholds a table, so this ends.
  while (true) {
    const Publication pub = Render(input, state, config, totals);
    const std::vector<CellBounds> bounds = SuppressedCellBounds(pub, input.relations, config);
    auto first = std::find_if(bounds.begin(), bounds.end(), [](const CellBounds& b) { return b.Pinned(); });
    if (first == bounds.end()) break;
    const CellRef target = first->cell;
    const size_t t = by_name.at(target.table);
    const CountTableSpec& spec = input.tables[t];

    // Candidates to suppress with it, in a fixed order: the same line of the same table, the rest of the table,
    // the matching line of a linked cross or margin table, the population's total, then other tables of the
    // population; smallest count first within a tier.
    std::vector<Candidate> candidates;
    auto add_cell = [&](size_t table, size_t index, int tier) {
      if (state.withheld[table] || state.cells[table][index] != Suppression::kShown) return;
      const int64_t v = input.tables[table].counts[index];
      if (v == 0) return;
      candidates.push_back({static_cast<int>(table), static_cast<int>(index), tier, v, ""});
    };
    const std::string& population = spec.population;
    if (target.index >= 0) {
      const size_t i = static_cast<size_t>(target.index);
      for (size_t j = 0; j < spec.counts.size(); ++j) {
        if (j == i) continue;
        bool same_line =
            spec.columns == 0 || j / spec.columns == i / spec.columns || j % spec.columns == i % spec.columns;
        add_cell(t, j, same_line ? 0 : 1);
      }
      for (size_t x = 0; x < input.tables.size(); ++x) {
        const CountTableSpec& other = input.tables[x];
        if (x == t || other.population != population) continue;
        if (other.columns > 0 && (other.rows_of == spec.name || other.columns_of == spec.name)) {
          const bool rows = other.rows_of == spec.name;
          for (size_t j = 0; j < other.counts.size(); ++j) {
            const size_t line = rows ? j / other.columns : j % other.columns;
            add_cell(x, j, line == i ? 2 : 4);
          }
        } else if (spec.columns > 0 && (spec.rows_of == other.name || spec.columns_of == other.name)) {
          const size_t line = spec.rows_of == other.name ? i / spec.columns : i % spec.columns;
          for (size_t j = 0; j < other.counts.size(); ++j) add_cell(x, j, j == line ? 2 : 4);
        } else {
          for (size_t j = 0; j < other.counts.size(); ++j) add_cell(x, j, 5);
        }
      }
    } else {
      for (size_t x = 0; x < input.tables.size(); ++x) {
        if (input.tables[x].population != population) continue;
        for (size_t j = 0; j < input.tables[x].counts.size(); ++j) add_cell(x, j, 1);
      }
    }
    if (target.index >= 0 && !always.contains(population) && state.totals[population] == Suppression::kShown &&
        totals[population] > 0) {
      candidates.push_back({-1, -1, 3, totals[population], population});
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return a.tier != b.tier ? a.tier < b.tier : a.value < b.value;
    });

    auto apply = [&](const Candidate& c, Suppression s) {
      if (c.table < 0) {
        state.totals[c.population] = s;
      } else {
        state.cells[static_cast<size_t>(c.table)][static_cast<size_t>(c.index)] = s;
      }
    };
    if (candidates.empty()) {
      state.withheld[t] = true;  // nothing left to hide it behind: the table is not published
      continue;
    }
    bool done = false;
    constexpr size_t kTries = 6;
    for (size_t k = 0; k < candidates.size() && k < kTries && !done; ++k) {
      apply(candidates[k], Suppression::kSecondary);
      if (!pinned(target)) {
        done = true;
      } else {
        apply(candidates[k], Suppression::kShown);
      }
    }
    if (!done) apply(candidates.front(), Suppression::kSecondary);
  }

  Publication pub = Render(input, state, config, totals);
  for (size_t t = 0; t < input.tables.size(); ++t) {
    if (state.withheld[t]) {
      ++pub.withheld;
      continue;
    }
    for (Suppression s : state.cells[t]) {
      pub.primary += s == Suppression::kPrimary;
      pub.complementary += s == Suppression::kSecondary;
    }
  }
  return pub;
}

}  // namespace

// Populations that no published fact links are protected apart (smaller programs, the same answer): tables of one
// population are linked by their common total, and a relation links the populations of its terms.
Publication Protect(const PublishInput& input, const DisclosureConfig& config) {
  // GLPK keeps an environment per thread; on a server worker it would outlive the request (LeakSanitizer found it
  // when the profile ran over HTTP). Released when this returns, after every problem below is deleted.
  struct GlpkEnvironmentRelease {
    ~GlpkEnvironmentRelease() { glp_free_env(); }
  } release_glpk_environment;
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find = [&](const std::string& p) -> std::string {
    auto it = parent.find(p);
    if (it == parent.end() || it->second == p) return p;
    return it->second = find(it->second);
  };
  std::map<std::string, std::string> population_of;
  for (const CountTableSpec& t : input.tables) {
    population_of[t.name] = t.population;
    parent.try_emplace(t.population, t.population);
  }
  for (const Relation& r : input.relations) {
    std::optional<std::string> first;
    for (const auto& [ref, coefficient] : r.terms) {
      auto it = population_of.find(ref.table);
      if (it == population_of.end()) continue;
      if (!first) {
        first = find(it->second);
      } else {
        parent[find(it->second)] = *first;
      }
    }
  }
  std::map<std::string, PublishInput> groups;
  for (const CountTableSpec& t : input.tables) groups[find(t.population)].tables.push_back(t);
  for (const Relation& r : input.relations) {
    if (r.terms.empty()) continue;
    auto it = population_of.find(r.terms.front().first.table);
    if (it != population_of.end()) groups[find(it->second)].relations.push_back(r);
  }
  std::map<std::string, PublishedTable> done;
  Publication out;
  for (auto& [root, group] : groups) {
    group.always_shown = input.always_shown;
    Publication part = ProtectLinked(group, config);
    out.primary += part.primary;
    out.complementary += part.complementary;
    out.withheld += part.withheld;
    for (PublishedTable& t : part.tables) done[t.name] = std::move(t);
  }
  for (const CountTableSpec& t : input.tables) out.tables.push_back(done.at(t.name));
  return out;
}

std::string DescribeRule(const DisclosureConfig& config) {
  std::string text;
  if (config.min_shown > 1) {
    text = config.min_shown == 2 ? "Counts of 1 are shown as \"c\" (suppressed)."
                                 : fmt::format("Counts from 1 to {} are shown as \"c\" (suppressed); 0 is shown as 0.",
                                               config.min_shown - 1);
    text +=
        " Further counts (and, where needed, a total) are suppressed so that no suppressed count can be worked out "
        "exactly from the published tables taken together, including their totals, the tables that share a "
        "total, and the previous period's figures; a table that cannot be protected is not published.";
  }
  if (config.round_to > 1) {
    text += fmt::format(
        " Every published count, cells and totals alike, is rounded to the nearest {} (halves up), so a total "
        "may differ from the sum of its rounded parts.",
        config.round_to);
  } else {
    text += " Published counts, cells and totals alike, are exact.";
  }
  text += " Rows are always in the same fixed order, never by size.";
  return text[0] == ' ' ? text.substr(1) : text;
}

}  // namespace riskradar::report

// The attacker of the disclosure tests: given only what a publication shows (its cells, totals, which tables
// share a population, which cross tables have which margins, the relations a reader knows), it solves the
// integer program for the smallest and largest value of every suppressed cell with GLPK's branch and cut
// (written apart from the library's own check, which solves linear programs first). A cell whose smallest and
// largest values are equal has been given away.
#pragma once

#include <glpk.h>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace riskradar::report::attack {

struct Cell {
  std::optional<int64_t> value;  // nullopt: "c"
};
struct Table {
  std::string name, population;
  std::vector<Cell> cells;
  Cell total;
  size_t columns = 0;
  std::string rows_of, columns_of;
};
struct Term {
  std::string table;
  int index = -1;  // -1: total
  int coefficient = 1;
};
struct Fact {
  std::vector<Term> terms;
  int64_t lo = 0, hi = 0;
};
struct Finding {
  std::string table;
  int index = -1;
  int64_t lo = 0;
  std::optional<int64_t> hi;
  bool infeasible = false;
};

// round_to: the published rounding base (1 = exact); min_shown: a published non-zero cell is at least this.
// all_primary: the reader also assumes every "c" is at most min_shown-1 (the issue-14 reasoning); such a reading
// can be contradicted by the figures (then some finding is infeasible and the reading tells nothing).
inline std::vector<Finding> Attack(const std::vector<Table>& tables, const std::vector<Fact>& facts, int64_t round_to,
                                   int64_t min_shown, bool all_primary = false) {
  glp_term_out(GLP_OFF);
  struct Var {
    double lo;
    std::optional<double> hi;
  };
  std::vector<Var> vars;
  std::map<std::string, int> total_var;
  std::map<std::string, std::vector<int>> cell_vars;
  std::map<std::string, const Table*> by_name;
  std::vector<std::pair<std::string, int>> targets;
  std::vector<int> target_vars;
  auto range = [&](const Cell& c, bool total) -> Var {
    if (!c.value) return all_primary ? Var{1, double(min_shown - 1)} : Var{1, std::nullopt};
    const int64_t r = *c.value;
    if (r == 0 || round_to == 1) return {double(r), double(r)};
    double lo = double(r - round_to / 2), hi = double(r + (round_to - 1) - round_to / 2);
    if (!total) lo = std::max(lo, double(min_shown));
    return {std::max(lo, 1.0), hi};
  };
  for (const Table& t : tables) {
    by_name[t.name] = &t;
    if (!total_var.count(t.population)) {
      vars.push_back(range(t.total, true));
      total_var[t.population] = int(vars.size());
      if (!t.total.value) {
        targets.push_back({t.name, -1});
        target_vars.push_back(int(vars.size()));
      }
    }
    for (size_t i = 0; i < t.cells.size(); ++i) {
      vars.push_back(range(t.cells[i], false));
      cell_vars[t.name].push_back(int(vars.size()));
      if (!t.cells[i].value) {
        targets.push_back({t.name, int(i)});
        target_vars.push_back(int(vars.size()));
      }
    }
  }
  std::vector<std::vector<std::pair<int, double>>> rows;
  std::vector<std::pair<double, double>> row_bounds;
  for (const Table& t : tables) {
    std::vector<std::pair<int, double>> sum;
    for (int v : cell_vars[t.name]) sum.push_back({v, 1});
    sum.push_back({total_var[t.population], -1});
    rows.push_back(sum);
    row_bounds.push_back({0, 0});
    if (t.columns == 0) continue;
    const size_t nrows = t.cells.size() / t.columns;
    if (by_name.count(t.rows_of)) {
      for (size_t r = 0; r < nrows; ++r) {
        std::vector<std::pair<int, double>> row;
        for (size_t c = 0; c < t.columns; ++c) row.push_back({cell_vars[t.name][r * t.columns + c], 1});
        row.push_back({cell_vars[t.rows_of].at(r), -1});
        rows.push_back(row);
        row_bounds.push_back({0, 0});
      }
    }
    if (by_name.count(t.columns_of)) {
      for (size_t c = 0; c < t.columns; ++c) {
        std::vector<std::pair<int, double>> row;
        for (size_t r = 0; r < nrows; ++r) row.push_back({cell_vars[t.name][r * t.columns + c], 1});
        row.push_back({cell_vars[t.columns_of].at(c), -1});
        rows.push_back(row);
        row_bounds.push_back({0, 0});
      }
    }
  }
  for (const Fact& f : facts) {
    std::vector<std::pair<int, double>> row;
    bool ok = true;
    for (const Term& term : f.terms) {
      auto it = by_name.find(term.table);
      if (it == by_name.end()) {
        ok = false;
        break;
      }
      row.push_back({term.index < 0 ? total_var[it->second->population] : cell_vars[term.table].at(size_t(term.index)),
                     double(term.coefficient)});
    }
    if (!ok) continue;
    rows.push_back(row);
    row_bounds.push_back({double(f.lo), double(f.hi)});
  }

  std::vector<Finding> findings;
  for (size_t k = 0; k < targets.size(); ++k) {
    Finding finding{targets[k].first, targets[k].second, 0, std::nullopt, false};
    for (int direction : {GLP_MIN, GLP_MAX}) {
      glp_prob* p = glp_create_prob();
      glp_add_cols(p, int(vars.size()));
      for (size_t j = 0; j < vars.size(); ++j) {
        const int col = int(j + 1);
        if (!vars[j].hi) {
          glp_set_col_bnds(p, col, GLP_LO, vars[j].lo, 0);
        } else if (*vars[j].hi <= vars[j].lo) {
          glp_set_col_bnds(p, col, GLP_FX, vars[j].lo, vars[j].lo);
        } else {
          glp_set_col_bnds(p, col, GLP_DB, vars[j].lo, *vars[j].hi);
        }
        glp_set_col_kind(p, col, GLP_IV);
      }
      glp_add_rows(p, int(rows.size()));
      std::vector<int> ia{0}, ja{0};
      std::vector<double> ar{0};
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto [lo, hi] = row_bounds[i];
        glp_set_row_bnds(p, int(i + 1), lo == hi ? GLP_FX : GLP_DB, lo, hi);
        for (const auto& [col, coef] : rows[i]) {
          ia.push_back(int(i + 1));
          ja.push_back(col);
          ar.push_back(coef);
        }
      }
      glp_load_matrix(p, int(ia.size() - 1), ia.data(), ja.data(), ar.data());
      glp_set_obj_coef(p, target_vars[k], 1);
      glp_set_obj_dir(p, direction);
      glp_iocp iocp;
      glp_init_iocp(&iocp);
      iocp.presolve = GLP_ON;
      iocp.msg_lev = GLP_MSG_OFF;
      const int rc = glp_intopt(p, &iocp);
      const int status = glp_mip_status(p);
      if (rc == GLP_ENOPFS || (rc == 0 && status == GLP_NOFEAS)) {
        finding.infeasible = true;
      } else if (rc == 0 && status == GLP_OPT) {
        const int64_t v = std::llround(glp_mip_obj_val(p));
        if (direction == GLP_MIN) {
          finding.lo = v;
        } else {
          finding.hi = v;
        }
      }  // otherwise (unbounded above): hi stays open
      glp_delete_prob(p);
    }
    findings.push_back(finding);
  }
  return findings;
}

}  // namespace riskradar::report::attack

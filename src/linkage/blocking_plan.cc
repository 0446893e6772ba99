// Blocking within a comparison budget (see blocking_plan.h).
#include "riskradar/linkage/blocking_plan.h"

#include <fmt/format.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace riskradar::linkage {
namespace {

uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One rule measured on the data: its keys (0 where the record's block is
// skipped or the key missing), its estimated pairs and a uniform sample of them.
struct Evaluated {
  BlockingRule rule;
  std::string refined_from;
  std::vector<uint64_t> keys;
  int64_t pairs = 0;
  int64_t oversized = 0;
  std::vector<std::pair<uint32_t, uint32_t>> sample;
  std::vector<bool> sample_true;
  std::vector<bool> sample_plausible;
  std::string refined_into;          // a rule over its share: the finer rules that also became candidates
  std::string family;                // capped variants of one rule: at most one of them is chosen
  std::vector<int64_t> block_sizes;  // records per block that produces pairs (before the cross-source filter)
  double true_share() const {
    if (sample.empty()) return 0;
    return static_cast<double>(std::count(sample_true.begin(), sample_true.end(), true)) /
           static_cast<double>(sample.size());
  }
  double true_pairs() const { return true_share() * static_cast<double>(pairs); }
};

Evaluated Evaluate(const BlockingRule& rule, const std::string& refined_from, const BlockingPlanInput& input,
                   const BlockingPlanFunctions& fn) {
  Evaluated e;
  e.rule = rule;
  e.refined_from = refined_from;
  e.keys = fn.keys(rule);
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  keyed.reserve(e.keys.size());
  for (size_t i = 0; i < e.keys.size(); ++i) {
    if (e.keys[i] != 0) keyed.emplace_back(e.keys[i], static_cast<uint32_t>(i));
  }
  tbb::parallel_sort(keyed.begin(), keyed.end());
  const bool cross = !input.source.empty();
  const int64_t cap =
      rule.max_block_size > 0 ? std::min(input.max_block_size, rule.max_block_size) : input.max_block_size;
  // Blocks that produce pairs, with their cumulative pair counts, for sampling.
  std::vector<std::pair<size_t, size_t>> blocks;
  std::vector<int64_t> cumulative;
  for (size_t b = 0; b < keyed.size();) {
    size_t end = b + 1;
    while (end < keyed.size() && keyed[end].first == keyed[b].first) ++end;
    const auto n = static_cast<int64_t>(end - b);
    if (n > cap) {
      ++e.oversized;
      for (size_t x = b; x < end; ++x) e.keys[keyed[x].second] = 0;
    } else if (n > 1) {
      int64_t pairs = n * (n - 1) / 2;
      if (cross) {
        std::unordered_map<uint32_t, int64_t> per_source;
        for (size_t x = b; x < end; ++x) ++per_source[input.source[keyed[x].second]];
        for (const auto& [s, k] : per_source) pairs -= k * (k - 1) / 2;
      }
      if (pairs > 0) {
        e.block_sizes.push_back(n);
        e.pairs += pairs;
        blocks.emplace_back(b, end);
        cumulative.push_back(e.pairs);
      }
    } else {
      e.keys[keyed[b].second] = 0;
    }
    b = end;
  }
  if (e.pairs == 0) return e;
  uint64_t state = input.seed ^ std::hash<std::string>{}(rule.name);
  for (int s = 0; s < input.sample_pairs; ++s) {
    const auto target = static_cast<int64_t>(NextRandom(state) % static_cast<uint64_t>(e.pairs));
    const size_t bi =
        static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    const auto [b, end] = blocks[bi];
    const uint64_t n = end - b;
    for (int attempt = 0; attempt < 32; ++attempt) {
      const uint64_t x = NextRandom(state) % n;
      uint64_t y = NextRandom(state) % (n - 1);
      if (y >= x) ++y;
      const uint32_t i = keyed[b + x].second;
      const uint32_t j = keyed[b + y].second;
      if (cross && input.source[i] == input.source[j]) continue;
      e.sample.emplace_back(std::min(i, j), std::max(i, j));
      const bool is_true = fn.true_looking(std::min(i, j), std::max(i, j));
      e.sample_true.push_back(is_true);
      e.sample_plausible.push_back(is_true || (fn.plausible && fn.plausible(std::min(i, j), std::max(i, j))));
      break;
    }
  }
  return e;
}

// Each round takes a rule only if at least this share of its new pairs is true-looking
// (plausible, in the second round): a capped "dob" whose pairs match nothing waits.
constexpr double kMinimumPlausibleShare = 0.01;
// Rules within this factor of the most efficient one's share count as equally efficient.
constexpr double kEfficiencyTolerance = 0.98;

// Block caps tried for a rule over its share whose pairs sit in a few huge blocks
// (a common name pair): the rule keeps its small blocks, where a match is found on
// that key alone, and skips the huge ones (people-large.toml's hand-set 300).
constexpr int64_t kBlockCaps[] = {1000, 300, 100};

// The pairs of e's blocks of at most cap records.
int64_t CappedPairs(const Evaluated& e, int64_t cap) {
  int64_t pairs = 0;
  for (int64_t n : e.block_sizes) {
    if (n <= cap) pairs += n * (n - 1) / 2;
  }
  return pairs;
}

// The caps worth trying for e: the largest whose blocks fit the budget and the
// next smaller one, when capping removes at least a tenth of its pairs (without
// huge blocks a cap only loses recall: refining is the better way down).
std::vector<int64_t> UsefulCaps(const Evaluated& e, int64_t budget, int64_t max_block_size) {
  std::vector<int64_t> caps;
  for (int64_t cap : kBlockCaps) {
    if (cap >= max_block_size || (e.rule.max_block_size > 0 && cap >= e.rule.max_block_size)) continue;
    const int64_t pairs = CappedPairs(e, cap);
    if (pairs <= 0 || pairs > budget || pairs * 10 > e.pairs * 9) continue;
    caps.push_back(cap);
    if (caps.size() == 2) break;
  }
  return caps;
}

bool Produces(const Evaluated& e, uint32_t i, uint32_t j) { return e.keys[i] != 0 && e.keys[i] == e.keys[j]; }

// Of e's sampled pairs, the shares no chosen rule produces (all, and true-looking).
std::pair<double, double> NewShares(const Evaluated& e, const std::vector<const Evaluated*>& chosen,
                                    bool plausible = false) {
  if (e.sample.empty()) return {0, 0};
  int64_t fresh = 0;
  int64_t fresh_true = 0;
  for (size_t s = 0; s < e.sample.size(); ++s) {
    const auto [i, j] = e.sample[s];
    bool seen = false;
    for (const Evaluated* c : chosen) {
      if ((seen = Produces(*c, i, j))) break;
    }
    if (seen) continue;
    ++fresh;
    fresh_true += plausible ? e.sample_plausible[s] : e.sample_true[s];
  }
  const auto n = static_cast<double>(e.sample.size());
  return {static_cast<double>(fresh) / n, static_cast<double>(fresh_true) / n};
}

std::string Count(int64_t n) {
  if (n >= 10'000'000) return fmt::format("{:.0f}M", static_cast<double>(n) / 1e6);
  if (n >= 1'000'000) return fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
  if (n >= 10'000) return fmt::format("{:.0f}k", static_cast<double>(n) / 1e3);
  return std::to_string(n);
}

PlannedRule Row(const Evaluated& e, RuleDecision decision, std::string reason) {
  PlannedRule row;
  row.rule = e.rule.name;
  row.refined_from = e.refined_from;
  row.decision = decision;
  row.estimated_pairs = e.pairs;
  row.oversized_blocks = e.oversized;
  row.true_looking_share = e.true_share();
  row.reason = std::move(reason);
  return row;
}

}  // namespace

int64_t DefaultBlockingBudget(size_t records) {
  return std::max(kMinimumBlockingBudget, kBudgetPairsPerRecord * static_cast<int64_t>(records));
}

std::string_view ToString(RuleDecision decision) {
  switch (decision) {
    case RuleDecision::kChosen:
      return "chosen";
    case RuleDecision::kRefined:
      return "refined";
    case RuleDecision::kDropped:
      return "dropped";
  }
  return "dropped";
}

std::vector<BlockingRule> CandidateBlockingRules(const LinkageSpec& spec) {
  auto first = [&](FieldKind kind) -> const FieldSpec* {
    for (const auto& f : spec.fields) {
      if (f.kind == kind) return &f;
    }
    return nullptr;
  };
  const FieldSpec* forename = first(FieldKind::kForename);
  const FieldSpec* surname = first(FieldKind::kSurname);
  const FieldSpec* dob = first(FieldKind::kDateOfBirth);
  const FieldSpec* postcode = first(FieldKind::kPostcode);
  std::vector<std::string> texts;
  // Identifiers and e-mail addresses are near-unique: equal values are worth comparing.
  for (const auto& f : spec.fields) {
    if (f.kind == FieldKind::kIdentifier || (f.kind == FieldKind::kString && f.term_frequency)) texts.push_back(f.name);
  }
  if (dob) texts.push_back(dob->name);
  if (surname && dob) texts.push_back(surname->name + ":soundex & " + dob->name + ":year");
  if (forename && postcode) texts.push_back(forename->name + ":prefix3 & " + postcode->name + ":district");
  if (surname && forename) texts.push_back(surname->name + " & " + forename->name + ":initial");
  if (forename && !forename->swap_with.empty()) texts.push_back(forename->name + ":namepair");
  if (surname && postcode && !forename) texts.push_back(surname->name + ":initial & " + postcode->name);
  // Free-text names (full_name, town) block on the whole value and on their first letters with a birth year.
  for (const auto& f : spec.fields) {
    if (f.kind != FieldKind::kText || !f.term_frequency) continue;
    texts.push_back(f.name);
    if (dob) texts.push_back(f.name + ":prefix3 & " + dob->name + ":year");
  }
  if (texts.empty()) {
    for (const auto& f : spec.fields) texts.push_back(f.name);
  }
  std::vector<BlockingRule> rules;
  std::set<std::string> seen;
  for (const auto& t : texts) {
    if (rules.size() >= 16 || !seen.insert(t).second) continue;
    rules.push_back(*ParseBlockingRule(t));
  }
  return rules;
}

std::vector<BlockingRule> RefineBlockingRule(const BlockingRule& rule, const LinkageSpec& spec) {
  std::set<std::string> used;
  for (const auto& part : rule.parts) {
    for (const auto& f : spec.fields) {
      // An identifier's blocks are already as fine as they get: records with the same number.
      if (f.name == part.field && f.kind == FieldKind::kIdentifier) return {};
    }
    used.insert(part.field);
    if (part.transform == KeyTransform::kNamePair) {
      for (const auto& f : spec.fields) {
        if (f.name == part.field) used.insert(f.swap_with);
      }
    }
  }
  std::vector<std::string> extra;
  for (const auto& f : spec.fields) {
    if (used.count(f.name)) continue;
    switch (f.kind) {
      case FieldKind::kForename:
      case FieldKind::kSurname:
        // The initial, and the whole name: a date of birth with a forename still
        // finds the records whose surname is misspelt or changed.
        extra.push_back(f.name + ":initial");
        extra.push_back(f.name);
        break;
      case FieldKind::kDateOfBirth:
        extra.push_back(f.name + ":year");
        extra.push_back(f.name);
        break;
      case FieldKind::kPostcode:
        extra.push_back(f.name + ":district");
        extra.push_back(f.name);
        break;
      case FieldKind::kSex:
        extra.push_back(f.name);
        break;
      case FieldKind::kString:
        if (!f.term_frequency) extra.push_back(f.name);
        break;
      case FieldKind::kText:
        extra.push_back(f.name + ":prefix3");
        break;
      case FieldKind::kIdentifier:
        break;  // near-unique: as a part it would leave only records with the number
    }
  }
  std::vector<BlockingRule> out;
  for (const auto& e : extra) {
    auto refined = ParseBlockingRule(rule.name + " & " + e);
    if (refined.ok()) out.push_back(std::move(*refined));
  }
  return out;
}

BlockingPlan PlanBlocking(const BlockingPlanInput& input, const BlockingPlanFunctions& fn) {
  BlockingPlan plan;
  plan.budget = input.budget > 0 ? input.budget : DefaultBlockingBudget(input.records);
  std::vector<Evaluated> candidates;
  candidates.reserve(input.candidates.size());
  int64_t total = 0;
  for (const auto& rule : input.candidates) {
    candidates.push_back(Evaluate(rule, "", input, fn));
    total += candidates.back().pairs;
  }
  // Order the chosen rules' rows and estimate each one's new pairs against the earlier ones.
  auto finish = [&](const std::vector<const Evaluated*>& chosen, std::vector<std::string> reasons,
                    std::vector<PlannedRule> others) {
    std::vector<const Evaluated*> before;
    double covered = 0;
    for (size_t k = 0; k < chosen.size(); ++k) {
      const Evaluated& e = *chosen[k];
      const auto [fresh, fresh_true] = NewShares(e, before);
      PlannedRule row = Row(e, RuleDecision::kChosen, reasons[k]);
      row.estimated_new_pairs = static_cast<int64_t>(fresh * static_cast<double>(e.pairs) + 0.5);
      plan.estimated_pairs += row.estimated_new_pairs;
      covered += fresh_true * static_cast<double>(e.pairs);
      plan.rules.push_back(e.rule);
      plan.report.push_back(std::move(row));
      before.push_back(&e);
    }
    plan.true_looking_covered = covered;
    for (auto& row : others) plan.report.push_back(std::move(row));
  };

  if (input.given) {
    std::vector<const Evaluated*> chosen;
    std::vector<std::string> reasons;
    for (const Evaluated& e : candidates) {
      chosen.push_back(&e);
      reasons.push_back("written in the settings");
      if (e.pairs > plan.budget) {
        plan.warnings.push_back(fmt::format(
            "blocking rule '{}' alone produces about {} pairs, over the budget of {}: linkage will be slow and "
            "memory-hungry; leave [blocking] out to have rules chosen within the budget, or make the rule finer",
            e.rule.name, Count(e.pairs), Count(plan.budget)));
      }
    }
    finish(chosen, reasons, {});
    plan.true_looking_found = plan.true_looking_covered;
    return plan;
  }

  std::vector<PlannedRule> others;
  if (total <= plan.budget) {
    // Everything fits: keep every rule that produces a pair (recall is what blocking can lose).
    std::vector<const Evaluated*> chosen;
    std::vector<std::string> reasons;
    for (const Evaluated& e : candidates) {
      if (e.pairs == 0) {
        others.push_back(Row(e, RuleDecision::kDropped, "no two records share a key"));
        continue;
      }
      chosen.push_back(&e);
      reasons.push_back(
          fmt::format("all candidate rules fit the budget ({} of {} pairs)", Count(total), Count(plan.budget)));
    }
    finish(chosen, reasons, std::move(others));
    plan.true_looking_found = plan.true_looking_covered;
    return plan;
  }

  // Over budget: refine each rule over its share, then choose greedily.
  // A rule's share: the budget split evenly, what small rules leave going to the others.
  std::vector<int64_t> sizes;
  for (const Evaluated& e : candidates) {
    if (e.pairs > 0) sizes.push_back(e.pairs);
  }
  std::sort(sizes.begin(), sizes.end());
  int64_t remaining = plan.budget;
  auto others_left = static_cast<int64_t>(sizes.size());
  for (int64_t p : sizes) {
    if (p > remaining / std::max<int64_t>(1, others_left)) break;
    remaining -= p;
    --others_left;
  }
  const int64_t share = remaining / std::max<int64_t>(1, others_left);
  std::vector<Evaluated> variants;
  variants.reserve(candidates.size() * 3);
  for (Evaluated& e : candidates) {
    if (e.pairs == 0) {
      others.push_back(Row(e, RuleDecision::kDropped, "no two records share a key"));
      continue;
    }
    if (e.pairs <= share) {
      variants.push_back(std::move(e));
      continue;
    }
    // Finer keys, the best (most true-looking pairs) first; one level deeper if none fits.
    std::vector<Evaluated> fitting;
    std::vector<Evaluated> wider;
    std::vector<Evaluated> level;
    for (const auto& r : fn.refine(e.rule)) level.push_back(Evaluate(r, e.rule.name, input, fn));
    for (int depth = 0; depth < 2 && fitting.empty() && !level.empty(); ++depth) {
      std::sort(level.begin(), level.end(),
                [](const Evaluated& a, const Evaluated& b) { return a.true_pairs() > b.true_pairs(); });
      std::vector<Evaluated> next;
      for (Evaluated& r : level) {
        if (r.pairs > 0 && r.pairs <= share && r.true_pairs() > 0) {
          fitting.push_back(std::move(r));
        } else if (r.pairs > share && r.pairs <= plan.budget / 2 && r.true_pairs() > 0 && wider.size() < 2) {
          // Coarser than the share but affordable: a candidate for what the budget has left.
          wider.push_back(std::move(r));
        }
      }
      if (fitting.empty() && depth == 0) {
        for (const auto& r : fn.refine(level.front().rule)) next.push_back(Evaluate(r, e.rule.name, input, fn));
      }
      level = std::move(next);
    }
    if (fitting.size() > 4) fitting.resize(4);
    // Capped: the same key without its huge blocks, one of the caps at most.
    if (e.rule.max_block_size == 0) {
      for (int64_t cap : UsefulCaps(e, plan.budget, input.max_block_size)) {
        BlockingRule capped = e.rule;
        capped.max_block_size = cap;
        capped.name = fmt::format("{} (blocks <= {})", e.rule.name, cap);
        Evaluated c = Evaluate(capped, e.rule.name, input, fn);
        c.family = e.rule.name;
        if (c.pairs > 0) fitting.push_back(std::move(c));
      }
    }
    std::string into;
    for (const auto& r : fitting) into += (into.empty() ? "" : "; ") + r.rule.name;
    if (e.pairs > plan.budget) {
      // Never affordable: the finer rules replace it.
      if (fitting.empty()) {
        others.push_back(Row(e, RuleDecision::kDropped,
                             fmt::format("{} pairs, more than the whole budget, and no finer key fits its share ({})",
                                         Count(e.pairs), Count(share))));
      } else {
        others.push_back(Row(e, RuleDecision::kRefined,
                             fmt::format("{} pairs, over its share of the budget ({}): refined into {}", Count(e.pairs),
                                         Count(share), into)));
      }
    } else {
      // Affordable alone: it stays a candidate beside its finer rules, and the choice below decides.
      e.refined_into = into.empty() ? "-" : into;
      variants.push_back(std::move(e));
    }
    for (Evaluated& r : fitting) variants.push_back(std::move(r));
    for (Evaluated& r : wider) variants.push_back(std::move(r));
  }
  {
    // The true-looking pairs every rule considered covers (a union, estimated rule by rule).
    std::vector<const Evaluated*> before;
    for (const Evaluated& v : variants) {
      plan.true_looking_found += NewShares(v, before).second * static_cast<double>(v.pairs);
      before.push_back(&v);
    }
  }

  // Greedy budgeted coverage: take the rule whose new pairs are most often true-looking,
  // while its new pairs fit what is left of the budget.
  std::vector<const Evaluated*> chosen;
  std::vector<std::string> reasons;
  std::vector<bool> taken(variants.size(), false);
  int64_t spent = 0;
  // Two rounds: true-looking pairs first; then, with what is left of the budget,
  // plausible ones (two strong fields agree: matches with an error somewhere).
  for (const bool plausible : {false, true}) {
    if (plausible && !fn.plausible) break;
    const char* what = plausible ? "plausible" : "true-looking";
    while (chosen.size() < input.max_rules) {
      struct Option {
        size_t v;
        double ratio;
        double gain;
        int64_t cost;
      };
      std::vector<Option> options;
      double top_ratio = 0;
      for (size_t v = 0; v < variants.size(); ++v) {
        if (taken[v]) continue;
        if (!variants[v].family.empty() && std::any_of(chosen.begin(), chosen.end(), [&](const Evaluated* c) {
              return c->family == variants[v].family;
            })) {
          continue;
        }
        const auto [fresh, fresh_gain] = NewShares(variants[v], chosen, plausible);
        const auto cost = static_cast<int64_t>(fresh * static_cast<double>(variants[v].pairs));
        const double gain = fresh_gain * static_cast<double>(variants[v].pairs);
        if (gain <= 0 || spent + cost > plan.budget) continue;
        const double ratio = gain / static_cast<double>(std::max<int64_t>(cost, 1));
        if (ratio < kMinimumPlausibleShare) continue;  // mostly pairs that match nothing
        options.push_back({v, ratio, gain, cost});
        top_ratio = std::max(top_ratio, ratio);
      }
      // The most efficient rule; of rules about as efficient (within the sample's noise),
      // the one that covers most: a name pair capped at 300 before the same at 100, and
      // before small rules whose pairs it also makes.
      size_t best = variants.size();
      double best_ratio = 0;
      double best_gain = 0;
      int64_t best_cost = 0;
      for (const Option& o : options) {
        if (o.ratio < top_ratio * kEfficiencyTolerance) continue;
        if (best == variants.size() || o.gain > best_gain) {
          best = o.v;
          best_ratio = o.ratio;
          best_gain = o.gain;
          best_cost = o.cost;
        }
      }
      if (best == variants.size()) break;
      taken[best] = true;
      spent += best_cost;
      chosen.push_back(&variants[best]);
      reasons.push_back(fmt::format("adds ~{} {} pairs in ~{} new pairs ({:.0f}% {})",
                                    Count(static_cast<int64_t>(best_gain)), what, Count(best_cost), 100 * best_ratio,
                                    what));
    }
  }
  for (size_t v = 0; v < variants.size(); ++v) {
    if (taken[v]) continue;
    const Evaluated& e = variants[v];
    const auto [fresh, fresh_true] = NewShares(e, chosen);
    const auto cost = static_cast<int64_t>(fresh * static_cast<double>(e.pairs));
    const double fresh_plausible = NewShares(e, chosen, true).second;
    std::string why =
        fresh_true <= 0 && fresh_plausible <= 0
            ? "adds no true-looking or plausible pairs beyond the rules chosen (in the sample)"
        : fresh_true <= 0 && fresh_plausible < kMinimumPlausibleShare * fresh
            ? fmt::format("only {:.1f}% of its ~{} new pairs are plausible (below {:.0f}%)",
                          100 * fresh_plausible / std::max(fresh, 1e-12), Count(cost), 100 * kMinimumPlausibleShare)
            : fmt::format("its ~{} new pairs do not fit what is left of the budget ({})", Count(cost),
                          Count(plan.budget - spent));
    if (!e.refined_into.empty() && e.refined_into != "-") {
      others.push_back(Row(e, RuleDecision::kRefined,
                           fmt::format("{} pairs, over its share of the budget ({}): refined into {}; alone it {}",
                                       Count(e.pairs), Count(share), e.refined_into, why)));
    } else {
      others.push_back(Row(e, RuleDecision::kDropped, why));
    }
  }
  finish(chosen, reasons, std::move(others));
  if (plan.rules.empty()) {
    plan.warnings.push_back("no blocking rule fits the budget: nothing will be compared; raise the budget");
  }
  return plan;
}

std::string RenderBlockingPlan(const BlockingPlan& plan, const std::vector<BlockingRuleReport>& actual) {
  std::string out = fmt::format("blocking: budget {} pairs; {} rule(s) chosen, about {} pairs", Count(plan.budget),
                                plan.rules.size(), Count(plan.estimated_pairs));
  if (plan.true_looking_found > 0) {
    out += fmt::format(", covering {:.1f}% of the true-looking pairs found",
                       std::min(100.0, 100 * plan.true_looking_covered / plan.true_looking_found));
  }
  out += "\n";
  out += fmt::format("  {:<8} {:<48} {:>9} {:>9} {:>9} {:>9}  {}\n", "decision", "rule", "est", "est new", "actual",
                     "act new", "why");
  for (const PlannedRule& row : plan.report) {
    std::string act = "-";
    std::string act_new = "-";
    for (const auto& a : actual) {
      if (row.decision == RuleDecision::kChosen && a.rule == row.rule) {
        act = Count(a.candidate_pairs);
        act_new = Count(a.new_pairs);
      }
    }
    out += fmt::format(
        "  {:<8} {:<48} {:>9} {:>9} {:>9} {:>9}  {}\n", ToString(row.decision), row.rule, Count(row.estimated_pairs),
        row.decision == RuleDecision::kChosen ? Count(row.estimated_new_pairs) : "-", act, act_new, row.reason);
  }
  for (const auto& w : plan.warnings) out += "  warning: " + w + "\n";
  return out;
}

}  // namespace riskradar::linkage

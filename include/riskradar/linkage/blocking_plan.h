// Blocking chosen within a comparison budget (issue 17): before any pair is
// generated, each candidate rule's pairs are estimated from its key counts (the
// sum of n(n-1)/2 over keys), a rule over its share of the budget is refined
// (one more key part) or dropped, and the rules kept are those whose union
// covers the most "true-looking" pairs of a sample (pairs agreeing on an
// identifier or on several strong fields) within the budget.
// A rule over its share whose pairs sit in a few huge blocks (a common name
// pair) is also tried capped: the same key with blocks of more than 1000, 300 or
// 100 records skipped ("forename:namepair (blocks <= 300)"); at a million records
// that finds the matches known by their names alone (no date of birth, no
// postcode), which refining by a date or postcode cannot.
//
// The planner is pure: keys, refinements and the true-looking test come in as
// functions, so it is tested without records or a store (blocking_plan_test.cc);
// the engine (engine.cc) supplies them from its prepared columns.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

// The default comparison budget for n records: 10 candidate pairs per record,
// and never below 4 million (small inputs keep every candidate rule). A million
// records get 10 million pairs, which compare and score in a few seconds on two cores.
inline constexpr int64_t kBudgetPairsPerRecord = 10;
inline constexpr int64_t kMinimumBlockingBudget = 4'000'000;
int64_t DefaultBlockingBudget(size_t records);

// Candidate rules from the field kinds, most specific first: identifiers, then
// dob, soundex surname with birth year, forename prefix with postcode district,
// surname with initial, the forename/surname pair, free-text names.
std::vector<BlockingRule> CandidateBlockingRules(const LinkageSpec& spec);
// Finer variants of a rule: the rule with one more part on a field it does not
// use yet (an initial or whole name, a birth year or date, a postcode district or unit, sex...).
std::vector<BlockingRule> RefineBlockingRule(const BlockingRule& rule, const LinkageSpec& spec);

struct BlockingPlanInput {
  size_t records = 0;
  int64_t budget = 0;  // candidate pairs; 0 = DefaultBlockingBudget(records)
  int64_t max_block_size = 2000;
  std::vector<BlockingRule> candidates;
  // Rules written in the settings: all kept as given, estimated, and a warning
  // for any that alone exceeds the budget.
  bool given = false;
  // Per record source id; non-empty = only pairs across sources count.
  std::vector<uint32_t> source;
  int sample_pairs = 4000;  // pairs sampled per rule for overlap and coverage
  size_t max_rules = 16;    // the engine runs at most this many rules
  uint64_t seed = 20240601;
};

struct BlockingPlanFunctions {
  // The key of every record under a rule (0 = a part is missing: no pairs).
  std::function<std::vector<uint64_t>(const BlockingRule&)> keys;
  // Finer variants of a rule (RefineBlockingRule with the spec, in the engine).
  std::function<std::vector<BlockingRule>(const BlockingRule&)> refine;
  // Records i and j look like the same entity.
  std::function<bool(uint32_t, uint32_t)> true_looking;
  // Optional: i and j may be the same entity (a weaker test). With what the
  // true-looking round leaves of the budget, rules are added for these.
  std::function<bool(uint32_t, uint32_t)> plausible;
};

enum class RuleDecision { kChosen, kRefined, kDropped };
std::string_view ToString(RuleDecision decision);

struct PlannedRule {
  std::string rule;
  std::string refined_from;  // the candidate this refines ("" for a candidate)
  RuleDecision decision = RuleDecision::kDropped;
  int64_t estimated_pairs = 0;      // sum of n(n-1)/2 over keys of at most max_block_size records
  int64_t estimated_new_pairs = 0;  // chosen rules: pairs no earlier chosen rule produces (sample estimate)
  int64_t oversized_blocks = 0;     // keys with more than max_block_size records (skipped)
  double true_looking_share = 0;    // share of sampled pairs that look true
  std::string reason;
};

struct BlockingPlan {
  int64_t budget = 0;
  std::vector<BlockingRule> rules;  // chosen, in the order they run
  std::vector<PlannedRule> report;  // chosen first (in order), then refined and dropped
  int64_t estimated_pairs = 0;      // estimated distinct pairs of the chosen rules
  // Estimated true-looking pairs the chosen rules cover, of those every rule considered covers.
  double true_looking_covered = 0;
  double true_looking_found = 0;
  std::vector<std::string> warnings;
};

BlockingPlan PlanBlocking(const BlockingPlanInput& input, const BlockingPlanFunctions& functions);

// The plan as text: one line per rule (decision, estimated pairs, reason), for
// `link-csv --explain-blocking`, `link-csv` and `riskradar link`. With actual
// pair counts (from LinkResult::blocking) when given.
std::string RenderBlockingPlan(const BlockingPlan& plan, const std::vector<BlockingRuleReport>& actual = {});

// The plan Link would make for these records (spec.blocking_rules empty: chosen;
// given: estimated), without generating a pair: `link-csv --explain-blocking`.
Result<BlockingPlan> ExplainBlocking(const std::vector<Record>& records, const LinkageSpec& spec,
                                     const LinkageOptions& options);

}  // namespace riskradar::linkage

// The blocking planner (issue 17): the pure kernel on hand-made keys (estimates,
// refinement, dropping, greedy choice within the budget, given rules), then
// through Link on synthetic people (estimates equal the pairs made, the budget
// holds, accuracy stays) and the streamed EM sample.
#include "riskradar/linkage/blocking_plan.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "riskradar/linkage/person.h"
#include "synthetic.h"
#include "test_util.h"

namespace riskradar::linkage {
namespace blocking_plan_test {

// 120 records. Rule "a": one key for all (7,140 pairs); "a & d": blocks of 10
// (540 pairs); "a & b": blocks of 40 (2,340); "c": blocks of 2 (60); "z": no key.
// True-looking: records in the same group of 5 (240 pairs).
constexpr size_t kRecords = 120;

std::vector<uint64_t> KeysOf(const BlockingRule& rule) {
  std::vector<uint64_t> keys(kRecords, 0);
  for (size_t i = 0; i < kRecords; ++i) {
    if (rule.name == "a") keys[i] = 1;
    if (rule.name == "a & d") keys[i] = 1 + i / 10;
    if (rule.name == "a & b") keys[i] = 1 + i / 40;
    if (rule.name == "c") keys[i] = 1 + i / 2;
  }
  return keys;
}

BlockingPlanFunctions Functions() {
  BlockingPlanFunctions fn;
  fn.keys = KeysOf;
  fn.refine = [](const BlockingRule& rule) {
    std::vector<BlockingRule> out;
    if (rule.name == "a") {
      out.push_back(*ParseBlockingRule("a & b"));
      out.push_back(*ParseBlockingRule("a & d"));
    }
    return out;
  };
  fn.true_looking = [](uint32_t i, uint32_t j) { return i / 5 == j / 5; };
  return fn;
}

BlockingPlanInput Input(int64_t budget, std::vector<std::string> rules) {
  BlockingPlanInput input;
  input.records = kRecords;
  input.budget = budget;
  for (const auto& r : rules) input.candidates.push_back(*ParseBlockingRule(r));
  return input;
}

const PlannedRule* RowFor(const BlockingPlan& plan, const std::string& rule) {
  for (const auto& row : plan.report) {
    if (row.rule == rule) return &row;
  }
  return nullptr;
}

std::vector<std::string> Names(const std::vector<BlockingRule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(r.name);
  return out;
}

TEST(BlockingPlanTest, EverythingThatFitsIsKeptWithExactEstimates) {
  const BlockingPlan plan = PlanBlocking(Input(100'000, {"a", "c", "z"}), Functions());
  EXPECT_EQ(Names(plan.rules), (std::vector<std::string>{"a", "c"}));
  ASSERT_NE(RowFor(plan, "a"), nullptr);
  EXPECT_EQ(RowFor(plan, "a")->estimated_pairs, 7140);
  EXPECT_EQ(RowFor(plan, "a")->estimated_new_pairs, 7140);
  EXPECT_EQ(RowFor(plan, "c")->estimated_pairs, 60);
  EXPECT_EQ(RowFor(plan, "c")->estimated_new_pairs, 0) << "every pair of c is a pair of a";
  EXPECT_EQ(RowFor(plan, "z")->decision, RuleDecision::kDropped);
  EXPECT_EQ(RowFor(plan, "z")->reason, "no two records share a key");
  EXPECT_NE(RowFor(plan, "a")->reason.find("all candidate rules fit the budget"), std::string::npos);
  EXPECT_EQ(plan.estimated_pairs, 7140);
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(BlockingPlanTest, ARuleOverItsShareIsRefinedAndTheChoiceStaysWithinTheBudget) {
  // Budget 1,500: c takes its 60 and leaves a share of 1,440. "a" (7,140) is over it; of
  // its refinements only "a & d" (540) fits its share.
  const BlockingPlan plan = PlanBlocking(Input(1500, {"a", "c"}), Functions());
  EXPECT_EQ(Names(plan.rules), (std::vector<std::string>{"c", "a & d"})) << RenderBlockingPlan(plan);
  const PlannedRule* a = RowFor(plan, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->decision, RuleDecision::kRefined);
  EXPECT_NE(a->reason.find("over its share of the budget (1440): refined into a & d"), std::string::npos) << a->reason;
  const PlannedRule* ad = RowFor(plan, "a & d");
  ASSERT_NE(ad, nullptr);
  EXPECT_EQ(ad->refined_from, "a");
  EXPECT_EQ(ad->estimated_pairs, 540);
  // c's 60 pairs all lie inside a & d's blocks: a & d adds 480 (estimated from a sample).
  EXPECT_NEAR(static_cast<double>(ad->estimated_new_pairs), 480, 30);
  EXPECT_LE(plan.estimated_pairs, plan.budget);
  // Every true-looking pair (same group of 5) lies in a & d's blocks.
  EXPECT_NEAR(plan.true_looking_covered / plan.true_looking_found, 1.0, 0.05);
  EXPECT_NEAR(plan.true_looking_covered, 240, 25);
}

TEST(BlockingPlanTest, ARuleNoFinerKeyBringsWithinItsShareIsDropped) {
  const BlockingPlan plan = PlanBlocking(Input(400, {"a", "c"}), Functions());
  EXPECT_EQ(Names(plan.rules), (std::vector<std::string>{"c"}));
  const PlannedRule* a = RowFor(plan, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->decision, RuleDecision::kDropped);
  EXPECT_NE(a->reason.find("no finer key fits it"), std::string::npos) << a->reason;
}

TEST(BlockingPlanTest, ARuleThatAddsNoTrueLookingPairsIsDroppedWhenOverBudget) {
  BlockingPlanFunctions fn = Functions();
  fn.true_looking = [](uint32_t i, uint32_t j) { return i / 2 == j / 2; };  // only c's pairs
  const BlockingPlan plan = PlanBlocking(Input(1500, {"a", "c"}), fn);
  EXPECT_EQ(Names(plan.rules), (std::vector<std::string>{"c"})) << RenderBlockingPlan(plan);
  const PlannedRule* ad = RowFor(plan, "a & d");
  ASSERT_NE(ad, nullptr);
  EXPECT_EQ(ad->decision, RuleDecision::kDropped);
  EXPECT_NE(ad->reason.find("adds no true-looking or plausible pairs"), std::string::npos) << ad->reason;

  // With a weaker "plausible" test (same group of 10), what the budget has left
  // goes to a rule that adds plausible pairs.
  fn.plausible = [](uint32_t i, uint32_t j) { return i / 10 == j / 10; };
  const BlockingPlan second = PlanBlocking(Input(1500, {"a", "c"}), fn);
  EXPECT_EQ(Names(second.rules), (std::vector<std::string>{"c", "a & d"})) << RenderBlockingPlan(second);
  ASSERT_NE(RowFor(second, "a & d"), nullptr);
  EXPECT_NE(RowFor(second, "a & d")->reason.find("plausible pairs"), std::string::npos);
}

// 240 records under rule "n" (a name pair): records 0..139 share one key (a common
// name, 9,730 pairs), records 140..239 come in pairs (50 pairs), and those pairs are
// the true-looking ones. No finer key exists. Capped at 100 records a block, the rule
// keeps its 50 good pairs instead of being dropped (issue 17: recall at scale).
TEST(BlockingPlanTest, ARuleWhosePairsSitInAHugeBlockIsCappedInsteadOfDropped) {
  constexpr size_t kN = 240;
  BlockingPlanFunctions fn;
  fn.keys = [](const BlockingRule& rule) {
    std::vector<uint64_t> keys(kN, 0);
    if (rule.parts.size() == 1 && rule.parts[0].field == "n") {
      for (size_t i = 0; i < kN; ++i) keys[i] = i < 140 ? 1 : 2 + (i - 140) / 2;
    }
    return keys;
  };
  fn.refine = [](const BlockingRule&) { return std::vector<BlockingRule>{}; };
  fn.true_looking = [](uint32_t i, uint32_t j) { return i >= 140 && (i - 140) / 2 == (j - 140) / 2; };
  BlockingPlanInput input;
  input.records = kN;
  input.budget = 1000;
  input.candidates = {*ParseBlockingRule("n")};
  const BlockingPlan plan = PlanBlocking(input, fn);
  EXPECT_EQ(Names(plan.rules), (std::vector<std::string>{"n (blocks <= 100)"})) << RenderBlockingPlan(plan);
  ASSERT_EQ(plan.rules.size(), 1u);
  EXPECT_EQ(plan.rules[0].max_block_size, 100);
  const PlannedRule* n = RowFor(plan, "n");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->estimated_pairs, 9730 + 50);
  EXPECT_EQ(n->decision, RuleDecision::kRefined);
  EXPECT_NE(n->reason.find("refined into n (blocks <= 100)"), std::string::npos) << n->reason;
  const PlannedRule* capped = RowFor(plan, "n (blocks <= 100)");
  ASSERT_NE(capped, nullptr);
  EXPECT_EQ(capped->estimated_pairs, 50);
  EXPECT_EQ(capped->oversized_blocks, 1);
  EXPECT_EQ(capped->refined_from, "n");
  EXPECT_NEAR(plan.true_looking_covered, 50, 1);

  // Without huge blocks a cap would only lose pairs: none is tried, the rule is dropped.
  BlockingPlanFunctions even = fn;
  even.keys = [](const BlockingRule&) {
    std::vector<uint64_t> keys(kN, 0);
    for (size_t i = 0; i < kN; ++i) keys[i] = 1 + i / 60;  // four blocks of 60: 7,080 pairs
    return keys;
  };
  const BlockingPlan dropped = PlanBlocking(input, even);
  EXPECT_TRUE(dropped.rules.empty()) << RenderBlockingPlan(dropped);
  EXPECT_EQ(RowFor(dropped, "n (blocks <= 100)"), nullptr);
}

TEST(BlockingPlanTest, ABlockCapIsWrittenAfterTheRule) {
  auto capped = ParseBlockingRule("forename:namepair (blocks <= 300)");
  ASSERT_TRUE(capped.ok()) << capped.status().ToString();
  EXPECT_EQ(capped->name, "forename:namepair (blocks <= 300)");
  EXPECT_EQ(capped->max_block_size, 300);
  ASSERT_EQ(capped->parts.size(), 1u);
  EXPECT_EQ(capped->parts[0].field, "forename");
  EXPECT_EQ(capped->parts[0].transform, KeyTransform::kNamePair);
  EXPECT_EQ(ParseBlockingRule("dob & surname:initial")->max_block_size, 0) << "no cap: the option's";
  for (const char* bad : {"dob (blocks <= 1)", "dob (blocks <= x)", "dob (blocks <= 30", "dob (blocks <= )"}) {
    auto parsed = ParseBlockingRule(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().ToString().find("block cap"), std::string::npos) << parsed.status().ToString();
  }
}

TEST(BlockingPlanTest, GivenRulesAreKeptWithAWarningForOneOverTheBudget) {
  BlockingPlanInput input = Input(1000, {"a", "c"});
  input.given = true;
  const BlockingPlan plan = PlanBlocking(input, Functions());
  EXPECT_EQ(Names(plan.rules), (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("'a' alone produces about 7140 pairs, over the budget of 1000"), std::string::npos)
      << plan.warnings[0];
  EXPECT_EQ(RowFor(plan, "c")->reason, "written in the settings");
  EXPECT_NE(RenderBlockingPlan(plan).find("warning: blocking rule 'a'"), std::string::npos);
}

TEST(BlockingPlanTest, LinkingAcrossSourcesCountsOnlyCrossSourcePairs) {
  BlockingPlanInput input = Input(100'000, {"a", "c"});
  for (size_t i = 0; i < kRecords; ++i) input.source.push_back(static_cast<uint32_t>(i % 2));
  const BlockingPlan plan = PlanBlocking(input, Functions());
  EXPECT_EQ(RowFor(plan, "a")->estimated_pairs, 60 * 60) << "60 records of each source in one block";
  EXPECT_EQ(RowFor(plan, "c")->estimated_pairs, 60) << "each pair (2k, 2k+1) spans the sources";
}

TEST(BlockingPlanTest, TheDefaultBudgetScalesWithTheRecords) {
  EXPECT_EQ(DefaultBlockingBudget(1000), 4'000'000);
  EXPECT_EQ(DefaultBlockingBudget(400'000), 4'000'000);
  EXPECT_EQ(DefaultBlockingBudget(1'000'000), 10'000'000);
  BlockingPlanInput input = Input(0, {"a"});
  EXPECT_EQ(PlanBlocking(input, Functions()).budget, 4'000'000);
}

TEST(BlockingPlanTest, CandidatesAndRefinementsComeFromTheFieldKinds) {
  const LinkageSpec spec = PersonLinkageSpec(PersonBlocking::kAutomatic);
  // The person fields give the regional rules: the demo links as before.
  EXPECT_EQ(Names(CandidateBlockingRules(spec)), Names(PersonLinkageSpec(PersonBlocking::kRegional).blocking_rules));
  const auto refined = Names(RefineBlockingRule(*ParseBlockingRule("dob"), spec));
  for (const char* expected : {"dob & forename:initial", "dob & surname:initial", "dob & forename", "dob & surname",
                               "dob & postcode:district", "dob & postcode", "dob & sex"}) {
    EXPECT_NE(std::find(refined.begin(), refined.end(), expected), refined.end()) << expected;
  }
  for (const auto& r : refined) {
    EXPECT_EQ(r.find("nhs_number"), std::string::npos) << "an identifier is never a refinement: " << r;
    EXPECT_EQ(r.find("dob:year"), std::string::npos) << "a field the rule uses is not added again: " << r;
  }
  EXPECT_TRUE(RefineBlockingRule(*ParseBlockingRule("nhs_number"), spec).empty());
  const auto namepair = Names(RefineBlockingRule(*ParseBlockingRule("forename:namepair"), spec));
  for (const auto& r : namepair) EXPECT_EQ(r.find("surname"), std::string::npos) << r;
}

class PlannedLinkageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { data_ = new testing::SyntheticPeople(testing::MakeSyntheticPeople(3000, 7)); }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }
  static testing::SyntheticPeople* data_;
};
testing::SyntheticPeople* PlannedLinkageTest::data_ = nullptr;

TEST_F(PlannedLinkageTest, EstimatesAreThePairsMadeAndATightBudgetHoldsWithoutLosingAccuracy) {
  auto full = LinkPersons(data_->records, LinkageOptions{});
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ASSERT_NE(full->plan, nullptr);
  ASSERT_EQ(full->blocking.size(), full->plan->rules.size());
  for (const auto& b : full->blocking) {
    EXPECT_EQ(b.estimated_pairs, b.candidate_pairs) << b.rule << ": key counts give the exact pairs";
  }
  // A small input keeps every candidate rule that produces a pair (the synthetic people have no UPN).
  EXPECT_EQ(full->blocking.size(), 6u);
  for (const auto& row : full->plan->report) {
    EXPECT_EQ(row.decision, row.rule == "upn" ? RuleDecision::kDropped : RuleDecision::kChosen) << row.rule;
  }
  const double f1_full = testing::PairwiseF1(full->cluster_of, data_->person);

  LinkageOptions tight;
  tight.blocking_budget = full->candidate_pairs / 2;
  auto planned = LinkPersons(data_->records, tight);
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  const double f1_planned = testing::PairwiseF1(planned->cluster_of, data_->person);
  std::printf("pairwise F1 all rules %.4f (%lld pairs); budget %lld: %.4f (%lld pairs)\n%s", f1_full,
              static_cast<long long>(full->candidate_pairs), static_cast<long long>(tight.blocking_budget), f1_planned,
              static_cast<long long>(planned->candidate_pairs),
              RenderBlockingPlan(*planned->plan, planned->blocking).c_str());
  EXPECT_LE(static_cast<double>(planned->candidate_pairs), 1.1 * static_cast<double>(tight.blocking_budget));
  int refined_or_dropped = 0;
  for (const auto& row : planned->plan->report) refined_or_dropped += row.decision != RuleDecision::kChosen;
  EXPECT_GT(refined_or_dropped, 0);
  EXPECT_GE(f1_planned, f1_full - 0.02) << "half the pairs, nearly the same accuracy";

  // --explain-blocking makes the same plan without linking.
  std::vector<Record> records;
  for (const auto& p : data_->records) records.push_back(ToRecord(p));
  auto explained = ExplainBlocking(records, PersonLinkageSpec(PersonBlocking::kAutomatic), tight);
  ASSERT_TRUE(explained.ok()) << explained.status().ToString();
  EXPECT_EQ(Names(explained->rules), Names(planned->plan->rules));
}

TEST_F(PlannedLinkageTest, RulesGivenAreHonouredWithAWarningWhenOneExceedsTheBudget) {
  LinkageSpec spec = PersonLinkageSpec(PersonBlocking::kAutomatic);
  spec.blocking_rules = {*ParseBlockingRule("nhs_number"), *ParseBlockingRule("dob")};
  std::vector<Record> records;
  for (const auto& p : data_->records) records.push_back(ToRecord(p));
  LinkageOptions options;
  options.blocking_budget = 2000;  // nhs_number makes 1,060 pairs, dob 5,936
  auto result = Link(records, spec, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Names(result->model.spec.blocking_rules), (std::vector<std::string>{"nhs_number", "dob"}));
  ASSERT_EQ(result->plan->warnings.size(), 1u);
  EXPECT_NE(result->plan->warnings[0].find("'dob' alone produces about"), std::string::npos);
  EXPECT_GT(result->blocking[1].candidate_pairs, 2000);
}

TEST_F(PlannedLinkageTest, ARuleWithABlockCapSkipsOnlyItsBiggerBlocks) {
  LinkageSpec spec = PersonLinkageSpec(PersonBlocking::kAutomatic);
  std::vector<Record> records;
  for (const auto& p : data_->records) records.push_back(ToRecord(p));
  // The name-pair blocks' sizes, counted here from the records' keys under the uncapped rule.
  spec.blocking_rules = {*ParseBlockingRule("forename:namepair")};
  auto whole = Link(records, spec, LinkageOptions{});
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  spec.blocking_rules = {*ParseBlockingRule("forename:namepair (blocks <= 3)")};
  auto capped = Link(records, spec, LinkageOptions{});
  ASSERT_TRUE(capped.ok()) << capped.status().ToString();
  ASSERT_EQ(capped->blocking.size(), 1u);
  const BlockingRuleReport& c = capped->blocking[0];
  EXPECT_EQ(c.rule, "forename:namepair (blocks <= 3)");
  EXPECT_GT(c.oversized_blocks, 0);
  EXPECT_EQ(c.candidate_pairs + c.skipped_pairs, whole->blocking[0].candidate_pairs)
      << "every pair is either made or in a skipped block";
  EXPECT_EQ(c.estimated_pairs, c.candidate_pairs) << "the planner's estimate honours the cap too";
  // The cap survives the saved model: its rule text parses back to the same cap.
  ASSERT_EQ(capped->model.spec.blocking_rules.size(), 1u);
  EXPECT_EQ(ParseBlockingRule(capped->model.spec.blocking_rules[0].name)->max_block_size, 3);
}

TEST_F(PlannedLinkageTest, EmOnASampleOfThePairsGivesTheSameLinkage) {
  // Pairs are streamed: EM learns from a uniform sample of the comparisons when
  // there are more than em_sample_pairs, and only possibles and matches are kept.
  auto full = LinkPersons(data_->records, LinkageOptions{});
  LinkageOptions sampled;
  sampled.em_sample_pairs = 6'000;
  auto small = LinkPersons(data_->records, sampled);
  ASSERT_TRUE(full.ok() && small.ok());
  ASSERT_GT(full->candidate_pairs, 2 * sampled.em_sample_pairs) << "the sample must be a real subsample";
  EXPECT_EQ(full->candidate_pairs, small->candidate_pairs);
  const double f1_full = testing::PairwiseF1(full->cluster_of, data_->person);
  const double f1_small = testing::PairwiseF1(small->cluster_of, data_->person);
  std::printf("pairwise F1 EM on all pairs %.4f, on a %lld-comparison sample %.4f; lambda %.3g vs %.3g\n", f1_full,
              static_cast<long long>(sampled.em_sample_pairs), f1_small, full->model.lambda, small->model.lambda);
  EXPECT_NEAR(f1_small, f1_full, 0.005);
  EXPECT_NEAR(small->model.lambda / full->model.lambda, 1.0, 0.1);
  const auto n_full = static_cast<double>(full->matches.size());
  EXPECT_NEAR(static_cast<double>(small->matches.size()) / n_full, 1.0, 0.03);
}

TEST_F(PlannedLinkageTest, ProgressIsReportedPerPhase) {
  std::map<std::string, int> calls;
  int64_t last_score = -1;
  int64_t score_total = 0;
  LinkageOptions options;
  options.progress = [&](const std::string& phase, int64_t done, int64_t total) {
    ++calls[phase];
    if (phase == "score") {
      EXPECT_GE(done, last_score);
      last_score = done;
      score_total = total;
    }
  };
  auto result = LinkPersons(data_->records, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(calls["plan blocking"], 1);
  EXPECT_EQ(calls["compare (EM sample)"], static_cast<int>(result->blocking.size()));
  EXPECT_EQ(calls["score"], static_cast<int>(result->blocking.size()));
  EXPECT_EQ(last_score, result->candidate_pairs);
  EXPECT_EQ(score_total, result->candidate_pairs);
}

}  // namespace blocking_plan_test
}  // namespace riskradar::linkage

// Engine features behind review and explanation: cannot-link and must-link
// constraints in clustering, the model's JSON round trip, swapped names with a
// spelling variant, name-pair blocking and attaching unambiguous lone records.
#include <gtest/gtest.h>

#include <map>

#include "linked_people_fixture.h"
#include "riskradar/linkage/person.h"
#include "synthetic.h"

namespace riskradar::linkage {
namespace constraints_test {

class ConstraintsTest : public testing::LinkedSyntheticPeople<1500, 5> {};

TEST_F(ConstraintsTest, CannotLinkSplitsAndMustLinkMerges) {
  const auto& cluster_of = linked_->cluster_of;
  // A pair the model linked, and a pair from two different clusters.
  size_t a = 0, b = 0, c = 0, d = 0;
  bool linked_pair = false;
  for (const auto& m : linked_->matches) {
    if (cluster_of[m.left] == cluster_of[m.right]) {
      a = m.left, b = m.right, linked_pair = true;
      break;
    }
  }
  ASSERT_TRUE(linked_pair);
  for (size_t i = 1; i < cluster_of.size(); ++i) {
    if (cluster_of[i] != cluster_of[0] && data_->person[i] != data_->person[0]) {
      c = 0, d = i;
      break;
    }
  }
  ASSERT_NE(d, 0u);
  LinkConstraints constraints;
  constraints.cannot_link = {{a, b}};
  constraints.must_link = {{c, d}};
  auto result = LinkPersons(data_->records, LinkageOptions{}, constraints);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_NE(result->cluster_of[a], result->cluster_of[b]);
  EXPECT_EQ(result->cluster_of[c], result->cluster_of[d]);
  EXPECT_EQ(result->must_links_applied, 1);
  // A confirmation that would join a rejected pair is refused.
  constraints.must_link = {{a, b}};
  result = LinkPersons(data_->records, LinkageOptions{}, constraints);
  ASSERT_TRUE(result.ok());
  EXPECT_NE(result->cluster_of[a], result->cluster_of[b]);
  EXPECT_EQ(result->must_links_refused, 1);
  // Constraints must name input records.
  constraints.must_link = {{0, data_->records.size()}};
  EXPECT_EQ(LinkPersons(data_->records, LinkageOptions{}, constraints).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ConstraintsTest, ModelSurvivesJsonRoundTrip) {
  auto rebuilt = ModelFromJson(ModelToJson(linked_->model));
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->spec.fields.size(), linked_->model.spec.fields.size());
  EXPECT_EQ(rebuilt->spec.blocking_rules.size(), linked_->model.spec.blocking_rules.size());
  for (size_t k = 0; k + 1 < data_->records.size(); k += 37) {
    const Record x = ToRecord(data_->records[k]);
    const Record y = ToRecord(data_->records[k + 1]);
    EXPECT_DOUBLE_EQ(rebuilt->MatchWeight(x, y), linked_->model.MatchWeight(x, y)) << k;
  }
  EXPECT_EQ(ModelFromJson("{\"lambda\": 0.1}").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ModelFromJson("not json").status().code(), StatusCode::kCorruption);
}

TEST_F(ConstraintsTest, SwapWithASpellingVariantIsStillASwap) {
  PersonRecord a;
  a.forename = "Mahmood";
  a.surname = "Lila";
  a.dob = Date::FromYmd(2012, 12, 6);
  PersonRecord b = a;
  b.forename = "Lila";
  b.surname = "MAHMUD";
  const auto explanation = ExplainPair(*linked_, a, b);
  ASSERT_GE(explanation.size(), 3u);
  EXPECT_EQ(explanation[1].field, "forename");
  EXPECT_EQ(explanation[1].level, "swapped with surname");
  EXPECT_EQ(explanation[2].level, "scored with the swapped forename");
  // Both names different is not a swap.
  b.forename = "Lina";
  EXPECT_NE(ExplainPair(*linked_, a, b)[1].level, "swapped with surname");
}

TEST(BlockingRuleTest, NamePairNeedsASwappableForename) {
  LinkageSpec spec;
  spec.fields = {{"f", FieldKind::kForename, true, false, ""}, {"s", FieldKind::kSurname, true, false, ""}};
  spec.blocking_rules = {*ParseBlockingRule("f:namepair")};
  EXPECT_EQ(spec.Validate().code(), StatusCode::kInvalidArgument);
  spec.fields[0].swap_with = "s";
  EXPECT_TRUE(spec.Validate().ok());
}

TEST_F(ConstraintsTest, AttachingLoneRecordsDoesNotCostAccuracy) {
  auto pairwise_f1 = [&](const std::vector<int32_t>& cluster_of) {
    std::map<std::pair<int32_t, int>, int64_t> cells;
    std::map<int32_t, int64_t> clusters;
    std::map<int, int64_t> people;
    for (size_t i = 0; i < cluster_of.size(); ++i) {
      ++cells[{cluster_of[i], data_->person[i]}];
      ++clusters[cluster_of[i]];
      ++people[data_->person[i]];
    }
    auto pairs = [](int64_t n) { return n * (n - 1) / 2; };
    int64_t correct = 0, predicted = 0, actual = 0;
    for (const auto& [k, n] : cells) correct += pairs(n);
    for (const auto& [k, n] : clusters) predicted += pairs(n);
    for (const auto& [k, n] : people) actual += pairs(n);
    const double p = static_cast<double>(correct) / static_cast<double>(predicted);
    const double r = static_cast<double>(correct) / static_cast<double>(actual);
    return 2 * p * r / (p + r);
  };
  LinkageOptions off;
  off.attach_unambiguous_singletons = false;
  auto without = LinkPersons(data_->records, off);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->singletons_attached, 0);
  EXPECT_GE(pairwise_f1(linked_->cluster_of) + 1e-9, pairwise_f1(without->cluster_of));
}

}  // namespace constraints_test
}  // namespace riskradar::linkage

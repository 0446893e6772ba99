// Tests person linkage end to end on synthetic data: EM convergence, accuracy,
// chain-resistant clustering, cannot-link identifiers, explanations and term frequencies.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "linked_people_fixture.h"
#include "riskradar/linkage/csv_linkage.h"
#include "riskradar/linkage/person.h"
#include "synthetic.h"
#include "test_util.h"

namespace riskradar::linkage {
namespace person_linkage_test {

const FieldModel& FieldNamed(const LinkResult& result, const std::string& name) {
  for (const auto& f : result.model.fields) {
    if (f.field == name) return f;
  }
  ADD_FAILURE() << "no field " << name;
  return result.model.fields.front();
}

class PersonLinkageTest : public testing::LinkedSyntheticPeople<3000, 7> {};

TEST_F(PersonLinkageTest, EmConvergesAndRecoversM) {
  const Model& model = linked_->model;
  EXPECT_TRUE(model.em_converged);
  EXPECT_LT(model.em_iterations, 100);
  // The share of true pairs (both dates present) whose dates agree exactly,
  // counted through the model's own explanations, is what m(dob exact) estimates.
  std::map<int, std::vector<size_t>> by_person;
  for (size_t i = 0; i < data_->person.size(); ++i) by_person[data_->person[i]].push_back(i);
  int64_t exact = 0, present = 0;
  for (const auto& [p, members] : by_person) {
    for (size_t a = 0; a < members.size(); ++a) {
      for (size_t b = a + 1; b < members.size(); ++b) {
        for (const auto& c : ExplainPair(*linked_, data_->records[members[a]], data_->records[members[b]])) {
          if (c.field != "dob" || c.level == "missing") continue;
          ++present;
          exact += c.level == "exact";
        }
      }
    }
  }
  ASSERT_GT(present, 1000);
  const double empirical = static_cast<double>(exact) / static_cast<double>(present);
  EXPECT_NEAR(FieldNamed(*linked_, "dob").levels[0].m, empirical, 0.03);
  // Estimated prior vs the truth: true pairs / all pairs.
  int64_t true_pairs = 0;
  for (const auto& [p, members] : by_person)
    true_pairs += static_cast<int64_t>(members.size() * (members.size() - 1) / 2);
  const double n = static_cast<double>(data_->records.size());
  const double true_lambda = static_cast<double>(true_pairs) / (n * (n - 1) / 2);
  EXPECT_NEAR(std::log10(model.lambda), std::log10(true_lambda), 0.15);
  for (const auto& f : model.fields) {
    if (f.field != "upn") {  // the synthetic people have no UPNs
      EXPECT_TRUE(f.m_estimated) << f.field;
    }
  }
}

TEST_F(PersonLinkageTest, AccurateOnSyntheticPeople) {
  const double f1 = testing::PairwiseF1(linked_->cluster_of, data_->person);
  std::printf("synthetic people: records=%zu candidates=%lld matches=%zu possibles=%zu F1=%.4f\n",
              data_->records.size(), static_cast<long long>(linked_->candidate_pairs), linked_->matches.size(),
              linked_->possibles.size(), f1);
  EXPECT_GE(f1, 0.97);
  // The planner keeps every candidate rule but upn: no synthetic record has one.
  ASSERT_EQ(linked_->blocking.size(), 6u);
  int64_t total = 0;
  for (const auto& b : linked_->blocking) {
    if (b.rule != "upn") {
      EXPECT_GT(b.candidate_pairs, 0) << b.rule;
    }
    total += b.new_pairs;
  }
  EXPECT_EQ(total, linked_->candidate_pairs);
  for (const auto& m : linked_->matches) {
    EXPECT_LT(m.left, m.right);
    EXPECT_GE(m.match_probability, 0.95);
  }
  for (const auto& m : linked_->possibles) {
    EXPECT_GE(m.match_probability, 0.5);
    EXPECT_LT(m.match_probability, 0.95);
  }
}

TEST_F(PersonLinkageTest, ExplanationAddsUp) {
  PersonRecord a{1, "bcc-cs", "Mohammed", "Hussain", Date::FromYmd(2010, 3, 4), Sex::kMale, "B12 9QT", "", ""};
  PersonRecord b{2, "wmp", "Muhammad", "HUSSAIN", Date::FromYmd(2010, 4, 3), Sex::kMale, "B12 9QU", "", ""};
  const auto explanation = ExplainPair(*linked_, a, b);
  ASSERT_GE(explanation.size(), 3u);
  EXPECT_EQ(explanation.front().field, "prior");
  EXPECT_EQ(explanation.back().field, "total");
  double sum = 0;
  std::map<std::string, std::string> level;
  for (size_t i = 0; i + 1 < explanation.size(); ++i) {
    sum += explanation[i].weight;
    if (explanation[i].level != "term frequency adjustment") level[explanation[i].field] = explanation[i].level;
  }
  EXPECT_NEAR(sum, explanation.back().weight, 1e-9);
  EXPECT_EQ(level["forename"], "variant");
  EXPECT_EQ(level["surname"], "exact");
  EXPECT_EQ(level["dob"], "day and month transposed");
  EXPECT_EQ(level["postcode"], "same sector");
  EXPECT_EQ(level["nhs_number"], "missing");
  EXPECT_DOUBLE_EQ(linked_->model.MatchWeight(ToRecord(a), ToRecord(b)), explanation.back().weight);
}

TEST_F(PersonLinkageTest, SwappedNamesScoreOnce) {
  PersonRecord a{1, "x", "Kelly", "Morgan", Date::FromYmd(2009, 1, 2), Sex::kFemale, "", "", ""};
  PersonRecord b{2, "y", "Morgan", "Kelly", Date::FromYmd(2009, 1, 2), Sex::kFemale, "", "", ""};
  std::map<std::string, FieldContribution> by_field;
  for (const auto& c : ExplainPair(*linked_, a, b)) by_field[c.field] = c;
  EXPECT_EQ(by_field["forename"].level, "swapped with surname");
  EXPECT_GT(by_field["forename"].weight, 0);
  EXPECT_EQ(by_field["surname"].weight, 0);
  EXPECT_GT(by_field["total"].weight, 0);
}

TEST_F(PersonLinkageTest, RareSurnamesWeighMoreThanCommonOnes) {
  auto surname_weight = [&](const std::string& surname) {
    PersonRecord a{1, "x", "Alex", surname, std::nullopt, Sex::kUnknown, "", "", ""};
    double w = 0;
    for (const auto& c : ExplainPair(*linked_, a, a)) {
      if (c.field == "surname") w += c.weight;
    }
    return w;
  };
  EXPECT_GT(surname_weight("Zzyzxwright"), surname_weight("Smith") + 3);
}

// Finds the cluster of each named record after appending them to the synthetic background.
std::vector<int32_t> LinkWithBackground(const std::vector<PersonRecord>& extra, const LinkageOptions& options,
                                        PersonLinkage* out = nullptr) {
  auto data = testing::MakeSyntheticPeople(1500, 11);
  const size_t first = data.records.size();
  for (PersonRecord r : extra) {
    r.id = static_cast<int64_t>(data.records.size());
    data.records.push_back(r);
  }
  auto result = LinkPersons(data.records, options);
  EXPECT_TRUE(result.ok());
  if (!result.ok()) return {};
  std::vector<int32_t> clusters(result->cluster_of.begin() + static_cast<std::ptrdiff_t>(first),
                                result->cluster_of.end());
  if (out != nullptr) *out = std::move(result).value();
  return clusters;
}

TEST(PersonClusteringTest, DifferentNhsNumbersNeverShareACluster) {
  // B (no date of birth, no NHS number) matches both A and C; plain connected
  // components would chain A-B-C although A and C carry different NHS numbers.
  const std::vector<PersonRecord> chain = {
      {0, "uhb-ae", "Jordan", "Quennell", Date::FromYmd(2010, 3, 4), Sex::kMale, "B12 9QT", "9434765919", ""},
      {0, "wmp", "Jordan", "Quennell", std::nullopt, Sex::kMale, "B12 9QT", "", ""},
      {0, "bcc-cs", "Jordan", "Quennell", Date::FromYmd(2011, 7, 19), Sex::kMale, "B12 9QT", "4010232137", ""},
  };
  PersonLinkage linked;
  const auto clusters = LinkWithBackground(chain, LinkageOptions{}, &linked);
  ASSERT_EQ(clusters.size(), 3u);
  EXPECT_NE(clusters[0], clusters[2]);
  EXPECT_TRUE(clusters[1] == clusters[0] || clusters[1] == clusters[2]);
  EXPECT_GE(linked.clusters_split, 1);
  EXPECT_GE(linked.match_edges_rejected, 1);
}

TEST(PersonClusteringTest, WeakChainDoesNotMergeContradictoryPeople) {
  // A child and an adult with the same name at the same address, bridged by a
  // record with no date of birth and no sex. A-C scores low (date of birth and
  // sex disagree) but plain connected components chain all three together.
  const std::vector<PersonRecord> chain = {
      {0, "bcc-cs", "Jordan", "Quennell", Date::FromYmd(2010, 3, 4), Sex::kFemale, "B12 9QT", "", ""},
      {0, "wmp", "Jordan", "Quennell", std::nullopt, Sex::kUnknown, "B12 9QT", "", ""},
      {0, "uhb-ae", "Jordan", "Quennell", Date::FromYmd(1981, 11, 23), Sex::kMale, "B12 9QT", "", ""},
  };
  LinkageOptions plain;
  plain.contradiction_weight = -1e9;  // clustering degenerates to connected components
  PersonLinkage linked;
  const auto merged = LinkWithBackground(chain, plain, &linked);
  ASSERT_EQ(merged.size(), 3u);
  const double ac = linked.model.MatchWeight(ToRecord(chain[0]), ToRecord(chain[2]));
  const double ab = linked.model.MatchWeight(ToRecord(chain[0]), ToRecord(chain[1]));
  const double bc = linked.model.MatchWeight(ToRecord(chain[1]), ToRecord(chain[2]));
  std::printf("chain weights: A-B %.2f, B-C %.2f, A-C %.2f\n", ab, bc, ac);
  ASSERT_GT(std::min(ab, bc), 10) << "B should match both ends";
  ASSERT_LT(ac, LinkageOptions{}.contradiction_weight) << "A and C should be confidently different";
  EXPECT_EQ(merged[0], merged[2]) << "connected components chain A and C";

  PersonLinkage defaults;
  const auto clusters = LinkWithBackground(chain, LinkageOptions{}, &defaults);
  ASSERT_EQ(clusters.size(), 3u);
  EXPECT_NE(clusters[0], clusters[2]);
  EXPECT_TRUE(clusters[1] == clusters[0] || clusters[1] == clusters[2]);
  EXPECT_GE(defaults.clusters_split, 1);
}

TEST(PersonClusteringTest, NameOnlyRecordJoinsAPersonDespiteATypoInOneOfTheirRecords) {
  // Four records of one girl, one with a typo in her forename, and a mention that
  // names her and nothing else. The mention scores low against the typo record
  // only for lack of agreement (nothing disagrees but the forename): that is not
  // a contradiction, so the mention joins her.
  const std::vector<PersonRecord> people = {
      {0, "bcc-cs", "Idabel", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B3 1HP", "", ""},
      {0, "bcc-cs", "Idabel", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B3 1HP", "", ""},
      {0, "wmp", "Idabel", "LAURISTON", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B3 1HP", "", ""},
      {0, "bham-edu", "Ia", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B3 1HP", "", ""},
      {0, "wmp", "Idabel", "LAURISTON", std::nullopt, Sex::kFemale, "", "", ""},
  };
  PersonLinkage linked;
  const auto clusters = LinkWithBackground(people, LinkageOptions{}, &linked);
  ASSERT_EQ(clusters.size(), people.size());
  const double typo_weight = linked.model.MatchWeight(ToRecord(people[3]), ToRecord(people[4]));
  ASSERT_LT(typo_weight, LinkageOptions{}.contradiction_weight) << "the mention and the typo record score low";
  for (size_t i = 1; i < people.size(); ++i) EXPECT_EQ(clusters[i], clusters[0]) << "record " << i;
}

TEST(PersonClusteringTest, LoneRecordThatOnlySharesANameIsKeptApart) {
  // A girl known from two full records and a name-only mention. A police record
  // of another girl (similar forename, same surname, sex not recorded, another
  // address) links weakly (a possible) to the mention and the full records and
  // to no one else: she differs from everything known about the first girl, so
  // she stays apart for review. The same record at the first girl's address, or
  // with her date of birth after a move, joins her.
  auto other = [](std::optional<Date> dob, std::string postcode) {
    return PersonRecord{0, "wmp", "Ayeeha", "HANIFAH", dob, Sex::kUnknown, std::move(postcode), "", ""};
  };
  const std::vector<PersonRecord> known = {
      {0, "bcc-cs", "Ayesha", "Hanifah", Date::FromYmd(2013, 7, 14), Sex::kFemale, "B74 4GH", "", ""},
      {0, "bsol-ae", "Ayesha", "Hanifah", Date::FromYmd(2013, 7, 14), Sex::kFemale, "B74 4GH", "9999965695", ""},
      {0, "wmp", "Ayesha", "HANIFAH", std::nullopt, Sex::kFemale, "", "", ""},
  };
  auto link = [&](const PersonRecord& extra, PersonLinkage* out) {
    std::vector<PersonRecord> records = known;
    records.push_back(extra);
    return LinkWithBackground(records, LinkageOptions{}, out);
  };
  PersonLinkage elsewhere;
  const auto apart = link(other(std::nullopt, "B69 1UU"), &elsewhere);
  ASSERT_EQ(apart.size(), 4u);
  const LinkageOptions defaults;
  for (const PersonRecord& k : known) {
    const double p = Model::Probability(elsewhere.model.MatchWeight(ToRecord(k), ToRecord(other({}, "B69 1UU"))));
    ASSERT_GE(p, defaults.possible_probability) << "a weak link to " << k.forename << " " << k.surname;
    ASSERT_LT(p, defaults.match_probability) << "a weak link to " << k.forename << " " << k.surname;
  }
  ASSERT_EQ(apart[1], apart[0]);
  ASSERT_EQ(apart[2], apart[0]) << "the name-only mention joins the only Ayesha Hanifah";
  EXPECT_NE(apart[3], apart[0]) << "a record that only shares a name must not join her";
  EXPECT_GE(elsewhere.singletons_kept_apart, 1);

  const auto same_address = link(other(std::nullopt, "B74 4GH"), nullptr);
  EXPECT_EQ(same_address[3], same_address[0]);
  const auto moved = link(other(Date::FromYmd(2013, 7, 14), "B69 1UU"), nullptr);
  EXPECT_EQ(moved[3], moved[0]) << "a date of birth in common corroborates the name despite the move";
}

TEST(PersonBlockingTest, LargeBlockingIsAsAccurateAsRegional) {
  EXPECT_TRUE(PersonLinkageSpec(PersonBlocking::kAutomatic).blocking_rules.empty()) << "the planner chooses them";

  const auto data = testing::MakeSyntheticPeople(3000, 7);
  auto regional = LinkPersons(data.records, PersonBlocking::kRegional, LinkageOptions{});
  auto large = LinkPersons(data.records, PersonBlocking::kLarge, LinkageOptions{});
  ASSERT_TRUE(regional.ok() && large.ok());
  EXPECT_EQ(regional->blocking.size(), 7u);
  EXPECT_EQ(large->blocking.size(), 6u);
  EXPECT_LT(large->candidate_pairs * 2, regional->candidate_pairs);
  const double f1_regional = testing::PairwiseF1(regional->cluster_of, data.person);
  const double f1_large = testing::PairwiseF1(large->cluster_of, data.person);
  std::printf("pairwise F1 regional %.4f (%lld pairs), large %.4f (%lld pairs)\n", f1_regional,
              static_cast<long long>(regional->candidate_pairs), f1_large,
              static_cast<long long>(large->candidate_pairs));
  EXPECT_GE(f1_large, f1_regional - 0.01);
}

TEST(PersonBlockingTest, SettingsFilesMatchTheLinkStage) {
  // config/linkage/people.toml and people-large.toml let link-csv de-duplicate an
  // export of the store exactly as `riskradar link` does.
  for (const auto& [file, blocking] :
       {std::pair{"people.toml", PersonBlocking::kRegional}, std::pair{"people-large.toml", PersonBlocking::kLarge}}) {
    auto settings = LoadCsvLinkSettings(std::string(RISKRADAR_SOURCE_DIR) + "/config/linkage/" + file);
    ASSERT_TRUE(settings.ok()) << settings.status().ToString();
    const LinkageSpec spec = PersonLinkageSpec(blocking);
    ASSERT_EQ(settings->spec.blocking_rules.size(), spec.blocking_rules.size()) << file;
    for (size_t r = 0; r < spec.blocking_rules.size(); ++r) {
      EXPECT_EQ(settings->spec.blocking_rules[r].name, spec.blocking_rules[r].name) << file;
    }
    ASSERT_EQ(settings->spec.fields.size(), spec.fields.size()) << file;
    for (size_t f = 0; f < spec.fields.size(); ++f) {
      EXPECT_EQ(settings->spec.fields[f].kind, spec.fields[f].kind) << file << " field " << f;
      EXPECT_EQ(settings->spec.fields[f].cannot_link_on_mismatch, spec.fields[f].cannot_link_on_mismatch) << file;
    }
    EXPECT_EQ(settings->options.max_block_size,
              blocking == PersonBlocking::kLarge ? kLargeMaxBlockSize : LinkageOptions{}.max_block_size)
        << file;
  }
}

TEST(PersonLinkageOptionsTest, CrossSourceOnlyNeverPairsWithinASource) {
  auto data = testing::MakeSyntheticPeople(500, 3);
  LinkageOptions options;
  options.cross_source_only = true;
  auto result = LinkPersons(data.records, options);
  ASSERT_TRUE(result.ok());
  ASSERT_FALSE(result->matches.empty());
  for (const auto& m : result->matches) EXPECT_NE(data.records[m.left].source, data.records[m.right].source);
}

TEST(PersonLinkageOptionsTest, OversizedBlocksAreSkippedAndReported) {
  auto data = testing::MakeSyntheticPeople(500, 5);
  LinkageOptions options;
  options.max_block_size = 3;
  auto result = LinkPersons(data.records, options);
  ASSERT_TRUE(result.ok());
  int64_t oversized = 0;
  for (const auto& b : result->blocking) {
    oversized += b.oversized_blocks;
    if (b.oversized_blocks > 0) {
      EXPECT_GT(b.skipped_pairs, 0);
    }
  }
  EXPECT_GT(oversized, 0);
}

TEST(PersonLinkageOptionsTest, BadInputIsAnError) {
  LinkageOptions options;
  options.match_probability = 0.4;  // below possible_probability
  EXPECT_EQ(LinkPersons({}, options).status().code(), StatusCode::kInvalidArgument);
  options = {};
  options.reference_dir = "/nonexistent";
  EXPECT_EQ(LinkPersons({}, options).status().code(), StatusCode::kNotFound);
  options.allow_builtin_names = true;
  auto empty = LinkPersons({}, options);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->cluster_of.empty());

  LinkageSpec spec = PersonLinkageSpec();
  Record short_record;
  short_record.values = {"a"};
  EXPECT_EQ(Link({short_record}, spec, LinkageOptions{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(BlockingRuleTest, Parses) {
  auto rule = ParseBlockingRule("surname:soundex & dob:year & forename:prefix3 & postcode:district & upn");
  ASSERT_TRUE(rule.ok());
  ASSERT_EQ(rule->parts.size(), 5u);
  EXPECT_EQ(rule->parts[0].transform, KeyTransform::kSoundex);
  EXPECT_EQ(rule->parts[2].transform, KeyTransform::kPrefix);
  EXPECT_EQ(rule->parts[2].length, 3);
  EXPECT_EQ(rule->parts[4].transform, KeyTransform::kValue);
  EXPECT_FALSE(ParseBlockingRule("surname:shout").ok());
  EXPECT_FALSE(ParseBlockingRule("surname & ").ok());
  LinkageSpec spec = PersonLinkageSpec();
  spec.blocking_rules.push_back(*ParseBlockingRule("surname:year"));
  EXPECT_FALSE(spec.Validate().ok());
}

}  // namespace person_linkage_test
}  // namespace riskradar::linkage

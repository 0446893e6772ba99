// Incremental linkage (LinkIncremental, issue 17 item 4): a batch of new records linked against people
// already known, with the model and blocking rules of the run that made them.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "riskradar/linkage/incremental.h"
#include "riskradar/linkage/person.h"
#include "synthetic.h"
#include "test_util.h"

namespace riskradar::linkage {
namespace batch_linkage_test {

std::vector<Record> Records(const std::vector<PersonRecord>& people) {
  std::vector<Record> out;
  for (const PersonRecord& p : people) out.push_back(ToRecord(p));
  return out;
}

// 1,500 synthetic people; every tenth record arrives in a later batch. The earlier records are linked in
// full (their people and the model are "the store"); the whole population is also linked in full once.
class BatchLinkageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = std::make_unique<testing::SyntheticPeople>(testing::MakeSyntheticPeople(1500, 13));
    std::vector<PersonRecord> earlier;
    for (size_t i = 0; i < data_->records.size(); ++i) {
      if (!IsNew(i)) earlier.push_back(data_->records[i]);
    }
    auto first = LinkPersons(earlier, LinkageOptions{});
    ASSERT_TRUE(first.ok()) << first.status().message();
    first_ = std::make_unique<PersonLinkage>(std::move(first).value());
    known_.assign(data_->records.size(), 0);
    for (size_t i = 0, k = 0; i < data_->records.size(); ++i) {
      if (!IsNew(i)) known_[i] = 100 + first_->cluster_of[k++];  // ids as a store would have issued them
    }
    auto full = LinkPersons(data_->records, LinkageOptions{});
    ASSERT_TRUE(full.ok()) << full.status().message();
    full_f1_ = testing::PairwiseF1(full->cluster_of, data_->person);
  }
  static void TearDownTestSuite() {
    data_.reset();
    first_.reset();
  }
  static bool IsNew(size_t i) { return i % 10 == 9; }

  static inline std::unique_ptr<testing::SyntheticPeople> data_;
  static inline std::unique_ptr<PersonLinkage> first_;
  static inline std::vector<int64_t> known_;
  static inline double full_f1_ = 0;
};

TEST_F(BatchLinkageTest, KnownPeopleKeepTheirIdsAndTheBatchIsAsAccurateAsAFullRun) {
  auto batch = LinkIncremental(Records(data_->records), known_, first_->model, LinkageOptions{});
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  const size_t n = data_->records.size();
  EXPECT_EQ(batch->new_records, static_cast<int64_t>(n / 10));
  std::map<int64_t, int64_t> kept_of;
  for (const auto& merge : batch->merged) {
    EXPECT_FALSE(merge.absorbed.empty());
    for (int64_t id : merge.absorbed) kept_of[id] = merge.kept;
  }
  int64_t joined_known = 0, in_new_people = 0;
  std::set<int64_t> new_ids;
  for (size_t i = 0; i < n; ++i) {
    if (known_[i] > 0) {
      const int64_t expected = kept_of.count(known_[i]) ? kept_of[known_[i]] : known_[i];
      ASSERT_EQ(batch->person_of[i], expected) << "record " << i << " changed person";
    } else if (batch->person_of[i] > 0) {
      ++joined_known;
    } else {
      ++in_new_people;
      new_ids.insert(batch->person_of[i]);
    }
  }
  EXPECT_EQ(static_cast<int32_t>(new_ids.size()), batch->new_persons);
  if (!new_ids.empty()) {
    EXPECT_EQ(*new_ids.begin(), -batch->new_persons);
    EXPECT_EQ(*new_ids.rbegin(), -1);
  }
  // Most late records are further records of people already known (synthetic people have 1-4 records).
  EXPECT_GT(joined_known, in_new_people);
  const double f1 = testing::PairwiseF1(batch->person_of, data_->person);
  std::printf(
      "batch of %lld: %lld joined known people, %lld in %d new people, %zu merges, %lld candidate pairs "
      "(full run %lld); pairwise F1 batch %.4f, full run %.4f\n",
      static_cast<long long>(batch->new_records), static_cast<long long>(joined_known),
      static_cast<long long>(in_new_people), batch->new_persons, batch->merged.size(),
      static_cast<long long>(batch->candidate_pairs), static_cast<long long>(first_->candidate_pairs), f1, full_f1_);
  EXPECT_GE(f1, full_f1_ - 0.01);
  EXPECT_GE(f1, 0.95);
  // A tenth of the records new: far fewer pairs than the first run made.
  EXPECT_GT(batch->candidate_pairs, 0);
  EXPECT_LT(batch->candidate_pairs * 2, first_->candidate_pairs);
}

TEST_F(BatchLinkageTest, NoNewRecordsMakeNoPairsAndChangeNothing) {
  std::vector<PersonRecord> earlier;
  std::vector<int64_t> known;
  for (size_t i = 0; i < data_->records.size(); ++i) {
    if (IsNew(i)) continue;
    earlier.push_back(data_->records[i]);
    known.push_back(known_[i]);
  }
  auto batch = LinkIncremental(Records(earlier), known, first_->model, LinkageOptions{});
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  EXPECT_EQ(batch->candidate_pairs, 0);
  EXPECT_EQ(batch->new_records, 0);
  EXPECT_EQ(batch->new_persons, 0);
  EXPECT_TRUE(batch->merged.empty());
  EXPECT_TRUE(batch->matches.empty());
  EXPECT_EQ(batch->person_of, known);
}

TEST_F(BatchLinkageTest, OnlyPairsWithANewRecordAreMadeEachOnce) {
  // Rules "dob" then "surname": known records 0-2 share a date of birth, new records 3 and 4 share it too;
  // records 2 and 4 also share a surname (already a "dob" pair), record 5 (new) shares only a surname with 1.
  Model model = first_->model;
  model.spec.blocking_rules = {*ParseBlockingRule("dob"), *ParseBlockingRule("surname")};
  const auto day = Date::FromYmd(2009, 2, 14);
  const std::vector<PersonRecord> people = {
      {1, "bcc-cs", "Anwen", "Trefusis", day, Sex::kFemale, "B1 1AA", "", ""},
      {2, "bcc-cs", "Bram", "Okonkwo-Hale", day, Sex::kMale, "B2 2BB", "", ""},
      {3, "wmp", "Cerys", "Maddox", day, Sex::kFemale, "B3 3CC", "", ""},
      {4, "wmp", "Dai", "Penrose", day, Sex::kMale, "B4 4DD", "", ""},
      {5, "uhb-ae", "Efa", "Maddox", day, Sex::kFemale, "B5 5EE", "", ""},
      {6, "uhb-ae", "Ffion", "Okonkwo-Hale", Date::FromYmd(1990, 1, 1), Sex::kFemale, "B6 6FF", "", ""},
  };
  const std::vector<int64_t> known = {7, 8, 9, 0, 0, 0};
  auto batch = LinkIncremental(Records(people), known, model, LinkageOptions{});
  ASSERT_TRUE(batch.ok()) << batch.status().message();
  ASSERT_EQ(batch->blocking.size(), 2u);
  // dob block of five: 10 pairs, less the 3 among known records.
  EXPECT_EQ(batch->blocking[0].candidate_pairs, 7);
  EXPECT_EQ(batch->blocking[0].new_pairs, 7);
  // surname: Maddox (records 2 and 4: a dob pair already) and Okonkwo-Hale (records 1 and 5: new).
  EXPECT_EQ(batch->blocking[1].candidate_pairs, 2);
  EXPECT_EQ(batch->blocking[1].new_pairs, 1);
  EXPECT_EQ(batch->candidate_pairs, 8);
  // Strangers: the known people stay, each new record is its own new person.
  EXPECT_EQ(batch->person_of, (std::vector<int64_t>{7, 8, 9, -1, -2, -3}));
}

TEST_F(BatchLinkageTest, ANewRecordThatLinksTwoKnownPeopleMergesThemUnlessAReviewerKeptThemApart) {
  // Person 20 (two records) and person 30 (one, moved house) are one girl that an earlier run kept apart;
  // the new record matches both.
  std::vector<PersonRecord> people = {
      {1, "bcc-cs", "Idabel", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B3 1HP", "", ""},
      {2, "wmp", "Idabel", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B3 1HP", "", ""},
      {3, "uhb-ae", "Idabel", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B29 6BD", "", ""},
      {4, "school", "Idabel", "Lauriston", Date::FromYmd(2011, 5, 10), Sex::kFemale, "B29 6BD", "", ""},
  };
  const std::vector<int64_t> known = {20, 20, 30, 0};
  auto merged = LinkIncremental(Records(people), known, first_->model, LinkageOptions{});
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  ASSERT_EQ(merged->merged.size(), 1u);
  EXPECT_EQ(merged->merged[0].kept, 20);
  EXPECT_EQ(merged->merged[0].absorbed, (std::vector<int64_t>{30}));
  EXPECT_EQ(merged->person_of, (std::vector<int64_t>{20, 20, 20, 20}));
  EXPECT_EQ(merged->new_persons, 0);

  // A reviewer rejected records 1 and 3 as one person: the batch joins the new record to one of them only.
  LinkConstraints rejected;
  rejected.cannot_link = {{0, 2}};
  auto apart = LinkIncremental(Records(people), known, first_->model, LinkageOptions{}, rejected);
  ASSERT_TRUE(apart.ok()) << apart.status().message();
  EXPECT_TRUE(apart->merged.empty());
  EXPECT_EQ(apart->person_of[0], 20);
  EXPECT_EQ(apart->person_of[2], 30);
  EXPECT_TRUE(apart->person_of[3] == 20 || apart->person_of[3] == 30);

  // A rejected pair inside one known person needs a split, which only a full run makes.
  LinkConstraints inside;
  inside.cannot_link = {{0, 1}};
  auto refused = LinkIncremental(Records(people), known, first_->model, LinkageOptions{}, inside);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("person 20"), std::string::npos) << refused.status().message();
}

TEST_F(BatchLinkageTest, BadInputIsAnError) {
  const std::vector<Record> records = Records({data_->records[0], data_->records[1]});
  EXPECT_EQ(LinkIncremental(records, {0}, first_->model, LinkageOptions{}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(LinkIncremental(records, {-1, 0}, first_->model, LinkageOptions{}).status().code(),
            StatusCode::kInvalidArgument);
  Model untrained;
  untrained.spec = first_->model.spec;
  EXPECT_EQ(LinkIncremental(records, {0, 0}, untrained, LinkageOptions{}).status().code(),
            StatusCode::kInvalidArgument);
  Model no_rules = first_->model;
  no_rules.spec.blocking_rules.clear();
  const auto status = LinkIncremental(records, {0, 0}, no_rules, LinkageOptions{}).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("blocking rules"), std::string::npos) << status.message();
}

}  // namespace batch_linkage_test
}  // namespace riskradar::linkage

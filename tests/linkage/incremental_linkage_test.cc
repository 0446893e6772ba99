// Incremental linkage through the store: a second extract after a first link keeps
// existing person ids, joins new records to existing people, and review decisions
// (a confirmed merge, a rejected pair that splits a person) survive every re-run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "riskradar/access/audited_access.h"
#include "riskradar/core/geography.h"
#include "riskradar/linkage/link_stage.h"
#include "riskradar/store/store.h"
#include "synthetic.h"
#include "test_util.h"

namespace riskradar::linkage {
namespace incremental_linkage_test {

namespace fs = std::filesystem;

class IncrementalLinkageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-incremental-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::OpenStore((dir_ / "rr.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    for (const char* code : {"bcc-cs", "wmp", "uhb-ae", "school"}) {
      ASSERT_TRUE(store_->UpsertAgency({code, code, AgencyKind::kCouncil, "Birmingham"}).ok());
    }
    auto geo = Geography::Load(fs::path(DefaultReferenceDir()) / "geo");
    ASSERT_TRUE(geo.ok()) << geo.status().ToString();
    geography_ = std::make_unique<Geography>(std::move(*geo));
    people_ = testing::MakeSyntheticPeople(700, 23);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // Imports the synthetic records whose index satisfies `take`, one batch per agency.
  void Import(const std::string& batch, const std::function<bool(size_t)>& take) {
    std::map<std::string, std::vector<size_t>> by_agency;
    for (size_t i = 0; i < people_.records.size(); ++i) {
      if (take(i)) by_agency[people_.records[i].source].push_back(i);
    }
    for (const auto& [agency, indices] : by_agency) {
      auto writer =
          store_->BeginBatch({agency, batch + ".csv", batch + "-" + agency, "test", "child_protection", "test"});
      ASSERT_TRUE(writer.ok()) << writer.status().ToString();
      for (size_t i : indices) {
        const PersonRecord& p = people_.records[i];
        store::ParsedRow row;
        row.record.agency_code = agency;
        row.record.local_id = "R" + std::to_string(i);
        row.record.line = static_cast<int64_t>(i) + 2;
        row.record.raw_json = "{\"i\":" + std::to_string(i) + "}";
        row.record.content_hash = "h" + std::to_string(i);
        row.record.record_class = "child_protection";
        row.record.lawful_basis = "test";
        row.subject.forename = p.forename;
        row.subject.surname = p.surname;
        row.subject.dob = p.dob;
        row.subject.sex = p.sex;
        row.subject.postcode = p.postcode;
        row.subject.nhs_number = p.nhs_number;
        row.event.kind = EventKind::kMissingEpisode;
        row.event.category = "missing_overnight";
        row.event.date = *Date::FromYmd(2025, 3, 1);
        ASSERT_TRUE((*writer)->AddRow(row).ok());
      }
      ASSERT_TRUE((*writer)
                      ->Commit({static_cast<int64_t>(indices.size()), static_cast<int64_t>(indices.size()), 0, 0},
                               store::Actor{})
                      .ok());
    }
  }

  // Runs the link stage; returns synthetic record index -> person id.
  std::map<size_t, int64_t> Link(std::optional<PersonBlocking> blocking = std::nullopt, bool batch = false) {
    LinkStageOptions options;
    options.as_of = *Date::FromYmd(2025, 12, 31);
    options.blocking = blocking;
    options.batch = batch;
    auto report = RunLinkStage(*store_, *geography_, options, store::Actor{});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (report.ok()) last_report_ = *report;
    auto mentions = store_->LoadPersonMentions();
    auto persons = store_->LoadMentionPersons();
    EXPECT_TRUE(mentions.ok() && persons.ok());
    std::map<int64_t, int64_t> person_of(persons->begin(), persons->end());
    std::map<size_t, int64_t> out;
    mention_of_.clear();
    for (const auto& m : *mentions) {
      const size_t index = std::stoul(m.local_id.substr(1));
      out[index] = person_of.at(m.mention.id);
      mention_of_[index] = m.mention.id;
    }
    return out;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Geography> geography_;
  testing::SyntheticPeople people_;
  std::map<size_t, int64_t> mention_of_;  // synthetic record index -> mention id
  LinkStageReport last_report_;
};

TEST_F(IncrementalLinkageTest, LargeBlockingKeepsPeopleAndTheirIds) {
  // Linking with the large rules instead of the automatic plan compares fewer
  // pairs, and the people (and their ids) stay the same.
  Import("first", [](size_t) { return true; });
  const auto regional = Link();
  EXPECT_EQ(last_report_.blocking, PersonBlocking::kAutomatic) << "the link stage plans its blocking";
  const int64_t regional_pairs = last_report_.candidate_pairs;
  const auto large = Link(PersonBlocking::kLarge);
  EXPECT_EQ(last_report_.blocking, PersonBlocking::kLarge);
  EXPECT_LT(last_report_.candidate_pairs, regional_pairs) << "the large rules compare fewer pairs";
  int64_t same = 0;
  for (const auto& [i, pid] : regional) same += large.at(i) == pid;
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(regional.size()), 0.99)
      << same << " of " << regional.size();
  auto model = store_->LatestLinkageModel();
  ASSERT_TRUE(model.ok());
  EXPECT_NE(model->find("\"person_blocking\":\"large\""), std::string::npos) << "the run records its blocking";
}

TEST_F(IncrementalLinkageTest, SecondExtractKeepsIdsAndJoinsExistingPeople) {
  Import("first", [](size_t i) { return i % 3 != 0; });
  const auto first = Link();
  Import("second", [](size_t i) { return i % 3 == 0; });
  const auto second = Link();

  // (a) Existing people keep their ids: every first-run mention is with the same person id.
  int64_t kept = 0;
  for (const auto& [i, pid] : first) kept += second.at(i) == pid;
  EXPECT_GE(static_cast<double>(kept) / static_cast<double>(first.size()), 0.99) << kept << " of " << first.size();

  // (b) New records of people seen in the first extract join them (the id their first-run records had).
  std::map<int, std::map<int64_t, int>> first_ids_of_truth;
  for (const auto& [i, pid] : first) ++first_ids_of_truth[people_.person[i]][pid];
  int64_t joinable = 0, joined = 0;
  for (const auto& [i, pid] : second) {
    if (first.count(i)) continue;
    const auto it = first_ids_of_truth.find(people_.person[i]);
    if (it == first_ids_of_truth.end()) continue;
    ++joinable;
    const auto best = std::max_element(it->second.begin(), it->second.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    joined += pid == best->first;
  }
  ASSERT_GT(joinable, 100);
  EXPECT_GE(static_cast<double>(joined) / static_cast<double>(joinable), 0.95) << joined << " of " << joinable;
  // New people get ids past every old one.
  int64_t max_first = 0;
  for (const auto& [i, pid] : first) max_first = std::max(max_first, pid);
  std::set<int64_t> first_ids;
  for (const auto& [i, pid] : first) first_ids.insert(pid);
  for (const auto& [i, pid] : second) {
    if (!first_ids.count(pid)) {
      EXPECT_GT(pid, max_first);
    }
  }
}

TEST_F(IncrementalLinkageTest, ReviewDecisionsSurviveReRuns) {
  Import("first", [](size_t) { return true; });
  const auto run1 = Link();
  // A linked pair of one person to split, and two different people to merge.
  size_t split_a = 0, split_b = 0, merge_a = 0, merge_b = 0;
  bool have_split = false, have_merge = false;
  for (const auto& [i, pid] : run1) {
    for (const auto& [j, qid] : run1) {
      if (j <= i) continue;
      if (!have_split && pid == qid) {
        split_a = i, split_b = j, have_split = true;
      }
      if (!have_merge && pid != qid && people_.person[i] != people_.person[j]) {
        merge_a = i, merge_b = j, have_merge = true;
      }
    }
    if (have_split && have_merge) break;
  }
  ASSERT_TRUE(have_split && have_merge);
  const auto audit_before = store_->Counts()->audit_events;
  store::Actor reviewer;
  reviewer.user = "analyst1";
  auto decision = [&](size_t a, size_t b, const std::string& status, const std::string& reason) {
    store::ReviewDecisionRequest request;  // by pair, as `riskradar review confirm|reject` decides
    request.left_mention_id = mention_of_[a];
    request.right_mention_id = mention_of_[b];
    request.status = status;
    request.reason = reason;
    return request;
  };
  access::AuditedAccess audited(*store_);
  const store::ReviewDecisionRequest reject = decision(split_a, split_b, "rejected", "different school years");
  const store::ReviewDecisionRequest confirm = decision(merge_a, merge_b, "confirmed", "same child, new surname");
  ASSERT_TRUE(audited.DecideReviewPair(reject, reviewer).ok());
  ASSERT_TRUE(audited.DecideReviewPair(confirm, reviewer).ok());
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 2);
  // A decision needs a reason and a real status.
  store::ReviewDecisionRequest no_reason = confirm;
  no_reason.reason = " ";
  EXPECT_EQ(audited.DecideReviewPair(no_reason, reviewer).status().code(), StatusCode::kInvalidArgument);
  store::ReviewDecisionRequest bad_status = confirm;
  bad_status.status = "maybe";
  EXPECT_EQ(audited.DecideReviewPair(bad_status, reviewer).status().code(), StatusCode::kInvalidArgument);
  store::ReviewDecisionRequest unknown = confirm;
  unknown.right_mention_id = 99999999;
  EXPECT_EQ(audited.DecideReviewPair(unknown, reviewer).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 2) << "a refused decision writes nothing";
  // A decided pair is not decided again (the API's 409): re-confirming with another reason is refused, on
  // record, and the first decision's reason and author stay.
  store::ReviewDecisionRequest again = confirm;
  again.reason = "a second opinion that would replace the first";
  store::Actor other = reviewer;
  other.user = "analyst2";
  const Status twice = audited.DecideReviewPair(again, other).status();
  EXPECT_EQ(twice.code(), StatusCode::kConflict) << twice.ToString();
  EXPECT_NE(twice.message().find("already confirmed by analyst1"), std::string::npos) << twice.ToString();
  EXPECT_EQ(audited.DecideReviewPair(decision(split_a, split_b, "confirmed", "changed my mind entirely"), other)
                .status()
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 4) << "each refusal is audited";
  auto kept = store_->FindReviewPair(confirm.left_mention_id, confirm.right_mention_id);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->item.reason, "same child, new surname");
  EXPECT_EQ((*kept)->item.decided_by, "analyst1");

  auto decided = store_->ReadReviewQueue("rejected", true);
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->items.size(), 1u);
  EXPECT_EQ(decided->items[0].item.decided_by, "analyst1");
  EXPECT_EQ(decided->items[0].item.reason, "different school years");

  for (int run = 0; run < 2; ++run) {
    const auto now = Link();
    EXPECT_NE(now.at(split_a), now.at(split_b)) << "run " << run;
    EXPECT_EQ(now.at(merge_a), now.at(merge_b)) << "run " << run;
  }
  // A later extract does not undo them either.
  Import("second", [](size_t i) { return i % 5 == 0; });
  const auto later = Link();
  EXPECT_NE(later.at(split_a), later.at(split_b));
  EXPECT_EQ(later.at(merge_a), later.at(merge_b));
  EXPECT_EQ(store_->ReadReviewQueue("confirmed", true)->items.size(), 1u);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
}

TEST_F(IncrementalLinkageTest, ABatchLinksOnlyTheNewMentionsAndKeepsEveryOtherId) {
  Import("first", [](size_t i) { return i % 3 != 0; });
  const auto first = Link();
  auto before = store_->ListPersons();
  ASSERT_TRUE(before.ok());
  Import("second", [](size_t i) { return i % 3 == 0; });
  const auto audit_before = store_->Counts()->audit_events;
  const auto batch = Link(std::nullopt, true);
  ASSERT_TRUE(last_report_.batch) << last_report_.full_run_reason;
  EXPECT_EQ(last_report_.new_mentions, static_cast<int64_t>(batch.size() - first.size()));
  EXPECT_GT(last_report_.candidate_pairs, 0);
  EXPECT_EQ(last_report_.places, 0);
  // Every earlier mention keeps its person, unless the batch merged that person into another (reported).
  std::map<int64_t, int64_t> kept_of;
  for (const auto& merge : last_report_.merged) {
    for (int64_t id : merge.absorbed) kept_of[id] = merge.kept;
  }
  for (const auto& [i, pid] : first) {
    ASSERT_EQ(batch.at(i), kept_of.count(pid) ? kept_of.at(pid) : pid) << "record " << i;
  }
  // The people listed are the batch's report: merged ones inactive, new ones past every earlier id.
  auto after = store_->ListPersons();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(static_cast<int64_t>(after->size()), last_report_.persons);
  EXPECT_EQ(static_cast<int64_t>(after->size()),
            static_cast<int64_t>(before->size()) + last_report_.new_persons - static_cast<int64_t>(kept_of.size()));
  std::map<int64_t, int> mentions_of;
  for (const auto& [i, pid] : batch) ++mentions_of[pid];
  for (const Person& p : *after) {
    EXPECT_FALSE(kept_of.count(p.id)) << "merged person " << p.id << " still active";
    EXPECT_EQ(p.mention_count, mentions_of[p.id]) << "person " << p.id;
  }
  // One "link" event for the batch (and one for event linkage), and the chain still verifies.
  EXPECT_EQ(store_->Counts()->audit_events, audit_before + 2);
  EXPECT_TRUE(store_->VerifyAudit()->ok);
  auto model = store_->LatestLinkageModel();
  ASSERT_TRUE(model.ok());
  EXPECT_NE(model->find("\"batch\":{"), std::string::npos) << "the run records the batch";

  // As accurate as linking everything again (pairwise F1 against the generator's truth).
  auto f1 = [&](const std::map<size_t, int64_t>& person_of) {
    std::vector<int64_t> cluster_of;
    std::vector<int> truth;
    for (const auto& [i, pid] : person_of) {
      cluster_of.push_back(pid);
      truth.push_back(people_.person[i]);
    }
    return testing::PairwiseF1(cluster_of, truth);
  };
  const double batch_f1 = f1(batch);
  const auto full = Link();
  EXPECT_FALSE(last_report_.batch);
  std::printf("batch F1 %.4f, full re-run F1 %.4f\n", batch_f1, f1(full));
  EXPECT_GE(batch_f1, f1(full) - 0.01);
}

TEST_F(IncrementalLinkageTest, ABatchThatCannotBeLinkedOnItsOwnIsAFullRunWithTheReason) {
  Import("first", [](size_t) { return true; });
  Link(std::nullopt, true);
  EXPECT_FALSE(last_report_.batch);
  EXPECT_EQ(last_report_.full_run_reason, "no person has been linked yet");
  const auto run1 = Link(std::nullopt, true);
  EXPECT_TRUE(last_report_.batch) << last_report_.full_run_reason;
  EXPECT_EQ(last_report_.new_mentions, 0);
  EXPECT_EQ(last_report_.candidate_pairs, 0);
  EXPECT_EQ(last_report_.persons_written, 0) << "nothing new, nobody came of age";
  // A reviewer rejects two mentions of one person: only a full run can split them.
  size_t a = 0, b = 0;
  for (const auto& [i, pid] : run1) {
    auto same = std::find_if(run1.begin(), run1.end(), [&](const auto& e) { return e.first > i && e.second == pid; });
    if (same != run1.end()) {
      a = i, b = same->first;
      break;
    }
  }
  ASSERT_NE(a, b);
  store::ReviewDecisionRequest reject;
  reject.left_mention_id = mention_of_[a];
  reject.right_mention_id = mention_of_[b];
  reject.status = "rejected";
  reject.reason = "twins";
  store::Actor reviewer;
  reviewer.user = "analyst1";
  ASSERT_TRUE(access::AuditedAccess(*store_).DecideReviewPair(reject, reviewer).ok());
  const auto run2 = Link(std::nullopt, true);
  EXPECT_FALSE(last_report_.batch);
  EXPECT_NE(last_report_.full_run_reason.find("needs a full linkage run"), std::string::npos)
      << last_report_.full_run_reason;
  EXPECT_NE(run2.at(a), run2.at(b));
}

// `link` printed more pairs for review than `status` and `review list` then showed: a pair a reviewer had
// decided, found uncertain again, was counted but (rightly) not queued. The report now counts what is queued.
TEST_F(IncrementalLinkageTest, PairsForReviewAgreeWithThePendingQueueAfterDecisions) {
  Import("first", [](size_t) { return true; });
  Link();
  ASSERT_GE(last_report_.possibles, 3) << "the fixture needs uncertain pairs";
  EXPECT_EQ(last_report_.possibles, store_->Counts()->review_pending);
  EXPECT_EQ(last_report_.possibles_decided, 0);
  auto pending = store_->ReadReviewQueue("pending", true);
  ASSERT_TRUE(pending.ok());
  ASSERT_GE(pending->items.size(), 2u);
  access::AuditedAccess audited(*store_);
  store::Actor reviewer{"analyst1", "", "analyst", "linkage review"};
  for (size_t i = 0; i < 2; ++i) {
    store::ReviewDecisionRequest r;
    r.left_mention_id = pending->items[i].item.left_mention_id;
    r.right_mention_id = pending->items[i].item.right_mention_id;
    r.status = i == 0 ? "confirmed" : "rejected";
    r.reason = "checked against the school roll";
    ASSERT_TRUE(audited.DecideReviewPair(r, reviewer).ok());
  }
  Link();
  EXPECT_EQ(last_report_.possibles, store_->Counts()->review_pending);
  EXPECT_EQ(last_report_.possibles_decided, 2);
  EXPECT_EQ(static_cast<int64_t>(store_->ReadReviewQueue("pending", true)->items.size()), last_report_.possibles);
}

TEST_F(IncrementalLinkageTest, ExplainsAPairWithTheStoredModel) {
  Import("first", [](size_t) { return true; });
  EXPECT_EQ(ExplainMentionPair(*store_, 1, 2).status().code(), StatusCode::kNotFound);  // no run yet
  const auto run = Link();
  // Two records of one true person.
  size_t a = 0, b = 0;
  for (size_t i = 0; i + 1 < people_.records.size(); ++i) {
    if (people_.person[i] == people_.person[i + 1] && people_.records[i].forename == people_.records[i + 1].forename) {
      a = i, b = i + 1;
      break;
    }
  }
  auto e = ExplainMentionPair(*store_, mention_of_[a], mention_of_[b]);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->contributions.front().field, "prior");
  EXPECT_EQ(e->contributions.back().field, "total");
  double sum = 0;
  for (size_t k = 0; k + 1 < e->contributions.size(); ++k) sum += e->contributions[k].weight;
  EXPECT_NEAR(sum, e->match_weight, 1e-9);
  EXPECT_GT(e->match_probability, 0.5);
  EXPECT_EQ(e->left_person, run.at(a));
  EXPECT_EQ(e->right_person, run.at(b));
  EXPECT_EQ(ExplainMentionPair(*store_, mention_of_[a], 99999999).status().code(), StatusCode::kNotFound);
}

}  // namespace incremental_linkage_test
}  // namespace riskradar::linkage

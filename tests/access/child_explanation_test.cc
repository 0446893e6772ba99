// ExplainChild alone (no store): evidence per indicator from the visible events only, the bands and rules
// that would change the level, and nothing about hidden records beyond explanation_complete.
#include "riskradar/access/child_explanation.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "riskradar/risk/screening.h"

namespace riskradar::access {
namespace child_explanation_test {

const risk::ScreeningModel& Model() {
  static const risk::ScreeningModel model = *risk::ScreeningModel::FromFile(
      std::filesystem::path(RISKRADAR_SOURCE_DIR) / "config" / "screening" / "west-midlands.toml");
  return model;
}

store::ChildEventView Ev(int64_t id, const char* date, const char* kind, const char* category, const char* agency,
                         const char* record_class) {
  return {id,           *Date::ParseIso(date),
          kind,         category,
          "",           agency,
          record_class, std::string(agency) + "-" + std::to_string(id)};
}

// Child with three events: 11 and 13 from police, 12 from children's services (hidden in some cases).
store::ChildView View(double score, bool all_visible, const std::string& model_version) {
  store::ChildView v;
  v.person.id = 7;
  const std::vector<store::ChildEventView> all = {
      Ev(11, "2026-03-01", "missing_episode", "missing_overnight", "WMP", "standard"),
      Ev(12, "2026-02-10", "missing_episode", "missing_day", "BCC", "standard"),
      Ev(13, "2026-04-02", "police_incident", "vehicle_unknown_adult", "WMP", "standard")};
  for (const auto& e : all) {
    if (all_visible || e.event_id != 12) v.events.push_back(e);
  }
  Assessment a;
  a.as_of = *Date::ParseIso("2026-05-01");
  a.level = RiskLevel::kAtRisk;
  a.score = score;
  a.model_version = model_version;
  a.indicators = {{"repeat_missing", "significant", "Repeatedly missing", true, 5, {11, 12}},
                  {"vehicles_unknown_adults", "risk", "Seen in vehicles with unknown adults", true, 3, {13}},
                  {"school_absence", "vulnerability", "Persistent school absence", false, 2, {12}}};
  a.explanation = {"Significant (current): Repeatedly missing: 2 events, 5 points",
                   "Score 10 points: band 6 to under 16 points gives at risk",
                   "Rule young_significant: For a child aged 13 or under: level already at risk"};
  v.latest = a;
  v.explanation_complete = all_visible;
  return v;
}

std::vector<int64_t> Ids(const ExplainedIndicator& i) {
  std::vector<int64_t> ids;
  for (const auto& e : i.evidence) ids.push_back(e.event_id);
  return ids;
}

struct Case {
  std::string name;
  double score;
  bool all_visible;
  std::string model_version;  // "" = the shipped model's
  // expected
  std::vector<std::string> codes;
  std::vector<std::vector<int64_t>> evidence;
  std::optional<RiskLevel> band, up_level, down_level;
  double up_points, down_points;
  size_t rules;
  size_t decided_by;
};

TEST(ChildExplanationTest, EvidenceBandsAndRulesPerCase) {
  const std::vector<Case> cases = {
      {"all visible, at risk",
       10,
       true,
       "",
       {"repeat_missing", "vehicles_unknown_adults", "school_absence"},
       {{12, 11}, {13}, {12}},
       RiskLevel::kAtRisk,
       RiskLevel::kSignificant,
       RiskLevel::kNoCurrentRisk,
       17,
       1,
       3,
       3},
      {"children's services hidden",
       10,
       false,
       "",
       {"repeat_missing", "vehicles_unknown_adults"},
       {{11}, {13}},
       RiskLevel::kAtRisk,
       RiskLevel::kSignificant,
       RiskLevel::kNoCurrentRisk,
       17,
       1,
       0,
       0},
      {"top band",
       50,
       true,
       "",
       {"repeat_missing", "vehicles_unknown_adults", "school_absence"},
       {{12, 11}, {13}, {12}},
       RiskLevel::kSerious,
       std::nullopt,
       RiskLevel::kSignificant,
       0,
       5,
       3,
       3},
      {"bottom band",
       0,
       true,
       "",
       {"repeat_missing", "vehicles_unknown_adults", "school_absence"},
       {{12, 11}, {13}, {12}},
       RiskLevel::kNoCurrentRisk,
       RiskLevel::kAtRisk,
       std::nullopt,
       9,
       0,
       3,
       3},
      {"another model",
       10,
       true,
       "old-model-1",
       {"repeat_missing", "vehicles_unknown_adults", "school_absence"},
       {{12, 11}, {13}, {12}},
       std::nullopt,
       std::nullopt,
       std::nullopt,
       0,
       0,
       0,
       3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ChildExplanation x = ExplainChild(
        View(c.score, c.all_visible, c.model_version.empty() ? Model().version() : c.model_version), &Model());
    ASSERT_EQ(x.indicators.size(), c.codes.size());
    for (size_t i = 0; i < c.codes.size(); ++i) {
      EXPECT_EQ(x.indicators[i].code, c.codes[i]);
      EXPECT_EQ(Ids(x.indicators[i]), c.evidence[i]);
    }
    EXPECT_EQ(x.complete, c.all_visible);
    EXPECT_EQ(x.score_band, c.band);
    EXPECT_EQ(x.up ? std::optional(x.up->level) : std::nullopt, c.up_level);
    EXPECT_EQ(x.down ? std::optional(x.down->level) : std::nullopt, c.down_level);
    if (x.up) {
      EXPECT_DOUBLE_EQ(x.up->points, c.up_points);
    }
    if (x.down) {
      EXPECT_DOUBLE_EQ(x.down->points, c.down_points);
    }
    EXPECT_EQ(x.rules.size(), c.rules);
    EXPECT_EQ(x.decided_by.size(), c.decided_by);
    EXPECT_EQ(x.model_note.empty(), c.model_version.empty());
  }
}

TEST(ChildExplanationTest, EvidenceCarriesTheChronologyFields) {
  const ChildExplanation x = ExplainChild(View(10, true, Model().version()), &Model());
  ASSERT_EQ(x.indicators[0].evidence.size(), 2u);
  const EvidenceEvent& first = x.indicators[0].evidence[0];  // oldest first
  EXPECT_EQ(first.event_id, 12);
  EXPECT_EQ(first.date.ToIso(), "2026-02-10");
  EXPECT_EQ(first.kind, "missing_episode");
  EXPECT_EQ(first.category, "missing_day");
  EXPECT_EQ(first.agency, "BCC");
  EXPECT_EQ(first.record_class, "standard");
  EXPECT_EQ(first.source_record, "BCC-12");
  ASSERT_TRUE(x.up);
  EXPECT_DOUBLE_EQ(x.up->threshold, 27);
  ASSERT_TRUE(x.down);
  EXPECT_DOUBLE_EQ(x.down->threshold, 9);
}

TEST(ChildExplanationTest, RulesSayWhichAppliedAndTheirConditions) {
  const ChildExplanation x = ExplainChild(View(10, true, Model().version()), &Model());
  ASSERT_EQ(x.rules.size(), 3u);
  for (const RuleStatus& r : x.rules) {
    EXPECT_EQ(r.applies, r.code == "young_significant") << r.code;
    if (r.code == "disclosure") {
      EXPECT_EQ(r.condition, "applies to every child when any of disclosure, with evidence less than 183 days old");
    }
    if (r.code == "young_significant") {
      EXPECT_EQ(r.condition, "applies to a child aged 13 or under when at least 1 current indicator in significant");
    }
  }
}

TEST(ChildExplanationTest, HiddenEvidenceLeavesNoTrace) {
  const ChildExplanation x = ExplainChild(View(10, false, Model().version()), &Model());
  const std::string json = ExplanationJson(x).dump();
  const std::string text = ExplanationText(x);
  for (const std::string& leak : {std::string("2026-02-10"), std::string("BCC"), std::string("missing_day"),
                                  std::string("school_absence"), std::string("young_significant")}) {
    EXPECT_EQ(json.find(leak), std::string::npos) << leak;
    EXPECT_EQ(text.find(leak), std::string::npos) << leak;
  }
  EXPECT_EQ(json.find("hidden"), std::string::npos);
  EXPECT_EQ(json.find("BCC-12"), std::string::npos);
  EXPECT_NE(json.find("\"event_id\":11"), std::string::npos);
}

TEST(ChildExplanationTest, NoModelStillListsEvidence) {
  const ChildExplanation x = ExplainChild(View(10, true, Model().version()), nullptr);
  EXPECT_EQ(x.indicators.size(), 3u);
  EXPECT_FALSE(x.up);
  EXPECT_FALSE(x.down);
  EXPECT_FALSE(x.model_note.empty());
  EXPECT_NE(ExplanationText(x).find("event 13 2026-04-02 police_incident/vehicle_unknown_adult by WMP"),
            std::string::npos);
}

}  // namespace child_explanation_test
}  // namespace riskradar::access

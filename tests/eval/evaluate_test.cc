// The evaluation's headline screening figure: level agreement among the children truly at risk (issue 12), not
// over every child, where the many children with no risk who agree would drown it.
#include "riskradar/eval/evaluate.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace riskradar::eval {
namespace evaluate_test {

// The confusion matrix of the seed-11 run: serious 64 of 89, significant 67 of 207, at risk 284 of 444
// right, and 12,000 children with no risk of whom 11,900 were assessed so.
Evaluation Seed11() {
  Evaluation e;
  e.confusion[0] = {11900, 60, 30, 10};
  e.confusion[1] = {60, 284, 90, 10};
  e.confusion[2] = {20, 100, 67, 20};
  e.confusion[3] = {0, 8, 17, 64};
  return e;
}

TEST(EvaluateTest, LevelAgreementCountsOnlyTheChildrenTrulyAtRisk) {
  const Evaluation e = Seed11();
  EXPECT_NEAR(e.level_agreement_at_risk(), 415.0 / 740.0, 1e-12);  // 0.561, where over everyone it is 0.967
  Evaluation none_at_risk;
  none_at_risk.confusion[0] = {10, 5, 0, 0};
  EXPECT_EQ(none_at_risk.level_agreement_at_risk(), 1.0) << "nobody at risk: nothing to disagree on";
  Evaluation all_missed;
  all_missed.confusion[3] = {5, 0, 0, 0};
  EXPECT_EQ(all_missed.level_agreement_at_risk(), 0.0);
}

TEST(EvaluateTest, TheSummaryShowsAgreementAmongTheTrulyAtRiskPerLevel) {
  const std::string text = RenderEvaluation(Seed11());
  EXPECT_NE(text.find("level agreement among the truly at risk: 0.561 (415/740; serious 64/89, significant 67/207, "
                      "at risk 284/444)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("exact level agreement"), std::string::npos) << "the figure over every child is gone";
}

TEST(EvaluateTest, JsonCarriesTheSameFiguresWithTheirCounts) {
  Evaluation e = Seed11();
  e.truth_on_radar = 740;
  e.assessed_on_radar = 700;
  e.both_on_radar = 630;
  e.radar_recall_by_sex["female"] = {450, 509};
  e.radar_recall_by_sex["male"] = {180, 231};
  e.people = {.true_pairs = 1000, .predicted_pairs = 990, .correct_pairs = 980};
  e.planted_networks = 40;
  e.networks_recovered = 39;
  e.recovered_jaccard_0_8 = 37;
  e.events.source_records = 5000;
  e.events.resolved = 4200;
  e.events.merges = {.true_pairs = 800, .predicted_pairs = 805, .correct_pairs = 797};
  e.offenders = {.truth = 372, .found = 367, .found_true = 360, .found_split = 5, .top20_true = 19, .top20 = 20};
  e.truth_places_of_concern = 96;
  e.places_of_concern_flagged = 120;
  e.places_of_concern_found = 90;
  const nlohmann::json j = nlohmann::json::parse(RenderEvaluationJson(e));
  const auto& s = j.at("screening");
  EXPECT_NEAR(s.at("level_agreement_at_risk").get<double>(), 415.0 / 740.0, 1e-12);
  EXPECT_NEAR(s.at("precision").get<double>(), 630.0 / 700.0, 1e-12);
  EXPECT_NEAR(s.at("recall").get<double>(), 630.0 / 740.0, 1e-12);
  EXPECT_EQ(s.at("level_agreement_by_true_level").at("significant").at("agree"), 67);
  EXPECT_EQ(s.at("level_agreement_by_true_level").at("significant").at("children"), 207);
  EXPECT_NEAR(s.at("recall_by_sex").at("male").at("recall").get<double>(), 180.0 / 231.0, 1e-12);
  EXPECT_EQ(s.at("recall_by_sex").at("female").at("truly_at_risk"), 509);
  EXPECT_EQ(s.at("confusion").at("at_risk").at("significant"), 90) << "rows are the true level";
  EXPECT_NEAR(j.at("linkage").at("people").at("precision").get<double>(), 980.0 / 990.0, 1e-12);
  EXPECT_NEAR(j.at("linkage").at("people").at("recall").get<double>(), 0.98, 1e-12);
  EXPECT_EQ(j.at("networks").at("planted"), 40);
  EXPECT_EQ(j.at("networks").at("recovered_jaccard_0_8"), 37);
  EXPECT_EQ(j.at("offenders").at("true"), 372);
  EXPECT_EQ(j.at("events").at("source_records"), 5000);
  EXPECT_EQ(j.at("events").at("resolved"), 4200);
  EXPECT_NEAR(j.at("events").at("merge_precision").get<double>(), 797.0 / 805.0, 1e-12);
  EXPECT_NEAR(j.at("events").at("merge_recall").get<double>(), 797.0 / 800.0, 1e-12);
  EXPECT_EQ(j.at("offenders").at("found"), 367);
  EXPECT_EQ(j.at("offenders").at("top20_true"), 19);
  EXPECT_EQ(j.at("places").at("true"), 96);
  EXPECT_EQ(j.at("places").at("true_flagged"), 90);
  EXPECT_EQ(j.at("places").at("top_n_true"), 0) << "not set above";
}

TEST(EvaluateTest, TheSummaryShowsTruePlacesInTheTopN) {
  Evaluation e;
  e.truth_places_of_concern = 89;
  e.places_of_concern_found = 88;
  e.places_of_concern_flagged = 120;
  e.places_top_n_true = 85;
  const std::string text = RenderEvaluation(e);
  EXPECT_NE(text.find("Places of concern: 88 of 89 true places flagged (120 flagged in all); 85 of 89 in the top 89 "
                      "by score\n"),
            std::string::npos)
      << text;
}

}  // namespace evaluate_test
}  // namespace riskradar::eval

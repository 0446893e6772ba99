// Professional judgement (risk/judgement.h) and a screening's observations (ChildFacts::observed): the pure
// rules alone, cases as tables.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "riskradar/risk/judgement.h"
#include "riskradar/risk/screening.h"

namespace riskradar::risk {
namespace judgement_test {

Date D(const char* iso) { return *Date::ParseIso(iso); }

const ScreeningModel& Model() {
  static const ScreeningModel model = *ScreeningModel::Default();
  return model;
}

std::string BaseText() {
  std::ifstream in(std::filesystem::path(RISKRADAR_SOURCE_DIR) / "tests" / "risk" / "data" / "config-error-base.toml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Assessment At(RiskLevel level, std::optional<RiskLevel> override_level = std::nullopt) {
  Assessment a;
  a.level = level;
  a.override_level = override_level;
  return a;
}

TEST(JudgementTest, ReviewDatesDefaultToThreeMonthsAndShorterForHigherLevels) {
  struct Case {
    RiskLevel level;
    const char* expect;
  } cases[] = {{RiskLevel::kNoCurrentRisk, "2026-04-02"},
               {RiskLevel::kAtRisk, "2026-04-02"},
               {RiskLevel::kSignificant, "2026-02-26"},
               {RiskLevel::kSerious, "2026-01-29"}};
  for (const Case& c : cases) {
    EXPECT_EQ(NextReviewDate(c.level, D("2026-01-01"), Model().review()).ToIso(), c.expect) << ToString(c.level);
  }
}

TEST(JudgementTest, ReviewPolicyIsConfigurableWithStrictKeys) {
  auto model = ScreeningModel::FromToml(BaseText() + "\n[review]\nserious_days = 7\nsignificant_days = 21\n", "r.toml");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->review().serious_days, 7);
  EXPECT_EQ(model->review().significant_days, 21);
  EXPECT_EQ(model->review().none_days, 91);  // the default where the file says nothing

  struct Bad {
    const char* text;
    const char* expect;
  } bad[] = {{"[review]\nurgent_days = 3\n", "review.urgent_days: unknown key"},
             {"[review]\nserious_days = 0\n", "review.serious_days: must be >= 1"},
             {"[review]\nnone_days = 400\n", "review.none_days: must be <= 366"},
             {"[review]\nserious_days = 60\n", "review.serious_days: a higher level must not be reviewed later"},
             {"[review]\nat_risk_days = \"soon\"\n", "review.at_risk_days: must be an integer"},
             {"review = 3\n", "review: must be a table"}};
  for (const Bad& b : bad) {
    std::string text = BaseText();
    text.replace(text.find("[windows]"), 0, std::string(b.text) + "\n");  // top level, before the first table
    auto m = ScreeningModel::FromToml(text, "r.toml");
    ASSERT_FALSE(m.ok()) << b.text;
    EXPECT_NE(m.status().message().find(b.expect), std::string::npos) << m.status().message();
    EXPECT_NE(m.status().message().find("r.toml"), std::string::npos) << m.status().message();
  }
}

TEST(JudgementTest, TrendComparesEffectiveLevels) {
  const auto none = RiskLevel::kNoCurrentRisk, at = RiskLevel::kAtRisk, sig = RiskLevel::kSignificant,
             ser = RiskLevel::kSerious;
  struct Case {
    std::optional<Assessment> previous;
    Assessment current;
    Trend expect;
  } cases[] = {{std::nullopt, At(at), Trend::kNew},       {At(at), At(sig), Trend::kRising},
               {At(sig), At(at), Trend::kFalling},        {At(at), At(at), Trend::kSteady},
               {At(at, ser), At(sig), Trend::kFalling},  // the override counted, not the model's level
               {At(none), At(none, sig), Trend::kRising}, {At(sig), At(at, sig), Trend::kSteady}};
  for (const Case& c : cases) {
    EXPECT_EQ(ToString(TrendOf(c.previous ? &*c.previous : nullptr, c.current)), ToString(c.expect));
  }
}

TEST(JudgementTest, OverrideRules) {
  const Date today = D("2026-03-01");
  const std::string reason = "Disclosed to school nurse; safety plan agreed";
  struct Case {
    const char* name;
    Role role;
    Assessment current;
    OverrideRequest request;
    StatusCode expect;
    const char* field;
  } cases[] = {
      {"practitioner raises",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, {}},
       StatusCode::kOk,
       ""},
      {"manager lowers",
       Role::kManager,
       At(RiskLevel::kSerious),
       {RiskLevel::kAtRisk, reason, {}},
       StatusCode::kOk,
       ""},
      {"analyst refused",
       Role::kAnalyst,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, {}},
       StatusCode::kPermissionDenied,
       ""},
      {"IG lead refused",
       Role::kIgLead,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, {}},
       StatusCode::kPermissionDenied,
       ""},
      {"administrator refused",
       Role::kAdministrator,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, {}},
       StatusCode::kPermissionDenied,
       ""},
      {"blank reason",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, "   \n\t  ", {}},
       StatusCode::kInvalidArgument,
       "reason:"},
      {"short reason padded",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, "   concern   ", {}},
       StatusCode::kInvalidArgument,
       "reason:"},
      {"long reason",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, std::string(2001, 'x'), {}},
       StatusCode::kInvalidArgument,
       "reason:"},
      {"same level",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kAtRisk, reason, {}},
       StatusCode::kInvalidArgument,
       "level:"},
      {"same as the current override",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk, RiskLevel::kSerious),
       {RiskLevel::kSerious, reason, {}},
       StatusCode::kInvalidArgument,
       "level:"},
      {"back to the model's level",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk, RiskLevel::kSerious),
       {RiskLevel::kAtRisk, reason, {}},
       StatusCode::kOk,
       ""},
      {"review today",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, today},
       StatusCode::kInvalidArgument,
       "next_review:"},
      {"review in a year",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, D("2027-03-01")},
       StatusCode::kOk,
       ""},
      {"review too far",
       Role::kPractitioner,
       At(RiskLevel::kAtRisk),
       {RiskLevel::kSerious, reason, D("2027-03-03")},
       StatusCode::kInvalidArgument,
       "next_review:"},
  };
  for (const Case& c : cases) {
    const Status st = CheckOverride(c.role, c.current, c.request, today);
    EXPECT_EQ(st.code(), c.expect) << c.name << ": " << st.ToString();
    EXPECT_EQ(st.message().rfind(c.field, 0), 0u) << c.name << ": " << st.message();
  }
}

TEST(JudgementTest, ApplyOverrideKeepsTheModelResultAndSetsTheReview) {
  Assessment current = At(RiskLevel::kAtRisk);
  current.id = 7;
  current.score = 3;
  current.model_version = "m-1";
  current.explanation = {"Score 3"};
  const Assessment a = ApplyOverride(current, {RiskLevel::kSerious, "Disclosure to the school nurse", std::nullopt},
                                     "p.jones", D("2026-03-01"), Model().review());
  EXPECT_EQ(a.id, 0);
  EXPECT_EQ(a.level, RiskLevel::kAtRisk);
  EXPECT_EQ(EffectiveLevel(a), RiskLevel::kSerious);
  EXPECT_EQ(a.score, 3);
  EXPECT_EQ(a.model_version, "m-1");
  EXPECT_EQ(a.override_by, "p.jones");
  EXPECT_EQ(a.as_of.ToIso(), "2026-03-01");
  EXPECT_EQ(a.next_review->ToIso(), "2026-03-29");  // 28 days for serious
  ASSERT_EQ(a.explanation.size(), 2u);
  EXPECT_EQ(a.explanation[1],
            "Override by p.jones on 2026-03-01: serious risk (the model gives at risk), review by 2026-03-29");
  const Assessment b =
      ApplyOverride(current, {RiskLevel::kSerious, "x", D("2026-03-10")}, "p.jones", D("2026-03-01"), Model().review());
  EXPECT_EQ(b.next_review->ToIso(), "2026-03-10");
}

TEST(JudgementTest, PipelineKeepsAnOverrideUntilItsReviewDate) {
  Assessment previous = At(RiskLevel::kAtRisk, RiskLevel::kSerious);
  previous.override_reason = "Disclosure to the school nurse";
  previous.override_by = "p.jones";
  previous.next_review = D("2026-03-29");
  struct Case {
    const char* as_of;
    bool kept;
    const char* review;
  } cases[] = {
      {"2026-03-10", true, "2026-03-29"}, {"2026-03-29", true, "2026-03-29"}, {"2026-03-30", false, "2026-06-29"}};
  for (const Case& c : cases) {
    Assessment fresh = At(RiskLevel::kAtRisk);
    fresh.as_of = D(c.as_of);
    EXPECT_EQ(CarryOverride(&previous, fresh, Model().review()), c.kept) << c.as_of;
    EXPECT_EQ(fresh.level, RiskLevel::kAtRisk) << "the model's level stays beside the override";
    EXPECT_EQ(fresh.override_level.has_value(), c.kept) << c.as_of;
    EXPECT_EQ(fresh.next_review->ToIso(), c.review) << c.as_of;
    if (c.kept) {
      EXPECT_EQ(fresh.override_by, "p.jones");
      EXPECT_EQ(fresh.explanation.back(),
                "Override by p.jones kept until its review on 2026-03-29: serious risk (the model gives at risk)");
    }
  }
  Assessment first = At(RiskLevel::kSignificant);
  first.as_of = D("2026-01-01");
  EXPECT_FALSE(CarryOverride(nullptr, first, Model().review()));
  EXPECT_EQ(first.next_review->ToIso(), "2026-02-26");
}

TEST(JudgementTest, ReviewOverdueAfterTheDateOnly) {
  Assessment a = At(RiskLevel::kAtRisk);
  EXPECT_FALSE(ReviewOverdue(a, D("2030-01-01")));
  a.next_review = D("2026-03-29");
  EXPECT_FALSE(ReviewOverdue(a, D("2026-03-29")));
  EXPECT_TRUE(ReviewOverdue(a, D("2026-03-30")));
}

TEST(JudgementTest, ObservedIndicatorsScoreWithTheDerivedOnes) {
  const Date as_of = D("2026-03-01");
  ChildFacts child;
  child.person_id = 1;
  child.dob = D("2011-05-01");
  const Assessment none = Model().Assess(child, as_of);
  EXPECT_EQ(none.level, RiskLevel::kNoCurrentRisk);

  child.observed = {{"unexplained_gifts_money", D("2026-02-20"), "school"},
                    {"unexplained_gifts_money", D("2026-02-01"), "school"},
                    {"disclosure", D("2026-03-02"), "after as_of: not known then"},
                    {"substance_misuse", D("2024-01-01"), "older than the lookback"}};
  const Assessment a = Model().Assess(child, as_of);
  ASSERT_EQ(a.indicators.size(), 1u);
  EXPECT_EQ(a.indicators[0].code, "unexplained_gifts_money");
  EXPECT_TRUE(a.indicators[0].current);
  EXPECT_TRUE(a.indicators[0].evidence_event_ids.empty());
  EXPECT_GT(a.score, none.score);
  bool said = false;
  for (const std::string& line : a.explanation) {
    said = said || line.find("observed by a practitioner 2 times (newest 2026-02-20)") != std::string::npos;
  }
  EXPECT_TRUE(said);

  // With events as well: the observation joins the events' own evidence.
  EventFact e;
  e.event_id = 11;
  e.kind = EventKind::kMissingEpisode;
  e.category = "missing_overnight";
  e.date = D("2026-02-10");
  child.events = {e};
  child.observed = {{"repeat_missing", D("2026-02-25"), "parent"}};
  const Assessment b = Model().Assess(child, as_of);
  const Indicator* missing = nullptr;
  for (const Indicator& i : b.indicators) {
    if (i.code == "repeat_missing") missing = &i;
  }
  ASSERT_NE(missing, nullptr) << "one event is below min_count, the observation makes it present";
  EXPECT_EQ(missing->evidence_event_ids, std::vector<int64_t>{11});
}

TEST(JudgementTest, FindIndicatorNamesTheModelsCodes) {
  EXPECT_NE(Model().FindIndicator("disclosure"), nullptr);
  EXPECT_EQ(Model().FindIndicator("not_an_indicator"), nullptr);
}

}  // namespace judgement_test
}  // namespace riskradar::risk

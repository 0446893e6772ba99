// Screening model tests: the table of cases in cases.toml, explanation content, sex-independence.
#include "riskradar/risk/screening.h"

#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "riskradar/core/vocabulary.h"

namespace riskradar::risk {
namespace screening_test {

const std::filesystem::path kSourceDir = RISKRADAR_SOURCE_DIR;

const ScreeningModel& Model(const std::string& name) {
  static const auto* models = [] {
    auto* m = new std::map<std::string, ScreeningModel>();
    for (const char* model_name : {"west-midlands", "seraf"}) {
      auto model = ScreeningModel::FromFile(kSourceDir / "config" / "screening" / (std::string(model_name) + ".toml"));
      if (!model.ok()) throw std::runtime_error(model.status().ToString());
      m->emplace(model_name, std::move(model).value());
    }
    return m;
  }();
  return models->at(name);
}

Date AsOf() { return *Date::FromYmd(2025, 6, 30); }

struct ScreeningCase {
  std::string name;
  std::string model = "west-midlands";
  ChildFacts child;
  RiskLevel expect_level = RiskLevel::kNoCurrentRisk;
  std::optional<std::set<std::string>> expect_indicators;
  std::optional<std::set<std::string>> expect_rules;
};

std::set<std::string> Strings(const toml::array& array) {
  std::set<std::string> out;
  for (const auto& item : array) out.insert(std::string(*item.value<std::string_view>()));
  return out;
}

std::vector<ScreeningCase> LoadCases() {
  auto root = toml::parse_file((kSourceDir / "tests" / "risk" / "cases.toml").string());
  Date as_of = *Date::ParseIso(*root["as_of"].value<std::string_view>());
  EXPECT_EQ(as_of, AsOf());
  std::vector<ScreeningCase> cases;
  for (const auto& node : *root["cases"].as_array()) {
    const auto& table = *node.as_table();
    ScreeningCase c;
    c.name = *table["name"].value<std::string>();
    c.model = table["model"].value_or(std::string("west-midlands"));
    c.child.person_id = static_cast<int64_t>(cases.size()) + 1;
    if (auto age = table["age"].value<int>()) {
      // A birthday a month before as_of, so the age is exactly `age`.
      c.child.dob = Date::FromYmd(as_of.year() - *age, as_of.month(), as_of.day())->AddDays(-30);
    }
    c.expect_level = *ParseRiskLevel(*table["expect_level"].value<std::string_view>());
    if (auto* codes = table["expect_indicators"].as_array()) c.expect_indicators = Strings(*codes);
    if (auto* rules = table["expect_rules"].as_array()) c.expect_rules = Strings(*rules);
    if (auto* events = table["events"].as_array()) {
      for (const auto& event_node : *events) {
        const auto& e = *event_node.as_table();
        EventFact fact;
        fact.event_id = static_cast<int64_t>(c.child.events.size()) + 101;
        fact.kind = *ParseEventKind(*e["kind"].value<std::string_view>());
        fact.category = *e["category"].value<std::string>();
        EXPECT_TRUE(IsKnownCategory(fact.kind, fact.category)) << c.name << ": " << fact.category;
        fact.date = as_of.AddDays(-*e["days_ago"].value<int>());
        if (auto place = e["place"].value<std::string_view>()) fact.place_type = *ParsePlaceType(*place);
        fact.with_person_of_concern = e["poc"].value_or(false);
        fact.agency = "test";
        c.child.events.push_back(fact);
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

std::set<std::string> FiredRules(const Assessment& a) {
  std::set<std::string> out;
  for (const std::string& line : a.explanation) {
    if (line.rfind("Rule ", 0) == 0) out.insert(line.substr(5, line.find(':') - 5));
  }
  return out;
}

std::string Explain(const Assessment& a) {
  std::string out = "level " + std::string(ToString(a.level)) + ", score " + std::to_string(a.score) + "\n";
  for (const auto& line : a.explanation) out += "  " + line + "\n";
  return out;
}

TEST(ScreeningModelTest, DefaultModelLoads) {
  auto model = ScreeningModel::Default();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->version(), "west-midlands-2026.2");
  EXPECT_EQ(model->bands().size(), 4u);
  EXPECT_EQ(Model("seraf").version(), "seraf-style-2025.1");
}

TEST(ScreeningModelTest, CasesFromDataFile) {
  auto cases = LoadCases();
  ASSERT_GE(cases.size(), 20u);
  for (const ScreeningCase& c : cases) {
    SCOPED_TRACE(c.name);
    Assessment a = Model(c.model).Assess(c.child, AsOf());
    EXPECT_EQ(ToString(a.level), ToString(c.expect_level)) << Explain(a);
    if (c.expect_indicators) {
      std::set<std::string> codes;
      for (const auto& indicator : a.indicators) codes.insert(indicator.code);
      EXPECT_EQ(codes, *c.expect_indicators) << Explain(a);
    }
    if (c.expect_rules) {
      EXPECT_EQ(FiredRules(a), *c.expect_rules) << Explain(a);
    }
    EXPECT_EQ(a.model_version, Model(c.model).version());
    EXPECT_EQ(a.person_id, c.child.person_id);
    EXPECT_EQ(a.as_of, AsOf());
  }
}

// Boys are under-identified in practice: the default model must never use sex.
TEST(ScreeningModelTest, SexNeverChangesTheLevelInTheDefaultModel) {
  const ScreeningModel& model = Model("west-midlands");
  auto check = [&](ChildFacts child, const std::string& what) {
    child.sex = Sex::kFemale;
    Assessment base = model.Assess(child, AsOf());
    for (Sex sex : {Sex::kMale, Sex::kUnknown, Sex::kOther}) {
      child.sex = sex;
      Assessment other = model.Assess(child, AsOf());
      EXPECT_EQ(other.level, base.level) << what;
      EXPECT_EQ(other.score, base.score) << what;
      EXPECT_EQ(other.explanation, base.explanation) << what;
    }
  };
  for (const ScreeningCase& c : LoadCases()) check(c.child, c.name);

  // Random children over the whole vocabulary, deterministic seed.
  std::mt19937 rng(20250630);
  auto kinds = AllEventKinds();
  for (int child_idx = 0; child_idx < 300; ++child_idx) {
    ChildFacts child;
    child.person_id = child_idx;
    child.dob = AsOf().AddDays(-static_cast<int>(rng() % (365 * 8)) - 365 * 10);
    int event_count = static_cast<int>(rng() % 12);
    for (int event_idx = 0; event_idx < event_count; ++event_idx) {
      EventFact fact;
      fact.event_id = event_idx;
      fact.kind = kinds[rng() % kinds.size()];
      auto categories = CategoriesOf(fact.kind);
      fact.category = std::string(categories[rng() % categories.size()]);
      fact.date = AsOf().AddDays(-static_cast<int>(rng() % 500));
      if (rng() % 2) fact.place_type = static_cast<PlaceType>(rng() % 10);
      fact.with_person_of_concern = rng() % 3 == 0;
      child.events.push_back(fact);
    }
    check(child, "random child " + std::to_string(child_idx));
  }
}

TEST(ScreeningModelTest, ModelsCanUseSexOnlyWhenConfigured) {
  std::string text = R"(
version = "sex-test"
[windows]
current_days = 183
[groups.significant]
current_points = 5
[groups.risk]
current_points = 1
[groups.vulnerability]
current_points = 1
[[bands]]
level = "none"
min_points = 0
max_points = 6
[[bands]]
level = "at_risk"
min_points = 6
[[indicators]]
code = "self_harm"
group = "risk"
label = "Self-harm"
evidence = [{ kind = "health_attendance", categories = ["self_harm"] }]
[[overrides]]
code = "boys"
level = "at_risk"
explanation = "Boys are under-identified: any current indicator is enough for at risk"
[overrides.who]
sex_any = ["male"]
[overrides.when]
groups = ["risk"]
)";
  auto model = ScreeningModel::FromToml(text, "sex-test.toml");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ChildFacts child;
  child.events.push_back(
      {1, EventKind::kHealthAttendance, "self_harm", AsOf().AddDays(-3), "nhs", std::nullopt, false});
  child.sex = Sex::kFemale;
  EXPECT_EQ(model->Assess(child, AsOf()).level, RiskLevel::kNoCurrentRisk);
  child.sex = Sex::kMale;
  EXPECT_EQ(model->Assess(child, AsOf()).level, RiskLevel::kAtRisk);
}

bool HasLine(const Assessment& a, const std::string& needle) {
  return std::any_of(a.explanation.begin(), a.explanation.end(),
                     [&](const std::string& line) { return line.find(needle) != std::string::npos; });
}

// Repetition: every evidence event within the lookback beyond the ones an indicator needs adds repeat_points, up
// to max_repeats, whether the indicator is current or earlier; the explanation says how many repeats counted.
TEST(ScreeningModelTest, RepeatedEvidenceAddsPointsUpToItsCap) {
  std::string text = R"(
version = "repeat-test"
[windows]
current_days = 100
[groups.significant]
current_points = 5
earlier_points = 4
repeat_points = 2
max_repeats = 3
[groups.risk]
current_points = 3
[groups.vulnerability]
current_points = 1
[[bands]]
level = "none"
min_points = 0
max_points = 100
[[bands]]
level = "at_risk"
min_points = 100
[[indicators]]
code = "gifts"
group = "significant"
label = "Gifts"
evidence = [{ kind = "referral", categories = ["gifts_money"] }]
)";
  auto model = ScreeningModel::FromToml(text, "repeat-test.toml");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto score_with = [&](std::vector<int> days_ago) {
    ChildFacts child;
    int64_t id = 1;
    for (int d : days_ago)
      child.events.push_back(
          {id++, EventKind::kReferral, "gifts_money", AsOf().AddDays(-d), "cs", std::nullopt, false});
    return model->Assess(child, AsOf());
  };
  EXPECT_EQ(score_with({10}).score, 5);
  EXPECT_EQ(score_with({10, 20}).score, 7);
  EXPECT_EQ(score_with({10, 20, 30, 40}).score, 11);
  EXPECT_EQ(score_with({10, 20, 30, 40, 50, 60}).score, 11);  // capped at 3 repeats
  EXPECT_EQ(score_with({10, 200, 250}).score, 9);             // earlier events within the lookback repeat too
  EXPECT_EQ(score_with({200, 250}).score, 6);                 // an earlier indicator: 4 points and a repeat
  EXPECT_EQ(score_with({10, 400}).score, 5);                  // beyond the lookback (365 days): not evidence
  EXPECT_TRUE(HasLine(score_with({10, 20, 30}), "(with 4 points for 2 repeats)"));

  std::string uncapped = text;
  uncapped.replace(uncapped.find("max_repeats = 3\n"), 16, "");
  auto refused = ScreeningModel::FromToml(uncapped, "uncapped.toml");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("groups.significant.max_repeats"), std::string::npos)
      << refused.status().message();
}

TEST(ScreeningExplanationTest, ShowsEachIndicatorBandAndRule) {
  ChildFacts child;
  child.person_id = 7;
  child.dob = *Date::FromYmd(2009, 1, 1);
  child.events = {
      {11, EventKind::kMissingEpisode, "missing_overnight", AsOf().AddDays(-10), "bcc", std::nullopt, false},
      {12, EventKind::kMissingEpisode, "missing_day", AsOf().AddDays(-40), "wmp", std::nullopt, false},
      {13, EventKind::kMissingEpisode, "missing_overnight", AsOf().AddDays(-90), "bcc", std::nullopt, false},
      {16, EventKind::kMissingEpisode, "whereabouts_unclear", AsOf().AddDays(-30), "wmp", std::nullopt, false},
      {14, EventKind::kHealthAttendance, "alcohol", AsOf().AddDays(-20), "uhb", std::nullopt, false},
      {15, EventKind::kPoliceIncident, "vehicle_unknown_adult", AsOf().AddDays(-250), "wmp", std::nullopt, false},
  };
  Assessment a = Model("west-midlands").Assess(child, AsOf());
  // 5 (repeat missing, current) + 4 (vehicles, earlier) + 3 (whereabouts unclear) + 3 (alcohol) = 15.
  EXPECT_EQ(a.score, 15);
  EXPECT_EQ(a.level, RiskLevel::kAtRisk);
  EXPECT_TRUE(HasLine(a,
                      "Significant indicator (current): Repeatedly going missing from home or care, day or night: "
                      "3 events, 5 points"))
      << Explain(a);
  EXPECT_TRUE(HasLine(a,
                      "Significant indicator (earlier): Getting into or out of vehicles driven by unknown adults: "
                      "1 event, 4 points"))
      << Explain(a);
  EXPECT_TRUE(HasLine(a, "Risk indicator (current): Drug or alcohol misuse: 1 event, 3 points")) << Explain(a);
  EXPECT_TRUE(HasLine(a, "Score 15 points: band 9 to under 27 points gives at risk")) << Explain(a);
  EXPECT_FALSE(HasLine(a, "Rule ")) << Explain(a);

  ASSERT_FALSE(a.indicators.empty());
  const Indicator& missing = a.indicators.front();
  EXPECT_EQ(missing.code, "repeat_missing");
  EXPECT_EQ(missing.group, "significant");
  EXPECT_TRUE(missing.current);
  EXPECT_EQ(missing.points, 5);
  EXPECT_EQ(missing.evidence_event_ids, (std::vector<int64_t>{13, 12, 11}));  // oldest first
  auto vehicles = std::find_if(a.indicators.begin(), a.indicators.end(),
                               [](const Indicator& i) { return i.code == "vehicles_unknown_adults"; });
  ASSERT_NE(vehicles, a.indicators.end());
  EXPECT_FALSE(vehicles->current);
  EXPECT_EQ(vehicles->points, 4);
}

TEST(ScreeningExplanationTest, OverrideLineSaysWhatItChanged) {
  ChildFacts child;
  child.dob = *Date::FromYmd(2009, 1, 1);
  child.events = {{1, EventKind::kReferral, "disclosure_cse", AsOf().AddDays(-2), "bcc", std::nullopt, false}};
  Assessment a = Model("west-midlands").Assess(child, AsOf());
  EXPECT_EQ(a.level, RiskLevel::kSerious);
  EXPECT_TRUE(HasLine(a, "Score 5 points: band 0 to under 9 points gives no current risk")) << Explain(a);
  EXPECT_TRUE(HasLine(a,
                      "Rule disclosure: A disclosure of sexual exploitation is the highest level at once: "
                      "level raised from no current risk to serious risk"))
      << Explain(a);
  EXPECT_FALSE(a.override_level.has_value()) << "override_level is for practitioners, not model rules";
}

TEST(ScreeningExplanationTest, RecordsOfOneEventCountOnceAndEveryRecordIsEvidence) {
  ChildFacts child;
  child.dob = *Date::FromYmd(2009, 1, 1);
  // Two missing episodes, each recorded by the police and by children's services (event linkage merged them).
  child.events = {
      {11, EventKind::kMissingEpisode, "missing_overnight", AsOf().AddDays(-10), "wmp", std::nullopt, false},
      {13, EventKind::kMissingEpisode, "missing_overnight", AsOf().AddDays(-90), "wmp", std::nullopt, false},
  };
  child.merged_event_ids = {{11, {12}}, {13, {14}}};
  Assessment two = Model("west-midlands").Assess(child, AsOf());
  EXPECT_TRUE(std::none_of(two.indicators.begin(), two.indicators.end(),
                           [](const Indicator& i) { return i.code == "repeat_missing"; }))
      << "four records of two episodes are not repeatedly missing\n"
      << Explain(two);

  child.events.push_back(
      {15, EventKind::kMissingEpisode, "missing_day", AsOf().AddDays(-40), "bcc", std::nullopt, false});
  Assessment three = Model("west-midlands").Assess(child, AsOf());
  ASSERT_FALSE(three.indicators.empty());
  EXPECT_EQ(three.indicators.front().code, "repeat_missing");
  EXPECT_EQ(three.indicators.front().evidence_event_ids, (std::vector<int64_t>{13, 14, 15, 11, 12}))
      << "every source record, events oldest first";
  EXPECT_TRUE(HasLine(three,
                      "Repeatedly going missing from home or care, day or night: 3 events (5 records from more than "
                      "one agency)"))
      << Explain(three);
}

TEST(ScreeningExplanationTest, ARuleWhoseEvidenceIsNoLongerCurrentLapsesAndSaysSo) {
  ChildFacts child;
  child.dob = *Date::FromYmd(2009, 1, 1);
  child.events = {{1, EventKind::kReferral, "disclosure_cse", AsOf().AddDays(-60), "bcc", std::nullopt, false}};
  const ScreeningModel& model = Model("west-midlands");
  const auto rule = std::find_if(model.overrides().begin(), model.overrides().end(),
                                 [](const OverrideRule& r) { return r.code == "disclosure"; });
  ASSERT_NE(rule, model.overrides().end());
  ASSERT_TRUE(rule->current_days.has_value()) << "the default disclosure rule holds only while current";
  const int days = *rule->current_days;
  child.events[0].date = AsOf().AddDays(-(days - 1));
  EXPECT_EQ(model.Assess(child, AsOf()).level, RiskLevel::kSerious) << "the last day it holds";
  child.events[0].date = AsOf().AddDays(-days);
  Assessment lapsed = model.Assess(child, AsOf());
  EXPECT_LT(lapsed.level, RiskLevel::kSerious) << Explain(lapsed);
  EXPECT_TRUE(HasLine(lapsed,
                      "Lapsed rule disclosure: A disclosure of sexual exploitation is the highest level at "
                      "once: no longer applies, its newest evidence is " +
                          std::to_string(days) + " days old or more"))
      << Explain(lapsed);
  EXPECT_FALSE(HasLine(lapsed, "Rule disclosure:")) << Explain(lapsed);
}

TEST(ScreeningExplanationTest, CapAndUnknownBirthDateAreExplained) {
  ChildFacts child;
  for (const char* category :
       {"neglect", "domestic_abuse", "looked_after", "family_breakdown", "no_protective_adult"}) {
    child.events.push_back({static_cast<int64_t>(child.events.size()), EventKind::kReferral, category,
                            AsOf().AddDays(-5), "bcc", std::nullopt, false});
  }
  Assessment a = Model("west-midlands").Assess(child, AsOf());
  EXPECT_EQ(a.score, 3);
  EXPECT_TRUE(HasLine(a, "Group vulnerability is capped at 3 points: its 5 points count as 3")) << Explain(a);
  EXPECT_TRUE(HasLine(a, "Date of birth unknown")) << Explain(a);
}

TEST(ScreeningExplanationTest, NoEventsSaysSo) {
  Assessment a = Model("west-midlands").Assess(ChildFacts{}, AsOf());
  EXPECT_EQ(a.level, RiskLevel::kNoCurrentRisk);
  EXPECT_TRUE(HasLine(a, "No indicators")) << Explain(a);
  EXPECT_TRUE(HasLine(a, "gives no current risk")) << Explain(a);
}

}  // namespace screening_test
}  // namespace riskradar::risk

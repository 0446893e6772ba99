// End to end: `riskradar network priorities` and `riskradar explain person` on a small demo store, through the
// access layer: the priority list in order, a breakdown that adds up to the score, and nothing for an account
// that may not see the person (answered like a missing id).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "demo_store.h"

namespace riskradar {
namespace explain_person_test {

namespace fs = std::filesystem;
using nlohmann::json;

using e2e::CommandRun;
using e2e::RunCommand;

class ExplainPersonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const e2e::DemoStore& store = e2e::DemoStore::Get();  // built once per process, shared with the other suites
    dir_ = store.dir;
    demo_ = store.demo;
    users_ = store.users;
  }
  static std::string Cli(const std::string& args) { return e2e::Cli(args); }
  static std::string Db() { return "--db " + (dir_ / "riskradar.db").string(); }

  static inline fs::path dir_;
  static inline CommandRun demo_, users_;
};

TEST_F(ExplainPersonTest, PriorityListIsOrderedAndABreakdownAddsUpToTheScore) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  ASSERT_EQ(users_.exit_code, 0) << users_.output;
  const CommandRun list = RunCommand(Cli("network priorities " + Db() + " --user wmp-analyst --top 30 --json"), false);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const json people = json::parse(list.output, nullptr, false);
  ASSERT_TRUE(people.is_array()) << list.output;
  ASSERT_GE(people.size(), 5u) << "the police see the persons of concern their intelligence names";
  std::string full;
  for (size_t i = 0; i < people.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(people[i - 1]["priority"]["score"].get<double>(), people[i]["priority"]["score"].get<double>());
    }
    if (full.empty() && people[i]["breakdown_complete"].get<bool>() && !people[i]["priority"]["reasons"].empty())
      full = std::to_string(people[i]["person"].get<int64_t>());
  }
  ASSERT_FALSE(full.empty()) << "some person of concern is known only to the police: " << list.output;

  const CommandRun one = RunCommand(Cli("explain person " + full + " " + Db() + " --user wmp-analyst --json"), false);
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const json view = json::parse(one.output, nullptr, false);
  ASSERT_TRUE(view["breakdown_complete"].get<bool>()) << one.output;
  // Every reason ends "(+n)"; the parts add up to the score.
  double sum = 0;
  const std::regex points(R"(\(\+([0-9.]+)\)$)");
  for (const auto& reason : view["priority"]["reasons"]) {
    std::smatch m;
    const std::string text = reason.get<std::string>();
    ASSERT_TRUE(std::regex_search(text, m, points)) << text;
    sum += std::stod(m[1].str());
  }
  EXPECT_NEAR(sum, view["priority"]["score"].get<double>(), 0.011) << one.output;
  ASSERT_TRUE(view["priority"]["measures"].is_object()) << one.output;
  EXPECT_TRUE(view["priority"]["measures"].contains("betweenness"));

  const CommandRun text = RunCommand(Cli("explain person " + full + " " + Db() + " --user wmp-analyst"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(std::regex_search(text.output, std::regex(R"(priority [0-9.]+: )"))) << text.output;
  EXPECT_NE(text.output.find("  why:\n    - "), std::string::npos) << text.output;
}

// An A&E analyst sees no police intelligence: the person is answered exactly like an id that does not exist.
TEST_F(ExplainPersonTest, AnAccountThatMayNotSeeThePersonGetsWhatAMissingIdGets) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun list = RunCommand(Cli("network priorities " + Db() + " --user wmp-analyst --top 1 --json"), false);
  const json people = json::parse(list.output, nullptr, false);
  ASSERT_TRUE(people.is_array() && people.size() == 1u) << list.output;
  const std::string top = std::to_string(people[0]["person"].get<int64_t>());
  const CommandRun ae_list =
      RunCommand(Cli("network priorities " + Db() + " --user bc-ae-analyst --top 30 --json"), false);
  ASSERT_EQ(ae_list.exit_code, 0) << ae_list.output;
  for (const auto& p : json::parse(ae_list.output)) EXPECT_NE(std::to_string(p["person"].get<int64_t>()), top);

  const CommandRun hidden = RunCommand(Cli("explain person " + top + " " + Db() + " --user bc-ae-analyst"));
  const CommandRun missing = RunCommand(Cli("explain person 99999999 " + Db() + " --user bc-ae-analyst"));
  EXPECT_NE(hidden.exit_code, 0);
  EXPECT_EQ(hidden.exit_code, missing.exit_code);
  EXPECT_EQ(hidden.output, missing.output);
  EXPECT_NE(hidden.output.find("no such person"), std::string::npos) << hidden.output;

  const CommandRun unknown = RunCommand(Cli("explain person " + top + " " + Db() + " --user nobody-here"));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("--user nobody-here: no enabled account"), std::string::npos) << unknown.output;
}

}  // namespace explain_person_test
}  // namespace riskradar

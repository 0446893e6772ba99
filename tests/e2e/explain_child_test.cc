// End to end: `riskradar explain child` on a small demo store, through the access layer: the evidence behind
// every indicator, what would change the level, and nothing of records the account may not see.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>
#include <string>

#include "demo_store.h"

namespace riskradar {
namespace explain_child_test {

namespace fs = std::filesystem;
using nlohmann::json;

using e2e::CommandRun;
using e2e::RunCommand;

class ExplainChildTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const e2e::DemoStore& store = e2e::DemoStore::Get();  // built once per process, shared with the other suites
    dir_ = store.dir;
    demo_ = store.demo;
    users_ = store.users;
    // "bc-ae-practitioner  allocated_case  children 543, 539, 377": the A&E practitioner's first child.
    std::smatch m;
    if (std::regex_search(users_.output, m, std::regex(R"(bc-ae-practitioner\s+allocated_case\s+children (\d+))"))) {
      child_ = m[1].str();
    }
  }
  static std::string Cli(const std::string& args) { return e2e::Cli(args); }
  static std::string Db() { return "--db " + (dir_ / "riskradar.db").string(); }
  static json Explain(const std::string& user) {
    const CommandRun run =
        RunCommand(Cli("explain child " + child_ + " " + Db() + " --user " + user + " --json"), false);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return json::parse(run.output, nullptr, false);
  }
  static std::set<int64_t> EvidenceIds(const json& view) {
    std::set<int64_t> ids;
    for (const auto& i : view["assessment"]["indicators"]) {
      for (const auto& e : i["evidence"]) ids.insert(e["event_id"].get<int64_t>());
    }
    return ids;
  }

  static inline fs::path dir_;
  static inline CommandRun demo_, users_;
  static inline std::string child_;
};

TEST_F(ExplainChildTest, FullViewListsEvidenceAndWhatWouldChange) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  ASSERT_FALSE(child_.empty()) << users_.output;
  // The police see every record behind this child's assessment in the seed-7 demo.
  const json v = Explain("wmp-practitioner");
  ASSERT_TRUE(v.is_object());
  const json& a = v["assessment"];
  ASSERT_TRUE(a["complete"].get<bool>());
  ASSERT_FALSE(a["indicators"].empty());
  for (const auto& i : a["indicators"]) {
    ASSERT_FALSE(i["evidence"].empty()) << i.dump();
    for (const auto& e : i["evidence"]) {
      EXPECT_TRUE(std::regex_match(e["date"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\d)"))) << e.dump();
      EXPECT_FALSE(e["agency"].get<std::string>().empty());
      EXPECT_FALSE(e["kind"].get<std::string>().empty());
    }
  }
  EXPECT_EQ(a["model_version"], "west-midlands-2026.2");
  const json& change = a["what_would_change"];
  EXPECT_EQ(change["rules"].size(), 3u);  // the shipped model's override rules
  const double score = a["score"].get<double>();
  if (!change["up"].is_null()) {
    EXPECT_DOUBLE_EQ(change["up"]["points"].get<double>(), change["up"]["threshold"].get<double>() - score);
  }
  ASSERT_FALSE(change["down"].is_null());
  EXPECT_DOUBLE_EQ(change["down"]["points"].get<double>(), score - change["down"]["threshold"].get<double>());
  EXPECT_FALSE(a["explanation"].empty());
}

TEST_F(ExplainChildTest, PartialViewShowsOnlyItsOwnEvidence) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const json full = Explain("wmp-practitioner");
  const json part = Explain("bc-ae-practitioner");
  ASSERT_TRUE(full.is_object() && part.is_object());
  EXPECT_FALSE(part["explanation_complete"].get<bool>());
  EXPECT_TRUE(part["assessment"]["explanation"].empty());
  EXPECT_TRUE(part["assessment"]["what_would_change"]["rules"].empty());
  const std::set<int64_t> all = EvidenceIds(full), seen = EvidenceIds(part);
  ASSERT_FALSE(seen.empty());
  EXPECT_LT(seen.size(), all.size());
  for (int64_t id : seen) EXPECT_TRUE(all.count(id)) << id;
  // Only the A&E practitioner's own agency's records appear (no agreement opens others' records to them here).
  for (const auto& i : part["assessment"]["indicators"]) {
    for (const auto& e : i["evidence"]) EXPECT_EQ(e["agency"], "bc-ae") << e.dump();
  }
}

TEST_F(ExplainChildTest, TextNamesTheEvidenceAndRefusalsAreClear) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun text = RunCommand(Cli("explain child " + child_ + " " + Db() + " --user wmp-practitioner"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("Level: "), std::string::npos) << text.output;
  EXPECT_TRUE(std::regex_search(text.output, std::regex(R"(event \d+ \d{4}-\d\d-\d\d \w+/\w+ by wmp)"))) << text.output;
  EXPECT_NE(text.output.find("What would change the level:"), std::string::npos);
  EXPECT_NE(text.output.find("rule disclosure"), std::string::npos);

  const CommandRun unknown = RunCommand(Cli("explain child " + child_ + " " + Db() + " --user nobody-here"));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("--user nobody-here: no enabled account"), std::string::npos) << unknown.output;
  EXPECT_EQ(unknown.output.find("Level:"), std::string::npos);

  const CommandRun missing = RunCommand(Cli("explain child 99999999 " + Db() + " --user wmp-practitioner"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("no such child"), std::string::npos) << missing.output;
}

}  // namespace explain_child_test
}  // namespace riskradar

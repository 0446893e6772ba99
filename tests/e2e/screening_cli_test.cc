// End to end: `riskradar screening history|override|record` on a copy of the small demo store, as demo
// accounts, through the access layer: the trajectory, an override kept by a later screening, refusals (a role
// that may not override; a child the account may not see answers like a missing one), and afterwards
// `audit verify` passes with every write in the log once.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

#include "demo_store.h"

namespace riskradar {
namespace screening_cli_test {

namespace fs = std::filesystem;
using e2e::CommandRun;
using e2e::RunCommand;
using nlohmann::json;

class ScreeningCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const e2e::DemoStore& shared = e2e::DemoStore::Get();
    dir_ = fs::temp_directory_path() / ("rr-e2e-screening-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::copy(shared.dir, dir_, fs::copy_options::recursive);  // the shared store stays read-only
    // "  wmp-practitioner   allocated_case  children 12, 40, 7"
    std::smatch m;
    const std::regex line(R"(wmp-practitioner\s+allocated_case\s+children (\d+))");
    if (std::regex_search(shared.users.output, m, line)) child_ = m[1].str();
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static CommandRun Run(const std::string& args, bool with_stderr = false) {
    return RunCommand(e2e::Cli(args + " --db " + (dir_ / "riskradar.db").string()), with_stderr);
  }
  static json Json(const std::string& args) {
    const CommandRun run = Run(args + " --json");
    EXPECT_EQ(run.exit_code, 0) << args << "\n" << run.output;
    return json::parse(run.output, nullptr, false);
  }
  static std::string Today() {
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
  }

  static inline fs::path dir_;
  static inline std::string child_;
};

TEST_F(ScreeningCliTest, HistoryOverrideAndAScreeningThatKeepsTheOverride) {
  ASSERT_FALSE(child_.empty()) << "demo-users allocated no child to wmp-practitioner";
  const std::string as = " --user wmp-practitioner --child " + child_;
  const json before = Json("screening history" + as);
  ASSERT_TRUE(before["assessments"].is_array());
  ASSERT_FALSE(before["assessments"].empty()) << "the demo assessed every child";
  const json latest = before["assessments"].back();
  EXPECT_EQ(latest["kind"], "pipeline");
  EXPECT_FALSE(latest["next_review"].is_null()) << "the assess stage sets the review date";
  const std::string to = latest["level"] == "serious" ? "at_risk" : "serious";

  const json over = Json("screening override" + as + " --level " + to +
                         " --reason 'Disclosed to the school nurse; strategy meeting today' --expect " +
                         std::to_string(latest["id"].get<int64_t>()));
  EXPECT_EQ(over["kind"], "override");
  EXPECT_EQ(over["level"], to);
  EXPECT_EQ(over["model_level"], latest["model_level"]);
  EXPECT_EQ(over["override"]["by"], "wmp-practitioner");

  // A stale --expect is refused (exit 6) and writes nothing.
  const CommandRun stale = Run("screening override" + as + " --level none --reason 'a stale one, refused' --expect " +
                               std::to_string(latest["id"].get<int64_t>()));
  EXPECT_EQ(stale.exit_code, 6) << stale.output;

  const json screened = Json("screening record" + as + " --observe 'unexplained_gifts_money," + Today() + ",school'");
  EXPECT_EQ(screened["kind"], "screening");
  EXPECT_EQ(screened["level"], to) << "the override stays until its review date";
  bool observed = false;
  for (const json& line : screened["explanation"]) {
    observed = observed || line.get<std::string>().find("observed by a practitioner") != std::string::npos;
  }
  EXPECT_TRUE(observed) << screened.dump(2);

  const json after = Json("screening history" + as);
  EXPECT_EQ(after["assessments"].size(), before["assessments"].size() + 2);

  // A pipeline re-assessment before the override's review date keeps it beside the model's level.
  const CommandRun assess = Run("assess");
  EXPECT_EQ(assess.exit_code, 0) << assess.output;
  EXPECT_NE(assess.output.find("overrides kept until their review dates"), std::string::npos) << assess.output;
  const json rerun = Json("screening history" + as);
  ASSERT_EQ(rerun["assessments"].size(), after["assessments"].size() + 1);
  const json& fresh = rerun["assessments"].back();
  EXPECT_EQ(fresh["kind"], "pipeline");
  EXPECT_EQ(fresh["level"], to);
  EXPECT_EQ(fresh["override"]["by"], "wmp-practitioner");
  EXPECT_EQ(fresh["next_review"], over["next_review"]);

  const CommandRun unknown = Run("screening record" + as + " --observe 'flying," + Today() + ",school'", true);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("observations[0].indicator"), std::string::npos) << unknown.output;
}

TEST_F(ScreeningCliTest, RefusalsAreClearAndAHiddenChildIsLikeAMissingOne) {
  ASSERT_FALSE(child_.empty());
  const CommandRun analyst = Run("screening override --user wmp-analyst --child " + child_ +
                                 " --level none --reason 'an analyst may not override'");
  EXPECT_EQ(analyst.exit_code, 5) << analyst.output;
  const CommandRun nobody = Run("screening history --user nobody-here --child " + child_);
  EXPECT_EQ(nobody.exit_code, 5) << nobody.output;
  // An account whose child view of the child is refused (`explain child` exits 3): its trajectory is refused
  // the same way as a missing id's.
  std::string outsider;
  for (const char* user : {"wm-ash-practitioner", "cov-edu-practitioner", "dud-cs-practitioner", "wlv-cs-practitioner",
                           "cov-ae-practitioner", "bc-ae-practitioner"}) {
    if (Run("explain child " + child_ + " --user " + std::string(user)).exit_code == 3) {
      outsider = user;
      break;
    }
  }
  ASSERT_FALSE(outsider.empty()) << "every candidate account may see the child";
  const CommandRun hidden = Run("screening history --user " + outsider + " --child " + child_);
  const CommandRun missing = Run("screening history --user " + outsider + " --child 99999999");
  EXPECT_EQ(hidden.exit_code, 3) << hidden.output;
  EXPECT_EQ(missing.exit_code, 3) << missing.output;
  const CommandRun write = Run("screening override --user " + outsider + " --child " + child_ +
                               " --level none --reason 'a child this account may not see'");
  EXPECT_EQ(write.exit_code, 3) << write.output;
}

TEST_F(ScreeningCliTest, TheAuditLogVerifiesAfterwards) {
  const CommandRun verify = Run("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace screening_cli_test
}  // namespace riskradar

// End to end: `riskradar places` and `riskradar explain place` on a small demo store, through the access layer:
// hotspots, the top place's score breakdown, time profile, trend and hotspot, and no more people than the
// account may see.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <regex>
#include <string>

#include "demo_store.h"

namespace riskradar {
namespace explain_place_test {

namespace fs = std::filesystem;
using nlohmann::json;

using e2e::CommandRun;
using e2e::RunCommand;

class ExplainPlaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const e2e::DemoStore& store = e2e::DemoStore::Get();  // built once per process, shared with the other suites
    dir_ = store.dir;
    demo_ = store.demo;
    users_ = store.users;
  }
  static std::string Cli(const std::string& args) { return e2e::Cli(args); }
  static std::string Db() { return "--db " + (dir_ / "riskradar.db").string(); }
  static json Json(const std::string& args) {
    const CommandRun run = RunCommand(Cli(args + " " + Db() + " --json"), false);
    EXPECT_EQ(run.exit_code, 0) << args << "\n" << run.output;
    return json::parse(run.output, nullptr, false);
  }

  static inline fs::path dir_;
  static inline CommandRun demo_, users_;
};

// The points in "... (+6)" reason lines.
double SumOfReasons(const json& reasons) {
  double sum = 0;
  const std::regex points(R"(\(\+([0-9.]+)\)$)");
  for (const auto& r : reasons) {
    std::smatch m;
    const std::string line = r.get<std::string>();
    if (std::regex_search(line, m, points)) sum += std::stod(m[1].str());
  }
  return sum;
}

TEST_F(ExplainPlaceTest, HotspotsAndTheTopPlaceExplained) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const json list = Json("places --user wmp-practitioner --top 1000");
  ASSERT_TRUE(list.is_object());
  ASSERT_FALSE(list["places"].empty());
  ASSERT_FALSE(list["hotspots"].empty());
  int in_hotspots = 0;
  for (const auto& h : list["hotspots"]) in_hotspots += h["places_of_concern"].get<int>();
  EXPECT_EQ(in_hotspots, static_cast<int>(list["places"].size())) << "every place of concern is in one hotspot";
  for (size_t i = 1; i < list["places"].size(); ++i) {
    EXPECT_GE(list["places"][i - 1]["score"].get<double>(), list["places"][i]["score"].get<double>());
  }

  const json top = list["places"][0];
  const std::string id = std::to_string(top["id"].get<int64_t>());
  const json x = Json("explain place " + id + " --user wmp-practitioner");
  ASSERT_TRUE(x.is_object());
  EXPECT_EQ(x["rank"], 1);
  EXPECT_DOUBLE_EQ(x["score"].get<double>(), top["score"].get<double>());
  EXPECT_NEAR(SumOfReasons(x["breakdown"]), x["score"].get<double>(), 1e-9) << x["breakdown"].dump();
  const json& profile = x["profile"];
  const auto& weekdays = profile["by_weekday"];
  EXPECT_EQ(std::accumulate(weekdays.begin(), weekdays.end(), 0, [](int a, const json& b) { return a + b.get<int>(); }),
            profile["occasions"].get<int>());
  const auto& hours = profile["by_hour"];
  EXPECT_EQ(std::accumulate(hours.begin(), hours.end(), 0, [](int a, const json& b) { return a + b.get<int>(); }),
            profile["timed"].get<int>());
  EXPECT_GT(profile["timed"].get<int>(), 0) << "police occurrences here give a time of day";
  EXPECT_FALSE(profile["peak_hours"].get<std::string>().empty());
  EXPECT_TRUE(x["trend"]["trend"] == "steady" || x["trend"]["trend"] == "emerging" ||
              x["trend"]["trend"] == "declining");
  EXPECT_EQ(x["hotspot"]["type"], x["place"]["type"]);
  EXPECT_EQ(x["hotspot"]["rank"], 1);
  EXPECT_FALSE(x["people"].empty()) << "the police see the people their own records name here";

  // An A&E practitioner sees the same score and no more people than the police.
  const json ae = Json("explain place " + id + " --user bc-ae-practitioner");
  EXPECT_DOUBLE_EQ(ae["score"].get<double>(), x["score"].get<double>());
  EXPECT_LE(ae["people"].size(), x["people"].size());

  const CommandRun text = RunCommand(Cli("explain place " + id + " " + Db() + " --user wmp-practitioner"));
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("place of concern 1 of"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("busiest hours: "), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Trend: "), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Hotspot: "), std::string::npos) << text.output;
}

TEST_F(ExplainPlaceTest, RefusalsAreClear) {
  ASSERT_EQ(demo_.exit_code, 0) << demo_.output;
  const CommandRun unknown = RunCommand(Cli("explain place 1 " + Db() + " --user nobody-here"));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("--user nobody-here: no enabled account"), std::string::npos) << unknown.output;
  const CommandRun missing = RunCommand(Cli("explain place 99999999 " + Db() + " --user wmp-practitioner"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("not a place of concern"), std::string::npos) << missing.output;
  const CommandRun places = RunCommand(Cli("places " + Db() + " --user nobody-here"));
  EXPECT_NE(places.exit_code, 0);
}

}  // namespace explain_place_test
}  // namespace riskradar

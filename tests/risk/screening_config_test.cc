// A bad screening model file must fail with an error naming the file, the key and why.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "riskradar/risk/screening.h"

namespace riskradar::risk {
namespace screening_config_test {

std::string DefaultText() {
  std::ifstream in(std::filesystem::path(RISKRADAR_SOURCE_DIR) / "tests" / "risk" / "data" / "config-error-base.toml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces the first occurrence of `from`, which must exist.
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct ConfigErrorCase {
  std::string name;
  std::string from;
  std::string to;
  std::vector<std::string> expect_in_message;
};

TEST(ScreeningConfigTest, BothShippedModelsLoad) {
  for (const char* file : {"west-midlands.toml", "seraf.toml"}) {
    auto model = ScreeningModel::FromFile(std::filesystem::path(RISKRADAR_SOURCE_DIR) / "config" / "screening" / file);
    EXPECT_TRUE(model.ok()) << file << ": " << model.status().ToString();
  }
}

TEST(ScreeningConfigTest, RejectsBadFilesWithClearErrors) {
  const std::vector<ConfigErrorCase> cases = {
      {"unknown top-level key", "version = ", "colour = \"red\"\nversion = ", {"wm.toml:", "colour", "unknown key"}},
      {"misspelt indicator key",
       "min_count = 2",
       "min_cout = 2",
       {"wm.toml:", "indicators[0] (repeat_missing).min_cout", "unknown key", "min_count"}},
      {"unknown kind",
       "{ kind = \"missing_episode\", categories = [\"missing_overnight\"",
       "{ kind = \"missing\", categories = [\"missing_overnight\"",
       {"evidence[0].kind", "unknown event kind 'missing'"}},
      {"unknown category",
       "categories = [\"missing_overnight\", \"missing_day\"]",
       "categories = [\"missing_overnight\", \"missing_night\"]",
       {"indicators[0] (repeat_missing).evidence[0].categories", "unknown category 'missing_night'",
        "kind 'missing_episode'", "whereabouts_unclear"}},
      {"category from another kind",
       "categories = [\"vehicle_unknown_adult\"]",
       "categories = [\"sti\"]",
       {"unknown category 'sti' for kind 'police_incident'"}},
      {"unknown place type",
       "\"taxi_rank\", \"takeaway\"]",
       "\"taxi_firm\", \"takeaway\"]",
       {"place_types", "unknown place type 'taxi_firm'"}},
      {"unknown matcher key", "with_person_of_concern = true }", "with_poc = true }", {"with_poc", "unknown key"}},
      {"gap between bands",
       "min_points = 6\nmax_points = 11",
       "min_points = 7\nmax_points = 11",
       {"wm.toml:", "bands[1].min_points", "gap", "from 6 up to 7"}},
      {"overlapping bands",
       "min_points = 6\nmax_points = 11",
       "min_points = 5\nmax_points = 11",
       {"bands[1].min_points", "overlap", "from 5 up to 6"}},
      {"first band not at zero",
       "min_points = 0\nmax_points = 6",
       "min_points = 1\nmax_points = 6",
       {"bands[0].min_points", "must start at 0"}},
      {"last band closed",
       "min_points = 16\n",
       "min_points = 16\nmax_points = 30\n",
       {"bands[3].max_points", "last band"}},
      {"bands out of order",
       "level = \"significant\"\nmin_points = 11",
       "level = \"at_risk\"\nmin_points = 11",
       {"bands[2].level", "higher level"}},
      {"unknown level",
       "level = \"serious\"\nmin_points = 16",
       "level = \"critical\"\nmin_points = 16",
       {"bands[3].level", "unknown risk level 'critical'"}},
      {"unknown group",
       "group = \"significant\"",
       "group = \"high\"",
       {"indicators[0] (repeat_missing).group", "unknown group 'high'"}},
      {"duplicate indicator code",
       "code = \"vehicles_unknown_adults\"",
       "code = \"repeat_missing\"",
       {"indicators[2] (repeat_missing)", "duplicate"}},
      {"override names unknown indicator",
       "indicators_any = [\"disclosure\"]",
       "indicators_any = [\"disclosed\"]",
       {"overrides[0] (disclosure).when.indicators_any", "unknown indicator code 'disclosed'"}},
      {"override with an unknown level",
       "level = \"serious\"\nexplanation",
       "level = \"highest\"\nexplanation",
       {"overrides[0] (disclosure).level", "unknown risk level"}},
      {"min_count zero", "min_count = 2", "min_count = 0", {"min_count", "must be >= 1, got 0"}},
      {"points as text",
       "current_points = 5",
       "current_points = \"five\"",
       {"groups.significant.current_points", "must be a number"}},
      {"missing version", "version = \"west-midlands-2025.1\"", "", {"version", "missing"}},
      {"lookback shorter than current",
       "lookback_days = 1095",
       "lookback_days = 30",
       {"groups.vulnerability.lookback_days", "at least windows.current_days"}},
      {"rule currency of zero days",
       "indicators_any = [\"disclosure\"]\n",
       "indicators_any = [\"disclosure\"]\ncurrent_days = 0\n",
       {"overrides[0] (disclosure).when.current_days", "must be >= 1, got 0"}},
      {"rule currency as text",
       "indicators_any = [\"disclosure\"]\n",
       "indicators_any = [\"disclosure\"]\ncurrent_days = \"half a year\"\n",
       {"overrides[0] (disclosure).when.current_days", "must be an integer"}},
      {"not TOML", "[windows]", "[windows", {"wm.toml:", "not valid TOML"}},
  };
  const std::string base = DefaultText();
  ASSERT_FALSE(base.empty());
  for (const ConfigErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto model = ScreeningModel::FromToml(Edit(base, c.from, c.to), "wm.toml");
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument);
    for (const std::string& needle : c.expect_in_message) {
      EXPECT_NE(model.status().message().find(needle), std::string::npos)
          << "missing '" << needle << "' in: " << model.status().message();
    }
  }
}

TEST(ScreeningConfigTest, MissingFileIsNotFound) {
  auto model = ScreeningModel::FromFile("/nonexistent/model.toml");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_NE(model.status().message().find("/nonexistent/model.toml"), std::string::npos);
}

}  // namespace screening_config_test
}  // namespace riskradar::risk

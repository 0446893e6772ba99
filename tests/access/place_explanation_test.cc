// ExplainPlace (place_explanation.h): a place of concern's rank, hotspot, busiest days and hours, and the JSON
// and text `riskradar explain place` prints, from a filtered place view and the run's places of concern.
#include "riskradar/access/place_explanation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace riskradar::access {
namespace place_explanation_test {

store::PlaceOfConcern Concern(int64_t id, PlaceType type, const std::string& district, double score) {
  store::PlaceOfConcern p;
  p.place.id = id;
  p.place.name = "Place " + std::to_string(id);
  p.place.type = type;
  p.place.district = district;
  p.place.postcode = "B1 1AA";
  p.score.place_id = id;
  p.score.score = score;
  p.score.of_concern = true;
  return p;
}

TEST(PlaceExplanationTest, RankHotspotAndBusiestTimes) {
  std::vector<store::PlaceOfConcern> all = {
      Concern(1, PlaceType::kHotel, "Walsall", 20), Concern(2, PlaceType::kHotel, "Walsall", 30),
      Concern(3, PlaceType::kPark, "Walsall", 40), Concern(4, PlaceType::kHotel, "Dudley", 50)};
  // Hotel 1: Friday and Saturday nights, 22:00-23:59 by the records that give a time.
  store::PlaceProfile& profile = all[0].score.profile;
  profile.by_weekday = {0, 1, 0, 0, 4, 4, 1};
  profile.by_hour[22] = 3;
  profile.by_hour[23] = 3;
  profile.by_hour[14] = 1;
  profile.occasions = 10;
  profile.timed = 7;
  profile.trend = "emerging";
  profile.last_quarter = 6;
  profile.previous_quarter = 2;
  all[0].score.reasons = {"2 children on the radar seen here (+6)", "emerging: 6 in the last 91 days (+1)"};
  all[1].score.profile.by_weekday = {0, 0, 0, 0, 0, 3, 0};
  all[1].score.profile.occasions = 3;

  store::PlaceView view;
  view.place = all[0];
  view.people.push_back({101, "Synthetic Child", true, false, 2, {"police"}});
  const PlaceExplanation x = ExplainPlace(view, all);
  EXPECT_EQ(x.rank, 4);  // 50, 40, 30, then 20
  EXPECT_EQ(x.of_concern, 4);
  EXPECT_EQ(x.peak_days, "Friday, Saturday");
  EXPECT_EQ(x.peak_hours, "22:00-23:59");
  EXPECT_EQ(x.hotspot.type, "hotel");
  EXPECT_EQ(x.hotspot.district, "Walsall");
  EXPECT_EQ(x.hotspot.places_of_concern, 2);  // not the park, not the Dudley hotel
  EXPECT_DOUBLE_EQ(x.hotspot.score, 50);
  EXPECT_EQ(x.hotspot.rank, 2);
  EXPECT_EQ(x.hotspot.peak_days, "Saturday");  // 4 + 3 on Saturdays

  const nlohmann::json j = PlaceExplanationJson(x);
  EXPECT_EQ(j["place"]["id"], 1);
  EXPECT_EQ(j["breakdown"].size(), 2u);
  EXPECT_EQ(j["trend"]["trend"], "emerging");
  EXPECT_EQ(j["trend"]["last_quarter"], 6);
  EXPECT_EQ(j["profile"]["by_weekday"][4], 4);
  EXPECT_EQ(j["profile"]["by_hour"][22], 3);
  EXPECT_EQ(j["profile"]["timed"], 7);
  EXPECT_EQ(j["hotspot"]["places_of_concern"], 2);
  ASSERT_EQ(j["people"].size(), 1u);
  EXPECT_EQ(j["people"][0]["person"], 101);

  const std::string text = PlaceExplanationText(x);
  EXPECT_NE(text.find("Score 20: place of concern 4 of 4"), std::string::npos) << text;
  EXPECT_NE(text.find("  2 children on the radar seen here (+6)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Fri 4 Sat 4 Sun 1"), std::string::npos) << text;
  EXPECT_NE(text.find("7 of them with a time of day; busiest hours: 22:00-23:59"), std::string::npos) << text;
  EXPECT_NE(text.find("Trend: emerging (6 occasions in the last quarter, 2 in the one before)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Hotspot: 2 hotel places of concern of this type in Walsall"), std::string::npos) << text;
  EXPECT_NE(text.find("101 Synthetic Child (child), 2 events"), std::string::npos) << text;
}

TEST(PlaceExplanationTest, NoTimeOfDayIsSaidPlainly) {
  std::vector<store::PlaceOfConcern> all = {Concern(7, PlaceType::kPark, "", 5)};
  all[0].score.profile.by_weekday = {1, 0, 0, 0, 0, 0, 0};
  all[0].score.profile.occasions = 1;
  store::PlaceView view;
  view.place = all[0];
  const PlaceExplanation x = ExplainPlace(view, all);
  EXPECT_EQ(x.peak_hours, "");
  EXPECT_EQ(x.peak_days, "Monday");
  const std::string text = PlaceExplanationText(x);
  EXPECT_NE(text.find("no record here gives a time of day"), std::string::npos) << text;
  EXPECT_NE(text.find("district unknown"), std::string::npos) << text;
  EXPECT_NE(text.find("People its records name that you may see: 0"), std::string::npos) << text;
}

}  // namespace place_explanation_test
}  // namespace riskradar::access

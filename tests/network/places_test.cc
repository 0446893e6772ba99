// Place-ranking tests on small constructed inputs: thresholds, the explained
// score, the order, and a busy hotel used by two networks.
#include "riskradar/network/places.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace riskradar::network {
namespace places_test {

using Ids = std::vector<int64_t>;

Date Day(int n) { return Date::FromYmd(2025, 1, 1)->AddDays(n); }

// Children 1xx, offenders 9xx, places 5xx, others 7xx.
class Graph {
 public:
  Graph& Child(int64_t id) {
    input_.children_on_radar.insert(id);
    return *this;
  }
  Graph& Offender(int64_t id) {
    input_.persons_of_concern.insert(id);
    return *this;
  }
  Graph& Place(int64_t id, PlaceType type) {
    input_.place_types[id] = type;
    return *this;
  }
  Graph& Seen(int64_t person, int64_t other, int64_t place, int day) {
    input_.associations.push_back({next_event_++, person, other, place, Day(day)});
    return *this;
  }
  Graph& Home(int64_t child, int64_t place) {
    input_.homes[child].insert(place);
    return *this;
  }
  // The last association's event at a time of day.
  Graph& At(int hour, int minute = 0) {
    input_.event_minutes[next_event_ - 1] = hour * 60 + minute;
    return *this;
  }
  PlaceInput& input() { return input_; }

 private:
  PlaceInput input_;
  int64_t next_event_ = 1;
};

const PlaceRank* FindPlace(const std::vector<PlaceRank>& ranks, int64_t place_id) {
  for (const PlaceRank& place : ranks) {
    if (place.place_id == place_id) return &place;
  }
  return nullptr;
}

// Two separate networks both use a busy hotel at different times (as in network_test.cc).
Graph BusyHotel() {
  Graph g;
  g.Child(101).Child(102).Child(103);
  g.Offender(901).Offender(902).Offender(903).Offender(904);
  g.Place(500, PlaceType::kHotel).Place(501, PlaceType::kPark).Place(502, PlaceType::kTakeaway);
  g.Seen(101, 901, 500, 1).Seen(101, 902, 501, 3);
  g.Seen(102, 903, 500, 40).Seen(102, 904, 502, 45);
  g.Seen(901, 0, 500, 60).Seen(903, 0, 500, 60);
  g.Seen(901, 0, 500, 80).Seen(903, 0, 500, 80);
  g.Seen(103, 0, 500, 81);
  return g;
}

TEST(PlacesTest, BusyHotelUsedByTwoNetworksRanksFirst) {
  std::vector<PlaceRank> result = RankPlaces(BusyHotel().input());
  ASSERT_FALSE(PlacesOfConcern(result).empty());
  EXPECT_EQ(PlacesOfConcern(result).front(), 500);
  EXPECT_EQ(result.front().place_id, 500);
  EXPECT_EQ(result.front().type, PlaceType::kHotel);
  EXPECT_EQ(result.front().children_at_risk, 3);
  EXPECT_EQ(result.front().persons_of_concern, 2);
}

TEST(PlacesTest, PlacesOfConcernFollowTheThresholds) {
  Graph g;
  g.Child(101).Child(102).Child(103).Offender(901).Offender(902);
  g.Seen(901, 0, 510, 1);                        // offender only: not of concern
  g.Seen(101, 0, 511, 1);                        // one child only: not of concern
  g.Seen(101, 0, 512, 1).Seen(902, 0, 512, 30);  // offender and child, at different times: of concern
  g.Seen(102, 0, 513, 1).Seen(103, 0, 513, 2);   // two children: of concern
  g.Seen(701, 0, 514, 1);                        // nobody on the radar: not ranked
  std::vector<PlaceRank> result = RankPlaces(g.input());
  std::vector<int64_t> concern = PlacesOfConcern(result);
  std::sort(concern.begin(), concern.end());
  EXPECT_EQ(concern, (Ids{512, 513}));
  EXPECT_EQ(FindPlace(result, 514), nullptr);
  ASSERT_NE(FindPlace(result, 510), nullptr);
  EXPECT_FALSE(FindPlace(result, 510)->of_concern);
  EXPECT_EQ(FindPlace(result, 510)->type, PlaceType::kOther);  // type unknown

  PlaceOptions strict;
  strict.concern_min_children = 3;
  EXPECT_EQ(PlacesOfConcern(RankPlaces(g.input(), strict)), (Ids{512}));
}

TEST(PlacesTest, ScoreIsExplainedByItsReasons) {
  Graph g;
  g.Child(101).Child(102).Offender(901).Place(500, PlaceType::kTakeaway);
  g.Seen(101, 901, 500, 100).Seen(102, 0, 500, 10);
  PlaceOptions options;
  options.as_of = Day(120);
  std::vector<PlaceRank> result = RankPlaces(g.input(), options);
  ASSERT_EQ(result.size(), 1u);
  const PlaceRank& place = result[0];
  // 2 children x3 + 1 offender x2 + 1 child-with-offender x2 + 2 events x0.25 + recent 2 = 12.5
  EXPECT_DOUBLE_EQ(place.score, 12.5);
  EXPECT_EQ(place.reasons, (std::vector<std::string>{
                               "2 children on the radar seen here (+6)",
                               "1 person of concern seen here (+2)",
                               "1 occasion of a child seen with a person of concern here (+2)",
                               "2 events recorded here (+0.5)",
                               "last seen 2025-04-11, within 90 days (+2)",
                           }));
  EXPECT_EQ(place.last_seen, Day(100));
  options.as_of = Day(300);
  EXPECT_DOUBLE_EQ(RankPlaces(g.input(), options)[0].score, 10.5);
}

TEST(PlacesTest, RankedHighestFirstWithTiesByPlaceId) {
  Graph g;
  g.Child(101).Child(102).Offender(901);
  g.Seen(101, 0, 530, 1);
  g.Seen(101, 0, 520, 1);
  g.Seen(101, 901, 540, 1).Seen(102, 901, 540, 2);
  std::vector<PlaceRank> result = RankPlaces(g.input());
  ASSERT_EQ(result.size(), 3u);
  EXPECT_EQ(result[0].place_id, 540);
  EXPECT_EQ(result[1].place_id, 520);
  EXPECT_EQ(result[2].place_id, 530);
}

TEST(PlacesTest, OwnHomeIsContextUnlessSeenThereWithAPersonOfConcern) {
  Graph g;
  g.Child(101).Child(102).Child(103).Offender(901).Place(600, PlaceType::kChildrensHome);
  g.Home(101, 600).Home(102, 600);
  // Both residents go missing from the home: context only, the home is not ranked at all.
  g.Seen(101, 0, 600, 1).Seen(101, 0, 600, 20).Seen(102, 0, 600, 30);
  EXPECT_EQ(FindPlace(RankPlaces(g.input()), 600), nullptr);

  // A child who does not live there, seen there twice: counted (the residents are still context).
  g.Seen(103, 0, 600, 40);
  std::vector<PlaceRank> visited = RankPlaces(g.input());
  ASSERT_NE(FindPlace(visited, 600), nullptr);
  EXPECT_EQ(FindPlace(visited, 600)->children_at_risk, 1);
  EXPECT_EQ(FindPlace(visited, 600)->context_children, 2);
  EXPECT_EQ(FindPlace(visited, 600)->events, 1);
  EXPECT_FALSE(FindPlace(visited, 600)->of_concern);
  EXPECT_EQ(FindPlace(visited, 600)->reasons.back(),
            "2 children on the radar seen here only at their own home or placement, with no person of concern: "
            "context, not counted (+0)");

  // Exploitation evidence: resident 101 seen at the home with a person of concern. 101 now counts there;
  // 102's missing episode stays context.
  g.Seen(101, 901, 600, 50);
  std::vector<PlaceRank> exploited = RankPlaces(g.input());
  const PlaceRank* home = FindPlace(exploited, 600);
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(home->children_at_risk, 2);  // 101 and 103
  EXPECT_EQ(home->persons_of_concern, 1);
  EXPECT_EQ(home->context_children, 1);  // 102
  EXPECT_EQ(home->events, 2);            // 103's visit and 101 with 901
  EXPECT_TRUE(home->of_concern);
}

TEST(PlacesTest, ProfileByWeekdayAndHour) {
  Graph g;
  g.Child(101).Child(102).Offender(901).Place(500, PlaceType::kTakeaway);
  // 2025-01-03 is a Friday (day 2), 2025-01-04 a Saturday (day 3).
  g.Seen(101, 901, 500, 2).At(22, 15).Seen(102, 0, 500, 3).At(23, 40).Seen(101, 0, 500, 9).At(22, 5);
  g.Seen(102, 901, 500, 4);  // Sunday, no time recorded
  std::vector<PlaceRank> result = RankPlaces(g.input());
  ASSERT_EQ(result.size(), 1u);
  const TimeProfile& profile = result[0].profile;
  EXPECT_EQ(profile.occasions, 4);
  EXPECT_EQ(profile.timed, 3);
  EXPECT_EQ(profile.by_weekday, (std::array<int, 7>{0, 0, 0, 0, 2, 1, 1}));
  EXPECT_EQ(profile.by_hour[22], 2);
  EXPECT_EQ(profile.by_hour[23], 1);
  EXPECT_EQ(PeakDays(profile), "Friday");
  EXPECT_EQ(PeakHours(profile), "22:00-22:59");
  TimeProfile even;
  even.by_hour[21] = even.by_hour[22] = even.by_hour[23] = even.by_hour[2] = 4;
  EXPECT_EQ(PeakHours(even), "02:00-02:59, 21:00-23:59");
  EXPECT_EQ(PeakHours(TimeProfile{}), "");
}

TEST(PlacesTest, EmergingAndDecliningQuarterOnQuarter) {
  Graph g;
  g.Child(101).Child(102).Place(510, PlaceType::kPark).Place(520, PlaceType::kHotel).Place(530, PlaceType::kPark);
  // As of day 200: the last quarter is days 110..200, the one before 19..109.
  g.Seen(101, 0, 510, 150).Seen(102, 0, 510, 160).Seen(101, 0, 510, 100);                      // 2 against 1: emerging
  g.Seen(101, 0, 520, 30).Seen(102, 0, 520, 40).Seen(101, 0, 520, 50).Seen(101, 0, 520, 190);  // 1 against 3
  g.Seen(101, 0, 530, 120).Seen(102, 0, 530, 130);                                             // 2 against 3: steady
  g.Seen(102, 0, 530, 60).Seen(101, 0, 530, 70).Seen(101, 0, 530, 80);
  PlaceOptions options;
  options.as_of = Day(200);
  std::vector<PlaceRank> result = RankPlaces(g.input(), options);
  ASSERT_NE(FindPlace(result, 510), nullptr);
  EXPECT_EQ(FindPlace(result, 510)->trend, PlaceTrend::kEmerging);
  EXPECT_EQ(FindPlace(result, 510)->last_quarter, 2);
  EXPECT_EQ(FindPlace(result, 510)->previous_quarter, 1);
  EXPECT_EQ(FindPlace(result, 510)->reasons.back(), "emerging: 2 in the last 91 days against 1 in the 91 before (+1)");
  EXPECT_EQ(FindPlace(result, 520)->trend, PlaceTrend::kDeclining);
  EXPECT_EQ(FindPlace(result, 520)->reasons.back(), "declining: 1 in the last 91 days against 3 in the 91 before (+0)");
  EXPECT_EQ(FindPlace(result, 530)->trend, PlaceTrend::kSteady);
  // The emerging bonus is part of the score: 2 children x3 + 3 events x0.25 + recent 2 + emerging 1.
  EXPECT_DOUBLE_EQ(FindPlace(result, 510)->score, 9.75);
  EXPECT_DOUBLE_EQ(FindPlace(result, 520)->score, 9.0);
}

TEST(PlacesTest, HotspotsByTypeAndDistrict) {
  Graph g;
  g.Child(101).Child(102).Offender(901);
  g.Place(510, PlaceType::kPark).Place(511, PlaceType::kPark).Place(520, PlaceType::kHotel);
  g.input().place_districts = {{510, "Walsall"}, {511, "Walsall"}, {520, "Walsall"}};
  g.Seen(101, 901, 510, 2).At(21).Seen(102, 0, 511, 3).At(20).Seen(101, 0, 520, 4);
  std::vector<PlaceRank> ranks = RankPlaces(g.input());
  std::vector<Hotspot> hotspots = SummariseHotspots(ranks);
  ASSERT_EQ(hotspots.size(), 2u);
  EXPECT_EQ(hotspots[0].type, PlaceType::kPark);
  EXPECT_EQ(hotspots[0].district, "Walsall");
  EXPECT_EQ(hotspots[0].places, 2);
  EXPECT_EQ(hotspots[0].places_of_concern, 1);  // 510: a child with a person of concern
  EXPECT_DOUBLE_EQ(hotspots[0].score, FindPlace(ranks, 510)->score + FindPlace(ranks, 511)->score);
  EXPECT_EQ(hotspots[0].profile.timed, 2);
  EXPECT_EQ(PeakHours(hotspots[0].profile), "20:00-21:59");
  EXPECT_EQ(hotspots[1].type, PlaceType::kHotel);
  EXPECT_EQ(hotspots[1].places, 1);
}

TEST(PlacesTest, OutputDoesNotDependOnInputOrder) {
  Graph g = BusyHotel();
  g.Child(104).Offender(905);
  g.Seen(104, 905, 503, 5).Seen(104, 0, 504, 6);
  const std::vector<PlaceRank> expected = RankPlaces(g.input());
  ASSERT_EQ(expected.size(), 5u);
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    PlaceInput shuffled = g.input();
    std::shuffle(shuffled.associations.begin(), shuffled.associations.end(), rng);
    const std::vector<PlaceRank> got = RankPlaces(shuffled);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].place_id, expected[i].place_id);
      EXPECT_EQ(got[i].reasons, expected[i].reasons);
    }
  }
}

}  // namespace places_test
}  // namespace riskradar::network

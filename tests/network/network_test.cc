// Network tests on small constructed graphs, including a busy place (place ranking: places_test.cc).
#include "riskradar/network/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace riskradar::network {
namespace {

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
  NetworkInput& input() { return input_; }

 private:
  NetworkInput input_;
  int64_t next_event_ = 1;
};

TEST(NetworkTest, OffendersSharingAChildFormOneNetwork) {
  Graph g;
  g.Child(101).Offender(901).Offender(902).Place(501, PlaceType::kHotel).Place(502, PlaceType::kPark);
  g.Seen(101, 901, 501, 1).Seen(101, 902, 502, 20);
  NetworkResult result = AnalyseNetworks(g.input());
  ASSERT_EQ(result.networks.size(), 1u);
  const Network& network = result.networks[0];
  EXPECT_EQ(network.id, 1);
  EXPECT_EQ(network.offenders, (Ids{901, 902}));
  EXPECT_EQ(network.children, (Ids{101}));
  EXPECT_EQ(network.places, (Ids{501, 502}));
  EXPECT_EQ(network.event_ids, (Ids{1, 2}));
  EXPECT_TRUE(result.lone_offenders.empty());
}

TEST(NetworkTest, CoOffendingLinksOffendersSeenTogether) {
  Graph g;
  g.Offender(901).Offender(902).Offender(903);
  g.Seen(901, 902, 0, 1);
  NetworkResult result = AnalyseNetworks(g.input());
  ASSERT_EQ(result.networks.size(), 1u);
  EXPECT_EQ(result.networks[0].offenders, (Ids{901, 902}));
  EXPECT_EQ(result.lone_offenders, (Ids{903}));  // never seen: still a lone suspected offender
}

TEST(NetworkTest, AssociationsOfOneEventAreOneOccasion) {
  Graph g;
  g.Child(101).Offender(901).Offender(902);
  g.input().associations = {{77, 901, 0, 501, Day(1)}, {77, 902, 0, 501, Day(1)}};
  NetworkResult result = AnalyseNetworks(g.input());
  ASSERT_EQ(result.networks.size(), 1u);
  EXPECT_EQ(result.networks[0].offenders, (Ids{901, 902}));
}

TEST(NetworkTest, LoneOffendersAreCountedNotNetworks) {
  Graph g;
  g.Child(101).Child(102).Offender(901).Offender(902);
  g.Seen(101, 901, 0, 1).Seen(102, 902, 0, 2);
  NetworkResult result = AnalyseNetworks(g.input());
  EXPECT_TRUE(result.networks.empty());
  EXPECT_EQ(result.lone_offenders, (Ids{901, 902}));
}

// Two separate networks both use a busy hotel at different times. Being at
// the same place must not merge them.
Graph BusyHotel() {
  Graph g;
  g.Child(101).Child(102).Child(103);
  g.Offender(901).Offender(902).Offender(903).Offender(904);
  g.Place(500, PlaceType::kHotel).Place(501, PlaceType::kPark).Place(502, PlaceType::kTakeaway);
  // Network A: 901 and 902 share child 101.
  g.Seen(101, 901, 500, 1).Seen(101, 902, 501, 3);
  // Network B: 903 and 904 share child 102.
  g.Seen(102, 903, 500, 40).Seen(102, 904, 502, 45);
  // The same hotel again, same days for 901 and 903 but not together.
  g.Seen(901, 0, 500, 60).Seen(903, 0, 500, 60);
  g.Seen(901, 0, 500, 80).Seen(903, 0, 500, 80);
  g.Seen(103, 0, 500, 81);
  return g;
}

TEST(NetworkTest, BusyPlaceDoesNotMergeNetworks) {
  Graph g = BusyHotel();
  NetworkResult result = AnalyseNetworks(g.input());
  ASSERT_EQ(result.networks.size(), 2u);
  EXPECT_EQ(result.networks[0].offenders, (Ids{901, 902}));
  EXPECT_EQ(result.networks[1].offenders, (Ids{903, 904}));
  EXPECT_EQ(result.networks[0].children, (Ids{101}));
  EXPECT_EQ(result.networks[1].children, (Ids{102}));
  // The hotel is attached to both networks (its rank as a place: places_test.cc).
  EXPECT_EQ(result.networks[0].places, (Ids{500, 501}));
  EXPECT_EQ(result.networks[1].places, (Ids{500, 502}));
}

TEST(NetworkTest, PlaceCoPresenceLinksOnlyAtItsThreshold) {
  Graph g = BusyHotel();
  NetworkOptions options;
  options.place_co_presence_window_days = 0;
  options.place_co_presence_min_occasions = 3;  // 901 and 903 were there on the same day twice
  EXPECT_EQ(AnalyseNetworks(g.input(), options).networks.size(), 2u);
  options.place_co_presence_min_occasions = 2;
  NetworkResult merged = AnalyseNetworks(g.input(), options);
  ASSERT_EQ(merged.networks.size(), 1u);
  EXPECT_EQ(merged.networks[0].offenders, (Ids{901, 902, 903, 904}));
}

TEST(NetworkTest, LinkingThroughAdultsOffTheRadarIsAnOption) {
  Graph g;
  g.Offender(901).Offender(902);
  g.Seen(901, 701, 0, 1).Seen(902, 701, 0, 2);  // both with associate 701
  EXPECT_TRUE(AnalyseNetworks(g.input()).networks.empty());
  NetworkOptions options;
  options.link_through_persons_off_radar = true;
  EXPECT_EQ(AnalyseNetworks(g.input(), options).networks.size(), 1u);
}

TEST(NetworkTest, MinOffendersIsAnOption) {
  Graph g;
  g.Child(101).Offender(901).Offender(902);
  g.Seen(101, 901, 0, 1).Seen(101, 902, 0, 2);
  NetworkOptions options;
  options.min_offenders = 3;
  NetworkResult result = AnalyseNetworks(g.input(), options);
  EXPECT_TRUE(result.networks.empty());
  EXPECT_EQ(result.lone_offenders, (Ids{901, 902}));
}

TEST(NetworkTest, OutputDoesNotDependOnInputOrder) {
  Graph g = BusyHotel();
  g.Child(104).Offender(905).Offender(906).Offender(907);
  g.Seen(104, 905, 503, 5).Seen(104, 906, 503, 6).Seen(906, 907, 504, 7);
  NetworkResult expected = AnalyseNetworks(g.input());
  ASSERT_EQ(expected.networks.size(), 3u);
  EXPECT_EQ(expected.networks[0].offenders, (Ids{905, 906, 907}));  // largest first
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    NetworkInput shuffled = g.input();
    std::shuffle(shuffled.associations.begin(), shuffled.associations.end(), rng);
    NetworkResult got = AnalyseNetworks(shuffled);
    ASSERT_EQ(got.networks.size(), expected.networks.size());
    for (size_t i = 0; i < got.networks.size(); ++i) {
      EXPECT_EQ(got.networks[i].id, expected.networks[i].id);
      EXPECT_EQ(got.networks[i].offenders, expected.networks[i].offenders);
      EXPECT_EQ(got.networks[i].children, expected.networks[i].children);
      EXPECT_EQ(got.networks[i].places, expected.networks[i].places);
    }
    EXPECT_EQ(got.lone_offenders, expected.lone_offenders);
  }
}

}  // namespace
}  // namespace riskradar::network

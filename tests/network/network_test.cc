// How AnalyseVolt groups persons of concern into networks, on small constructed graphs: shared children and
// co-offending link, one event is one occasion, a busy place links nobody, and the output does not depend on the
// input's order. The graph's edges, communities and scores in detail: volt_test.cc; place ranking: places_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "riskradar/network/volt.h"

namespace riskradar::network {
namespace network_test {

using Ids = std::vector<int64_t>;

Date Day(int n) { return Date::FromYmd(2025, 1, 1)->AddDays(n); }

// Children 1xx, persons of concern 9xx, places 5xx, others 7xx.
class Graph {
 public:
  Graph& Child(int64_t id) {
    input_.children_on_radar[id] = RiskLevel::kSignificant;
    return *this;
  }
  Graph& Offender(int64_t id) {
    input_.persons_of_concern.insert(id);
    return *this;
  }
  Graph& Seen(int64_t person, int64_t other, int64_t place, int day) {
    input_.associations.push_back({next_event_++, person, other, place, Day(day)});
    return *this;
  }
  VoltInput& input() { return input_; }

 private:
  VoltInput input_;
  int64_t next_event_ = 1;
};

VoltResult Analyse(const VoltInput& input, int min_offenders = 2) {
  VoltOptions options;
  options.model.min_offenders = min_offenders;
  Result<VoltResult> result = AnalyseVolt(input, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : VoltResult{};
}

TEST(NetworkTest, OffendersSharingAChildFormOneNetwork) {
  Graph g;
  g.Child(101).Offender(901).Offender(902);
  g.Seen(101, 901, 501, 1).Seen(101, 902, 502, 20);
  VoltResult result = Analyse(g.input());
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
  g.Child(101).Offender(901).Offender(902).Offender(903);
  g.Seen(901, 902, 0, 1).Seen(101, 901, 0, 2).Seen(101, 903, 0, 3).Seen(903, 0, 0, 4);
  VoltResult result = Analyse(g.input(), 3);
  // 901-902 together and 901-101-903: one component of three.
  ASSERT_EQ(result.networks.size(), 1u);
  EXPECT_EQ(result.networks[0].offenders, (Ids{901, 902, 903}));
}

TEST(NetworkTest, AssociationsOfOneEventAreOneOccasion) {
  Graph g;
  g.Child(101).Offender(901).Offender(902);
  // Event 77 names each adult with the child in a row of its own: everyone in it was together.
  g.input().associations = {{77, 101, 901, 501, Day(1)}, {77, 902, 0, 501, Day(1)}};
  VoltResult result = Analyse(g.input());
  ASSERT_EQ(result.networks.size(), 1u);
  EXPECT_EQ(result.networks[0].offenders, (Ids{901, 902}));
  EXPECT_EQ(result.networks[0].event_ids, (Ids{77}));
}

TEST(NetworkTest, LoneOffendersAreCountedNotNetworks) {
  Graph g;
  g.Child(101).Child(102).Offender(901).Offender(902);
  g.Seen(101, 901, 0, 1).Seen(102, 902, 0, 2);
  VoltResult result = Analyse(g.input());
  EXPECT_TRUE(result.networks.empty());
  EXPECT_EQ(result.lone_offenders, (Ids{901, 902}));
}

// Two separate networks both use a busy hotel at different times. Being at the same place must not merge them.
Graph BusyHotel() {
  Graph g;
  g.Child(101).Child(102).Child(103);
  g.Offender(901).Offender(902).Offender(903).Offender(904);
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
  VoltResult result = Analyse(g.input());
  ASSERT_EQ(result.networks.size(), 2u);
  EXPECT_EQ(result.networks[0].offenders, (Ids{901, 902}));
  EXPECT_EQ(result.networks[1].offenders, (Ids{903, 904}));
  EXPECT_EQ(result.networks[0].children, (Ids{101}));
  EXPECT_EQ(result.networks[1].children, (Ids{102}));
  // The hotel is attached to both networks (its rank as a place: places_test.cc).
  EXPECT_EQ(result.networks[0].places, (Ids{500, 501}));
  EXPECT_EQ(result.networks[1].places, (Ids{500, 502}));
}

TEST(NetworkTest, AdultsOffTheRadarDoNotLinkPersonsOfConcern) {
  Graph g;
  g.Offender(901).Offender(902);
  g.Seen(901, 701, 0, 1).Seen(902, 701, 0, 2);  // both with associate 701, neither with a child on the radar
  EXPECT_TRUE(Analyse(g.input()).networks.empty());
}

TEST(NetworkTest, MinOffendersIsAnOption) {
  Graph g;
  g.Child(101).Offender(901).Offender(902);
  g.Seen(101, 901, 0, 1).Seen(101, 902, 0, 2);
  EXPECT_EQ(Analyse(g.input(), 2).networks.size(), 1u);
  VoltResult result = Analyse(g.input(), 3);
  EXPECT_TRUE(result.networks.empty());
  EXPECT_EQ(result.lone_offenders, (Ids{901, 902}));
}

TEST(NetworkTest, OutputDoesNotDependOnInputOrder) {
  Graph g = BusyHotel();
  g.Child(104).Offender(905).Offender(906).Offender(907);
  g.Seen(104, 905, 503, 5).Seen(104, 906, 503, 6).Seen(906, 907, 504, 7);
  VoltResult expected = Analyse(g.input());
  ASSERT_EQ(expected.networks.size(), 3u);
  EXPECT_EQ(expected.networks[0].offenders, (Ids{905, 906, 907}));  // largest first
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    VoltInput shuffled = g.input();
    std::shuffle(shuffled.associations.begin(), shuffled.associations.end(), rng);
    VoltResult got = Analyse(shuffled);
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

}  // namespace network_test
}  // namespace riskradar::network

// The VOLT graph on small hand-built graphs: typed, weighted, time-stamped edges; Leiden communities inside
// components; betweenness; the priority score's breakdown; the model file's errors.
#include "riskradar/network/volt.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "riskradar/core/paths.h"

namespace riskradar::network {
namespace volt_test {

using Ids = std::vector<int64_t>;

Date Day(int n) { return Date::FromYmd(2025, 1, 1)->AddDays(n); }

// Children 1xx, persons of concern 9xx, places 5xx.
class Builder {
 public:
  Builder& Child(int64_t id, RiskLevel level = RiskLevel::kAtRisk) {
    input_.children_on_radar[id] = level;
    return *this;
  }
  Builder& Offender(int64_t id) {
    input_.persons_of_concern.insert(id);
    return *this;
  }
  Builder& Seen(int64_t person, int64_t other, int64_t place, int day) {
    input_.associations.push_back({next_event_++, person, other, place, Day(day)});
    return *this;
  }
  Builder& Recorded(int64_t person, EventKind kind, std::string category, int day) {
    input_.person_events.push_back({person, next_event_++, kind, std::move(category), Day(day)});
    return *this;
  }
  const VoltInput& input() const { return input_; }

 private:
  VoltInput input_;
  int64_t next_event_ = 1;
};

const PersonMeasures& Find(const VoltResult& r, int64_t id) {
  auto it =
      std::find_if(r.persons.begin(), r.persons.end(), [&](const PersonMeasures& m) { return m.person_id == id; });
  EXPECT_NE(it, r.persons.end()) << id;
  return *it;
}

// A model with only the parts a test names (everything else 0), so each figure is checkable by hand.
VoltModel Bare() {
  VoltModel m;
  m.recency_points = 0;
  m.per_contact = 0;
  m.child_serious = m.child_significant = m.child_at_risk = 0;
  m.per_co_offender = 0;
  m.centrality_points = 0;
  m.offender_min_score = 1;
  return m;
}

TEST(VoltTest, EdgesAreTypedWeightedAndTimeStamped) {
  Builder b;
  b.Child(101).Offender(901).Offender(902);
  b.Seen(101, 901, 501, 3).Seen(101, 901, 0, 10).Seen(901, 902, 502, 7);
  auto r = AnalyseVolt(b.input());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->edges.size(), 6u);
  const VoltEdge& child_adult = r->edges[0];
  EXPECT_EQ(child_adult.kind, VoltEdgeKind::kChildAdult);
  EXPECT_EQ(child_adult.a, 101);
  EXPECT_EQ(child_adult.b, 901);
  EXPECT_EQ(child_adult.occasions, 2);
  EXPECT_EQ(child_adult.weight, 2);
  EXPECT_EQ(child_adult.first_seen, Day(3));
  EXPECT_EQ(child_adult.last_seen, Day(10));
  const VoltEdge& co = r->edges[1];
  EXPECT_EQ(co.kind, VoltEdgeKind::kCoOffending);
  EXPECT_EQ(std::make_pair(co.a, co.b), std::make_pair(int64_t{901}, int64_t{902}));
  EXPECT_EQ(co.occasions, 1);
  // Person-place: 101 and 901 at 501 on day 3; 901 and 902 at 502 on day 7 (by person, then place).
  EXPECT_EQ(r->edges[2].kind, VoltEdgeKind::kPersonPlace);
  EXPECT_EQ(std::make_pair(r->edges[2].a, r->edges[2].b), std::make_pair(int64_t{101}, int64_t{501}));
  EXPECT_EQ(std::make_pair(r->edges[3].a, r->edges[3].b), std::make_pair(int64_t{901}, int64_t{501}));
  EXPECT_EQ(std::make_pair(r->edges[4].a, r->edges[4].b), std::make_pair(int64_t{901}, int64_t{502}));
  EXPECT_EQ(std::make_pair(r->edges[5].a, r->edges[5].b), std::make_pair(int64_t{902}, int64_t{502}));
  EXPECT_EQ(r->edges[5].last_seen, Day(7));
  EXPECT_EQ(ToString(VoltEdgeKind::kCoOffending), "co_offending");
}

// Two dense groups joined by one occasion: one component, two communities (two networks).
TEST(VoltTest, LeidenSplitsTwoNetworksJoinedByOneWeakLink) {
  Builder b;
  for (int64_t c : {101, 102, 103, 111, 112, 113}) b.Child(c);
  for (int64_t o : {901, 902, 903, 911, 912, 913}) b.Offender(o);
  int day = 0;
  for (int rep = 0; rep < 3; ++rep) {
    for (int64_t c : {101, 102, 103}) {
      for (int64_t o : {901, 902, 903}) b.Seen(c, o, 0, day++);
    }
    for (int64_t c : {111, 112, 113}) {
      for (int64_t o : {911, 912, 913}) b.Seen(c, o, 0, day++);
    }
  }
  b.Seen(103, 911, 0, day);  // the one bridge
  VoltOptions options;
  options.model.community_resolution = 0.1;
  auto r = AnalyseVolt(b.input(), options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->networks.size(), 2u);
  EXPECT_EQ(r->networks[0].offenders, (Ids{901, 902, 903}));
  EXPECT_EQ(r->networks[0].children, (Ids{101, 102, 103}));
  // 911 was seen with 103 once: the child stays with the network it belongs to, but is listed with 911's too.
  EXPECT_EQ(r->networks[1].offenders, (Ids{911, 912, 913}));
  EXPECT_EQ(r->networks[1].children, (Ids{103, 111, 112, 113}));
  EXPECT_TRUE(r->lone_offenders.empty());

  // With a resolution below the bridge's weight per pair, the component stays one network.
  options.model.community_resolution = 0.001;
  auto whole = AnalyseVolt(b.input(), options);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->networks.size(), 1u);
  EXPECT_EQ(whole->networks[0].offenders, (Ids{901, 902, 903, 911, 912, 913}));
}

// A member seen once with one child is cut off by a high resolution, then rejoins the network it touches.
TEST(VoltTest, PeripheralMemberRejoinsItsNetwork) {
  Builder b;
  b.Child(101).Child(102).Offender(901).Offender(902).Offender(903);
  for (int rep = 0; rep < 4; ++rep) b.Seen(101, 901, 0, rep).Seen(101, 902, 0, rep).Seen(102, 901, 0, rep);
  b.Seen(102, 903, 0, 9);
  VoltOptions options;
  options.model.community_resolution = 0.9;
  auto r = AnalyseVolt(b.input(), options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->networks.size(), 1u);
  EXPECT_EQ(r->networks[0].offenders, (Ids{901, 902, 903}));
}

// A star: the hub is on every shortest path between the others. Betweenness is normalised by the component's
// pairs: hub 911 with leaves 101..104 (children) and 912 (co-offender): 5 leaves, C(5,2)=10 pairs through it,
// normalised by (n-1)(n-2)/2 = 10 for n = 6 -> 1.0; every leaf 0.
TEST(VoltTest, BetweennessAndDegreeOfAStar) {
  Builder b;
  b.Offender(911).Offender(912);
  for (int64_t c : {101, 102, 103, 104}) b.Child(c).Seen(c, 911, 0, 1);
  b.Seen(911, 912, 0, 2);
  auto r = AnalyseVolt(b.input());
  ASSERT_TRUE(r.ok());
  const PersonMeasures& hub = Find(*r, 911);
  EXPECT_DOUBLE_EQ(hub.betweenness, 1.0);
  EXPECT_EQ(hub.degree, 5);
  EXPECT_EQ(hub.children_linked, 4);
  EXPECT_EQ(hub.co_offenders, 1);
  EXPECT_EQ(hub.role, "hub");
  const PersonMeasures& leaf = Find(*r, 912);
  EXPECT_DOUBLE_EQ(leaf.betweenness, 0.0);
  EXPECT_EQ(leaf.degree, 1);
  EXPECT_EQ(leaf.role, "member");
  EXPECT_EQ(leaf.network_id, hub.network_id);
}

TEST(VoltTest, PriorityBreakdownAddsUpPartByPart) {
  Builder b;
  b.Child(101, RiskLevel::kSerious).Child(102, RiskLevel::kSignificant).Child(103, RiskLevel::kAtRisk);
  b.Offender(901);
  b.Seen(101, 901, 0, 100).Seen(102, 901, 0, 200).Seen(103, 901, 0, 265);
  b.Recorded(901, EventKind::kArrest, "cse_offence", 250).Recorded(901, EventKind::kArrest, "other", 251);
  b.Recorded(901, EventKind::kIntelligence, "suspected_exploiter", 10);
  VoltOptions options;
  options.as_of = Day(365);
  options.model = Bare();
  options.model.recency_points = 6;
  options.model.recency_horizon_days = 400;  // last contact 100 days before: 6 * (1 - 100/400) = 4.5
  options.model.per_contact = 1;             // 3 occasions
  options.model.max_contact_points = 2;      // capped at 2
  options.model.child_serious = 6;
  options.model.child_significant = 4;
  options.model.child_at_risk = 2;  // 12
  options.model.gravity = {{"CSE arrest", EventKind::kArrest, {"cse_offence"}, 4, 8},
                           {"intelligence report", EventKind::kIntelligence, {}, 1, 5}};
  auto r = AnalyseVolt(b.input(), options);
  ASSERT_TRUE(r.ok());
  const PersonMeasures& m = Find(*r, 901);
  EXPECT_EQ(m.contacts, 3);
  EXPECT_EQ(m.children_serious, 1);
  EXPECT_EQ(m.children_significant, 1);
  EXPECT_EQ(m.children_at_risk, 1);
  EXPECT_EQ(m.last_contact, Day(265));
  EXPECT_EQ(m.role, "lone");
  EXPECT_EQ(m.network_id, 0);
  EXPECT_DOUBLE_EQ(m.priority, 4.5 + 2 + 12 + 4 + 1);
  EXPECT_EQ(m.reasons, (std::vector<std::string>{
                           "last seen with a child on the radar 2025-09-23, 100 days before 2026-01-01 (+4.5)",
                           "3 occasions with a child on the radar (+2)",
                           "3 children on the radar linked (serious 1, significant 1, at risk 1) (+12)",
                           "1 x CSE arrest (+4)",
                           "1 x intelligence report (+1)",
                       }));
  EXPECT_TRUE(m.suspected_offender);
  EXPECT_EQ(r->lone_offenders, (Ids{901}));
}

TEST(VoltTest, ThresholdDecidesSuspectedOffenderAndOrderIsByPriority) {
  Builder b;
  b.Child(101, RiskLevel::kSerious).Offender(901).Offender(902).Offender(903);
  b.Seen(101, 901, 0, 1);
  b.Recorded(902, EventKind::kIntelligence, "suspected_exploiter", 1);
  VoltOptions options;
  options.model = Bare();
  options.model.child_serious = 6;
  options.model.gravity = {{"intelligence report", EventKind::kIntelligence, {}, 1, 5}};
  options.model.offender_min_score = 2;
  auto r = AnalyseVolt(b.input(), options);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->persons.size(), 3u);
  EXPECT_EQ(r->persons[0].person_id, 901);
  EXPECT_TRUE(r->persons[0].suspected_offender);
  EXPECT_EQ(r->persons[1].person_id, 902);  // 1 point: below the threshold
  EXPECT_FALSE(r->persons[1].suspected_offender);
  EXPECT_EQ(r->persons[2].person_id, 903);  // nothing recorded: 0, no reasons
  EXPECT_TRUE(r->persons[2].reasons.empty());
  EXPECT_EQ(r->lone_offenders, (Ids{901}));
}

TEST(VoltTest, RepeatableAndEmptyInputIsFine) {
  Builder b;
  for (int64_t c = 101; c < 140; ++c) b.Child(c).Seen(c, 900 + (c % 7), 0, static_cast<int>(c)).Offender(900 + (c % 7));
  for (int64_t c = 101; c < 140; c += 3) b.Seen(c, 900 + ((c + 1) % 7), 0, 1);
  auto first = AnalyseVolt(b.input());
  auto second = AnalyseVolt(b.input());
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(first->networks.size(), second->networks.size());
  for (size_t i = 0; i < first->networks.size(); ++i)
    EXPECT_EQ(first->networks[i].offenders, second->networks[i].offenders);
  auto empty = AnalyseVolt(VoltInput{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->networks.empty());
  EXPECT_TRUE(empty->persons.empty());
}

TEST(VoltModelTest, ShippedModelLoads) {
  auto model = VoltModel::FromFile(ConfigPath("network/volt.toml"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->version, "volt-2026.1");
  EXPECT_EQ(model->gravity.size(), 5u);
  EXPECT_EQ(model->gravity[0].kind, EventKind::kPoliceIncident);
  EXPECT_EQ(model->gravity[0].categories, (std::vector<std::string>{"sexual_offence"}));
  EXPECT_DOUBLE_EQ(model->offender_min_score, 3);
}

TEST(VoltModelTest, ErrorsNameTheLineAndKey) {
  auto unknown = VoltModel::FromToml("version = \"x\"\n[recency]\npoints = 1\nhorizon = 3\n", "m.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "m.toml:4: recency.horizon: unknown key (expected one of: points, horizon_days)");
  auto kind = VoltModel::FromToml(
      "version = \"x\"\n[[gravity]]\nlabel = \"a\"\nkind = \"arest\"\npoints = 1\nmax = 2\n", "m.toml");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("m.toml:4: gravity[0].kind: "), std::string::npos) << kind.status().message();
  auto negative = VoltModel::FromToml("version = \"x\"\n[children]\nserious = -1\n", "m.toml");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(), "m.toml:3: children.serious: must not be negative, got -1");
  auto no_version = VoltModel::FromToml("[offender]\nmin_score = 2\n", "m.toml");
  ASSERT_FALSE(no_version.ok());
  EXPECT_NE(no_version.status().message().find("version: missing"), std::string::npos);
  auto max_missing =
      VoltModel::FromToml("version = \"x\"\n[[gravity]]\nlabel = \"a\"\nkind = \"arrest\"\npoints = 1\n", "m.toml");
  ASSERT_FALSE(max_missing.ok());
  EXPECT_NE(max_missing.status().message().find("gravity[0].max: missing"), std::string::npos);
}

}  // namespace volt_test
}  // namespace riskradar::network

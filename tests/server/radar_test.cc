// GET /api/radar is served from a cache keyed on the store's radar generation: it must never show stale
// counts (a new assessment, written by another connection as `riskradar assess` would, shows on the very next
// request) and the audited reads in between must not throw the cache away.
#include "server_fixture.h"

#include <gtest/gtest.h>

namespace riskradar::server {
namespace radar_test {

class RadarTest : public ServerFixture {
 protected:
  json Radar(const Session& s) {
    auto r = Get(s, "/api/radar");
    EXPECT_TRUE(r);
    if (!r) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }
  static Assessment Assess(int64_t person_id, RiskLevel level) {
    Assessment a;
    a.person_id = person_id;
    a.as_of = *Date::FromYmd(2025, 5, 1);
    a.level = level;
    a.model_version = "test";
    return a;
  }
};

TEST_F(RadarTest, ANewAssessmentChangesTheRadarOnTheNextRequest) {
  Session s = Login("bcc-practitioner");
  json before = Radar(s);
  EXPECT_EQ(before["children"], 2);
  EXPECT_EQ(before["by_level"]["significant"], 2);
  EXPECT_FALSE(before["by_level"].contains("serious"));
  EXPECT_EQ(Radar(s), before) << "served again from the cache, unchanged";

  // Audited reads in between (each appends an event to the same database) leave the generation alone.
  const int64_t generation = *store_->RadarGeneration();
  Session police = Login("wmp-practitioner");
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Get(police, "/api/children/1")->status, 200);
  EXPECT_EQ(*store_->RadarGeneration(), generation);

  // Another connection (as the `assess` command would) re-assesses child 1: the very next radar shows it.
  ASSERT_TRUE(store_->SaveAssessments({Assess(1, RiskLevel::kSerious)}, store::Actor{}).ok());
  json after = Radar(s);
  EXPECT_EQ(after["children"], 2);
  EXPECT_EQ(after["by_level"]["significant"], 1);
  EXPECT_EQ(after["by_level"]["serious"], 1);
  EXPECT_EQ(after["by_district"]["Birmingham"]["serious"], 1);

  // Every role gets the same partnership-wide aggregate (and no identifying field).
  for (const char* user : {"wmp-manager", "nhs-analyst", "bcc-ig_lead", "wmp-administrator"}) {
    EXPECT_EQ(Radar(Login(user)), after) << user;
  }
  EXPECT_EQ(after.dump().find("Synthetic"), std::string::npos);

  // And back: a newer assessment again, seen at once.
  ASSERT_TRUE(store_->SaveAssessments({Assess(1, RiskLevel::kNoCurrentRisk)}, store::Actor{}).ok());
  json last = Radar(s);
  EXPECT_EQ(last["by_level"]["none"], 1);
  EXPECT_EQ(last["by_level"]["significant"], 1);
  EXPECT_FALSE(last["by_level"].contains("serious"));
}

}  // namespace radar_test
}  // namespace riskradar::server

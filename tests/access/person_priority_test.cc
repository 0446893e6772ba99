// The offender priority under need-to-know, pure (no store): who sees the score, who sees the breakdown.
#include "riskradar/access/person_priority.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace riskradar::access {
namespace person_priority_test {

store::PersonMentionRow Mention(int64_t id, std::string agency, std::string record_class) {
  store::PersonMentionRow m;
  m.person_id = 9;
  m.mention_id = id;
  m.record_id = 100 + id;
  m.agency_code = std::move(agency);
  m.record_class = std::move(record_class);
  m.local_id = "L" + std::to_string(id);
  m.slot = "subject";
  m.role = "person_of_concern";
  m.forename = "Vic";
  m.surname = "Fictional";
  return m;
}

// Vic: two police intelligence records and one council referral naming him.
store::PersonRecord Vic() {
  store::PersonRecord r;
  r.person.id = 9;
  r.person.display_name = "Vic Fictional";
  r.person.person_of_concern = true;
  r.mentions = {Mention(1, "wmp", "police_intelligence"), Mention(2, "wmp", "police_intelligence"),
                Mention(3, "bcc", "child_protection")};
  return r;
}

store::PersonPriority Priority() {
  store::PersonPriority p;
  p.person_id = 9;
  p.network_id = 4;
  p.role = "hub";
  p.priority = 23.5;
  p.suspected_offender = true;
  p.children_linked = 3;
  p.children_serious = 2;
  p.contacts = 6;
  p.co_offenders = 2;
  p.betweenness = 0.5;
  p.last_contact = Date::FromYmd(2025, 10, 1);
  p.reasons = {"3 children on the radar linked (serious 2, significant 0, at risk 1) (+14)", "hub of network 4 (+2.5)"};
  return p;
}

Viewer ViewerOf(std::string agency) { return {42, "u", std::move(agency), Role::kAnalyst}; }

TEST(FilterPersonPriority, EveryRecordVisibleShowsTheWholeBreakdown) {
  ChildAccessFacts glass;
  glass.break_glass = true;
  auto v = FilterPersonPriority(Vic(), ViewerOf("nhs"), glass, Priority());
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->breakdown_complete);
  EXPECT_EQ(v->records_shown, 3);
  ASSERT_TRUE(v->priority.has_value());
  EXPECT_EQ(v->priority->reasons, Priority().reasons);
  EXPECT_EQ(v->priority->children_serious, 2);
  const nlohmann::json j = PersonPriorityJson(*v);
  EXPECT_EQ(j["priority"]["score"], 23.5);
  EXPECT_EQ(j["priority"]["network"], 4);
  EXPECT_EQ(j["priority"]["measures"]["last_contact"], "2025-10-01");
  EXPECT_EQ(j["priority"]["reasons"].size(), 2u);
  const std::string text = PersonPriorityText(*v);
  EXPECT_NE(text.find("priority 23.5: suspected offender; hub of network 4"), std::string::npos) << text;
  EXPECT_NE(text.find("    - hub of network 4 (+2.5)"), std::string::npos) << text;
}

TEST(FilterPersonPriority, SomeRecordsHiddenShowsTheScoreButWithholdsTheBreakdown) {
  auto v = FilterPersonPriority(Vic(), ViewerOf("wmp"), {}, Priority());
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->breakdown_complete);
  EXPECT_EQ(v->records_shown, 2);
  ASSERT_TRUE(v->priority.has_value());
  EXPECT_DOUBLE_EQ(v->priority->priority, 23.5);
  EXPECT_EQ(v->priority->role, "hub");
  EXPECT_TRUE(v->priority->reasons.empty());
  EXPECT_EQ(v->priority->children_linked, 0);
  EXPECT_FALSE(v->priority->last_contact.has_value());
  const nlohmann::json j = PersonPriorityJson(*v);
  EXPECT_FALSE(j["priority"].contains("reasons"));
  EXPECT_FALSE(j["priority"].contains("measures"));
  EXPECT_NE(PersonPriorityText(*v).find("the breakdown is withheld: 2 of"), std::string::npos);
}

TEST(FilterPersonPriority, NoVisibleRecordIsARefusalAndNoRowIsSaid) {
  EXPECT_FALSE(FilterPersonPriority(Vic(), ViewerOf("nhs"), {}, Priority()).has_value());
  auto none = FilterPersonPriority(Vic(), ViewerOf("wmp"), {}, std::nullopt);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->priority.has_value());
  EXPECT_TRUE(PersonPriorityJson(*none)["priority"].is_null());
  EXPECT_NE(PersonPriorityText(*none).find("no offender priority"), std::string::npos);
}

}  // namespace person_priority_test
}  // namespace riskradar::access

// The practice workflow's pure filters (access/practice.h) as tables: who sees an action, disruption, agenda
// item or alert, and who may change an action or a disruption or run a meeting.
#include <gtest/gtest.h>

#include "riskradar/access/practice.h"

namespace riskradar::access {
namespace practice_filters_test {

const Viewer kPolice{1, "wmp-officer", "wmp", Role::kPractitioner};
const Viewer kCouncil{2, "bcc-sw", "bcc", Role::kPractitioner};
const Viewer kNhs{3, "nhs-nurse", "nhs", Role::kPractitioner};
const Viewer kIg{4, "wmp-ig", "wmp", Role::kIgLead};

// Child 7 has police records only; child 8 council and police records.
RecordClasses Classes() {
  return ByPerson(
      {{7, "wmp", "police_intelligence"}, {8, "bcc", "child_protection"}, {8, "wmp", "police_intelligence"}});
}

store::ViewerAccessFacts Facts(std::vector<int64_t> related, bool agreement_to_viewer) {
  store::ViewerAccessFacts f;
  f.related = std::move(related);
  if (agreement_to_viewer) f.agreements = {{"wmp", "*"}};
  return f;
}

TEST(PracticeFilters, APersonIsVisibleWhenOneOfTheirRecordsIs) {
  const RecordClasses c = Classes();
  EXPECT_TRUE(PersonVisible(7, c, kPolice, Facts({}, false))) << "own agency";
  EXPECT_FALSE(PersonVisible(7, c, kCouncil, Facts({}, true))) << "an agreement without a relationship";
  EXPECT_FALSE(PersonVisible(7, c, kCouncil, Facts({7}, false))) << "a relationship without an agreement";
  EXPECT_TRUE(PersonVisible(7, c, kCouncil, Facts({7}, true))) << "both";
  EXPECT_TRUE(PersonVisible(8, c, kCouncil, Facts({}, false))) << "one own-agency record is enough";
  EXPECT_FALSE(PersonVisible(8, c, kNhs, Facts({8}, false)));
  EXPECT_FALSE(PersonVisible(99, c, kPolice, Facts({}, false))) << "no records: nothing to see";
  EXPECT_FALSE(PersonVisible(7, c, kIg, Facts({7}, true))) << "IG leads never see a child's records";
}

TEST(PracticeFilters, ItemsFollowTheirPerson) {
  const RecordClasses c = Classes();
  store::ActionRecord a;
  a.link_kind = "child";
  a.link_id = 7;
  EXPECT_TRUE(ActionVisible(a, c, kPolice, Facts({}, false)));
  EXPECT_FALSE(ActionVisible(a, c, kCouncil, Facts({}, true)));
  a.link_kind = "place";
  EXPECT_TRUE(ActionVisible(a, c, kCouncil, Facts({}, false))) << "a place's action: every identifying role";
  EXPECT_FALSE(ActionVisible(a, c, kIg, Facts({}, false)));
  store::DisruptionRecord d;
  d.person_id = 7;
  d.place_id = 3;
  EXPECT_FALSE(DisruptionVisible(d, c, kNhs, Facts({}, false))) << "the subject decides, not the place";
  d.person_id = 0;
  EXPECT_TRUE(DisruptionVisible(d, c, kNhs, Facts({}, false)));
  store::AgendaItem item;
  item.person_id = 7;
  EXPECT_FALSE(AgendaItemVisible(item, c, kNhs, Facts({7}, false)));
  EXPECT_TRUE(AgendaItemVisible(item, c, kPolice, Facts({}, false)));
  store::AlertRow alert;
  alert.person_id = 7;
  EXPECT_FALSE(AlertVisible(alert, c, kCouncil, Facts({}, false))) << "a relationship that ended";
  alert.person_id = 0;
  EXPECT_TRUE(AlertVisible(alert, c, kCouncil, Facts({}, false))) << "about no person (an action on a place)";
}

TEST(PracticeFilters, WhoMayChangeWhat) {
  store::ActionRecord a;
  a.owner_agency = "bcc";
  a.owner_user = "bcc-sw";
  a.created_agency = "wmp";
  EXPECT_TRUE(MayChangeAction(a, kCouncil));
  EXPECT_TRUE(MayChangeAction(a, kPolice)) << "the agency that set it";
  EXPECT_FALSE(MayChangeAction(a, kNhs));
  store::DisruptionRecord d;
  d.issuing_agency = "wmp";
  d.created_by = "import";
  EXPECT_TRUE(MayChangeDisruption(d, kPolice));
  EXPECT_FALSE(MayChangeDisruption(d, kCouncil));
  store::MeetingRecord m;
  m.chair = "bcc-manager";
  m.chair_agency = "bcc";
  EXPECT_TRUE(MayRunMeeting(m, {5, "bcc-manager", "bcc", Role::kManager}));
  EXPECT_TRUE(MayRunMeeting(m, {6, "bcc-other-manager", "bcc", Role::kManager})) << "a manager of the chair's agency";
  EXPECT_FALSE(MayRunMeeting(m, kCouncil)) << "a practitioner of the chair's agency";
  EXPECT_FALSE(MayRunMeeting(m, {7, "wmp-manager", "wmp", Role::kManager}));
}

}  // namespace practice_filters_test
}  // namespace riskradar::access

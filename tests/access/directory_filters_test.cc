// The directory's and the review queue's need-to-know filters, pure (no store): which people, records and
// identity fields each viewer is shown.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "riskradar/access/audited_access.h"
#include "riskradar/access/directory_filters.h"

namespace riskradar::access {
namespace directory_filters_test {

using store::PersonMentionRow;
using store::PersonRecord;

PersonMentionRow MentionOf(int64_t person, int64_t id, std::string agency, std::string record_class,
                           std::string forename, std::string surname, std::optional<Date> dob = std::nullopt,
                           std::string sex = "unknown", std::string postcode = "") {
  PersonMentionRow m;
  m.person_id = person;
  m.mention_id = id;
  m.record_id = 100 + id;
  m.agency_code = std::move(agency);
  m.record_class = std::move(record_class);
  m.local_id = "L" + std::to_string(id);
  m.slot = "subject";
  m.role = "child";
  m.forename = std::move(forename);
  m.surname = std::move(surname);
  m.dob = dob;
  m.sex = std::move(sex);
  m.postcode = std::move(postcode);
  return m;
}

// Fay: the police hold a sighting naming no one; the council holds two referrals naming her, with her date of
// birth, sex and postcode. Stored as linkage derives it from all three.
PersonRecord Fay() {
  PersonRecord r;
  r.person.id = 6;
  r.person.display_name = "Fay Hidden";
  r.person.dob = Date::FromYmd(2011, 2, 3);
  r.person.sex = Sex::kFemale;
  r.person.district = "Ladywood";
  r.person.is_child = true;
  r.person.mention_count = 3;
  r.mentions = {
      MentionOf(6, 1, "wmp", "police_intelligence", "", "", std::nullopt, "unknown", "B2 2BB"),
      MentionOf(6, 2, "bcc", "child_protection", "Fay", "Hidden", Date::FromYmd(2011, 2, 3), "female", "B1 1AA"),
      MentionOf(6, 3, "bcc", "child_protection", "Fay", "Hidden", Date::FromYmd(2011, 2, 3), "female", "B1 1AA")};
  return r;
}

Viewer ViewerOf(std::string agency, Role role = Role::kPractitioner, int64_t id = 42) {
  return {id, "u", std::move(agency), role};
}

TEST(VisibleIdentity, EveryRecordVisibleGivesTheStoredPerson) {
  const PersonRecord fay = Fay();
  const std::vector<RecordAccess> all(3, RecordAccess::kOwnAgency);
  const Person p = VisibleIdentity(fay.person, fay.mentions, all);
  EXPECT_EQ(p.display_name, "Fay Hidden");
  EXPECT_EQ(p.dob, fay.person.dob);
  EXPECT_EQ(p.sex, Sex::kFemale);
  EXPECT_EQ(p.district, "Ladywood");
  EXPECT_EQ(p.mention_count, 3);
}

TEST(VisibleIdentity, FieldsOnlyAHiddenRecordHoldsAreAbsent) {
  const PersonRecord fay = Fay();
  const std::vector<RecordAccess> police_only = {RecordAccess::kOwnAgency, RecordAccess::kHidden,
                                                 RecordAccess::kHidden};
  const Person p = VisibleIdentity(fay.person, fay.mentions, police_only);
  EXPECT_EQ(p.display_name, "");
  EXPECT_FALSE(p.dob.has_value());
  EXPECT_EQ(p.sex, Sex::kUnknown);
  EXPECT_EQ(p.district, "") << "the stored district comes from the council's postcode, not the police's";
  EXPECT_EQ(p.mention_count, 1);
  EXPECT_TRUE(p.is_child);
  EXPECT_EQ(p.id, 6);
}

TEST(VisibleIdentity, MostCommonVisibleValueWinsTiesToTheSmallest) {
  PersonRecord r = Fay();
  r.mentions[0].forename = "Ann";
  r.mentions[0].surname = "Alias";
  r.mentions[0].dob = Date::FromYmd(2011, 3, 3);
  // Police and one council record visible: one "Ann Alias", one "Fay Hidden" -> the smaller, "Ann Alias".
  const Person tie = VisibleIdentity(r.person, r.mentions,
                                     {RecordAccess::kOwnAgency, RecordAccess::kBreakGlass, RecordAccess::kHidden});
  EXPECT_EQ(tie.display_name, "Ann Alias");
  EXPECT_EQ(tie.dob, Date::FromYmd(2011, 2, 3)) << "2011-02-03 is the smaller of the two dates";
  // Every record visible: "Fay Hidden" twice.
  const Person all = VisibleIdentity(r.person, r.mentions, std::vector<RecordAccess>(3, RecordAccess::kOwnAgency));
  EXPECT_EQ(all.display_name, "Fay Hidden");
}

TEST(FilterPersonSearch, HiddenPeopleAndHiddenNamesAreNeitherFoundNorCounted) {
  PersonRecord amy;
  amy.person.id = 1;
  amy.person.display_name = "Amy Synthetic";
  amy.mentions = {MentionOf(1, 10, "wmp", "police_intelligence", "Amy", "Synthetic")};
  PersonRecord eve;
  eve.person.id = 5;
  eve.person.display_name = "Eve Health";
  eve.mentions = {MentionOf(5, 11, "nhs", "health", "Eve", "Health")};
  const std::vector<PersonRecord> candidates = {amy, eve, Fay()};
  store::PersonQuery everyone;
  auto r = FilterPersonSearch(candidates, everyone, ViewerOf("wmp"), {});
  EXPECT_EQ(r.total, 2) << "Eve's only record is the NHS's";
  ASSERT_EQ(r.people.size(), 2u);
  EXPECT_EQ(r.people[0].person.display_name, "Amy Synthetic");
  EXPECT_EQ(r.people[1].person.display_name, "");
  EXPECT_EQ(r.people[1].access_basis, std::vector<std::string>{"own_agency"});
  store::PersonQuery by_name;
  by_name.name = "hidden";
  EXPECT_EQ(FilterPersonSearch(candidates, by_name, ViewerOf("wmp"), {}).total, 0);
  const auto council = FilterPersonSearch(candidates, by_name, ViewerOf("bcc"), {});
  ASSERT_EQ(council.total, 1);
  EXPECT_EQ(council.people[0].person.display_name, "Fay Hidden");
  // Paging counts visible matches only.
  everyone.limit = 1;
  everyone.offset = 1;
  r = FilterPersonSearch(candidates, everyone, ViewerOf("wmp"), {});
  EXPECT_EQ(r.total, 2);
  ASSERT_EQ(r.people.size(), 1u);
  EXPECT_EQ(r.people[0].person.id, 6);
  // Aggregate roles find nobody.
  EXPECT_EQ(FilterPersonSearch(candidates, store::PersonQuery{}, ViewerOf("wmp", Role::kIgLead), {}).total, 0);
}

TEST(FilterPersonSearch, ARelationshipWithAnAgreementOpensTheOtherAgencysRecordsForThatPersonOnly) {
  store::ViewerAccessFacts facts;
  facts.agreements = {{"bcc", "child_protection"}};
  facts.related = {6};
  auto r = FilterPersonSearch({Fay()}, store::PersonQuery{}, ViewerOf("wmp"), facts);
  ASSERT_EQ(r.total, 1);
  EXPECT_EQ(r.people[0].person.display_name, "Fay Hidden");
  EXPECT_EQ(r.people[0].access_basis, (std::vector<std::string>{"agreement_and_relationship", "own_agency"}));
  facts.related = {7};
  r = FilterPersonSearch({Fay()}, store::PersonQuery{}, ViewerOf("wmp"), facts);
  EXPECT_EQ(r.people[0].person.display_name, "");
}

TEST(FilterPersonView, VisibleRecordsTheirLinksAndTheReviewedPair) {
  PersonRecord fay = Fay();
  store::LinkEvidence reviewed;
  reviewed.left_mention_id = 2;
  reviewed.right_mention_id = 3;
  reviewed.source = "review";
  reviewed.match_weight = 9.0;
  reviewed.review_status = "confirmed";
  fay.reviewed = {reviewed};
  // The council: its two records, one link (the reviewed pair), with the fields both hold.
  auto v = FilterPersonView(fay, ViewerOf("bcc"), {});
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->records.size(), 2u);
  EXPECT_EQ(v->records[0].mention_id, 2);
  ASSERT_EQ(v->links.size(), 1u);
  EXPECT_EQ(v->links[0].source, "review");
  EXPECT_EQ(v->links[0].match_weight, 9.0);
  EXPECT_EQ(v->links[0].fields[0], (std::pair<std::string, std::string>{"forename", "agree"}));
  EXPECT_EQ(v->person.display_name, "Fay Hidden");
  // The police: their one record, no link, no council field.
  v = FilterPersonView(fay, ViewerOf("wmp"), {});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->records.size(), 1u);
  EXPECT_TRUE(v->links.empty());
  EXPECT_EQ(v->person.display_name, "");
  EXPECT_FALSE(v->person.dob.has_value());
  // Break-glass: all three, three links, the unreviewed ones from the cluster with their field agreement.
  ChildAccessFacts glass;
  glass.break_glass = true;
  v = FilterPersonView(fay, ViewerOf("nhs"), glass);
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(v->links.size(), 3u);
  EXPECT_EQ(v->links[0].source, "cluster");
  EXPECT_EQ(v->links[0].fields[0], (std::pair<std::string, std::string>{"forename", "missing"}));
  EXPECT_EQ(v->access_basis, std::vector<std::string>{"break_glass"});
  // Nobody else.
  EXPECT_FALSE(FilterPersonView(fay, ViewerOf("nhs"), {}).has_value());
}

TEST(FilterPlaceView, PeopleNamedByVisibleEventsWithTheirVisibleNames) {
  store::PlaceRecord place;
  place.place.place.id = 1;
  place.events = {{"wmp", "police_intelligence", 6, 3}, {"nhs", "health", 5, 0}};
  PersonRecord carl;
  carl.person.id = 3;
  carl.person.person_of_concern = true;
  carl.mentions = {MentionOf(3, 20, "wmp", "police_intelligence", "Carl", "Offender")};
  PersonRecord eve;
  eve.person.id = 5;
  eve.mentions = {MentionOf(5, 21, "nhs", "health", "Eve", "Health")};
  place.people = {carl, eve, Fay()};
  const store::PlaceView v = FilterPlaceView(place, ViewerOf("wmp"), {});
  ASSERT_EQ(v.people.size(), 2u);
  EXPECT_EQ(v.people[0].person_id, 3);
  EXPECT_EQ(v.people[0].name, "Carl Offender");
  EXPECT_TRUE(v.people[0].person_of_concern);
  EXPECT_EQ(v.people[1].person_id, 6);
  EXPECT_EQ(v.people[1].name, "") << "Fay's name is only on the council's records";
  EXPECT_EQ(v.people[1].events, 1);
  EXPECT_TRUE(FilterPlaceView(place, ViewerOf("wmp", Role::kAdministrator), {}).people.empty());
}

TEST(FilterNetworkView, EveryMemberCountedOnlyVisibleOnesListed) {
  store::NetworkRecord network;
  network.id = 1;
  network.members = {{"child", 5}, {"child", 6}, {"offender", 3}, {"place", 1}};
  PersonRecord carl;
  carl.person.id = 3;
  carl.mentions = {MentionOf(3, 20, "wmp", "police_intelligence", "Carl", "Offender")};
  PersonRecord eve;
  eve.person.id = 5;
  eve.mentions = {MentionOf(5, 21, "nhs", "health", "Eve", "Health")};
  network.people = {carl, eve, Fay()};
  const store::NetworkView v = FilterNetworkView(network, ViewerOf("bcc"), {});
  EXPECT_EQ(v.summary.children, 2);
  EXPECT_EQ(v.summary.offenders, 1);
  EXPECT_EQ(v.summary.places, 1);
  ASSERT_EQ(v.members.size(), 1u);
  EXPECT_EQ(v.members[0].person_id, 6);
  EXPECT_EQ(v.members[0].name, "Fay Hidden");
  EXPECT_EQ(v.members[0].kind, "child");
  const store::NetworkView police = FilterNetworkView(network, ViewerOf("wmp"), {});
  ASSERT_EQ(police.members.size(), 2u);
  EXPECT_EQ(police.members[0].name, "");  // Fay, through the police's own unnamed record
  EXPECT_EQ(police.members[1].name, "Carl Offender");
}

TEST(ReviewItemVisible, BothRecordsMustBeVisible) {
  store::ReviewQueueItem item;
  item.left.person_id = 6;
  item.left.agency_code = "wmp";
  item.left.record_class = "police_intelligence";
  item.right.person_id = 6;
  item.right.agency_code = "bcc";
  item.right.record_class = "child_protection";
  EXPECT_FALSE(ReviewItemVisible(item, ViewerOf("wmp"), {}));
  EXPECT_FALSE(ReviewItemVisible(item, ViewerOf("bcc"), {}));
  store::ViewerAccessFacts facts;
  facts.agreements = {{"bcc", "*"}};
  facts.related = {6};
  EXPECT_TRUE(ReviewItemVisible(item, ViewerOf("wmp"), facts));
  EXPECT_FALSE(ReviewItemVisible(item, ViewerOf("wmp", Role::kIgLead), facts));
}

TEST(FilterChildView, IdentityFieldsComeFromVisibleRecordsOnly) {
  store::ChildRecord record;
  const PersonRecord fay = Fay();
  record.person = fay.person;
  record.mentions = fay.mentions;
  store::ChildEventView sighting;
  sighting.event_id = 1;
  sighting.agency_code = "wmp";
  sighting.record_class = "police_intelligence";
  store::ChildEventView referral = sighting;
  referral.event_id = 2;
  referral.agency_code = "bcc";
  referral.record_class = "child_protection";
  record.events = {sighting, referral};
  auto police = FilterChildView(record, ViewerOf("wmp"), {});
  ASSERT_TRUE(police.has_value());
  EXPECT_EQ(police->person.display_name, "");
  EXPECT_FALSE(police->person.dob.has_value());
  auto council = FilterChildView(record, ViewerOf("bcc"), {});
  ASSERT_TRUE(council.has_value());
  EXPECT_EQ(council->person.display_name, "Fay Hidden");
  EXPECT_EQ(council->person.dob, Date::FromYmd(2011, 2, 3));
}

}  // namespace directory_filters_test
}  // namespace riskradar::access

// The practice contract (store/practice.h) on every backend: actions and disruptions with their
// compare-and-set versions, breaches, meetings and their agenda, idempotent alerts and disruption imports.
#include <algorithm>

#include "conformance_fixture.h"
#include "riskradar/store/practice.h"

namespace riskradar::store::conformance {
namespace practice_store_test {

class PracticeContract : public Fixture {
 protected:
  PracticeStore& P() { return *PracticeOf(*store_); }
};

Date D(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

int64_t AuditCount(Store& store, const std::string& action) {
  AuditQuery q;
  q.action = action;
  q.limit = 1000;
  auto events = store.QueryAuditEvents(q);
  return events.ok() ? static_cast<int64_t>(events->size()) : -1;
}

TEST_P(PracticeContract, ActionsUpdateOnlyAtTheVersionRead) {
  ActionRecord a;
  a.title = "Return home interview";
  a.owner_agency = "bcc";
  a.owner_user = "bcc-sw";
  a.due = D(2026, 3, 1);
  a.link_kind = "child";
  a.link_id = 7;
  a.created_by = "bcc-manager";
  a.created_agency = "bcc";
  auto id = P().InsertAction(a);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto read = P().ReadAction(*id);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->version, 1);
  EXPECT_EQ((*read)->status, "open");
  EXPECT_EQ((*read)->due, D(2026, 3, 1));
  EXPECT_EQ((*read)->link_id, 7);
  ActionRecord next = **read;
  next.status = "done";
  EXPECT_TRUE(*P().UpdateAction(next, 1));
  EXPECT_FALSE(*P().UpdateAction(next, 1)) << "the version moved: a second writer at version 1 loses";
  auto after = P().ReadAction(*id);
  EXPECT_EQ((*after)->version, 2);
  EXPECT_EQ((*after)->status, "done");
  EXPECT_FALSE(P().ReadAction(999)->has_value());
  EXPECT_EQ(P().ReadActions()->size(), 1u);
  a.status = "paused";
  EXPECT_FALSE(P().InsertAction(a).ok()) << "the status vocabulary is enforced by the store too";
}

TEST_P(PracticeContract, DisruptionsKeepBreachesAndImportsOnce) {
  DisruptionRecord d;
  d.kind = "cawn";
  d.person_id = 3;
  d.issuing_agency = "bcc";
  d.issued = D(2025, 1, 1);
  d.expires = D(2027, 1, 1);
  d.created_by = "x";
  auto id = P().InsertDisruption(d);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(P().InsertDisruptionBreach(*id, {0, D(2025, 6, 1), "seen with a child", "x", ""}).ok());
  ASSERT_TRUE(P().InsertDisruptionBreach(*id, {0, D(2025, 3, 1), "earlier", "x", ""}).ok());
  EXPECT_EQ(P().InsertDisruptionBreach(999, {0, D(2025, 3, 1), "none", "x", ""}).status().code(),
            StatusCode::kNotFound);
  auto got = P().ReadDisruption(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->version, 3) << "each breach bumps the version";
  ASSERT_EQ((*got)->breaches.size(), 2u);
  EXPECT_EQ((*got)->breaches[0].date, D(2025, 3, 1)) << "breaches by date";
  EXPECT_EQ(*(*got)->expires, D(2027, 1, 1));
  DisruptionRecord nobody = d;
  nobody.person_id = 0;
  EXPECT_FALSE(P().InsertDisruption(nobody).ok()) << "a subject person or a place";

  DisruptionRecord imported = d;
  imported.source_event_id = 0;
  EXPECT_FALSE(P().ImportDisruptionEvents({imported}, Actor{}).ok()) << "an import names its event";
  // Source events need not exist for the contract; the key is the event id.
  imported.source_event_id = 41;
  auto first = P().ImportDisruptionEvents({imported}, Actor{"stage", "", "", "test"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(*P().ImportDisruptionEvents({imported}, Actor{"stage", "", "", "test"}), 0);
  EXPECT_EQ(P().ReadDisruptions()->size(), 2u);
  EXPECT_EQ(AuditCount(*store_, "import_disruptions"), 2) << "one run event per import, even when nothing is new";
}

TEST_P(PracticeContract, MeetingsKeepTheirPanelAndOneAgendaItemPerSubject) {
  MeetingRecord m;
  m.district = "Birmingham";
  m.date = D(2026, 3, 4);
  m.period_end = D(2026, 6, 2);
  m.chair = "bcc-manager";
  m.chair_agency = "bcc";
  m.panel = {"bcc-manager", "wmp-officer"};
  m.created_by = "bcc-manager";
  auto id = P().InsertMeeting(m);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  AgendaItem item;
  item.meeting_id = *id;
  item.person_id = 5;
  item.reasons = "new_serious,rising";
  item.source = "generated";
  item.added_by = "bcc-manager";
  auto first = P().InsertAgendaItem(item);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(P().InsertAgendaItem(item).status().code(), StatusCode::kAlreadyExists);
  item.person_id = 0;
  item.place_id = 5;
  ASSERT_TRUE(P().InsertAgendaItem(item).ok()) << "a place with the same id is another subject";
  auto got = P().ReadMeeting(*id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->panel, (std::vector<std::string>{"bcc-manager", "wmp-officer"}));
  ASSERT_EQ((*got)->agenda.size(), 2u);
  AgendaItem edit = (*got)->agenda[0];
  edit.minutes = "Agreed a strategy meeting.";
  edit.minutes_by = "bcc-manager";
  edit.minutes_at = "2026-03-04T10:00:00Z";
  EXPECT_TRUE(*P().UpdateAgendaItem(edit));
  EXPECT_EQ((*P().ReadMeeting(*id))->agenda[0].minutes, "Agreed a strategy meeting.");
  EXPECT_TRUE(*P().UpdateMeetingStatus(*id, "closed", 1));
  EXPECT_FALSE(*P().UpdateMeetingStatus(*id, "held", 1));
  EXPECT_EQ(P().ReadMeetings()->size(), 1u);
  EXPECT_TRUE(P().ReadMeetings()->front().agenda.empty()) << "the list carries no agenda";
}

TEST_P(PracticeContract, AlertsAreRaisedOncePerKeyAndAcknowledgedPerRecipient) {
  NewAlert a;
  a.key = "missing:1:10";
  a.kind = "missing_episode";
  a.person_id = 1;
  a.evidence = {10, 11};
  a.evidence_kind = "event";
  a.detail = "a new missing episode was recorded";
  a.recipients = {{"bcc-manager", "manager"}, {"bcc-sw", "allocated_case"}};
  const Actor stage{"stage", "", "", "alerts"};
  auto raised = P().SaveAlerts({a}, "{\"b\":1}", stage);
  ASSERT_TRUE(raised.ok()) << raised.status().ToString();
  EXPECT_EQ(*raised, 1);
  EXPECT_EQ(*P().SaveAlerts({a}, "{\"b\":2}", stage), 0) << "the same key is not raised again";
  EXPECT_EQ(*P().ReadAlertBaseline(), "{\"b\":2}");
  auto mine = P().ReadAlertsOf("bcc-sw", true);
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ(mine->front().evidence, (std::vector<int64_t>{10, 11}));
  EXPECT_EQ(mine->front().why, "allocated_case");
  EXPECT_EQ(*P().CountOpenAlerts("bcc-sw", 1), 1);
  EXPECT_EQ(*P().CountOpenAlerts("bcc-sw", 2), 0);
  EXPECT_EQ(*P().CountOpenAlerts("bcc-sw", 0), 1);
  const int64_t id = mine->front().id;
  EXPECT_TRUE(*P().AcknowledgeAlert(id, "bcc-sw", "spoke to the carer"));
  EXPECT_FALSE(*P().AcknowledgeAlert(id, "bcc-sw", "again"));
  EXPECT_FALSE(*P().AcknowledgeAlert(id, "nhs-nobody", "not theirs"));
  EXPECT_TRUE(P().ReadAlertsOf("bcc-sw", true)->empty());
  EXPECT_EQ(P().ReadAlertsOf("bcc-sw", false)->front().note, "spoke to the carer");
  EXPECT_EQ(P().ReadAlertsOf("bcc-manager", true)->size(), 1u) << "each recipient acknowledges for themselves";
  EXPECT_FALSE(P().ReadAlertOf(id, "nhs-nobody")->has_value());
  EXPECT_EQ(AuditCount(*store_, "raise_alerts"), 2);
  NewAlert keyless = a;
  keyless.key = "";
  EXPECT_EQ(P().SaveAlerts({keyless}, "", stage).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, PracticeContract, ::testing::ValuesIn(Backends()), BackendName);

}  // namespace practice_store_test
}  // namespace riskradar::store::conformance

// The access-and-audit path: the need-to-know filter of a child's record (pure, no store) and AuditedAccess
// over the SQLite backend: what each viewer sees, that every read and refusal is audited, and that a read
// whose audit event cannot be committed returns no data; the same for Governance (access/governance.h).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "riskradar/access/audited_access.h"
#include "riskradar/access/governance.h"
#include "riskradar/store/store.h"

namespace riskradar::access {
namespace access_test {

namespace fs = std::filesystem;
using store::ChildEventView;
using store::ChildRecord;

ChildEventView EventOf(int64_t id, std::string agency, std::string record_class) {
  ChildEventView e;
  e.event_id = id;
  e.date = Date::FromDays(20000 + static_cast<int32_t>(id));
  e.kind = "missing_episode";
  e.agency_code = std::move(agency);
  e.record_class = std::move(record_class);
  return e;
}

// A child known to the council (events 1 and 3) and the police (event 2); one indicator rests on each agency.
ChildRecord TwoAgencyChild() {
  ChildRecord r;
  r.person.id = 7;
  r.person.display_name = "Synthetic Child";
  r.person.is_child = true;
  r.events = {EventOf(1, "bcc", "child_protection"), EventOf(2, "wmp", "police_intel"),
              EventOf(3, "bcc", "child_protection")};
  Assessment a;
  a.person_id = 7;
  a.level = RiskLevel::kSignificant;
  a.indicators = {{"repeat_missing", "risk", "Missing three times", true, 2, {1, 3}},
                  {"adult_association", "significant", "Seen with an adult of concern", true, 5, {2}}};
  a.explanation = {"line summarising every record"};
  r.latest = a;
  return r;
}

Viewer ViewerOf(std::string agency, Role role = Role::kPractitioner) { return {42, "u", std::move(agency), role}; }

std::vector<int64_t> EventIds(const store::ChildView& v) {
  std::vector<int64_t> ids;
  for (const auto& e : v.events) ids.push_back(e.event_id);
  return ids;
}

TEST(FilterChildView, OwnAgencySeesOnlyItsRecordsAndTheIndicatorsTheyEvidence) {
  auto v = FilterChildView(TwoAgencyChild(), ViewerOf("bcc"), {});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(EventIds(*v), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(v->access_basis, std::vector<std::string>{"own_agency"});
  ASSERT_TRUE(v->latest.has_value());
  ASSERT_EQ(v->latest->indicators.size(), 1u);
  EXPECT_EQ(v->latest->indicators[0].code, "repeat_missing");
  EXPECT_TRUE(v->latest->explanation.empty()) << "the explanation summarises a record this viewer may not see";
  EXPECT_FALSE(v->explanation_complete);
  EXPECT_EQ(v->latest->level, RiskLevel::kSignificant);
}

TEST(FilterChildView, AgreementWithoutRelationshipShowsNothingMore) {
  ChildAccessFacts facts;
  facts.agreements = {{"bcc", "*"}};
  auto v = FilterChildView(TwoAgencyChild(), ViewerOf("wmp"), facts);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(EventIds(*v), (std::vector<int64_t>{2}));
  ASSERT_EQ(v->latest->indicators.size(), 1u);
  EXPECT_EQ(v->latest->indicators[0].code, "adult_association");
}

TEST(FilterChildView, AgreementAndRelationshipShowEverythingWithTheExplanation) {
  ChildAccessFacts facts;
  facts.relationship = true;
  facts.agreements = {{"bcc", "child_protection"}};
  auto v = FilterChildView(TwoAgencyChild(), ViewerOf("wmp"), facts);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(EventIds(*v), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(v->access_basis, (std::vector<std::string>{"agreement_and_relationship", "own_agency"}));
  EXPECT_EQ(v->latest->indicators.size(), 2u);
  EXPECT_EQ(v->latest->explanation, std::vector<std::string>{"line summarising every record"});
  EXPECT_TRUE(v->explanation_complete);
}

TEST(FilterChildView, AnAgreementForAnotherDataClassDoesNotCount) {
  ChildAccessFacts facts;
  facts.relationship = true;
  facts.agreements = {{"bcc", "education"}};
  auto v = FilterChildView(TwoAgencyChild(), ViewerOf("wmp"), facts);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(EventIds(*v), (std::vector<int64_t>{2}));
}

TEST(FilterChildView, BreakGlassShowsEveryRecord) {
  ChildAccessFacts facts;
  facts.break_glass = true;
  auto v = FilterChildView(TwoAgencyChild(), ViewerOf("uhb"), facts);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(EventIds(*v), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(v->access_basis, std::vector<std::string>{"break_glass"});
}

TEST(FilterChildView, NoVisibleRecordIsARefusal) {
  EXPECT_FALSE(FilterChildView(TwoAgencyChild(), ViewerOf("uhb"), {}).has_value());
  // Roles that never see identifying data are refused even for their own agency's records.
  EXPECT_FALSE(FilterChildView(TwoAgencyChild(), ViewerOf("bcc", Role::kIgLead), {}).has_value());
  EXPECT_FALSE(FilterChildView(TwoAgencyChild(), ViewerOf("bcc", Role::kAdministrator), {}).has_value());
}

// A group-commit writer that records what it is given and answers with `fail` when set.
class RecordingWriter final : public store::AuditWriter {
 public:
  explicit RecordingWriter(Status fail = Status::Ok()) : fail_(std::move(fail)) {}
  Result<int64_t> Append(const store::AuditEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_.ok()) return fail_;
    events.push_back(event);
    return static_cast<int64_t>(events.size());
  }
  void Close() override {}
  std::vector<store::AuditEvent> events;

 private:
  std::mutex mu_;
  Status fail_;
};

class AuditedAccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("rr-access-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    location_ = (dir_ / "store.db").string();
    auto s = store::OpenStore(location_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    for (const char* code : {"bcc", "wmp", "uhb"}) {
      ASSERT_TRUE(store_->UpsertAgency({code, code, AgencyKind::kCouncil, "Birmingham"}).ok());
    }
    Land("bcc", "B1", "child_protection");
    Land("wmp", "W1", "police_intel");
    auto mentions = *store_->LoadPersonMentions();
    ASSERT_EQ(mentions.size(), 2u);
    store::LinkageOutput out;
    Person child;
    child.id = 1;
    child.display_name = "Synthetic Child";
    child.is_child = true;
    child.district = "Ladywood";
    out.persons = {child};
    for (const auto& m : mentions) out.mention_person.push_back({m.mention.id, 1});
    ASSERT_TRUE(store_->SaveLinkage(out, store::Actor{}).ok());
    store::User officer;
    officer.name = "wmp.officer";
    officer.agency_code = "wmp";
    officer.role = Role::kPractitioner;
    officer.password_hash = "x";
    officer.totp_secret = "JBSWY3DPEHPK3PXP";
    auto user = store_->AddUser(officer, store::Actor{});
    ASSERT_TRUE(user.ok()) << user.status().ToString();
    wmp_user_id_ = *user;
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void Land(const std::string& agency, const std::string& local_id, const std::string& record_class) {
    auto writer = store_->BeginBatch({agency, local_id + ".csv", "hash-" + local_id, "fmt", record_class, "test"});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    store::ParsedRow r;
    r.record.agency_code = agency;
    r.record.local_id = local_id;
    r.record.line = 2;
    r.record.raw_json = "{}";
    r.record.content_hash = "content-" + local_id;
    r.record.record_class = record_class;
    r.record.lawful_basis = "test";
    r.subject.forename = "Synthetic";
    r.subject.surname = "Child";
    r.event.kind = EventKind::kMissingEpisode;
    r.event.category = "missing_overnight";
    r.event.date = *Date::FromYmd(2025, 3, 1);
    ASSERT_TRUE((*writer)->AddRow(r).ok());
    ASSERT_TRUE((*writer)->Commit({1, 1, 0, 0}, store::Actor{}).ok());
  }

  // The newest event of `action`.
  store::AuditEvent LastRead(const std::string& action = "read_child") {
    store::AuditQuery q;
    q.action = action;
    q.limit = 1;
    auto events = store_->QueryAuditEvents(q);
    EXPECT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 1u);
    return events->empty() ? store::AuditEvent{} : events->front();
  }

  Viewer WmpOfficer() const { return {wmp_user_id_, "wmp.officer", "wmp", Role::kPractitioner}; }
  store::Actor ActorOf(const Viewer& v) const { return {v.user_name, v.agency_code, std::string(ToString(v.role))}; }

  fs::path dir_;
  std::string location_;
  std::unique_ptr<store::Store> store_;
  int64_t wmp_user_id_ = 0;
};

TEST_F(AuditedAccessTest, OwnAgencyReadIsAuditedWithItsBasis) {
  const Viewer viewer = WmpOfficer();
  const int64_t before = store_->Counts()->audit_events;
  auto view = AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer));
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(view->events.size(), 1u);
  EXPECT_EQ(view->events[0].agency_code, "wmp");
  EXPECT_EQ(view->person.display_name, "Synthetic Child");
  EXPECT_EQ(store_->Counts()->audit_events, before + 1);
  const store::AuditEvent e = LastRead();
  EXPECT_EQ(e.actor.user, "wmp.officer");
  EXPECT_EQ(e.target, "person:1");
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(nlohmann::json::parse(e.details), nlohmann::json({{"basis", {"own_agency"}}, {"events_shown", 1}}));
}

TEST_F(AuditedAccessTest, MissingAndRefusedLookTheSameAndAreAuditedApart) {
  const Viewer outsider{99, "uhb.nurse", "uhb", Role::kPractitioner};
  auto refused = AuditedAccess(*store_).ReadChildView(1, outsider, 1000, ActorOf(outsider));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(LastRead().outcome, "refused");
  auto missing = AuditedAccess(*store_).ReadChildView(999, outsider, 1000, ActorOf(outsider));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().ToString(), refused.status().ToString());
  const store::AuditEvent e = LastRead();
  EXPECT_EQ(e.outcome, "not_found");
  EXPECT_EQ(e.target, "person:999");
}

TEST_F(AuditedAccessTest, AgreementAndRelationshipFromTheStoreWidenTheView) {
  const Viewer viewer = WmpOfficer();
  ASSERT_TRUE(
      store_->AddSharingAgreement({0, "bcc", "wmp", "*", "safeguarding", "test", std::nullopt}, store::Actor{}).ok());
  auto narrow = AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer));
  ASSERT_TRUE(narrow.ok());
  EXPECT_EQ(narrow->events.size(), 1u) << "an agreement alone is not enough";
  ASSERT_TRUE(store_->AddCareRelationship({wmp_user_id_, 1, "allocated_case"}, store::Actor{}).ok());
  auto wide = AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer));
  ASSERT_TRUE(wide.ok());
  EXPECT_EQ(wide->events.size(), 2u);
  EXPECT_EQ(wide->access_basis, (std::vector<std::string>{"agreement_and_relationship", "own_agency"}));
}

TEST_F(AuditedAccessTest, GroupCommittedReadHandsItsEventToTheWriterBeforeReturning) {
  auto writer = std::make_shared<RecordingWriter>();
  store_.reset();
  store::StoreOptions options;
  options.audit_writer = writer;
  auto reopened = store::OpenStore(location_, options);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  const Viewer viewer = WmpOfficer();
  auto view = AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer));
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(writer->events.size(), 1u);
  EXPECT_EQ(writer->events[0].action, "read_child");
  EXPECT_EQ(writer->events[0].outcome, "ok");
  // The unit ended with the read: the store takes the next one.
  EXPECT_TRUE(AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer)).ok());
  EXPECT_EQ(writer->events.size(), 2u);
}

TEST_F(AuditedAccessTest, AReadWhoseAuditCannotBeCommittedReturnsNoData) {
  store_.reset();
  store::StoreOptions options;
  options.audit_writer = std::make_shared<RecordingWriter>(Status::IoError("audit log unavailable"));
  auto reopened = store::OpenStore(location_, options);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  const Viewer viewer = WmpOfficer();
  auto view = AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer));
  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.status().code(), StatusCode::kIoError);
  // A refusal whose audit fails fails the same way (not a NotFound that would hide the failure).
  const Viewer outsider{99, "uhb.nurse", "uhb", Role::kPractitioner};
  auto refused = AuditedAccess(*store_).ReadChildView(1, outsider, 1000, ActorOf(outsider));
  EXPECT_EQ(refused.status().code(), StatusCode::kIoError);
}

TEST_F(AuditedAccessTest, AReadInOneTransactionFailsWhenItsEventCannotBeWritten) {
  // The signing key must not be readable by others; the store refuses to sign (and so to append) otherwise.
  const std::string key = store::DefaultAuditKeyPath(location_);
  ASSERT_TRUE(fs::exists(key));
  store_.reset();
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  auto reopened = store::OpenStore(location_);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  const int64_t before = store_->Counts()->audit_events;
  const Viewer viewer = WmpOfficer();
  auto view = AuditedAccess(*store_).ReadChildView(1, viewer, 1000, ActorOf(viewer));
  EXPECT_FALSE(view.ok());
  EXPECT_EQ(store_->Counts()->audit_events, before);
}

// The directory, review and audit-log operations: each read writes exactly its one event, with the same action,
// target and outcome as before the move; a read whose event cannot be committed returns nothing.
TEST_F(AuditedAccessTest, DirectoryReviewAndAuditReadsEachWriteTheirEvent) {
  const Viewer viewer = WmpOfficer();
  const store::Actor actor = ActorOf(viewer);
  AuditedAccess access(*store_);
  auto last = [&](const std::string& action) {
    store::AuditQuery q;
    q.action = action;
    q.limit = 1;
    auto events = store_->QueryAuditEvents(q);
    EXPECT_TRUE(events.ok());
    return events->empty() ? store::AuditEvent{} : events->front();
  };
  int64_t count = store_->Counts()->audit_events;
  auto expect_one_more = [&](const std::string& action, const std::string& target, const std::string& outcome) {
    EXPECT_EQ(store_->Counts()->audit_events, ++count) << action;
    const store::AuditEvent e = last(action);
    EXPECT_EQ(e.target, target) << action;
    EXPECT_EQ(e.outcome, outcome) << action;
    EXPECT_EQ(e.actor.user, "wmp.officer") << action;
  };

  auto found = access.SearchPeople(store::PersonQuery{}, viewer, 1000, actor);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->total, 1);
  EXPECT_EQ(found->people[0].person.display_name, "Synthetic Child");
  expect_one_more("search_people", "people", "ok");
  auto person = access.ReadPersonView(1, viewer, 1000, actor);
  ASSERT_TRUE(person.ok()) << person.status().ToString();
  EXPECT_EQ(person->records.size(), 1u) << "the council's record is not the police's to see";
  expect_one_more("read_person", "person:1", "ok");
  EXPECT_EQ(access.ReadPersonView(77, viewer, 1000, actor).status().code(), StatusCode::kNotFound);
  expect_one_more("read_person", "person:77", "not_found");
  const Viewer outsider{99, "uhb.nurse", "uhb", Role::kPractitioner};
  EXPECT_EQ(access.ReadPersonView(1, outsider, 1000, actor).status().code(), StatusCode::kNotFound);
  expect_one_more("read_person", "person:1", "refused");
  EXPECT_TRUE(access.ReadPlacesOfConcern(actor).ok());
  expect_one_more("list_places", "places", "ok");
  EXPECT_EQ(access.ReadPlaceView(5, viewer, 1000, actor).status().code(), StatusCode::kNotFound);
  expect_one_more("read_place", "place:5", "not_found");
  EXPECT_EQ(access.ExplainPlaceOfConcern(5, viewer, 1000, actor).status().code(), StatusCode::kNotFound);
  expect_one_more("read_place", "place:5", "not_found");
  EXPECT_NE(last("read_place").details.find("\"explain\":true"), std::string::npos) << last("read_place").details;
  EXPECT_TRUE(access.ReadNetworks(actor).ok());
  expect_one_more("list_networks", "networks", "ok");
  EXPECT_EQ(access.ReadNetworkView(3, viewer, 1000, actor).status().code(), StatusCode::kNotFound);
  expect_one_more("read_network", "network:3", "not_found");

  auto queue = access.ListReviewQueue(viewer, 1000, true, 10, actor);
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ(queue->pending_total, 0);
  expect_one_more("list_review", "review_queue", "ok");
  EXPECT_EQ(access.ReadReviewItem(4, viewer, 1000, actor).status().code(), StatusCode::kNotFound);
  expect_one_more("read_review", "review:4", "not_found");
  store::ReviewDecisionRequest decide;
  decide.id = 4;
  decide.expected_version = 1;
  decide.status = "confirmed";
  decide.reason = "same child";
  auto decided = access.DecideReviewItem(decide, viewer, 1000, actor);
  ASSERT_TRUE(decided.ok());
  EXPECT_EQ(decided->outcome, store::ReviewDecisionOutcome::kNotFound);
  expect_one_more("review_decision", "review:4", "not_found");
  decide.reason = " ";
  EXPECT_EQ(access.DecideReviewItem(decide, viewer, 1000, actor).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Counts()->audit_events, count) << "a malformed decision is refused before any read";

  auto checkpoints = access.ReadAuditCheckpoints(actor);
  ASSERT_TRUE(checkpoints.ok());
  ASSERT_TRUE(checkpoints->head.has_value());
  expect_one_more("read_audit_checkpoints", "audit_log", "ok");
  auto proof = access.ReadAuditInclusionProof(1, 0, actor);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(proof->tree_size, count) << "size 0: the whole log at the time of the proof";
  expect_one_more("audit_proof", "audit_log", "ok");
  EXPECT_EQ(access.ReadAuditConsistencyProof(1, count + 5, actor).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Counts()->audit_events, count) << "a proof outside the log writes no event";
  auto events = access.ReadAuditEvents(store::AuditQuery{}, actor);
  ASSERT_TRUE(events.ok());
  expect_one_more("read_audit", "audit_log", "ok");
  auto verified = access.VerifyAuditLog(actor);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;
  expect_one_more("audit_verify", "audit_log", "ok");
}

TEST_F(AuditedAccessTest, DirectoryAndAuditReadsReturnNothingWhenTheirEventCannotBeCommitted) {
  store_.reset();
  store::StoreOptions options;
  options.audit_writer = std::make_shared<RecordingWriter>(Status::IoError("audit log unavailable"));
  auto reopened = store::OpenStore(location_, options);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  const Viewer viewer = WmpOfficer();
  AuditedAccess access(*store_);
  EXPECT_EQ(access.SearchPeople(store::PersonQuery{}, viewer, 1000, ActorOf(viewer)).status().code(),
            StatusCode::kIoError);
  EXPECT_EQ(access.ReadPersonView(1, viewer, 1000, ActorOf(viewer)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(access.ListReviewQueue(viewer, 1000, true, 10, ActorOf(viewer)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(access.ReadAuditEvents(store::AuditQuery{}, ActorOf(viewer)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(access.ReadAuditCheckpoints(ActorOf(viewer)).status().code(), StatusCode::kIoError);
}

// A refusal decided before any operation (a route's role policy): its event is committed, or the error returned.
TEST_F(AuditedAccessTest, ARefusalIsRecordedOrItsFailureReturned) {
  const Viewer viewer = WmpOfficer();
  const int64_t before = store_->Counts()->audit_events;
  ASSERT_TRUE(AuditedAccess(*store_).RecordRefusal(ActorOf(viewer), "list_users", "users").ok());
  EXPECT_EQ(store_->Counts()->audit_events, before + 1);
  const store::AuditEvent refusal = LastRead("list_users");
  EXPECT_EQ(refusal.target, "users");
  EXPECT_EQ(refusal.outcome, "forbidden");
  EXPECT_EQ(refusal.actor.user, viewer.user_name);

  store_.reset();
  store::StoreOptions options;
  options.audit_writer = std::make_shared<RecordingWriter>(Status::IoError("audit log unavailable"));
  auto reopened = store::OpenStore(location_, options);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  EXPECT_EQ(AuditedAccess(*store_).RecordRefusal(ActorOf(viewer), "list_users", "users").code(), StatusCode::kIoError);
}

// ---- governance (access/governance.h): the rules over the store's unfiltered rows, one unit of work each

class GovernanceTest : public AuditedAccessTest {
 protected:
  int64_t AddAccount(const char* name, const char* agency, Role role) {
    store::User u;
    u.name = name;
    u.agency_code = agency;
    u.role = role;
    u.password_hash = "x";
    u.totp_secret = "JBSWY3DPEHPK3PXP";
    auto id = store_->AddUser(u, store::Actor{});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  // The newest event of `action`.
  store::AuditEvent Last(const std::string& action) {
    store::AuditQuery q;
    q.action = action;
    q.limit = 1;
    auto events = store_->QueryAuditEvents(q);
    EXPECT_TRUE(events.ok() && events->size() == 1u) << action;
    return events.ok() && !events->empty() ? events->front() : store::AuditEvent{};
  }
  int64_t Events(const std::string& action) {
    store::AuditQuery q;
    q.action = action;
    q.limit = 1000;
    return static_cast<int64_t>(store_->QueryAuditEvents(q)->size());
  }
};

TEST_F(GovernanceTest, RelationshipsAreListedAndEndedOnlyForAVisibleChildByTheManagersAgency) {
  const int64_t bcc_prac = AddAccount("bcc.prac", "bcc", Role::kPractitioner);
  const int64_t wmp_mgr = AddAccount("wmp.manager", "wmp", Role::kManager);
  const int64_t uhb_mgr = AddAccount("uhb.manager", "uhb", Role::kManager);
  ASSERT_TRUE(store_->AddCareRelationship({wmp_user_id_, 1, "allocated_case"}, store::Actor{}).ok());
  ASSERT_TRUE(store_->AddCareRelationship({bcc_prac, 1, "allocated_case"}, store::Actor{}).ok());
  const Viewer wmp{wmp_mgr, "wmp.manager", "wmp", Role::kManager};
  const Viewer uhb{uhb_mgr, "uhb.manager", "uhb", Role::kManager};
  Governance governance(*store_);

  auto listed = governance.ListCareRelationships(wmp, 1, 1000, ActorOf(wmp));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u) << "only the wmp user's relationship";
  EXPECT_EQ((*listed)[0].user_name, "wmp.officer");
  store::AuditEvent e = Last("list_relationships");
  EXPECT_EQ(e.target, "person:1");
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.details, R"({"relationships":1})");

  EXPECT_EQ(governance.ListCareRelationships(uhb, 1, 1000, ActorOf(uhb)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("list_relationships").outcome, "refused") << "uhb holds no record on the child";
  EXPECT_EQ(governance.ListCareRelationships(wmp, 999, 1000, ActorOf(wmp)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("list_relationships").outcome, "not_found");

  auto all = *store_->ReadCareRelationships(1);
  ASSERT_EQ(all.size(), 2u);
  const int64_t wmp_rel = all[0].agency_code == "wmp" ? all[0].id : all[1].id;
  const int64_t bcc_rel = all[0].agency_code == "bcc" ? all[0].id : all[1].id;
  EXPECT_EQ(governance.EndCareRelationship(uhb, 1, wmp_rel, 1000, ActorOf(uhb)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("relationship_end").outcome, "refused") << "a child uhb's manager may not see";
  EXPECT_EQ(governance.EndCareRelationship(wmp, 1, bcc_rel, 1000, ActorOf(wmp)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("relationship_end").outcome, "refused") << "another agency's relationship";
  EXPECT_EQ(governance.EndCareRelationship(wmp, 1, 987654, 1000, ActorOf(wmp)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("relationship_end").outcome, "not_found");
  auto ended = governance.EndCareRelationship(wmp, 1, wmp_rel, 1000, ActorOf(wmp));
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_FALSE(ended->ended_at.empty());
  EXPECT_EQ(ended->ended_by, "wmp.manager");
  e = Last("relationship_end");
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.details,
            R"({"kind":"allocated_case","relationship":)" + std::to_string(wmp_rel) + R"(,"user":"wmp.officer"})");
  EXPECT_EQ(governance.EndCareRelationship(wmp, 1, wmp_rel, 1000, ActorOf(wmp)).status().code(), StatusCode::kConflict);
  EXPECT_EQ(Last("relationship_end").outcome, "already_ended");
  EXPECT_TRUE((*store_->ReadCareRelationship(bcc_rel))->ended_at.empty()) << "the refused end changed nothing";
}

TEST_F(GovernanceTest, ReadsReturnNothingWhenTheirEventCannotBeCommitted) {
  AddAccount("wmp.admin", "wmp", Role::kAdministrator);
  store_.reset();
  store::StoreOptions options;
  options.audit_writer = std::make_shared<RecordingWriter>(Status::IoError("audit log unavailable"));
  auto reopened = store::OpenStore(location_, options);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  const Viewer admin{0, "wmp.admin", "wmp", Role::kAdministrator};
  const Viewer ig{0, "wmp.ig", "wmp", Role::kIgLead};
  Governance governance(*store_);
  EXPECT_EQ(governance.ListAgencyUsers(admin, ActorOf(admin)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(governance.ListAllUsers(store::Actor{"cli:op", "", "administrator", "test"}).status().code(),
            StatusCode::kIoError);
  EXPECT_EQ(governance.ListIgAlerts(ig, true, ActorOf(ig)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(governance.ListBreakGlass(ig, "", {}, true, ActorOf(ig)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(governance.ListCareRelationships(WmpOfficer(), 1, 1000, ActorOf(WmpOfficer())).status().code(),
            StatusCode::kIoError);
  // A refusal whose audit fails fails the same way.
  EXPECT_EQ(governance.ListBreakGlass(ig, "partnership", {}, true, ActorOf(ig)).status().code(), StatusCode::kIoError);
}

TEST_F(GovernanceTest, AWriteWhoseEventCannotBeWrittenChangesNothing) {
  const int64_t admin_id = AddAccount("wmp.admin", "wmp", Role::kAdministrator);
  store::SharingAgreement a;
  a.provider_agency = "wmp";
  a.recipient_agency = "bcc";
  a.purpose = "CSE safeguarding";
  a.lawful_basis = "Children Act 2004 s.11";
  auto agreement = store_->AddSharingAgreement(a, store::Actor{});
  ASSERT_TRUE(agreement.ok());
  const std::string key = store::DefaultAuditKeyPath(location_);
  store_.reset();
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);  // the store refuses to sign, and so to append
  auto reopened = store::OpenStore(location_);
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(*reopened);
  const Viewer admin{admin_id, "wmp.admin", "wmp", Role::kAdministrator};
  Governance governance(*store_);
  EXPECT_FALSE(governance.DisableAgencyUser(admin, "wmp.officer", ActorOf(admin)).ok());
  EXPECT_FALSE(governance.EndSharingAgreement(*agreement, "wmp", "no longer needed", 1000, ActorOf(admin)).ok());
  auto users = *store_->ReadUserRows();
  for (const store::User& u : users) EXPECT_FALSE(u.disabled) << u.name;
  EXPECT_TRUE((*store_->ReadSharingAgreement(*agreement))->ended_at.empty());
}

TEST_F(GovernanceTest, AnAdministratorDisablesOnlyAnotherAccountOfTheirAgency) {
  const int64_t admin_id = AddAccount("wmp.admin", "wmp", Role::kAdministrator);
  AddAccount("bcc.prac", "bcc", Role::kPractitioner);
  const Viewer admin{admin_id, "wmp.admin", "wmp", Role::kAdministrator};
  Governance governance(*store_);
  EXPECT_EQ(governance.DisableAgencyUser(admin, "bcc.prac", ActorOf(admin)).code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("user_disable").outcome, "refused");
  EXPECT_EQ(governance.DisableAgencyUser(admin, "nobody", ActorOf(admin)).code(), StatusCode::kNotFound);
  EXPECT_EQ(Last("user_disable").outcome, "not_found");
  EXPECT_EQ(governance.DisableAgencyUser(admin, "wmp.admin", ActorOf(admin)).code(), StatusCode::kConflict);
  EXPECT_EQ(Last("user_disable").outcome, "refused");
  ASSERT_TRUE(governance.DisableAgencyUser(admin, "wmp.officer", ActorOf(admin)).ok());
  store::AuditEvent e = Last("user_disable");
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.target, "user:wmp.officer");
  EXPECT_EQ(e.details, R"({"sessions_revoked":true})");
  auto listed = governance.ListAgencyUsers(admin, ActorOf(admin));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u) << "wmp's accounts only";
  EXPECT_EQ((*listed)[0].name, "wmp.admin");
  EXPECT_EQ((*listed)[1].name, "wmp.officer");
  EXPECT_TRUE((*listed)[1].disabled);
  for (const store::User& u : *listed) EXPECT_TRUE(u.password_hash.empty() && u.totp_secret.empty()) << u.name;
  e = Last("list_users");
  EXPECT_EQ(e.target, "agency:wmp");
  EXPECT_EQ(e.details, R"({"users":2})");
  EXPECT_EQ(Events("user_disable"), 4);
}

}  // namespace access_test
}  // namespace riskradar::access

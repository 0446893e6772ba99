// Information-governance review through the real server (issue 11 items 7 and 9): each IG lead sees the
// break-glass use and audit events of their own agency's people and records only, unless their agency is
// configured partnership-wide; asking for more is refused and audited; and a break-glass use judged
// inappropriate ends the grant at once.
#include <set>

#include "server_fixture.h"

namespace riskradar::server {
namespace ig_scope_test {

class IgScopeTest : public ServerFixture {
 protected:
  static void SetUpTestSuite() {
    // The police (wmp) host the partnership: their IG lead is configured to review all of it.
    tune_options_ = [](ServerOptions& o) { o.partnership_ig_agencies = {"wmp"}; };
    ServerFixture::SetUpTestSuite();
  }
  void SetUp() override {
    if (grant_ != 0) return;
    // Once per suite: the health practitioner (no agreement with the police) breaks glass on child 2, whose
    // records only the police hold; the council practitioner reads child 1 (allowed by the agreement).
    Session nhs = Login("nhs-practitioner");
    auto g = Post(nhs, "/api/children/2/break-glass", {{"reason", "child missing tonight, police not reachable"}});
    ASSERT_TRUE(g);
    ASSERT_EQ(g->status, 201) << g->body;
    grant_ = json::parse(g->body)["grant"].get<int64_t>();
    Session bcc = Login("bcc-practitioner");
    ASSERT_EQ(Get(bcc, "/api/children/1")->status, 200);
  }

  static json Body(const httplib::Result& r) { return r ? json::parse(r->body, nullptr, false) : json(); }
  std::set<int64_t> GrantIds(const Session& s, const std::string& query = "") {
    auto r = Get(s, "/api/break-glass?all=1" + query);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    std::set<int64_t> ids;
    const json body = Body(r);  // kept alive for the loop
    for (const auto& g : body["grants"]) ids.insert(g["id"].get<int64_t>());
    return ids;
  }
  json Events(const Session& s, const std::string& query = "") {
    auto r = Get(s, "/api/audit?limit=1000" + query);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return Body(r);
  }

  static inline int64_t grant_ = 0;
};

TEST_F(IgScopeTest, BreakGlassListIsScopedToTheAgenciesAlerted) {
  EXPECT_EQ(GrantIds(Login("nhs-ig_lead")).count(grant_), 1u);  // their own practitioner's use
  // The council neither made the grant nor holds records on child 2: nothing to review, nothing shown.
  Session bcc_ig = Login("bcc-ig_lead");
  EXPECT_EQ(GrantIds(bcc_ig).count(grant_), 0u);
  auto r = Get(bcc_ig, "/api/break-glass?all=1");
  EXPECT_EQ(Body(r)["scope"], "bcc");
  // The police hold the records and are partnership-wide: they see it either way.
  Session wmp_ig = Login("wmp-ig_lead");
  EXPECT_EQ(GrantIds(wmp_ig).count(grant_), 1u);
  EXPECT_EQ(GrantIds(wmp_ig, "&scope=agency").count(grant_), 1u);
}

TEST_F(IgScopeTest, AuditEventsAreScopedToOwnPeopleAndRecords) {
  Session bcc_ig = Login("bcc-ig_lead");
  const json bcc = Events(bcc_ig);
  EXPECT_EQ(bcc["scope"], "bcc");
  ASSERT_FALSE(bcc["events"].empty());
  bool saw_own_read = false;
  for (const auto& e : bcc["events"]) {
    // The council holds records on nobody here: only its own users' events.
    EXPECT_EQ(e["agency"], "bcc") << e.dump();
    saw_own_read = saw_own_read || (e["user"] == "bcc-practitioner" && e["action"] == "read_child");
  }
  EXPECT_TRUE(saw_own_read);
  // The health IG lead sees their practitioner's break-glass, and nothing by the council.
  Session nhs_ig = Login("nhs-ig_lead");
  const json nhs = Events(nhs_ig);
  bool saw_break_glass = false;
  for (const auto& e : nhs["events"]) {
    EXPECT_NE(e["agency"], "bcc") << e.dump();
    saw_break_glass = saw_break_glass || (e["user"] == "nhs-practitioner" && e["action"] == "break_glass");
  }
  EXPECT_TRUE(saw_break_glass);
  // The police, scoped to their agency, also see other agencies' users acting on persons they hold
  // records on (the council's read of child 1, the health break-glass on child 2) but not the council's
  // own sign-ins.
  Session wmp_ig = Login("wmp-ig_lead");
  const json wmp = Events(wmp_ig, "&scope=agency");
  EXPECT_EQ(wmp["scope"], "wmp");
  bool saw_council_read = false, saw_council_login = false;
  for (const auto& e : wmp["events"]) {
    saw_council_read = saw_council_read || (e["user"] == "bcc-practitioner" && e["target"] == "person:1");
    saw_council_login = saw_council_login || (e["user"] == "bcc-practitioner" && e["action"] == "login");
  }
  EXPECT_TRUE(saw_council_read);
  EXPECT_FALSE(saw_council_login);
  // Partnership-wide (configured for wmp): the council's sign-ins too.
  const json all = Events(wmp_ig);
  EXPECT_EQ(all["scope"], "partnership");
  bool wide_login = false;
  for (const auto& e : all["events"])
    wide_login = wide_login || (e["user"] == "bcc-practitioner" && e["action"] == "login");
  EXPECT_TRUE(wide_login);
}

TEST_F(IgScopeTest, AskingForThePartnershipWithoutTheSettingIsRefusedAndAudited) {
  Session bcc_ig = Login("bcc-ig_lead");
  const int64_t audit_before = CountAudit("read_audit", "bcc-ig_lead", "forbidden");
  const int64_t list_before = CountAudit("list_break_glass", "bcc-ig_lead", "forbidden");
  auto a = Get(bcc_ig, "/api/audit?scope=partnership");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 403) << a->body;
  auto b = Get(bcc_ig, "/api/break-glass?scope=partnership");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 403) << b->body;
  EXPECT_EQ(CountAudit("read_audit", "bcc-ig_lead", "forbidden"), audit_before + 1);
  EXPECT_EQ(CountAudit("list_break_glass", "bcc-ig_lead", "forbidden"), list_before + 1);
  EXPECT_EQ(Get(bcc_ig, "/api/audit?scope=everything")->status, 400);
}

TEST_F(IgScopeTest, BreakGlassJudgedInappropriateEndsTheGrantAtOnce) {
  Session nhs = Login("nhs-practitioner");
  auto before = Get(nhs, "/api/children/2");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 200) << before->body;  // the grant from SetUp is running
  Session nhs_ig = Login("nhs-ig_lead");
  auto review = Post(nhs_ig, "/api/break-glass/" + std::to_string(grant_) + "/review",
                     {{"outcome", "inappropriate"}, {"note", "no urgency: the police were reachable by phone"}});
  ASSERT_TRUE(review);
  ASSERT_EQ(review->status, 200) << review->body;
  auto after = Get(nhs, "/api/children/2");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 404) << after->body;
  EXPECT_EQ(after->body.find("Bea"), std::string::npos);
  // The end of the grant is in the review's audit event.
  sqlite3* db = nullptr;
  sqlite3_open(db_.c_str(), &db);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(
      db,
      "SELECT COUNT(*) FROM audit_event WHERE action = 'break_glass_review' AND user_name = 'nhs-ig_lead' "
      "AND json_extract(details, '$.grant_ended') = 1 AND json_extract(details, '$.outcome') = "
      "'inappropriate'",
      -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(q, 0), 1);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

}  // namespace ig_scope_test
}  // namespace riskradar::server

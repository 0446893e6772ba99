// Separation of duties (issue 11 item 4), attacked over the running server: the people who manage accounts
// cannot give themselves or each other access to personal data. A manager's listing of themselves, an
// administrator's new account and an administrator's reset of a practitioner take effect only when a second,
// authorised person approves; nobody approves their own request or one that benefits them; a reset or a new
// account must enrol before it can do anything, with a code neither person alone holds; two racing approvals
// apply once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <latch>
#include <mutex>
#include <thread>

#include "riskradar/server/auth.h"
#include "server_fixture.h"

namespace riskradar::server {
namespace duties_test {

int64_t SqlCount(const std::string& db, const std::string& sql, const std::string& arg = "") {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* q = nullptr;
  int64_t n = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &q, nullptr) == SQLITE_OK) {
    if (!arg.empty()) sqlite3_bind_text(q, 1, arg.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int64(q, 0);
  } else {
    ADD_FAILURE() << sqlite3_errmsg(h) << " in " << sql;
  }
  sqlite3_finalize(q);
  sqlite3_close(h);
  return n;
}

class DutiesTest : public ServerFixture {
 protected:
  // The fixture's store plus child 3 (Cara), with a council (bcc) record and a police (wmp) record, whom no
  // user has a relationship with; a second manager of the council and a second administrator of the police.
  static void SetUpTestSuite() {
    ServerFixture::SetUpTestSuite();
    if (HasFatalFailure()) return;
    AddRecord("bcc", "childrens_social_care", "cara-bcc");
    AddRecord("wmp", "police_intelligence", "cara-wmp");
    auto mentions = store_->LoadPersonMentions();
    ASSERT_TRUE(mentions.ok());
    store::LinkageOutput out;
    for (int64_t id : {1, 2, 3}) {
      Person p;
      p.id = id;
      p.display_name = id == 1 ? "Amy Synthetic" : id == 2 ? "Bea Synthetic" : "Cara Synthetic";
      p.is_child = true;
      p.district = "Birmingham";
      out.persons.push_back(p);
    }
    for (const auto& m : *mentions) {
      const std::string& f = m.mention.forename;
      out.mention_person.push_back({m.mention.id, f == "Amy" ? 1 : f == "Bea" ? 2 : 3});
    }
    ASSERT_TRUE(store_->SaveLinkage(out, store::Actor{}).ok());
    for (auto [name, agency, role] : {std::tuple{"bcc-manager2", "bcc", Role::kManager},
                                      std::tuple{"wmp-administrator2", "wmp", Role::kAdministrator}}) {
      store::User u;
      u.name = name;
      u.agency_code = agency;
      u.role = role;
      u.password_hash = *HashPassword(kPassword, PasswordHashParams::MinimumForTestsOnly());
      u.totp_secret = NewTotpSecret();
      secrets_[u.name] = u.totp_secret;
      ASSERT_TRUE(store_->AddUser(u, store::Actor{}).ok());
    }
  }

  static void AddRecord(const std::string& agency, const std::string& record_class, const std::string& local) {
    auto writer = store_->BeginBatch({agency, local + ".csv", local, "fmt", record_class, "test"});
    ASSERT_TRUE(writer.ok());
    store::ParsedRow r;
    r.record.agency_code = agency;
    r.record.local_id = local;
    r.record.line = 2;
    r.record.raw_json = "{}";
    r.record.content_hash = local;
    r.record.record_class = record_class;
    r.record.lawful_basis = "test";
    r.subject.forename = "Cara";
    r.subject.surname = "Synthetic";
    r.subject.local_person_id = local;
    r.event.kind = EventKind::kMissingEpisode;
    r.event.category = "missing_overnight";
    r.event.date = *Date::FromYmd(2025, 3, 9);
    r.event.detail = "synthetic detail";
    ASSERT_TRUE((*writer)->AddRow(r).ok());
    ASSERT_TRUE((*writer)->Commit({1, 1, 0, 0}, store::Actor{}).ok());
  }

  static json Body(const httplib::Result& r) { return r ? json::parse(r->body, nullptr, false) : json(); }

  // The number of events of child `id` the session is shown (0 for a refusal).
  int64_t EventsShown(const Session& s, int64_t id) {
    auto r = Get(s, "/api/children/" + std::to_string(id));
    if (!r || r->status != 200) return 0;
    return static_cast<int64_t>(Body(r).value("events", json::array()).size());
  }

  httplib::Result DecideRequest(const Session& s, int64_t id, const std::string& verb) {
    return Post(s, "/api/approvals/" + std::to_string(id) + "/" + verb, {{"note", "checked with the team lead"}});
  }

  static int64_t CountOutcome(const std::string& action, const std::string& user, const std::string& outcome) {
    return CountAudit(action, user, outcome);
  }
};

TEST_F(DutiesTest, AManagerListingThemselvesSeesNothingMoreUntilASecondAuthorisedPersonApproves) {
  Session manager = Login("bcc-manager");
  ASSERT_EQ(EventsShown(manager, 3), 1);  // the council's own record only
  auto asked =
      Post(manager, "/api/children/3/relationships",
           {{"user", "bcc-manager"}, {"kind", "mase_listing"}, {"reason", "listed at tonight's MASE meeting"}});
  ASSERT_EQ(asked->status, 202) << asked->body;
  const int64_t id = Body(asked)["request"]["id"];
  EXPECT_EQ(Body(asked)["request"]["state"], "pending");
  EXPECT_EQ(EventsShown(manager, 3), 1) << "a request gives no access";
  EXPECT_EQ(SqlCount(db_, "SELECT COUNT(*) FROM care_relationship WHERE person_id = 3"), 0);

  // Self-approval: refused and audited.
  auto self = DecideRequest(manager, id, "approve");
  EXPECT_EQ(self->status, 403) << self->body;
  EXPECT_EQ(CountOutcome("approval_approve", "bcc-manager", "own_request"), 1);
  // A second manager of the same agency may approve (the council holds records on the child), but not a
  // request for themselves; a manager of an agency holding no record on the child may not at all (404).
  Session other_manager = Login("bcc-manager2");
  auto for_other = Post(other_manager, "/api/children/3/relationships",
                        {{"user", "bcc-manager"}, {"kind", "allocated_case"}, {"reason", "allocating my colleague"}});
  ASSERT_EQ(for_other->status, 202) << for_other->body;
  auto beneficiary = DecideRequest(manager, Body(for_other)["request"]["id"], "approve");
  EXPECT_EQ(beneficiary->status, 403) << beneficiary->body;
  EXPECT_EQ(CountOutcome("approval_approve", "bcc-manager", "beneficiary"), 1);
  auto outsider = DecideRequest(Login("nhs-manager"), id, "approve");
  EXPECT_EQ(outsider->status, 404);
  EXPECT_EQ(outsider->body, DecideRequest(Login("nhs-manager"), 987654, "approve")->body) << "like a missing one";
  // Administrators approve accounts, never access to a child.
  EXPECT_EQ(DecideRequest(Login("wmp-administrator"), id, "approve")->status, 404);
  EXPECT_EQ(EventsShown(manager, 3), 1);

  // The police IG lead (the police hold a record on Cara) approves: now the listing opens the police record,
  // under the agreement wmp -> bcc.
  auto approved = DecideRequest(Login("wmp-ig_lead"), id, "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(EventsShown(manager, 3), 2);
  EXPECT_EQ(CountOutcome("approval_approve", "wmp-ig_lead", "ok"), 1);
  EXPECT_EQ(SqlCount(db_,
                     "SELECT COUNT(*) FROM care_relationship c JOIN app_user u ON u.id = c.user_id "
                     "WHERE u.name = 'bcc-manager' AND c.person_id = 3 AND c.kind = 'mase_listing' "
                     "AND c.ended_at IS NULL"),
            1);
  // Decided once: a second decision finds it no longer pending.
  EXPECT_EQ(DecideRequest(Login("bcc-manager2"), id, "reject")->status, 409);

  // Every step is listed for review, with its decision, to the approvers in scope.
  auto listed = Get(Login("wmp-ig_lead"), "/api/approvals?all=1");
  ASSERT_EQ(listed->status, 200);
  bool seen = false;
  const json requests = Body(listed)["requests"];
  for (const auto& r : requests) {
    if (r["id"] == id) {
      seen = true;
      EXPECT_EQ(r["state"], "approved");
      EXPECT_EQ(r["decided_by"], "wmp-ig_lead");
      EXPECT_EQ(r["requested_by"], "bcc-manager");
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(Get(Login("nhs-ig_lead"), "/api/approvals?all=1")->body.find("bcc-manager"), std::string::npos);
}

TEST_F(DutiesTest, AnAdministratorsResetOfAPractitionerHandsOverNoWorkingCredentials) {
  Session admin = Login("wmp-administrator");
  auto asked = Post(admin, "/api/users/wmp-practitioner/reset", {{"reason", "practitioner locked out"}});
  ASSERT_EQ(asked->status, 202) << asked->body;
  const json a = Body(asked);
  EXPECT_FALSE(a.contains("password"));
  EXPECT_FALSE(a.contains("totp_secret"));
  const std::string part_a = a["enrolment_code_part"];
  // The administrator cannot approve their own reset, nor can the practitioner.
  EXPECT_EQ(DecideRequest(admin, a["request"]["id"], "approve")->status, 403);
  auto approved = DecideRequest(Login("wmp-ig_lead"), a["request"]["id"], "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  const std::string part_b = Body(approved)["enrolment_code_part"];
  // The requester's half is the account's Argon2id password hash, the approver's half a fast hash of 120
  // random bits: an enrolling sign-in does one Argon2id verification, as every other sign-in does, so its
  // time does not tell an account that must enrol.
  auto stored = store_->FindUser("wmp-practitioner");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_TRUE((*stored)->must_enrol);
  EXPECT_EQ((*stored)->password_hash.rfind("$argon2id$", 0), 0u) << (*stored)->password_hash;
  EXPECT_EQ((*stored)->enrol_hash.rfind("blake2b$", 0), 0u) << (*stored)->enrol_hash;
  EXPECT_TRUE(VerifyPassword((*stored)->password_hash, part_a));
  EXPECT_TRUE(VerifyRandomSecret((*stored)->enrol_hash, part_b));

  // With what the administrator holds, nobody signs in as the practitioner: not the half, not the old
  // password, not the half twice.
  for (const std::string& tried : {part_a, std::string(kPassword), part_a + part_a}) {
    now_ += 31;
    auto r = PostLogin("wmp-practitioner", tried, *TotpCode(secrets_["wmp-practitioner"], now_));
    EXPECT_EQ(r->status, 401) << tried.size();
  }
  // Both halves together (the administrator and the IG lead colluding, or the practitioner given both) sign
  // in only to enrol: every other endpoint refuses, audited.
  now_ += 31;
  auto enrolling = PostLogin("wmp-practitioner", part_a + part_b, "000000");
  ASSERT_EQ(enrolling->status, 200) << enrolling->body;
  const json info = Body(enrolling);
  EXPECT_EQ(info["must_enrol"], true);
  const std::string cookie = enrolling->get_header_value("Set-Cookie");
  const Session s{cookie.substr(0, cookie.find(';')), info["csrf_token"]};
  EXPECT_EQ(Get(s, "/api/children/1")->status, 403);
  EXPECT_EQ(Get(s, "/api/radar")->status, 403);
  EXPECT_EQ(CountOutcome("enrol_required", "wmp-practitioner", "forbidden"), 2);
  EXPECT_EQ(Body(Get(s, "/api/session"))["must_enrol"], true);
  // A weak password or a wrong code does not enrol.
  const std::string secret = info["totp_secret"];
  EXPECT_EQ(Post(s, "/api/session/enrol", {{"password", "short"}, {"totp", *TotpCode(secret, now_)}})->status, 400);
  EXPECT_EQ(
      Post(s, "/api/session/enrol", {{"password", "a passphrase of my own choosing"}, {"totp", "000000"}})->status,
      400);
  auto done = Post(s, "/api/session/enrol",
                   {{"password", "a passphrase of my own choosing"}, {"totp", *TotpCode(secret, now_)}});
  ASSERT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(Get(s, "/api/session")->status, 401);
  // The code is spent: it no longer signs in.
  now_ += 31;
  EXPECT_EQ(PostLogin("wmp-practitioner", part_a + part_b, "000000")->status, 401);
  now_ += 31;
  auto normal = PostLogin("wmp-practitioner", "a passphrase of my own choosing", *TotpCode(secret, now_));
  ASSERT_EQ(normal->status, 200) << normal->body;
  EXPECT_EQ(Body(normal)["must_enrol"], false);
}

TEST_F(DutiesTest, TwoAdministratorsTogetherGrantAnAccountOnlyAsDocumented) {
  Session first = Login("wmp-administrator");
  auto asked = Post(first, "/api/users",
                    {{"name", "wmp-mole"}, {"role", "manager"}, {"reason", "a manager for the night team"}});
  ASSERT_EQ(asked->status, 202) << asked->body;
  const int64_t id = Body(asked)["request"]["id"];
  // Not the requester; not another agency's administrator or IG lead; not a manager.
  EXPECT_EQ(DecideRequest(first, id, "approve")->status, 403);
  EXPECT_EQ(DecideRequest(Login("bcc-administrator"), id, "approve")->status, 404);
  EXPECT_EQ(DecideRequest(Login("bcc-ig_lead"), id, "approve")->status, 404);
  EXPECT_EQ(DecideRequest(Login("wmp-manager"), id, "approve")->status, 404);
  // A second administrator of the agency may (documented in docs/security.md: two administrators acting
  // together can create an account; both steps are audited and listed for the IG lead).
  Session second = Login("wmp-administrator2");
  auto approved = DecideRequest(second, id, "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(CountOutcome("approval_approve", "wmp-administrator2", "ok"), 1);
  EXPECT_EQ(SqlCount(db_, "SELECT must_enrol FROM app_user WHERE name = ?1", "wmp-mole"), 1);
  // Either half alone signs nobody in.
  for (const std::string& half : {Body(asked)["enrolment_code_part"].get<std::string>(),
                                  Body(approved)["enrolment_code_part"].get<std::string>()}) {
    now_ += 31;
    EXPECT_EQ(PostLogin("wmp-mole", half, "000000")->status, 401);
  }
  // And what they made gives no access to a child by itself: the new manager's listing of themselves still
  // needs an IG lead or a manager of an agency holding records on the child, which administrators are not.
  const std::string code =
      Body(asked)["enrolment_code_part"].get<std::string>() + Body(approved)["enrolment_code_part"].get<std::string>();
  now_ += 31;
  auto enrolling = PostLogin("wmp-mole", code, "000000");
  ASSERT_EQ(enrolling->status, 200);
  const std::string cookie = enrolling->get_header_value("Set-Cookie");
  const Session s{cookie.substr(0, cookie.find(';')), Body(enrolling)["csrf_token"]};
  const std::string secret = Body(enrolling)["totp_secret"];
  ASSERT_EQ(
      Post(s, "/api/session/enrol", {{"password", "the mole's own passphrase"}, {"totp", *TotpCode(secret, now_)}})
          ->status,
      200);
  now_ += 31;
  auto signed_in = PostLogin("wmp-mole", "the mole's own passphrase", *TotpCode(secret, now_));
  ASSERT_EQ(signed_in->status, 200);
  const std::string c2 = signed_in->get_header_value("Set-Cookie");
  const Session mole{c2.substr(0, c2.find(';')), Body(signed_in)["csrf_token"]};
  auto listing = Post(mole, "/api/children/3/relationships",
                      {{"user", "wmp-mole"}, {"kind", "mase_listing"}, {"reason", "listing myself for the night"}});
  ASSERT_EQ(listing->status, 202) << listing->body;
  for (const char* admin : {"wmp-administrator", "wmp-administrator2"}) {
    EXPECT_EQ(DecideRequest(Login(admin), Body(listing)["request"]["id"], "approve")->status, 404) << admin;
  }
  // The IG lead sees both steps of the grant in their review list.
  auto listed = Get(Login("wmp-ig_lead"), "/api/approvals?all=1");
  bool seen = false;
  const json requests = Body(listed)["requests"];
  for (const auto& r : requests) {
    if (r["id"] == id) {
      seen = true;
      EXPECT_EQ(r["requested_by"], "wmp-administrator");
      EXPECT_EQ(r["decided_by"], "wmp-administrator2");
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(DutiesTest, APromotionTakesASecondPersonAndForcesANewEnrolment) {
  Session admin = Login("wmp-administrator");
  auto asked = Post(admin, "/api/users/wmp-analyst/role", {{"role", "administrator"}, {"reason", "covering the team"}});
  ASSERT_EQ(asked->status, 202) << asked->body;
  const int64_t id = Body(asked)["request"]["id"];
  EXPECT_EQ(Body(asked)["request"]["kind"], "role_change");
  EXPECT_EQ(SqlCount(db_, "SELECT COUNT(*) FROM app_user WHERE name = ?1 AND role = 'analyst'", "wmp-analyst"), 1);
  EXPECT_EQ(
      Post(admin, "/api/users/wmp-administrator/role", {{"role", "manager"}, {"reason", "promote myself now"}})->status,
      409);  // not oneself
  EXPECT_EQ(DecideRequest(admin, id, "approve")->status, 403);
  auto approved = DecideRequest(Login("wmp-ig_lead"), id, "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(SqlCount(db_, "SELECT COUNT(*) FROM app_user WHERE name = ?1 AND role = 'administrator' AND must_enrol = 1",
                     "wmp-analyst"),
            1);
  // The old credentials no longer work; the two halves sign in only to enrol.
  now_ += 31;
  EXPECT_EQ(PostLogin("wmp-analyst", kPassword, *TotpCode(secrets_["wmp-analyst"], now_))->status, 401);
  now_ += 31;
  auto enrolling = PostLogin(
      "wmp-analyst",
      Body(asked)["enrolment_code_part"].get<std::string>() + Body(approved)["enrolment_code_part"].get<std::string>(),
      "000000");
  ASSERT_EQ(enrolling->status, 200) << enrolling->body;
  EXPECT_EQ(Body(enrolling)["must_enrol"], true);
  EXPECT_EQ(Body(enrolling)["role"], "administrator");
}

TEST_F(DutiesTest, TwoRacingApprovalsOfOneRequestApplyItOnce) {
  Session manager = Login("bcc-manager");
  auto asked =
      Post(manager, "/api/children/3/relationships",
           {{"user", "bcc-practitioner"}, {"kind", "allocated_case"}, {"reason", "allocated at triage today"}});
  ASSERT_EQ(asked->status, 202) << asked->body;
  const int64_t id = Body(asked)["request"]["id"];
  const std::vector<Session> approvers = {Login("wmp-ig_lead"), Login("wmp-manager"), Login("bcc-ig_lead"),
                                          Login("bcc-manager2")};
  constexpr int kClients = 16;
  std::latch start(kClients);
  std::mutex mu;
  std::map<int, int> statuses;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto r = DecideRequest(approvers[i % approvers.size()], id, "approve");
      std::lock_guard lock(mu);
      ++statuses[r ? r->status : -1];
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(statuses[200], 1);
  EXPECT_EQ(statuses[409], kClients - 1);
  EXPECT_EQ(SqlCount(db_,
                     "SELECT COUNT(*) FROM care_relationship c JOIN app_user u ON u.id = c.user_id "
                     "WHERE u.name = 'bcc-practitioner' AND c.person_id = 3"),
            1);
  EXPECT_EQ(SqlCount(db_,
                     "SELECT COUNT(*) FROM audit_event WHERE action = 'approval_approve' AND outcome = 'ok' "
                     "AND target = ?1",
                     "approval:" + std::to_string(id)),
            1);
  EXPECT_EQ(SqlCount(db_,
                     "SELECT COUNT(*) FROM audit_event WHERE action = 'approval_approve' AND outcome = 'not_pending' "
                     "AND target = ?1",
                     "approval:" + std::to_string(id)),
            kClients - 1);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem;
}

TEST_F(DutiesTest, TheRequesterWithdrawsAndNobodyElseCan) {
  Session admin = Login("bcc-administrator");
  auto asked = Post(admin, "/api/users/bcc-analyst/reset", {{"reason", "analyst asked for a reset"}});
  ASSERT_EQ(asked->status, 202) << asked->body;
  const int64_t id = Body(asked)["request"]["id"];
  auto other = Post(Login("bcc-ig_lead"), "/api/approvals/" + std::to_string(id) + "/withdraw", json::object());
  EXPECT_EQ(other->status, 404);
  auto withdrawn = Post(admin, "/api/approvals/" + std::to_string(id) + "/withdraw", json::object());
  ASSERT_EQ(withdrawn->status, 200) << withdrawn->body;
  EXPECT_EQ(Body(withdrawn)["request"]["state"], "withdrawn");
  EXPECT_EQ(DecideRequest(Login("bcc-ig_lead"), id, "approve")->status, 409);
  EXPECT_EQ(SqlCount(db_, "SELECT must_enrol FROM app_user WHERE name = ?1", "bcc-analyst"), 0);
  EXPECT_EQ(CountOutcome("approval_withdraw", "bcc-administrator", "ok"), 1);
  EXPECT_EQ(CountOutcome("approval_withdraw", "bcc-ig_lead", "refused"), 1);
}

}  // namespace duties_test
}  // namespace riskradar::server

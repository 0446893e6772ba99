// Professional judgement through the running server (api_judgement.cc, access/judgement.h): the trajectory,
// screenings, overrides with If-Match (one winner of a race), the caseload and case notes, and the attacks:
// an insider without a relationship gets what a missing id gets, a role that may not override is refused and
// audited, a practitioner cannot override a child they cannot see, every write is audited once.
//
// On the directory fixture (directory_fixture.h): child 1 Amy (wmp records; every user related), child 2 Bea
// (wmp; nobody related), person 3 Carl (adult, wmp + nhs), child 4 Dee (bcc), place 1 (hotel). Agreements
// wmp -> bcc (every class) and bcc -> wmp (child_protection only).
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "directory_fixture.h"

namespace riskradar::server {
namespace judgement_test {

class JudgementTest : public DirectoryFixture {
 protected:
  static json Body(const httplib::Result& r) { return json::parse(r->body, nullptr, false); }

  httplib::Result Send(const Session& s, const std::string& path, const json& body, const std::string& if_match = "") {
    httplib::Headers h{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
    if (!if_match.empty()) h.emplace("If-Match", if_match);
    return Client().Post(path.c_str(), h, body.dump(), "application/json");
  }

  static int64_t Count(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }
  static int64_t Assessments(int64_t child) {
    return Count("SELECT COUNT(*) FROM assessment WHERE person_id = " + std::to_string(child));
  }
  static int64_t Audited(const std::string& action, const std::string& outcome) {
    return Count("SELECT COUNT(*) FROM audit_event WHERE action = '" + action + "' AND outcome = '" + outcome + "'");
  }

  // The ETag of child `id`'s trajectory as `s` reads it.
  std::string ETagOf(const Session& s, int64_t id) {
    auto r = Get(s, "/api/children/" + std::to_string(id) + "/assessments");
    EXPECT_EQ(r->status, 200) << r->body;
    return r->get_header_value("ETag");
  }
};

const json kReason = "Disclosed to the school nurse; strategy meeting today";

TEST_F(JudgementTest, TheTrajectoryShowsEveryAssessmentAndAnOverrideAppendsOne) {
  const Session p = Login("wmp-practitioner");
  auto before = Get(p, "/api/children/1/assessments");
  ASSERT_EQ(before->status, 200) << before->body;
  const json t0 = Body(before);
  const size_t n = t0["assessments"].size();
  ASSERT_GE(n, 1u);
  const std::string etag = before->get_header_value("ETag");
  EXPECT_EQ(etag, "\"" + std::to_string(t0["current"]["assessment_id"].get<int64_t>()) + "\"");
  const std::string from = t0["current"]["level"];
  const std::string to = from == "serious" ? "at_risk" : "serious";

  auto r = Send(p, "/api/children/1/override", {{"level", to}, {"reason", kReason}}, etag);
  ASSERT_EQ(r->status, 201) << r->body;
  const json made = Body(r);
  EXPECT_EQ(made["kind"], "override");
  EXPECT_EQ(made["level"], to);
  EXPECT_EQ(made["model_level"], t0["current"]["model_level"]) << "the model's level stays beside the override";
  EXPECT_EQ(made["override"]["by"], "wmp-practitioner");
  EXPECT_EQ(made["override"]["reason"], kReason);
  EXPECT_EQ(made["made_by"], "wmp-practitioner");
  EXPECT_FALSE(made["next_review"].is_null());
  EXPECT_EQ(r->get_header_value("ETag"), "\"" + std::to_string(made["id"].get<int64_t>()) + "\"");

  const json t1 = Body(Get(p, "/api/children/1/assessments"));
  ASSERT_EQ(t1["assessments"].size(), n + 1);
  EXPECT_EQ(t1["current"]["level"], to);
  EXPECT_EQ(t1["current"]["overridden"], true);
  EXPECT_EQ(t1["current"]["trend"], to == "serious" ? "rising" : "falling");
  EXPECT_EQ(t1["assessments"][n]["id"], made["id"]);
  // Another agency's practitioner with a relationship and an agreement sees the same trajectory.
  const json bcc = Body(Get(Login("bcc-practitioner"), "/api/children/1/assessments"));
  EXPECT_EQ(bcc["current"], t1["current"]);
}

TEST_F(JudgementTest, AnInsiderWithoutARelationshipGetsWhatAMissingIdGets) {
  // nhs has no agreement from wmp (child 1's records); bcc has one but no relationship with child 2.
  for (const auto& [user, child] : {std::pair{"nhs-practitioner", 1}, std::pair{"bcc-practitioner", 2}}) {
    SCOPED_TRACE(user);
    const Session s = Login(user);
    const std::string id = std::to_string(child);
    const int64_t refused = Audited("read_assessments", "refused"), missing = Audited("read_assessments", "not_found");
    auto hidden = Get(s, "/api/children/" + id + "/assessments");
    auto absent = Get(s, "/api/children/987654/assessments");
    EXPECT_EQ(hidden->status, 404);
    EXPECT_EQ(hidden->body, absent->body) << "byte-identical answers";
    EXPECT_EQ(Audited("read_assessments", "refused"), refused + 1);
    EXPECT_EQ(Audited("read_assessments", "not_found"), missing + 1);
    // The same for every other read and write about the child.
    const json observed = {{"observations", {{{"indicator", "disclosure"}, {"date", "2025-06-01"}, {"source", "x"}}}}};
    const int64_t rows = Assessments(child), notes = Count("SELECT COUNT(*) FROM case_note");
    for (const auto& [path, body, etag] :
         {std::tuple{"/screenings", observed, std::string()},
          std::tuple{"/override", json{{"level", "none"}, {"reason", kReason}}, std::string("\"1\"")},
          std::tuple{"/notes", json{{"text", "a note"}}, std::string()}}) {
      auto a = Send(s, "/api/children/" + id + path, body, etag);
      auto b = Send(s, std::string("/api/children/987654") + path, body, etag);
      EXPECT_EQ(a->status, 404) << path << ": " << a->body;
      EXPECT_EQ(a->body, b->body) << path;
    }
    EXPECT_EQ(Get(s, "/api/children/" + id + "/notes")->body, Get(s, "/api/children/987654/notes")->body);
    EXPECT_EQ(Assessments(child), rows) << "nothing written";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM case_note"), notes);
  }
}

TEST_F(JudgementTest, OverrideRefusalsAreAuditedAndWriteNothing) {
  const Session p = Login("wmp-practitioner");
  const std::string etag = ETagOf(p, 1);
  const int64_t rows = Assessments(1);
  const std::string current = Body(Get(p, "/api/children/1/assessments"))["current"]["level"];
  const std::string other = current == "none" ? "at_risk" : "none";  // a level the child does not have
  // A role that may not override: 403 at the route, audited forbidden.
  for (const char* user : {"wmp-analyst", "wmp-ig_lead", "wmp-administrator"}) {
    const int64_t forbidden = CountAudit("override_level", user, "forbidden");
    auto r = Send(Login(user), "/api/children/1/override", {{"level", other}, {"reason", kReason}}, etag);
    EXPECT_EQ(r->status, 403) << user;
    EXPECT_EQ(CountAudit("override_level", user, "forbidden"), forbidden + 1) << user;
  }
  // Without If-Match, with a bad level, reason or review date: nothing written, the field named.
  EXPECT_EQ(Send(p, "/api/children/1/override", {{"level", other}, {"reason", kReason}})->status, 428);
  struct Bad {
    json body;
    const char* field;
  } bad[] = {{{{"level", "medium"}, {"reason", kReason}}, "level:"},
             {{{"level", other}, {"reason", "too short"}}, "reason:"},
             {{{"level", other}, {"reason", "          "}}, "reason:"},
             {{{"level", other}, {"reason", kReason}, {"next_review", "2020-01-01"}}, "next_review:"},
             {{{"level", other}, {"reason", kReason}, {"next_review", "soon"}}, "next_review:"},
             {{{"level", other}, {"reason", kReason}, {"by", "someone-else"}}, "unexpected field 'by'"}};
  for (const Bad& b : bad) {
    auto r = Send(p, "/api/children/1/override", b.body, etag);
    EXPECT_EQ(r->status, 400) << b.body.dump();
    EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find(b.field), std::string::npos) << r->body;
  }
  // The level it already has is no override.
  auto same = Send(p, "/api/children/1/override", {{"level", current}, {"reason", kReason}}, etag);
  EXPECT_EQ(same->status, 400);
  // A stale or malformed If-Match: 412 with the current ETag.
  for (const std::string& stale : {std::string("\"1\""), "W/" + etag, std::string("*")}) {
    if (stale == etag) continue;
    auto r = Send(p, "/api/children/1/override", {{"level", other}, {"reason", kReason}}, stale);
    EXPECT_EQ(r->status, 412) << stale;
    EXPECT_EQ(r->get_header_value("ETag"), etag);
  }
  EXPECT_EQ(Assessments(1), rows);
}

// Dee (child 4, council records) has no assessment: an override has nothing to change (409, audited).
TEST_F(JudgementTest, AChildWithoutAnAssessmentCannotBeOverridden) {
  const Session s = Login("bcc-practitioner");
  const json t = Body(Get(s, "/api/children/4/assessments"));
  ASSERT_TRUE(t["assessments"].empty()) << t.dump();
  EXPECT_TRUE(t["current"].is_null());
  const int64_t before = Audited("override_level", "no_assessment");
  auto r = Send(s, "/api/children/4/override", {{"level", "serious"}, {"reason", kReason}}, "\"1\"");
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(r->body.find("record a screening first"), std::string::npos) << r->body;
  EXPECT_EQ(Audited("override_level", "no_assessment"), before + 1);
  EXPECT_EQ(Assessments(4), 0);
}

// 16 clients override the same child with the same If-Match: exactly one wins, the others get 412, each
// attempt is audited once.
TEST_F(JudgementTest, SixteenConcurrentOverridesOneWinner) {
  const Session sessions[] = {Login("wmp-practitioner"), Login("wmp-manager")};
  const std::string etag = ETagOf(sessions[0], 1);
  const std::string current = Body(Get(sessions[0], "/api/children/1/assessments"))["current"]["level"];
  const std::string to = current == "none" ? "at_risk" : "none";
  const int64_t rows = Assessments(1);
  const int64_t events = Count("SELECT COUNT(*) FROM audit_event WHERE action = 'override_level'");
  constexpr int kClients = 16;
  std::vector<int> status(kClients, 0);
  std::latch start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      const Session& s = sessions[i % 2];
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(60, 0);
      httplib::Headers h{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}, {"If-Match", etag}};
      const json body = {{"level", to}, {"reason", "concurrent override " + std::to_string(i) + " of sixteen"}};
      start.arrive_and_wait();
      auto r = c.Post("/api/children/1/override", h, body.dump(), "application/json");
      status[i] = r ? r->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  int winners = 0, stale = 0;
  for (int st : status) {
    if (st == 201)
      ++winners;
    else if (st == 412)
      ++stale;
    else
      ADD_FAILURE() << "unexpected status " << st;
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(stale, kClients - 1);
  EXPECT_EQ(Assessments(1), rows + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'override_level'"), events + kClients);
}

TEST_F(JudgementTest, AScreeningIsValidatedScoredAndKeepsACurrentOverride) {
  const Session p = Login("wmp-practitioner");
  const int64_t rows = Assessments(4);
  const std::string path = "/api/children/1/screenings";
  struct Bad {
    json body;
    const char* field;
  } bad[] = {
      {{{"observations", json::array()}}, "observations:"},
      {{{"observations", {{{"indicator", "flying"}, {"date", "2025-06-01"}, {"source", "school"}}}}},
       "observations[0].indicator: 'flying' is not an indicator"},
      {{{"observations", {{{"indicator", "disclosure"}, {"date", "2030-01-01"}, {"source", "school"}}}}},
       "observations[0].date: 2030-01-01 is after today"},
      {{{"observations", {{{"indicator", "disclosure"}, {"date", "2023-01-01"}, {"source", "school"}}}}},
       "observations[0].date: 2023-01-01 is more than a year"},
      {{{"observations", {{{"indicator", "disclosure"}, {"date", "1 June"}, {"source", "school"}}}}},
       "observations[0].date: a date"},
      {{{"observations", {{{"indicator", "disclosure"}, {"date", "2025-06-01"}, {"source", " "}}}}},
       "observations[0].source:"},
      {{{"observations", {{{"indicator", "disclosure"}, {"date", "2025-06-01"}}}}}, "observations[0].source: required"},
      {{{"observations", {{{"indicator", "disclosure"}, {"date", "2025-06-01"}, {"source", "x"}, {"level", "none"}}}}},
       "observations[0]: unexpected field 'level'"},
      {{{"observations", json::array()}, {"level", "serious"}}, "unexpected field 'level'"},
  };
  const int64_t child1 = Assessments(1);
  for (const Bad& b : bad) {
    auto r = Send(p, path, b.body);
    EXPECT_EQ(r->status, 400) << b.body.dump();
    EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find(b.field), std::string::npos) << r->body;
  }
  EXPECT_EQ(Assessments(1), child1) << "nothing written";

  // An override first, then a screening: the screening's assessment keeps the override beside its model level.
  const std::string etag = ETagOf(p, 1);
  const std::string current = Body(Get(p, "/api/children/1/assessments"))["current"]["level"];
  const std::string to = current == "serious" ? "at_risk" : "serious";
  ASSERT_EQ(Send(p, "/api/children/1/override", {{"level", to}, {"reason", kReason}}, etag)->status, 201);
  const int64_t screened = Audited("record_screening", "ok");
  auto r = Send(p, path,
                {{"observations",
                  {{{"indicator", "unexplained_gifts_money"}, {"date", "2025-06-01"}, {"source", "school"}},
                   {{"indicator", "disclosure"}, {"date", "2025-06-10"}, {"source", "school nurse"}}}}});
  ASSERT_EQ(r->status, 201) << r->body;
  const json made = Body(r);
  EXPECT_EQ(made["kind"], "screening");
  EXPECT_EQ(made["made_by"], "wmp-practitioner");
  EXPECT_EQ(made["level"], to) << "the override is kept until its review date";
  EXPECT_EQ(made["override"]["reason"], kReason);
  const std::vector<std::string> indicators = made["indicators"];
  EXPECT_NE(std::find(indicators.begin(), indicators.end(), "disclosure"), indicators.end());
  EXPECT_NE(std::find(indicators.begin(), indicators.end(), "unexplained_gifts_money"), indicators.end());
  bool observed = false;
  for (const json& line : made["explanation"]) {
    observed = observed || line.get<std::string>().find("observed by a practitioner 1 time") != std::string::npos;
  }
  EXPECT_TRUE(observed) << made.dump();
  EXPECT_EQ(Audited("record_screening", "ok"), screened + 1);
  const json t = Body(Get(p, "/api/children/1/assessments"));
  ASSERT_FALSE(t["screenings"].empty());
  const json& last = t["screenings"].back();
  EXPECT_EQ(last["assessment_id"], made["id"]);
  EXPECT_EQ(last["agency"], "wmp");
  EXPECT_EQ(last["observations"][1]["source"], "school nurse");
  EXPECT_EQ(Assessments(4), rows);
}

TEST_F(JudgementTest, CaseloadsAreOwnCasesOrTheTeamsOnlyOfChildrenTheViewerMaySee) {
  const json own = Body(Get(Login("wmp-practitioner"), "/api/caseload"));
  EXPECT_EQ(own["scope"], "own");
  std::set<int64_t> ids;
  for (const json& c : own["children"]) {
    ids.insert(c["child_id"].get<int64_t>());
    EXPECT_EQ(c["allocated_to"], "wmp-practitioner");
    EXPECT_EQ(c["open_alerts"], 0);
  }
  EXPECT_TRUE(ids.count(1));
  EXPECT_FALSE(ids.count(2)) << "no relationship with Bea";
  const json amy =
      *std::find_if(own["children"].begin(), own["children"].end(), [](const json& c) { return c["child_id"] == 1; });
  EXPECT_EQ(amy["name"], "Amy Synthetic");
  EXPECT_FALSE(amy["level"].is_null());
  EXPECT_FALSE(amy["next_review"].is_null() && amy["assessed_on"].is_null());

  // The NHS practitioner is allocated Amy but may see none of her (police) records: counted, not shown.
  const json nhs = Body(Get(Login("nhs-practitioner"), "/api/caseload"));
  for (const json& c : nhs["children"]) EXPECT_NE(c["child_id"], 1);
  EXPECT_GE(nhs["hidden"].get<int64_t>(), 1);

  // A manager sees the cases of every user of their agency.
  const json team = Body(Get(Login("wmp-manager"), "/api/caseload"));
  EXPECT_EQ(team["scope"], "team");
  std::set<std::string> holders;
  for (const json& c : team["children"]) holders.insert(c["allocated_to"]);
  EXPECT_TRUE(holders.count("wmp-practitioner"));
  EXPECT_TRUE(holders.count("wmp-analyst"));
  EXPECT_FALSE(holders.count("bcc-practitioner"));

  EXPECT_EQ(Get(Login("wmp-analyst"), "/api/caseload")->status, 403);
  EXPECT_GE(Audited("read_caseload", "ok"), 3);
}

TEST_F(JudgementTest, CaseNotesFollowTheRecordRule) {
  const Session bcc = Login("bcc-practitioner"), wmp = Login("wmp-practitioner");
  const std::string text = "Home visit: Amy was at home and well.\nNext visit in a week.";
  auto w = Send(bcc, "/api/children/1/notes", {{"text", text}});
  ASSERT_EQ(w->status, 201) << w->body;
  const json note = Body(w);
  EXPECT_EQ(note["agency"], "bcc");
  EXPECT_EQ(note["author"], "bcc-practitioner");
  EXPECT_EQ(note["text"], text);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_event WHERE action = 'add_case_note' AND details LIKE '%Home visit%'"), 0)
      << "the audit log keeps the note's id, never its text";

  auto ids_of = [&](const Session& s, const std::string& path) {
    std::set<int64_t> out;
    auto r = Get(s, path);
    EXPECT_EQ(r->status, 200) << r->body;
    const json body = Body(r);
    for (const json& n : body["notes"]) out.insert(n["id"].get<int64_t>());
    return out;
  };
  const int64_t id = note["id"];
  EXPECT_TRUE(ids_of(Login("bcc-manager"), "/api/children/1/notes").count(id)) << "own agency";
  // bcc -> wmp shares child_protection only: a case_note of bcc's is not shared with the police.
  EXPECT_FALSE(ids_of(wmp, "/api/children/1/notes").count(id));

  // Text and kind rules: the field named, nothing written.
  const int64_t notes = Count("SELECT COUNT(*) FROM case_note");
  for (const json& bad : {json{{"text", ""}}, json{{"text", std::string(4001, 'x')}}, json{{"text", "a\x01z"}},
                          json::object(), json{{"text", "x"}, {"agency", "wmp"}}}) {
    auto r = Send(bcc, "/api/children/1/notes", bad);
    EXPECT_EQ(r->status, 400) << bad.dump();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_note"), notes);

  // A person: Carl (police and NHS records). A place: own agency's notes only.
  ASSERT_EQ(Send(wmp, "/api/people/3/notes", {{"text", "Seen at the hotel again"}})->status, 201);
  EXPECT_EQ(ids_of(Login("nhs-manager"), "/api/people/3/notes").size(), 0u);
  auto place = Send(wmp, "/api/places/1/notes", {{"text", "Licensing visit booked"}});
  ASSERT_EQ(place->status, 201) << place->body;
  const int64_t place_note = Body(place)["id"];
  EXPECT_TRUE(ids_of(Login("wmp-manager"), "/api/places/1/notes").count(place_note));
  EXPECT_FALSE(ids_of(bcc, "/api/places/1/notes").count(place_note));
  EXPECT_EQ(Get(wmp, "/api/places/987654/notes")->status, 404);
  EXPECT_EQ(Send(Login("wmp-analyst"), "/api/places/1/notes", {{"text", "x"}})->status, 403);
}

}  // namespace judgement_test
}  // namespace riskradar::server

// The practice workflow against the running server (api_practice.cc, access/practice.h): actions with If-Match
// (a race gives exactly one winner), need-to-know on lists and writes (a hidden child answered like a missing
// id), validation naming the field and hostile strings, a MASE meeting whose chair cannot list themselves
// (separation of duties), its close ending the listings, and practitioner alerts raised once and acknowledged.
#include <gtest/gtest.h>

#include <functional>
#include <thread>
#include <vector>

#include "riskradar/practice/practice.h"
#include "server_fixture.h"

namespace riskradar::server {
namespace practice_test {

class PracticeTest : public ServerFixture {
 protected:
  httplib::Result Patch(const Session& s, const std::string& path, const json& body, const std::string& if_match) {
    httplib::Headers h = {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
    if (!if_match.empty()) h.emplace("If-Match", if_match);
    return Client().Patch(path.c_str(), h, body.dump(), "application/json");
  }
  // A list of the answer's body, owned (a range-for over a temporary's member would read freed memory).
  static json Items(const std::string& body, const char* key) { return json::parse(body, nullptr, false)[key]; }
  static std::string Message(const httplib::Result& r) {
    return json::parse(r->body, nullptr, false)["error"].value("message", "");
  }
  static int64_t CountActionTarget(const std::string& action, const std::string& outcome) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM audit_event WHERE action = ?1 AND outcome = ?2", -1, &q, nullptr);
    sqlite3_bind_text(q, 1, action.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, outcome.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }
  json NewAction(int64_t child, const std::string& due = "2025-09-01") {
    return {{"title", "Return home interview"},
            {"owner_agency", "wmp"},
            {"owner_user", "wmp-practitioner"},
            {"due", due},
            {"link_kind", "child"},
            {"link_id", std::to_string(child)}};
  }
};

TEST_F(PracticeTest, IfMatchRaceOnAnActionHasExactlyOneWinner) {
  const Session s = Login("wmp-practitioner");
  auto created = Post(s, "/api/actions", NewAction(2));
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->get_header_value("ETag"), "\"1\"");
  const std::string path = "/api/actions/" + std::to_string(json::parse(created->body)["id"].get<int64_t>());
  EXPECT_EQ(Patch(s, path, {{"status", "done"}}, "")->status, 428);
  const int64_t ok_before = CountActionTarget("action_update", "ok");
  const int64_t stale_before = CountActionTarget("action_update", "stale");
  constexpr int kWriters = 8;
  std::vector<int> status(kWriters, 0);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      auto r = Patch(s, path, {{"status", "done"}}, "\"1\"");
      status[i] = r ? r->status : -1;
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(std::count(status.begin(), status.end(), 200), 1) << ::testing::PrintToString(status);
  EXPECT_EQ(std::count(status.begin(), status.end(), 412), kWriters - 1) << ::testing::PrintToString(status);
  EXPECT_EQ(CountActionTarget("action_update", "ok"), ok_before + 1);
  EXPECT_EQ(CountActionTarget("action_update", "stale"), stale_before + kWriters - 1);
  // Reopening needs a reason; the current ETag is "2".
  auto reopen = Patch(s, path, {{"status", "open"}}, "\"2\"");
  EXPECT_EQ(reopen->status, 400);
  EXPECT_NE(Message(reopen).find("status_reason"), std::string::npos) << reopen->body;
  auto reopened = Patch(s, path, {{"status", "open"}, {"status_reason", "the interview was missed"}}, "\"2\"");
  EXPECT_EQ(reopened->status, 200) << reopened->body;
  EXPECT_EQ(reopened->get_header_value("ETag"), "\"3\"");
}

TEST_F(PracticeTest, AHiddenChildsActionsAreAnsweredLikeMissingOnes) {
  const Session police = Login("wmp-practitioner");
  auto created = Post(police, "/api/actions", NewAction(2));
  ASSERT_EQ(created->status, 201) << created->body;
  const int64_t id = json::parse(created->body)["id"];
  // The council sees police records under the agreement, but has no relationship with child 2.
  const Session council = Login("bcc-practitioner");
  auto list = Get(council, "/api/actions");
  ASSERT_EQ(list->status, 200);
  for (const auto& a : Items(list->body, "actions")) EXPECT_NE(a["id"], id) << "a hidden child's action";
  auto hidden = Patch(council, "/api/actions/" + std::to_string(id), {{"status", "done"}}, "\"1\"");
  auto missing = Patch(council, "/api/actions/987654", {{"status", "done"}}, "\"1\"");
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Message(hidden), Message(missing));
  EXPECT_GE(CountAudit("action_update", "bcc-practitioner", "refused"), 1);
  EXPECT_GE(CountAudit("action_update", "bcc-practitioner", "not_found"), 1);
  auto add = Post(council, "/api/actions", NewAction(2));
  EXPECT_EQ(add->status, 404) << "nobody records an action about a child they may not see";
  // Child 1 is related to everyone: the council sees it and may add an action for its own agency.
  json own = NewAction(1);
  own["owner_agency"] = "bcc";
  own["owner_user"] = "bcc-practitioner";
  EXPECT_EQ(Post(council, "/api/actions", own)->status, 201);
  // But not change the police's action about child 1 (visible, another agency's).
  auto police_action = Post(police, "/api/actions", NewAction(1));
  ASSERT_EQ(police_action->status, 201);
  auto foreign = Patch(council, "/api/actions/" + std::to_string(json::parse(police_action->body)["id"].get<int64_t>()),
                       {{"status", "done"}}, "\"1\"");
  EXPECT_EQ(foreign->status, 403) << foreign->body;
}

TEST_F(PracticeTest, BadAndHostileInputIsRefusedNamingTheFieldAndWritesNothing) {
  const Session s = Login("wmp-practitioner");
  auto before = Get(s, "/api/actions");
  const size_t count = json::parse(before->body)["actions"].size();
  struct Case {
    const char* field;
    std::string value;
    const char* named;
  };
  const std::vector<Case> cases = {
      {"title", "ab", "title:"},
      {"title", std::string(201, 'x'), "title:"},
      {"title", "red \x1b[31m alert", "title: control characters"},
      {"due", "2026-02-30", "due:"},
      {"due", "tomorrow", "due:"},
      {"link_kind", "bogus", "link_kind:"},
      {"link_id", "-1", "link_id:"},
      {"link_id", "1; DROP TABLE practice_action", "link_id:"},
      {"owner_agency", "nowhere", "owner_agency:"},
      {"owner_user", "bcc-practitioner", "owner_user:"},
  };
  for (const Case& c : cases) {
    json body = NewAction(2);
    body[c.field] = c.value;
    auto r = Post(s, "/api/actions", body);
    EXPECT_EQ(r->status, 400) << c.field << " " << r->body;
    EXPECT_NE(Message(r).find(c.named), std::string::npos) << c.field << ": " << Message(r);
  }
  json smuggled = NewAction(2);
  smuggled["created_by"] = "someone-else";
  EXPECT_EQ(Post(s, "/api/actions", smuggled)->status, 400);
  EXPECT_EQ(json::parse(Get(s, "/api/actions")->body)["actions"].size(), count) << "nothing was half-written";
  // SQL is data: a hostile title is stored and answered as it was given.
  json hostile = NewAction(2);
  hostile["title"] = "'); DROP TABLE practice_action; -- <script>alert(1)</script>";
  auto stored = Post(s, "/api/actions", hostile);
  ASSERT_EQ(stored->status, 201) << stored->body;
  EXPECT_EQ(json::parse(stored->body)["title"], hostile["title"]);
  EXPECT_EQ(json::parse(Get(s, "/api/actions")->body)["actions"].size(), count + 1);
}

TEST_F(PracticeTest, TheChairCannotListThemselvesAndClosingEndsTheListings) {
  const Session chair = Login("wmp-manager");
  auto created = Post(
      chair, "/api/mase/meetings",
      {{"district", "Birmingham"}, {"date", "2025-07-01"}, {"chair", "wmp-manager"}, {"panel", "bcc-practitioner"}});
  ASSERT_EQ(created->status, 201) << created->body;
  const json meeting = json::parse(created->body);
  // The radar proposes both children (significant, first assessment); everyone already has child 1.
  ASSERT_EQ(meeting["agenda"].size(), 2u) << meeting.dump();
  EXPECT_EQ(meeting["agenda"][0]["reasons"], json::array({"new_significant"}));
  EXPECT_EQ(meeting["listing_requests"], 2) << "child 2: the chair and the council practitioner";
  // The chair's own listing request is theirs to neither approve nor wave through.
  auto approvals = Get(chair, "/api/approvals");
  ASSERT_EQ(approvals->status, 200) << approvals->body;
  int64_t own = 0, council = 0;
  for (const auto& r : Items(approvals->body, "requests")) {
    if (r["kind"] != "mase_listing") continue;
    if (r["subject"] == "wmp-manager") own = r["id"];
    if (r["subject"] == "bcc-practitioner") council = r["id"];
  }
  ASSERT_NE(own, 0) << approvals->body;
  ASSERT_NE(council, 0);
  auto self = Post(chair, "/api/approvals/" + std::to_string(own) + "/approve", {{"note", "I chair this panel"}});
  EXPECT_EQ(self->status, 403) << self->body;
  auto self_other = Post(chair, "/api/approvals/" + std::to_string(council) + "/approve", {{"note", "as chair"}});
  EXPECT_EQ(self_other->status, 403) << "the chair requested it: " << self_other->body;
  // Another person in scope (the police IG lead: the police hold child 2's records) approves the council's.
  const Session ig = Login("wmp-ig_lead");
  auto approved = Post(ig, "/api/approvals/" + std::to_string(council) + "/approve", {{"note", "panel member"}});
  ASSERT_EQ(approved->status, 200) << approved->body;
  const Session member = Login("bcc-practitioner");
  EXPECT_EQ(Get(member, "/api/children/2")->status, 200) << "listed for the meeting's period";
  // Minutes, then close: the listing ends with the meeting.
  const std::string path = "/api/mase/meetings/" + std::to_string(meeting["id"].get<int64_t>());
  const std::string item = path + "/agenda/" + std::to_string(meeting["agenda"][1]["id"].get<int64_t>());
  auto minutes = Post(chair, item + "/minutes", {{"minutes", "Strategy meeting agreed; CAWN to be considered."}});
  ASSERT_EQ(minutes->status, 200) << minutes->body;
  EXPECT_EQ(Post(member, item + "/minutes", {{"minutes", "I am not the chair"}})->status, 403);
  auto closed = Post(chair, path + "/close", json::object());
  ASSERT_EQ(closed->status, 200) << closed->body;
  EXPECT_EQ(json::parse(closed->body)["status"], "closed");
  EXPECT_EQ(Get(member, "/api/children/2")->status, 404) << "the listing ended with the meeting";
  EXPECT_EQ(Post(chair, item + "/minutes", {{"minutes", "after the close"}})->status, 409);
  // The chair's own pending request was withdrawn, not left for someone to approve later.
  auto after = Get(ig, "/api/approvals?all=1");
  for (const auto& r : Items(after->body, "requests")) {
    if (r["id"] == own) {
      EXPECT_EQ(r["state"], "withdrawn");
    }
  }
}

TEST_F(PracticeTest, AlertsAreRaisedOnceAddressedByRelationshipAndAcknowledged) {
  const Session s = Login("wmp-practitioner");
  // An overdue action about child 1 (the server's clock is mid-June 2025).
  auto created = Post(s, "/api/actions", NewAction(1, "2025-01-10"));
  ASSERT_EQ(created->status, 201) << created->body;
  const int64_t action = json::parse(created->body)["id"];
  const Date today = Date::FromDays(static_cast<int32_t>(now_.load() / 86400));
  const store::Actor stage{"alert-stage", "", "system", "alerts"};
  auto first = practice::RunAlertStage(*store_, today, {}, stage);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_GE(first->raised, 1);
  auto again = practice::RunAlertStage(*store_, today, {}, stage);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->raised, 0) << "re-running raises nothing new";
  auto mine = Get(s, "/api/alerts/mine");
  ASSERT_EQ(mine->status, 200) << mine->body;
  int64_t alert = 0;
  for (const auto& a : Items(mine->body, "alerts")) {
    if (a["kind"] == "action_overdue" && a["evidence"]["ids"] == json::array({action})) {
      alert = a["id"];
      EXPECT_EQ(a["person_id"], 1);
      EXPECT_EQ(a["evidence"]["kind"], "action");
    }
  }
  ASSERT_NE(alert, 0) << mine->body;
  // The NHS practitioner is related to child 1 but sees no police record of them: the alert is withheld.
  const Session nhs = Login("nhs-practitioner");
  for (const auto& a : Items(Get(nhs, "/api/alerts/mine")->body, "alerts")) EXPECT_NE(a["id"], alert);
  EXPECT_EQ(Post(nhs, "/api/alerts/" + std::to_string(alert) + "/acknowledge", json::object())->status, 404);
  // The caseload row of child 1 (allocated to this practitioner) counts the practitioner's open alerts about it.
  const auto open_alerts_of_child_1 = [&] {
    auto caseload = Get(s, "/api/caseload");
    EXPECT_EQ(caseload->status, 200) << caseload->body;
    for (const auto& row : Items(caseload->body, "children")) {
      if (row["child_id"] == 1) return row["open_alerts"].get<int64_t>();
    }
    ADD_FAILURE() << "child 1 is not in the caseload: " << caseload->body;
    return int64_t{-1};
  };
  const int64_t open_before = open_alerts_of_child_1();
  EXPECT_GE(open_before, 1);
  // Acknowledged once, with a note.
  auto ack = Post(s, "/api/alerts/" + std::to_string(alert) + "/acknowledge", {{"note", "interview rebooked"}});
  ASSERT_EQ(ack->status, 200) << ack->body;
  EXPECT_EQ(open_alerts_of_child_1(), open_before - 1);
  EXPECT_EQ(json::parse(ack->body)["note"], "interview rebooked");
  EXPECT_EQ(Post(s, "/api/alerts/" + std::to_string(alert) + "/acknowledge", json::object())->status, 409);
  for (const auto& a : Items(Get(s, "/api/alerts/mine")->body, "alerts")) EXPECT_NE(a["id"], alert);
  EXPECT_EQ(CountAudit("alert_acknowledge", "wmp-practitioner", "ok"), 1);
}

// The next-review date an override sets (issue 13 item 1) drives the "review overdue" alert: nothing before the
// date, one alert to the child's practitioner after it, and the same alert is not raised twice.
TEST_F(PracticeTest, AReviewPastItsDateRaisesOneAlert) {
  const Session m = Login("wmp-manager");
  auto trajectory = Get(m, "/api/children/1/assessments");
  ASSERT_EQ(trajectory->status, 200) << trajectory->body;
  httplib::Headers h = {
      {"Cookie", m.cookie}, {"X-CSRF-Token", m.csrf}, {"If-Match", trajectory->get_header_value("ETag")}};
  const json raise = {{"level", "serious"}, {"reason", "practice test: seen with an adult of concern"}};
  auto made = Client().Post("/api/children/1/override", h, raise.dump(), "application/json");
  ASSERT_EQ(made->status, 201) << made->body;
  const json made_body = json::parse(made->body);
  ASSERT_TRUE(made_body.contains("next_review")) << made->body;
  auto next_review = Date::ParseIso(made_body["next_review"].get<std::string>());
  ASSERT_TRUE(next_review.ok()) << made->body;

  const store::Actor stage{"alert-stage", "", "system", "alerts"};
  const auto review_alerts = [&] {
    int n = 0;
    for (const auto& a : Items(Get(Login("wmp-practitioner"), "/api/alerts/mine")->body, "alerts")) {
      if (a["kind"] == "review_overdue" && a["person_id"] == 1) ++n;
    }
    return n;
  };
  ASSERT_TRUE(practice::RunAlertStage(*store_, *next_review, {}, stage).ok());
  EXPECT_EQ(review_alerts(), 0) << "due today is not overdue";
  ASSERT_TRUE(practice::RunAlertStage(*store_, next_review->AddDays(1), {}, stage).ok());
  EXPECT_EQ(review_alerts(), 1);
  ASSERT_TRUE(practice::RunAlertStage(*store_, next_review->AddDays(5), {}, stage).ok());
  EXPECT_EQ(review_alerts(), 1) << "the same overdue review alerts once";
}

// The command line's practice stage (practice::RunPracticeStage) loads the events once for both of its halves. On
// two copies of this suite's store, the alert baseline set back to before every event (so the event-based alerts
// are raised too), it tracks the same disruptions and raises the same alerts to the same people, with the same
// new baseline, as ImportDisruptions and then RunAlertStage, each loading the events itself.
TEST_F(PracticeTest, TheStageInOnePassRaisesWhatItsTwoHalvesRaise) {
  const auto exec = [](const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << sql;
    sqlite3_free(error);
    sqlite3_close(db);
  };
  const auto copy = [&](const std::string& name) {
    const std::string path = (dir_ / name).string();
    exec(db_, "VACUUM INTO '" + path + "'");
    for (const char* key : {".audit-key", ".audit-key.pub"}) {
      if (fs::exists(db_ + key)) fs::copy_file(db_ + key, path + key);
    }
    exec(path,
         "INSERT INTO practice_alert_baseline (id, baseline_json, updated_at) VALUES (1, "
         "'{\"event_watermark\":0,\"levels\":{},\"links\":[]}', 'test') ON CONFLICT (id) DO UPDATE SET "
         "baseline_json = excluded.baseline_json");
    return path;
  };
  // Every alert with its recipients, every tracked disruption and the baseline, in order.
  const auto outcome = [](const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    std::string out;
    for (const char* sql :
         {"SELECT dedupe_key, kind, person_id, evidence_json, evidence_kind, detail, (SELECT group_concat(x, ' ') "
          "FROM (SELECT user_name || '/' || why AS x FROM practice_alert_recipient WHERE alert_id = a.id ORDER BY "
          "x)) FROM practice_alert a ORDER BY id",
          "SELECT kind, person_id, place_id, issued_days, expires_days, source_event_id, note FROM disruption ORDER "
          "BY id",
          "SELECT baseline_json FROM practice_alert_baseline"}) {
      sqlite3_stmt* q = nullptr;
      EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &q, nullptr), SQLITE_OK) << sql;
      while (sqlite3_step(q) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(q); ++c) {
          const unsigned char* text = sqlite3_column_text(q, c);
          out += (text ? reinterpret_cast<const char*>(text) : "NULL") +
                 std::string(c + 1 < sqlite3_column_count(q) ? "|" : "\n");
        }
      }
      sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return out;
  };
  const std::string halves = copy("halves.db"), one_pass = copy("one-pass.db");
  const Date today = *Date::FromYmd(2025, 12, 31);
  const store::Actor stage{"alert-stage", "", "system", "alerts"};
  int64_t tracked = 0, raised = 0;
  {
    auto s = store::OpenStore(halves);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto imported = practice::ImportDisruptions(**s, stage);
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    auto alerts = practice::RunAlertStage(**s, today, {}, stage);
    ASSERT_TRUE(alerts.ok()) << alerts.status().ToString();
    tracked = *imported;
    raised = alerts->raised;
  }
  {
    auto s = store::OpenStore(one_pass);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto run = practice::RunPracticeStage(**s, today, {}, stage);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->disruptions_tracked, tracked);
    EXPECT_EQ(run->alerts.raised, raised);
    EXPECT_TRUE(run->alerts.baseline_was_set);
  }
  const std::string expected = outcome(halves);
  EXPECT_EQ(outcome(one_pass), expected);
  EXPECT_GE(raised, 2) << expected;
  EXPECT_NE(expected.find("|missing_episode|1|"), std::string::npos) << expected;
  EXPECT_NE(expected.find("|level_rise|1|"), std::string::npos) << expected;
}

// The server keeps people's stored mentions and record classes in a cache keyed on the person-record generation
// (access/person_cache.h, migration 19). A record linked to a child, a changed name and a removed link all show
// on the very next read of the MASE agenda and the caseload, and a viewer refused before sees nothing more.
TEST_F(PracticeTest, TheCachedAgendaAndCaseloadFollowEveryChangeOnTheNextRead) {
  const Session chair = Login("wmp-manager");
  auto created =
      Post(chair, "/api/mase/meetings", {{"district", "Birmingham"}, {"date", "2025-07-03"}, {"chair", "wmp-manager"}});
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string path = "/api/mase/meetings/" + std::to_string(json::parse(created->body)["id"].get<int64_t>());
  const auto agenda_children = [&](const Session& s) {
    auto r = Get(s, path);
    EXPECT_EQ(r->status, 200) << r->body;
    // The agenda is written without building a JSON tree (api_practice.cc MeetingBody): the very bytes
    // nlohmann::json writes for the same value, keys in order, escapes and UTF-8 included.
    EXPECT_EQ(r->body, json::parse(r->body, nullptr, false).dump());
    std::vector<int64_t> ids;
    for (const auto& i : Items(r->body, "agenda")) {
      if (!i["person_id"].is_null()) ids.push_back(i["person_id"]);
    }
    return ids;
  };
  const auto caseload = [&](const Session& s) {
    auto r = Get(s, "/api/caseload");
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  };
  const auto exec = [](const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "") << sql;
    sqlite3_free(error);
    sqlite3_close(db);
  };
  // Undone whatever happens, so the suite's other tests see the seeded store.
  struct Cleanup {
    std::function<void()> undo;
    ~Cleanup() { undo(); }
  } cleanup{[&] {
    exec(
        "DELETE FROM mention_person WHERE mention_id IN (9101, 9102); DELETE FROM person_mention WHERE id IN "
        "(9101, 9102); DELETE FROM source_record WHERE id IN (9101, 9102);");
  }};
  const std::vector<int64_t> both = {1, 2};
  EXPECT_EQ(agenda_children(chair), both);
  const std::string minutes = "Seen at \"the caf\u00e9\" \\ back\\slash \u2014 next:\n\t1. strategy meeting";
  const std::string item =
      path + "/agenda/" + std::to_string(json::parse(created->body)["agenda"][0]["id"].get<int64_t>());
  ASSERT_EQ(Post(chair, item + "/minutes", {{"minutes", minutes}})->status, 200);
  auto read = Get(chair, path);
  ASSERT_EQ(read->status, 200);
  EXPECT_EQ(json::parse(read->body)["agenda"][0]["minutes"], minutes) << "the cached agenda follows the write";
  EXPECT_EQ(agenda_children(chair), both);
  // The stored agenda is cached too (keyed on the meeting generation): a change by another connection shows on
  // the next read.
  const int64_t first_item = json::parse(created->body)["agenda"][0]["id"];
  exec("UPDATE mase_agenda_item SET minutes = 'changed elsewhere' WHERE id = " + std::to_string(first_item) + ";");
  read = Get(chair, path);
  EXPECT_EQ(json::parse(read->body)["agenda"][0]["minutes"], "changed elsewhere");
  // The NHS holds no record of either child: nothing on the agenda, and child 1 (allocated) hidden, twice over
  // (the second read from the cache).
  const Session nhs = Login("nhs-practitioner");
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(agenda_children(nhs).empty());
    const json c = caseload(nhs);
    EXPECT_TRUE(c["children"].empty()) << c.dump();
    EXPECT_EQ(c["hidden"], 1);
  }
  // NHS records linked to child 1 and child 2 (as a linkage run would link them): shown on the next read.
  exec(
      "INSERT INTO source_record (id, batch_id, agency_code, local_id, line, raw_json, content_hash, record_class, "
      "lawful_basis) VALUES (9101, 1, 'nhs', 'N9101', 2, '{}', 'N9101', 'health', 'test'), "
      "(9102, 1, 'nhs', 'N9102', 3, '{}', 'N9102', 'health', 'test');"
      "INSERT INTO person_mention (id, source_record_id, slot, role, local_person_id, forename, surname, sex, "
      "postcode, nhs_number, upn) VALUES (9101, 9101, 'subject', 'child', 'n1', 'Amy', 'Synthetic', 'F', '', '', ''), "
      "(9102, 9102, 'subject', 'child', 'n2', 'Bea', 'Synthetic', 'F', '', '', '');"
      "INSERT INTO mention_person (mention_id, person_id) VALUES (9101, 1), (9102, 2);");
  EXPECT_EQ(agenda_children(nhs), both);
  json c = caseload(nhs);
  ASSERT_EQ(c["children"].size(), 1u) << c.dump();
  EXPECT_EQ(c["children"][0]["name"], "Amy Synthetic");
  EXPECT_EQ(c["hidden"], 0);
  // A changed name on a mention shows on the next caseload read.
  exec("UPDATE person_mention SET forename = 'Ada' WHERE id = 9101;");
  c = caseload(nhs);
  ASSERT_EQ(c["children"].size(), 1u) << c.dump();
  EXPECT_EQ(c["children"][0]["name"], "Ada Synthetic");
  // The link to child 2 removed: child 2 is hidden from the NHS again on the next read; the police chair still
  // sees both.
  exec("DELETE FROM mention_person WHERE mention_id = 9102;");
  EXPECT_EQ(agenda_children(nhs), std::vector<int64_t>{1});
  EXPECT_EQ(agenda_children(chair), both);
  // Every read was audited with the items it showed.
  EXPECT_GE(CountAudit("read_meeting", "nhs-practitioner", "ok"), 4);
  EXPECT_GE(CountAudit("read_caseload", "nhs-practitioner", "ok"), 4);
}

}  // namespace practice_test
}  // namespace riskradar::server

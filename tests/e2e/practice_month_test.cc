// End to end (issue 13's goal): a month of practice on the demo store, through the HTTP API of a running
// `riskradar serve`, as the demo accounts `demo-users` printed. Screenings and an override, a MASE meeting with
// its generated agenda, an added item, listings approved, minutes, actions agreed and one completed, disruptions
// with a breach, the practice stage run on days of the month (`riskradar alerts raise --today`), the alerts it
// raises acknowledged, and the meeting closed. Afterwards the audit log verifies and every write of the month
// is in it exactly once: the test keeps the (action, target) of each write it made and counts the log's events.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "demo_store.h"
#include "riskradar/server/auth.h"

namespace riskradar {
namespace practice_month_test {

namespace fs = std::filesystem;
using e2e::CommandRun;
using e2e::RunCommand;
using nlohmann::json;

struct Session {
  std::string cookie, csrf;
};

std::string IsoDay(int offset_days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day d{today + std::chrono::days(offset_days)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::vector<int64_t> Ids(const std::string& list) {
  std::vector<int64_t> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoll(item));
  return out;
}

class PracticeMonthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const e2e::DemoStore& shared = e2e::DemoStore::Get();
    dir_ = fs::temp_directory_path() / ("rr-e2e-month-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const auto& f : fs::directory_iterator(shared.dir)) {  // the store and its keys, not the outputs
      if (f.is_regular_file() && f.path().filename().string().rfind("riskradar.db", 0) == 0) {
        fs::copy_file(f.path(), dir_ / f.path().filename());
      }
    }
    // "wmp-practitioner   practitioner   wmp   PASSWORD   SECRET" and "  wmp-practitioner  allocated_case  children 1,
    // 2"
    const std::regex account(R"(^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+([A-Z2-7]{16,})\s*$)");
    const std::regex related(R"(^\s+(\S+)\s+(allocated_case|mase_listing)\s+children ([0-9, ]+)$)");
    std::stringstream lines(shared.users.output);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_match(line, m, account)) accounts_[m[1].str()] = {m[4].str(), m[5].str()};
      if (std::regex_match(line, m, related))
        children_[m[1].str()] = Ids(std::regex_replace(m[3].str(), std::regex(" "), ""));
    }
    StartServer();
  }
  static void TearDownTestSuite() {
    StopServer();
    fs::remove_all(dir_);
  }

  static std::string Db() { return (dir_ / "riskradar.db").string(); }

  static void StartServer() {
    server_ = std::make_unique<e2e::ServedProcess>(e2e::Cli("serve --db " + Db() + " --listen 127.0.0.1:0 --workers 2"),
                                                   dir_ / "serve.log");
    port_ = server_->port();
  }
  static void StopServer() {
    if (!server_) return;
    // Bounded: a server that does not stop is killed and reported, not left holding ctest until its timeout.
    EXPECT_TRUE(server_->Stop()) << "riskradar serve did not stop within 60 s of SIGTERM";
    server_.reset();
  }

  static httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }

  // Signs in once per account (a one-time code is used once): the session is kept for the whole suite.
  static const Session& As(const std::string& user) {
    auto it = sessions_.find(user);
    if (it != sessions_.end()) return it->second;
    Session s;
    const auto account = accounts_.find(user);
    EXPECT_NE(account, accounts_.end()) << "demo-users printed no account " << user;
    if (account == accounts_.end()) return sessions_[user];
    auto code = server::TotpCode(account->second.second, std::time(nullptr));
    EXPECT_TRUE(code.ok());
    const json body = {{"user", user}, {"password", account->second.first}, {"totp", *code}};
    auto r = Client().Post("/api/login", body.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200) << user << ": " << (r ? r->body : "no answer");
    if (r && r->status == 200) {
      const std::string set_cookie = r->get_header_value("Set-Cookie");
      s.cookie = set_cookie.substr(0, set_cookie.find(';'));
      s.csrf = json::parse(r->body, nullptr, false).value("csrf_token", "");
    }
    return sessions_[user] = s;
  }

  static json Get(const std::string& user, const std::string& path, int expect = 200) {
    auto r = Client().Get(path.c_str(), {{"Cookie", As(user).cookie}});
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, expect) << user << " GET " << path << ": " << r->body;
    last_etag_ = r->get_header_value("ETag");
    return json::parse(r->body, nullptr, false);
  }
  // A write expected to succeed; `audited` is the (action, target) it must leave in the audit log exactly once.
  static json Write(const std::string& method, const std::string& user, const std::string& path, const json& body,
                    int expect, const std::string& action, const std::string& target,
                    const std::string& if_match = "") {
    const Session& s = As(user);
    httplib::Headers h = {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
    if (!if_match.empty()) h.emplace("If-Match", if_match);
    auto r = method == "PATCH" ? Client().Patch(path.c_str(), h, body.dump(), "application/json")
                               : Client().Post(path.c_str(), h, body.dump(), "application/json");
    EXPECT_TRUE(r) << path;
    if (!r) return json();
    EXPECT_EQ(r->status, expect) << user << " " << method << " " << path << ": " << r->body;
    json answer = json::parse(r->body, nullptr, false);
    if (r->status == expect) {
      std::string t = target;
      if (t.back() == ':') t += std::to_string(answer.value("id", int64_t{0}));  // "action:" + the new id
      ++written_[{action, t, user}];
    }
    last_etag_ = r->get_header_value("ETag");
    return answer;
  }

  // The practice stage on a day of the month, as the scheduler runs it after the imports.
  static void Stage(const std::string& day) {
    const CommandRun run = RunCommand(e2e::Cli("alerts raise --today " + day + " --db " + Db()));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    ++stage_runs_;
  }

  // The open alerts of `user` of `kind` whose evidence names `evidence` (the demo's own alerts are left out).
  static std::vector<json> AlertsOf(const std::string& user, const std::string& kind, int64_t evidence) {
    std::vector<json> out;
    const json mine = Get(user, "/api/alerts/mine");
    for (const json& a : mine["alerts"]) {
      const json& ids = a["evidence"]["ids"];
      if (a["kind"] == kind && std::find(ids.begin(), ids.end(), json(evidence)) != ids.end()) out.push_back(a);
    }
    return out;
  }
  static int Rank(const json& level) {
    for (int i = 0; const char* l : {"none", "at_risk", "significant", "serious"}) {
      if (level == l) return i;
      ++i;
    }
    return -1;
  }

  static int64_t LastSeq() {
    sqlite3* db = nullptr;
    sqlite3_open_v2(Db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(seq), 0) FROM audit_event", -1, &q, nullptr);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }

  // (action, target, user) -> events after `after` with outcome ok, for the given actions.
  static std::map<std::tuple<std::string, std::string, std::string>, int> Logged(int64_t after,
                                                                                 const std::set<std::string>& actions,
                                                                                 int* other_outcomes) {
    std::map<std::tuple<std::string, std::string, std::string>, int> out;
    sqlite3* db = nullptr;
    sqlite3_open_v2(Db().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT action, target, user_name, outcome FROM audit_event WHERE seq > ?1", -1, &q,
                       nullptr);
    sqlite3_bind_int64(q, 1, after);
    while (sqlite3_step(q) == SQLITE_ROW) {
      const std::string action = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
      if (!actions.count(action)) continue;
      if (std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 3))) != "ok") {
        ++*other_outcomes;
        continue;
      }
      ++out[{action, reinterpret_cast<const char*>(sqlite3_column_text(q, 1)),
             reinterpret_cast<const char*>(sqlite3_column_text(q, 2))}];
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
  }

  static inline fs::path dir_;
  static inline std::unique_ptr<e2e::ServedProcess> server_;
  static inline int port_ = 0;
  static inline std::map<std::string, std::pair<std::string, std::string>> accounts_;  // name -> password, secret
  static inline std::map<std::string, std::vector<int64_t>> children_;                 // name -> related children
  static inline std::map<std::string, Session> sessions_;
  static inline std::map<std::tuple<std::string, std::string, std::string>, int> written_;
  static inline std::string last_etag_;
  static inline int stage_runs_ = 0;
};

TEST_F(PracticeMonthTest, AMonthOfPracticeThroughTheApiIsAuditedOnceAndVerifies) {
  ASSERT_NE(port_, 0) << "riskradar serve did not start:\n" << server_->Log();
  const std::string officer = "wmp-practitioner", police_manager = "wmp-manager", worker = "bcc-cs-practitioner",
                    chair = "bcc-cs-manager", ig = "bcc-cs-ig_lead";
  ASSERT_TRUE(children_.count(officer) && children_.count(worker)) << e2e::DemoStore::Get().users.output;
  // Sign in first (sign-ins are audited too, but are not the month's writes).
  for (const std::string& u : {officer, police_manager, worker, chair, ig}) ASSERT_FALSE(As(u).cookie.empty()) << u;
  const int64_t before = LastSeq();

  // ---- Week 1: the police practitioner's caseload, two screenings, the manager's override.
  const json caseload = Get(officer, "/api/caseload");
  ASSERT_EQ(caseload["scope"], "own");
  std::vector<int64_t> mine;
  std::map<int64_t, json> level_before;
  for (const json& row : caseload["children"]) {
    mine.push_back(row["child_id"]);
    level_before[row["child_id"]] = row["level"];
  }
  ASSERT_GE(mine.size(), 2u) << caseload.dump();
  // The child both the police and the council practitioner work with (demo-users allocates one to both).
  int64_t shared = 0;
  for (int64_t c : children_[worker]) {
    if (std::find(mine.begin(), mine.end(), c) != mine.end()) shared = c;
  }
  ASSERT_NE(shared, 0) << "no child allocated to both " << officer << " and " << worker;
  const int64_t other = mine[0] == shared ? mine[1] : mine[0];
  for (int64_t child : {shared, other}) {
    const json screened =
        Write("POST", officer, "/api/children/" + std::to_string(child) + "/screenings",
              {{"observations",
                {{{"indicator", "unexplained_gifts_money"}, {"date", IsoDay(-2)}, {"source", "school"}},
                 {{"indicator", "vehicles_unknown_adults"}, {"date", IsoDay(-1)}, {"source", "neighbour"}}}}},
              201, "record_screening", "person:" + std::to_string(child));
    EXPECT_EQ(screened["kind"], "screening") << screened.dump();
  }
  const json trajectory = Get(police_manager, "/api/children/" + std::to_string(shared) + "/assessments");
  const std::string etag = last_etag_;
  ASSERT_FALSE(etag.empty());
  const std::string raised_to = trajectory["current"]["level"] == "serious" ? "significant" : "serious";
  const json over =
      Write("POST", police_manager, "/api/children/" + std::to_string(shared) + "/override",
            {{"level", raised_to}, {"reason", "Seen twice in a car with unknown adults; strategy meeting"}}, 201,
            "override_level", "person:" + std::to_string(shared), etag);
  EXPECT_EQ(over["level"], raised_to);
  EXPECT_EQ(over["override"]["by"], police_manager);
  const std::string next_review = over["next_review"];

  // ---- Day 3: the practice stage: a level_rise alert when the override put the child above the level the
  // previous run saw.
  Stage(IsoDay(2));
  const auto rises = AlertsOf(officer, "level_rise", over["id"]);
  ASSERT_EQ(rises.size(), Rank(raised_to) > Rank(level_before[shared]) ? 1u : 0u)
      << "from " << level_before[shared] << " to " << raised_to;
  if (!rises.empty()) {
    EXPECT_EQ(rises[0]["person_id"], shared);
    Write("POST", officer, "/api/alerts/" + std::to_string(rises[0]["id"].get<int64_t>()) + "/acknowledge",
          {{"note", "Strategy meeting booked"}}, 200, "alert_acknowledge",
          "alert:" + std::to_string(rises[0]["id"].get<int64_t>()));
  }

  // ---- Day 4: the council's MASE meeting for Birmingham, generated from the radar.
  const json meeting = Write("POST", chair, "/api/mase/meetings",
                             {{"district", "Birmingham"},
                              {"date", IsoDay(10)},
                              {"chair", chair},
                              {"panel", worker + "," + officer},
                              {"period_days", "60"}},
                             201, "meeting_add", "meeting:");
  const int64_t meeting_id = meeting["id"];
  const std::string mpath = "/api/mase/meetings/" + std::to_string(meeting_id);
  ASSERT_FALSE(meeting["agenda"].empty());
  for (const json& item : meeting["agenda"]) {
    EXPECT_FALSE(item["reasons"].empty());
    // Only children on the radar are tabled for an overdue review (none at "no current risk").
    if (!item["person_id"].is_null() && item["reasons"] == json::array({"review_overdue"})) {
      const json t = Get(chair, "/api/children/" + item["person_id"].dump() + "/assessments", 200);
      EXPECT_NE(t["current"]["level"], "none") << item.dump();
    }
  }
  // The listing requests it made, one audited event each.
  const json approvals = Get(ig, "/api/approvals");
  std::vector<json> ours;
  for (const json& r : approvals["requests"]) {
    if (r["kind"] == "mase_listing" &&
        r["reason"].get<std::string>().rfind("MASE meeting " + std::to_string(meeting_id) + " (", 0) == 0) {
      ours.push_back(r);
    }
  }
  // (Approvals the IG lead may not decide are not listed to them; the meeting's count covers them all.)
  ASSERT_LE(ours.size(), static_cast<size_t>(meeting["listing_requests"].get<int64_t>()));
  // Every listing request is an audited write (approval_request) of the meeting's creation or of an added item.
  int listing_requests = meeting["listing_requests"];
  // The chair tables the shared child if the radar did not, then the IG lead approves two listings.
  bool tabled = false;
  int64_t shared_item = 0;
  for (const json& item : meeting["agenda"]) {
    if (item["person_id"] == shared) shared_item = item["id"];
  }
  if (shared_item == 0) {
    const json added =
        Write("POST", chair, mpath + "/agenda",
              {{"person_id", std::to_string(shared)}, {"note", "Raised to serious by the police manager"}}, 201,
              "agenda_add", "meeting:" + std::to_string(meeting_id));
    for (const json& item : added["agenda"]) {
      if (item["person_id"] == shared) shared_item = item["id"];
    }
    listing_requests += added["listing_requests"].get<int>();
    tabled = true;
  }
  ASSERT_NE(shared_item, 0);
  int approved = 0;
  for (const json& r : ours) {
    if (approved == 2) break;
    Write("POST", ig, "/api/approvals/" + std::to_string(r["id"].get<int64_t>()) + "/approve",
          {{"note", "Panel member for this meeting"}}, 200, "approval_approve",
          "approval:" + std::to_string(r["id"].get<int64_t>()));
    ++approved;
  }
  EXPECT_EQ(approved, std::min<int>(2, static_cast<int>(ours.size())));
  if (listing_requests > 0) {
    EXPECT_GE(approved, 1) << "the council's IG lead may approve the council's children";
  }

  // ---- Day 11: the meeting is held: minutes, actions with owners and dates.
  Write("POST", chair, mpath + "/agenda/" + std::to_string(shared_item) + "/minutes",
        {{"minutes", "Agreed: return home interview, school liaison, CAWN to be considered."}}, 200, "agenda_minutes",
        "meeting:" + std::to_string(meeting_id));
  const json interview = Write("POST", chair, "/api/actions",
                               {{"title", "Return home interview"},
                                {"owner_agency", "bcc-cs"},
                                {"owner_user", worker},
                                {"due", IsoDay(14)},
                                {"link_kind", "child"},
                                {"link_id", std::to_string(shared)}},
                               201, "action_add", "action:");
  const json cawn_action = Write("POST", chair, "/api/actions",
                                 {{"title", "Consider a child abduction warning notice"},
                                  {"owner_agency", "wmp"},
                                  {"owner_user", officer},
                                  {"due", IsoDay(18)},
                                  {"link_kind", "meeting"},
                                  {"link_id", std::to_string(meeting_id)}},
                                 201, "action_add", "action:");

  // ---- Day 12: the police track disruptions at two places of concern; a breach of one.
  const json places = Get(officer, "/api/places");
  std::vector<int64_t> place_ids;
  for (const json& p : places["places"]) {
    if (p.value("of_concern", true)) place_ids.push_back(p["id"]);
  }
  ASSERT_GE(place_ids.size(), 2u) << places.dump().substr(0, 500);
  const json notice = Write("POST", officer, "/api/disruptions",
                            {{"kind", "hotel_notice"},
                             {"place_id", std::to_string(place_ids[0])},
                             {"issuing_agency", "wmp"},
                             {"issued", IsoDay(0)},
                             {"expires", IsoDay(25)},
                             {"note", "Notice served on the manager (synthetic)"}},
                            201, "disruption_add", "disruption:");
  const json review = Write("POST", officer, "/api/disruptions",
                            {{"kind", "licensing_review"},
                             {"place_id", std::to_string(place_ids[1])},
                             {"issuing_agency", "wmp"},
                             {"issued", IsoDay(0)}},
                            201, "disruption_add", "disruption:");
  Write("POST", officer, "/api/disruptions/" + std::to_string(notice["id"].get<int64_t>()) + "/breaches",
        {{"date", IsoDay(0)}, {"note", "Two children seen at the hotel after the notice"}}, 201, "disruption_breach",
        "disruption:" + std::to_string(notice["id"].get<int64_t>()));
  Write("PATCH", officer, "/api/disruptions/" + std::to_string(review["id"].get<int64_t>()),
        {{"note", "Licensing committee hearing booked"}}, 200, "disruption_update",
        "disruption:" + std::to_string(review["id"].get<int64_t>()), "\"1\"");

  // ---- Day 20: the police action is done; the stage finds the interview overdue.
  Write("PATCH", officer, "/api/actions/" + std::to_string(cawn_action["id"].get<int64_t>()), {{"status", "done"}}, 200,
        "action_update", "action:" + std::to_string(cawn_action["id"].get<int64_t>()), "\"1\"");
  Stage(IsoDay(19));
  const auto overdue = AlertsOf(worker, "action_overdue", interview["id"]);
  ASSERT_EQ(overdue.size(), 1u) << "the open interview, due on day 15";
  EXPECT_EQ(overdue[0]["person_id"], shared);
  Write("POST", worker, "/api/alerts/" + std::to_string(overdue[0]["id"].get<int64_t>()) + "/acknowledge",
        {{"note", "Interview rebooked for Friday"}}, 200, "alert_acknowledge",
        "alert:" + std::to_string(overdue[0]["id"].get<int64_t>()));
  EXPECT_EQ(AlertsOf(worker, "action_overdue", interview["id"]).size(), 0u) << "acknowledged";
  EXPECT_EQ(AlertsOf(officer, "action_overdue", cawn_action["id"]).size(), 0u) << "done before its date (day 18)";
  // The meeting's actions, as the worker finds them (`overdue=1` is as of the server's today, not the stage's).
  const json of_meeting = Get(worker, "/api/actions?link_kind=meeting&link_id=" + std::to_string(meeting_id));
  ASSERT_EQ(of_meeting["actions"].size(), 1u) << of_meeting.dump();
  EXPECT_EQ(of_meeting["actions"][0]["id"], cawn_action["id"]);
  EXPECT_EQ(of_meeting["actions"][0]["status"], "done");
  Write("PATCH", worker, "/api/actions/" + std::to_string(interview["id"].get<int64_t>()), {{"status", "done"}}, 200,
        "action_update", "action:" + std::to_string(interview["id"].get<int64_t>()), "\"1\"");

  // ---- Day 30: the meeting closes; the stage runs after the review date the override set.
  Write("POST", chair, mpath + "/close", json::object(), 200, "meeting_close", "meeting:" + std::to_string(meeting_id));
  Stage(IsoDay(29));
  if (next_review < IsoDay(29)) {  // serious: reviewed within 28 days
    const auto reviews = AlertsOf(officer, "review_overdue", over["id"]);
    ASSERT_EQ(reviews.size(), 1u) << "the override's review date " << next_review << " passed, alerted once";
    Write("POST", officer, "/api/alerts/" + std::to_string(reviews[0]["id"].get<int64_t>()) + "/acknowledge",
          json::object(), 200, "alert_acknowledge", "alert:" + std::to_string(reviews[0]["id"].get<int64_t>()));
  }

  // ---- Afterwards: the log verifies, and every write of the month is in it exactly once.
  const json verify = Get(ig, "/api/audit/verify");
  EXPECT_EQ(verify["ok"], true) << verify.dump();
  std::set<std::string> write_actions = {"approval_request", "raise_alerts"};
  for (const auto& [key, n] : written_) write_actions.insert(std::get<0>(key));
  int other_outcomes = 0;
  auto logged = Logged(before, write_actions, &other_outcomes);
  EXPECT_EQ(other_outcomes, 0) << "no write of the month was refused";
  int requests = 0, stage_events = 0;
  for (auto it = logged.begin(); it != logged.end();) {
    const std::string& action = std::get<0>(it->first);
    if (action == "approval_request") requests += it->second;
    if (action == "raise_alerts") stage_events += it->second;
    it = action == "approval_request" || action == "raise_alerts" ? logged.erase(it) : std::next(it);
  }
  EXPECT_EQ(requests, listing_requests) << "one approval_request event per listing request";
  EXPECT_EQ(stage_events, stage_runs_) << "one raise_alerts event per stage run";
  EXPECT_EQ(logged, written_) << "every write exactly once, and nothing else written";
  int writes = 0;
  for (const auto& [key, n] : written_) writes += n;
  EXPECT_GE(writes, tabled ? 15 : 14);
}

}  // namespace practice_month_test
}  // namespace riskradar

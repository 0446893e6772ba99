// Administration, the review queue and IG alerts over the real server: an authorisation matrix for every new
// endpoint, IDOR probes (byte-identical 404s), If-Match concurrency (32 clients, one winner per version),
// session revocation by user disable/reset, audit counts, and TOTP secrets sealed at rest (with the migration).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <latch>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>
#include <tuple>

#include "../../src/store/sqlite/sqlite_schema.h"
#include "json_schema.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/linkage/engine.h"
#include "riskradar/linkage/link_stage.h"
#include "riskradar/linkage/person.h"
#include "riskradar/store/operations.h"
#include "server_fixture.h"

namespace riskradar::server {
namespace admin_test {

// Runs one SQL query with text parameters against the store file and returns the first column of each row.
std::vector<std::string> Sql(const std::string& db, const std::string& sql, const std::vector<std::string>& args = {}) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* q = nullptr;
  std::vector<std::string> out;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &q, nullptr) == SQLITE_OK) {
    for (size_t i = 0; i < args.size(); ++i)
      sqlite3_bind_text(q, static_cast<int>(i + 1), args[i].c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
      out.push_back(t ? t : "");
    }
  } else {
    ADD_FAILURE() << sqlite3_errmsg(h) << " in " << sql;
  }
  sqlite3_finalize(q);
  sqlite3_close(h);
  return out;
}

int64_t SqlInt(const std::string& db, const std::string& sql, const std::vector<std::string>& args = {}) {
  auto rows = Sql(db, sql, args);
  return rows.empty() ? -1 : std::stoll(rows[0]);
}

class AdminTest : public ServerFixture {
 protected:
  // The fixture's store (children 1 and 2, police records) plus: a council record of a possible duplicate of
  // Amy (person 3), a police twin of Bea (person 4), two police records of Dee (persons 5, 6), an NHS record of
  // Cal (person 7), a trained linkage model, and five pending review pairs:
  //   bcc_:     Amy (wmp) ~ Amy (bcc)  visible to bcc only (agreement wmp->bcc + relationship with child 1)
  //   wmp_:     Bea (wmp) ~ Bea (wmp)  visible to wmp only (own records)
  //   race_:    Dee ~ Dee (wmp)        visible to wmp only; the concurrency test's item
  //   decided_: Bea ~ Dee (wmp)        visible to wmp only; decided in the If-Match test
  //   hidden_:  Cal (nhs) ~ Amy (wmp)  visible to nobody (no agreement either way)
  static void SetUpTestSuite() {
    ServerFixture::SetUpTestSuite();
    if (::testing::Test::HasFatalFailure()) return;
    AddBatch("bcc", "childrens_social_care", "h-bcc", {{"bcc-amy", "Amy", "Synthetik", 2010}});
    AddBatch("wmp", "police_intelligence", "h-wmp2",
             {{"wmp-bea2", "Bea", "Synthetic", 2011},
              {"wmp-dee1", "Dee", "Synthetic", 2009},
              {"wmp-dee2", "Dee", "Synthetique", 2009}});
    AddBatch("nhs", "health_attendance", "h-nhs", {{"nhs-cal", "Cal", "Synthetic", 2012}});
    auto mentions = store_->LoadPersonMentions();
    ASSERT_TRUE(mentions.ok());
    const std::map<std::string, int64_t> person_of = {{"Amy", 1},      {"Bea", 2},      {"bcc-amy", 3}, {"wmp-bea2", 4},
                                                      {"wmp-dee1", 5}, {"wmp-dee2", 6}, {"nhs-cal", 7}};
    std::map<std::string, std::vector<int64_t>> mention_of;
    store::LinkageOutput out;
    std::vector<linkage::PersonRecord> records;
    for (const auto& m : *mentions) {
      mention_of[m.mention.local_person_id].push_back(m.mention.id);
      out.mention_person.push_back({m.mention.id, person_of.at(m.mention.local_person_id)});
      records.push_back(linkage::ToPersonRecord(m));
    }
    for (const auto& [local, id] : person_of) {
      Person p;
      p.id = id;
      p.display_name = local + " Synthetic";
      p.is_child = true;
      p.district = "Birmingham";
      out.persons.push_back(p);
    }
    auto pair = [&](int64_t a, int64_t b, double p) {
      store::ReviewItem r;
      r.left_mention_id = std::min(a, b);
      r.right_mention_id = std::max(a, b);
      r.match_probability = p;
      r.match_weight = std::log2(p / (1 - p));
      out.review.push_back(r);
      return std::make_pair(r.left_mention_id, r.right_mention_id);
    };
    const auto bcc = pair(mention_of["Amy"][0], mention_of["bcc-amy"][0], 0.6);
    const auto wmp = pair(mention_of["Bea"][0], mention_of["wmp-bea2"][0], 0.55);
    const auto race = pair(mention_of["wmp-dee1"][0], mention_of["wmp-dee2"][0], 0.5);
    const auto decided = pair(mention_of["Bea"][0], mention_of["wmp-dee1"][0], 0.3);
    const auto hidden = pair(mention_of["nhs-cal"][0], mention_of["Amy"][1], 0.4);
    linkage::LinkageOptions lo;
    lo.possible_probability = 0.01;
    auto trained = linkage::LinkPersons(records, lo);
    ASSERT_TRUE(trained.ok()) << trained.status().ToString();
    out.model_json = linkage::ModelToJson(trained->model);
    ASSERT_TRUE(store_->SaveLinkage(out, store::Actor{}).ok());
    linkage_ = out;
    pairs_ = {{&bcc_, bcc}, {&wmp_, wmp}, {&race_, race}, {&decided_, decided}, {&hidden_, hidden}};
    RefreshIds();
  }

  // The review item ids of the five pairs (a link run re-queues pending pairs under new ids).
  static void RefreshIds() {
    for (auto [slot, p] : pairs_) {
      *slot = SqlInt(db_, "SELECT id FROM link_review WHERE left_mention_id = ?1 AND right_mention_id = ?2",
                     {std::to_string(p.first), std::to_string(p.second)});
      ASSERT_GT(*slot, 0);
    }
  }

  static void AddBatch(const std::string& agency, const std::string& record_class, const std::string& hash,
                       const std::vector<std::tuple<std::string, std::string, std::string, int>>& people) {
    auto writer = store_->BeginBatch({agency, hash + ".csv", hash, "fmt", record_class, "test"});
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    int line = 2;
    for (const auto& [local, forename, surname, year] : people) {
      store::ParsedRow r;
      r.record.agency_code = agency;
      r.record.local_id = local;
      r.record.line = line++;
      r.record.raw_json = "{}";
      r.record.content_hash = local;
      r.record.record_class = record_class;
      r.record.lawful_basis = "test";
      r.subject.forename = forename;
      r.subject.surname = surname;
      r.subject.local_person_id = local;
      r.subject.dob = Date::FromYmd(year, 5, 1);
      r.subject.sex = Sex::kFemale;
      r.event.kind = EventKind::kMissingEpisode;
      r.event.category = "missing_overnight";
      r.event.date = *Date::FromYmd(2025, 3, line);
      r.event.detail = "synthetic detail";
      ASSERT_TRUE((*writer)->AddRow(r).ok());
    }
    ASSERT_TRUE(
        (*writer)
            ->Commit({static_cast<int64_t>(people.size()), static_cast<int64_t>(people.size()), 0, 0}, store::Actor{})
            .ok());
  }

  httplib::Result Send(const Session& s, const std::string& method, const std::string& path, const json& body,
                       httplib::Headers extra = {}, bool csrf = true) {
    if (!s.cookie.empty()) extra.emplace("Cookie", s.cookie);
    if (csrf && !s.csrf.empty()) extra.emplace("X-CSRF-Token", s.csrf);
    auto c = Client();
    if (method == "GET") return c.Get(path.c_str(), extra);
    if (method == "DELETE") return c.Delete(path.c_str(), extra);
    return c.Post(path.c_str(), extra, body.is_null() ? std::string() : body.dump(), "application/json");
  }

  httplib::Result Decide(const Session& s, int64_t id, const std::string& if_match,
                         const std::string& decision = "confirm", const json& extra_fields = json::object()) {
    json body = {{"decision", decision}, {"reason", "same date of birth and name, checked with the school"}};
    body.update(extra_fields);
    httplib::Headers h;
    if (!if_match.empty()) h.emplace("If-Match", if_match);
    return Send(s, "POST", "/api/review/" + std::to_string(id) + "/decision", body, h);
  }

  // Signs in with explicit credentials (users created through the API).
  Session LoginAs(const std::string& user, const std::string& password, const std::string& secret,
                  int* status = nullptr) {
    now_ += 31;
    auto r = PostLogin(user, password, *TotpCode(secret, now_));
    if (status) *status = r ? r->status : -1;
    if (!r || r->status != 200) return {};
    const std::string c = r->get_header_value("Set-Cookie");
    return {c.substr(0, c.find(';')), json::parse(r->body).value("csrf_token", "")};
  }

  // Approves (or rejects) request `id` as `approver`.
  httplib::Result DecideRequest(const Session& approver, int64_t id, const std::string& verb,
                                const std::string& note = "checked with the team lead today") {
    return Post(approver, "/api/approvals/" + std::to_string(id) + "/" + verb, {{"note", note}});
  }
  // Signs in as an enrolling account with its one-time code (both halves, joined), enrols `new_password`
  // and the TOTP secret the sign-in hands out, and returns that secret ("" on failure).
  std::string Enrol(const std::string& user, const std::string& code, const std::string& new_password) {
    now_ += 31;
    auto r = PostLogin(user, code, "000000");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    if (!r || r->status != 200) return "";
    const json info = json::parse(r->body);
    EXPECT_EQ(info["must_enrol"], true);
    const std::string c = r->get_header_value("Set-Cookie");
    const Session s{c.substr(0, c.find(';')), info.value("csrf_token", "")};
    const std::string secret = info.value("totp_secret", "");
    auto done = Post(s, "/api/session/enrol", {{"password", new_password}, {"totp", *TotpCode(secret, now_)}});
    EXPECT_EQ(done->status, 200) << done->body;
    EXPECT_EQ(Get(s, "/api/session")->status, 401) << "enrolment ends the session";
    return done->status == 200 ? secret : "";
  }

  static int64_t CountAuditTarget(const std::string& action, const std::string& target, const std::string& outcome) {
    return SqlInt(db_, "SELECT COUNT(*) FROM audit_event WHERE action = ?1 AND target = ?2 AND outcome = ?3",
                  {action, target, outcome});
  }

  static json Body(const httplib::Result& r) { return r ? json::parse(r->body, nullptr, false) : json(); }
  // A copy of one member of the body (safe to iterate: a member of a temporary Body() is not).
  static json Field(const httplib::Result& r, const char* key) { return Body(r).value(key, json()); }

  static inline int64_t bcc_ = 0, wmp_ = 0, race_ = 0, decided_ = 0, hidden_ = 0;
  static inline std::vector<std::pair<int64_t*, std::pair<int64_t, int64_t>>> pairs_;
  static inline store::LinkageOutput linkage_;
};

std::string Path(const char* prefix, int64_t id, const char* suffix = "") {
  return std::string(prefix) + std::to_string(id) + suffix;
}

// "/api/children/1/relationships/9" -> "/api/children/{id}/relationships/{relationship}", and the like.
std::string SpecPath(const std::string& path) {
  static const std::vector<std::pair<std::regex, std::string>> rules = {
      {std::regex("\\?.*$"), ""},
      {std::regex("^/api/children/\\d+/relationships/\\d+$"), "/api/children/{id}/relationships/{relationship}"},
      {std::regex("^/api/users/[^/]+/(disable|reset|role)$"), "/api/users/{name}/$1"},
      {std::regex("/\\d+(/|$)"), "/{id}$1"}};
  std::string out = path;
  for (const auto& [re, with] : rules) out = std::regex_replace(out, re, with);
  return out;
}

bool HasItem(const json& list, int64_t id) {
  for (const auto& i : list["items"]) {
    if (i["id"] == id) return true;
  }
  return false;
}

// ---------------------------------------------------------------- responses against api/openapi.json

// The OpenAPI document (validated with the contract test's schema-subset validator, json_schema.h).
const json& Spec() {
  static const json spec = [] {
    std::ifstream in(std::string(RISKRADAR_SOURCE_DIR) + "/api/openapi.json");
    return json::parse(in, nullptr, false);
  }();
  return spec;
}

// Checks a response's status is documented for the operation and its body matches the documented schema.
void ExpectMatchesSpec(const std::string& method, const std::string& path_template, const httplib::Result& r) {
  ASSERT_TRUE(r);
  std::string m = method;
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const json& op = Spec()["paths"][path_template][m];
  ASSERT_TRUE(op.is_object()) << method << " " << path_template << " is not in api/openapi.json";
  const std::string status = std::to_string(r->status);
  ASSERT_TRUE(op["responses"].contains(status))
      << method << " " << path_template << " answers " << status << ", which api/openapi.json does not document";
  const testing_support::SchemaValidator validator(Spec());
  json response = op["responses"][status];
  if (response.contains("$ref")) response = *validator.Resolve(response["$ref"].get<std::string>());
  const json body = json::parse(r->body, nullptr, false);
  for (const auto& p : validator.Validate(body, response["content"]["application/json"]["schema"])) {
    ADD_FAILURE() << method << " " << path_template << " " << status << ": " << p;
  }
}

// ---------------------------------------------------------------- TOTP secrets at rest

TEST_F(AdminTest, TotpSecretsAreSealedAtRestAndSignInStillWorks) {
  for (const std::string user : {"wmp-analyst", "bcc-ig_lead", "nhs-administrator"}) {
    const std::string stored = Sql(db_, "SELECT totp_secret FROM app_user WHERE name = ?1", {user}).at(0);
    EXPECT_EQ(stored.rfind("sb1:", 0), 0u) << stored;
    EXPECT_EQ(stored.find(secrets_[user]), std::string::npos);
    EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM audit_event WHERE details LIKE '%' || ?1 || '%'", {secrets_[user]}), 0);
  }
  struct stat st {};
  ASSERT_EQ(::stat((db_ + ".totp-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Session s = Login("wmp-analyst");  // the server opens the sealed secret to check the code
  EXPECT_EQ(Get(s, "/api/session")->status, 200);
  auto found = store_->FindUser("wmp-analyst");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->totp_secret, secrets_["wmp-analyst"]);
}

TEST(TotpMigrationTest, SchemaThreeLandsAfterFiveSealsPlaintextSecretsAndKeepsReviewDecisions) {
  const fs::path dir = fs::temp_directory_path() / ("rr-totp-migration-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "old.db").string();
  const std::string plain = NewTotpSecret();
  {
    // A store as riskradar wrote it before migration 3 landed (schemas 1, 2 and 5): a plaintext TOTP secret and
    // a decided pair. Migration 3 is applied although 5 already is.
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    std::string sql = "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);";
    for (const auto& m : store::kSqliteMigrations) {
      if (m.version == 1 || m.version == 2 || m.version == 5)
        sql += std::string(m.sql) + "INSERT INTO schema_migration VALUES (" + std::to_string(m.version) + ", 'x');";
    }
    sql +=
        "INSERT INTO agency VALUES ('wmp', 'wmp', 'police', 'West Midlands');"
        "INSERT INTO app_user (name, agency_code, role, password_hash, totp_secret, created_at, updated_at) "
        "VALUES ('old-user', 'wmp', 'analyst', 'x', '" +
        plain +
        "', 'x', 'x');"
        "INSERT INTO import_batch (agency_code, file, file_hash, format, record_class, lawful_basis, status, "
        "started_at) VALUES ('wmp', 'f', 'h', 'f', 'c', 'b', 'complete', 'x');"
        "INSERT INTO source_record VALUES (1, 1, 'wmp', 'r1', 1, '{}', 'c1', 'c', 'b');"
        "INSERT INTO person_mention VALUES (1, 1, 'subject', 'child', 'p1', 'Amy', 'S', NULL, 'female', '', '', '');"
        "INSERT INTO person_mention VALUES (2, 1, 'subject', 'child', 'p2', 'Amy', 'T', NULL, 'female', '', '', '');"
        "INSERT INTO link_review VALUES (1, 2, 1.0, 0.6, 'rejected', 'different mothers', 'lee', 'x');";
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_close(h);
  }
  {
    // `riskradar migrate`: only it upgrades an existing store.
    auto s = store::OpenStoreForMigration(db, store::StoreOptions{});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM schema_migration WHERE version = 3"), 1);
    EXPECT_EQ(SqlInt(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ig_alert'"), 1);
    const std::string stored = Sql(db, "SELECT totp_secret FROM app_user WHERE name = 'old-user'").at(0);
    EXPECT_EQ(stored.rfind("sb1:", 0), 0u);
    EXPECT_EQ(stored.find(plain), std::string::npos);
    auto u = (*s)->FindUser("old-user");
    ASSERT_TRUE(u.ok() && u->has_value()) << u.status().ToString();
    EXPECT_EQ((*u)->totp_secret, plain);
    struct stat st {};
    ASSERT_EQ(::stat((db + ".totp-key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // The decided pair survives the table rebuild with an id and version 1, and later link runs keep it.
    EXPECT_EQ(Sql(db, "SELECT id || ':' || version || ':' || status FROM link_review").at(0), "1:1:rejected");
    auto decisions = (*s)->LoadReviewDecisions();
    ASSERT_TRUE(decisions.ok());
    ASSERT_EQ(decisions->size(), 1u);
    EXPECT_EQ((*decisions)[0].status, "rejected");
    store::ReviewDecisionRequest confirm;
    confirm.left_mention_id = 1;
    confirm.right_mention_id = 2;
    confirm.status = "confirmed";
    confirm.reason = "same person after all";
    // A decided pair is not decided again (the first reviewer's decision stands): refused, the version kept.
    EXPECT_EQ(access::AuditedAccess(**s).DecideReviewPair(confirm, store::Actor{}).status().code(),
              StatusCode::kConflict);
    EXPECT_EQ(SqlInt(db, "SELECT version FROM link_review WHERE id = 1"), 1);
  }
  {
    // A lost key file is never silently replaced while sealed secrets exist.
    fs::remove(db + ".totp-key");
    auto s = store::OpenStore(db);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->FindUser("old-user").status().code(), StatusCode::kFailedPrecondition);
    store::User nu;
    nu.name = "new-user";
    nu.agency_code = "wmp";
    nu.password_hash = "x";
    nu.totp_secret = NewTotpSecret();
    EXPECT_EQ((*s)->AddUser(nu, store::Actor{}).status().code(), StatusCode::kFailedPrecondition);
    EXPECT_FALSE(fs::exists(db + ".totp-key"));
  }
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- review queue

TEST_F(AdminTest, ReviewQueueListsOnlyPairsWhoseBothRecordsAreVisible) {
  const int64_t pending = SqlInt(db_, "SELECT COUNT(*) FROM link_review WHERE status = 'pending'");
  Session bcc = Login("bcc-practitioner");
  auto r = Get(bcc, "/api/review");
  ASSERT_EQ(r->status, 200) << r->body;
  ExpectMatchesSpec("GET", "/api/review", r);
  json b = Body(r);
  EXPECT_EQ(b["pending_total"], pending);
  EXPECT_EQ(b["aggregate_only"], false);
  EXPECT_TRUE(HasItem(b, bcc_));
  EXPECT_FALSE(HasItem(b, wmp_));
  EXPECT_FALSE(HasItem(b, hidden_));
  EXPECT_EQ(b["visible_pending"], b["items"].size());
  for (const auto& i : b["items"]) EXPECT_FALSE(i["left"].contains("nhs_number")) << "the list is data-minimised";

  Session wmp = Login("wmp-manager");
  b = Body(Get(wmp, "/api/review"));
  EXPECT_TRUE(HasItem(b, wmp_));
  EXPECT_FALSE(HasItem(b, bcc_));
  EXPECT_FALSE(HasItem(b, hidden_));

  Session nhs = Login("nhs-practitioner");
  b = Body(Get(nhs, "/api/review"));
  EXPECT_EQ(b["items"].size(), 0u);
  EXPECT_EQ(b["pending_total"], pending);

  Session analyst = Login("wmp-analyst");
  r = Get(analyst, "/api/review");
  ASSERT_EQ(r->status, 200);
  ExpectMatchesSpec("GET", "/api/review", r);
  b = Body(r);
  EXPECT_EQ(b["aggregate_only"], true);
  EXPECT_FALSE(b.contains("items"));
  EXPECT_EQ(r->body.find("Synthetic"), std::string::npos);
  EXPECT_EQ(Get(wmp, "/api/review?limit=0")->status, 400);
  EXPECT_EQ(Get(wmp, "/api/review?limit=1&limit=2")->status, 400);  // query parameters: listed ones, once each
  EXPECT_EQ(Get(wmp, "/api/review?agency=bcc")->status, 400);
  EXPECT_EQ(Body(Get(wmp, "/api/review?limit=1"))["items"].size(), 1u);
  EXPECT_GE(CountAudit("list_review", "bcc-practitioner", "ok"), 1);
  EXPECT_GE(CountAudit("list_review", "wmp-analyst", "ok"), 1);
}

TEST_F(AdminTest, ReviewItemShowsBothMentionsTheWaterfallAndAnETag) {
  Session s = Login("wmp-practitioner");
  auto r = Get(s, Path("/api/review/", wmp_));
  ASSERT_EQ(r->status, 200) << r->body;
  ExpectMatchesSpec("GET", "/api/review/{id}", r);
  EXPECT_EQ(r->get_header_value("ETag"), "\"1\"");
  const json b = Body(r);
  EXPECT_EQ(b["version"], 1);
  EXPECT_EQ(b["status"], "pending");
  EXPECT_EQ(b["left"]["forename"], "Bea");
  EXPECT_EQ(b["right"]["forename"], "Bea");
  EXPECT_EQ(b["same_person"], false);
  ASSERT_TRUE(b["explanation"].is_object()) << r->body;
  ASSERT_GE(b["explanation"]["steps"].size(), 3u);
  double sum = 0;
  for (const auto& step : b["explanation"]["steps"]) sum += step["weight"].get<double>();
  EXPECT_NEAR(sum, b["explanation"]["match_weight"].get<double>(), 1e-6);  // a waterfall adds up
  EXPECT_EQ(CountAuditTarget("read_review", Path("review:", wmp_), "ok"), 1);
}

TEST_F(AdminTest, ReviewItemsOutsideYourRightsAnswerExactlyLikeMissingOnes) {
  Session nhs = Login("nhs-manager");
  Session bcc = Login("bcc-manager");
  for (const Session* s : {&nhs, &bcc}) {
    auto hidden = Get(*s, Path("/api/review/", s == &bcc ? wmp_ : bcc_));
    auto missing = Get(*s, "/api/review/987654");
    ASSERT_TRUE(hidden && missing);
    EXPECT_EQ(hidden->status, 404);
    EXPECT_EQ(hidden->body, missing->body);
    EXPECT_EQ(hidden->get_header_value("Content-Length"), missing->get_header_value("Content-Length"));
    EXPECT_FALSE(hidden->has_header("ETag"));
    auto hidden_post = Decide(*s, hidden_, "\"1\"");
    auto missing_post = Decide(*s, 987654, "\"1\"");
    EXPECT_EQ(hidden_post->status, 404);
    EXPECT_EQ(hidden_post->body, missing_post->body);
  }
  EXPECT_EQ(CountAudit("read_review", "nhs-manager", "refused"), 1);
  EXPECT_EQ(CountAudit("read_review", "nhs-manager", "not_found"), 1);
  EXPECT_EQ(CountAudit("review_decision", "bcc-manager", "refused"), 1);
  EXPECT_EQ(CountAudit("review_decision", "bcc-manager", "not_found"), 1);
  EXPECT_EQ(SqlInt(db_, "SELECT version FROM link_review WHERE id = ?1", {std::to_string(hidden_)}), 1);
}

TEST_F(AdminTest, DecisionsNeedTheCurrentETagAndAreKeptByLaterLinkRuns) {
  Session s = Login("wmp-manager");
  const std::string path = Path("/api/review/", decided_);
  auto none = Decide(s, decided_, "");
  ASSERT_EQ(none->status, 428);
  ExpectMatchesSpec("POST", "/api/review/{id}/decision", none);
  EXPECT_EQ(Body(none)["error"]["code"], "precondition_required");
  EXPECT_EQ(Decide(s, decided_, "\"1\"", "maybe")->status, 400);
  EXPECT_EQ(Decide(s, decided_, "\"1\"", "reject", {{"decided_by", "someone-else"}})->status, 400);  // mass assignment
  EXPECT_EQ(
      Send(s, "POST", path + "/decision", {{"decision", "reject"}, {"reason", "x"}}, {{"If-Match", "\"1\""}})->status,
      400);  // a reason is required
  for (const char* wrong : {"\"7\"", "W/\"1\"", "*", "1", "\"1\", \"2\""}) {
    auto r = Decide(s, decided_, wrong, "reject");
    EXPECT_EQ(r->status, 412) << wrong;
    EXPECT_EQ(Body(r)["error"]["code"], "precondition_failed");
  }
  auto ok = Decide(s, decided_, "\"1\"", "reject");
  ASSERT_EQ(ok->status, 200) << ok->body;
  ExpectMatchesSpec("POST", "/api/review/{id}/decision", ok);
  EXPECT_EQ(ok->get_header_value("ETag"), "\"2\"");
  EXPECT_EQ(Body(ok)["status"], "rejected");
  EXPECT_EQ(Body(ok)["decided_by"], "wmp-manager");
  auto stale = Decide(s, decided_, "\"1\"", "confirm");
  EXPECT_EQ(stale->status, 412);
  ExpectMatchesSpec("POST", "/api/review/{id}/decision", stale);
  EXPECT_EQ(stale->get_header_value("ETag"), "\"2\"");
  auto again = Decide(s, decided_, "\"2\"", "confirm");
  EXPECT_EQ(again->status, 409);
  ExpectMatchesSpec("POST", "/api/review/{id}/decision", again);
  EXPECT_EQ(Body(again)["error"]["code"], "conflict");
  auto read = Get(s, path);
  EXPECT_EQ(read->get_header_value("ETag"), "\"2\"");
  EXPECT_EQ(Body(read)["status"], "rejected");
  const std::string target = Path("review:", decided_);
  EXPECT_EQ(CountAuditTarget("review_reject", target, "ok"), 1);
  EXPECT_EQ(CountAuditTarget("review_decision", target, "stale"), 6);
  EXPECT_EQ(CountAuditTarget("review_decision", target, "already_decided"), 1);
  // A later link run that queues the pair again keeps the decision, its id and its version; pending pairs are
  // queued afresh under new ids (old ids answer 404).
  const int64_t decided_id = decided_, old_race = race_;
  ASSERT_TRUE(store_->SaveLinkage(linkage_, store::Actor{}).ok());
  RefreshIds();
  EXPECT_EQ(decided_, decided_id);
  EXPECT_NE(race_, old_race);
  EXPECT_EQ(
      Sql(db_, "SELECT status || ':' || version FROM link_review WHERE id = ?1", {std::to_string(decided_)}).at(0),
      "rejected:2");
  EXPECT_EQ(Get(s, Path("/api/review/", old_race))->status, 404);
  auto decisions = store_->LoadReviewDecisions();
  ASSERT_TRUE(decisions.ok());
  bool kept = false;
  for (const auto& d : *decisions)
    kept = kept || (d.status == "rejected" && d.reason.find("school") != std::string::npos);
  EXPECT_TRUE(kept);
}

// 32 clients decide the same item with the same If-Match: exactly one wins that version, every other gets 412
// (the version moved) or 409, every attempt is audited in its own transaction, and the log stays whole.
TEST_F(AdminTest, ThirtyTwoConcurrentDecisionsOneWinnerPerVersion) {
  const Session sessions[] = {Login("wmp-practitioner"), Login("wmp-manager")};
  auto first = Get(sessions[0], Path("/api/review/", race_));
  ASSERT_EQ(first->status, 200);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_EQ(etag, "\"1\"");
  const std::string target = Path("review:", race_);
  auto decision_events = [&] {
    return SqlInt(db_,
                  "SELECT COUNT(*) FROM audit_event WHERE target = ?1 AND action IN ('review_confirm', "
                  "'review_reject', 'review_decision')",
                  {target});
  };
  const int64_t before = decision_events();
  constexpr int kClients = 32;
  std::vector<int> status(kClients, 0);
  std::latch start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      const Session& s = sessions[i % 2];
      httplib::Client c("127.0.0.1", port_);
      c.set_read_timeout(60, 0);
      httplib::Headers h{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}, {"If-Match", etag}};
      const json body = {{"decision", i % 3 == 0 ? "reject" : "confirm"},
                         {"reason", "concurrent reviewer " + std::to_string(i)}};
      start.arrive_and_wait();
      auto r = c.Post(Path("/api/review/", race_, "/decision").c_str(), h, body.dump(), "application/json");
      status[i] = r ? r->status : -100 - static_cast<int>(r.error());
    });
  }
  for (auto& t : threads) t.join();
  int winners = 0, refused = 0;
  for (int st : status) {
    if (st >= 200 && st < 300)
      ++winners;
    else if (st == 409 || st == 412)
      ++refused;
    else
      ADD_FAILURE() << "unexpected status " << st;
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(refused, kClients - 1);
  auto after = Get(sessions[1], Path("/api/review/", race_));
  EXPECT_EQ(after->get_header_value("ETag"), "\"2\"");
  EXPECT_NE(Body(after)["status"], "pending");
  // Every attempt wrote one decision event: the winner's decision plus each audited refusal.
  EXPECT_EQ(decision_events() - before, kClients);
  EXPECT_EQ(SqlInt(db_,
                   "SELECT COUNT(*) FROM audit_event WHERE target = ?1 AND action IN ('review_confirm', "
                   "'review_reject') AND outcome = 'ok'",
                   {target}),
            winners);
  EXPECT_EQ(SqlInt(db_,
                   "SELECT COUNT(*) FROM audit_event WHERE target = ?1 AND action = 'review_decision' AND "
                   "outcome IN ('stale', 'already_decided')",
                   {target}),
            refused);
  // No gaps in the sequence, and the Merkle log verifies.
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM audit_event"), SqlInt(db_, "SELECT MAX(seq) FROM audit_event"));
  EXPECT_EQ(SqlInt(db_, "SELECT MIN(seq) FROM audit_event"), 1);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->problem;
}

// ---------------------------------------------------------------- users

TEST_F(AdminTest, AdministratorsManageTheirOwnAgencysUsersOnly) {
  Session admin = Login("wmp-administrator");
  auto list = Get(admin, "/api/users");
  ASSERT_EQ(list->status, 200);
  ExpectMatchesSpec("GET", "/api/users", list);
  const json users = Body(list)["users"];
  EXPECT_GE(users.size(), 5u);
  for (const auto& u : users) EXPECT_EQ(u["agency"], "wmp");
  EXPECT_EQ(list->body.find("argon2"), std::string::npos);
  EXPECT_EQ(list->body.find("sb1:"), std::string::npos);
  EXPECT_EQ(list->body.find(secrets_["wmp-analyst"]), std::string::npos);
  EXPECT_EQ(CountAudit("list_users", "wmp-administrator", "ok"), 1);

  // Mass assignment of the agency (or anything else) is refused, not ignored.
  EXPECT_EQ(Post(admin, "/api/users", {{"name", "wmp-lee"}, {"role", "analyst"}, {"agency", "bcc"}})->status, 400);
  EXPECT_EQ(Post(admin, "/api/users", {{"name", "wmp-lee"}, {"role", "superuser"}})->status, 400);
  EXPECT_EQ(Post(admin, "/api/users", {{"name", "bad name!"}, {"role", "analyst"}})->status, 400);
  // A new account is a request: nothing exists until a second person approves it.
  const json lee_request = {{"name", "wmp-lee"}, {"role", "practitioner"}, {"reason", "new starter in the team"}};
  auto created = Post(admin, "/api/users", lee_request);
  ASSERT_EQ(created->status, 202) << created->body;
  ExpectMatchesSpec("POST", "/api/users", created);
  const json c = Body(created);
  EXPECT_EQ(c["request"]["subject_agency"], "wmp");
  EXPECT_EQ(c["request"]["role"], "practitioner");
  EXPECT_EQ(c["request"]["kind"], "account_grant");
  EXPECT_EQ(c["request"]["state"], "pending");
  const std::string part_a = c["enrolment_code_part"];
  EXPECT_EQ(part_a.size(), 20u);
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM app_user WHERE name = 'wmp-lee'"), 0);
  EXPECT_EQ(Post(admin, "/api/users", lee_request)->status, 409);  // the same request is pending
  Session ig = Login("wmp-ig_lead");
  auto approved = DecideRequest(ig, c["request"]["id"], "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  ExpectMatchesSpec("POST", "/api/approvals/{id}/approve", approved);
  EXPECT_EQ(Body(approved)["request"]["state"], "approved");
  EXPECT_EQ(Body(approved)["request"]["decided_by"], "wmp-ig_lead");
  const std::string part_b = Body(approved)["enrolment_code_part"];
  EXPECT_NE(part_a, part_b);
  EXPECT_EQ(
      Post(admin, "/api/users", {{"name", "wmp-lee"}, {"role", "analyst"}, {"reason", "the same name again"}})->status,
      409);
  // The code halves are returned once and never logged or audited.
  EXPECT_EQ(SqlInt(db_,
                   "SELECT COUNT(*) FROM audit_event WHERE details LIKE '%' || ?1 || '%' OR details LIKE '%' || "
                   "?2 || '%'",
                   {part_a, part_b}),
            0);
  EXPECT_EQ(CountAudit("approval_request", "wmp-administrator", "ok"), 1);
  EXPECT_EQ(CountAudit("approval_approve", "wmp-ig_lead", "ok"), 1);
  const std::string password = "a new passphrase of lee's own choosing";
  const std::string secret = Enrol("wmp-lee", part_a + part_b, password);
  ASSERT_FALSE(secret.empty());
  Session lee = LoginAs("wmp-lee", password, secret);
  ASSERT_FALSE(lee.cookie.empty());
  EXPECT_EQ(Body(Get(lee, "/api/session"))["agency"], "wmp");
  EXPECT_EQ(Body(Get(lee, "/api/session"))["must_enrol"], false);

  // Another agency's user answers exactly like a missing one, and is left alone.
  Session other = Login("bcc-administrator");
  auto foreign = Post(other, "/api/users/wmp-lee/disable", json::object());
  auto missing = Post(other, "/api/users/nobody-at-all/disable", json::object());
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(foreign->body, missing->body);
  EXPECT_EQ(Post(other, "/api/users/wmp-lee/reset", json::object())->body, missing->body);
  EXPECT_EQ(Get(lee, "/api/session")->status, 200);
  EXPECT_EQ(CountAudit("user_disable", "bcc-administrator", "refused"), 1);
  EXPECT_EQ(CountAudit("user_disable", "bcc-administrator", "not_found"), 1);
  EXPECT_EQ(Body(Get(other, "/api/users"))["users"].dump().find("wmp-lee"), std::string::npos);
  // Not oneself.
  EXPECT_EQ(Post(admin, "/api/users/wmp-administrator/disable", json::object())->status, 409);
  EXPECT_EQ(Post(admin, "/api/users/wmp-lee/disable", {{"disabled", false}})->status, 400);
}

TEST_F(AdminTest, DisableAndResetThroughTheApiRevokeSessions) {
  Session admin = Login("nhs-administrator");
  Session ig = Login("nhs-ig_lead");
  auto created =
      Post(admin, "/api/users", {{"name", "nhs-kim"}, {"role", "manager"}, {"reason", "new team manager starts"}});
  ASSERT_EQ(created->status, 202) << created->body;
  auto approved = DecideRequest(ig, Body(created)["request"]["id"], "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  std::string password = "kim's first passphrase, long enough";
  std::string secret = Enrol("nhs-kim",
                             Body(created)["enrolment_code_part"].get<std::string>() +
                                 Body(approved)["enrolment_code_part"].get<std::string>(),
                             password);
  Session kim = LoginAs("nhs-kim", password, secret);
  ASSERT_EQ(Get(kim, "/api/session")->status, 200);

  auto disabled = Post(admin, "/api/users/nhs-kim/disable", json::object());
  ASSERT_EQ(disabled->status, 200) << disabled->body;
  ExpectMatchesSpec("POST", "/api/users/{name}/disable", disabled);
  EXPECT_EQ(Body(disabled)["sessions_revoked"], true);
  EXPECT_EQ(Get(kim, "/api/session")->status, 401);
  int status = 0;
  LoginAs("nhs-kim", password, secret, &status);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(SqlInt(db_,
                   "SELECT COUNT(*) FROM user_session s JOIN app_user u ON u.id = s.user_id "
                   "WHERE u.name = 'nhs-kim' AND s.revoked = 0"),
            0);

  const json why = {{"reason", "lost phone and forgotten password"}};
  auto reset = Post(admin, "/api/users/nhs-kim/reset", why);
  ASSERT_EQ(reset->status, 202) << reset->body;
  ExpectMatchesSpec("POST", "/api/users/{name}/reset", reset);
  EXPECT_EQ(Body(reset)["request"]["kind"], "credential_reset");
  EXPECT_EQ(SqlInt(db_, "SELECT disabled FROM app_user WHERE name = 'nhs-kim'"), 1);  // nothing until approved
  auto reset_approved = DecideRequest(ig, Body(reset)["request"]["id"], "approve");
  ASSERT_EQ(reset_approved->status, 200) << reset_approved->body;
  const std::string code = Body(reset)["enrolment_code_part"].get<std::string>() +
                           Body(reset_approved)["enrolment_code_part"].get<std::string>();
  LoginAs("nhs-kim", password, secret, &status);
  EXPECT_EQ(status, 401);  // the old credentials are gone
  const std::string new_password = "kim's second passphrase, after the reset";
  const std::string new_secret = Enrol("nhs-kim", code, new_password);
  EXPECT_NE(new_secret, secret);
  Session again = LoginAs("nhs-kim", new_password, new_secret, &status);
  EXPECT_EQ(status, 200);  // and a reset re-enables
  // An approved reset also ends a live session.
  auto third = Post(admin, "/api/users/nhs-kim/reset", why);
  ASSERT_EQ(third->status, 202);
  EXPECT_EQ(Get(again, "/api/session")->status, 200);  // still live while the reset is only requested
  ASSERT_EQ(DecideRequest(ig, Body(third)["request"]["id"], "approve")->status, 200);
  EXPECT_EQ(Get(again, "/api/session")->status, 401);
  EXPECT_EQ(CountAudit("user_disable", "nhs-administrator", "ok"), 1);
  EXPECT_EQ(CountAudit("approval_request", "nhs-administrator", "ok"), 3);
  EXPECT_EQ(CountAudit("approval_approve", "nhs-ig_lead", "ok"), 3);
  EXPECT_EQ(CountAudit("enrol", "nhs-kim", "ok"), 2);
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM audit_event WHERE details LIKE '%' || ?1 || '%'", {new_password}), 0);
  EXPECT_EQ(SqlInt(db_, "SELECT COUNT(*) FROM audit_event WHERE details LIKE '%' || ?1 || '%'", {code.substr(0, 20)}),
            0);
}

// ---------------------------------------------------------------- sharing agreements

TEST_F(AdminTest, AgreementsAreCreatedByTheProvidersIgLeadAndEndedByEitherParty) {
  Session nhs_practitioner = Login("nhs-practitioner");
  ASSERT_EQ(Get(nhs_practitioner, "/api/children/1")->status, 404);  // relationship, but no agreement from wmp
  Session wmp_ig = Login("wmp-ig_lead");
  const json good = {{"provider_agency", "wmp"},
                     {"recipient_agency", "nhs"},
                     {"data_class", "*"},
                     {"purpose", "CSE safeguarding"},
                     {"lawful_basis", "Children Act 2004 s.11"},
                     {"valid_until", "2099-12-31"}};
  json bad = good;
  bad["provider_agency"] = "bcc";  // someone else's records
  EXPECT_EQ(Post(wmp_ig, "/api/agreements", bad)->status, 403);
  EXPECT_EQ(CountAudit("sharing_agreement_add", "wmp-ig_lead", "forbidden"), 1);
  bad = good;
  bad["created_by"] = "someone";
  EXPECT_EQ(Post(wmp_ig, "/api/agreements", bad)->status, 400);
  bad = good;
  bad["recipient_agency"] = "nowhere";
  EXPECT_EQ(Post(wmp_ig, "/api/agreements", bad)->status, 400);
  bad = good;
  bad["valid_until"] = "2001-01-01";
  EXPECT_EQ(Post(wmp_ig, "/api/agreements", bad)->status, 400);
  auto created = Post(wmp_ig, "/api/agreements", good);
  ASSERT_EQ(created->status, 201) << created->body;
  ExpectMatchesSpec("POST", "/api/agreements", created);
  const int64_t id = Body(created)["id"];
  EXPECT_EQ(Body(created)["in_force"], true);
  EXPECT_EQ(Post(wmp_ig, "/api/agreements", good)->status, 409);     // already in force
  EXPECT_EQ(Get(nhs_practitioner, "/api/children/1")->status, 200);  // shared now, with the relationship

  // Listed for both parties, not for others.
  auto listed = [&](const std::string& user) {
    Session s = Login(user);
    for (const auto& a : Field(Get(s, "/api/agreements"), "agreements")) {
      if (a["id"] == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(listed("nhs-analyst"));
  EXPECT_TRUE(listed("wmp-practitioner"));
  EXPECT_FALSE(listed("bcc-manager"));

  Session bcc_ig = Login("bcc-ig_lead");
  auto foreign = Post(bcc_ig, Path("/api/agreements/", id, "/end"), {{"reason", "not ours to end at all"}});
  auto missing = Post(bcc_ig, "/api/agreements/987654/end", {{"reason", "not ours to end at all"}});
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(foreign->body, missing->body);
  Session nhs_ig = Login("nhs-ig_lead");
  EXPECT_EQ(Post(nhs_ig, Path("/api/agreements/", id, "/end"), {{"reason", "short"}})->status, 400);
  auto ended = Post(nhs_ig, Path("/api/agreements/", id, "/end"), {{"reason", "the pilot has finished"}});
  ASSERT_EQ(ended->status, 200) << ended->body;
  ExpectMatchesSpec("POST", "/api/agreements/{id}/end", ended);
  EXPECT_EQ(Body(ended)["in_force"], false);
  EXPECT_EQ(Body(ended)["ended_by"], "nhs-ig_lead");
  EXPECT_EQ(Post(nhs_ig, Path("/api/agreements/", id, "/end"), {{"reason", "the pilot has finished"}})->status, 409);
  Session later = Login("nhs-practitioner");
  EXPECT_EQ(Get(later, "/api/children/1")->status, 404);  // no longer shared
  EXPECT_EQ(CountAuditTarget("sharing_agreement_end", Path("sharing_agreement:", id), "ok"), 1);
  EXPECT_EQ(CountAuditTarget("sharing_agreement_end", Path("sharing_agreement:", id), "refused"), 1);
}

// ---------------------------------------------------------------- care relationships

TEST_F(AdminTest, ManagersAllocateTheirOwnPractitionersToChildrenTheyCanSee) {
  Session manager = Login("bcc-manager");
  Session practitioner = Login("bcc-practitioner");
  ASSERT_EQ(Get(practitioner, "/api/children/1")->status, 200);  // wmp's records: agreement + allocated case
  auto list = Get(manager, "/api/children/1/relationships");
  ASSERT_EQ(list->status, 200) << list->body;
  ExpectMatchesSpec("GET", "/api/children/{id}/relationships", list);
  int64_t rid = 0;
  for (const auto& r : Field(list, "relationships")) {
    EXPECT_EQ(r["agency"], "bcc");  // only the manager's own agency's relationships
    if (r["user"] == "bcc-practitioner" && r["ended_at"].is_null()) rid = r["id"];
  }
  ASSERT_GT(rid, 0);
  auto ended = Send(manager, "DELETE", Path("/api/children/1/relationships/", rid), nullptr);
  ASSERT_EQ(ended->status, 200) << ended->body;
  ExpectMatchesSpec("DELETE", "/api/children/{id}/relationships/{relationship}", ended);
  EXPECT_FALSE(Body(ended)["ended_at"].is_null());
  EXPECT_EQ(Send(manager, "DELETE", Path("/api/children/1/relationships/", rid), nullptr)->status, 409);
  EXPECT_EQ(Get(practitioner, "/api/children/1")->status, 404);  // no relationship, no shared records

  const std::string why = "child seen at the drop-in, allocated today";
  EXPECT_EQ(Post(manager, "/api/children/1/relationships",
                 {{"user", "wmp-practitioner"}, {"kind", "allocated_case"}, {"reason", why}})
                ->status,
            400);  // not the manager's agency
  EXPECT_EQ(Post(manager, "/api/children/1/relationships",
                 {{"user", "bcc-analyst"}, {"kind", "allocated_case"}, {"reason", why}})
                ->status,
            400);  // not a practitioner or manager
  EXPECT_EQ(Post(manager, "/api/children/1/relationships", {{"user", "bcc-practitioner"}, {"kind", "friend"}})->status,
            400);
  EXPECT_EQ(Post(manager, "/api/children/1/relationships",
                 {{"user", "bcc-practitioner"}, {"kind", "allocated_case"}, {"reason", why}, {"created_by", "x"}})
                ->status,
            400);
  const json ask = {{"user", "bcc-practitioner"}, {"kind", "allocated_case"}, {"reason", why}};
  auto added = Post(manager, "/api/children/1/relationships", ask);
  ASSERT_EQ(added->status, 202) << added->body;
  ExpectMatchesSpec("POST", "/api/children/{id}/relationships", added);
  EXPECT_EQ(Body(added)["request"]["requested_by"], "bcc-manager");
  EXPECT_EQ(Body(added)["request"]["person_id"], 1);
  EXPECT_EQ(Post(manager, "/api/children/1/relationships", ask)->status, 409);  // already pending
  EXPECT_EQ(Get(practitioner, "/api/children/1")->status, 404);                 // not until approved
  // Only an IG lead or a manager of an agency holding records on child 1 (the police) may approve.
  const int64_t request = Body(added)["request"]["id"];
  EXPECT_EQ(DecideRequest(Login("bcc-ig_lead"), request, "approve")->status, 404);
  auto approved = DecideRequest(Login("wmp-ig_lead"), request, "approve");
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(Get(practitioner, "/api/children/1")->status, 200);
  bool current = false;
  for (const auto& r : Field(Get(manager, "/api/children/1/relationships"), "relationships")) {
    if (r["user"] == "bcc-practitioner" && r["ended_at"].is_null()) {
      current = true;
      EXPECT_EQ(r["created_by"], "bcc-manager");
    }
  }
  EXPECT_TRUE(current);

  // A child the manager cannot see, another agency's relationship and a missing one: the same 404.
  auto unseen = Post(manager, "/api/children/4/relationships",
                     {{"user", "bcc-practitioner"}, {"kind", "mase_listing"}, {"reason", why}});
  auto nochild = Post(manager, "/api/children/987654/relationships",
                      {{"user", "bcc-practitioner"}, {"kind", "mase_listing"}, {"reason", why}});
  EXPECT_EQ(unseen->status, 404);
  EXPECT_EQ(unseen->body, nochild->body);
  const int64_t wmp_rid = SqlInt(db_,
                                 "SELECT c.id FROM care_relationship c JOIN app_user u ON u.id = c.user_id "
                                 "WHERE u.name = 'wmp-practitioner' AND c.person_id = 1 LIMIT 1");
  auto foreign = Send(manager, "DELETE", Path("/api/children/1/relationships/", wmp_rid), nullptr);
  auto norel = Send(manager, "DELETE", "/api/children/1/relationships/987654", nullptr);
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(foreign->body, norel->body);
  // Ending one needs the manager to see the child (decided first, whatever the relationship id names).
  auto hidden = Send(manager, "DELETE", Path("/api/children/4/relationships/", rid), nullptr);
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(hidden->body, norel->body);
  EXPECT_EQ(CountAudit("approval_request", "bcc-manager", "refused"), 1);
  EXPECT_EQ(CountAudit("approval_request", "bcc-manager", "not_found"), 1);
  EXPECT_EQ(CountAudit("approval_request", "bcc-manager", "invalid_user"), 2);
  EXPECT_EQ(CountAudit("approval_approve", "bcc-ig_lead", "refused"), 1);
  EXPECT_EQ(CountAudit("relationship_end", "bcc-manager", "refused"), 2);  // another agency's; a hidden child
  EXPECT_EQ(CountAudit("relationship_end", "bcc-manager", "not_found"), 1);
  EXPECT_EQ(CountAudit("relationship_end", "bcc-manager", "already_ended"), 1);
  EXPECT_EQ(CountAudit("relationship_end", "bcc-manager", "ok"), 1);
}

// ---------------------------------------------------------------- IG alerts and break-glass review

TEST_F(AdminTest, BreakGlassRaisesAlertsForBothAgenciesAndIsReviewedOnce) {
  Session nhs = Login("nhs-analyst");
  auto grant = Post(nhs, "/api/children/2/break-glass", {{"reason", "child missing tonight, police not reachable"}});
  ASSERT_EQ(grant->status, 201) << grant->body;
  const int64_t id = Body(grant)["grant"];
  auto alerted = [&](const std::string& user) {
    Session s = Login(user);
    auto r = Get(s, "/api/alerts");
    EXPECT_EQ(r->status, 200) << r->body;
    ExpectMatchesSpec("GET", "/api/alerts", r);
    for (const auto& a : Field(r, "alerts")) {
      if (a["grant"]["id"] == id) return true;
    }
    return false;
  };
  EXPECT_TRUE(alerted("nhs-ig_lead"));  // the grantee's agency
  EXPECT_TRUE(alerted("wmp-ig_lead"));  // the agency whose records were opened
  EXPECT_FALSE(alerted("bcc-ig_lead"));

  Session bcc_ig = Login("bcc-ig_lead");
  const json review = {{"outcome", "appropriate"}, {"note", "checked with the duty sergeant"}};
  auto foreign = Post(bcc_ig, Path("/api/break-glass/", id, "/review"), review);
  auto missing = Post(bcc_ig, "/api/break-glass/987654/review", review);
  EXPECT_EQ(foreign->status, 404);
  EXPECT_EQ(foreign->body, missing->body);
  Session wmp_ig = Login("wmp-ig_lead");
  EXPECT_EQ(Post(wmp_ig, Path("/api/break-glass/", id, "/review"),
                 {{"outcome", "fine"}, {"note", "checked with the duty sergeant"}})
                ->status,
            400);
  EXPECT_EQ(Post(wmp_ig, Path("/api/break-glass/", id, "/review"),
                 {{"outcome", "appropriate"}, {"note", "checked with the duty sergeant"}, {"reviewed_by", "x"}})
                ->status,
            400);
  auto done = Post(wmp_ig, Path("/api/break-glass/", id, "/review"), review);
  ASSERT_EQ(done->status, 200) << done->body;
  ExpectMatchesSpec("POST", "/api/break-glass/{id}/review", done);
  EXPECT_EQ(Body(done)["grant"]["reviewed_by"], "wmp-ig_lead");
  EXPECT_EQ(Body(done)["grant"]["review_outcome"], "appropriate");
  EXPECT_EQ(Body(done)["open"], false);
  Session nhs_ig = Login("nhs-ig_lead");
  EXPECT_EQ(Post(nhs_ig, Path("/api/break-glass/", id, "/review"), review)->status, 409);  // reviewed once
  // The review shows in the IG lead's break-glass list, and the alert leaves the open list.
  bool reviewed = false;
  for (const auto& g : Field(Get(nhs_ig, "/api/break-glass?all=1"), "grants")) {
    if (g["id"] == id) reviewed = g["reviewed_by"] == "wmp-ig_lead" && !g["reviewed_at"].get<std::string>().empty();
  }
  EXPECT_TRUE(reviewed);
  bool in_open = false, in_all = false;
  for (const auto& a : Field(Get(nhs_ig, "/api/alerts"), "alerts")) in_open = in_open || a["grant"]["id"] == id;
  EXPECT_FALSE(in_open);
  for (const auto& a : Field(Get(nhs_ig, "/api/alerts?all=1"), "alerts")) in_all = in_all || a["grant"]["id"] == id;
  EXPECT_TRUE(in_all);
  EXPECT_EQ(CountAuditTarget("break_glass_review", Path("break_glass:", id), "ok"), 1);
  EXPECT_EQ(CountAuditTarget("break_glass_review", Path("break_glass:", id), "refused"), 1);
  EXPECT_EQ(CountAuditTarget("break_glass_review", Path("break_glass:", id), "already_reviewed"), 1);
  EXPECT_GE(CountAudit("list_alerts", "wmp-ig_lead", "ok"), 1);
}

// ---------------------------------------------------------------- the authorisation matrix

// Every new endpoint x every role x {own agency, agency with an agreement, agency without}: the exact status, so
// an unexpected 2xx fails. Child 1: wmp records, every user has an allocated case. Child 2: wmp records, no
// relationships. Agreement wmp -> bcc only.
TEST_F(AdminTest, AuthorisationMatrix) {
  for (const std::string agency : {"wmp", "bcc", "nhs"}) {
    for (Role role : AllRoles()) {
      const std::string user = agency + "-" + std::string(ToString(role));
      Session s = Login(user);
      const bool reviewer = role == Role::kPractitioner || role == Role::kManager;
      const bool admin = role == Role::kAdministrator, ig = role == Role::kIgLead, manager = role == Role::kManager;
      const bool own = agency == "wmp", agreement = agency == "bcc";
      struct Probe {
        std::string method, path;
        json body;
        int expected;
        httplib::Headers headers;
      };
      const std::vector<Probe> probes = {
          {"GET", "/api/review", nullptr, reviewer || role == Role::kAnalyst ? 200 : 403, {}},
          {"GET",
           Path("/api/review/", wmp_),
           nullptr,
           !reviewer ? 403
           : own     ? 200
                     : 404,
           {}},
          {"GET",
           Path("/api/review/", bcc_),
           nullptr,
           !reviewer   ? 403
           : agreement ? 200
                       : 404,
           {}},
          {"GET", Path("/api/review/", hidden_), nullptr, !reviewer ? 403 : 404, {}},
          {"POST",
           Path("/api/review/", hidden_, "/decision"),
           {{"decision", "reject"}, {"reason", "matrix probe, never applies"}},
           !reviewer ? 403 : 404,
           {{"If-Match", "\"1\""}}},
          {"GET", "/api/users", nullptr, admin ? 200 : 403, {}},
          {"POST",
           "/api/users",
           {{"name", user + "-mx"}, {"role", "analyst"}, {"reason", "matrix probe: an account request"}},
           admin ? 202 : 403,
           {}},
          {"POST",
           "/api/users/wmp-analyst/disable",
           json::object(),
           !admin ? 403
           : own  ? 200
                  : 404,
           {}},
          {"POST", "/api/users/zz-nobody/reset", json::object(), admin ? 404 : 403, {}},
          {"GET", "/api/agreements", nullptr, 200, {}},
          {"POST",
           "/api/agreements",
           {{"provider_agency", agency},
            {"recipient_agency", own ? "nhs" : "wmp"},
            {"data_class", "matrix_class"},
            {"purpose", "matrix probe"},
            {"lawful_basis", "test only"}},
           ig ? 201 : 403,
           {}},
          {"POST", "/api/agreements/987654/end", {{"reason", "matrix probe, nothing to end"}}, ig ? 404 : 403, {}},
          {"GET",
           "/api/children/1/relationships",
           nullptr,
           !manager             ? 403
           : (own || agreement) ? 200
                                : 404,
           {}},
          {"POST",
           "/api/children/2/relationships",
           {{"user", agency + "-practitioner"},
            {"kind", "mase_listing"},
            {"reason", "matrix probe: a listing request"}},
           !manager ? 403
           : own    ? 202
                    : 404,
           {}},
          {"GET", "/api/approvals", nullptr, manager || ig || admin ? 200 : 403, {}},
          {"POST",
           "/api/approvals/987654/approve",
           {{"note", "matrix probe: nothing to approve"}},
           manager || ig || admin ? 404 : 403,
           {}},
          {"POST", "/api/approvals/987654/withdraw", json::object(), manager || ig || admin ? 404 : 403, {}},
          {"DELETE", "/api/children/1/relationships/987654", nullptr, manager ? 404 : 403, {}},
          {"GET", "/api/alerts", nullptr, ig ? 200 : 403, {}},
          {"POST",
           "/api/break-glass/987654/review",
           {{"outcome", "appropriate"}, {"note", "matrix probe only"}},
           ig ? 404 : 403,
           {}},
      };
      for (const Probe& p : probes) {
        auto r = Send(s, p.method, p.path, p.body, p.headers);
        ASSERT_TRUE(r) << p.method << " " << p.path;
        EXPECT_EQ(r->status, p.expected) << user << " " << p.method << " " << p.path << ": " << r->body;
        ExpectMatchesSpec(p.method, SpecPath(p.path), r);
        if (r->status >= 400) {
          const json e = Body(r);
          EXPECT_EQ(e["error"]["status"], r->status) << "one error shape";
        }
        auto anonymous = Send(Session{}, p.method, p.path, p.body, p.headers);
        EXPECT_EQ(anonymous->status, 401) << "anonymous " << p.method << " " << p.path;
        if (p.method != "GET") {
          Session no_csrf{s.cookie, ""};
          EXPECT_EQ(Send(no_csrf, p.method, p.path, p.body, p.headers, false)->status, 403)
              << "no CSRF token: " << p.method << " " << p.path;
        }
      }
      if (admin && own) {
        ASSERT_TRUE(store_->SetUserDisabled("wmp-analyst", false, store::Actor{}).ok());
      }
      if (!reviewer && role != Role::kAnalyst) {
        EXPECT_GE(CountAudit("list_review", user, "forbidden"), 1) << user;
      }
      if (!admin) {
        EXPECT_GE(CountAudit("list_users", user, "forbidden"), 1) << user;
      }
    }
  }
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem;
}

}  // namespace admin_test
}  // namespace riskradar::server

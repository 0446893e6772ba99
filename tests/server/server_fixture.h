// The shared fixture of the server tests: a real server on a loopback port over a small seeded store.
// Three agencies (wmp police, bcc council, nhs); children 1 (Amy) and 2 (Bea) with police records only; one
// user per agency and role, each with an allocated case for child 1; an agreement wmp -> bcc.
// Each test file derives its own suite from ServerFixture; SetUpTestSuite and TearDownTestSuite make and remove
// its statics per suite.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "riskradar/server/auth.h"
#include "riskradar/server/server.h"
#include "riskradar/store/store.h"

namespace riskradar::server {
inline namespace server_fixture {  // inline: named for unity builds, used unqualified

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kPassword = "correct horse battery staple, but longer than sixty-four characters in total!!";

struct Session {
  std::string cookie;  // "__Host-rr_session=..."
  std::string csrf;
};

class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("rr-server-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_suite()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "t.db").string();
    auto s = store::OpenStore(db_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = s->release();
    Seed();
    ServerOptions o;
    o.db = db_;
    o.port = 0;
    o.workers = 4;
    o.hash_params = PasswordHashParams::MinimumForTestsOnly();
    o.clock = [] { return now_.load(); };
    if (tune_options_) tune_options_(o);
    auto srv = Server::Create(o);
    ASSERT_TRUE(srv.ok()) << srv.status().ToString();
    server_ = srv->release();
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    port_ = *port;
    thread_ = new std::thread([] { (void)server_->Run(); });
  }
  static void TearDownTestSuite() {
    server_->Stop();
    thread_->join();
    delete thread_;
    delete server_;
    delete store_;
    fs::remove_all(dir_);
  }

  // The two children's linkage over every mention in the store: each "Amy" mention is child 1 (Amy Synthetic),
  // every other mention child 2 (Bea Synthetic), both children in Birmingham. Suites that add records or review
  // pairs re-save it with their additions.
  static Result<store::LinkageOutput> ChildrenLinkage() {
    RR_ASSIGN_OR_RETURN(const auto mentions, store_->LoadPersonMentions());
    store::LinkageOutput out;
    for (int64_t id : {1, 2}) {
      Person p;
      p.id = id;
      p.display_name = id == 1 ? "Amy Synthetic" : "Bea Synthetic";
      p.is_child = true;
      p.district = "Birmingham";
      out.persons.push_back(p);
    }
    for (const auto& m : mentions) out.mention_person.push_back({m.mention.id, m.mention.forename == "Amy" ? 1 : 2});
    return out;
  }

  // Three agencies; children A and B have records only from the police (wmp); every user has an allocated
  // case for child A, none for B; a sharing agreement lets the council (bcc) see police records.
  static void Seed() {
    for (auto [code, kind] : {std::pair{"wmp", AgencyKind::kPolice}, std::pair{"bcc", AgencyKind::kCouncil},
                              std::pair{"nhs", AgencyKind::kNhs}}) {
      ASSERT_TRUE(store_->UpsertAgency({code, code, kind, "Birmingham"}).ok());
    }
    auto writer = store_->BeginBatch({"wmp", "f.csv", "h", "fmt", "police_intelligence", "test"});
    ASSERT_TRUE(writer.ok());
    int line = 2;
    for (const char* who : {"Amy", "Amy", "Bea"}) {
      store::ParsedRow r;
      r.record.agency_code = "wmp";
      r.record.local_id = std::string(who) + std::to_string(line);
      r.record.line = line++;
      r.record.raw_json = "{}";
      r.record.content_hash = r.record.local_id;
      r.record.record_class = "police_intelligence";
      r.record.lawful_basis = "test";
      r.subject.forename = who;
      r.subject.surname = "Synthetic";
      r.subject.local_person_id = who;
      r.event.kind = EventKind::kMissingEpisode;
      r.event.category = "missing_overnight";
      r.event.date = *Date::FromYmd(2025, 3, line);
      r.event.detail = "synthetic detail";
      ASSERT_TRUE((*writer)->AddRow(r).ok());
    }
    ASSERT_TRUE((*writer)->Commit({3, 3, 0, 0}, store::Actor{}).ok());
    auto out = ChildrenLinkage();
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE(store_->SaveLinkage(*out, store::Actor{}).ok());
    std::vector<Assessment> as;
    for (int64_t id : {1, 2}) {
      Assessment a;
      a.person_id = id;
      a.as_of = *Date::FromYmd(2025, 4, 1);
      a.level = RiskLevel::kSignificant;
      a.model_version = "test";
      a.explanation = {"repeat missing episodes"};
      as.push_back(a);
    }
    ASSERT_TRUE(store_->SaveAssessments(as, store::Actor{}).ok());
    const auto params = PasswordHashParams::MinimumForTestsOnly();
    for (const char* agency : {"wmp", "bcc", "nhs"}) {
      for (Role role : AllRoles()) {
        store::User u;
        u.name = std::string(agency) + "-" + std::string(ToString(role));
        u.agency_code = agency;
        u.role = role;
        u.password_hash = *HashPassword(kPassword, params);
        u.totp_secret = NewTotpSecret();
        secrets_[u.name] = u.totp_secret;
        auto id = store_->AddUser(u, store::Actor{});
        ASSERT_TRUE(id.ok()) << id.status().ToString();
        ASSERT_TRUE(store_->AddCareRelationship({*id, 1, "allocated_case"}, store::Actor{}).ok());
      }
    }
    store::SharingAgreement a;
    a.provider_agency = "wmp";
    a.recipient_agency = "bcc";
    a.purpose = "CSE safeguarding";
    a.lawful_basis = "Children Act 2004 s.11";
    ASSERT_TRUE(store_->AddSharingAgreement(a, store::Actor{}).ok());
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }

  httplib::Result PostLogin(const std::string& user, const std::string& password, const std::string& code,
                            const std::string& extra = "", const std::string& cookie = "") {
    json body = {{"user", user}, {"password", password}, {"totp", code}};
    std::string text = body.dump();
    if (!extra.empty()) text = text.substr(0, text.size() - 1) + "," + extra + "}";
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    return Client().Post("/api/login", h, text, "application/json");
  }

  // Logs in (a fresh TOTP step each time: codes are single-use).
  Session Login(const std::string& user) {
    now_ += 31;
    auto code = TotpCode(secrets_[user], now_);
    auto r = PostLogin(user, kPassword, *code);
    EXPECT_TRUE(r) << "no response";
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << user << ": " << r->body;
    Session s;
    const std::string set_cookie = r->get_header_value("Set-Cookie");
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = json::parse(r->body, nullptr, false).value("csrf_token", "");
    return s;
  }

  httplib::Result Get(const Session& s, const std::string& path) {
    httplib::Headers h;
    if (!s.cookie.empty()) h.emplace("Cookie", s.cookie);
    return Client().Get(path.c_str(), h);
  }
  httplib::Result Post(const Session& s, const std::string& path, const json& body, bool csrf = true) {
    httplib::Headers h;
    if (!s.cookie.empty()) h.emplace("Cookie", s.cookie);
    if (csrf) h.emplace("X-CSRF-Token", s.csrf);
    return Client().Post(path.c_str(), h, body.dump(), "application/json");
  }

  static int64_t CountAudit(const std::string& action, const std::string& user, const std::string& outcome) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM audit_event WHERE action = ?1 AND user_name = ?2 AND outcome = ?3", -1,
                       &q, nullptr);
    sqlite3_bind_text(q, 1, action.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, user.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, outcome.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }

  static inline fs::path dir_;
  static inline std::string db_;
  static inline store::Store* store_ = nullptr;
  static inline Server* server_ = nullptr;
  static inline std::thread* thread_ = nullptr;
  static inline int port_ = 0;
  static inline std::atomic<int64_t> now_{1750000000};
  static inline std::map<std::string, std::string> secrets_;
  // Set by a derived suite before SetUpTestSuite to change the server's options (e.g. more workers).
  static inline void (*tune_options_)(ServerOptions&) = nullptr;
};

}  // namespace server_fixture
}  // namespace riskradar::server

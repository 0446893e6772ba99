// The real server on a loopback port, spoken to over HTTP: login, throttling, sessions, CSRF, headers,
// need-to-know (IDOR probes and an authorisation matrix), break-glass and the audit trail.
#include "server_fixture.h"

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
namespace server_test {

class ServerTest : public ServerFixture {};

TEST_F(ServerTest, LoginSetsAHardenedSessionCookie) {
  now_ += 31;
  auto r = PostLogin("wmp-practitioner", kPassword, *TotpCode(secrets_["wmp-practitioner"], now_));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string c = r->get_header_value("Set-Cookie");
  EXPECT_EQ(c.rfind("__Host-rr_session=", 0), 0u) << c;
  for (const char* attr : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
    EXPECT_NE(c.find(attr), std::string::npos) << attr << " in " << c;
  }
  EXPECT_EQ(c.find("Domain"), std::string::npos);
  const std::string token = c.substr(18, c.find(';') - 18);
  EXPECT_GE(token.size(), 43u);  // 256 bits, base64url
  EXPECT_GE(CountAudit("login", "wmp-practitioner", "ok"), 1);
}

TEST_F(ServerTest, UnknownUserWrongPasswordWrongCodeAndDisabledLookTheSame) {
  now_ += 31;
  const std::string code = *TotpCode(secrets_["nhs-analyst"], now_);
  auto unknown = PostLogin("nobody-here", kPassword, code);
  auto wrong_password = PostLogin("nhs-analyst", std::string(kPassword) + "x", code);
  auto wrong_code = PostLogin("nhs-analyst", kPassword, code == "000000" ? "111111" : "000000");
  ASSERT_TRUE(unknown && wrong_password && wrong_code);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(wrong_password->status, 401);
  EXPECT_EQ(wrong_code->status, 401);
  EXPECT_EQ(unknown->body, wrong_password->body);
  EXPECT_EQ(unknown->body, wrong_code->body);
  EXPECT_EQ(json::parse(unknown->body)["error"]["code"], "unauthenticated");
  EXPECT_GE(CountAudit("login", "nobody-here", "failed"), 1);
  // A replayed one-time code is refused the same way.
  now_ += 31;
  const std::string fresh = *TotpCode(secrets_["nhs-manager"], now_);
  auto first = PostLogin("nhs-manager", kPassword, fresh);
  auto replay = PostLogin("nhs-manager", kPassword, fresh);
  ASSERT_TRUE(first && replay);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(replay->status, 401);
  EXPECT_EQ(replay->body, unknown->body);
}

TEST_F(ServerTest, MassAssignmentInLoginIsRefused) {
  now_ += 31;
  auto r = PostLogin("wmp-analyst", kPassword, *TotpCode(secrets_["wmp-analyst"], now_), "\"role\":\"administrator\"");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "bad_request");
}

TEST_F(ServerTest, RepeatedFailuresAreThrottledForKnownAndUnknownNamesAlike) {
  for (const std::string user : {"bcc-analyst", "ghost-user"}) {
    for (int i = 0; i < 5; ++i) {
      auto r = PostLogin(user, "wrong password attempt", "123456");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 401);
    }
    now_ += 31;
    const std::string code = secrets_.count(user) ? *TotpCode(secrets_[user], now_) : "123456";
    auto blocked = PostLogin(user, kPassword, code);
    ASSERT_TRUE(blocked);
    EXPECT_EQ(blocked->status, 429) << user;
    EXPECT_FALSE(blocked->get_header_value("Retry-After").empty());
  }
  now_ += 16 * 60;  // the window passes
  Login("bcc-analyst");
}

TEST_F(ServerTest, LogoutRevokesTheSession) {
  Session s = Login("wmp-manager");
  ASSERT_EQ(Get(s, "/api/radar")->status, 200);
  EXPECT_EQ(Post(s, "/api/logout", json::object(), false)->status, 403);  // CSRF token required
  auto out = Post(s, "/api/logout", json::object());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Get(s, "/api/radar")->status, 401);
  EXPECT_EQ(CountAudit("logout", "wmp-manager", "ok"), 1);
}

TEST_F(ServerTest, LoginRotatesAPresentedSessionAndTimeoutsApply) {
  Session s1 = Login("wmp-analyst");
  now_ += 31;
  auto r = PostLogin("wmp-analyst", kPassword, *TotpCode(secrets_["wmp-analyst"], now_), "", s1.cookie);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(Get(s1, "/api/radar")->status, 401);  // the old token died at login
  Session s2{r->get_header_value("Set-Cookie").substr(0, r->get_header_value("Set-Cookie").find(';')), ""};
  EXPECT_EQ(Get(s2, "/api/radar")->status, 200);
  now_ += 16 * 60;  // idle timeout is 15 minutes
  EXPECT_EQ(Get(s2, "/api/radar")->status, 401);
}

TEST_F(ServerTest, DisablingAUserRevokesTheirSessions) {
  Session s = Login("nhs-practitioner");
  ASSERT_EQ(Get(s, "/api/radar")->status, 200);
  ASSERT_TRUE(store_->SetUserDisabled("nhs-practitioner", true, store::Actor{}).ok());
  EXPECT_EQ(Get(s, "/api/radar")->status, 401);
  now_ += 31;
  auto again = PostLogin("nhs-practitioner", kPassword, *TotpCode(secrets_["nhs-practitioner"], now_));
  EXPECT_EQ(again->status, 401);
  ASSERT_TRUE(store_->SetUserDisabled("nhs-practitioner", false, store::Actor{}).ok());
}

TEST_F(ServerTest, SecurityHeadersAndOneErrorShape) {
  Session s = Login("bcc-manager");
  for (const std::string path : {"/api/radar", "/api/children/1", "/api/no-such-route", "/api/children/abc"}) {
    auto r = Get(s, path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Content-Security-Policy").find("default-src 'none'"), 0u) << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store") << path;
    EXPECT_FALSE(r->has_header("Strict-Transport-Security")) << "plain HTTP: no HSTS";
    const json body = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << path << ": " << r->body;
    if (r->status >= 400) {
      EXPECT_EQ(body["error"]["status"], r->status) << path;
      EXPECT_TRUE(body["error"]["message"].is_string());
    }
  }
  EXPECT_EQ(Get(s, "/api/no-such-route")->status, 404);
  EXPECT_EQ(Get(s, "/api/children/abc")->status, 404);
  // Bodies over the limit are refused before any handler runs.
  auto big = Post(s, "/api/children/1/break-glass", json{{"reason", std::string(100 * 1024, 'x')}});
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(json::parse(big->body, nullptr, false)["error"]["status"], 413);
}

TEST_F(ServerTest, CsrfTokenIsRequiredForStateChanges) {
  Session s = Login("bcc-practitioner");
  auto none = Post(s, "/api/children/2/break-glass", {{"reason", "urgent safeguarding concern"}}, false);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 403);
  Session wrong = s;
  wrong.csrf = std::string(s.csrf.size(), 'A');
  EXPECT_EQ(Post(wrong, "/api/children/2/break-glass", {{"reason", "urgent safeguarding concern"}})->status, 403);
  // A form post (no JSON) cannot carry the header, and is refused anyway (415: not JSON).
  httplib::Headers h{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}};
  auto form = Client().Post("/api/children/2/break-glass", h, "reason=urgent+concern+here",
                            "application/x-www-form-urlencoded");
  EXPECT_EQ(form->status, 415);
}

TEST_F(ServerTest, AnotherAgencysChildIsIndistinguishableFromAMissingOne) {
  Session nhs = Login("nhs-practitioner");  // no agreement with the police
  auto other = Get(nhs, "/api/children/2");
  auto missing = Get(nhs, "/api/children/987654");
  ASSERT_TRUE(other && missing);
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(other->body, missing->body);
  EXPECT_EQ(other->get_header_value("Content-Length"), missing->get_header_value("Content-Length"));
  EXPECT_GE(CountAudit("read_child", "nhs-practitioner", "refused"), 1);
  EXPECT_GE(CountAudit("read_child", "nhs-practitioner", "not_found"), 1);
}

TEST_F(ServerTest, BreakGlassOpensTheRecordWithAReasonAndIsAuditedAndListed) {
  Session s = Login("nhs-analyst");
  ASSERT_EQ(Get(s, "/api/children/2")->status, 404);
  EXPECT_EQ(Post(s, "/api/children/2/break-glass", {{"reason", "short"}})->status, 400);
  EXPECT_EQ(Post(s, "/api/children/2/break-glass", {{"reason", "a reason long enough"}, {"agency", "wmp"}})->status,
            400);  // no mass assignment
  auto grant = Post(s, "/api/children/2/break-glass", {{"reason", "child missing tonight, police not reachable"}});
  ASSERT_TRUE(grant);
  ASSERT_EQ(grant->status, 201) << grant->body;
  auto view = Get(s, "/api/children/2");
  ASSERT_TRUE(view);
  ASSERT_EQ(view->status, 200) << view->body;
  const json v = json::parse(view->body);
  EXPECT_EQ(v["person"]["name"], "Bea Synthetic");
  EXPECT_EQ(v["access_basis"], json::array({"break_glass"}));
  EXPECT_EQ(view->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(CountAudit("break_glass", "nhs-analyst", "ok"), 1);
  EXPECT_GE(CountAudit("read_child", "nhs-analyst", "ok"), 1);
  // The grant is listed for the IG lead, and only the IG lead.
  Session ig = Login("wmp-ig_lead");
  auto list = Get(ig, "/api/break-glass");
  ASSERT_EQ(list->status, 200);
  bool listed = false;
  const json grants = json::parse(list->body);
  for (const auto& g : grants["grants"]) listed = listed || g["user"] == "nhs-analyst";
  EXPECT_TRUE(listed) << list->body;
  EXPECT_EQ(Get(s, "/api/break-glass")->status, 403);
  // The grant expires.
  now_ += 3601;
  Session later = Login("nhs-analyst");
  EXPECT_EQ(Get(later, "/api/children/2")->status, 404);
}

// Every endpoint built so far x every role x {own agency, other agency with/without agreement, with/without
// relationship}: the exact expected status, so any unexpected 2xx fails.
TEST_F(ServerTest, AuthorisationMatrix) {
  // Child 1: police records, every user has an allocated case. Child 2: police records, no relationship.
  // Agencies: wmp = own, bcc = agreement with wmp, nhs = no agreement.
  for (const char* agency : {"wmp", "bcc", "nhs"}) {
    for (Role role : AllRoles()) {
      const std::string user = std::string(agency) + "-" + std::string(ToString(role));
      Session s = Login(user);
      const bool identifying = MaySeeIdentifying(role);
      const bool own = std::string(agency) == "wmp", agreement = std::string(agency) == "bcc";
      std::map<std::string, int> expected = {
          {"/api/radar", 200},
          {"/api/session", 200},
          {"/api/children/1", !identifying         ? 403
                              : (own || agreement) ? 200
                                                   : 404},  // relationship: yes
          {"/api/children/2", !identifying ? 403
                              : own        ? 200
                                           : 404},  // relationship: no
          {"/api/children/424242", !identifying ? 403 : 404},
          {"/api/break-glass", role == Role::kIgLead ? 200 : 403},
      };
      for (const auto& [path, status] : expected) {
        auto r = Get(s, path);
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, status) << user << " GET " << path << ": " << r->body;
        auto anonymous = Get(Session{}, path);
        EXPECT_EQ(anonymous->status, 401) << "anonymous GET " << path;
      }
      auto bg = Post(s, "/api/children/2/break-glass", {{"reason", "matrix check of the break-glass rule"}});
      EXPECT_EQ(bg->status, identifying ? 201 : 403) << user << " break-glass";
      if (identifying && !own) {
        EXPECT_EQ(Get(s, "/api/children/2")->status, 200) << user << " after break-glass";
      }
    }
  }
}

TEST_F(ServerTest, ChildViewShowsOnlyWhatTheAgreementAllowsAndTheRadarHasNoIdentifiers) {
  Session s = Login("bcc-practitioner");
  auto r = Get(s, "/api/children/1");
  ASSERT_EQ(r->status, 200) << r->body;
  const json v = json::parse(r->body);
  EXPECT_EQ(v["access_basis"], json::array({"agreement_and_relationship"}));
  EXPECT_EQ(v["events"].size(), 2u);
  EXPECT_EQ(v["assessment"]["level"], "significant");
  auto radar = Get(s, "/api/radar");
  ASSERT_EQ(radar->status, 200);
  EXPECT_EQ(radar->body.find("Synthetic"), std::string::npos);
  EXPECT_EQ(json::parse(radar->body)["children"], 2);
}

TEST_F(ServerTest, NoDataWithoutItsAuditEvent) {
  Session s = Login("wmp-practitioner");
  ASSERT_EQ(Get(s, "/api/children/1")->status, 200);
  sqlite3* db = nullptr;
  sqlite3_open(db_.c_str(), &db);
  sqlite3_exec(db,
               "CREATE TRIGGER audit_down BEFORE INSERT ON audit_event WHEN NEW.action = 'read_child' "
               "BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END;",
               nullptr, nullptr, nullptr);
  auto r = Get(s, "/api/children/1");
  sqlite3_exec(db, "DROP TRIGGER audit_down", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);  // a trigger's abort surfaces as a conflict; a failing disk as 500: never 2xx
  EXPECT_EQ(r->body.find("Amy"), std::string::npos);
  EXPECT_EQ(r->body.find("audit_event"), std::string::npos);  // no SQL in errors
  EXPECT_EQ(r->body.find("RAISE"), std::string::npos);
}

TEST_F(ServerTest, AuditLogVerifiesAfterAllOfThis) {
  Session s = Login("wmp-analyst");
  ASSERT_EQ(Get(s, "/api/children/1")->status, 200);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_TRUE(check->ok) << check->problem;
  EXPECT_GT(check->events, 10);
}

TEST(ServerOptionsTest, PlainHttpOnlyOnLoopback) {
  ServerOptions o;
  o.db = (fs::temp_directory_path() / ("rr-server-opt-" + std::to_string(::getpid()) + ".db")).string();
  o.host = "0.0.0.0";
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
  o.cert_file = "/nonexistent.pem";
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);  // needs --key too
  std::string host;
  int port = 0;
  EXPECT_TRUE(ParseListen("127.0.0.1:8080", host, port).ok());
  EXPECT_EQ(port, 8080);
  EXPECT_TRUE(ParseListen("[::1]:9", host, port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_FALSE(ParseListen("127.0.0.1:http", host, port).ok());
  for (const char* suffix : {"", "-wal", "-shm", ".audit-key", ".audit-key.pub"}) fs::remove(o.db + suffix);
}

TEST(ServerTlsTest, HttpsWithHstsWhenGivenACertificate) {
  const fs::path dir = fs::temp_directory_path() / ("rr-server-tls-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cert = (dir / "c.pem").string(), key = (dir / "k.pem").string();
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost "
      "-keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl command not available";
  ServerOptions o;
  o.db = (dir / "t.db").string();
  o.port = 0;
  o.cert_file = cert;
  o.key_file = key;
  o.hash_params = PasswordHashParams::MinimumForTestsOnly();
  auto srv = Server::Create(o);
  ASSERT_TRUE(srv.ok()) << srv.status().ToString();
  EXPECT_TRUE((*srv)->tls());
  auto port = (*srv)->Bind();
  ASSERT_TRUE(port.ok());
  std::thread t([&] { (void)(*srv)->Run(); });
  httplib::SSLClient c("127.0.0.1", *port);
  c.enable_server_certificate_verification(false);
  auto r = c.Get("/api/radar");
  (*srv)->Stop();
  t.join();
  ASSERT_TRUE(r) << "no TLS response";
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("Strict-Transport-Security").find("max-age="), std::string::npos);
  o.key_file = (dir / "missing.pem").string();
  EXPECT_EQ(Server::Create(o).status().code(), StatusCode::kInvalidArgument);
  srv->reset();
  fs::remove_all(dir);
}

// The approver's half of an enrolment code is hashed fast (it is 120 random bits); a store written before keeps
// an Argon2id hash there, which still verifies.
TEST(RandomSecretTest, FastHashVerifiesOnlyTheSameSecretAndStillAcceptsArgon2id) {
  const std::string secret = RandomToken(15);
  ASSERT_EQ(secret.size(), 20u);
  const std::string stored = HashRandomSecret(secret);
  EXPECT_EQ(stored.rfind("blake2b$", 0), 0u);
  EXPECT_EQ(stored.size(), 8u + 64u);
  EXPECT_EQ(HashRandomSecret(secret), stored) << "deterministic";
  EXPECT_TRUE(VerifyRandomSecret(stored, secret));
  std::string other = secret;
  other.back() = other.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyRandomSecret(stored, other));
  EXPECT_FALSE(VerifyRandomSecret(stored, ""));
  EXPECT_FALSE(VerifyRandomSecret(stored, secret + "x"));
  EXPECT_FALSE(VerifyRandomSecret(stored.substr(0, stored.size() - 1), secret)) << "a truncated hash";
  EXPECT_FALSE(VerifyRandomSecret("", secret));
  auto argon = HashPassword(secret, PasswordHashParams::MinimumForTestsOnly());
  ASSERT_TRUE(argon.ok());
  EXPECT_TRUE(VerifyRandomSecret(*argon, secret));
  EXPECT_FALSE(VerifyRandomSecret(*argon, other));
}

TEST(PasswordPolicyTest, LengthDenyListAndNoTruncation) {
  auto policy = PasswordPolicy::Load(DefaultDenyListPath());
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_FALSE(policy->Check("short", "amy").ok());
  EXPECT_FALSE(policy->Check("Password1234", "amy").ok());  // deny list, any case
  EXPECT_FALSE(policy->Check("amy-is-my-password", "amy").ok());
  EXPECT_FALSE(policy->Check(std::string(1025, 'x'), "amy").ok());
  const std::string long_a = std::string(200, 'a') + "1", long_b = std::string(200, 'a') + "2";
  EXPECT_TRUE(policy->Check(long_a, "amy").ok());
  auto hash = HashPassword(long_a, PasswordHashParams::MinimumForTestsOnly());
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(VerifyPassword(*hash, long_a));
  EXPECT_FALSE(VerifyPassword(*hash, long_b));  // differs only at character 201: not truncated
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  const auto prod = PasswordHashParams::Production();
  EXPECT_TRUE(NeedsRehash(*hash, prod));  // test-strength hashes never survive a production login
  EXPECT_FALSE(NeedsRehash(*hash, PasswordHashParams::MinimumForTestsOnly()));
  EXPECT_GE(prod.opslimit, 2u);
  EXPECT_GE(prod.memlimit, 19u << 20);
}

TEST(TotpTest, CodesMatchWithinOneStepOnly) {
  const std::string secret = NewTotpSecret();
  EXPECT_EQ(secret.size(), 32u);  // 160 bits in base32
  const int64_t now = 1750000000;
  const std::string code = *TotpCode(secret, now);
  EXPECT_EQ(MatchTotp(secret, code, now), now / 30);
  EXPECT_TRUE(MatchTotp(secret, code, now + 30).has_value());
  EXPECT_FALSE(MatchTotp(secret, code, now + 120).has_value());
  EXPECT_FALSE(MatchTotp(secret, "12345", now).has_value());
  // RFC 6238 appendix B (SHA-1, 8 digits truncated to the low 6): T=59 -> 94287082 -> 287082.
  EXPECT_EQ(*TotpCode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59), "287082");
}

}  // namespace server_test
}  // namespace riskradar::server

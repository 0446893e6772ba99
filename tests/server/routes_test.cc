// The route table's guarantees, route by route: a route without a policy stops the server at start-up; every
// signed-in route answers 401 without a session and 403 with exactly one audited refusal to each role outside
// its policy; and strict input: unknown or repeated query parameters, repeated JSON keys and non-JSON bodies.
#include "../../src/server/routes.h"

#include <gtest/gtest.h>

#include "server_fixture.h"

namespace riskradar::server {
namespace routes_test {

class RoutesTest : public ServerFixture {
 protected:
  // A path the route serves: ids 1, user name wmp-analyst.
  static std::string ConcretePath(const std::string& path_template) {
    std::string out;
    size_t pos = 0;
    while (pos < path_template.size()) {
      const size_t open = path_template.find('{', pos);
      if (open == std::string::npos) break;
      const size_t close = path_template.find('}', open);
      const std::string param = path_template.substr(open + 1, close - open - 1);
      out += path_template.substr(pos, open - pos) + (param.find(":user") != std::string::npos ? "wmp-analyst" : "1");
      pos = close + 1;
    }
    return out + path_template.substr(std::min(pos, path_template.size()));
  }

  httplib::Result Send(const std::string& method, const Session& s, const std::string& path,
                       const std::string& body = "{}", const std::string& type = "application/json") {
    httplib::Headers h;
    if (!s.cookie.empty()) h.emplace("Cookie", s.cookie);
    if (!s.csrf.empty()) h.emplace("X-CSRF-Token", s.csrf);
    auto c = Client();
    if (method == "GET") return c.Get(path.c_str(), h);
    if (method == "DELETE") return c.Delete(path.c_str(), h);
    if (method == "PATCH") return c.Patch(path.c_str(), h, body, type.c_str());
    return c.Post(path.c_str(), h, body, type.c_str());
  }

  const Session& SessionOf(const std::string& user) {
    auto it = sessions_.find(user);
    if (it == sessions_.end()) it = sessions_.emplace(user, Login(user)).first;
    return it->second;
  }

  static int64_t CountAudit(const std::string& action, const std::string& target) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM audit_event WHERE action = ?1 AND target = ?2", -1, &q, nullptr);
    sqlite3_bind_text(q, 1, action.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, target.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }

  static int64_t CountAllAudit() {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM audit_event", -1, &q, nullptr);
    sqlite3_step(q);
    const int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return n;
  }

  std::map<std::string, Session> sessions_;
};

std::string ErrorMessage(const httplib::Result& r) {
  return json::parse(r->body, nullptr, false)["error"].value("message", "");
}

TEST_F(RoutesTest, ARouteWithoutAPolicyStopsTheServerAtStartUp) {
  ServerOptions o;
  o.db = db_;
  o.port = 0;
  o.hash_params = PasswordHashParams::MinimumForTestsOnly();
  std::vector<Route> routes = DeclaredRoutes();
  Route extra = routes.at(1);
  extra.method = "GET";
  extra.path = "/api/forgotten/{id}";
  extra.policy = RoutePolicy{};
  routes.push_back(extra);
  auto srv = internal::CreateServer(o, routes);
  ASSERT_FALSE(srv.ok());
  EXPECT_EQ(srv.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(srv.status().message().find("route GET /api/forgotten/{id} has no access policy"), std::string::npos)
      << srv.status().message();

  // Incomplete policies are refused too, each naming the route.
  struct Case {
    RoutePolicy policy;
    const char* why;
  };
  for (const Case& c :
       {Case{Roles({}, "x", "y"), "allows no role"}, Case{Roles({Role::kIgLead}, "", "audit_log"), "no audit action"},
        Case{Roles({Role::kIgLead}, "read_x", ""), "no audit target"},
        Case{Roles({Role::kIgLead}, "read_x", "x:{other}"), "'{other}', which is not a path parameter"},
        Case{RoutePolicy{Access::kPublic, {Role::kIgLead}, "", "", ""}, "public but lists roles"}}) {
    routes.back().policy = c.policy;
    auto bad = internal::CreateServer(o, routes);
    ASSERT_FALSE(bad.ok()) << c.why;
    EXPECT_NE(bad.status().message().find("route GET /api/forgotten/{id}"), std::string::npos);
    EXPECT_NE(bad.status().message().find(c.why), std::string::npos) << bad.status().message();
  }
  routes.back().policy = Roles({Role::kIgLead}, "read_forgotten", "forgotten:{id}");
  routes.back().handler = nullptr;
  EXPECT_NE(internal::CreateServer(o, routes).status().message().find("has no handler"), std::string::npos);
  // The real table passes the same checks.
  EXPECT_TRUE(CheckRoutes(DeclaredRoutes()).ok()) << CheckRoutes(DeclaredRoutes()).ToString();
}

TEST_F(RoutesTest, TheTableDeclaresEveryRouteOnceWithSignInPublicOnly) {
  const std::vector<Route> routes = DeclaredRoutes();
  EXPECT_EQ(routes.size(), 76u);
  std::set<std::string> seen;
  for (const Route& r : routes) {
    EXPECT_TRUE(seen.insert(r.method + " " + r.path).second) << r.path;
    // Sign-in, and the health checks for supervisors and load balancers (no data).
    const bool may_be_public = r.path == "/api/login" || r.path == "/healthz" || r.path == "/readyz";
    EXPECT_EQ(r.policy.access == Access::kPublic, may_be_public) << r.method << " " << r.path;
  }
}

TEST_F(RoutesTest, EverySignedInRouteAnswers401WithoutASession) {
  const Session nobody;
  const int64_t before = CountAllAudit();
  int checked = 0;
  for (const Route& r : DeclaredRoutes()) {
    if (r.policy.access != Access::kSignedIn) continue;
    SCOPED_TRACE(r.method + " " + r.path);
    auto res = Send(r.method, nobody, ConcretePath(r.path));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << res->body;
    EXPECT_EQ(json::parse(res->body, nullptr, false)["error"].value("code", ""), "unauthenticated");
    ++checked;
  }
  EXPECT_EQ(checked, 73);
  EXPECT_EQ(CountAllAudit(), before) << "a request without a session names nobody: nothing to audit";
}

TEST_F(RoutesTest, EachRoleOutsideAPolicyGets403AndExactlyOneAuditedRefusal) {
  int refusals = 0;
  for (const Route& r : DeclaredRoutes()) {
    if (r.policy.access != Access::kSignedIn) continue;
    for (Role role : AllRoles()) {
      if (std::find(r.policy.roles.begin(), r.policy.roles.end(), role) != r.policy.roles.end()) continue;
      const std::string user = "wmp-" + std::string(ToString(role));
      SCOPED_TRACE(r.method + " " + r.path + " as " + user);
      const std::string path = ConcretePath(r.path);
      std::string target = r.policy.refusal_target;
      if (const size_t open = target.find('{'); open != std::string::npos) {
        target = target.substr(0, open) + (target.find("{name}") != std::string::npos ? "wmp-analyst" : "1");
      }
      const Session& s = SessionOf(user);
      const int64_t same_before = CountAudit(r.policy.refusal_action, target);
      const int64_t all_before = CountAllAudit();
      auto res = Send(r.method, s, path);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 403) << res->body;
      EXPECT_EQ(json::parse(res->body, nullptr, false)["error"].value("code", ""), "forbidden");
      EXPECT_EQ(CountAudit(r.policy.refusal_action, target), same_before + 1);
      EXPECT_EQ(CountAllAudit(), all_before + 1) << "one audit event per refusal, nothing else";
      EXPECT_GE(ServerFixture::CountAudit(r.policy.refusal_action, user, "forbidden"), 1);
      ++refusals;
    }
  }
  // 76 routes: 3 public, 12 open to every role; the other 61 refuse 178 (route, role) pairs between them.
  EXPECT_EQ(refusals, 178);
}

TEST_F(RoutesTest, UnknownAndRepeatedQueryParametersAre400NamingThem) {
  const Session& ig = SessionOf("wmp-ig_lead");
  auto unknown = Send("GET", ig, "/api/radar?x=1");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(ErrorMessage(unknown), "unknown parameter 'x'");
  EXPECT_EQ(Send("GET", ig, "/api/session?verbose=1")->status, 400);
  auto twice = Send("GET", ig, "/api/break-glass?all=1&all=0");
  EXPECT_EQ(twice->status, 400);
  EXPECT_EQ(ErrorMessage(twice), "parameter 'all' given more than once");
  EXPECT_EQ(Send("GET", ig, "/api/break-glass?all=1")->status, 200);
  EXPECT_EQ(Send("GET", ig, "/api/radar")->status, 200);
  // Sign-in too: nothing rides along in its query string.
  EXPECT_EQ(Client().Post("/api/login?user=x", "{}", "application/json")->status, 400);
}

TEST_F(RoutesTest, RepeatedJsonKeysAre400NamingTheField) {
  now_ += 31;
  const std::string code = *TotpCode(secrets_["wmp-practitioner"], now_);
  const std::string login = R"({"user":"nobody","user":"wmp-practitioner","password":")" + std::string(kPassword) +
                            R"(","totp":")" + code + R"("})";
  auto r = Client().Post("/api/login", login, "application/json");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(ErrorMessage(r), "field 'user' given more than once");
  const Session& p = SessionOf("wmp-practitioner");
  auto bg = Send("POST", p, "/api/children/2/break-glass",
                 R"({"reason":"a first reason, long enough","reason":"a second reason, long enough"})");
  EXPECT_EQ(bg->status, 400) << bg->body;
  EXPECT_EQ(ErrorMessage(bg), "field 'reason' given more than once");
}

TEST_F(RoutesTest, ABodyThatIsNotJsonIs415) {
  const Session& p = SessionOf("wmp-practitioner");
  const std::string body = R"({"reason":"urgent safeguarding concern"})";
  for (const char* type : {"application/jsonx", "text/plain", "application/x-www-form-urlencoded",
                           "application/json; charset=latin1", "application/json-patch+json"}) {
    SCOPED_TRACE(type);
    auto r = Send("POST", p, "/api/children/2/break-glass", body, type);
    EXPECT_EQ(r->status, 415) << r->body;
    EXPECT_EQ(json::parse(r->body, nullptr, false)["error"].value("code", ""), "unsupported_media_type");
  }
  auto login = Client().Post("/api/login", R"({"user":"a","password":"b","totp":"1"})", "application/jsonx");
  EXPECT_EQ(login->status, 415);
  for (const char* type : {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"}) {
    SCOPED_TRACE(type);
    EXPECT_EQ(Send("POST", p, "/api/children/2/break-glass", body, type)->status, 201);
  }
}

}  // namespace routes_test
}  // namespace riskradar::server

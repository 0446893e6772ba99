// The router on its own: templates, parameters by name, literal-over-parameter precedence, 404/405, and the
// templates it refuses when a route is added.
#include "../../src/server/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace riskradar::server {
namespace router_test {

using nlohmann::json;

// A router whose handlers write "<template> <params...>" into the body.
Router Sample() {
  Router r;
  auto echo = [](std::string name) {
    return [name](httplib::Request&, httplib::Response& res, const PathParams& p) {
      std::string body = name;
      for (const auto& [k, v] : p.all()) body += " " + k + "=" + v;
      res.status = 200;
      res.set_content(body, "text/plain");
    };
  };
  EXPECT_TRUE(r.Add("GET", "/api/children/{id}", echo("child")).ok());
  EXPECT_TRUE(r.Add("GET", "/api/children/{id}/relationships", echo("rels")).ok());
  EXPECT_TRUE(r.Add("DELETE", "/api/children/{id}/relationships/{relationship}", echo("end")).ok());
  EXPECT_TRUE(r.Add("POST", "/api/users/{name:user}/reset", echo("reset")).ok());
  EXPECT_TRUE(r.Add("GET", "/api/audit/{id}", echo("audit-id")).ok());
  EXPECT_TRUE(r.Add("GET", "/api/audit/verify", echo("verify")).ok());
  return r;
}

httplib::Response Call(const Router& router, const std::string& method, const std::string& path) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  httplib::Response res;
  router.Dispatch(req, res);
  return res;
}

TEST(RouterTest, MatchesTemplatesAndNamesTheParameters) {
  const Router r = Sample();
  EXPECT_EQ(Call(r, "GET", "/api/children/42").body, "child id=42");
  EXPECT_EQ(Call(r, "GET", "/api/children/42/relationships").body, "rels id=42");
  EXPECT_EQ(Call(r, "DELETE", "/api/children/7/relationships/123456789012345678").body,
            "end id=7 relationship=123456789012345678");
  EXPECT_EQ(Call(r, "POST", "/api/users/wmp-admin.2_x/reset").body, "reset name=wmp-admin.2_x");
  // HEAD is answered by the GET route.
  EXPECT_EQ(Call(r, "HEAD", "/api/children/1").body, "child id=1");
  PathParams p;
  EXPECT_EQ(r.Match("GET", "/api/children/9", &p), "/api/children/{id}");
  EXPECT_EQ(*p.Id("id", "child"), 9);
  EXPECT_EQ(p.Id("other", "thing").status().code(), StatusCode::kNotFound);
}

TEST(RouterTest, ALiteralSegmentWinsOverAParameter) {
  const Router r = Sample();
  EXPECT_EQ(Call(r, "GET", "/api/audit/verify").body, "verify");
  EXPECT_EQ(Call(r, "GET", "/api/audit/12").body, "audit-id id=12");
}

TEST(RouterTest, SegmentsOutsideTheirKindDoNotMatch) {
  const Router r = Sample();
  for (const char* path :
       {"/api/children/abc", "/api/children/-1", "/api/children/1234567890123456789", "/api/children/",
        "/api/children/1/", "/api/children//1", "/api/children/1/x", "/api/children", "api/children/1", ""}) {
    SCOPED_TRACE(path);
    const httplib::Response res = Call(r, "GET", path);
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(json::parse(res.body)["error"]["code"], "not_found");
  }
  EXPECT_EQ(Call(r, "POST", "/api/users/a%2Fb/reset").status, 404);
  EXPECT_EQ(Call(r, "POST", "/api/users/" + std::string(65, 'a') + "/reset").status, 404);
  EXPECT_EQ(Call(r, "POST", "/api/users/" + std::string(64, 'a') + "/reset").status, 200);
}

TEST(RouterTest, AKnownPathWithAnotherMethodAnswers405WithAllow) {
  const Router r = Sample();
  const httplib::Response res = Call(r, "POST", "/api/children/3/relationships");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.get_header_value("Allow"), "GET");
  EXPECT_EQ(json::parse(res.body)["error"]["code"], "method_not_allowed");
  EXPECT_EQ(Call(r, "PUT", "/api/children/3/relationships/4").get_header_value("Allow"), "DELETE");
}

TEST(RouterTest, RefusesMalformedOrShadowingRoutesNamingThem) {
  Router r = Sample();
  auto h = [](httplib::Request&, httplib::Response&, const PathParams&) {};
  struct Bad {
    const char* method;
    const char* path;
    const char* why;
  };
  for (const Bad& bad : {Bad{"GET", "api/x", "starts with '/'"}, Bad{"GET", "/api//x", "empty segment"},
                         Bad{"GET", "/api/x/", "empty segment"}, Bad{"GET", "/api/x{id}", "whole segment"},
                         Bad{"GET", "/api/{id", "unclosed"}, Bad{"GET", "/api/{id:uuid}", "unknown parameter kind"},
                         Bad{"GET", "/api/{Id}", "parameter name"}, Bad{"GET", "/api/{a}/{a}", "named twice"},
                         Bad{"TRACE", "/api/x", "unsupported method"},
                         Bad{"GET", "/api/children/{child}", "the same as route GET /api/children/{id}"}}) {
    SCOPED_TRACE(bad.path);
    const Status st = r.Add(bad.method, bad.path, h);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find(std::string("route ") + bad.method + " " + bad.path), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find(bad.why), std::string::npos) << st.message();
  }
  EXPECT_FALSE(r.Add("GET", "/api/x", nullptr).ok());
  // The same shape under another method, or with another parameter kind, is a different route.
  EXPECT_TRUE(r.Add("POST", "/api/children/{id}", h).ok());
  EXPECT_TRUE(r.Add("GET", "/api/children/{name:user}/x", h).ok());
}

}  // namespace router_test
}  // namespace riskradar::server

// Monitoring against the running server (issue 18 item 5): the health checks, the structured access log (an
// attack test: names, search terms, ids, passwords and bodies sent in requests never reach it), every 5xx
// logged with its request id and cause, and the Prometheus metrics on their own listener moving with traffic.
#include <sqlite3.h>

#include <mutex>
#include <regex>
#include <set>

#include "server_fixture.h"

namespace riskradar::server {
namespace observability_test {

std::mutex g_log_mu;
std::vector<std::string> g_log;

void Capture(const std::string& line) {
  std::lock_guard lock(g_log_mu);
  g_log.push_back(line);
}

std::vector<std::string> LogSince(size_t from) {
  std::lock_guard lock(g_log_mu);
  return std::vector<std::string>(g_log.begin() + static_cast<std::ptrdiff_t>(std::min(from, g_log.size())),
                                  g_log.end());
}

size_t LogSize() {
  std::lock_guard lock(g_log_mu);
  return g_log.size();
}

int64_t AuditCount(const std::string& db) {
  sqlite3* h = nullptr;
  sqlite3_open(db.c_str(), &h);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM audit_event", -1, &q, nullptr);
  sqlite3_step(q);
  const int64_t n = sqlite3_column_int64(q, 0);
  sqlite3_finalize(q);
  sqlite3_close(h);
  return n;
}

// The value of one sample on a metrics page ("name{labels}"), -1 when absent.
double Sample(const std::string& page, const std::string& series) {
  const size_t at = page.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + series.size() + 2));
}

class ObservabilityTest : public ServerFixture {
 protected:
  static void SetUpTestSuite() {
    tune_options_ = [](ServerOptions& o) {
      o.access_log = Capture;
      o.metrics_port = 0;
    };
    ServerFixture::SetUpTestSuite();
  }
  static void TearDownTestSuite() {
    ServerFixture::TearDownTestSuite();
    tune_options_ = nullptr;
  }

  static std::string Metrics() {
    httplib::Client c("127.0.0.1", server_->metrics_port());
    auto r = c.Get("/metrics");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    return r->body;
  }

  // The one access-log line of the answer's request id (the X-Request-Id header).
  static json LineOf(const httplib::Result& r) {
    const std::string id = r->get_header_value("X-Request-Id");
    EXPECT_EQ(id.size(), 16u);
    json found;
    int seen = 0;
    for (const std::string& line : LogSince(0)) {
      const json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("request_id", "") == id) {
        found = j;
        ++seen;
      }
    }
    EXPECT_EQ(seen, 1) << "request " << id;
    return found;
  }
};

TEST_F(ObservabilityTest, HealthAndReadinessAnswerWithoutASessionAuditOrData) {
  const int64_t audit_before = AuditCount(db_);
  auto health = Client().Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body), json({{"status", "ok"}}));
  auto ready = Client().Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_EQ(json::parse(ready->body), json({{"status", "ready"}}));
  EXPECT_FALSE(ready->has_header("Set-Cookie"));
  EXPECT_EQ(ready->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(Client().Get("/healthz?verbose=1")->status, 400);
  EXPECT_EQ(Client().Post("/healthz", "{}", "application/json")->status, 405);
  EXPECT_EQ(AuditCount(db_), audit_before) << "a health check reads no personal data: nothing to audit";
  const json line = LineOf(ready);
  EXPECT_EQ(line["route"], "/readyz");
  EXPECT_EQ(line["status"], 200);
  EXPECT_TRUE(line["user"].is_null());
}

TEST_F(ObservabilityTest, AccessLogNeverHoldsANameAQueryValueAnIdOrABody) {
  const size_t from = LogSize();
  const Session practitioner = Login("wmp-practitioner");
  const Session analyst = Login("bcc-analyst");
  auto child = Get(practitioner, "/api/children/1");
  ASSERT_EQ(child->status, 200) << child->body;
  ASSERT_NE(child->body.find("Amy"), std::string::npos) << "the answer itself names the child";
  auto again = Get(practitioner, "/api/children/2");
  auto other = Get(analyst, "/api/children/1");
  auto search = Get(practitioner, "/api/people?q=Zebedee-Quintrell&limit=7");
  auto missing = Get(practitioner, "/api/children/424242");
  EXPECT_EQ(missing->status, 404);
  auto bad_query = Get(practitioner, "/api/radar?Marguerite-Oddbody=1");
  EXPECT_EQ(bad_query->status, 400);
  auto note = Post(practitioner, "/api/children/1/notes", {{"text", "Seen with Ptolemy-Fairweather at the arcade"}});
  auto stranger = PostLogin("Hortensia-Wickerby", "Hortensia's secret passphrase, long enough", "123456");
  EXPECT_EQ(stranger->status, 401);
  auto unrouted = Client().Get("/api/Cornelius-Blenkinsop/records");
  EXPECT_EQ(unrouted->status, 404);

  const std::vector<std::string> lines = LogSince(from);
  ASSERT_GE(lines.size(), 11u);
  const std::set<std::string> keys = {"time", "request_id", "method", "route", "status", "duration_ms", "user"};
  const std::vector<std::string> never = {
      "Amy",     "Bea",       "Synthetic", "Zebedee",         "Quintrell", "Marguerite",
      "Ptolemy", "Hortensia", "Cornelius", "424242",          "limit",     "passphrase",
      "wmp-",    "bcc-",      "arcade",    practitioner.csrf, kPassword};
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    const json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object());
    std::set<std::string> have;
    for (const auto& [k, v] : j.items()) have.insert(k);
    EXPECT_EQ(have, keys) << "exactly these fields (a 5xx adds its cause)";
    EXPECT_EQ(line.find(practitioner.cookie.substr(practitioner.cookie.find('=') + 1)), std::string::npos);
    // (The random request id could spell a short word by chance: it is left out of the search.)
    std::string rest = line;
    const std::string id = j.value("request_id", "");
    if (!id.empty()) rest.erase(rest.find(id), id.size());
    for (const std::string& word : never) EXPECT_EQ(rest.find(word), std::string::npos) << word;
    EXPECT_TRUE(
        std::regex_match(j["time"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  }
  // Route templates, not paths; the same pseudonym for one user's requests, another for another user.
  const json a = LineOf(child), b = LineOf(again), c = LineOf(other);
  EXPECT_EQ(a["route"], "/api/children/{id}");
  EXPECT_EQ(a["method"], "GET");
  EXPECT_EQ(a["status"], 200);
  EXPECT_TRUE(std::regex_match(a["user"].get<std::string>(), std::regex("u-[0-9a-f]{16}")));
  EXPECT_EQ(a["user"], b["user"]);
  EXPECT_NE(a["user"], c["user"]);
  EXPECT_EQ(LineOf(search)["route"], "/api/people");
  EXPECT_EQ(LineOf(missing)["status"], 404);
  EXPECT_EQ(LineOf(note)["route"], "/api/children/{id}/notes");
  EXPECT_EQ(LineOf(stranger)["route"], "/api/login");
  EXPECT_TRUE(LineOf(stranger)["user"].is_null());
  EXPECT_EQ(LineOf(unrouted)["route"], "unmatched");
  EXPECT_NE(child->get_header_value("X-Request-Id"), again->get_header_value("X-Request-Id"));
}

TEST_F(ObservabilityTest, MetricsCountRequestsLatencyAndSignInFailures) {
  const std::string before = Metrics();
  const std::string healthz = R"(riskradar_http_requests_total{method="GET",route="/healthz",status="200"})";
  const std::string latency = R"(riskradar_http_request_duration_seconds_count{method="GET",route="/healthz"})";
  const std::string inf = R"(riskradar_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"})";
  const double n0 = std::max(0.0, Sample(before, healthz)), l0 = std::max(0.0, Sample(before, latency));
  const double f0 = Sample(before, "riskradar_signin_failures_total");
  ASSERT_GE(f0, 0) << before;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Client().Get("/healthz")->status, 200);
  now_ += 31;
  EXPECT_EQ(PostLogin("wmp-analyst", "a wrong password for the metrics test", "000000")->status, 401);
  const Session ig = Login("wmp-ig_lead");
  ASSERT_EQ(Get(ig, "/api/children/1")->status, 403);
  const std::string after = Metrics();
  EXPECT_EQ(Sample(after, healthz), n0 + 3) << after;
  EXPECT_EQ(Sample(after, latency), l0 + 3);
  EXPECT_EQ(Sample(after, inf), Sample(after, latency)) << "the +Inf bucket counts every request";
  EXPECT_EQ(Sample(after, "riskradar_signin_failures_total"), f0 + 1);
  EXPECT_GE(Sample(after, R"(riskradar_http_requests_total{method="GET",route="/api/children/{id}",status="403"})"), 1);
  EXPECT_GE(Sample(after, "riskradar_audit_queue_depth"), 0);
  EXPECT_GE(Sample(after, "riskradar_http_connections_accepted_total"), 5);
  for (const char* word : {"Amy", "Bea", "wmp-", "/api/children/1\""}) {
    EXPECT_EQ(after.find(word), std::string::npos) << word;
  }
  // Metrics only on their own listener; the API's port does not serve them.
  EXPECT_EQ(Client().Get("/metrics")->status, 404);
  httplib::Client m("127.0.0.1", server_->metrics_port());
  EXPECT_EQ(m.Get("/api/radar")->status, 404);
}

// A server whose TOTP sealing key disappears after start-up (the issue's "restore without the key files"):
// readiness answers 503, a sign-in 500, and each is logged with its request id and cause (never the name).
TEST(ObservabilityFailureTest, Every5xxIsLoggedWithItsRequestIdAndCause) {
  const fs::path dir = fs::temp_directory_path() / ("rr-5xx-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "s.db").string();
  {
    auto s = store::OpenStore(db);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_TRUE((*s)->UpsertAgency({"wmp", "wmp", AgencyKind::kPolice, "Birmingham"}).ok());
    store::User u;
    u.name = "Philomena-Tasker";
    u.agency_code = "wmp";
    u.role = Role::kPractitioner;
    u.password_hash = *HashPassword(kPassword, PasswordHashParams::MinimumForTestsOnly());
    u.totp_secret = NewTotpSecret();
    ASSERT_TRUE((*s)->AddUser(u, store::Actor{}).ok());
  }
  std::vector<std::string> lines;
  std::mutex mu;
  ServerOptions o;
  o.db = db;
  o.port = 0;
  o.workers = 2;
  o.hash_params = PasswordHashParams::MinimumForTestsOnly();
  o.access_log = [&](const std::string& line) {
    std::lock_guard lock(mu);
    lines.push_back(line);
  };
  auto srv = Server::Create(o);
  ASSERT_TRUE(srv.ok()) << srv.status().ToString();
  auto port = (*srv)->Bind();
  ASSERT_TRUE(port.ok());
  std::thread run([&] { (void)(*srv)->Run(); });
  httplib::Client c("127.0.0.1", *port);
  EXPECT_EQ(c.Get("/readyz")->status, 200);
  ASSERT_TRUE(fs::remove(db + ".totp-key"));
  auto ready = c.Get("/readyz");
  EXPECT_EQ(ready->status, 503);
  EXPECT_EQ(json::parse(ready->body)["error"]["code"], "unavailable");
  EXPECT_EQ(ready->body.find("totp"), std::string::npos) << "the reason is for the log, not the caller";
  auto login =
      c.Post("/api/login", json({{"user", "Philomena-Tasker"}, {"password", kPassword}, {"totp", "123456"}}).dump(),
             "application/json");
  EXPECT_GE(login->status, 500);
  (*srv)->Stop();
  run.join();
  std::lock_guard lock(mu);
  int logged = 0;
  for (const std::string& line : lines) {
    const json j = json::parse(line);
    EXPECT_EQ(line.find("Philomena"), std::string::npos) << line;
    if (j["status"].get<int>() < 500) {
      EXPECT_FALSE(j.contains("cause")) << line;
      continue;
    }
    ++logged;
    EXPECT_NE(j["cause"].get<std::string>().find("TOTP"), std::string::npos) << line;
    EXPECT_TRUE(j["request_id"] == ready->get_header_value("X-Request-Id") ||
                j["request_id"] == login->get_header_value("X-Request-Id"))
        << line;
  }
  EXPECT_EQ(logged, 2);
  fs::remove_all(dir);
}

}  // namespace observability_test
}  // namespace riskradar::server

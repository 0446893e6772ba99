// The web application's pages and files served beside the API (src/server/web_assets.h): the page URLs answer
// the app's HTML with the strict CSP, hashed assets are cached for a year and everything else revalidated, no
// encoded path reaches a file outside the build, and /api/... is untouched (its own CSP, JSON errors).
#include <fstream>

#include "../../src/server/web_assets.h"
#include "server_fixture.h"

namespace riskradar::server {
namespace web_pages_test {

const char* kIndex = "<!doctype html><html lang=\"en\"><title>riskradar</title><main id=\"main-content\"></main>";
const char* kScript = "console.log('app');";
const char* kSecret = "SECRET-OUTSIDE-THE-BUILD";

fs::path WebDir() { return fs::temp_directory_path() / ("rr-web-" + std::to_string(::getpid())); }

void WriteFile(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A build as Vite writes it, with a secret beside it (outside dist/) and a symbolic link to that secret inside.
void WriteBuild() {
  const fs::path root = WebDir();
  fs::remove_all(root);
  WriteFile(root / "dist" / "index.html", kIndex);
  WriteFile(root / "dist" / "assets" / "index-Ab3_x-9Z.js", kScript);
  WriteFile(root / "dist" / "assets" / "index-Qw12er34.css", "body{margin:0}");
  WriteFile(root / "dist" / "favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
  WriteFile(root / "dist" / "assets" / "notes.exe", "not a web file");
  WriteFile(root / "secret.txt", kSecret);
  WriteFile(root / "dist" / "secret-copy.txt.bak", kSecret);
  fs::create_symlink(root / "secret.txt", root / "dist" / "assets" / "linked-Zz99Yy88.txt");
}

class WebPagesTest : public ServerFixture {
 protected:
  static void SetUpTestSuite() {
    WriteBuild();
    tune_options_ = [](ServerOptions& o) { o.web_dir = (WebDir() / "dist").string(); };
    ServerFixture::SetUpTestSuite();
  }
  static void TearDownTestSuite() {
    ServerFixture::TearDownTestSuite();
    tune_options_ = nullptr;
    fs::remove_all(WebDir());
  }
  httplib::Result Fetch(const std::string& target) { return Client().Get(target.c_str()); }
};

// The health checks are routes of the table outside /api/: the web application never answers them.
TEST_F(WebPagesTest, HealthChecksAreAnsweredByTheServerNotTheWebApplication) {
  for (const char* path : {"/healthz", "/readyz"}) {
    auto r = Fetch(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(r->body.find("<html"), std::string::npos) << path;
  }
  EXPECT_EQ(Fetch("/healthzz")->body, kIndex) << "a page URL that is not a route is still the app's 404 page";
}

TEST_F(WebPagesTest, EveryPageUrlAnswersTheAppWithTheStrictPolicyAndNoCache) {
  for (const char* page : {"/", "/sign-in", "/children/17", "/review", "/review/3", "/places", "/places/8", "/networks",
                           "/networks/2", "/admin", "/people/3", "/reports"}) {
    SCOPED_TRACE(page);
    auto r = Fetch(page);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, kIndex);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r->get_header_value("Content-Security-Policy"),
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
              "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY");
    EXPECT_EQ(r->get_header_value("Referrer-Policy"), "no-referrer");
    // Exactly one policy: a second, looser header would not loosen it, but the API's must not be added.
    EXPECT_EQ(r->get_header_value_count("Content-Security-Policy"), 1u);
  }
}

TEST_F(WebPagesTest, HashedAssetsAreCachedForAYearOthersRevalidated) {
  auto js = Fetch("/assets/index-Ab3_x-9Z.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, kScript);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  auto css = Fetch("/assets/index-Qw12er34.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(css->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  auto icon = Fetch("/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 200);
  EXPECT_EQ(icon->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_EQ(icon->get_header_value("Cache-Control"), "no-cache");
}

TEST_F(WebPagesTest, HashedNamesAreRecognisedExactly) {
  EXPECT_TRUE(internal::IsHashedAssetPath("/assets/index-Ab3_x-9Z.js"));
  EXPECT_TRUE(internal::IsHashedAssetPath("/assets/chart-00000000.css"));
  EXPECT_FALSE(internal::IsHashedAssetPath("/assets/index.js"));         // no hash
  EXPECT_FALSE(internal::IsHashedAssetPath("/assets/index-Ab3x9Z.js"));  // 6 characters
  EXPECT_FALSE(internal::IsHashedAssetPath("/favicon-Ab3_x-9Z.svg"));    // not under /assets/
  EXPECT_FALSE(internal::IsHashedAssetPath("/assets/a/index-Ab3_x-9Z.js"));
  EXPECT_FALSE(internal::IsHashedAssetPath("/assets/index-Ab3.x-9Z.js"));
}

TEST_F(WebPagesTest, NoPathReachesAFileOutsideTheBuildOrAnUnservedOne) {
  for (const char* target :
       {"/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/assets/linked-Zz99Yy88.txt", "/assets/notes.exe",
        "/secret-copy.txt.bak", "/index.html", "/assets/%2e%2e/index.html", "/%2fetc%2fpasswd", "//etc/passwd",
        "/assets/index-Ab3_x-9Z.js%00.html", "/assets/"}) {
    SCOPED_TRACE(target);
    auto r = Fetch(target);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->status == 404 || r->status == 400) << r->status;
    EXPECT_EQ(r->body.find(kSecret), std::string::npos);
    EXPECT_EQ(r->body.find("root:"), std::string::npos);
    EXPECT_EQ(r->body.find("not a web file"), std::string::npos);
  }
}

TEST_F(WebPagesTest, AnUnknownPageIsA404WithTheAppsNotFoundView) {
  for (const char* page : {"/nowhere", "/children/abc", "/children/17/extra", "/review/", "/Admin"}) {
    SCOPED_TRACE(page);
    auto r = Fetch(page);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_EQ(r->body, kIndex);  // the app renders "Page not found" for a URL it does not know
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  }
  // A missing file is the API's plain JSON 404, not a page.
  auto missing = Fetch("/assets/index-00000000.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("Content-Type"), "application/json");
}

// The practitioner workflow pages (issue 15 item 7): the app's HTML under the same policy; a meeting is a number.
TEST_F(WebPagesTest, ThePractitionerWorkflowPagesAnswerTheApp) {
  for (const char* page : {"/caseload", "/alerts", "/mase", "/mase/4", "/actions", "/disruptions"}) {
    SCOPED_TRACE(page);
    auto r = Fetch(page);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, kIndex);
    EXPECT_EQ(r->get_header_value_count("Content-Security-Policy"), 1u);
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  }
  for (const char* page : {"/mase/", "/mase/x", "/mase/4/minutes", "/caseload/1", "/Actions"}) {
    SCOPED_TRACE(page);
    auto r = Fetch(page);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
  }
}

TEST_F(WebPagesTest, TheApiIsUnchangedBesideThePages) {
  auto anonymous = Fetch("/api/radar");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(anonymous->get_header_value("Content-Security-Policy"),
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(anonymous->get_header_value("Cache-Control"), "no-store");
  const Session s = Login("wmp-practitioner");
  auto radar = Get(s, "/api/radar");
  ASSERT_TRUE(radar);
  EXPECT_EQ(radar->status, 200);
  EXPECT_EQ(json::parse(radar->body).value("children", -1), 2);
  auto unknown = Fetch("/api/nowhere");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->get_header_value("Content-Type"), "application/json");
  // Pages are GET and HEAD only: a POST to a page URL is the router's answer, never the app.
  auto post = Client().Post("/sign-in", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
  EXPECT_EQ(post->body.find("<!doctype"), std::string::npos);
}

TEST(WebAssetsLoad, AMissingOrIncompleteBuildIsRefusedNamingTheDirectory) {
  const fs::path dir = fs::temp_directory_path() / ("rr-web-load-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto missing = WebAssets::Load(dir / "dist");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find((dir / "dist").string() + " does not exist"), std::string::npos)
      << missing.status().ToString();
  WriteFile(dir / "dist" / "assets" / "index-Ab3_x-9Z.js", kScript);
  auto no_index = WebAssets::Load(dir / "dist");
  ASSERT_FALSE(no_index.ok());
  EXPECT_NE(no_index.status().message().find("has no index.html"), std::string::npos) << no_index.status().ToString();
  WriteFile(dir / "dist" / "index.html", kIndex);
  auto ok = WebAssets::Load(dir / "dist");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->file_count(), 2u);
  fs::remove_all(dir);
}

}  // namespace web_pages_test
}  // namespace riskradar::server

// The web application's built files (web/dist, docs/operator-guide.md "The web application"): read into memory
// once at start-up and served by exact path, so no request ever names a file on disk (no directory traversal,
// no symlink escapes, no file changed under a running server). The pages serve no personal data: they are
// the same static HTML and scripts for everyone and call the JSON API (/api/...), which does every check.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "riskradar/core/status.h"
#include "router.h"

namespace riskradar::server {

// The page URLs of the web application (the contract of docs/practitioner-guide.md): each answers the app's
// HTML, which renders the page in the browser. Templates as the router writes them ({id}: 1 to 18 digits).
const std::vector<std::string>& WebPages();

// The Content-Security-Policy of the pages and their assets: only this origin's scripts, styles, fonts and
// images; no inline script or style; API calls to this origin only; never framed.
inline constexpr const char* kWebContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

class WebAssets {
 public:
  // Reads every regular file under `dir` (symbolic links and files of an unknown type are skipped). The
  // directory must hold index.html (the app's page). InvalidArgument naming the directory and why otherwise.
  static Result<WebAssets> Load(const std::filesystem::path& dir);

  // True when it answered the request (GET or HEAD of a path outside /api/): a page (200, the app's HTML), a
  // file (200), or an unknown page (404 with the app's HTML, which shows its "page not found" view). A
  // missing file (a path whose last segment has an extension, or under /assets/) is left to the caller (its
  // JSON 404).
  bool Serve(const httplib::Request& req, httplib::Response& res) const;

  size_t file_count() const { return files_.size(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct File {
    std::string body;
    std::string content_type;
    bool immutable = false;  // a content-hashed name: cached for a year
  };
  std::filesystem::path dir_;
  std::map<std::string, File, std::less<>> files_;  // by URL path, "/assets/index-3fA9_x1Q.js"
  std::string index_html_;
  Router pages_;
};

namespace internal {
// "/assets/index-3fA9_x1Q.js" -> true: a file under /assets/ whose name ends in "-" and an 8-character hash.
bool IsHashedAssetPath(std::string_view url_path);
}  // namespace internal

}  // namespace riskradar::server

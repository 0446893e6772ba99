// Serving the web application's built files from memory (see web_assets.h).
#include "web_assets.h"

#include <fstream>
#include <sstream>

namespace riskradar::server {
namespace {

namespace fs = std::filesystem;

// Larger than any build of web/ by far; a directory over this is not a web build (a wrong --web).
constexpr uintmax_t kMaxTotalBytes = 64ull << 20;

// Content types by extension; a file of any other type is not served.
const char* ContentTypeFor(const std::string& extension) {
  static const std::map<std::string, const char*, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const auto it = kTypes.find(extension);
  return it == kTypes.end() ? nullptr : it->second;
}

bool IsHashChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

void SetPageHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kWebContentSecurityPolicy);
  // The HTML names the current hashed assets: always revalidated, so a new build is picked up at once.
  res.set_header("Cache-Control", "no-cache");
}

}  // namespace

const std::vector<std::string>& WebPages() {
  // clang-format off
  static const std::vector<std::string> kPages = {
      "/",       "/sign-in",     "/children/{id}", "/review",        "/review/{id}",
      "/places", "/places/{id}", "/networks",      "/networks/{id}", "/admin",
      // A person's network chart and the problem profile (issue 15 items 4 and 8).
      "/people/{id}", "/reports",
      // The practitioner workflow (issue 15 item 7).
      "/caseload", "/alerts", "/mase", "/mase/{id}", "/actions", "/disruptions",
  };
  // clang-format on
  return kPages;
}

bool internal::IsHashedAssetPath(std::string_view url_path) {
  constexpr std::string_view kPrefix = "/assets/";
  if (url_path.substr(0, kPrefix.size()) != kPrefix) return false;
  const std::string_view name = url_path.substr(kPrefix.size());
  if (name.find('/') != std::string_view::npos) return false;
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot < 10) return false;
  const std::string_view stem = name.substr(0, dot);
  const std::string_view hash = stem.substr(stem.size() - 8);
  if (stem[stem.size() - 9] != '-') return false;
  for (char c : hash) {
    if (!IsHashChar(c)) return false;
  }
  return true;
}

Result<WebAssets> WebAssets::Load(const fs::path& dir) {
  const std::string where = "web application directory " + dir.string();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument(where +
                                   " does not exist (build it: npm --prefix web ci && npm --prefix web run build)");
  }
  WebAssets out;
  out.dir_ = dir;
  uintmax_t total = 0;
  // Symbolic links are neither followed nor served: only what the build wrote inside the directory.
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) continue;
    const fs::path relative = entry.path().lexically_relative(dir);
    const char* type = ContentTypeFor(relative.extension().string());
    if (type == nullptr) continue;
    total += entry.file_size(ec);
    if (total > kMaxTotalBytes) return Status::InvalidArgument(where + " holds over 64 MiB: not a build of web/");
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in.good() && !in.eof()) return Status::InvalidArgument(where + ": cannot read " + relative.string());
    const std::string url = "/" + relative.generic_string();
    File file{body.str(), type, internal::IsHashedAssetPath(url)};
    if (url == "/index.html") out.index_html_ = file.body;
    out.files_.emplace(url, std::move(file));
  }
  if (ec) return Status::InvalidArgument(where + ": cannot list it (" + ec.message() + ")");
  if (out.index_html_.empty()) return Status::InvalidArgument(where + " has no index.html: not a build of web/");
  for (const std::string& page : WebPages()) {
    if (page == "/") continue;  // the router matches segments; the root has none
    RR_RETURN_IF_ERROR(out.pages_.Add("GET", page, [](httplib::Request&, httplib::Response&, const PathParams&) {}));
  }
  return out;
}

bool WebAssets::Serve(const httplib::Request& req, httplib::Response& res) const {
  if (req.method != "GET" && req.method != "HEAD") return false;
  const std::string& path = req.path;
  if (path == "/api" || path.rfind("/api/", 0) == 0) return false;
  if (path == "/" || !pages_.Match("GET", path).empty()) {
    SetPageHeaders(res);
    res.status = 200;
    res.set_content(index_html_, "text/html; charset=utf-8");
    return true;
  }
  // HTML only through the page URLs: /index.html is not one.
  const bool is_html = path.size() >= 5 && path.compare(path.size() - 5, 5, ".html") == 0;
  if (const auto it = files_.find(path); it != files_.end() && !is_html) {
    res.set_header("Content-Security-Policy", kWebContentSecurityPolicy);
    res.set_header("Cache-Control", it->second.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.status = 200;
    res.set_content(it->second.body, it->second.content_type);
    return true;
  }
  const std::string last = path.substr(path.rfind('/') + 1);
  if (path.rfind("/assets/", 0) == 0 || last.find('.') != std::string::npos) return false;
  SetPageHeaders(res);
  res.status = 404;
  res.set_content(index_html_, "text/html; charset=utf-8");
  return true;
}

}  // namespace riskradar::server

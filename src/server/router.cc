// Method + path template matching and the one dispatch entry point (see router.h).
#include "router.h"

#include <set>

#include "http_errors.h"

namespace riskradar::server {
namespace {

constexpr size_t kMaxIdDigits = 18;
constexpr size_t kMaxUserName = 64;

const std::set<std::string, std::less<>>& Methods() {
  static const std::set<std::string, std::less<>> methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
  return methods;
}

bool IsIdSegment(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdDigits) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsUserNameSegment(std::string_view s) {
  if (s.empty() || s.size() > kMaxUserName) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// "/a/b/c" -> {"a", "b", "c"}; false for a path that is not absolute or has an empty segment.
bool SplitPath(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (path.empty() || path.front() != '/') return false;
  size_t pos = 1;
  while (true) {
    const size_t end = path.find('/', pos);
    const std::string_view part = path.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (part.empty()) return false;
    out.push_back(part);
    if (end == std::string_view::npos) return true;
    pos = end + 1;
  }
}

void SendRoutingError(httplib::Response& res, int status) {
  res.status = status;
  res.set_content(ErrorBodyForHttpStatus(status).dump(), "application/json");
}

}  // namespace

std::string PathParams::Text(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second;
}

Result<int64_t> PathParams::Id(const std::string& name, const char* what) const {
  auto it = values_.find(name);
  if (it == values_.end() || !IsIdSegment(it->second)) return Status::NotFound(std::string("no such ") + what);
  int64_t n = 0;
  for (char c : it->second) n = n * 10 + (c - '0');
  return n;
}

Status Router::Add(const std::string& method, const std::string& path_template, Handler handler) {
  const std::string where = "route " + method + " " + path_template;
  if (!Methods().count(method)) return Status::InvalidArgument(where + ": unsupported method");
  if (!handler) return Status::InvalidArgument(where + ": no handler");
  std::vector<std::string_view> parts;
  if (!SplitPath(path_template, parts)) {
    return Status::InvalidArgument(where + ": a template starts with '/' and has no empty segment");
  }
  Route route{method, path_template, {}, std::move(handler)};
  std::set<std::string> names;
  for (std::string_view part : parts) {
    if (part.front() != '{') {
      if (part.find_first_of("{}") != std::string_view::npos) {
        return Status::InvalidArgument(where + ": a parameter must be a whole segment");
      }
      route.segments.push_back({SegmentKind::kLiteral, std::string(part)});
      continue;
    }
    if (part.back() != '}') return Status::InvalidArgument(where + ": unclosed parameter");
    std::string_view inner = part.substr(1, part.size() - 2);
    SegmentKind kind = SegmentKind::kId;
    if (const size_t colon = inner.find(':'); colon != std::string_view::npos) {
      if (inner.substr(colon + 1) != "user") {
        return Status::InvalidArgument(where + ": unknown parameter kind '" + std::string(inner.substr(colon + 1)) +
                                       "' (known: user)");
      }
      kind = SegmentKind::kUserName;
      inner = inner.substr(0, colon);
    }
    bool valid_name = !inner.empty();
    for (char c : inner) valid_name = valid_name && IsNameChar(c);
    if (!valid_name) return Status::InvalidArgument(where + ": a parameter name is a-z, 0-9 or _");
    if (!names.insert(std::string(inner)).second) {
      return Status::InvalidArgument(where + ": parameter '" + std::string(inner) + "' named twice");
    }
    route.segments.push_back({kind, std::string(inner)});
  }
  for (const Route& other : routes_) {
    if (other.method != method || other.segments.size() != route.segments.size()) continue;
    bool same = true;
    for (size_t i = 0; i < route.segments.size() && same; ++i) {
      const Segment &a = other.segments[i], &b = route.segments[i];
      same = a.kind == b.kind && (a.kind != SegmentKind::kLiteral || a.text == b.text);
    }
    if (same) return Status::InvalidArgument(where + ": the same as route " + other.method + " " + other.path_template);
  }
  routes_.push_back(std::move(route));
  return Status::Ok();
}

const Router::Route* Router::Find(std::string_view method, std::string_view path, PathParams* params,
                                  bool* path_known) const {
  std::vector<std::string_view> parts;
  if (!SplitPath(path, parts)) return nullptr;
  // Literal segments win over parameters: a route is taken only if no more literal one also matches.
  const Route* best = nullptr;
  size_t best_literals = 0;
  for (const Route& route : routes_) {
    if (route.segments.size() != parts.size()) continue;
    bool match = true;
    size_t literals = 0;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      const Segment& seg = route.segments[i];
      switch (seg.kind) {
        case SegmentKind::kLiteral:
          match = parts[i] == seg.text;
          ++literals;
          break;
        case SegmentKind::kId:
          match = IsIdSegment(parts[i]);
          break;
        case SegmentKind::kUserName:
          match = IsUserNameSegment(parts[i]);
          break;
      }
    }
    if (!match) continue;
    if (path_known) *path_known = true;
    if (route.method != method) continue;
    if (!best || literals > best_literals) {
      best = &route;
      best_literals = literals;
    }
  }
  if (best && params) {
    for (size_t i = 0; i < parts.size(); ++i) {
      if (best->segments[i].kind != SegmentKind::kLiteral) params->Set(best->segments[i].text, std::string(parts[i]));
    }
  }
  return best;
}

std::string Router::Match(std::string_view method, std::string_view path, PathParams* params) const {
  const Route* route = Find(method, path, params, nullptr);
  return route ? route->path_template : std::string();
}

void Router::Dispatch(httplib::Request& req, httplib::Response& res) const {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  PathParams params;
  bool path_known = false;
  const Route* route = Find(method, req.path, &params, &path_known);
  if (route) return route->handler(req, res, params);
  if (!path_known) return SendRoutingError(res, 404);
  std::string allow;
  for (const std::string& m : Methods()) {
    if (!Match(m, req.path).empty()) allow += (allow.empty() ? "" : ", ") + m;
  }
  res.set_header("Allow", allow);
  SendRoutingError(res, 405);
}

}  // namespace riskradar::server

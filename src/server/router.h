// The server's own request routing: method + path template ("/api/children/{id}") to a handler, with the
// path parameters by name. Transport-neutral: whatever accepts connections (cpp-httplib today) hands every
// request to the one entry point, Dispatch. Policy (who may call what) is not here: see routes.h.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::server {

// The parameters a path template names, with the values the request's path gave them.
class PathParams {
 public:
  void Set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  // The value, "" when the template has no such parameter.
  std::string Text(const std::string& name) const;
  // A numeric parameter ({id} segments match 1 to 18 digits, so this fails only for a name the template lacks);
  // a failure answers like a missing record: "no such <what>".
  Result<int64_t> Id(const std::string& name, const char* what) const;
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// Method + path template -> handler. A template is literal segments and parameters, each a whole segment:
//   {name}        1 to 18 decimal digits (record ids)
//   {name:user}   a user name: 1 to 64 of A-Z a-z 0-9 . _ -
// Paths are matched segment by segment, exactly (no trailing slash, no empty segment).
//
// Threads: Add before serving; Dispatch is const and may run on any number of threads at once.
class Router {
 public:
  using Handler = std::function<void(httplib::Request&, httplib::Response&, const PathParams&)>;

  // InvalidArgument naming the route for a malformed template, an unsupported method, or a route that
  // would shadow one already added (same method, same segments and parameter kinds).
  Status Add(const std::string& method, const std::string& path_template, Handler handler);

  // Routes the request: the handler of the matching route, or a 404 (no route has this path) or 405 with
  // Allow (the path exists for other methods) in the one JSON error shape. HEAD is served by GET routes.
  void Dispatch(httplib::Request& req, httplib::Response& res) const;

  // The template of the route that would serve method + path, and its parameters; "" when none does.
  std::string Match(std::string_view method, std::string_view path, PathParams* params = nullptr) const;

 private:
  enum class SegmentKind { kLiteral, kId, kUserName };
  struct Segment {
    SegmentKind kind;
    std::string text;  // the literal, or the parameter's name
  };
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<Segment> segments;
    Handler handler;
  };
  const Route* Find(std::string_view method, std::string_view path, PathParams* params, bool* path_known) const;

  std::vector<Route> routes_;
};

}  // namespace riskradar::server

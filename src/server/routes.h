// The route table's types: every endpoint is declared once (routes.cc) with its method, path template, access
// policy, the audit action of a refusal, the query parameters it accepts and its handler. One registration
// loop (RegisterRoutes) puts each behind the same steps, in this order, before its handler runs:
//   1. a store lease and the session behind the cookie (401 without one), CSRF on state changes (403);
//   2. the role check: a role outside the policy gets 403 and exactly one audit event (outcome "forbidden");
//   3. the query string: only the declared parameters, each at most once (400 naming the parameter);
//   4. a request body must be JSON (415 otherwise).
// A route without a policy, or with an incomplete one, stops the server at start-up (Server::Create fails
// naming the route).
#pragma once

#include <httplib.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "query_params.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/core/access.h"
#include "riskradar/server/server.h"
#include "riskradar/store/store.h"
#include "router.h"

namespace riskradar::server {

// What a handler receives: the request and its answer, the path parameters by name, and (on signed-in routes)
// the store lease and session the registration loop obtained. On public routes store and session are null.
struct RouteContext {
  const httplib::Request& req;
  httplib::Response& res;
  const PathParams& params;
  store::Store* store = nullptr;
  const store::SessionUser* session = nullptr;
  std::string session_token_hash;  // the session's key in the store (sign-out revokes it)

  const store::User& user() const { return session->user; }
  Viewer viewer() const;
  store::Actor actor(std::string purpose = "safeguarding") const;
  // The one access-and-audit path over this request's store lease.
  access::AuditedAccess audited() const { return access::AuditedAccess(*store); }
};

enum class Access {
  kUndeclared,  // the default: refused at start-up
  kPublic,      // no session (sign-in): the handler does its own checks
  kSignedIn,    // a session and one of the policy's roles
};

struct RoutePolicy {
  Access access = Access::kUndeclared;
  std::vector<Role> roles;     // kSignedIn: the roles allowed
  std::string refusal_action;  // audit action of a 403 (required unless every role is allowed)
  std::string refusal_target;  // audit target of a 403; "{name}" is replaced by that path parameter
  std::string record_rule;     // a per-record rule the handler applies after the role check ("" if none)
};

RoutePolicy Public();
// Every role, no refusal to audit.
RoutePolicy AnyRole();
RoutePolicy Roles(std::initializer_list<Role> roles, std::string refusal_action, std::string refusal_target,
                  std::string record_rule = "");
// The roles whose work needs identifying data (MaySeeIdentifying).
RoutePolicy IdentifyingRoles(std::string refusal_action, std::string refusal_target, std::string record_rule = "");
RoutePolicy WithRecordRule(RoutePolicy policy, std::string record_rule);

struct Route {
  std::string method;
  std::string path;  // router template, e.g. "/api/children/{id}", "/api/users/{name:user}/reset"
  RoutePolicy policy;
  std::vector<QueryParam> query;  // the accepted query parameters (with their maximum lengths)
  void (Server::Impl::*handler)(RouteContext&) = nullptr;
};

// The server's route table (routes.cc).
std::vector<Route> DeclaredRoutes();
// The path as api/openapi.json writes it: "{name:user}" -> "{name}".
std::string DocumentedPath(const std::string& path_template);
// InvalidArgument naming the first route without a complete policy or handler.
Status CheckRoutes(const std::vector<Route>& routes);

namespace internal {
// Server::Create with another route table (tests: a table with a route lacking its policy).
Result<std::unique_ptr<Server>> CreateServer(ServerOptions options, std::vector<Route> routes);
}  // namespace internal

}  // namespace riskradar::server

// The route table (every endpoint with its policy) and the one loop that registers it (see routes.h).
#include "routes.h"

#include <algorithm>
#include <optional>

#include "api.h"

namespace riskradar::server {
namespace {

using Impl = Server::Impl;

const std::vector<QueryParam> kNoQuery;

std::string RouteName(const Route& r) { return r.method + " " + r.path; }

bool Allowed(const RoutePolicy& policy, Role role) {
  return std::find(policy.roles.begin(), policy.roles.end(), role) != policy.roles.end();
}

bool AllowsEveryRole(const RoutePolicy& policy) {
  for (Role role : AllRoles()) {
    if (!Allowed(policy, role)) return false;
  }
  return true;
}

// "person:{id}" with the request's {id}.
std::string RefusalTarget(const std::string& pattern, const PathParams& params) {
  std::string out;
  size_t pos = 0;
  while (pos < pattern.size()) {
    const size_t open = pattern.find('{', pos);
    if (open == std::string::npos) break;
    const size_t close = pattern.find('}', open);
    if (close == std::string::npos) break;
    out += pattern.substr(pos, open - pos) + params.Text(pattern.substr(open + 1, close - open - 1));
    pos = close + 1;
  }
  return out + pattern.substr(std::min(pos, pattern.size()));
}

// Every parameter a refusal target names must be one of the route's path parameters.
Status CheckTargetParameters(const Route& r) {
  const std::string& target = r.policy.refusal_target;
  for (size_t open = target.find('{'); open != std::string::npos; open = target.find('{', open + 1)) {
    const size_t close = target.find('}', open);
    if (close == std::string::npos) {
      return Status::InvalidArgument("route " + RouteName(r) + ": unclosed parameter in refusal target");
    }
    const std::string name = target.substr(open + 1, close - open - 1);
    if (r.path.find("{" + name + "}") == std::string::npos && r.path.find("{" + name + ":") == std::string::npos) {
      return Status::InvalidArgument("route " + RouteName(r) + ": refusal target names '{" + name +
                                     "}', which is not a path parameter");
    }
  }
  return Status::Ok();
}

}  // namespace

Viewer RouteContext::viewer() const { return Impl::ViewerFor(session->user); }

store::Actor RouteContext::actor(std::string purpose) const {
  return Impl::ActorFor(session->user, std::move(purpose));
}

RoutePolicy Public() { return {Access::kPublic, {}, "", "", ""}; }

RoutePolicy AnyRole() { return {Access::kSignedIn, AllRoles(), "", "", ""}; }

RoutePolicy Roles(std::initializer_list<Role> roles, std::string refusal_action, std::string refusal_target,
                  std::string record_rule) {
  return {Access::kSignedIn, std::vector<Role>(roles), std::move(refusal_action), std::move(refusal_target),
          std::move(record_rule)};
}

RoutePolicy IdentifyingRoles(std::string refusal_action, std::string refusal_target, std::string record_rule) {
  RoutePolicy p{Access::kSignedIn, {}, std::move(refusal_action), std::move(refusal_target), std::move(record_rule)};
  for (Role role : AllRoles()) {
    if (MaySeeIdentifying(role)) p.roles.push_back(role);
  }
  return p;
}

RoutePolicy WithRecordRule(RoutePolicy policy, std::string record_rule) {
  policy.record_rule = std::move(record_rule);
  return policy;
}

// The table. Record rules name what the handler (or the access layer's need-to-know filter) checks per record
// after the role check; a refusal there is audited by the handler or the access layer.
std::vector<Route> DeclaredRoutes() {
  constexpr Role kAnalyst = Role::kAnalyst, kPractitioner = Role::kPractitioner, kManager = Role::kManager,
                 kIgLead = Role::kIgLead, kAdministrator = Role::kAdministrator;
  const std::string need_to_know =
      "need-to-know: only records the caller may see, identity fields from those records (the access layer)";
  const std::string own_agency = "own agency only";
  const std::string practice_rule =
      "need-to-know: items about a person the caller may not see are left out (the access layer)";
  return {
      // Liveness and readiness for supervisors and load balancers (api_health.cc): no session, no data.
      {"GET", "/healthz", Public(), kNoQuery, &Impl::Healthz},
      {"GET", "/readyz", Public(), kNoQuery, &Impl::Readyz},
      // Sign-in, sign-out, the session (api_auth.cc).
      {"POST", "/api/login", Public(), kNoQuery, &Impl::Login},
      {"POST", "/api/logout", AnyRole(), kNoQuery, &Impl::Logout},
      {"GET", "/api/session", AnyRole(), kNoQuery, &Impl::Session},
      {"POST", "/api/session/enrol", AnyRole(), kNoQuery, &Impl::Enrol},
      // The radar, a child's view, break-glass (api_children.cc).
      {"GET", "/api/radar", AnyRole(), kNoQuery, &Impl::Radar},
      {"GET", "/api/children/{id}", IdentifyingRoles("read_child", "person:{id}", need_to_know), kNoQuery,
       &Impl::Child},
      {"POST", "/api/children/{id}/break-glass", IdentifyingRoles("break_glass", "person:{id}"), kNoQuery,
       &Impl::BreakGlass},
      {"GET",
       "/api/break-glass",
       Roles({kIgLead}, "list_break_glass", "break_glass"),
       {{"all", 1}, {"scope", 12}},
       &Impl::BreakGlassList},
      // Directory reads (api_directory.cc).
      {"GET",
       "/api/people",
       IdentifyingRoles("search_people", "people", need_to_know),
       {{"q", 64}, {"role", 32}, {"limit", 18}, {"offset", 18}},
       &Impl::PeopleSearch},
      {"GET", "/api/people/{id}", IdentifyingRoles("read_person", "person:{id}", need_to_know), kNoQuery,
       &Impl::PersonDetail},
      {"GET", "/api/places", AnyRole(), kNoQuery, &Impl::PlaceList},
      {"GET", "/api/places/{id}", WithRecordRule(AnyRole(), need_to_know + "; identifying fields by role"), kNoQuery,
       &Impl::PlaceDetail},
      {"GET", "/api/networks", AnyRole(), kNoQuery, &Impl::NetworkList},
      {"GET", "/api/networks/{id}", WithRecordRule(AnyRole(), need_to_know + "; identifying fields by role"), kNoQuery,
       &Impl::NetworkDetail},
      // The VOLT graph (api_network.cc): a person's ego network and a network's offender priorities.
      {"GET",
       "/api/people/{id}/network",
       IdentifyingRoles("read_person_network", "person:{id}", need_to_know + "; a hidden person is a stand-in"),
       {{"hops", 1}},
       &Impl::PersonNetwork},
      {"GET", "/api/networks/{id}/priorities",
       IdentifyingRoles("read_network_priorities", "network:{id}", need_to_know), kNoQuery, &Impl::NetworkPriorityList},
      {"GET", "/api/networks/{id}/graph",
       IdentifyingRoles("read_network_graph", "network:{id}", need_to_know + "; a hidden person is a stand-in"),
       kNoQuery, &Impl::NetworkGraph},
      {"GET",
       "/api/networks/{id}/export",
       IdentifyingRoles("export_network", "network:{id}", need_to_know + "; masked as the graph's JSON"),
       {{"format", 16}},
       &Impl::NetworkExport},
      {"GET",
       "/api/people/{id}/network/export",
       IdentifyingRoles("export_network", "person:{id}", need_to_know + "; masked as the ego network's JSON"),
       {{"hops", 1}, {"format", 16}},
       &Impl::PersonNetworkExport},
      // The problem profile (api_reports.cc): aggregate tables; the exact variant for roles that see identities.
      {"POST", "/api/reports/profile",
       Roles({kAnalyst, kAdministrator}, "report_profile", "reports",
             "the restricted (exact) variant: roles that may see identifying data only (the access layer)"),
       kNoQuery, &Impl::ReportProfile},
      {"GET", "/api/imports",
       Roles({kManager, kIgLead, kAdministrator}, "list_imports", "imports",
             "own agency only (administrators: every agency)"),
       kNoQuery, &Impl::ImportList},
      {"GET",
       "/api/imports/{id}/quarantine",
       Roles({kManager, kIgLead, kAdministrator}, "read_quarantine", "import_batch:{id}", own_agency),
       {{"limit", 18}, {"offset", 18}},
       &Impl::ImportQuarantine},
      {"GET", "/api/agencies", AnyRole(), kNoQuery, &Impl::AgencyList},
      // The audit log (api_audit.cc): events for the IG lead; verification and proofs also for administrators.
      {"GET",
       "/api/audit",
       Roles({kIgLead}, "read_audit", "audit_log"),
       {{"user", 64},
        {"action", 64},
        {"target", 100},
        {"from", 24},
        {"to", 24},
        {"before", 18},
        {"limit", 18},
        {"scope", 12}},
       &Impl::AuditEvents},
      {"GET", "/api/audit/verify", Roles({kIgLead, kAdministrator}, "audit_verify", "audit_log"), kNoQuery,
       &Impl::AuditVerify},
      {"GET", "/api/audit/checkpoints", Roles({kIgLead, kAdministrator}, "read_audit_checkpoints", "audit_log"),
       kNoQuery, &Impl::AuditCheckpoints},
      {"GET",
       "/api/audit/proof/inclusion",
       Roles({kIgLead, kAdministrator}, "audit_proof", "audit_log"),
       {{"seq", 18}, {"size", 18}},
       &Impl::AuditInclusionProof},
      {"GET",
       "/api/audit/proof/consistency",
       Roles({kIgLead, kAdministrator}, "audit_proof", "audit_log"),
       {{"old", 18}, {"new", 18}},
       &Impl::AuditConsistencyProof},
      // The linkage review queue (api_review.cc): analysts see its size only.
      {"GET",
       "/api/review",
       Roles({kPractitioner, kManager, kAnalyst}, "list_review", "review_queue", need_to_know),
       {{"limit", 18}},
       &Impl::ReviewList},
      {"GET", "/api/review/{id}", Roles({kPractitioner, kManager}, "read_review", "review:{id}", need_to_know),
       kNoQuery, &Impl::ReviewRead},
      {"POST", "/api/review/{id}/decision",
       Roles({kPractitioner, kManager}, "review_decision", "review:{id}", need_to_know), kNoQuery, &Impl::ReviewDecide},
      // Administration (api_admin.cc).
      {"GET", "/api/users", Roles({kAdministrator}, "list_users", "users", own_agency), kNoQuery, &Impl::UsersList},
      {"POST", "/api/users", Roles({kAdministrator}, "user_add", "users", own_agency), kNoQuery, &Impl::UserCreate},
      {"POST", "/api/users/{name:user}/disable", Roles({kAdministrator}, "user_disable", "user:{name}", own_agency),
       kNoQuery, &Impl::UserDisable},
      {"POST", "/api/users/{name:user}/reset", Roles({kAdministrator}, "user_reset", "user:{name}", own_agency),
       kNoQuery, &Impl::UserReset},
      {"POST", "/api/users/{name:user}/role", Roles({kAdministrator}, "user_role", "user:{name}", own_agency), kNoQuery,
       &Impl::UserRole},
      {"GET", "/api/agreements", WithRecordRule(AnyRole(), "agreements the caller's agency is a party to"), kNoQuery,
       &Impl::AgreementsList},
      {"POST", "/api/agreements",
       Roles({kIgLead}, "sharing_agreement_add", "sharing_agreements", "the provider is the caller's own agency"),
       kNoQuery, &Impl::AgreementCreate},
      {"POST", "/api/agreements/{id}/end",
       Roles({kIgLead}, "sharing_agreement_end", "sharing_agreement:{id}", "the caller's agency is a party"), kNoQuery,
       &Impl::AgreementEnd},
      {"GET", "/api/children/{id}/relationships",
       Roles({kManager}, "list_relationships", "person:{id}", need_to_know + "; own agency's users"), kNoQuery,
       &Impl::RelationshipsList},
      {"POST", "/api/children/{id}/relationships",
       Roles({kManager}, "relationship_add", "person:{id}", need_to_know + "; own agency's users"), kNoQuery,
       &Impl::RelationshipCreate},
      {"DELETE", "/api/children/{id}/relationships/{relationship}",
       Roles({kManager}, "relationship_end", "person:{id}", need_to_know + "; own agency's users"), kNoQuery,
       &Impl::RelationshipEnd},
      {"GET", "/api/alerts", Roles({kIgLead}, "list_alerts", "alerts", own_agency), {{"all", 1}}, &Impl::AlertsList},
      {"POST", "/api/break-glass/{id}/review",
       Roles({kIgLead}, "break_glass_review", "break_glass:{id}", "grants to the caller's agency's users"), kNoQuery,
       &Impl::BreakGlassReview},
      // Professional judgement (api_judgement.cc; access/judgement.h): trajectory, screenings, overrides,
      // caseload, case notes. Writes by practitioners and managers only.
      {"GET", "/api/children/{id}/assessments", IdentifyingRoles("read_assessments", "person:{id}", need_to_know),
       kNoQuery, &Impl::ChildAssessments},
      {"POST", "/api/children/{id}/screenings",
       Roles({kPractitioner, kManager}, "record_screening", "person:{id}", need_to_know), kNoQuery,
       &Impl::ChildScreening},
      {"POST", "/api/children/{id}/override",
       Roles({kPractitioner, kManager}, "override_level", "person:{id}", need_to_know + "; If-Match"), kNoQuery,
       &Impl::ChildOverride},
      {"GET", "/api/caseload",
       Roles({kPractitioner, kManager}, "read_caseload", "caseload",
             "own allocated cases (managers: their agency's); children the caller may see"),
       kNoQuery, &Impl::Caseload},
      {"GET", "/api/children/{id}/notes", IdentifyingRoles("read_case_notes", "person:{id}", need_to_know), kNoQuery,
       &Impl::ChildNotes},
      {"POST", "/api/children/{id}/notes",
       Roles({kPractitioner, kManager}, "add_case_note", "person:{id}", need_to_know), kNoQuery,
       &Impl::ChildNoteCreate},
      {"GET", "/api/people/{id}/notes", IdentifyingRoles("read_case_notes", "person:{id}", need_to_know), kNoQuery,
       &Impl::PersonNotes},
      {"POST", "/api/people/{id}/notes", Roles({kPractitioner, kManager}, "add_case_note", "person:{id}", need_to_know),
       kNoQuery, &Impl::PersonNoteCreate},
      {"GET", "/api/places/{id}/notes",
       IdentifyingRoles("read_case_notes", "place:{id}", "notes of the caller's own agency"), kNoQuery,
       &Impl::PlaceNotes},
      {"POST", "/api/places/{id}/notes",
       Roles({kPractitioner, kManager}, "add_case_note", "place:{id}", "notes of the caller's own agency"), kNoQuery,
       &Impl::PlaceNoteCreate},
      // Approval requests (api_admin.cc): separation of duties (access/administration.h decides per request).
      {"GET",
       "/api/approvals",
       Roles({kManager, kIgLead, kAdministrator}, "list_approvals", "approvals",
             "requests the caller made or may approve"),
       {{"all", 1}},
       &Impl::ApprovalsList},
      {"POST", "/api/approvals/{id}/approve",
       Roles({kManager, kIgLead, kAdministrator}, "approval_approve", "approval:{id}",
             "an approver in scope; never the requester or the beneficiary"),
       kNoQuery, &Impl::ApprovalApprove},
      {"POST", "/api/approvals/{id}/reject",
       Roles({kManager, kIgLead, kAdministrator}, "approval_reject", "approval:{id}",
             "an approver in scope; never the requester or the beneficiary"),
       kNoQuery, &Impl::ApprovalReject},
      {"POST", "/api/approvals/{id}/withdraw",
       Roles({kManager, kIgLead, kAdministrator}, "approval_withdraw", "approval:{id}", "the requester only"), kNoQuery,
       &Impl::ApprovalWithdraw},
      // The practice workflow (api_practice.cc; access/practice.h filters and audits every read and write).
      {"GET",
       "/api/actions",
       Roles({kPractitioner, kManager}, "list_actions", "actions", practice_rule),
       {{"overdue", 1}, {"link_kind", 16}, {"link_id", 18}},
       &Impl::ActionsList},
      {"POST", "/api/actions", Roles({kPractitioner, kManager}, "action_add", "actions", practice_rule), kNoQuery,
       &Impl::ActionCreate},
      {"PATCH", "/api/actions/{id}",
       Roles({kPractitioner, kManager}, "action_update", "action:{id}",
             practice_rule + "; the owner, the owner agency or the agency that set it; If-Match"),
       kNoQuery, &Impl::ActionUpdate},
      {"GET", "/api/disruptions", Roles({kPractitioner, kManager}, "list_disruptions", "disruptions", practice_rule),
       kNoQuery, &Impl::DisruptionsList},
      {"POST", "/api/disruptions", Roles({kPractitioner, kManager}, "disruption_add", "disruptions", practice_rule),
       kNoQuery, &Impl::DisruptionCreate},
      {"PATCH", "/api/disruptions/{id}",
       Roles({kPractitioner, kManager}, "disruption_update", "disruption:{id}",
             practice_rule + "; the issuing agency; If-Match"),
       kNoQuery, &Impl::DisruptionUpdate},
      {"POST", "/api/disruptions/{id}/breaches",
       Roles({kPractitioner, kManager}, "disruption_breach", "disruption:{id}", practice_rule), kNoQuery,
       &Impl::DisruptionBreach},
      {"GET", "/api/mase/meetings", Roles({kPractitioner, kManager}, "list_meetings", "meetings"), kNoQuery,
       &Impl::MeetingsList},
      {"POST", "/api/mase/meetings",
       Roles({kManager}, "meeting_add", "meetings",
             "panel listings are requests a second person approves (separation of duties)"),
       kNoQuery, &Impl::MeetingCreate},
      {"GET", "/api/mase/meetings/{id}",
       Roles({kPractitioner, kManager}, "read_meeting", "meeting:{id}", practice_rule), kNoQuery, &Impl::MeetingRead},
      {"POST", "/api/mase/meetings/{id}/agenda",
       Roles({kPractitioner, kManager}, "agenda_add", "meeting:{id}",
             practice_rule + "; the chair or a manager of the chair's agency"),
       kNoQuery, &Impl::AgendaAdd},
      {"POST", "/api/mase/meetings/{id}/agenda/{item}/remove",
       Roles({kPractitioner, kManager}, "agenda_remove", "meeting:{id}",
             practice_rule + "; the chair or a manager of the chair's agency"),
       kNoQuery, &Impl::AgendaRemove},
      {"POST", "/api/mase/meetings/{id}/agenda/{item}/minutes",
       Roles({kPractitioner, kManager}, "agenda_minutes", "meeting:{id}",
             practice_rule + "; the chair or a manager of the chair's agency"),
       kNoQuery, &Impl::AgendaMinutes},
      {"POST", "/api/mase/meetings/{id}/close",
       Roles({kPractitioner, kManager}, "meeting_close", "meeting:{id}",
             "the chair or a manager of the chair's agency"),
       kNoQuery, &Impl::MeetingClose},
      {"GET",
       "/api/alerts/mine",
       WithRecordRule(AnyRole(), "alerts addressed to the caller; " + practice_rule),
       {{"all", 1}},
       &Impl::MyAlerts},
      {"POST", "/api/alerts/{id}/acknowledge",
       WithRecordRule(AnyRole(), "alerts addressed to the caller; " + practice_rule), kNoQuery,
       &Impl::AlertAcknowledge},
  };
}

std::string DocumentedPath(const std::string& path_template) {
  std::string out;
  bool in_kind = false;
  for (char c : path_template) {
    if (c == ':') in_kind = true;
    if (c == '}') in_kind = false;
    if (!in_kind) out.push_back(c);
  }
  return out;
}

Status CheckRoutes(const std::vector<Route>& routes) {
  for (const Route& r : routes) {
    const std::string where = "route " + RouteName(r);
    const RoutePolicy& p = r.policy;
    if (!r.handler) return Status::InvalidArgument(where + " has no handler");
    switch (p.access) {
      case Access::kUndeclared:
        return Status::InvalidArgument(where + " has no access policy: declare it Public(), AnyRole() or Roles(...)");
      case Access::kPublic:
        if (!p.roles.empty()) return Status::InvalidArgument(where + " is public but lists roles");
        break;
      case Access::kSignedIn:
        if (p.roles.empty()) return Status::InvalidArgument(where + " allows no role");
        if (!AllowsEveryRole(p) && p.refusal_action.empty()) {
          return Status::InvalidArgument(where + " refuses some roles but names no audit action for the refusal");
        }
        if (!AllowsEveryRole(p) && p.refusal_target.empty()) {
          return Status::InvalidArgument(where + " refuses some roles but names no audit target for the refusal");
        }
        break;
    }
    RR_RETURN_IF_ERROR(CheckTargetParameters(r));
  }
  return Status::Ok();
}

Status Impl::RegisterRoutes(const std::vector<Route>& routes) {
  RR_RETURN_IF_ERROR(CheckRoutes(routes));
  for (const Route& route : routes) {
    RR_RETURN_IF_ERROR(router.Add(route.method, route.path,
                                  [this, route](httplib::Request& req, httplib::Response& res,
                                                const PathParams& params) { Serve(route, req, res, params); }));
  }
  return Status::Ok();
}

// The steps every request takes before its handler, in this order; each answers the request itself when it
// stops it.
void Impl::Serve(const Route& route, const httplib::Request& req, httplib::Response& res, const PathParams& params) {
  RouteContext ctx{req, res, params, nullptr, nullptr, {}};
  RequestTrace* trace = CurrentTrace();
  if (trace) trace->route = route.path;
  std::optional<StorePool::Lease> lease;
  std::optional<store::SessionUser> session;
  if (route.policy.access != Access::kPublic) {
    auto leased = pool.Acquire();
    if (!leased.ok()) return SendError(res, leased.status());
    lease.emplace(std::move(*leased));
    auto su = Authenticate(req, **lease, &ctx.session_token_hash);  // 401 without a session; 403 without CSRF
    if (!su.ok()) return SendError(res, su.status());
    session.emplace(std::move(*su));
    if (trace) trace->user = pseudonyms.Of(session->user.id);
    ctx.store = &**lease;
    ctx.session = &*session;
    // An account that must enrol may only see its session, enrol or sign out (separation of duties: nobody
    // who handed over its one-time code can use the account before its owner has set their own credentials).
    if (session->user.must_enrol && route.handler != &Impl::Session && route.handler != &Impl::Logout &&
        route.handler != &Impl::Enrol) {
      if (Status st = AuditRefusal(**lease, session->user, "enrol_required", route.method + " " + route.path);
          !st.ok()) {
        return SendError(res, st);
      }
      return SendError(res, Status::PermissionDenied("set a new password and TOTP first: POST /api/session/enrol"));
    }
    if (!Allowed(route.policy, session->user.role)) {
      if (Status st = AuditRefusal(**lease, session->user, route.policy.refusal_action,
                                   RefusalTarget(route.policy.refusal_target, params));
          !st.ok()) {
        return SendError(res, st);
      }
      return SendError(res, Status::PermissionDenied("your role may not use this endpoint"));
    }
  }
  // The media type first: cpp-httplib reads a form-encoded body into the query parameters.
  if (!req.body.empty() && !IsJsonMediaType(req.get_header_value("Content-Type"))) {
    return SendHttpError(res, 415, "send the body as JSON (Content-Type: application/json)");
  }
  if (Status st = CheckQuery(req, route.query); !st.ok()) return SendError(res, st);
  (this->*route.handler)(ctx);
}

}  // namespace riskradar::server

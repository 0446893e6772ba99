// Administration: users of the administrator's own agency, sharing agreements (the providing agency's IG
// lead creates them, either party's IG lead ends them), care relationships (a manager asks for them for users
// of their own agency), IG alerts and the review of break-glass grants, and approval requests: a new account,
// a credential reset, a relationship or a listing takes a second, authorised person (access/administration.h).
// Function level here; record level in the store and the access layer.
#include <regex>

#include "api.h"
#include "query_params.h"
#include "riskradar/access/administration.h"
#include "riskradar/access/governance.h"
#include "riskradar/core/date.h"

namespace riskradar::server {
namespace {

constexpr const char* kAdminPurpose = "user administration";
constexpr const char* kIgPurpose = "information governance";
constexpr const char* kCasePurpose = "case allocation";

bool ValidUserName(const std::string& name) {
  static const std::regex re("[A-Za-z0-9][A-Za-z0-9._-]{1,63}");
  return std::regex_match(name, re);
}

json UserJson(const store::User& u) {
  return {{"name", u.name},         {"agency", u.agency_code},    {"role", ToString(u.role)},
          {"disabled", u.disabled}, {"created_at", u.created_at}, {"updated_at", u.updated_at}};
}

json AgreementJson(const store::SharingAgreementRecord& r, int64_t now_s) {
  const store::SharingAgreement& a = r.agreement;
  const bool in_force = r.ended_at.empty() && (!a.valid_until_s || *a.valid_until_s > now_s);
  return {{"id", a.id},
          {"provider_agency", a.provider_agency},
          {"recipient_agency", a.recipient_agency},
          {"data_class", a.data_class},
          {"purpose", a.purpose},
          {"lawful_basis", a.lawful_basis},
          {"valid_until_s", a.valid_until_s ? json(*a.valid_until_s) : json(nullptr)},
          {"created_at", r.created_at},
          {"ended_at", r.ended_at.empty() ? json(nullptr) : json(r.ended_at)},
          {"ended_by", r.ended_by},
          {"end_reason", r.end_reason},
          {"in_force", in_force}};
}

json RelationshipJson(const store::CareRelationshipRecord& r) {
  return {{"id", r.id},
          {"user", r.user_name},
          {"agency", r.agency_code},
          {"person_id", r.person_id},
          {"kind", r.kind},
          {"created_at", r.created_at},
          {"created_by", r.created_by},
          {"ended_at", r.ended_at.empty() ? json(nullptr) : json(r.ended_at)},
          {"ended_by", r.ended_by}};
}

json AlertJson(const store::IgAlert& a) {
  const store::BreakGlassGrant& g = a.grant;
  return {{"id", a.id},
          {"kind", a.kind},
          {"agency", a.agency_code},
          {"created_at", a.created_at},
          {"open", g.reviewed_at.empty()},
          {"grant",
           {{"id", g.id},
            {"user", g.user_name},
            {"agency", g.agency_code},
            {"person_id", g.person_id},
            {"reason", g.reason},
            {"granted_at", g.granted_at},
            {"expires_at_s", g.expires_at_s},
            {"reviewed_by", g.reviewed_by},
            {"reviewed_at", g.reviewed_at},
            {"review_outcome", a.review_outcome.empty() ? json(nullptr) : json(a.review_outcome)},
            {"review_note", a.review_note}}}};
}

json RequestJson(const store::ApprovalRequest& r) {
  return {{"id", r.id},
          {"kind", store::ToString(r.kind)},
          {"requested_by", r.requested_by},
          {"subject", r.subject_user},
          {"subject_agency", r.subject_agency},
          {"role", r.role.empty() ? json(nullptr) : json(r.role)},
          {"person_id", r.person_id > 0 ? json(r.person_id) : json(nullptr)},
          {"reason", r.reason},
          {"state", r.state},
          {"created_at", r.created_at},
          {"expires_at_s", r.expires_s},
          {"decided_by", r.decided_by},
          {"decided_at", r.decided_at.empty() ? json(nullptr) : json(r.decided_at)},
          {"decision_note", r.decision_note}};
}

// One half of a one-time enrolment code (120 random bits, 20 characters) and its Argon2id hash.
Result<std::pair<std::string, std::string>> NewCodeHalf(const PasswordHashParams& params) {
  std::string half = RandomToken(15);
  RR_ASSIGN_OR_RETURN(std::string hash, HashPassword(half, params));
  return std::make_pair(std::move(half), std::move(hash));
}

// The approver's half: 120 random bits again, hashed fast (HashRandomSecret), so that an enrolling sign-in
// does one Argon2id verification (the requester's half, the account's password hash), as any sign-in does.
std::pair<std::string, std::string> NewApproverCodeHalf() {
  std::string half = RandomToken(15);
  std::string hash = HashRandomSecret(half);
  return std::make_pair(std::move(half), std::move(hash));
}

// The answer for a request the access layer refused or could not take.
void SendApprovalError(httplib::Response& res, const Status& st) {
  if (st.code() == StatusCode::kConflict || st.code() == StatusCode::kAlreadyExists) {
    return Server::Impl::SendHttpError(res, 409, st.message());
  }
  SendError(res, st);
}

Status LengthBetween(const std::string& value, const char* field, size_t lo, size_t hi) {
  if (value.size() < lo || value.size() > hi) {
    return Status::InvalidArgument(std::string(field) + " must be " + std::to_string(lo) + " to " + std::to_string(hi) +
                                   " characters");
  }
  return Status::Ok();
}

}  // namespace

void Server::Impl::SendHttpError(httplib::Response& res, int http_status, const std::string& message) {
  SendJson(res, http_status, ErrorBodyForHttpStatus(http_status, message));
}

Result<std::map<std::string, std::string>> Server::Impl::ParseOptionalBody(const httplib::Request& req,
                                                                           std::initializer_list<const char*> allowed) {
  if (req.body.empty()) return std::map<std::string, std::string>();
  return ParseBody(req, allowed);
}

// ---------------------------------------------------------------- users (administrator, own agency)

void Server::Impl::UsersList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto users = access::Governance(s).ListAgencyUsers(ViewerFor(u), ActorFor(u, kAdminPurpose));
  if (!users.ok()) return SendError(res, users.status());
  json out = json::array();
  for (const auto& x : *users) out.push_back(UserJson(x));
  SendJson(res, 200, {{"users", out}});
}

void Server::Impl::UserCreate(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& admin = su.user;
  // The agency is the administrator's own: an "agency" (or any other) field is refused, not ignored.
  auto body = ParseBody(req, {"name", "role", "reason"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string name = (*body)["name"];
  if (!ValidUserName(name)) {
    return SendError(res, Status::InvalidArgument(
                              "name is 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
  }
  auto role = ParseRole((*body)["role"]);
  if (!role.ok()) return SendError(res, role.status());
  // Separation of duties: a new account is a request a second administrator or the agency's IG lead
  // approves; the account then enrols with a code of which this administrator holds one half only.
  auto half = NewCodeHalf(options.hash_params);
  if (!half.ok()) return SendError(res, half.status());
  access::Administration administration(s);
  auto r = administration.RequestAccountGrant(ViewerFor(admin), name, *role, (*body)["reason"], half->second, Now(),
                                              ActorFor(admin, kAdminPurpose));
  if (!r.ok()) return SendApprovalError(res, r.status());
  // Shown once: never logged, audited or retrievable again.
  SendJson(res, 202, {{"request", RequestJson(*r)}, {"enrolment_code_part", half->first}});
}

void Server::Impl::UserChange(RouteContext& ctx, bool reset) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& admin = su.user;
  const std::string name = params.Text("name");
  if (reset) {
    // A reset is a request: a second person approves it, and the account must enrol at its next sign-in.
    auto body = ParseOptionalBody(req, {"reason"});
    if (!body.ok()) return SendError(res, body.status());
    auto half = NewCodeHalf(options.hash_params);
    if (!half.ok()) return SendError(res, half.status());
    access::Administration administration(s);
    auto r = administration.RequestCredentialReset(ViewerFor(admin), name, (*body)["reason"], half->second, Now(),
                                                   ActorFor(admin, kAdminPurpose));
    if (!r.ok()) return SendApprovalError(res, r.status());
    return SendJson(res, 202, {{"request", RequestJson(*r)}, {"enrolment_code_part", half->first}});
  }
  auto body = ParseOptionalBody(req, {});
  if (!body.ok()) return SendError(res, body.status());
  Status st = access::Governance(s).DisableAgencyUser(ViewerFor(admin), name, ActorFor(admin, kAdminPurpose));
  if (st.code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "you cannot disable or reset your own account; ask another administrator");
  }
  if (!st.ok()) return SendError(res, st);
  SendJson(res, 200, {{"user", name}, {"disabled", true}, {"sessions_revoked", true}});
}

void Server::Impl::UserRole(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::User& admin = ctx.session->user;
  auto body = ParseBody(ctx.req, {"role", "reason"});
  if (!body.ok()) return SendError(res, body.status());
  auto role = ParseRole((*body)["role"]);
  if (!role.ok()) return SendError(res, role.status());
  // A role change (a promotion above all) is a request like a reset: approved, the account also enrols anew.
  auto half = NewCodeHalf(options.hash_params);
  if (!half.ok()) return SendError(res, half.status());
  access::Administration administration(s);
  auto r = administration.RequestRoleChange(ViewerFor(admin), ctx.params.Text("name"), *role, (*body)["reason"],
                                            half->second, Now(), ActorFor(admin, kAdminPurpose));
  if (!r.ok()) return SendApprovalError(res, r.status());
  SendJson(res, 202, {{"request", RequestJson(*r)}, {"enrolment_code_part", half->first}});
}

// ---------------------------------------------------------------- sharing agreements

void Server::Impl::AgreementsList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  // Every role sees the agreements its own agency is a party to (organisational facts, no personal data).
  auto list = access::Governance(s).ListSharingAgreements(su.user.agency_code);
  if (!list.ok()) return SendError(res, list.status());
  const int64_t now = Now();
  json out = json::array();
  for (const auto& a : *list) out.push_back(AgreementJson(a, now));
  SendJson(res, 200, {{"agreements", out}});
}

void Server::Impl::AgreementCreate(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto body =
      ParseBody(req, {"provider_agency", "recipient_agency", "data_class", "purpose", "lawful_basis", "valid_until"});
  if (!body.ok()) return SendError(res, body.status());
  auto& b = *body;
  store::SharingAgreement a;
  a.provider_agency = b["provider_agency"];
  a.recipient_agency = b["recipient_agency"];
  a.data_class = b["data_class"];
  a.purpose = b["purpose"];
  a.lawful_basis = b["lawful_basis"];
  static const std::regex data_class("\\*|[a-z0-9_]{1,64}");
  if (!std::regex_match(a.data_class, data_class)) {
    return SendError(res, Status::InvalidArgument("data_class is '*' or a record class (a-z, 0-9, _)"));
  }
  if (Status st = LengthBetween(a.purpose, "purpose", 3, 500); !st.ok()) return SendError(res, st);
  if (Status st = LengthBetween(a.lawful_basis, "lawful_basis", 3, 500); !st.ok()) return SendError(res, st);
  const int64_t now = Now();
  if (!b["valid_until"].empty()) {
    auto date = Date::ParseIso(b["valid_until"]);
    if (!date.ok()) return SendError(res, Status::InvalidArgument("valid_until is a date, YYYY-MM-DD"));
    a.valid_until_s = (static_cast<int64_t>(date->days()) + 1) * 86400;  // to the end of that day, UTC
    if (*a.valid_until_s <= now) return SendError(res, Status::InvalidArgument("valid_until must be in the future"));
  }
  auto agencies = s.ListAgencies();
  if (!agencies.ok()) return SendError(res, agencies.status());
  bool recipient_known = false;
  for (const Agency& ag : *agencies) recipient_known = recipient_known || ag.code == a.recipient_agency;
  if (!recipient_known || a.recipient_agency == a.provider_agency) {
    return SendError(res, Status::InvalidArgument("recipient_agency must be another registered agency"));
  }
  // Record level: an IG lead shares only their own agency's records.
  if (a.provider_agency != u.agency_code) {
    if (Status st = AuditRefusal(s, u, "sharing_agreement_add", "agency:" + a.provider_agency.substr(0, 64));
        !st.ok()) {
      return SendError(res, st);
    }
    return SendError(res, Status::PermissionDenied("you may only share your own agency's records"));
  }
  auto existing = access::Governance(s).ListSharingAgreements(u.agency_code);
  if (!existing.ok()) return SendError(res, existing.status());
  for (const auto& e : *existing) {
    const auto& x = e.agreement;
    const bool in_force = e.ended_at.empty() && (!x.valid_until_s || *x.valid_until_s > now);
    if (in_force && x.provider_agency == a.provider_agency && x.recipient_agency == a.recipient_agency &&
        x.data_class == a.data_class) {
      return SendHttpError(res, 409, "an agreement for that recipient and data class is already in force");
    }
  }
  auto id = s.AddSharingAgreement(a, ActorFor(u, kIgPurpose));
  if (!id.ok()) return SendError(res, id.status());
  auto list = access::Governance(s).ListSharingAgreements(u.agency_code);
  if (!list.ok()) return SendError(res, list.status());
  for (const auto& e : *list) {
    if (e.agreement.id == *id) return SendJson(res, 201, AgreementJson(e, now));
  }
  SendError(res, Status::Internal("the new agreement was not found"));
}

void Server::Impl::AgreementEnd(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto id = params.Id("id", "agreement");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(req, {"reason"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string reason = (*body)["reason"];
  if (Status st = LengthBetween(reason, "reason", 10, 2000); !st.ok()) return SendError(res, st);
  const int64_t now = Now();
  auto ended = access::Governance(s).EndSharingAgreement(*id, u.agency_code, reason, now, ActorFor(u, kIgPurpose));
  if (!ended.ok() && ended.status().code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "the agreement has already ended");
  }
  if (!ended.ok()) return SendError(res, ended.status());
  SendJson(res, 200, AgreementJson(*ended, now));
}

// ---------------------------------------------------------------- care relationships (manager)

void Server::Impl::RelationshipsList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto id = params.Id("id", "child");
  if (!id.ok()) return SendError(res, id.status());
  auto list = access::Governance(s).ListCareRelationships(ViewerFor(u), *id, Now(), ActorFor(u, kCasePurpose));
  if (!list.ok()) return SendError(res, list.status());
  json out = json::array();
  for (const auto& r : *list) out.push_back(RelationshipJson(r));
  SendJson(res, 200, {{"relationships", out}});
}

void Server::Impl::RelationshipCreate(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto id = params.Id("id", "child");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(req, {"user", "kind", "reason"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string user = (*body)["user"], kind = (*body)["kind"];
  if (kind != "allocated_case" && kind != "mase_listing") {
    return SendError(res, Status::InvalidArgument("kind is allocated_case or mase_listing"));
  }
  if (!ValidUserName(user)) return SendError(res, Status::InvalidArgument("user is a user name"));
  // Separation of duties: the relationship is a request that an IG lead or a manager of an agency holding
  // records on the child approves (never the requester, never the user it is for).
  access::Administration administration(s);
  auto r = administration.RequestRelationship(
      ViewerFor(u), *id, user,
      kind == "mase_listing" ? store::ApprovalKind::kMaseListing : store::ApprovalKind::kCareRelationship,
      (*body)["reason"], Now(), ActorFor(u, kCasePurpose));
  if (!r.ok()) return SendApprovalError(res, r.status());
  SendJson(res, 202, {{"request", RequestJson(*r)}});
}

void Server::Impl::RelationshipEnd(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto id = params.Id("id", "child");
  if (!id.ok()) return SendError(res, id.status());
  auto rid = params.Id("relationship", "relationship");
  if (!rid.ok()) return SendError(res, rid.status());
  auto r = access::Governance(s).EndCareRelationship(ViewerFor(u), *id, *rid, Now(), ActorFor(u, kCasePurpose));
  if (!r.ok() && r.status().code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "the relationship has already ended");
  }
  if (!r.ok()) return SendError(res, r.status());
  SendJson(res, 200, RelationshipJson(*r));
}

// ---------------------------------------------------------------- IG alerts, break-glass review

void Server::Impl::AlertsList(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  const std::string all = QueryText(req, "all");
  if (!all.empty() && all != "0" && all != "1") return SendError(res, Status::InvalidArgument("all is 0 or 1"));
  auto alerts = access::Governance(s).ListIgAlerts(ViewerFor(u), all != "1", ActorFor(u, kIgPurpose));
  if (!alerts.ok()) return SendError(res, alerts.status());
  json out = json::array();
  for (const auto& a : *alerts) out.push_back(AlertJson(a));
  SendJson(res, 200, {{"alerts", out}});
}

void Server::Impl::BreakGlassReview(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& u = su.user;
  auto id = params.Id("id", "break-glass grant");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(req, {"outcome", "note"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string outcome = (*body)["outcome"], note = (*body)["note"];
  if (outcome != "appropriate" && outcome != "inappropriate") {
    return SendError(res, Status::InvalidArgument("outcome is 'appropriate' or 'inappropriate'"));
  }
  if (Status st = LengthBetween(note, "note", 10, 2000); !st.ok()) return SendError(res, st);
  auto reviewed = access::Governance(s).ReviewBreakGlass(ViewerFor(u), *id, outcome, note, ActorFor(u, kIgPurpose));
  if (!reviewed.ok() && reviewed.status().code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "the grant has already been reviewed");
  }
  if (!reviewed.ok()) return SendError(res, reviewed.status());
  SendJson(res, 200, AlertJson(*reviewed));
}

// ---------------------------------------------------------------- approval requests

void Server::Impl::ApprovalsList(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const store::User& u = ctx.session->user;
  const std::string all = QueryText(req, "all");
  if (!all.empty() && all != "0" && all != "1") return SendError(res, Status::InvalidArgument("all is 0 or 1"));
  access::Administration administration(*ctx.store);
  auto list = administration.ListRequests(ViewerFor(u), all != "1", Now(), ActorFor(u, kAdminPurpose));
  if (!list.ok()) return SendError(res, list.status());
  json out = json::array();
  for (const auto& r : *list) out.push_back(RequestJson(r));
  SendJson(res, 200, {{"requests", out}});
}

void Server::Impl::ApprovalDecide(RouteContext& ctx, bool approve) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const store::User& u = ctx.session->user;
  auto id = ctx.params.Id("id", "request");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(req, {"note"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string note = (*body)["note"];
  access::Administration administration(*ctx.store);
  if (!approve) {
    auto r = administration.Reject(ViewerFor(u), *id, note, Now(), ActorFor(u, kAdminPurpose));
    if (!r.ok()) return SendApprovalError(res, r.status());
    return SendJson(res, 200, {{"request", RequestJson(*r)}});
  }
  // The approver's half of the enrolment code (used by account grants and resets) and an unseen TOTP secret the
  // account holds until it enrols its own.
  const auto half = NewApproverCodeHalf();
  const access::ApprovalMaterial material{half.second, NewTotpSecret()};
  auto r = administration.Approve(ViewerFor(u), *id, note, material, Now(), ActorFor(u, kAdminPurpose));
  if (!r.ok()) return SendApprovalError(res, r.status());
  json out = {{"request", RequestJson(*r)}};
  if (r->kind == store::ApprovalKind::kAccountGrant || r->kind == store::ApprovalKind::kRoleChange ||
      r->kind == store::ApprovalKind::kCredentialReset) {
    out["enrolment_code_part"] = half.first;  // shown once, to the approver only
  }
  SendJson(res, 200, out);
}

void Server::Impl::ApprovalWithdraw(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const store::User& u = ctx.session->user;
  auto id = ctx.params.Id("id", "request");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseOptionalBody(req, {});
  if (!body.ok()) return SendError(res, body.status());
  access::Administration administration(*ctx.store);
  auto r = administration.Withdraw(ViewerFor(u), *id, Now(), ActorFor(u, kAdminPurpose));
  if (!r.ok()) return SendApprovalError(res, r.status());
  SendJson(res, 200, {{"request", RequestJson(*r)}});
}

}  // namespace riskradar::server

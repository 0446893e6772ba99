// Administration: users of the administrator's own agency, sharing agreements (the providing agency's IG
// lead creates them, either party's IG lead ends them), care relationships (a manager allocates users of their
// own agency), IG alerts and the review of break-glass grants. Function level here; record level in the store.
#include <regex>

#include "api.h"
#include "query_params.h"
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

// A generated password that meets the policy (it never contains the user name), and its Argon2id hash.
Result<std::pair<std::string, std::string>> NewCredentials(const std::string& user_name,
                                                           const PasswordHashParams& params) {
  RR_ASSIGN_OR_RETURN(auto policy, PasswordPolicy::LoadDefault());
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string password = RandomToken(20);  // 160 bits
    if (!policy.Check(password, user_name).ok()) continue;
    RR_ASSIGN_OR_RETURN(std::string hash, HashPassword(password, params));
    return std::make_pair(std::move(password), std::move(hash));
  }
  return Status::Internal("could not generate a password that meets the policy");
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
  auto users = s.ListAgencyUsers(u.agency_code, ActorFor(u, kAdminPurpose));
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
  auto body = ParseBody(req, {"name", "role"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string name = (*body)["name"];
  if (!ValidUserName(name)) {
    return SendError(res, Status::InvalidArgument(
                              "name is 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"));
  }
  auto role = ParseRole((*body)["role"]);
  if (!role.ok()) return SendError(res, role.status());
  auto creds = NewCredentials(name, options.hash_params);
  if (!creds.ok()) return SendError(res, creds.status());
  store::User nu;
  nu.name = name;
  nu.agency_code = admin.agency_code;
  nu.role = *role;
  nu.password_hash = creds->second;
  nu.totp_secret = NewTotpSecret();
  auto id = s.AddUser(nu, ActorFor(admin, kAdminPurpose));
  if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists) {
    return SendHttpError(res, 409, "a user of that name already exists (names are unique in the partnership)");
  }
  if (!id.ok()) return SendError(res, id.status());
  auto stored = s.FindUser(name);
  json user = {{"name", name}, {"agency", nu.agency_code}, {"role", ToString(nu.role)}, {"disabled", false}};
  if (stored.ok() && stored->has_value()) user = UserJson(**stored);
  // Shown once: neither is logged, audited or retrievable again (a lost one means a reset).
  SendJson(res, 201,
           {{"user", user},
            {"password", creds->first},
            {"totp_secret", nu.totp_secret},
            {"totp_uri", TotpUri(name, nu.totp_secret)}});
}

void Server::Impl::UserChange(RouteContext& ctx, bool reset) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  const PathParams& params = ctx.params;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  const store::User& admin = su.user;
  const std::string name = params.Text("name");
  auto body = ParseOptionalBody(req, {});
  if (!body.ok()) return SendError(res, body.status());
  store::UserChange change;
  change.kind = reset ? store::UserChange::Kind::kReset : store::UserChange::Kind::kDisable;
  std::string password;
  if (reset) {
    auto creds = NewCredentials(name, options.hash_params);
    if (!creds.ok()) return SendError(res, creds.status());
    password = creds->first;
    change.password_hash = creds->second;
    change.totp_secret = NewTotpSecret();
  }
  Status st = s.AdministerUser(ViewerFor(admin), name, change, ActorFor(admin, kAdminPurpose));
  if (st.code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "you cannot disable or reset your own account; ask another administrator");
  }
  if (!st.ok()) return SendError(res, st);
  json out = {{"user", name}, {"disabled", !reset}, {"sessions_revoked", true}};
  if (reset) {
    out["password"] = password;
    out["totp_secret"] = change.totp_secret;
    out["totp_uri"] = TotpUri(name, change.totp_secret);
  }
  SendJson(res, 200, out);
}

// ---------------------------------------------------------------- sharing agreements

void Server::Impl::AgreementsList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  // Every role sees the agreements its own agency is a party to (organisational facts, no personal data).
  auto list = s.ListSharingAgreements(su.user.agency_code);
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
    AuditRefusal(s, u, "sharing_agreement_add", "agency:" + a.provider_agency.substr(0, 64));
    return SendError(res, Status::PermissionDenied("you may only share your own agency's records"));
  }
  auto existing = s.ListSharingAgreements(u.agency_code);
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
  auto list = s.ListSharingAgreements(u.agency_code);
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
  auto ended = s.EndSharingAgreement(*id, u.agency_code, reason, now, ActorFor(u, kIgPurpose));
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
  auto list = s.ListCareRelationships(ViewerFor(u), *id, Now(), ActorFor(u, kCasePurpose));
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
  auto body = ParseBody(req, {"user", "kind"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string user = (*body)["user"], kind = (*body)["kind"];
  if (kind != "allocated_case" && kind != "mase_listing") {
    return SendError(res, Status::InvalidArgument("kind is allocated_case or mase_listing"));
  }
  if (!ValidUserName(user)) return SendError(res, Status::InvalidArgument("user is a user name"));
  auto r = s.AllocateCareRelationship(ViewerFor(u), *id, user, kind, Now(), ActorFor(u, kCasePurpose));
  if (!r.ok() && r.status().code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "that relationship is already current");
  }
  if (!r.ok()) return SendError(res, r.status());
  SendJson(res, 201, RelationshipJson(*r));
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
  auto r = s.EndCareRelationship(ViewerFor(u), *id, *rid, Now(), ActorFor(u, kCasePurpose));
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
  auto alerts = s.ListIgAlerts(u.agency_code, all != "1", ActorFor(u, kIgPurpose));
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
  auto reviewed = s.ReviewBreakGlass(*id, u.agency_code, outcome, note, ActorFor(u, kIgPurpose));
  if (!reviewed.ok() && reviewed.status().code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "the grant has already been reviewed");
  }
  if (!reviewed.ok()) return SendError(res, reviewed.status());
  SendJson(res, 200, AlertJson(*reviewed));
}

}  // namespace riskradar::server

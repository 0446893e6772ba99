// Administration: approval requests and their rule, enrolment (see access/administration.h).
#include "riskradar/access/administration.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "riskradar/access/audited_access.h"

#include "audit_event.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;

using internal::Event;

std::string RequestTarget(int64_t id) { return "approval:" + std::to_string(id); }

bool IsRelationship(store::ApprovalKind kind) {
  return kind == store::ApprovalKind::kCareRelationship || kind == store::ApprovalKind::kMaseListing;
}

// What an audit event says about a request: never a hash or a code.
json Summary(const store::ApprovalRequest& r) {
  json j = {{"kind", store::ToString(r.kind)}, {"requested_by", r.requested_by}, {"subject", r.subject_user}};
  if (r.person_id > 0) j["person"] = r.person_id;
  if (!r.role.empty()) j["role"] = r.role;
  return j;
}

// The audit outcome of a refusal, and the status its caller gets.
std::pair<const char*, Status> Refusal(ApprovalVerdict verdict) {
  switch (verdict) {
    case ApprovalVerdict::kNotInScope:
      return {"refused", Status::NotFound("no such request")};
    case ApprovalVerdict::kOwnRequest:
      return {"own_request", Status::PermissionDenied("you cannot decide your own request; another authorised "
                                                      "person must")};
    case ApprovalVerdict::kBeneficiary:
      return {"beneficiary",
              Status::PermissionDenied("you cannot decide a request that gives you access or credentials")};
    case ApprovalVerdict::kNotPending:
      return {"not_pending", Status::Conflict("the request is no longer pending")};
    case ApprovalVerdict::kExpired:
      return {"expired", Status::Conflict("the request has expired; ask again")};
    case ApprovalVerdict::kApprove:
      break;
  }
  return {"refused", Status::Internal("not a refusal")};
}

Status CheckReason(const std::string& reason, const char* field) {
  const size_t n = reason.find_first_not_of(" \t\r\n") == std::string::npos ? 0 : reason.size();
  if (n < 10 || n > 2000) return Status::InvalidArgument(std::string(field) + " must be 10 to 2000 characters");
  return Status::Ok();
}

}  // namespace

std::string_view ToString(ApprovalVerdict verdict) {
  switch (verdict) {
    case ApprovalVerdict::kApprove:
      return "approve";
    case ApprovalVerdict::kNotInScope:
      return "not_in_scope";
    case ApprovalVerdict::kOwnRequest:
      return "own_request";
    case ApprovalVerdict::kBeneficiary:
      return "beneficiary";
    case ApprovalVerdict::kNotPending:
      return "not_pending";
    case ApprovalVerdict::kExpired:
      return "expired";
  }
  return "not_in_scope";
}

bool ApproverInScope(const Viewer& viewer, const ApprovalFacts& facts) {
  if (IsRelationship(facts.kind)) {
    if (viewer.role != Role::kIgLead && viewer.role != Role::kManager) return false;
    return std::find(facts.child_agencies.begin(), facts.child_agencies.end(), viewer.agency_code) !=
           facts.child_agencies.end();
  }
  if (viewer.role != Role::kAdministrator && viewer.role != Role::kIgLead) return false;
  return viewer.agency_code == facts.subject_agency;
}

ApprovalVerdict DecideApproval(const Viewer& approver, const ApprovalFacts& facts) {
  const bool requester = approver.user_name == facts.requested_by;
  const bool beneficiary = approver.user_name == facts.subject_user;
  // Someone who neither may approve nor is party to the request learns nothing about it.
  if (!requester && !beneficiary && !ApproverInScope(approver, facts)) return ApprovalVerdict::kNotInScope;
  if (requester) return ApprovalVerdict::kOwnRequest;
  if (beneficiary) return ApprovalVerdict::kBeneficiary;
  if (facts.state != "pending") return ApprovalVerdict::kNotPending;
  if (facts.expired) return ApprovalVerdict::kExpired;
  return ApprovalVerdict::kApprove;
}

bool MayListRequest(const Viewer& viewer, const ApprovalFacts& facts) {
  return viewer.user_name == facts.requested_by || ApproverInScope(viewer, facts);
}

Result<ApprovalFacts> Administration::FactsFor(const store::ApprovalRequest& r, int64_t now_s) {
  ApprovalFacts f;
  f.kind = r.kind;
  f.requested_by = r.requested_by;
  f.subject_user = r.subject_user;
  f.subject_agency = r.subject_agency;
  f.state = r.state;
  f.expired = r.state == "pending" && now_s >= r.expires_s;
  if (IsRelationship(r.kind)) {
    RR_ASSIGN_OR_RETURN(f.child_agencies, store_.ReadPersonAgencies(r.person_id));
  }
  return f;
}

Result<store::ApprovalRequest> Administration::Insert(store::UnitOfWork& unit, store::ApprovalRequest request,
                                                      const store::Actor& actor) {
  auto id = store_.InsertApprovalRequest(request);
  if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists) {
    RR_RETURN_IF_ERROR(unit.AppendAudit(
        Event(actor, "approval_request", "user:" + request.subject_user, Summary(request), "already_pending")));
    RR_RETURN_IF_ERROR(unit.Commit());
    return Status::Conflict("the same request is already pending");
  }
  if (!id.ok()) return id.status();
  request.id = *id;
  json details = Summary(request);
  details["reason"] = request.reason;
  RR_RETURN_IF_ERROR(unit.AppendAudit(Event(actor, "approval_request", RequestTarget(*id), details, "ok")));
  RR_ASSIGN_OR_RETURN(auto stored, store_.FindApprovalRequest(*id));
  RR_RETURN_IF_ERROR(unit.Commit());
  if (!stored) return Status::Internal("request vanished inside its own unit of work");
  return std::move(*stored);
}

Result<store::ApprovalRequest> Administration::RequestRelationship(const Viewer& manager, int64_t person_id,
                                                                   std::string_view user_name, store::ApprovalKind kind,
                                                                   const std::string& reason, int64_t now_s,
                                                                   const store::Actor& actor) {
  if (!IsRelationship(kind)) return Status::InvalidArgument("kind is allocated_case or mase_listing");
  RR_RETURN_IF_ERROR(CheckReason(reason, "reason"));
  const std::string target = internal::PersonTarget(person_id);
  const json asked = {{"user", user_name}, {"kind", store::ToString(kind)}};
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* outcome, Status answer) -> Status {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "approval_request", target, asked, outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  // The manager must be able to see the child now (the same rule and filter as the child view).
  RR_ASSIGN_OR_RETURN(const std::optional<store::ChildRecord> record, store_.ReadChildRecord(person_id));
  if (!record) return refuse("not_found", Status::NotFound("no such child"));
  RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(manager, person_id, now_s));
  if (!FilterChildView(*record, manager, facts)) return refuse("refused", Status::NotFound("no such child"));
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> user, store_.FindUser(user_name));
  const bool eligible = user && user->agency_code == manager.agency_code && !user->disabled && !user->must_enrol &&
                        (user->role == Role::kPractitioner || user->role == Role::kManager);
  if (!eligible) {
    return refuse("invalid_user",
                  Status::InvalidArgument("no active practitioner or manager of that name in your agency"));
  }
  store::ApprovalRequest r;
  r.kind = kind;
  r.requested_by = manager.user_name;
  r.requester_agency = manager.agency_code;
  r.subject_user = user->name;
  r.subject_agency = user->agency_code;
  r.role = std::string(ToString(user->role));
  r.person_id = person_id;
  r.reason = reason;
  r.created_s = now_s;
  r.expires_s = now_s + kApprovalTtlS;
  return Insert(*unit, std::move(r), actor);
}

Result<store::ApprovalRequest> Administration::RequestAccountGrant(const Viewer& admin, const std::string& name,
                                                                   Role role, const std::string& reason,
                                                                   const std::string& enrol_part_hash, int64_t now_s,
                                                                   const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckReason(reason, "reason"));
  if (enrol_part_hash.empty()) return Status::InvalidArgument("an account grant needs the requester's code half");
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> existing, store_.FindUser(name));
  if (existing) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "approval_request", "user:" + name, {{"kind", "account_grant"}}, "already_exists")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::AlreadyExists("a user of that name already exists (names are unique in the partnership)");
  }
  store::ApprovalRequest r;
  r.kind = store::ApprovalKind::kAccountGrant;
  r.requested_by = admin.user_name;
  r.requester_agency = admin.agency_code;
  r.subject_user = name;
  r.subject_agency = admin.agency_code;
  r.role = std::string(ToString(role));
  r.reason = reason;
  r.enrol_part_hash = enrol_part_hash;
  r.created_s = now_s;
  r.expires_s = now_s + kApprovalTtlS;
  return Insert(*unit, std::move(r), actor);
}

Result<store::ApprovalRequest> Administration::RequestCredentialReset(const Viewer& admin, std::string_view name,
                                                                      const std::string& reason,
                                                                      const std::string& enrol_part_hash, int64_t now_s,
                                                                      const store::Actor& actor) {
  return RequestForAccount(admin, name, std::nullopt, reason, enrol_part_hash, now_s, actor);
}

Result<store::ApprovalRequest> Administration::RequestRoleChange(const Viewer& admin, std::string_view name, Role role,
                                                                 const std::string& reason,
                                                                 const std::string& enrol_part_hash, int64_t now_s,
                                                                 const store::Actor& actor) {
  return RequestForAccount(admin, name, role, reason, enrol_part_hash, now_s, actor);
}

Result<store::ApprovalRequest> Administration::RequestForAccount(const Viewer& admin, std::string_view name,
                                                                 std::optional<Role> role, const std::string& reason,
                                                                 const std::string& enrol_part_hash, int64_t now_s,
                                                                 const store::Actor& actor) {
  if (enrol_part_hash.empty()) return Status::InvalidArgument("a reset needs the requester's code half");
  const std::string target = "user:" + std::string(name);
  const char* action = role ? "user_role" : "user_reset";
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* outcome, Status answer) -> Status {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, action, target, json::object(), outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> user, store_.FindUser(name));
  if (!user) return refuse("not_found", Status::NotFound("no such user"));
  if (user->agency_code != admin.agency_code) return refuse("refused", Status::NotFound("no such user"));
  if (user->id == admin.user_id) {
    return refuse("refused",
                  Status::Conflict("you cannot disable or reset your own account; ask another administrator"));
  }
  // Checked after the lookups, so a foreign or missing name answers the same whatever the body says.
  if (Status st = CheckReason(reason, "reason"); !st.ok()) return st;
  if (role && *role == user->role) return Status::InvalidArgument("role: the account already has that role");
  store::ApprovalRequest r;
  r.kind = role ? store::ApprovalKind::kRoleChange : store::ApprovalKind::kCredentialReset;
  r.requested_by = admin.user_name;
  r.requester_agency = admin.agency_code;
  r.subject_user = user->name;
  r.subject_agency = user->agency_code;
  r.role = std::string(ToString(role ? *role : user->role));
  r.reason = reason;
  r.enrol_part_hash = enrol_part_hash;
  r.created_s = now_s;
  r.expires_s = now_s + kApprovalTtlS;
  return Insert(*unit, std::move(r), actor);
}

Result<std::vector<store::ApprovalRequest>> Administration::ListRequests(const Viewer& viewer, bool pending_only,
                                                                         int64_t now_s, const store::Actor& actor) {
  return List(&viewer, pending_only, now_s, actor);
}

Result<std::vector<store::ApprovalRequest>> Administration::ListAllRequests(bool pending_only, int64_t now_s,
                                                                            const store::Actor& actor) {
  return List(nullptr, pending_only, now_s, actor);
}

Result<std::vector<store::ApprovalRequest>> Administration::List(const Viewer* viewer, bool pending_only, int64_t now_s,
                                                                 const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::vector<store::ApprovalRequest> all, store_.ListApprovalRequests(pending_only));
  std::vector<store::ApprovalRequest> out;
  json ids = json::array();
  for (store::ApprovalRequest& r : all) {
    RR_ASSIGN_OR_RETURN(const ApprovalFacts facts, FactsFor(r, now_s));
    if (viewer != nullptr && !MayListRequest(*viewer, facts)) continue;
    if (facts.expired) r.state = "expired";  // shown as it will be decided
    ids.push_back(r.id);
    out.push_back(std::move(r));
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "list_approvals", "approvals",
            {{"requests", ids}, {"pending_only", pending_only}, {"scope", viewer ? "own" : "all"}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::ApprovalRequest> Administration::Decide(const Viewer& approver, int64_t id, const std::string& note,
                                                      bool approve, const ApprovalMaterial& material, int64_t now_s,
                                                      const store::Actor& actor) {
  const char* action = approve ? "approval_approve" : "approval_reject";
  const std::string target = RequestTarget(id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* outcome, json details, Status answer) -> Status {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, action, target, details, outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  RR_ASSIGN_OR_RETURN(const std::optional<store::ApprovalRequest> found, store_.FindApprovalRequest(id));
  if (!found) return refuse("not_found", json::object(), Status::NotFound("no such request"));
  RR_ASSIGN_OR_RETURN(const ApprovalFacts facts, FactsFor(*found, now_s));
  const ApprovalVerdict verdict = DecideApproval(approver, facts);
  if (verdict != ApprovalVerdict::kApprove) {
    if (verdict == ApprovalVerdict::kExpired) {
      RR_ASSIGN_OR_RETURN(bool lapsed, store_.SetApprovalState(id, "pending", "expired", "", "expired unanswered"));
      (void)lapsed;
    }
    auto [outcome, answer] = Refusal(verdict);
    json details = verdict == ApprovalVerdict::kNotInScope ? json::object() : Summary(*found);
    return refuse(outcome, details, answer);
  }
  if (Status st = CheckReason(note, "note"); !st.ok()) return st;
  // Compare-and-set: of two decisions racing, the second finds the request decided (and applies nothing).
  RR_ASSIGN_OR_RETURN(
      bool won, store_.SetApprovalState(id, "pending", approve ? "approved" : "rejected", approver.user_name, note));
  if (!won) return refuse("not_pending", Summary(*found), Status::Conflict("the request is no longer pending"));
  json details = Summary(*found);
  details["note"] = note;
  if (approve) {
    switch (found->kind) {
      case store::ApprovalKind::kCareRelationship:
      case store::ApprovalKind::kMaseListing: {
        RR_ASSIGN_OR_RETURN(const std::optional<store::User> user, store_.FindUser(found->subject_user));
        if (!user || user->disabled) {
          return Status::FailedPrecondition("the account the request names is no longer active");
        }
        const char* kind = found->kind == store::ApprovalKind::kMaseListing ? "mase_listing" : "allocated_case";
        RR_ASSIGN_OR_RETURN(int64_t rel,
                            store_.InsertCareRelationship(user->id, found->person_id, kind, found->requested_by));
        details["relationship"] = rel;  // 0: the same relationship was already current
        break;
      }
      case store::ApprovalKind::kAccountGrant: {
        if (material.enrol_hash.empty() || material.totp_secret.empty()) {
          return Status::InvalidArgument("an account grant needs the approver's code half");
        }
        auto role = ParseRole(found->role);
        if (!role.ok()) return role.status();
        store::User u;
        u.name = found->subject_user;
        u.agency_code = found->subject_agency;
        u.role = *role;
        u.password_hash = found->enrol_part_hash;
        u.enrol_hash = material.enrol_hash;
        u.totp_secret = material.totp_secret;
        auto added = store_.InsertEnrollingUser(u);
        if (!added.ok() && added.status().code() == StatusCode::kAlreadyExists) {
          return Status::Conflict("a user of that name was created meanwhile");  // unit abandoned: nothing applied
        }
        if (!added.ok()) return added.status();
        details["must_enrol"] = true;
        break;
      }
      case store::ApprovalKind::kRoleChange:
      case store::ApprovalKind::kCredentialReset: {
        if (material.enrol_hash.empty() || material.totp_secret.empty()) {
          return Status::InvalidArgument("a reset needs the approver's code half");
        }
        RR_ASSIGN_OR_RETURN(const std::optional<store::User> user, store_.FindUser(found->subject_user));
        if (!user) return Status::FailedPrecondition("the account the request names no longer exists");
        if (found->kind == store::ApprovalKind::kRoleChange) {
          auto role = ParseRole(found->role);
          if (!role.ok()) return role.status();
          RR_RETURN_IF_ERROR(store_.SetUserRole(user->id, *role));
          details["role_before"] = std::string(ToString(user->role));
        }
        RR_RETURN_IF_ERROR(
            store_.ResetToEnrolment(user->id, found->enrol_part_hash, material.enrol_hash, material.totp_secret));
        details["must_enrol"] = true;
        details["sessions_revoked"] = true;
        break;
      }
    }
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, action, target, details, "ok")));
  RR_ASSIGN_OR_RETURN(const std::optional<store::ApprovalRequest> after, store_.FindApprovalRequest(id));
  RR_RETURN_IF_ERROR(unit->Commit());
  if (!after) return Status::Internal("request vanished inside its own unit of work");
  return *after;
}

Result<store::ApprovalRequest> Administration::Approve(const Viewer& approver, int64_t id, const std::string& note,
                                                       const ApprovalMaterial& material, int64_t now_s,
                                                       const store::Actor& actor) {
  return Decide(approver, id, note, true, material, now_s, actor);
}

Result<store::ApprovalRequest> Administration::Reject(const Viewer& approver, int64_t id, const std::string& note,
                                                      int64_t now_s, const store::Actor& actor) {
  return Decide(approver, id, note, false, {}, now_s, actor);
}

Result<store::ApprovalRequest> Administration::Withdraw(const Viewer& requester, int64_t id, int64_t now_s,
                                                        const store::Actor& actor) {
  (void)now_s;
  const std::string target = RequestTarget(id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* outcome, Status answer) -> Status {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "approval_withdraw", target, json::object(), outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  RR_ASSIGN_OR_RETURN(const std::optional<store::ApprovalRequest> found, store_.FindApprovalRequest(id));
  if (!found) return refuse("not_found", Status::NotFound("no such request"));
  if (found->requested_by != requester.user_name) return refuse("refused", Status::NotFound("no such request"));
  RR_ASSIGN_OR_RETURN(bool won, store_.SetApprovalState(id, "pending", "withdrawn", requester.user_name, ""));
  if (!won) return refuse("not_pending", Status::Conflict("the request is no longer pending"));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "approval_withdraw", target, Summary(*found), "ok")));
  RR_ASSIGN_OR_RETURN(const std::optional<store::ApprovalRequest> after, store_.FindApprovalRequest(id));
  RR_RETURN_IF_ERROR(unit->Commit());
  if (!after) return Status::Internal("request vanished inside its own unit of work");
  return *after;
}

Status Administration::BootstrapFirstAdministrator(const store::User& user, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const std::vector<store::UserRoleCount> counts, store_.CountUsersByRole());
  const std::string target = "user:" + user.name;
  if (!counts.empty() || user.role != Role::kAdministrator) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "user_add", target, {{"bootstrap", "init"}}, "refused")));
    RR_RETURN_IF_ERROR(unit->Commit());
    if (user.role != Role::kAdministrator) {
      return Status::InvalidArgument("the first account made by init is an administrator");
    }
    return Status::FailedPrecondition(
        "the store already has accounts: init makes only the first administrator (later ones: POST /api/users "
        "and a second person's approval)");
  }
  RR_ASSIGN_OR_RETURN(const int64_t id, store_.InsertEnrollingUser(user));
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "user_add", target,
            {{"bootstrap", "init"}, {"id", id}, {"role", ToString(user.role)}, {"must_enrol", true}}, "ok")));
  return unit->Commit();
}

Status Administration::BeginEnrolment(const store::User& user, const std::string& totp_secret,
                                      const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_RETURN_IF_ERROR(store_.SetEnrolmentTotp(user.id, totp_secret));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "enrol_start", "user:" + user.name, json::object(), "ok")));
  return unit->Commit();
}

Status Administration::CompleteEnrolment(const store::User& user, const std::string& password_hash, int64_t totp_step,
                                         const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_RETURN_IF_ERROR(store_.CompleteEnrolment(user.id, password_hash, totp_step));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "enrol", "user:" + user.name, {{"sessions_revoked", true}}, "ok")));
  return unit->Commit();
}

}  // namespace riskradar::access

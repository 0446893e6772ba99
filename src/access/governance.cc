// Governance: accounts, sharing agreements, care relationships, IG alerts and break-glass review on the
// access-and-audit path (see access/governance.h).
#include "riskradar/access/governance.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <utility>

#include "riskradar/access/directory_filters.h"

#include "audit_event.h"
#include "stand_in.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;

using internal::Event;
using internal::PersonTarget;

// The audit outcome of a refusal.
const char* RefusalOutcome(GovernanceVerdict verdict, const char* already) {
  switch (verdict) {
    case GovernanceVerdict::kNotFound:
      return "not_found";
    case GovernanceVerdict::kAlreadyDone:
      return already;
    case GovernanceVerdict::kRefused:
    case GovernanceVerdict::kSelf:
    case GovernanceVerdict::kAllow:
      break;
  }
  return "refused";
}

}  // namespace

std::string_view ToString(GovernanceVerdict verdict) {
  switch (verdict) {
    case GovernanceVerdict::kAllow:
      return "allow";
    case GovernanceVerdict::kNotFound:
      return "not_found";
    case GovernanceVerdict::kRefused:
      return "refused";
    case GovernanceVerdict::kSelf:
      return "self";
    case GovernanceVerdict::kAlreadyDone:
      return "already_done";
  }
  return "refused";
}

// ---------------------------------------------------------------- the pure rules

std::vector<store::User> UsersOfAgency(const std::vector<store::User>& rows, std::string_view agency) {
  std::vector<store::User> out;
  for (const store::User& row : rows) {
    if (!agency.empty() && row.agency_code != agency) continue;
    store::User u = row;
    u.password_hash.clear();
    u.totp_secret.clear();
    u.enrol_hash.clear();
    out.push_back(std::move(u));
  }
  std::stable_sort(out.begin(), out.end(), [](const store::User& a, const store::User& b) { return a.name < b.name; });
  return out;
}

GovernanceVerdict DecideDisableUser(const Viewer& admin, const std::optional<store::User>& target) {
  if (!target) return GovernanceVerdict::kNotFound;
  if (target->agency_code != admin.agency_code) return GovernanceVerdict::kRefused;
  if (target->id == admin.user_id) return GovernanceVerdict::kSelf;
  return GovernanceVerdict::kAllow;
}

std::vector<store::SharingAgreementRecord> AgreementsOfAgency(const std::vector<store::SharingAgreementRecord>& rows,
                                                              std::string_view agency) {
  std::vector<store::SharingAgreementRecord> out;
  for (const store::SharingAgreementRecord& r : rows) {
    if (agency.empty() || r.agreement.provider_agency == agency || r.agreement.recipient_agency == agency) {
      out.push_back(r);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.agreement.id < b.agreement.id; });
  return out;
}

GovernanceVerdict DecideEndAgreement(std::string_view agency,
                                     const std::optional<store::SharingAgreementRecord>& found) {
  if (!found) return GovernanceVerdict::kNotFound;
  if (found->agreement.provider_agency != agency && found->agreement.recipient_agency != agency) {
    return GovernanceVerdict::kRefused;
  }
  if (!found->ended_at.empty()) return GovernanceVerdict::kAlreadyDone;
  return GovernanceVerdict::kAllow;
}

bool ChildVisible(const std::vector<store::PersonMentionRow>& mentions, const Viewer& manager,
                  const ChildAccessFacts& facts) {
  const std::vector<RecordAccess> access = DecideMentions(mentions, manager, facts);
  return std::any_of(access.begin(), access.end(), [](RecordAccess a) { return a != RecordAccess::kHidden; });
}

std::vector<store::CareRelationshipRecord> RelationshipsKeptBy(const std::vector<store::CareRelationshipRecord>& rows,
                                                               const Viewer& manager) {
  std::vector<store::CareRelationshipRecord> out;
  for (const store::CareRelationshipRecord& r : rows) {
    if (r.agency_code == manager.agency_code) out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

GovernanceVerdict DecideEndRelationship(const Viewer& manager, int64_t person_id,
                                        const std::optional<store::CareRelationshipRecord>& found) {
  if (!found || found->person_id != person_id) return GovernanceVerdict::kNotFound;
  if (found->agency_code != manager.agency_code) return GovernanceVerdict::kRefused;
  if (!found->ended_at.empty()) return GovernanceVerdict::kAlreadyDone;
  return GovernanceVerdict::kAllow;
}

Result<std::string> DecideIgScope(std::string_view agency, std::string_view asked,
                                  const std::vector<std::string>& partnership_agencies) {
  if (!asked.empty() && asked != "agency" && asked != "partnership") {
    return Status::InvalidArgument("scope is 'agency' or 'partnership'");
  }
  const bool wide =
      std::find(partnership_agencies.begin(), partnership_agencies.end(), agency) != partnership_agencies.end();
  if (asked == "partnership" && !wide) {
    return Status::PermissionDenied("your agency's IG lead reviews its own agency's records only");
  }
  if (asked == "agency" || !wide) return std::string(agency);
  return std::string();
}

std::vector<store::IgAlert> AlertsForAgency(const std::vector<store::IgAlert>& rows, std::string_view agency,
                                            bool open_only) {
  std::vector<store::IgAlert> out;
  for (const store::IgAlert& a : rows) {
    if (a.agency_code != agency) continue;
    if (open_only && !a.grant.reviewed_at.empty()) continue;
    out.push_back(a);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<store::BreakGlassGrant> GrantsInScope(const std::vector<store::BreakGlassGrantRow>& rows,
                                                  std::string_view scope, bool unreviewed_only) {
  std::vector<store::BreakGlassGrant> out;
  for (const store::BreakGlassGrantRow& r : rows) {
    if (unreviewed_only && !r.grant.reviewed_at.empty()) continue;
    if (!scope.empty() &&
        std::find(r.alerted_agencies.begin(), r.alerted_agencies.end(), scope) == r.alerted_agencies.end()) {
      continue;
    }
    out.push_back(r.grant);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

GovernanceVerdict DecideBreakGlassReview(std::string_view agency,
                                         const std::optional<store::BreakGlassGrantRow>& grant) {
  if (!grant) return GovernanceVerdict::kNotFound;
  if (std::find(grant->alerted_agencies.begin(), grant->alerted_agencies.end(), agency) ==
      grant->alerted_agencies.end()) {
    return GovernanceVerdict::kRefused;
  }
  if (!grant->grant.reviewed_at.empty()) return GovernanceVerdict::kAlreadyDone;
  return GovernanceVerdict::kAllow;
}

// ---------------------------------------------------------------- accounts

Result<std::vector<store::User>> Governance::ListAgencyUsers(const Viewer& viewer, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::vector<store::User> rows, store_.ReadUserRows());
  std::vector<store::User> out = UsersOfAgency(rows, viewer.agency_code);
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "list_users", "agency:" + viewer.agency_code, {{"users", out.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<std::vector<store::User>> Governance::ListAllUsers(const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::vector<store::User> rows, store_.ReadUserRows());
  std::vector<store::User> out = UsersOfAgency(rows, "");
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "list_users", "users", {{"users", out.size()}, {"scope", "all"}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Status Governance::DisableAgencyUser(const Viewer& admin, std::string_view name, const store::Actor& actor) {
  const std::string target = "user:" + std::string(name);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> user, store_.FindUser(name));
  const GovernanceVerdict verdict = DecideDisableUser(admin, user);
  if (verdict != GovernanceVerdict::kAllow) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "user_disable", target, json::object(),
                                               verdict == GovernanceVerdict::kNotFound ? "not_found" : "refused")));
    RR_RETURN_IF_ERROR(unit->Commit());
    if (verdict == GovernanceVerdict::kSelf) {
      return Status::Conflict("you cannot disable or reset your own account; ask another administrator");
    }
    return Status::NotFound("no such user");
  }
  RR_RETURN_IF_ERROR(store_.DisableUserAndSessions(user->id));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "user_disable", target, {{"sessions_revoked", true}}, "ok")));
  return unit->Commit();
}

// ---------------------------------------------------------------- sharing agreements

Result<std::vector<store::SharingAgreementRecord>> Governance::ListSharingAgreements(std::string_view agency) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::vector<store::SharingAgreementRecord> rows, store_.ReadSharingAgreements());
  RR_RETURN_IF_ERROR(unit->Commit());
  return AgreementsOfAgency(rows, agency);
}

Result<store::SharingAgreementRecord> Governance::EndSharingAgreement(int64_t id, std::string_view agency,
                                                                      const std::string& reason, int64_t now_s,
                                                                      const store::Actor& actor) {
  const std::string target = "sharing_agreement:" + std::to_string(id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* outcome, Status answer) -> Status {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "sharing_agreement_end", target, json::object(), outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  RR_ASSIGN_OR_RETURN(const std::optional<store::SharingAgreementRecord> found, store_.ReadSharingAgreement(id));
  const GovernanceVerdict verdict = DecideEndAgreement(agency, found);
  if (verdict == GovernanceVerdict::kAlreadyDone) {
    return refuse("already_ended", Status::Conflict("the agreement has already ended"));
  }
  if (verdict != GovernanceVerdict::kAllow) {
    return refuse(RefusalOutcome(verdict, "already_ended"), Status::NotFound("no such agreement"));
  }
  RR_ASSIGN_OR_RETURN(const bool ended, store_.SetSharingAgreementEnded(id, actor.user, reason, now_s));
  if (!ended) return refuse("already_ended", Status::Conflict("the agreement has already ended"));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "sharing_agreement_end", target,
                                             {{"provider", found->agreement.provider_agency},
                                              {"recipient", found->agreement.recipient_agency},
                                              {"reason", reason}},
                                             "ok")));
  RR_ASSIGN_OR_RETURN(const std::optional<store::SharingAgreementRecord> after, store_.ReadSharingAgreement(id));
  RR_RETURN_IF_ERROR(unit->Commit());
  if (!after) return Status::Internal("agreement vanished inside its own unit of work");
  return *after;
}

// ---------------------------------------------------------------- care relationships

Result<const char*> Governance::ChildAccess(const Viewer& manager, int64_t person_id, int64_t now_s) {
  // Issue 11 item 6: a missing id does the work of a hidden child (a stand-in), then the result is thrown away.
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject,
                      internal::ChooseSubject(store_, store::SubjectKind::kChild, person_id));
  std::optional<store::ChildRecord> record;
  if (subject.id != 0) {
    RR_ASSIGN_OR_RETURN(record, store_.ReadChildRecord(subject.id));
  }
  RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(manager, subject.id, now_s));
  const bool visible = record && ChildVisible(record->mentions, manager, facts);
  if (!subject.exists) return "not_found";
  return visible ? "ok" : "refused";
}

Result<std::vector<store::CareRelationshipRecord>> Governance::ListCareRelationships(const Viewer& manager,
                                                                                     int64_t person_id, int64_t now_s,
                                                                                     const store::Actor& actor) {
  const std::string target = PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const char* access, ChildAccess(manager, person_id, now_s));
  if (std::string_view(access) != "ok") {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "list_relationships", target, json::object(), access)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such child");
  }
  RR_ASSIGN_OR_RETURN(const std::vector<store::CareRelationshipRecord> rows, store_.ReadCareRelationships(person_id));
  std::vector<store::CareRelationshipRecord> out = RelationshipsKeptBy(rows, manager);
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "list_relationships", target, {{"relationships", out.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::CareRelationshipRecord> Governance::EndCareRelationship(const Viewer& manager, int64_t person_id,
                                                                      int64_t relationship_id, int64_t now_s,
                                                                      const store::Actor& actor) {
  const std::string target = PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* outcome, Status answer) -> Status {
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(Event(actor, "relationship_end", target, {{"relationship", relationship_id}}, outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  RR_ASSIGN_OR_RETURN(const char* access, ChildAccess(manager, person_id, now_s));
  if (std::string_view(access) != "ok") return refuse(access, Status::NotFound("no such relationship"));
  RR_ASSIGN_OR_RETURN(const std::optional<store::CareRelationshipRecord> found,
                      store_.ReadCareRelationship(relationship_id));
  const GovernanceVerdict verdict = DecideEndRelationship(manager, person_id, found);
  if (verdict == GovernanceVerdict::kAlreadyDone) {
    return refuse("already_ended", Status::Conflict("the relationship has already ended"));
  }
  if (verdict != GovernanceVerdict::kAllow) {
    return refuse(RefusalOutcome(verdict, "already_ended"), Status::NotFound("no such relationship"));
  }
  RR_ASSIGN_OR_RETURN(const bool ended, store_.SetCareRelationshipEnded(relationship_id, actor.user));
  if (!ended) return refuse("already_ended", Status::Conflict("the relationship has already ended"));
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "relationship_end", target,
            {{"relationship", relationship_id}, {"user", found->user_name}, {"kind", found->kind}}, "ok")));
  RR_ASSIGN_OR_RETURN(const std::optional<store::CareRelationshipRecord> after,
                      store_.ReadCareRelationship(relationship_id));
  RR_RETURN_IF_ERROR(unit->Commit());
  if (!after) return Status::Internal("relationship vanished inside its own unit of work");
  return *after;
}

// ---------------------------------------------------------------- IG alerts, break-glass review and list

Result<std::vector<store::IgAlert>> Governance::ListIgAlerts(const Viewer& viewer, bool open_only,
                                                             const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::vector<store::IgAlert> rows, store_.ReadIgAlerts());
  std::vector<store::IgAlert> out = AlertsForAgency(rows, viewer.agency_code, open_only);
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "list_alerts", "agency:" + viewer.agency_code,
                                             {{"alerts", out.size()}, {"open_only", open_only}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::IgAlert> Governance::ReviewBreakGlass(const Viewer& viewer, int64_t grant_id, const std::string& outcome,
                                                    const std::string& note, const store::Actor& actor) {
  if (outcome != "appropriate" && outcome != "inappropriate") {
    return Status::InvalidArgument("a break-glass review outcome is 'appropriate' or 'inappropriate'");
  }
  const std::string target = "break_glass:" + std::to_string(grant_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  auto refuse = [&](const char* audit_outcome, Status answer) -> Status {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "break_glass_review", target, json::object(), audit_outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return answer;
  };
  RR_ASSIGN_OR_RETURN(const std::optional<store::BreakGlassGrantRow> grant, store_.ReadBreakGlassGrant(grant_id));
  const GovernanceVerdict verdict = DecideBreakGlassReview(viewer.agency_code, grant);
  if (verdict == GovernanceVerdict::kAlreadyDone) {
    return refuse("already_reviewed", Status::Conflict("the grant has already been reviewed"));
  }
  // A grant alerted only to other agencies is told apart from a missing one in the audit log only.
  if (verdict != GovernanceVerdict::kAllow) {
    return refuse(RefusalOutcome(verdict, "already_reviewed"), Status::NotFound("no such break-glass grant"));
  }
  // Use judged inappropriate ends the grant at once; the audit event keeps the expiry it had.
  const bool end_grant = outcome == "inappropriate";
  RR_ASSIGN_OR_RETURN(const bool reviewed, store_.SetBreakGlassReview(grant_id, actor.user, outcome, note, end_grant));
  if (!reviewed) return refuse("already_reviewed", Status::Conflict("the grant has already been reviewed"));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "break_glass_review", target,
                                             {{"outcome", outcome},
                                              {"note", note},
                                              {"user", grant->grant.user_name},
                                              {"person", grant->grant.person_id},
                                              {"grant_ended", end_grant},
                                              {"expires_at_s_before", grant->grant.expires_at_s}},
                                             "ok")));
  RR_ASSIGN_OR_RETURN(const std::vector<store::IgAlert> alerts, store_.ReadIgAlertsOfGrant(grant_id));
  RR_RETURN_IF_ERROR(unit->Commit());
  const std::vector<store::IgAlert> own = AlertsForAgency(alerts, viewer.agency_code, false);
  if (own.empty()) return Status::Internal("the grant's alert vanished inside its own unit of work");
  return own.front();
}

Result<BreakGlassList> Governance::ListBreakGlass(const Viewer& viewer, std::string_view asked,
                                                  const std::vector<std::string>& partnership_agencies,
                                                  bool unreviewed_only, const store::Actor& actor) {
  auto scope = DecideIgScope(viewer.agency_code, asked, partnership_agencies);
  if (!scope.ok() && scope.status().code() != StatusCode::kPermissionDenied) return scope.status();
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  if (!scope.ok()) {
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(Event(actor, "list_break_glass", "break_glass:partnership", json::object(), "forbidden")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return scope.status();
  }
  RR_ASSIGN_OR_RETURN(const std::vector<store::BreakGlassGrantRow> rows, store_.ReadBreakGlassGrants());
  BreakGlassList out;
  out.scope = scope->empty() ? "partnership" : *scope;
  out.grants = GrantsInScope(rows, *scope, unreviewed_only);
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "list_break_glass", "break_glass", {{"grants", out.grants.size()}, {"scope", out.scope}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

}  // namespace riskradar::access

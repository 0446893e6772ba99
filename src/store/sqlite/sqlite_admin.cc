// SqliteStore's administration rows (the review queue's rows are in sqlite_review.cc): accounts, sharing
// agreements, care relationships, IG alerts and break-glass grants and their review, approval requests, and
// TOTP secrets sealed at rest. Rows and facts only, read and written inside the caller's unit of work: the
// access layer (src/access/governance.cc, administration.cc) applies the rules and appends the audit events.
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sqlite_store.h"

namespace riskradar::store {
namespace {

constexpr const char* kAgreementSelect =
    "SELECT id, provider_agency, recipient_agency, data_class, purpose, lawful_basis, valid_until_s, created_at, "
    "COALESCE(ended_at, ''), ended_by, end_reason FROM sharing_agreement ";

SharingAgreementRecord AgreementFromRow(const sql::Statement& q) {
  SharingAgreementRecord r;
  r.agreement.id = q.Int(0);
  r.agreement.provider_agency = q.Text(1);
  r.agreement.recipient_agency = q.Text(2);
  r.agreement.data_class = q.Text(3);
  r.agreement.purpose = q.Text(4);
  r.agreement.lawful_basis = q.Text(5);
  r.agreement.valid_until_s = q.OptInt(6);
  r.created_at = q.Text(7);
  r.ended_at = q.Text(8);
  r.ended_by = q.Text(9);
  r.end_reason = q.Text(10);
  return r;
}

constexpr const char* kRelationshipSelect =
    "SELECT c.id, u.name, u.agency_code, c.person_id, c.kind, c.created_at, c.created_by, COALESCE(c.ended_at, ''), "
    "c.ended_by FROM care_relationship c JOIN app_user u ON u.id = c.user_id ";

CareRelationshipRecord RelationshipFromRow(const sql::Statement& q) {
  return {q.Int(0), q.Text(1), q.Text(2), q.Int(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7), q.Text(8)};
}

constexpr const char* kAlertSelect =
    "SELECT a.id, a.agency_code, a.kind, a.created_at, b.id, u.name, u.agency_code, b.person_id, b.reason, "
    "b.granted_at, b.expires_at_s, COALESCE(b.reviewed_by, ''), COALESCE(b.reviewed_at, ''), "
    "COALESCE(b.review_outcome, ''), b.review_note "
    "FROM ig_alert a JOIN break_glass b ON b.id = a.break_glass_id JOIN app_user u ON u.id = b.user_id ";

IgAlert IgAlertFromRow(const sql::Statement& q) {
  IgAlert a;
  a.id = q.Int(0);
  a.agency_code = q.Text(1);
  a.kind = q.Text(2);
  a.created_at = q.Text(3);
  a.grant = {q.Int(4), q.Text(5), q.Text(6), q.Int(7), q.Text(8), q.Text(9), q.Int(10), q.Text(11), q.Text(12)};
  a.review_outcome = q.Text(13);
  a.review_note = q.Text(14);
  return a;
}

}  // namespace

// ---------------------------------------------------------------- users

Result<std::vector<User>> SqliteStore::ReadUserRows() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id, name, agency_code, role, disabled, created_at, updated_at, "
                                             "must_enrol FROM app_user ORDER BY name"));
  std::vector<User> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    User u;  // no hash, no secret
    u.id = q.Int(0);
    u.name = q.Text(1);
    u.agency_code = q.Text(2);
    auto role = ParseRole(q.Text(3));
    u.role = role.ok() ? *role : Role::kAnalyst;  // the CHECK constraint keeps roles valid
    u.disabled = q.Int(4) != 0;
    u.created_at = q.Text(5);
    u.updated_at = q.Text(6);
    u.must_enrol = q.Int(7) != 0;
    out.push_back(std::move(u));
  }));
  return out;
}

Status SqliteStore::DisableUserAndSessions(int64_t user_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE app_user SET disabled = 1, updated_at = ?1 WHERE id = ?2"));
  RR_RETURN_IF_ERROR(q.Bind(1, NowUtcIso()).Bind(2, user_id).Run());
  if (q.Changes() != 1) return Status::NotFound("no such user");
  return RevokeUserSessionsLocked(user_id);
}

// ---------------------------------------------------------------- sharing agreements

Result<std::vector<SharingAgreementRecord>> SqliteStore::ReadSharingAgreements() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAgreementSelect) + "ORDER BY id"));
  std::vector<SharingAgreementRecord> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(AgreementFromRow(q)); }));
  return out;
}

Result<std::optional<SharingAgreementRecord>> SqliteStore::ReadSharingAgreement(int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAgreementSelect) + "WHERE id = ?1"));
  q.Bind(1, id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<SharingAgreementRecord>();
  return std::optional<SharingAgreementRecord>(AgreementFromRow(q));
}

Result<bool> SqliteStore::SetSharingAgreementEnded(int64_t id, const std::string& ended_by, const std::string& reason,
                                                   int64_t now_s) {
  // The end date also caps valid_until_s, which every need-to-know check already honours.
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("UPDATE sharing_agreement SET ended_at = ?1, ended_by = ?2, end_reason = ?3, "
                                     "valid_until_s = CASE WHEN valid_until_s < ?4 THEN valid_until_s ELSE ?4 END "
                                     "WHERE id = ?5 AND ended_at IS NULL"));
  RR_RETURN_IF_ERROR(q.Bind(1, NowUtcIso()).Bind(2, ended_by).Bind(3, reason).Bind(4, now_s).Bind(5, id).Run());
  return q.Changes() == 1;
}

// ---------------------------------------------------------------- care relationships

Result<std::vector<CareRelationshipRecord>> SqliteStore::ReadCareRelationships(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare(std::string(kRelationshipSelect) + "WHERE c.person_id = ?1 ORDER BY c.id"));
  q.Bind(1, person_id);
  std::vector<CareRelationshipRecord> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(RelationshipFromRow(q)); }));
  return out;
}

Result<std::optional<CareRelationshipRecord>> SqliteStore::ReadCareRelationship(int64_t relationship_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kRelationshipSelect) + "WHERE c.id = ?1"));
  q.Bind(1, relationship_id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<CareRelationshipRecord>();
  return std::optional<CareRelationshipRecord>(RelationshipFromRow(q));
}

Result<bool> SqliteStore::SetCareRelationshipEnded(int64_t relationship_id, const std::string& ended_by) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE care_relationship SET ended_at = ?1, ended_by = ?2 "
                                             "WHERE id = ?3 AND ended_at IS NULL"));
  RR_RETURN_IF_ERROR(q.Bind(1, NowUtcIso()).Bind(2, ended_by).Bind(3, relationship_id).Run());
  return q.Changes() == 1;
}

// ---------------------------------------------------------------- IG alerts, break-glass grants and review

Result<std::vector<IgAlert>> SqliteStore::ReadIgAlerts() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAlertSelect) + "ORDER BY a.id"));
  std::vector<IgAlert> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(IgAlertFromRow(q)); }));
  return out;
}

Result<std::vector<IgAlert>> SqliteStore::ReadIgAlertsOfGrant(int64_t grant_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAlertSelect) + "WHERE b.id = ?1 ORDER BY a.id"));
  q.Bind(1, grant_id);
  std::vector<IgAlert> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(IgAlertFromRow(q)); }));
  return out;
}

namespace {

// A grant with the agencies alerted about it, comma-joined (a dialect helper: no portable spelling).
std::string GrantSelect(sql::Backend backend) {
  return "SELECT b.id, u.name, u.agency_code, b.person_id, b.reason, b.granted_at, b.expires_at_s, "
         "COALESCE(b.reviewed_by, ''), COALESCE(b.reviewed_at, ''), COALESCE(b.review_outcome, ''), b.review_note, "
         "(SELECT COALESCE(" +
         sql::CommaList(backend, "alerted.agency_code") +
         ", '') FROM (SELECT a.agency_code FROM ig_alert a WHERE a.break_glass_id = b.id ORDER BY a.agency_code) "
         "AS alerted) "
         "FROM break_glass b JOIN app_user u ON u.id = b.user_id ";
}

BreakGlassGrantRow GrantFromRow(const sql::Statement& q) {
  BreakGlassGrantRow r;
  r.grant = {q.Int(0), q.Text(1), q.Text(2), q.Int(3), q.Text(4), q.Text(5), q.Int(6), q.Text(7), q.Text(8)};
  r.review_outcome = q.Text(9);
  r.review_note = q.Text(10);
  const std::string agencies = q.Text(11);  // agency codes hold no comma (the agency table's codes)
  for (size_t start = 0; start < agencies.size();) {
    const size_t comma = agencies.find(',', start);
    const size_t end = comma == std::string::npos ? agencies.size() : comma;
    r.alerted_agencies.push_back(agencies.substr(start, end - start));
    start = end + 1;
  }
  std::sort(r.alerted_agencies.begin(), r.alerted_agencies.end());
  return r;
}

}  // namespace

Result<std::vector<BreakGlassGrantRow>> SqliteStore::ReadBreakGlassGrants() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(GrantSelect(conn_->backend()) + "ORDER BY b.id"));
  std::vector<BreakGlassGrantRow> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(GrantFromRow(q)); }));
  return out;
}

Result<std::optional<BreakGlassGrantRow>> SqliteStore::ReadBreakGlassGrant(int64_t grant_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(GrantSelect(conn_->backend()) + "WHERE b.id = ?1"));
  q.Bind(1, grant_id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<BreakGlassGrantRow>();
  return std::optional<BreakGlassGrantRow>(GrantFromRow(q));
}

Result<bool> SqliteStore::SetBreakGlassReview(int64_t grant_id, const std::string& reviewed_by,
                                              const std::string& outcome, const std::string& note, bool end_grant) {
  if (outcome != "appropriate" && outcome != "inappropriate") {
    return Status::InvalidArgument("a break-glass review outcome is 'appropriate' or 'inappropriate'");
  }
  // Ending the grant sets its expiry to 0: every access check compares it with now.
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE break_glass SET reviewed_by = ?1, reviewed_at = ?2, "
                                             "review_outcome = ?3, review_note = ?4, "
                                             "expires_at_s = CASE WHEN ?6 = 1 THEN 0 ELSE expires_at_s END "
                                             "WHERE id = ?5 AND reviewed_at IS NULL"));
  RR_RETURN_IF_ERROR(q.Bind(1, reviewed_by)
                         .Bind(2, NowUtcIso())
                         .Bind(3, outcome)
                         .Bind(4, note)
                         .Bind(5, grant_id)
                         .Bind(6, int64_t{end_grant ? 1 : 0})
                         .Run());
  return q.Changes() == 1;
}

// ---------------------------------------------------------------- approval requests (separation of duties)

std::string_view ToString(ApprovalKind kind) {
  switch (kind) {
    case ApprovalKind::kCareRelationship:
      return "care_relationship";
    case ApprovalKind::kMaseListing:
      return "mase_listing";
    case ApprovalKind::kAccountGrant:
      return "account_grant";
    case ApprovalKind::kRoleChange:
      return "role_change";
    case ApprovalKind::kCredentialReset:
      return "credential_reset";
  }
  return "care_relationship";
}

Result<ApprovalKind> ParseApprovalKind(std::string_view text) {
  for (ApprovalKind k : {ApprovalKind::kCareRelationship, ApprovalKind::kMaseListing, ApprovalKind::kAccountGrant,
                         ApprovalKind::kRoleChange, ApprovalKind::kCredentialReset}) {
    if (ToString(k) == text) return k;
  }
  return Status::InvalidArgument("unknown approval kind '" + std::string(text) + "'");
}

namespace {

constexpr const char* kApprovalSelect =
    "SELECT id, kind, requested_by, requester_agency, subject_user, subject_agency, role, COALESCE(person_id, 0), "
    "reason, enrol_part_hash, state, created_at, created_s, expires_s, decided_by, COALESCE(decided_at, ''), "
    "decision_note FROM approval_request ";

Result<ApprovalRequest> ApprovalFromRow(const sql::Statement& q) {
  ApprovalRequest r;
  r.id = q.Int(0);
  RR_ASSIGN_OR_RETURN(r.kind, ParseApprovalKind(q.Text(1)));
  r.requested_by = q.Text(2);
  r.requester_agency = q.Text(3);
  r.subject_user = q.Text(4);
  r.subject_agency = q.Text(5);
  r.role = q.Text(6);
  r.person_id = q.Int(7);
  r.reason = q.Text(8);
  r.enrol_part_hash = q.Text(9);
  r.state = q.Text(10);
  r.created_at = q.Text(11);
  r.created_s = q.Int(12);
  r.expires_s = q.Int(13);
  r.decided_by = q.Text(14);
  r.decided_at = q.Text(15);
  r.decision_note = q.Text(16);
  return r;
}

}  // namespace

Result<int64_t> SqliteStore::InsertApprovalRequest(const ApprovalRequest& r) {
  // The same request pending (approval_request_one_pending) is tested first, not left to a failed insert: the
  // caller's unit of work carries on after AlreadyExists (and PostgreSQL aborts a transaction on any error). Not
  // ON CONFLICT DO NOTHING either, which would use up an id (AUTOINCREMENT, an identity) for nothing.
  {
    RR_ASSIGN_OR_RETURN(auto pending,
                        conn_->Prepare("SELECT 1 FROM approval_request WHERE kind = ?1 AND subject_user = ?2 "
                                       "AND COALESCE(person_id, 0) = ?3 AND state = 'pending'"));
    pending.Bind(1, ToString(r.kind)).Bind(2, r.subject_user).Bind(3, r.person_id > 0 ? r.person_id : int64_t{0});
    RR_ASSIGN_OR_RETURN(bool found, pending.Step());
    if (found) return Status::AlreadyExists("the same request is already pending");
  }
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("INSERT INTO approval_request (kind, requested_by, requester_agency, "
                                             "subject_user, subject_agency, role, person_id, reason, enrol_part_hash, "
                                             "state, created_at, created_s, expires_s) "
                                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?12) "
                                             "RETURNING id"));
  q.Bind(1, ToString(r.kind))
      .Bind(2, r.requested_by)
      .Bind(3, r.requester_agency)
      .Bind(4, r.subject_user)
      .Bind(5, r.subject_agency)
      .Bind(6, r.role)
      .Bind(8, r.reason)
      .Bind(9, r.enrol_part_hash)
      .Bind(10, NowUtcIso())
      .Bind(11, r.created_s)
      .Bind(12, r.expires_s);
  if (r.person_id > 0) {
    q.Bind(7, r.person_id);
  } else {
    q.BindNull(7);
  }
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("an approval request"));
  return id;
}

Result<std::optional<ApprovalRequest>> SqliteStore::FindApprovalRequest(int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kApprovalSelect) + "WHERE id = ?1"));
  q.Bind(1, id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<ApprovalRequest>();
  RR_ASSIGN_OR_RETURN(ApprovalRequest r, ApprovalFromRow(q));
  return std::optional<ApprovalRequest>(std::move(r));
}

Result<std::vector<ApprovalRequest>> SqliteStore::ListApprovalRequests(bool pending_only) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare(std::string(kApprovalSelect) + "WHERE ?1 = 0 OR state = 'pending' ORDER BY id"));
  q.Bind(1, int64_t{pending_only ? 1 : 0});
  std::vector<ApprovalRequest> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RR_ASSIGN_OR_RETURN(ApprovalRequest r, ApprovalFromRow(q));
    out.push_back(std::move(r));
  }
  return out;
}

Result<bool> SqliteStore::SetApprovalState(int64_t id, std::string_view from, std::string_view to,
                                           const std::string& decided_by, const std::string& note) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("UPDATE approval_request SET state = ?1, decided_by = ?2, decided_at = ?3, "
                                     "decision_note = ?4 WHERE id = ?5 AND state = ?6"));
  RR_RETURN_IF_ERROR(
      q.Bind(1, to).Bind(2, decided_by).Bind(3, NowUtcIso()).Bind(4, note).Bind(5, id).Bind(6, from).Run());
  return q.Changes() == 1;
}

Result<std::vector<std::string>> SqliteStore::ReadPersonAgencies(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT DISTINCT r.agency_code FROM mention_person mp "
                                             "JOIN person_mention m ON m.id = mp.mention_id "
                                             "JOIN source_record r ON r.id = m.source_record_id "
                                             "WHERE mp.person_id = ?1 ORDER BY r.agency_code"));
  q.Bind(1, person_id);
  std::vector<std::string> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(q.Text(0)); }));
  return out;
}

Result<int64_t> SqliteStore::InsertEnrollingUser(const User& user) {
  return InsertUserLocked(user, /*must_enrol=*/true);
}

Result<int64_t> SqliteStore::InsertUserLocked(const User& user, bool must_enrol) {
  {
    RR_ASSIGN_OR_RETURN(auto e, conn_->Prepare("SELECT 1 FROM app_user WHERE name = ?1"));
    e.Bind(1, user.name);
    RR_ASSIGN_OR_RETURN(bool found, e.Step());
    if (found) return Status::AlreadyExists("user '" + user.name + "' already exists");
  }
  RR_ASSIGN_OR_RETURN(const std::string sealed, SealTotpSecret(user.totp_secret));
  const std::string now = NowUtcIso();
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("INSERT INTO app_user (name, agency_code, role, password_hash, totp_secret, "
                                     "disabled, created_at, updated_at, must_enrol, enrol_hash) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?7, ?8) RETURNING id"));
  q.Bind(1, user.name)
      .Bind(2, user.agency_code)
      .Bind(3, ToString(user.role))
      .Bind(4, user.password_hash)
      .Bind(5, sealed)
      .Bind(6, now)
      .Bind(7, must_enrol ? 1 : 0)
      .Bind(8, must_enrol ? user.enrol_hash : std::string());
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("an account"));
  return id;
}

Status SqliteStore::ResetToEnrolment(int64_t user_id, const std::string& password_hash, const std::string& enrol_hash,
                                     const std::string& totp_secret) {
  RR_ASSIGN_OR_RETURN(const std::string sealed, SealTotpSecret(totp_secret));
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("UPDATE app_user SET password_hash = ?1, enrol_hash = ?2, totp_secret = ?3, "
                                     "totp_last_step = 0, must_enrol = 1, disabled = 0, updated_at = ?4 "
                                     "WHERE id = ?5"));
  RR_RETURN_IF_ERROR(
      q.Bind(1, password_hash).Bind(2, enrol_hash).Bind(3, sealed).Bind(4, NowUtcIso()).Bind(5, user_id).Run());
  if (q.Changes() != 1) return Status::NotFound("no such user");
  return RevokeUserSessionsLocked(user_id);
}

Status SqliteStore::SetUserRole(int64_t user_id, Role role) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE app_user SET role = ?1, updated_at = ?2 WHERE id = ?3"));
  RR_RETURN_IF_ERROR(q.Bind(1, ToString(role)).Bind(2, NowUtcIso()).Bind(3, user_id).Run());
  if (q.Changes() != 1) return Status::NotFound("no such user");
  return Status::Ok();
}

Result<int64_t> SqliteStore::InsertCareRelationship(int64_t user_id, int64_t person_id, std::string_view kind,
                                                    const std::string& created_by) {
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT 1 FROM care_relationship WHERE user_id = ?1 AND person_id = ?2 "
                                               "AND kind = ?3 AND ended_at IS NULL"));
    q.Bind(1, user_id).Bind(2, person_id).Bind(3, kind);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) return int64_t{0};
  }
  RR_ASSIGN_OR_RETURN(auto ins, conn_->Prepare("INSERT INTO care_relationship (user_id, person_id, kind, created_at, "
                                               "created_by) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id"));
  ins.Bind(1, user_id).Bind(2, person_id).Bind(3, kind).Bind(4, NowUtcIso()).Bind(5, created_by);
  RR_ASSIGN_OR_RETURN(const int64_t id, ins.RunForNewId("a care relationship"));
  return id;
}

Status SqliteStore::SetEnrolmentTotp(int64_t user_id, const std::string& totp_secret) {
  RR_ASSIGN_OR_RETURN(const std::string sealed, SealTotpSecret(totp_secret));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE app_user SET totp_secret = ?1, updated_at = ?2 "
                                             "WHERE id = ?3 AND must_enrol = 1"));
  RR_RETURN_IF_ERROR(q.Bind(1, sealed).Bind(2, NowUtcIso()).Bind(3, user_id).Run());
  if (q.Changes() != 1) return Status::FailedPrecondition("the account is not enrolling");
  return Status::Ok();
}

Status SqliteStore::CompleteEnrolment(int64_t user_id, const std::string& password_hash, int64_t totp_step) {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("UPDATE app_user SET password_hash = ?1, enrol_hash = '', must_enrol = 0, "
                     "totp_last_step = CASE WHEN totp_last_step > ?2 THEN totp_last_step ELSE ?2 END, updated_at = ?3 "
                     "WHERE id = ?4 AND must_enrol = 1"));
  RR_RETURN_IF_ERROR(q.Bind(1, password_hash).Bind(2, totp_step).Bind(3, NowUtcIso()).Bind(4, user_id).Run());
  if (q.Changes() != 1) return Status::FailedPrecondition("the account is not enrolling");
  return RevokeUserSessionsLocked(user_id);
}

// ---------------------------------------------------------------- TOTP secrets at rest

// A rotation (RotateTotpKey) writes the new key to "<path>.next", re-seals every secret in one transaction and
// then renames the file into place. Interrupted between the two, the secrets decide which key is current: the
// new one when they open with it (the transaction committed), else the old one.
Status SqliteStore::FinishTotpRotation() {
  const std::string& path = options_.totp_key_path;
  const std::string next = path + ".next";
  std::error_code ec;
  if (!std::filesystem::exists(next, ec)) return Status::Ok();
  auto next_key = TotpSealingKey::Load(next, false);
  bool committed = false;
  if (next_key.ok()) {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT totp_secret FROM app_user WHERE substr(totp_secret, 1, 4) = "
                                               "'sb1:' ORDER BY id LIMIT 1"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    committed = row && next_key->Open(q.Text(0)).ok();
  }
  if (committed) {
    if (::rename(next.c_str(), path.c_str()) != 0) {
      return Status::IoError("cannot finish the TOTP key rotation (rename " + next + " to " + path +
                             "): " + std::strerror(errno));
    }
  } else {
    std::filesystem::remove(next, ec);
  }
  return Status::Ok();
}

Result<int64_t> SqliteStore::RotateTotpKey(const Actor& actor) {
  const std::string& path = options_.totp_key_path;
  RR_RETURN_IF_ERROR(FinishTotpRotation());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::FailedPrecondition("no TOTP key at " + path + " to rotate");
  totp_key_.reset();
  RR_ASSIGN_OR_RETURN(TotpSealingKey * old_key, TotpKey(false));
  const std::string next = path + ".next";
  RR_ASSIGN_OR_RETURN(auto new_key, TotpSealingKey::Load(next, true));
  int64_t resealed = 0;
  {
    RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
    std::vector<std::pair<int64_t, std::string>> sealed;
    {
      RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id, totp_secret FROM app_user "
                                                 "WHERE substr(totp_secret, 1, 4) = 'sb1:' ORDER BY id"));
      RR_RETURN_IF_ERROR(q.ForEachRow([&] { sealed.emplace_back(q.Int(0), q.Text(1)); }));
    }
    RR_ASSIGN_OR_RETURN(auto up, conn_->Prepare("UPDATE app_user SET totp_secret = ?1 WHERE id = ?2"));
    for (const auto& [id, value] : sealed) {
      auto plain = old_key->Open(value);
      if (!plain.ok()) return plain.status().WithContext("user id " + std::to_string(id));
      RR_RETURN_IF_ERROR(up.Bind(1, new_key.Seal(*plain)).Bind(2, id).Run());
      sodium_memzero(plain->data(), plain->size());
      ++resealed;
    }
    AuditEvent e;
    e.actor = actor;
    e.action = "totp_key_rotate";
    e.target = "totp_key";
    e.details = nlohmann::json{{"resealed", resealed}}.dump();
    RR_RETURN_IF_ERROR(AppendAuditLocked(e));
    RR_RETURN_IF_ERROR(txn.Commit());
  }
  FlushWitness();
  RR_RETURN_IF_ERROR(FinishTotpRotation());
  totp_key_.reset();
  RR_ASSIGN_OR_RETURN(TotpSealingKey * current, TotpKey(false));
  (void)current;
  return resealed;
}

Result<TotpSealingKey*> SqliteStore::TotpKey(bool may_create) {
  if (totp_key_) return &*totp_key_;
  const std::string& path = options_.totp_key_path;
  RR_RETURN_IF_ERROR(FinishTotpRotation());
  auto existing = TotpSealingKey::Load(path, false);
  if (existing.ok()) {
    totp_key_.emplace(std::move(*existing));
    return &*totp_key_;
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  // A new key would orphan secrets sealed with a lost one: only create it when nothing is sealed yet.
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT COUNT(*) FROM app_user WHERE substr(totp_secret, 1, 4) = 'sb1:'"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  const int64_t sealed = row ? q.Int(0) : 0;
  if (sealed > 0 || !may_create) {
    return Status::FailedPrecondition(fmt::format(
        "the TOTP key file {} is missing but {} users' one-time-code secrets are sealed with it; restore it from "
        "its backup (or reset those users)",
        path, sealed));
  }
  auto created = TotpSealingKey::Load(path, true);
  if (!created.ok()) return created.status();
  totp_key_.emplace(std::move(*created));
  return &*totp_key_;
}

Status SqliteStore::CheckReady() {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT (SELECT COUNT(*) FROM audit_event), (SELECT COUNT(*) FROM app_user "
                                     "WHERE substr(totp_secret, 1, 4) = 'sb1:')"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  const int64_t events = row ? q.Int(0) : 0, sealed = row ? q.Int(1) : 0;
  // A key already loaded by this connection is ready; otherwise it is read (never created) here.
  if (events > 0 && !key_) {
    struct stat st {};
    if (::lstat(key_path_.c_str(), &st) != 0) {
      return Status::FailedPrecondition("the audit signing key is missing (the log has events signed with it)");
    }
    RR_ASSIGN_OR_RETURN(const std::string public_key, LoadAuditPublicKey(key_path_));
    (void)public_key;
  }
  if (sealed > 0 && !totp_key_) {
    auto key = TotpSealingKey::Load(options_.totp_key_path, false);
    if (!key.ok()) {
      return Status::FailedPrecondition("the TOTP sealing key cannot be loaded (" + std::to_string(sealed) +
                                        " users' secrets are sealed with it): " + key.status().message());
    }
  }
  return Status::Ok();
}

Result<std::string> SqliteStore::SealTotpSecret(std::string_view base32) {
  RR_ASSIGN_OR_RETURN(TotpSealingKey * key, TotpKey(true));
  return key->Seal(base32);
}

Result<std::string> SqliteStore::OpenTotpSecret(std::string_view stored) {
  RR_ASSIGN_OR_RETURN(TotpSealingKey * key, TotpKey(false));
  return key->Open(stored);
}

Status SqliteStore::SealTotpSecretsLocked() {
  std::vector<std::pair<int64_t, std::string>> plain;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id, totp_secret FROM app_user "
                                               "WHERE substr(totp_secret, 1, 4) <> 'sb1:' ORDER BY id"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] { plain.emplace_back(q.Int(0), q.Text(1)); }));
  }
  if (plain.empty()) return Status::Ok();  // no key file needed yet
  RR_ASSIGN_OR_RETURN(auto up, conn_->Prepare("UPDATE app_user SET totp_secret = ?1 WHERE id = ?2"));
  for (auto& [id, secret] : plain) {
    RR_ASSIGN_OR_RETURN(const std::string sealed, SealTotpSecret(secret));
    RR_RETURN_IF_ERROR(up.Bind(1, sealed).Bind(2, id).Run());
    sodium_memzero(secret.data(), secret.size());
  }
  return Status::Ok();
}

}  // namespace riskradar::store

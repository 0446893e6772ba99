// Store contract: user accounts and sessions.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: the account and session methods (AddUser ... RevokeSession) commit each change in one
// transaction with its audit event. The rows-and-facts methods (ReadUserRows onwards) read and write inside
// the caller's unit of work (see unit_of_work.h), never filter by viewer or agency and never audit: the access
// layer (include/riskradar/access/) applies the rule and appends the event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

struct User {
  int64_t id = 0;
  std::string name;
  std::string agency_code;
  Role role = Role::kAnalyst;
  std::string password_hash;  // Argon2id, libsodium string format
  std::string totp_secret;    // base32 from FindUser; sealed at rest (other reads return the sealed form)
  bool disabled = false;
  std::string created_at, updated_at;
  // Separation of duties: an account created or reset through an approval must enrol (new password and TOTP
  // secret) before anything else. While it must, password_hash is the Argon2id hash of the requester's half
  // of its one-time enrolment code and enrol_hash a fast hash of the approver's half (server/auth.h
  // HashRandomSecret; FindUser only).
  bool must_enrol = false;
  std::string enrol_hash;
};

struct UserRoleCount {
  std::string agency_code;
  Role role = Role::kAnalyst;
  int64_t enabled = 0;
};

// A request that takes a second person to approve (access/administration.h decides who may).
enum class ApprovalKind { kCareRelationship, kMaseListing, kAccountGrant, kRoleChange, kCredentialReset };
std::string_view ToString(ApprovalKind kind);
Result<ApprovalKind> ParseApprovalKind(std::string_view text);

struct ApprovalRequest {
  int64_t id = 0;
  ApprovalKind kind = ApprovalKind::kCareRelationship;
  std::string requested_by, requester_agency;
  std::string subject_user, subject_agency;  // the account that gains access or credentials
  std::string role;                          // account grant, role change: the role granted; reset: the account's role
  int64_t person_id = 0;                     // relationships: the child
  std::string reason;
  std::string enrol_part_hash;    // grant, reset: Argon2id of the requester's half of the enrolment code
  std::string state = "pending";  // pending | approved | rejected | withdrawn | expired
  std::string created_at;
  int64_t created_s = 0, expires_s = 0;
  std::string decided_by, decided_at, decision_note;
};

struct NewSession {
  int64_t user_id = 0;
  std::string token_hash;  // hex SHA-256 of the cookie token; the token itself is never stored
  std::string csrf_token;
  int64_t now_s = 0;
  int64_t totp_step = 0;            // refused if not newer than the last step used (replay)
  std::string replaces_token_hash;  // a session presented at login is revoked (rotation)
};

struct SessionUser {
  User user;
  std::string csrf_token;
  int64_t created_s = 0;
};

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Users. Every change is audited in the same transaction; disabling or resetting revokes all sessions.
  virtual Result<int64_t> AddUser(const User& user, const Actor& actor) = 0;
  virtual Result<std::optional<User>> FindUser(std::string_view name) = 0;
  // Enabled accounts per agency and role, for a caller that is no person (the command line's check of the
  // operator's path): counts only, no name or other personal field. Not audited.
  virtual Result<std::vector<UserRoleCount>> CountUsersByRole() = 0;
  virtual Status SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) = 0;
  virtual Status ResetUserCredentials(std::string_view name, const std::string& password_hash,
                                      const std::string& totp_secret, const Actor& actor) = 0;
  // Re-seals every TOTP secret under a new key (the operator's `riskradar keys rotate --totp`; no other
  // process may be using the store): the new key is written beside the old ("<key>.next", 0600), the secrets
  // are re-sealed and a "totp_key_rotate" event appended in one transaction, then the new key replaces the
  // old file. An interruption is finished or undone on the next open, by which key the secrets open with.
  // Returns how many secrets were re-sealed. FailedPrecondition when there is no key file to rotate.
  virtual Result<int64_t> RotateTotpKey(const Actor& actor) = 0;
  // The same password under new hash parameters (after a successful login); sessions are kept.
  virtual Status UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) = 0;

  // Sessions. CreateSession audits the login; Unauthenticated (the refusal audited and committed, no session)
  // when the TOTP step is not newer than the last one used, or the account is disabled; `replaces_token_hash`
  // is revoked in the same transaction (rotation).
  virtual Status CreateSession(const NewSession& session, const Actor& actor) = 0;
  // The session's user when the session is live (not revoked, user enabled, within both timeouts).
  virtual Result<std::optional<SessionUser>> TouchSession(std::string_view token_hash, int64_t now_s, int64_t idle_s,
                                                          int64_t absolute_s) = 0;
  virtual Status RevokeSession(std::string_view token_hash, const Actor& actor) = 0;

  // ---- Rows and facts for the access layer (access/governance.h), never filtered and not audited by
  // themselves: read and written inside the caller's unit of work, which carries the audit event.
  // Every account, by name, with no password hash, TOTP secret or enrolment hash.
  virtual Result<std::vector<User>> ReadUserRows() = 0;
  // Disables account `user_id` and revokes every session of it. NotFound: no such account.
  virtual Status DisableUserAndSessions(int64_t user_id) = 0;

  // ---- Approval requests (separation of duties). Rows and facts only, never filtered and not audited by
  // themselves: the access layer (access/administration.h) calls them inside a kWrite unit of work, applies
  // the rule and appends the audit event in the same unit.
  // AlreadyExists when the same request (kind, subject, child) is already pending.
  virtual Result<int64_t> InsertApprovalRequest(const ApprovalRequest& request) = 0;
  virtual Result<std::optional<ApprovalRequest>> FindApprovalRequest(int64_t id) = 0;
  // Every request (pending_only: the pending ones), oldest first.
  virtual Result<std::vector<ApprovalRequest>> ListApprovalRequests(bool pending_only) = 0;
  // Compare-and-set: moves request `id` from state `from` to `to` with the decider and note. False when the
  // request was not in state `from` (another decision won).
  virtual Result<bool> SetApprovalState(int64_t id, std::string_view from, std::string_view to,
                                        const std::string& decided_by, const std::string& note) = 0;
  // The agencies holding records on person `person_id` (empty for no such person).
  virtual Result<std::vector<std::string>> ReadPersonAgencies(int64_t person_id) = 0;
  // Applies an approved account grant: a new enabled account that must enrol (password_hash and enrol_hash
  // are the two halves' hashes; the TOTP secret is a random one nobody is shown). AlreadyExists: name taken.
  virtual Result<int64_t> InsertEnrollingUser(const User& user) = 0;
  // Applies an approved reset: the two halves' hashes, a fresh unseen TOTP secret, must enrol, enabled, and
  // every session of the account revoked.
  virtual Status ResetToEnrolment(int64_t user_id, const std::string& password_hash, const std::string& enrol_hash,
                                  const std::string& totp_secret) = 0;
  // Applies an approved role change (the caller resets the account to enrolment in the same unit).
  virtual Status SetUserRole(int64_t user_id, Role role) = 0;
  // Applies an approved relationship; returns its id, or 0 when the same one is already current.
  virtual Result<int64_t> InsertCareRelationship(int64_t user_id, int64_t person_id, std::string_view kind,
                                                 const std::string& created_by) = 0;
  // Enrolment at first sign-in: the TOTP secret being enrolled (base32; sealed by the store), then the new
  // password hash, which ends enrolment (must_enrol 0, the step used, every session revoked).
  virtual Status SetEnrolmentTotp(int64_t user_id, const std::string& totp_secret) = 0;
  virtual Status CompleteEnrolment(int64_t user_id, const std::string& password_hash, int64_t totp_step) = 0;
};

}  // namespace riskradar::store

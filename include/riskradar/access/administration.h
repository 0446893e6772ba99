// Separation of duties on the access-and-audit path: the people who manage accounts cannot give themselves or
// each other access to personal data. A care relationship, a MASE listing, a new account and a credential
// reset are requests; a second person in an authorised role approves them, and the approval applies the
// change in the same unit of work as its audit event. Nobody approves their own request or one that benefits
// them. An approved account grant or reset leaves the account needing enrolment (a new password and TOTP
// secret) at its first sign-in, with a one-time code in two halves: the requester is shown one, the approver
// the other, so neither alone holds working credentials.
//
// The rule is pure (DecideApproval, ApproverInScope): testable without a store. Administration applies it
// over the store contracts (users.h), inside a unit of work, auditing every step, allowed or refused.
//
// Thread safety: an Administration wraps one Store and is used from that store's thread.
// Errors: NotFound for a request, child or user the caller may not act on and for a missing one alike (the
// audit outcome tells them apart); PermissionDenied for one's own request or one that benefits oneself;
// Conflict when the request is no longer pending (or expired) or the same one is already pending;
// InvalidArgument for bad input. Store errors pass through; a failed audit write returns no data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

// A pending request lapses after this long.
inline constexpr int64_t kApprovalTtlS = 14 * 86400;

// What the rule decides on about one request.
struct ApprovalFacts {
  store::ApprovalKind kind = store::ApprovalKind::kCareRelationship;
  std::string requested_by;
  std::string subject_user;                 // the account that gains access or credentials
  std::string subject_agency;               // that account's agency
  std::vector<std::string> child_agencies;  // relationships: the agencies holding records on the child
  std::string state = "pending";
  bool expired = false;  // pending past its expiry
};

enum class ApprovalVerdict {
  kApprove,      // the approver may approve (or reject) it
  kNotInScope,   // not a request this person may act on: answered like a missing one
  kOwnRequest,   // the approver asked for it
  kBeneficiary,  // the approver is the account that would gain
  kNotPending,   // already approved, rejected or withdrawn
  kExpired,      // pending past its expiry
};
std::string_view ToString(ApprovalVerdict verdict);

// Whether `viewer`'s role and agency make them an approver of such a request: relationships and listings,
// an IG lead or a manager of an agency holding records on the child; account grants and resets, an
// administrator or the IG lead of the account's agency. (Who they are is DecideApproval's business.)
bool ApproverInScope(const Viewer& viewer, const ApprovalFacts& facts);
// The rule for approving or rejecting: in scope, never the requester, never the beneficiary, only pending.
ApprovalVerdict DecideApproval(const Viewer& approver, const ApprovalFacts& facts);
// Who sees a request in their review list: its requester and every approver in scope.
bool MayListRequest(const Viewer& viewer, const ApprovalFacts& facts);

// Material made by the caller outside the unit of work: the approver's half of the enrolment code (its hash,
// server/auth.h HashRandomSecret) and an unseen TOTP secret for the account until it enrols. Used for account
// grants, role changes and resets only.
struct ApprovalMaterial {
  std::string enrol_hash;
  std::string totp_secret;
};

class Administration {
 public:
  explicit Administration(store::Store& store) : store_(store) {}

  // A manager asks for `user_name` (an active practitioner or manager of their agency, themselves included)
  // to be given an allocated case or a MASE listing of child `person_id`, whom the manager may see. Audited
  // "approval_request".
  Result<store::ApprovalRequest> RequestRelationship(const Viewer& manager, int64_t person_id,
                                                     std::string_view user_name, store::ApprovalKind kind,
                                                     const std::string& reason, int64_t now_s,
                                                     const store::Actor& actor);
  // An administrator asks for a new account `name` with `role` in their own agency; `enrol_part_hash` is the
  // Argon2id hash of the requester's half of its enrolment code. Audited "approval_request".
  Result<store::ApprovalRequest> RequestAccountGrant(const Viewer& admin, const std::string& name, Role role,
                                                     const std::string& reason, const std::string& enrol_part_hash,
                                                     int64_t now_s, const store::Actor& actor);
  // An administrator asks for another account of their agency to get `role` (a promotion or any other
  // change); approved, the account also resets to enrolment. Conflict: oneself; InvalidArgument: its role.
  Result<store::ApprovalRequest> RequestRoleChange(const Viewer& admin, std::string_view name, Role role,
                                                   const std::string& reason, const std::string& enrol_part_hash,
                                                   int64_t now_s, const store::Actor& actor);
  // An administrator asks for another account of their agency to be reset to enrolment. Conflict: oneself.
  Result<store::ApprovalRequest> RequestCredentialReset(const Viewer& admin, std::string_view name,
                                                        const std::string& reason, const std::string& enrol_part_hash,
                                                        int64_t now_s, const store::Actor& actor);

  // The requests `viewer` may list (MayListRequest), pending ones or all; audited "list_approvals".
  Result<std::vector<store::ApprovalRequest>> ListRequests(const Viewer& viewer, bool pending_only, int64_t now_s,
                                                           const store::Actor& actor);
  // Every request, for the host's operator (the command line); audited "list_approvals" like the above.
  Result<std::vector<store::ApprovalRequest>> ListAllRequests(bool pending_only, int64_t now_s,
                                                              const store::Actor& actor);
  // Approves request `id` and applies it in the same unit of work; audited "approval_approve" (allowed or
  // refused with the verdict). Applied once: a second approval finds it no longer pending.
  Result<store::ApprovalRequest> Approve(const Viewer& approver, int64_t id, const std::string& note,
                                         const ApprovalMaterial& material, int64_t now_s, const store::Actor& actor);
  // Rejects it (the same rule as approving); audited "approval_reject".
  Result<store::ApprovalRequest> Reject(const Viewer& approver, int64_t id, const std::string& note, int64_t now_s,
                                        const store::Actor& actor);
  // The requester withdraws their pending request; audited "approval_withdraw".
  Result<store::ApprovalRequest> Withdraw(const Viewer& requester, int64_t id, int64_t now_s,
                                          const store::Actor& actor);

  // `riskradar init`: the store's first account, `user` (an administrator), made to enrol at its first sign-in
  // (user.password_hash and user.enrol_hash hash the two halves of its one-time code; user.totp_secret is an
  // unseen one). FailedPrecondition, audited as refused, when the store already has any account: later
  // accounts take the two-person path. Audited "user_add" with purpose and details naming the bootstrap.
  Status BootstrapFirstAdministrator(const store::User& user, const store::Actor& actor);

  // Enrolment at first sign-in: the TOTP secret being enrolled (audited "enrol_start"), then the new
  // password's hash once a code of that secret was shown (audited "enrol"; every session is revoked).
  Status BeginEnrolment(const store::User& user, const std::string& totp_secret, const store::Actor& actor);
  Status CompleteEnrolment(const store::User& user, const std::string& password_hash, int64_t totp_step,
                           const store::Actor& actor);

 private:
  Result<ApprovalFacts> FactsFor(const store::ApprovalRequest& request, int64_t now_s);
  Result<store::ApprovalRequest> RequestForAccount(const Viewer& admin, std::string_view name, std::optional<Role> role,
                                                   const std::string& reason, const std::string& enrol_part_hash,
                                                   int64_t now_s, const store::Actor& actor);
  Result<std::vector<store::ApprovalRequest>> List(const Viewer* viewer, bool pending_only, int64_t now_s,
                                                   const store::Actor& actor);
  Result<store::ApprovalRequest> Decide(const Viewer& approver, int64_t id, const std::string& note, bool approve,
                                        const ApprovalMaterial& material, int64_t now_s, const store::Actor& actor);
  Result<store::ApprovalRequest> Insert(store::UnitOfWork& unit, store::ApprovalRequest request,
                                        const store::Actor& actor);
  store::Store& store_;
};

}  // namespace riskradar::access

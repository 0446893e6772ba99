// Governance on the access-and-audit path: the users of an agency and their administration, sharing
// agreements, care relationships, IG alerts and break-glass review. The store contracts (users.h,
// need_to_know.h) return rows and facts and write only what they are told, inside the caller's unit of work;
// the rules here are pure (testable without a store, tests/access/governance_rule_test.cc) and Governance
// applies them over the contracts: one unit of work per operation, the audit event (allowed or refused)
// appended in it, committed before any data is returned.
//
// Thread safety: a Governance wraps one Store and is used from that store's thread.
// Errors: NotFound for a user, agreement, child, relationship or grant the caller may not act on and for a
// missing one alike (the audit outcome tells them apart: not_found or refused); Conflict for oneself and for
// what is already ended or reviewed; PermissionDenied for a partnership-wide scope not configured for the
// caller's agency; InvalidArgument for bad input (not audited). Store errors pass through; a failed audit
// write returns no data.
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

// ---- the pure rules

// What a rule decides about acting on one thing.
enum class GovernanceVerdict {
  kAllow,        // go ahead
  kNotFound,     // no such thing (audited not_found)
  kRefused,      // not the caller's to act on: answered like a missing one (audited refused)
  kSelf,         // an administrator acting on their own account
  kAlreadyDone,  // already ended or reviewed
};
std::string_view ToString(GovernanceVerdict verdict);

// The accounts of `agency`, by name, with no password hash, TOTP secret or enrolment hash ("" every agency).
std::vector<store::User> UsersOfAgency(const std::vector<store::User>& rows, std::string_view agency);
// Disabling account `target` (nullopt: no such account): only one of the administrator's own agency, never
// their own.
GovernanceVerdict DecideDisableUser(const Viewer& admin, const std::optional<store::User>& target);

// The agreements `agency` is a party to, provider or recipient ("" every agreement), by id.
std::vector<store::SharingAgreementRecord> AgreementsOfAgency(const std::vector<store::SharingAgreementRecord>& rows,
                                                              std::string_view agency);
// Ending an agreement: only one `agency` is a party to, only while in force.
GovernanceVerdict DecideEndAgreement(std::string_view agency,
                                     const std::optional<store::SharingAgreementRecord>& found);

// Whether `manager` may see the child whose mentions (with their records' agency and class) are `mentions`
// under `facts`: at least one record visible (core/access.h's DecideRecordAccess). The gate for listing and
// ending a child's care relationships.
bool ChildVisible(const std::vector<store::PersonMentionRow>& mentions, const Viewer& manager,
                  const ChildAccessFacts& facts);
// The relationships a manager keeps: those of users of the manager's own agency, by id.
std::vector<store::CareRelationshipRecord> RelationshipsKeptBy(const std::vector<store::CareRelationshipRecord>& rows,
                                                               const Viewer& manager);
// Ending relationship `found` of child `person_id` (nullopt: no such relationship): only one of that child,
// of a user of the manager's agency, still current. (The child's visibility is decided first: ChildVisible.)
GovernanceVerdict DecideEndRelationship(const Viewer& manager, int64_t person_id,
                                        const std::optional<store::CareRelationshipRecord>& found);

// The scope of an IG read: "" or "agency" gives the caller's own agency, "partnership" the whole partnership
// ("" returned), which only agencies the operator configured (`serve --ig-partnership-agency`) may read; an
// agency so configured reads the partnership by default. InvalidArgument for another value, PermissionDenied
// for a partnership scope not configured.
Result<std::string> DecideIgScope(std::string_view agency, std::string_view asked,
                                  const std::vector<std::string>& partnership_agencies);
// The alerts for `agency`'s IG lead(s) (open_only: the grant not yet reviewed), by id.
std::vector<store::IgAlert> AlertsForAgency(const std::vector<store::IgAlert>& rows, std::string_view agency,
                                            bool open_only);
// The grants in `scope` ("" the partnership; otherwise those alerted to that agency), unreviewed_only: not
// yet reviewed; by id.
std::vector<store::BreakGlassGrant> GrantsInScope(const std::vector<store::BreakGlassGrantRow>& rows,
                                                  std::string_view scope, bool unreviewed_only);
// Reviewing grant `grant` (nullopt: no such grant) for `agency`: only a grant alerted to that agency, once.
GovernanceVerdict DecideBreakGlassReview(std::string_view agency,
                                         const std::optional<store::BreakGlassGrantRow>& grant);

// ---- the operations

struct BreakGlassList {
  std::string scope;  // an agency code, or "partnership"
  std::vector<store::BreakGlassGrant> grants;
};

class Governance {
 public:
  explicit Governance(store::Store& store) : store_(store) {}

  // The accounts of the viewer's agency (no hashes or secrets), audited "list_users" on "agency:CODE".
  Result<std::vector<store::User>> ListAgencyUsers(const Viewer& viewer, const store::Actor& actor);
  // Every account (no hashes or secrets), for the host's operator at the command line; audited "list_users"
  // on "users".
  Result<std::vector<store::User>> ListAllUsers(const store::Actor& actor);
  // Disables account `name` of the administrator's own agency and revokes its sessions, audited
  // "user_disable". NotFound: no such user in that agency. Conflict: oneself.
  Status DisableAgencyUser(const Viewer& admin, std::string_view name, const store::Actor& actor);

  // The agreements `agency` is a party to ("" every one): organisational facts, no personal data, so not
  // audited (as before the move).
  Result<std::vector<store::SharingAgreementRecord>> ListSharingAgreements(std::string_view agency);
  // Ends agreement `id` that `agency` is a party to, from `now_s` on; audited "sharing_agreement_end".
  // NotFound otherwise; Conflict if already ended.
  Result<store::SharingAgreementRecord> EndSharingAgreement(int64_t id, std::string_view agency,
                                                            const std::string& reason, int64_t now_s,
                                                            const store::Actor& actor);

  // The relationships the manager's agency keeps over child `person_id`, whom the manager must see now;
  // audited "list_relationships" on "person:ID". NotFound for a missing child and a hidden one alike.
  Result<std::vector<store::CareRelationshipRecord>> ListCareRelationships(const Viewer& manager, int64_t person_id,
                                                                           int64_t now_s, const store::Actor& actor);
  // Ends relationship `relationship_id` of that child (a child the manager sees, a user of their agency);
  // audited "relationship_end" on "person:ID". NotFound otherwise; Conflict when already ended.
  Result<store::CareRelationshipRecord> EndCareRelationship(const Viewer& manager, int64_t person_id,
                                                            int64_t relationship_id, int64_t now_s,
                                                            const store::Actor& actor);

  // The alerts for the viewer's agency, audited "list_alerts" on "agency:CODE".
  Result<std::vector<store::IgAlert>> ListIgAlerts(const Viewer& viewer, bool open_only, const store::Actor& actor);
  // Records the IG review of a grant alerted to the viewer's agency (outcome appropriate | inappropriate, a
  // note); inappropriate ends the grant at once. Audited "break_glass_review" on "break_glass:ID". NotFound
  // when no alert of that agency names the grant; Conflict if already reviewed.
  Result<store::IgAlert> ReviewBreakGlass(const Viewer& viewer, int64_t grant_id, const std::string& outcome,
                                          const std::string& note, const store::Actor& actor);
  // The break-glass grants in the scope DecideIgScope gives (`asked`, `partnership_agencies`), audited
  // "list_break_glass"; a partnership scope not configured is refused, audited "forbidden".
  Result<BreakGlassList> ListBreakGlass(const Viewer& viewer, std::string_view asked,
                                        const std::vector<std::string>& partnership_agencies, bool unreviewed_only,
                                        const store::Actor& actor);

 private:
  // Whether the manager may see child `person_id` now: "ok", "not_found" or "refused". A missing child does
  // the work of a hidden one (a stand-in record, its facts, the rule), as the child view does.
  Result<const char*> ChildAccess(const Viewer& manager, int64_t person_id, int64_t now_s);
  store::Store& store_;
};

}  // namespace riskradar::access

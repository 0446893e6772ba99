// Store contract: the facts the need-to-know rule (core/access.h) decides on: sharing agreements, care
// relationships, break-glass grants and their IG review. The contract returns facts; the rule is applied by
// the access layer (include/riskradar/access/), never by a backend.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: AddSharingAgreement, AddCareRelationship and GrantBreakGlass commit in one transaction with
// their audit event. ReadChildAccessFacts and the rows-and-facts methods below read and write inside whatever
// unit of work is open (see unit_of_work.h); they never filter by viewer or agency and never audit.
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

struct SharingAgreement {
  int64_t id = 0;
  std::string provider_agency;   // whose records
  std::string recipient_agency;  // who may see them
  std::string data_class = "*";  // record class, or "*"
  std::string purpose;
  std::string lawful_basis;
  std::optional<int64_t> valid_until_s;
};

struct CareRelationship {
  int64_t user_id = 0;
  int64_t person_id = 0;
  std::string kind = "allocated_case";  // allocated_case | mase_listing
};

struct BreakGlassGrant {
  int64_t id = 0;
  std::string user_name;
  std::string agency_code;
  int64_t person_id = 0;
  std::string reason;
  std::string granted_at;
  int64_t expires_at_s = 0;
  std::string reviewed_by;
  std::string reviewed_at;
};

// A grant as stored, with the agencies it is alerted to (the grantee's, and each holding records on the person)
// and its review.
struct BreakGlassGrantRow {
  BreakGlassGrant grant;
  std::vector<std::string> alerted_agencies;  // sorted
  std::string review_outcome, review_note;    // empty until reviewed
};

struct SharingAgreementRecord {
  SharingAgreement agreement;
  std::string created_at;
  std::string ended_at, ended_by, end_reason;  // empty while in force
};

struct CareRelationshipRecord {
  int64_t id = 0;
  std::string user_name, agency_code;
  int64_t person_id = 0;
  std::string kind;
  std::string created_at, created_by;
  std::string ended_at, ended_by;  // empty while current
};

// An alert for an agency's IG lead(s): today, a break-glass grant (by one of the agency's users, or over a
// person the agency holds records on), open until the grant is reviewed.
struct IgAlert {
  int64_t id = 0;
  std::string agency_code, kind, created_at;
  BreakGlassGrant grant;
  std::string review_outcome, review_note;  // empty until reviewed
};

class NeedToKnowStore {
 public:
  virtual ~NeedToKnowStore() = default;

  // What holds between `viewer` and person `person_id` at `now_s`: a current relationship, an unexpired
  // break-glass grant, and the agreements in force to the viewer's agency. Not audited by itself: the access
  // layer calls it inside the unit of work whose audit event records the decision.
  virtual Result<ChildAccessFacts> ReadChildAccessFacts(const Viewer& viewer, int64_t person_id, int64_t now_s) = 0;

  // Need-to-know facts.
  virtual Result<int64_t> AddSharingAgreement(const SharingAgreement& agreement, const Actor& actor) = 0;
  virtual Status AddCareRelationship(const CareRelationship& relationship, const Actor& actor) = 0;
  virtual Result<BreakGlassGrant> GrantBreakGlass(const Viewer& viewer, int64_t person_id, const std::string& reason,
                                                  int64_t now_s, int64_t ttl_s, const Actor& actor) = 0;

  // ---- Rows and facts for the access layer (access/governance.h), never filtered by agency or viewer and not
  // audited by themselves: read and written inside the caller's unit of work, which carries the audit event.
  // Every sharing agreement, in force or ended, by id.
  virtual Result<std::vector<SharingAgreementRecord>> ReadSharingAgreements() = 0;
  virtual Result<std::optional<SharingAgreementRecord>> ReadSharingAgreement(int64_t id) = 0;
  // Ends agreement `id` from `now_s` on (the end also caps valid_until_s). False when it had already ended.
  virtual Result<bool> SetSharingAgreementEnded(int64_t id, const std::string& ended_by, const std::string& reason,
                                                int64_t now_s) = 0;
  // Every care relationship over person `person_id` (current or ended, users of every agency), by id.
  virtual Result<std::vector<CareRelationshipRecord>> ReadCareRelationships(int64_t person_id) = 0;
  virtual Result<std::optional<CareRelationshipRecord>> ReadCareRelationship(int64_t relationship_id) = 0;
  // Ends relationship `relationship_id`. False when it had already ended.
  virtual Result<bool> SetCareRelationshipEnded(int64_t relationship_id, const std::string& ended_by) = 0;
  // Every IG alert (every agency, reviewed or not), by id.
  virtual Result<std::vector<IgAlert>> ReadIgAlerts() = 0;
  // The alerts naming grant `grant_id` (one per agency alerted), by id.
  virtual Result<std::vector<IgAlert>> ReadIgAlertsOfGrant(int64_t grant_id) = 0;
  // Every break-glass grant with the agencies alerted to it, by id.
  virtual Result<std::vector<BreakGlassGrantRow>> ReadBreakGlassGrants() = 0;
  virtual Result<std::optional<BreakGlassGrantRow>> ReadBreakGlassGrant(int64_t grant_id) = 0;
  // Records the review of grant `grant_id` (reviewed_by, now, outcome, note); `end_grant` also ends it at once
  // (expiry 0). False when it had already been reviewed; InvalidArgument for an outcome other than
  // appropriate | inappropriate.
  virtual Result<bool> SetBreakGlassReview(int64_t grant_id, const std::string& reviewed_by, const std::string& outcome,
                                           const std::string& note, bool end_grant) = 0;
};

}  // namespace riskradar::store

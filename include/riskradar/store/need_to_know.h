// Store contract: the facts the need-to-know rule (core/access.h) decides on: sharing agreements, care
// relationships, break-glass grants and their IG review. The contract returns facts; the rule is applied by
// the access layer (include/riskradar/access/), never by a backend.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: every change commits in one transaction with its audit event. ReadChildAccessFacts reads
// inside whatever unit of work is open (see unit_of_work.h).
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
  // `agency` non-empty: only grants alerted to that agency (its own users' grants and grants on persons it
  // holds records on); empty: the whole partnership.
  virtual Result<std::vector<BreakGlassGrant>> ListBreakGlass(bool unreviewed_only, std::string_view agency) = 0;

  // Agreements where `agency` is provider or recipient ("" lists all), in force or ended, oldest first.
  virtual Result<std::vector<SharingAgreementRecord>> ListSharingAgreements(std::string_view agency) = 0;
  // Ends an agreement that `agency` is a party to, from now on (NotFound otherwise; Conflict if already ended).
  virtual Result<SharingAgreementRecord> EndSharingAgreement(int64_t id, std::string_view agency,
                                                             const std::string& reason, int64_t now_s,
                                                             const Actor& actor) = 0;

  // Care relationships, kept by a manager for users of their own agency, over a child the manager may see
  // (NotFound otherwise, audited). A new relationship is an approval request (access/administration.h).
  virtual Result<std::vector<CareRelationshipRecord>> ListCareRelationships(const Viewer& manager, int64_t person_id,
                                                                            int64_t now_s, const Actor& actor) = 0;
  // Conflict when already ended.
  virtual Result<CareRelationshipRecord> EndCareRelationship(const Viewer& manager, int64_t person_id,
                                                             int64_t relationship_id, int64_t now_s,
                                                             const Actor& actor) = 0;

  // Alerts for one agency's IG lead(s) (open ones: grant not yet reviewed), audited ("list_alerts").
  virtual Result<std::vector<IgAlert>> ListIgAlerts(std::string_view agency, bool open_only, const Actor& actor) = 0;
  // Records the IG review of a grant alerted to `agency`: outcome appropriate | inappropriate, a note; sets
  // reviewed_by and reviewed_at. NotFound when no alert of that agency names the grant; Conflict if reviewed.
  virtual Result<IgAlert> ReviewBreakGlass(int64_t grant_id, std::string_view agency, const std::string& outcome,
                                           const std::string& note, const Actor& actor) = 0;
};

}  // namespace riskradar::store

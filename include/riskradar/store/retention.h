// Store contract: retention (deleting what is past its keep period) and legal holds.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: ApplyRetention deletes in one transaction with its audit event (counts only, no identifiers).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

// ---- retention and legal holds (see docs/operator-guide.md, "Retention")

// How long source records of one record class are kept, counted from the record's latest event date.
struct RetentionRule {
  std::string record_class;  // as set by the mapping, e.g. "child_protection"
  int64_t keep_days = 0;
};
struct RetentionPolicy {
  std::string version;
  std::vector<RetentionRule> rules;
  // Classes without a rule are kept (never deleted by default): a missing rule must not destroy records. Ingest
  // refuses a class that has neither a rule nor an explicit keep rule (`keep = "indefinitely"`), listed here.
  std::vector<std::string> kept_classes;
  int64_t quarantine_keep_days = 90;  // quarantined rows hold raw personal data
};
// A hold stops deletion of records about a person, from an agency, or of one import batch.
struct LegalHold {
  int64_t id = 0;
  std::string scope;   // "person", "agency" or "batch"
  std::string target;  // person id, agency code or batch id
  std::string reason;
  std::string placed_by, placed_at, released_by, released_at;
};
struct RetentionClassCount {
  std::string record_class;
  int64_t due = 0;   // past retention and not held: deleted by apply
  int64_t held = 0;  // past retention but under a legal hold: kept
};
struct RetentionOutcome {
  std::vector<RetentionClassCount> classes;
  // Record classes the store holds that no rule of the policy names, with their record counts: nothing of
  // theirs is ever deleted (kept with no rule). By class name.
  std::vector<std::pair<std::string, int64_t>> unruled;
  int64_t quarantine_due = 0;
  int64_t persons_erased = 0;  // people left with no record: name and date of birth cleared, assessments removed
  bool applied = false;
};

class RetentionStore {
 public:
  virtual ~RetentionStore() = default;

  // Retention and legal holds. PlanRetention changes nothing; ApplyRetention deletes the due records with
  // everything derived from them in one transaction (SQLite secure_delete on, WAL truncated afterwards),
  // audited with counts only. Re-run link and assess afterwards.
  virtual Result<int64_t> AddLegalHold(const LegalHold& hold, const Actor& actor) = 0;
  virtual Status ReleaseLegalHold(int64_t id, const Actor& actor) = 0;
  virtual Result<std::vector<LegalHold>> ListLegalHolds(bool active_only) = 0;
  virtual Result<RetentionOutcome> PlanRetention(const RetentionPolicy& policy, Date as_of) = 0;
  virtual Result<RetentionOutcome> ApplyRetention(const RetentionPolicy& policy, Date as_of, const Actor& actor) = 0;
};

}  // namespace riskradar::store

// Store contract: the clerical review queue as reviewers see it (pairs with both mentions), and decisions.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: each read writes its audit event in its own transaction; a decision is a compare-and-set
// on the item's version in one transaction with its audit event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"
#include "riskradar/store/linkage.h"

namespace riskradar::store {

// ---- administration, review queue, alerts

// One mention of a review pair as a reviewer sees it (personal data: only from audited reads).
struct ReviewMention {
  int64_t mention_id = 0;
  int64_t person_id = 0;  // the person the mention belongs to now (0: none)
  std::string agency_code, record_class, local_id;
  std::string forename, surname, sex, postcode, nhs_number, upn;
  std::optional<Date> dob;
};

// A review queue item: a stable id (never reused; a linkage run re-queues pending pairs under new ids) and a
// version, bumped by every decision, that the server sends as the ETag.
struct ReviewQueueItem {
  int64_t id = 0;
  int64_t version = 0;
  ReviewItem item;
  ReviewMention left, right;
};

struct ReviewQueuePage {
  int64_t pending_total = 0;           // every pending pair in the region (an aggregate, shown to every reviewer role)
  int64_t visible_pending = 0;         // pending pairs whose both records the viewer may see
  std::vector<ReviewQueueItem> items;  // up to the limit, most uncertain first; empty for aggregate-only callers
};

// One review item with what explains it: the model_json of the newest linkage run ("" before any run).
struct ReviewItemDetail {
  ReviewQueueItem item;
  std::string model_json;
};

struct ReviewDecisionRequest {
  int64_t id = 0;
  int64_t expected_version = 0;  // from If-Match
  std::string status;            // confirmed | rejected
  std::string reason;
};

// How a decision request ended. Every outcome writes its audit event in the decision's transaction.
enum class ReviewDecisionOutcome { kDecided, kNotFound, kStale, kAlreadyDecided };
struct ReviewDecisionResult {
  ReviewDecisionOutcome outcome = ReviewDecisionOutcome::kNotFound;
  ReviewQueueItem item;  // after the decision (kDecided), or as found (kStale, kAlreadyDecided)
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;

  // ---- administration, review queue, alerts
  // Reads of personal data and refusals write their audit event in the same transaction. "NotFound" answers
  // both a missing thing and one outside the caller's rights (the audit outcome tells them apart).

  // Pending review pairs. Items (with both mentions) only when `with_items`, and only those whose both
  // records the viewer may see under need-to-know; audited as one "list_review" event.
  virtual Result<ReviewQueuePage> ListReviewQueue(const Viewer& viewer, int64_t now_s, bool with_items, int64_t limit,
                                                  const Actor& actor) = 0;
  // One review item (any status) whose both records the viewer may see; audited ("read_review").
  virtual Result<ReviewItemDetail> ReadReviewItem(int64_t id, const Viewer& viewer, int64_t now_s,
                                                  const Actor& actor) = 0;
  // Decides a pending item if its version is still `expected_version` (compare-and-set in one transaction).
  // Audit: "review_confirm" / "review_reject" on success (as DecideReview, which later link runs respect);
  // "review_decision" with outcome not_found | refused | stale | already_decided otherwise.
  virtual Result<ReviewDecisionResult> DecideReviewItem(const ReviewDecisionRequest& request, const Viewer& viewer,
                                                        int64_t now_s, const Actor& actor) = 0;
};

}  // namespace riskradar::store

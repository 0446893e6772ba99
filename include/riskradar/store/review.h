// Store contract: the clerical review queue as reviewers see it (pairs with both mentions), and decisions.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: every method reads (and SetReviewDecision writes) inside the open unit of work (see
// unit_of_work.h). Rows are returned unfiltered, with each mention's agency_code, record_class and person:
// the access layer (access::AuditedAccess) decides need-to-know and audits. A decision is a compare-and-set on
// the item's version, run by the access layer in a write unit together with its audit event.
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

// Pairs of the review queue, unfiltered: pending ones first, each group most uncertain first (nearest
// p = 0.5), then by id.
struct ReviewQueueRows {
  int64_t pending_total = 0;           // every pending pair
  std::vector<ReviewQueueItem> items;  // the pairs of the status asked for
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

// A decision on one pair, addressed either by item id with the version the decider saw (the server: a
// compare-and-set), or, with id 0, by its two mentions (an operator at the command line: queued or not, since
// a split of a linked pair is a rejection; the score is kept for a new row; no version check).
struct ReviewDecisionRequest {
  int64_t id = 0;
  int64_t expected_version = 0;  // from If-Match
  std::string status;            // confirmed | rejected
  std::string reason;
  int64_t left_mention_id = 0, right_mention_id = 0;  // id 0 only
  double match_weight = 0, match_probability = 0;     // id 0 only: for a pair that was never queued
};

// How a decision request ended. Every outcome writes its audit event in the decision's unit of work.
enum class ReviewDecisionOutcome { kDecided, kNotFound, kStale, kAlreadyDecided };
struct ReviewDecisionResult {
  ReviewDecisionOutcome outcome = ReviewDecisionOutcome::kNotFound;
  ReviewQueueItem item;  // after the decision (kDecided), or as found (kStale, kAlreadyDecided)
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;

  // The pairs of `status` (pending | confirmed | rejected; "" every pair) with both mentions, and the pending
  // count; only the count when !with_items. InvalidArgument for another status.
  virtual Result<ReviewQueueRows> ReadReviewQueue(std::string_view status, bool with_items) = 0;
  // One review item (any status) with both mentions; nullopt when there is none.
  virtual Result<std::optional<ReviewQueueItem>> ReadReviewItemRow(int64_t id) = 0;
  // The item of the pair of these two mentions (either order); nullopt when the pair was never queued.
  virtual Result<std::optional<ReviewQueueItem>> FindReviewPair(int64_t mention_a, int64_t mention_b) = 0;
  // Writes a decision: status (confirmed | rejected), reason, decided_by and decided_at. By id: only if the
  // item is still pending at request.expected_version (the version then goes up by one), Conflict otherwise
  // (nothing written). By pair (id 0): on the queued pair, or a new row with the request's score; NotFound for
  // an unknown mention, InvalidArgument for a pair of one mention. Returns the item after the decision.
  virtual Result<ReviewQueueItem> SetReviewDecision(const ReviewDecisionRequest& request, std::string_view decided_by,
                                                    std::string_view decided_at) = 0;
};

}  // namespace riskradar::store

// SqliteStore's review queue rows (store/review.h): pending pairs and single items with both mentions, and the
// compare-and-set of a decision. Unfiltered and unaudited: read and written inside the access layer's unit of
// work, which decides need-to-know and writes the audit event (include/riskradar/access/).
#include <algorithm>

#include "sqlite_store.h"

namespace riskradar::store {
namespace {

// The review item and both of its mentions, with the records and persons they belong to.
constexpr const char* kReviewSelect =
    "SELECT lr.id, lr.version, lr.left_mention_id, lr.right_mention_id, lr.match_weight, lr.match_probability, "
    "lr.status, lr.reason, lr.decided_by, COALESCE(lr.decided_at, ''), "
    "COALESCE(mpl.person_id, 0), rl.agency_code, rl.record_class, rl.local_id, ml.forename, ml.surname, ml.sex, "
    "ml.postcode, ml.nhs_number, ml.upn, ml.dob, "
    "COALESCE(mpr.person_id, 0), rr.agency_code, rr.record_class, rr.local_id, mr.forename, mr.surname, mr.sex, "
    "mr.postcode, mr.nhs_number, mr.upn, mr.dob "
    "FROM link_review lr "
    "JOIN person_mention ml ON ml.id = lr.left_mention_id JOIN source_record rl ON rl.id = ml.source_record_id "
    "LEFT JOIN mention_person mpl ON mpl.mention_id = ml.id "
    "JOIN person_mention mr ON mr.id = lr.right_mention_id JOIN source_record rr ON rr.id = mr.source_record_id "
    "LEFT JOIN mention_person mpr ON mpr.mention_id = mr.id ";

ReviewMention MentionFromRow(const sql::Statement& q, int first, int64_t mention_id) {
  ReviewMention m;
  m.mention_id = mention_id;
  m.person_id = q.Int(first);
  m.agency_code = q.Text(first + 1);
  m.record_class = q.Text(first + 2);
  m.local_id = q.Text(first + 3);
  m.forename = q.Text(first + 4);
  m.surname = q.Text(first + 5);
  m.sex = q.Text(first + 6);
  m.postcode = q.Text(first + 7);
  m.nhs_number = q.Text(first + 8);
  m.upn = q.Text(first + 9);
  m.dob = DateFrom(q.OptInt(first + 10));
  return m;
}

ReviewQueueItem ReviewFromRow(const sql::Statement& q) {
  ReviewQueueItem r;
  r.id = q.Int(0);
  r.version = q.Int(1);
  r.item = {q.Int(2), q.Int(3), q.Real(4), q.Real(5), q.Text(6), q.Text(7), q.Text(8), q.Text(9)};
  r.left = MentionFromRow(q, 10, r.item.left_mention_id);
  r.right = MentionFromRow(q, 21, r.item.right_mention_id);
  return r;
}

}  // namespace

Result<ReviewQueueRows> SqliteStore::ReadReviewQueue(std::string_view status, bool with_items) {
  if (!status.empty() && status != "pending" && status != "confirmed" && status != "rejected") {
    return Status::InvalidArgument("review status must be pending, confirmed or rejected, not '" + std::string(status) +
                                   "'");
  }
  ReviewQueueRows out;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT COUNT(*) FROM link_review WHERE status = 'pending'"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) out.pending_total = q.Int(0);
  }
  if (!with_items) return out;
  // Pending pairs nearest p = 0.5 first: those are the ones the model knows least about.
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kReviewSelect) +
                                             "WHERE ?1 = '' OR lr.status = ?1 ORDER BY lr.status <> 'pending', "
                                             "ABS(lr.match_probability - 0.5), lr.id"));
  q.Bind(1, status);
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.items.push_back(ReviewFromRow(q)); }));
  return out;
}

Result<std::optional<ReviewQueueItem>> SqliteStore::ReadReviewItemRow(int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kReviewSelect) + "WHERE lr.id = ?1"));
  q.Bind(1, id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<ReviewQueueItem>();
  return std::optional<ReviewQueueItem>(ReviewFromRow(q));
}

Result<std::optional<ReviewQueueItem>> SqliteStore::FindReviewPair(int64_t mention_a, int64_t mention_b) {
  // Pairs are stored smaller mention id first, as the link stage queues them.
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kReviewSelect) +
                                             "WHERE lr.left_mention_id = ?1 AND lr.right_mention_id = ?2"));
  q.Bind(1, std::min(mention_a, mention_b)).Bind(2, std::max(mention_a, mention_b));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<ReviewQueueItem>();
  return std::optional<ReviewQueueItem>(ReviewFromRow(q));
}

Result<ReviewQueueItem> SqliteStore::SetReviewDecision(const ReviewDecisionRequest& request,
                                                       std::string_view decided_by, std::string_view decided_at) {
  if (request.status != "confirmed" && request.status != "rejected") {
    return Status::InvalidArgument("a review decision is 'confirmed' or 'rejected', not '" + request.status + "'");
  }
  if (request.id == 0) {
    const int64_t left = std::min(request.left_mention_id, request.right_mention_id);
    const int64_t right = std::max(request.left_mention_id, request.right_mention_id);
    if (left == right) return Status::InvalidArgument("a pair needs two different mentions");
    {
      RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT COUNT(*) FROM person_mention WHERE id IN (?1, ?2)"));
      q.Bind(1, left).Bind(2, right);
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row || q.Int(0) != 2) {
        return Status::NotFound("no person mention " + std::to_string(left) + " or " + std::to_string(right));
      }
    }
    RR_ASSIGN_OR_RETURN(
        auto up,
        conn_->Prepare("INSERT INTO link_review (left_mention_id, right_mention_id, match_weight, match_probability, "
                       "status, reason, decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                       "ON CONFLICT (left_mention_id, right_mention_id) DO UPDATE SET status = excluded.status, "
                       "reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at"));
    RR_RETURN_IF_ERROR(up.Bind(1, left)
                           .Bind(2, right)
                           .Bind(3, request.match_weight)
                           .Bind(4, request.match_probability)
                           .Bind(5, request.status)
                           .Bind(6, request.reason)
                           .Bind(7, decided_by)
                           .Bind(8, decided_at)
                           .Run());
    RR_ASSIGN_OR_RETURN(auto after, FindReviewPair(left, right));
    if (!after) return Status::Internal("review pair vanished inside its own transaction");
    return std::move(*after);
  }
  // Compare-and-set: the version trigger bumps the version with the decision.
  RR_ASSIGN_OR_RETURN(auto up, conn_->Prepare("UPDATE link_review SET status = ?1, reason = ?2, decided_by = ?3, "
                                              "decided_at = ?4 WHERE id = ?5 AND version = ?6 AND status = 'pending'"));
  RR_RETURN_IF_ERROR(up.Bind(1, request.status)
                         .Bind(2, request.reason)
                         .Bind(3, decided_by)
                         .Bind(4, decided_at)
                         .Bind(5, request.id)
                         .Bind(6, request.expected_version)
                         .Run());
  if (up.Changes() != 1) return Status::Conflict("the review item is no longer pending at that version");
  RR_ASSIGN_OR_RETURN(auto after, ReadReviewItemRow(request.id));
  if (!after) return Status::Internal("review item vanished inside its own transaction");
  return std::move(*after);
}

}  // namespace riskradar::store

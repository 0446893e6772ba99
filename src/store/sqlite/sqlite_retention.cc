// SqliteStore's retention: legal holds, and deleting source records past their class's retention period
// with everything derived from them, in one audited transaction with SQLite's secure_delete on.
#include <map>
#include <set>

#include "sqlite_store.h"

namespace riskradar::store {
namespace {

// Temporary tables for one run (the connection's own, on both backends); dropped at the end of the run. Named
// without a schema: SQLite and PostgreSQL both look in the connection's temporary schema first, and no store table
// has these names. BIGINT, not INTEGER: the ids are 64-bit on PostgreSQL too.
constexpr const char* kCreateRetentionTemp =
    "CREATE TEMP TABLE IF NOT EXISTS rr_due (id BIGINT PRIMARY KEY, record_class TEXT NOT NULL, "
    "held BIGINT NOT NULL DEFAULT 0);"
    "CREATE TEMP TABLE IF NOT EXISTS rr_due_mention (id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rr_due_place_mention (id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rr_touched (person_id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rr_erased (person_id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rr_due_quarantine (id BIGINT PRIMARY KEY);"
    "DELETE FROM rr_due; DELETE FROM rr_due_mention; DELETE FROM rr_due_place_mention;"
    "DELETE FROM rr_touched; DELETE FROM rr_erased; DELETE FROM rr_due_quarantine;";
constexpr const char* kDropTemp =
    "DROP TABLE IF EXISTS rr_due; DROP TABLE IF EXISTS rr_due_mention;"
    "DROP TABLE IF EXISTS rr_due_place_mention; DROP TABLE IF EXISTS rr_touched;"
    "DROP TABLE IF EXISTS rr_erased; DROP TABLE IF EXISTS rr_due_quarantine;";

Status CheckPolicy(const RetentionPolicy& policy) {
  std::map<std::string, int> seen;
  for (const RetentionRule& r : policy.rules) {
    if (r.record_class.empty()) return Status::InvalidArgument("a retention rule has no record class");
    if (r.keep_days < 1) {
      return Status::InvalidArgument("retention for '" + r.record_class + "' must be at least one day");
    }
    if (++seen[r.record_class] > 1) {
      return Status::InvalidArgument("record class '" + r.record_class + "' has two retention rules");
    }
  }
  if (policy.quarantine_keep_days < 1) return Status::InvalidArgument("quarantine retention must be at least one day");
  return Status::Ok();
}

}  // namespace

Result<int64_t> SqliteStore::AddLegalHold(const LegalHold& hold, const Actor& actor) {
  if (hold.scope != "person" && hold.scope != "agency" && hold.scope != "batch") {
    return Status::InvalidArgument("a legal hold's scope is person, agency or batch");
  }
  if (hold.target.empty() || hold.target.size() > 64) return Status::InvalidArgument("a legal hold needs a target");
  if (hold.reason.size() < 10 || hold.reason.size() > 2000) {
    return Status::InvalidArgument("give a reason of 10 to 2000 characters for a legal hold");
  }
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  {
    const char* exists = hold.scope == "person"   ? "SELECT 1 FROM person WHERE id = CAST(?1 AS BIGINT)"
                         : hold.scope == "agency" ? "SELECT 1 FROM agency WHERE code = ?1"
                                                  : "SELECT 1 FROM import_batch WHERE id = CAST(?1 AS BIGINT)";
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(exists));
    q.Bind(1, hold.target);
    RR_ASSIGN_OR_RETURN(bool found, q.Step());
    if (!found) return Status::NotFound("no " + hold.scope + " '" + hold.target + "' to hold");
  }
  RR_ASSIGN_OR_RETURN(
      auto ins,
      conn_->Prepare("INSERT INTO legal_hold (scope, target, reason, placed_by, placed_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                     "RETURNING id"));
  ins.Bind(1, hold.scope).Bind(2, hold.target).Bind(3, hold.reason).Bind(4, actor.user).Bind(5, NowUtcIso());
  RR_ASSIGN_OR_RETURN(const int64_t id, ins.RunForNewId("a legal hold"));
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, "legal_hold_add", hold.scope + ":" + hold.target, {{"hold", id}, {"reason", hold.reason}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Status SqliteStore::ReleaseLegalHold(int64_t id, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("UPDATE legal_hold SET released_by = ?2, released_at = ?3 WHERE id = ?1 AND released_at IS NULL"));
  RR_RETURN_IF_ERROR(q.Bind(1, id).Bind(2, actor.user).Bind(3, NowUtcIso()).Run());
  if (q.Changes() == 0) return Status::NotFound("no active legal hold " + std::to_string(id));
  RR_RETURN_IF_ERROR(
      AppendAuditLocked(MakeAudit(actor, "legal_hold_release", "legal_hold:" + std::to_string(id), json::object())));
  return txn.Commit();
}

Result<std::vector<LegalHold>> SqliteStore::ListLegalHolds(bool active_only) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id, scope, target, reason, placed_by, placed_at, "
                                             "COALESCE(released_by, ''), COALESCE(released_at, '') "
                                             "FROM legal_hold WHERE ?1 = 0 OR released_at IS NULL ORDER BY id"));
  q.Bind(1, active_only ? 1 : 0);
  std::vector<LegalHold> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)});
  }));
  return out;
}

Result<RetentionOutcome> SqliteStore::PlanRetention(const RetentionPolicy& policy, Date as_of) {
  RR_RETURN_IF_ERROR(CheckPolicy(policy));
  // A transaction gives the plan one consistent snapshot; it is rolled back (nothing changes).
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  auto out = RetentionLocked(policy, as_of, false);
  (void)conn_->Exec(kDropTemp);
  return out;
}

Result<RetentionOutcome> SqliteStore::ApplyRetention(const RetentionPolicy& policy, Date as_of, const Actor& actor) {
  RR_RETURN_IF_ERROR(CheckPolicy(policy));
  // SQLite: secure_delete overwrites freed content with zeros, so deleted records do not linger in free pages.
  // PostgreSQL has no such setting: deleted rows stay in the table's pages until VACUUM reclaims them (and the
  // WAL segments until they are recycled), so its operator runs VACUUM after retention.
  const bool sqlite = conn_->backend() == sql::Backend::kSqlite;
  if (sqlite) RR_RETURN_IF_ERROR(conn_->Exec("PRAGMA secure_delete = ON"));
  Result<RetentionOutcome> out = Status::Internal("retention did not run");
  {
    auto txn = sql::Transaction::Begin(*conn_);
    if (!txn.ok()) {
      if (sqlite) (void)conn_->Exec("PRAGMA secure_delete = OFF");
      return txn.status();
    }
    out = RetentionLocked(policy, as_of, true);
    if (out.ok()) {
      json classes = json::object();
      for (const auto& c : out->classes) classes[c.record_class] = {{"deleted", c.due}, {"held", c.held}};
      Status st = AppendAuditLocked(MakeAudit(actor, "retention_apply", "store",
                                              {{"policy", policy.version},
                                               {"as_of", as_of.ToIso()},
                                               {"classes", classes},
                                               {"quarantine_deleted", out->quarantine_due},
                                               {"persons_erased", out->persons_erased}}));
      (void)conn_->Exec(kDropTemp);
      if (st.ok()) st = txn->Commit();
      if (!st.ok()) out = st;
    }
  }
  if (sqlite) (void)conn_->Exec("PRAGMA secure_delete = OFF");
  if (!out.ok()) return out;
  out->applied = true;
  // SQLite: move the change into the main file and empty the WAL, so old page images of deleted rows go too.
  // Another connection reading at this moment can keep part of the WAL alive; the next checkpoint clears it.
  // (PostgreSQL checkpoints on its own schedule and recycles its WAL; nothing to ask of it here.)
  if (sqlite) (void)conn_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return out;
}

// REQUIRES: a transaction is open.
Result<RetentionOutcome> SqliteStore::RetentionLocked(const RetentionPolicy& policy, Date as_of, bool apply) {
  RR_RETURN_IF_ERROR(conn_->Exec(kCreateRetentionTemp));
  // Records past their class's period, dated by their latest event.
  RR_ASSIGN_OR_RETURN(auto due,
                      conn_->Prepare("INSERT INTO rr_due (id, record_class) "
                                     "SELECT r.id, r.record_class FROM source_record r "
                                     "JOIN (SELECT source_record_id AS rid, MAX(date) AS last FROM event GROUP "
                                     "BY source_record_id) d ON d.rid = r.id "
                                     "WHERE r.record_class = ?1 AND d.last < ?2"));
  for (const RetentionRule& rule : policy.rules) {
    RR_RETURN_IF_ERROR(
        due.Bind(1, rule.record_class).Bind(2, static_cast<int64_t>(as_of.days()) - rule.keep_days).Run());
  }
  // Holds: by agency or batch, and by person (every record that mentions a held person).
  RR_RETURN_IF_ERROR(conn_->Exec(
      "UPDATE rr_due SET held = 1 WHERE id IN (SELECT r.id FROM source_record r JOIN legal_hold h "
      "ON h.released_at IS NULL AND ((h.scope = 'agency' AND h.target = r.agency_code) OR "
      "(h.scope = 'batch' AND h.target = CAST(r.batch_id AS TEXT))) WHERE r.id IN (SELECT id FROM rr_due));"
      "UPDATE rr_due SET held = 1 WHERE id IN (SELECT m.source_record_id FROM legal_hold h "
      "JOIN mention_person mp ON mp.person_id = CAST(h.target AS BIGINT) "
      "JOIN person_mention m ON m.id = mp.mention_id WHERE h.scope = 'person' AND h.released_at IS NULL);"));
  RetentionOutcome out;
  {
    std::set<std::string> ruled;
    for (const RetentionRule& rule : policy.rules) ruled.insert(rule.record_class);
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT record_class, COUNT(*) FROM source_record GROUP BY record_class "
                                               "ORDER BY record_class"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] {
      if (!ruled.count(q.Text(0))) out.unruled.emplace_back(q.Text(0), q.Int(1));
    }));
  }
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        conn_->Prepare("SELECT record_class, SUM(CASE WHEN held = 0 THEN 1 ELSE 0 END), SUM(held) FROM rr_due GROUP BY "
                       "record_class ORDER BY record_class"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.classes.push_back({q.Text(0), q.Int(1), q.Int(2)}); }));
  }
  // Quarantined rows keep raw personal data: kept for a short period from their import, unless held.
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("INSERT INTO rr_due_quarantine (id) SELECT q.id FROM quarantine q "
                                               "JOIN import_batch b ON b.id = q.batch_id "
                                               "WHERE substr(b.started_at, 1, 10) < ?1 AND NOT EXISTS (SELECT 1 FROM "
                                               "legal_hold h WHERE h.released_at IS NULL "
                                               "AND ((h.scope = 'agency' AND h.target = b.agency_code) OR (h.scope = "
                                               "'batch' AND h.target = CAST(b.id AS TEXT))))"));
    RR_RETURN_IF_ERROR(
        q.Bind(1, Date::FromDays(static_cast<int32_t>(as_of.days() - policy.quarantine_keep_days)).ToIso()).Run());
    out.quarantine_due = q.Changes();
  }
  RR_RETURN_IF_ERROR(
      conn_->Exec("INSERT INTO rr_due_mention (id) SELECT id FROM person_mention "
                  "WHERE source_record_id IN (SELECT id FROM rr_due WHERE held = 0);"
                  "INSERT INTO rr_due_place_mention (id) SELECT id FROM place_mention "
                  "WHERE source_record_id IN (SELECT id FROM rr_due WHERE held = 0);"
                  "INSERT INTO rr_touched (person_id) SELECT DISTINCT person_id FROM mention_person "
                  "WHERE mention_id IN (SELECT id FROM rr_due_mention);"
                  "INSERT INTO rr_erased (person_id) SELECT t.person_id FROM rr_touched t WHERE NOT EXISTS ("
                  "SELECT 1 FROM mention_person mp WHERE mp.person_id = t.person_id "
                  "AND mp.mention_id NOT IN (SELECT id FROM rr_due_mention));"));
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT COUNT(*) FROM rr_erased"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) out.persons_erased = q.Int(0);
  }
  if (!apply) return out;
  // Children of a record first, then the record; a person left with no record keeps only an inactive id
  // (other tables may name it) with no name or date of birth, and loses their assessments.
  RR_RETURN_IF_ERROR(
      conn_->Exec("DELETE FROM link_review WHERE left_mention_id IN (SELECT id FROM rr_due_mention) "
                  "OR right_mention_id IN (SELECT id FROM rr_due_mention);"
                  "DELETE FROM event WHERE source_record_id IN (SELECT id FROM rr_due WHERE held = 0);"
                  "DELETE FROM mention_person WHERE mention_id IN (SELECT id FROM rr_due_mention);"
                  "DELETE FROM place_mention_place WHERE place_mention_id IN (SELECT id FROM rr_due_place_mention);"
                  "DELETE FROM person_mention WHERE id IN (SELECT id FROM rr_due_mention);"
                  "DELETE FROM place_mention WHERE id IN (SELECT id FROM rr_due_place_mention);"
                  "DELETE FROM source_record WHERE id IN (SELECT id FROM rr_due WHERE held = 0);"
                  "DELETE FROM assessment WHERE person_id IN (SELECT person_id FROM rr_erased);"
                  "UPDATE person SET active = 0, display_name = '', dob = NULL, mention_count = 0 "
                  "WHERE id IN (SELECT person_id FROM rr_erased);"
                  "DELETE FROM quarantine WHERE id IN (SELECT id FROM rr_due_quarantine);"));
  return out;
}

}  // namespace riskradar::store

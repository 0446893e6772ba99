// SqliteStore's batch administration (store/imports.h): resolving quarantined rows by hand, and reverting a batch
// loaded with the wrong mapping together with what later stages built on it. Both run inside the caller's write
// unit (access::AuditedAccess appends the audit event and commits).
#include "sqlite_store.h"

namespace riskradar::store {
namespace {

// Temporary tables for one revert (the connection's own, on both backends); emptied at its start. They are named
// without a schema: SQLite and PostgreSQL both look in the connection's temporary schema first, and no store table
// has these names. BIGINT, not INTEGER: the ids are 64-bit on PostgreSQL too.
constexpr const char* kCreateRevertTemp =
    "CREATE TEMP TABLE IF NOT EXISTS rv_record (id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rv_mention (id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rv_place_mention (id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rv_event (id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rv_touched (person_id BIGINT PRIMARY KEY);"
    "CREATE TEMP TABLE IF NOT EXISTS rv_erased (person_id BIGINT PRIMARY KEY);"
    "DELETE FROM rv_record; DELETE FROM rv_mention; DELETE FROM rv_place_mention;"
    "DELETE FROM rv_event; DELETE FROM rv_touched; DELETE FROM rv_erased;";

// Fills the temporary tables with the batch's rows and the people its mentions belong to.
Status CollectBatch(sql::Connection& db, int64_t batch_id) {
  RR_RETURN_IF_ERROR(db.Exec(kCreateRevertTemp));
  RR_ASSIGN_OR_RETURN(auto records, db.Prepare("INSERT INTO rv_record (id) SELECT id FROM source_record "
                                               "WHERE batch_id = ?1"));
  RR_RETURN_IF_ERROR(records.Bind(1, batch_id).Run());
  return db.Exec(
      "INSERT INTO rv_mention (id) SELECT id FROM person_mention "
      "WHERE source_record_id IN (SELECT id FROM rv_record);"
      "INSERT INTO rv_place_mention (id) SELECT id FROM place_mention "
      "WHERE source_record_id IN (SELECT id FROM rv_record);"
      "INSERT INTO rv_event (id) SELECT id FROM event WHERE source_record_id IN (SELECT id FROM rv_record);"
      "INSERT INTO rv_touched (person_id) SELECT DISTINCT person_id FROM mention_person "
      "WHERE mention_id IN (SELECT id FROM rv_mention);"
      "INSERT INTO rv_erased (person_id) SELECT t.person_id FROM rv_touched t WHERE NOT EXISTS ("
      "SELECT 1 FROM mention_person mp WHERE mp.person_id = t.person_id "
      "AND mp.mention_id NOT IN (SELECT id FROM rv_mention));");
}

Result<int64_t> Count(sql::Connection& db, const std::string& sql, std::optional<std::string> text = std::nullopt) {
  RR_ASSIGN_OR_RETURN(auto q, db.Prepare(sql));
  if (text) q.Bind(1, *text);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : 0;
}

}  // namespace

Status SqliteStore::ResolveQuarantinedRow(int64_t quarantine_id, std::string_view resolved_by,
                                          std::string_view reason) {
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare("SELECT CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END FROM quarantine WHERE id = ?1"));
  q.Bind(1, quarantine_id);
  RR_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return Status::NotFound("no quarantined row " + std::to_string(quarantine_id));
  if (q.Int(0) != 0) {
    return Status::FailedPrecondition("quarantined row " + std::to_string(quarantine_id) + " is already resolved");
  }
  RR_ASSIGN_OR_RETURN(auto update, conn_->Prepare("UPDATE quarantine SET resolved_at = ?1, resolved_by = ?2, "
                                                  "resolution = ?3 WHERE id = ?4 AND resolved_at IS NULL"));
  return update.Bind(1, NowUtcIso()).Bind(2, resolved_by).Bind(3, reason).Bind(4, quarantine_id).Run();
}

Result<BatchDependents> SqliteStore::ReadBatchDependents(int64_t batch_id) {
  RR_ASSIGN_OR_RETURN(std::optional<BatchInfo> batch, FindBatch(batch_id));
  if (!batch) return Status::NotFound("no import batch " + std::to_string(batch_id));
  RR_RETURN_IF_ERROR(CollectBatch(*conn_, batch_id));
  BatchDependents d;
  sql::Connection& db = *conn_;
  RR_ASSIGN_OR_RETURN(d.linked_mentions,
                      Count(db, "SELECT COUNT(*) FROM mention_person WHERE mention_id IN (SELECT id FROM rv_mention)"));
  RR_ASSIGN_OR_RETURN(d.people, Count(db, "SELECT COUNT(*) FROM rv_touched"));
  RR_ASSIGN_OR_RETURN(d.linked_place_mentions, Count(db,
                                                     "SELECT COUNT(*) FROM place_mention_place WHERE "
                                                     "place_mention_id IN (SELECT id FROM rv_place_mention)"));
  RR_ASSIGN_OR_RETURN(d.review_pairs, Count(db,
                                            "SELECT COUNT(*) FROM link_review WHERE left_mention_id IN (SELECT id FROM "
                                            "rv_mention) OR right_mention_id IN (SELECT id FROM rv_mention)"));
  RR_ASSIGN_OR_RETURN(d.event_links,
                      Count(db,
                            "SELECT COUNT(*) FROM event_link WHERE event_id IN (SELECT id FROM rv_event) "
                            "OR resolved_event_id IN (SELECT id FROM rv_event)"));
  RR_ASSIGN_OR_RETURN(d.disruptions, Count(db,
                                           "SELECT COUNT(*) FROM disruption WHERE source_event_id IN "
                                           "(SELECT id FROM rv_event)"));
  RR_ASSIGN_OR_RETURN(d.assessments, Count(db,
                                           "SELECT COUNT(*) FROM assessment WHERE kind = 'pipeline' AND person_id IN "
                                           "(SELECT person_id FROM rv_touched) AND created_at >= ?1",
                                           batch->finished_at));
  {
    RR_ASSIGN_OR_RETURN(
        auto q, db.Prepare("SELECT COUNT(*) FROM legal_hold h WHERE h.released_at IS NULL AND ("
                           "(h.scope = 'batch' AND h.target = CAST(?1 AS TEXT)) OR (h.scope = 'agency' AND h.target = "
                           "?2) OR (h.scope = 'person' AND CAST(h.target AS BIGINT) IN "
                           "(SELECT person_id FROM rv_touched)))"));
    q.Bind(1, batch_id).Bind(2, batch->header.agency_code);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    d.legal_holds = row ? q.Int(0) : 0;
  }
  return d;
}

Result<BatchRevertCounts> SqliteStore::RevertBatch(int64_t batch_id) {
  RR_ASSIGN_OR_RETURN(std::optional<BatchInfo> batch, FindBatch(batch_id));
  if (!batch) return Status::NotFound("no import batch " + std::to_string(batch_id));
  if (batch->status != "complete") {
    return Status::FailedPrecondition("import batch " + std::to_string(batch_id) + " is " + batch->status +
                                      ", not complete: there is nothing to revert");
  }
  RR_RETURN_IF_ERROR(CollectBatch(*conn_, batch_id));
  sql::Connection& db = *conn_;
  // Freed pages are overwritten, as under retention: a wrongly loaded batch may be data the partnership had no
  // basis to hold. (A SQLite connection setting, restored on every way out. PostgreSQL has none: deleted rows stay
  // in the table's pages until VACUUM reclaims them, which its operator runs.)
  const bool sqlite = db.backend() == sql::Backend::kSqlite;
  if (sqlite) RR_RETURN_IF_ERROR(db.Exec("PRAGMA secure_delete = ON"));
  struct SecureDeleteOff {
    sql::Connection& db;
    bool on;
    ~SecureDeleteOff() {
      if (on) (void)db.Exec("PRAGMA secure_delete = OFF");
    }
  } secure_delete_off{db, sqlite};
  BatchRevertCounts c;
  RR_ASSIGN_OR_RETURN(c.source_records, Count(db, "SELECT COUNT(*) FROM rv_record"));
  RR_ASSIGN_OR_RETURN(c.person_mentions, Count(db, "SELECT COUNT(*) FROM rv_mention"));
  RR_ASSIGN_OR_RETURN(c.place_mentions, Count(db, "SELECT COUNT(*) FROM rv_place_mention"));
  RR_ASSIGN_OR_RETURN(c.events, Count(db, "SELECT COUNT(*) FROM rv_event"));
  RR_ASSIGN_OR_RETURN(c.people_erased, Count(db, "SELECT COUNT(*) FROM rv_erased"));

  // Derived data first (link results, review items, event links, assessments built since the import), then the
  // batch's own rows, children before parents. A person left with no record keeps only an inactive id (other
  // tables may name it) with no name or date of birth, and loses their assessments, as under retention.
  RR_ASSIGN_OR_RETURN(auto assessments,
                      db.Prepare("DELETE FROM assessment WHERE person_id IN (SELECT person_id FROM rv_erased) OR "
                                 "(kind = 'pipeline' AND person_id IN (SELECT person_id FROM rv_touched) AND "
                                 "created_at >= ?1)"));
  RR_RETURN_IF_ERROR(assessments.Bind(1, batch->finished_at).Run());
  c.assessments_removed = assessments.Changes();
  RR_ASSIGN_OR_RETURN(auto reviews, db.Prepare("DELETE FROM link_review WHERE left_mention_id IN (SELECT id FROM "
                                               "rv_mention) OR right_mention_id IN (SELECT id FROM rv_mention)"));
  RR_RETURN_IF_ERROR(reviews.Run());
  c.review_pairs = reviews.Changes();
  RR_ASSIGN_OR_RETURN(auto event_links, db.Prepare("DELETE FROM event_link WHERE event_id IN (SELECT id FROM rv_event) "
                                                   "OR resolved_event_id IN (SELECT id FROM rv_event)"));
  RR_RETURN_IF_ERROR(event_links.Run());
  c.event_links = event_links.Changes();
  RR_ASSIGN_OR_RETURN(auto disruptions, db.Prepare("UPDATE disruption SET source_event_id = NULL WHERE "
                                                   "source_event_id IN (SELECT id FROM rv_event)"));
  RR_RETURN_IF_ERROR(disruptions.Run());
  c.disruptions_unlinked = disruptions.Changes();
  RR_RETURN_IF_ERROR(
      db.Exec("DELETE FROM event WHERE id IN (SELECT id FROM rv_event);"
              "DELETE FROM mention_person WHERE mention_id IN (SELECT id FROM rv_mention);"
              "DELETE FROM place_mention_place WHERE place_mention_id IN (SELECT id FROM rv_place_mention);"
              "DELETE FROM person_mention WHERE id IN (SELECT id FROM rv_mention);"
              "DELETE FROM place_mention WHERE id IN (SELECT id FROM rv_place_mention);"
              "DELETE FROM source_record WHERE id IN (SELECT id FROM rv_record);"
              "UPDATE person SET active = 0, display_name = '', dob = NULL, mention_count = 0 "
              "WHERE id IN (SELECT person_id FROM rv_erased);"));
  RR_ASSIGN_OR_RETURN(auto quarantine, db.Prepare("DELETE FROM quarantine WHERE batch_id = ?1"));
  RR_RETURN_IF_ERROR(quarantine.Bind(1, batch_id).Run());
  c.quarantined = quarantine.Changes();
  RR_ASSIGN_OR_RETURN(auto reopen,
                      db.Prepare("UPDATE quarantine SET resolved_at = NULL, resolved_by = '', "
                                 "resolution = '', resolved_batch_id = NULL WHERE resolved_batch_id = ?1"));
  RR_RETURN_IF_ERROR(reopen.Bind(1, batch_id).Run());
  c.quarantine_reopened = reopen.Changes();
  RR_ASSIGN_OR_RETURN(auto mark, db.Prepare("UPDATE import_batch SET status = 'reverted' WHERE id = ?1"));
  RR_RETURN_IF_ERROR(mark.Bind(1, batch_id).Run());
  RR_RETURN_IF_ERROR(
      db.Exec("DROP TABLE IF EXISTS rv_record; DROP TABLE IF EXISTS rv_mention; DROP TABLE IF EXISTS "
              "rv_place_mention; DROP TABLE IF EXISTS rv_event; DROP TABLE IF EXISTS rv_touched; "
              "DROP TABLE IF EXISTS rv_erased;"));
  return c;
}

}  // namespace riskradar::store

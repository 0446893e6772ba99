// SqliteStore: the embedded default Store (one file, WAL, synchronous=FULL,
// foreign keys on, numbered migrations). Ingest, linkage, assessments, networks and opening the store.
#include "sqlite_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "../sql/sql.h"
#include "riskradar/store/operations.h"

namespace riskradar::store {
namespace {

constexpr const char* kQuarantineColumns =
    "id, batch_id, file, line, column_name, value, reason, raw, local_id, COALESCE(resolved_at, ''), resolved_by, "
    "resolution, COALESCE(resolved_batch_id, 0)";

QuarantinedRow QuarantinedRowFrom(const sql::Statement& q) {
  QuarantinedRow r;
  r.id = q.Int(0);
  r.batch_id = q.Int(1);
  r.file = q.Text(2);
  r.line = q.Int(3);
  r.column = q.Text(4);
  r.value = q.Text(5);
  r.reason = q.Text(6);
  r.raw = q.Text(7);
  r.local_id = q.Text(8);
  r.resolved_at = q.Text(9);
  r.resolved_by = q.Text(10);
  r.resolution = q.Text(11);
  r.resolved_batch_id = q.Int(12);
  return r;
}

}  // namespace

// ---------------------------------------------------------------- batches

Status SqliteBatchWriter::Prepare() {
  // One statement both checks and inserts: the UNIQUE (agency_code, local_id, content_hash) constraint decides,
  // and the inserted id says whether the row was new (an identical row already stored adds none). The hot
  // inserts read their new ids with PrepareInsert (no RETURNING staging on SQLite).
  RR_ASSIGN_OR_RETURN(
      insert_record_,
      conn_->PrepareInsert(
          "INSERT INTO source_record (batch_id, agency_code, local_id, line, raw_json, content_hash, record_class, "
          "lawful_basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
          "ON CONFLICT (agency_code, local_id, content_hash) DO NOTHING",
          "id"));
  RR_ASSIGN_OR_RETURN(
      insert_mention_,
      conn_->PrepareInsert(
          "INSERT INTO person_mention (source_record_id, slot, role, local_person_id, forename, surname, dob, sex, "
          "postcode, nhs_number, upn, ethnicity) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
          "id"));
  RR_ASSIGN_OR_RETURN(insert_place_, conn_->PrepareInsert("INSERT INTO place_mention (source_record_id, name, type, "
                                                          "postcode, lat, lon) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                                          "id"));
  RR_ASSIGN_OR_RETURN(
      insert_event_,
      conn_->Prepare(
          "INSERT INTO event (source_record_id, kind, category, date, subject_mention_id, associate_mention_id, "
          "place_mention_id, detail, time_of_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  RR_ASSIGN_OR_RETURN(insert_quarantine_,
                      conn_->Prepare("INSERT INTO quarantine (batch_id, file, line, column_name, value, reason, raw, "
                                     "local_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  // The open quarantined rows this batch may resolve: same agency, same mapping format, an earlier batch.
  RR_ASSIGN_OR_RETURN(
      auto open, conn_->Prepare("SELECT DISTINCT q.local_id FROM quarantine q JOIN import_batch b ON b.id = q.batch_id "
                                "WHERE b.agency_code = ?1 AND b.format = ?2 AND b.status = 'complete' AND b.id <> ?3 "
                                "AND q.resolved_at IS NULL AND q.local_id <> '' ORDER BY q.local_id"));
  open.Bind(1, header_.agency_code).Bind(2, header_.format).Bind(3, batch_id_);
  return open.ForEachRow([&] { open_local_ids_.insert(open.Text(0)); });
}

Result<int64_t> SqliteBatchWriter::InsertMention(int64_t record_id, const PersonMention& m, std::string_view slot) {
  // Views (no copy): the row outlives the statement's run; ToString's names are static.
  insert_mention_.Bind(1, record_id)
      .BindView(2, slot)
      .BindView(3, ToString(m.role))
      .BindView(4, m.local_person_id)
      .BindView(5, m.forename)
      .BindView(6, m.surname)
      .Bind(7, DobDays(m.dob))
      .BindView(8, ToString(m.sex))
      .BindView(9, m.postcode)
      .BindView(10, m.nhs_number)
      .BindView(11, m.upn)
      .BindView(12, m.ethnicity);
  return insert_mention_.RunForNewId("a person mention");
}

Result<bool> SqliteBatchWriter::AddRow(const ParsedRow& row) {
  const SourceRecord& r = row.record;
  insert_record_.Bind(1, batch_id_)
      .BindView(2, r.agency_code)
      .BindView(3, r.local_id)
      .Bind(4, r.line)
      .BindView(5, r.raw_json)
      .BindView(6, r.content_hash)
      .BindView(7, r.record_class)
      .BindView(8, r.lawful_basis);
  RR_ASSIGN_OR_RETURN(const std::optional<int64_t> inserted, insert_record_.RunForId());
  if (!open_local_ids_.empty() && open_local_ids_.count(r.local_id)) matched_local_ids_.insert(r.local_id);
  if (!inserted) return false;  // already stored with the same content
  const int64_t record_id = *inserted;

  RR_ASSIGN_OR_RETURN(const int64_t subject_id, InsertMention(record_id, row.subject, "subject"));
  std::optional<int64_t> associate_id;
  if (row.associate) {
    RR_ASSIGN_OR_RETURN(associate_id, InsertMention(record_id, *row.associate, "associate"));
  }
  std::optional<int64_t> place_id;
  if (row.place) {
    const PlaceMention& p = *row.place;
    insert_place_.Bind(1, record_id)
        .BindView(2, p.name)
        .BindView(3, ToString(p.type))
        .BindView(4, p.postcode)
        .Bind(5, p.lat)
        .Bind(6, p.lon);
    RR_ASSIGN_OR_RETURN(place_id, insert_place_.RunForNewId("a place mention"));
  }
  const Event& e = row.event;
  insert_event_.Bind(1, record_id)
      .BindView(2, ToString(e.kind))
      .BindView(3, e.category)
      .Bind(4, e.date.days())
      .Bind(5, subject_id)
      .Bind(6, associate_id)
      .Bind(7, place_id)
      .BindView(8, e.detail)
      .Bind(9, e.minute_of_day ? std::optional<int64_t>(*e.minute_of_day) : std::nullopt);
  RR_RETURN_IF_ERROR(insert_event_.Run());
  return true;
}

Status SqliteBatchWriter::AddQuarantine(const QuarantinedRow& q) {
  insert_quarantine_.Bind(1, batch_id_)
      .Bind(2, q.file)
      .Bind(3, q.line)
      .Bind(4, q.column)
      .Bind(5, q.value)
      .Bind(6, q.reason)
      .Bind(7, q.raw)
      .Bind(8, q.local_id);
  return insert_quarantine_.Run();
}

Result<BatchInfo> SqliteBatchWriter::Commit(const BatchCounts& counts, const Actor& actor) {
  const std::string finished = NowUtcIso();
  RR_ASSIGN_OR_RETURN(
      auto update,
      conn_->Prepare(
          "UPDATE import_batch SET rows_in = ?1, landed = ?2, unchanged = ?3, quarantined = ?4, status = 'complete', "
          "finished_at = ?5 WHERE id = ?6"));
  RR_RETURN_IF_ERROR(update.Bind(1, counts.rows_in)
                         .Bind(2, counts.landed)
                         .Bind(3, counts.unchanged)
                         .Bind(4, counts.quarantined)
                         .Bind(5, finished)
                         .Bind(6, batch_id_)
                         .Run());
  // The corrected rows are in: their quarantined versions in earlier batches are resolved.
  int64_t resolved = 0;
  if (!matched_local_ids_.empty()) {
    RR_ASSIGN_OR_RETURN(
        auto resolve,
        conn_->Prepare(
            "UPDATE quarantine SET resolved_at = ?1, resolved_by = ?2, resolution = ?3, resolved_batch_id = ?4 "
            "WHERE resolved_at IS NULL AND local_id = ?5 AND batch_id IN (SELECT id FROM import_batch WHERE "
            "agency_code = ?6 AND format = ?7 AND status = 'complete' AND id <> ?4)"));
    const std::string why = "a row with this record id landed in batch " + std::to_string(batch_id_);
    for (const std::string& local_id : matched_local_ids_) {
      RR_RETURN_IF_ERROR(resolve.Bind(1, finished)
                             .Bind(2, actor.user)
                             .Bind(3, why)
                             .Bind(4, batch_id_)
                             .Bind(5, local_id)
                             .Bind(6, header_.agency_code)
                             .Bind(7, header_.format)
                             .Run());
      resolved += resolve.Changes();
    }
  }
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "import";
  audit.target = "batch:" + std::to_string(batch_id_);
  audit.details =
      json{{"agency", header_.agency_code},     {"file", header_.file},           {"file_hash", header_.file_hash},
           {"rows_in", counts.rows_in},         {"landed", counts.landed},        {"unchanged", counts.unchanged},
           {"quarantined", counts.quarantined}, {"quarantine_resolved", resolved}}
          .dump();
  RR_RETURN_IF_ERROR(store_->AppendAuditLocked(audit));
  RR_RETURN_IF_ERROR(txn_.Commit());
  BatchInfo info;
  info.id = batch_id_;
  info.header = header_;
  info.counts = counts;
  info.status = "complete";
  info.finished_at = finished;
  info.resolved = resolved;
  return info;
}

// ---------------------------------------------------------------- store

Status SqliteStore::UpsertAgency(const Agency& a) {
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare(
                  "INSERT INTO agency (code, name, kind, area) VALUES (?1, ?2, ?3, ?4) "
                  "ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind, area = excluded.area"));
  return q.Bind(1, a.code).Bind(2, a.name).Bind(3, ToString(a.kind)).Bind(4, a.area).Run();
}

Result<std::vector<Agency>> SqliteStore::ListAgencies() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT code, name, kind, area FROM agency ORDER BY code"));
  std::vector<Agency> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Agency a;
    a.code = q.Text(0);
    a.name = q.Text(1);
    RR_ASSIGN_OR_RETURN(a.kind, ParseAgencyKind(q.Text(2)));
    a.area = q.Text(3);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<BatchInfo>> SqliteStore::ListBatches() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "SELECT id, agency_code, file, file_hash, format, record_class, lawful_basis, rows_in, landed, unchanged, "
          "quarantined, status, COALESCE(finished_at, ''), layout FROM import_batch ORDER BY id"));
  std::vector<BatchInfo> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    BatchInfo b;
    b.id = q.Int(0);
    b.header = {q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6), q.Text(13)};
    b.counts = {q.Int(7), q.Int(8), q.Int(9), q.Int(10)};
    b.status = q.Text(11);
    b.finished_at = q.Text(12);
    out.push_back(std::move(b));
  }));
  return out;
}

Result<std::optional<BatchInfo>> SqliteStore::FindCompletedBatch(std::string_view agency_code,
                                                                 std::string_view file_hash) {
  RR_ASSIGN_OR_RETURN(auto all, ListBatches());
  for (auto& b : all) {
    if (b.status == "complete" && b.header.agency_code == agency_code && b.header.file_hash == file_hash) {
      return std::optional<BatchInfo>(std::move(b));
    }
  }
  return std::optional<BatchInfo>();
}

Result<std::unique_ptr<BatchWriter>> SqliteStore::BeginBatch(const BatchHeader& h) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("INSERT INTO import_batch (agency_code, file, file_hash, format, "
                                             "record_class, lawful_basis, status, started_at, layout) "
                                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8) RETURNING id"));
  q.Bind(1, h.agency_code)
      .Bind(2, h.file)
      .Bind(3, h.file_hash)
      .Bind(4, h.format)
      .Bind(5, h.record_class)
      .Bind(6, h.lawful_basis)
      .Bind(7, NowUtcIso())
      .Bind(8, h.layout);
  Result<int64_t> batch_id = q.RunForNewId("an import batch");
  if (!batch_id.ok()) {
    if (batch_id.status().code() == StatusCode::kConflict) {
      return Status::NotFound("agency '" + h.agency_code + "' is not registered in this store");
    }
    return batch_id.status();
  }
  auto writer = std::make_unique<SqliteBatchWriter>(this, conn_.get(), std::move(txn), *batch_id, h);
  RR_RETURN_IF_ERROR(writer->Prepare());
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

Result<std::vector<QuarantinedRow>> SqliteStore::ListQuarantine(int64_t batch_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string("SELECT ") + kQuarantineColumns +
                                             " FROM quarantine WHERE ?1 = 0 OR batch_id = ?1 ORDER BY id"));
  q.Bind(1, batch_id);
  std::vector<QuarantinedRow> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(QuarantinedRowFrom(q)); }));
  return out;
}

Result<std::optional<BatchInfo>> SqliteStore::FindBatch(int64_t batch_id) {
  RR_ASSIGN_OR_RETURN(auto all, ListBatches());
  for (auto& b : all) {
    if (b.id == batch_id) return std::optional<BatchInfo>(std::move(b));
  }
  return std::optional<BatchInfo>();
}

Result<QuarantinePage> SqliteStore::ListQuarantinePage(int64_t batch_id, int64_t limit, int64_t offset) {
  QuarantinePage page;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT COUNT(*) FROM quarantine WHERE batch_id = ?1"));
    q.Bind(1, batch_id);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) page.total = q.Int(0);
  }
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string("SELECT ") + kQuarantineColumns +
                                             " FROM quarantine WHERE batch_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3"));
  q.Bind(1, batch_id).Bind(2, limit).Bind(3, offset);
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { page.rows.push_back(QuarantinedRowFrom(q)); }));
  return page;
}

Result<std::vector<MentionRow>> SqliteStore::LoadPersonMentions() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("SELECT m.id, m.source_record_id, m.role, m.local_person_id, m.forename, m.surname, "
                     "m.dob, m.sex, m.postcode, "
                     "m.nhs_number, m.upn, r.agency_code, r.local_id, m.slot, m.ethnicity FROM person_mention m "
                     "JOIN source_record r ON r.id = m.source_record_id ORDER BY m.id"));
  std::vector<MentionRow> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    MentionRow mr;
    PersonMention& m = mr.mention;
    m.id = q.Int(0);
    m.source_record_id = q.Int(1);
    RR_ASSIGN_OR_RETURN(m.role, ParsePersonRole(q.Text(2)));
    m.local_person_id = q.Text(3);
    m.forename = q.Text(4);
    m.surname = q.Text(5);
    m.dob = DateFrom(q.OptInt(6));
    RR_ASSIGN_OR_RETURN(m.sex, ParseSex(q.Text(7)));
    m.postcode = q.Text(8);
    m.nhs_number = q.Text(9);
    m.upn = q.Text(10);
    mr.agency_code = q.Text(11);
    mr.local_id = q.Text(12);
    mr.slot = q.Text(13);
    m.ethnicity = q.Text(14);
    out.push_back(std::move(mr));
  }
  return out;
}

Result<std::vector<PlaceMentionRow>> SqliteStore::LoadPlaceMentions() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "SELECT p.id, p.source_record_id, p.name, p.type, p.postcode, p.lat, p.lon, r.agency_code, r.local_id "
          "FROM place_mention p JOIN source_record r ON r.id = p.source_record_id ORDER BY p.id"));
  std::vector<PlaceMentionRow> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    PlaceMentionRow pr;
    PlaceMention& p = pr.mention;
    p.id = q.Int(0);
    p.source_record_id = q.Int(1);
    p.name = q.Text(2);
    RR_ASSIGN_OR_RETURN(p.type, ParsePlaceType(q.Text(3)));
    p.postcode = q.Text(4);
    p.lat = q.OptDouble(5);
    p.lon = q.OptDouble(6);
    pr.agency_code = q.Text(7);
    pr.local_id = q.Text(8);
    out.push_back(std::move(pr));
  }
  return out;
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteStore::LoadPairs(std::string_view sql) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(sql));
  std::vector<std::pair<int64_t, int64_t>> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.emplace_back(q.Int(0), q.Int(1)); }));
  return out;
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteStore::LoadMentionPersons() {
  return LoadPairs("SELECT mention_id, person_id FROM mention_person ORDER BY mention_id");
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteStore::LoadPlaceMentionPlaces() {
  return LoadPairs("SELECT place_mention_id, place_id FROM place_mention_place ORDER BY place_mention_id");
}

Result<std::vector<ReviewItem>> SqliteStore::LoadReviewDecisions() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "SELECT left_mention_id, right_mention_id, match_weight, match_probability, status, reason, decided_by, "
          "COALESCE(decided_at, '') FROM link_review WHERE status <> 'pending' "
          "ORDER BY left_mention_id, right_mention_id"));
  std::vector<ReviewItem> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    out.push_back({q.Int(0), q.Int(1), q.Real(2), q.Real(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)});
  }));
  return out;
}

Result<std::string> SqliteStore::LatestLinkageModel() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT model_json FROM linkage_run ORDER BY id DESC LIMIT 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::NotFound("no linkage run yet: run `riskradar link` first");
  return q.Text(0);
}

namespace {

// The writes a full linkage run and a batch share: people and places upserted (a merged-away one stays as an
// inactive row, so its assessment history keeps its referent), review pairs queued, the run recorded.
Status UpsertPersons(sql::Connection& db, const std::vector<Person>& persons) {
  RR_ASSIGN_OR_RETURN(
      auto person,
      db.Prepare(
          "INSERT INTO person (id, active, display_name, dob, sex, district, is_child, person_of_concern, "
          "mention_count, ethnicity) "
          "VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO UPDATE SET active = 1, "
          "display_name = excluded.display_name, dob = excluded.dob, sex = excluded.sex, district = excluded.district, "
          "is_child = excluded.is_child, person_of_concern = excluded.person_of_concern, "
          "mention_count = excluded.mention_count, ethnicity = excluded.ethnicity"));
  for (const Person& p : persons) {
    RR_RETURN_IF_ERROR(person.Bind(1, p.id)
                           .Bind(2, p.display_name)
                           .Bind(3, DobDays(p.dob))
                           .Bind(4, ToString(p.sex))
                           .Bind(5, p.district)
                           .Bind(6, p.is_child ? 1 : 0)
                           .Bind(7, p.person_of_concern ? 1 : 0)
                           .Bind(8, p.mention_count)
                           .Bind(9, p.ethnicity)
                           .Run());
  }
  return Status::Ok();
}

Status UpsertPlaces(sql::Connection& db, const std::vector<Place>& places) {
  RR_ASSIGN_OR_RETURN(
      auto place,
      db.Prepare(
          "INSERT INTO place (id, active, name, type, postcode, district, lat, lon) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, "
          "?7) "
          "ON CONFLICT(id) DO UPDATE SET active = 1, name = excluded.name, type = excluded.type, "
          "postcode = excluded.postcode, district = excluded.district, lat = excluded.lat, lon = excluded.lon"));
  for (const Place& p : places) {
    RR_RETURN_IF_ERROR(place.Bind(1, p.id)
                           .Bind(2, p.name)
                           .Bind(3, ToString(p.type))
                           .Bind(4, p.postcode)
                           .Bind(5, p.district)
                           .Bind(6, p.lat)
                           .Bind(7, p.lon)
                           .Run());
  }
  return Status::Ok();
}

// Mention -> entity rows (mention_person, place_mention_place). A full run writes them into emptied tables (a
// mention named twice is an error); a batch may move a mention to the person it merged into (`move_existing`).
// The table and column names are this file's constants, never input.
Status LinkMentions(sql::Connection& db, std::string_view table, std::string_view mention_column,
                    std::string_view entity_column, const std::vector<std::pair<int64_t, int64_t>>& rows,
                    bool move_existing) {
  const std::string upsert = move_existing ? fmt::format(" ON CONFLICT({}) DO UPDATE SET {} = excluded.{}",
                                                         mention_column, entity_column, entity_column)
                                           : "";
  RR_ASSIGN_OR_RETURN(auto link, db.Prepare(fmt::format("INSERT INTO {} ({}, {}) VALUES (?1, ?2){}", table,
                                                        mention_column, entity_column, upsert)));
  for (const auto& [mention, id] : rows) RR_RETURN_IF_ERROR(link.Bind(1, mention).Bind(2, id).Run());
  return Status::Ok();
}

// A decided pair keeps its decision; only new pairs are queued.
Status QueueReviewPairs(sql::Connection& db, const std::vector<ReviewItem>& review) {
  RR_ASSIGN_OR_RETURN(auto queue,
                      db.Prepare("INSERT INTO link_review (left_mention_id, right_mention_id, match_weight, "
                                 "match_probability, status, reason, "
                                 "decided_by) VALUES (?1, ?2, ?3, ?4, 'pending', '', '') "
                                 "ON CONFLICT (left_mention_id, right_mention_id) DO NOTHING"));
  for (const ReviewItem& r : review) {
    RR_RETURN_IF_ERROR(queue.Bind(1, r.left_mention_id)
                           .Bind(2, r.right_mention_id)
                           .Bind(3, r.match_weight)
                           .Bind(4, r.match_probability)
                           .Run());
  }
  return Status::Ok();
}

// The audit target of the linkage run just recorded ("linkage_run:7").
Result<std::string> RecordLinkageRun(sql::Connection& db, int64_t persons, int64_t places,
                                     const std::string& model_json) {
  RR_ASSIGN_OR_RETURN(auto run,
                      db.Prepare("INSERT INTO linkage_run (at, persons, places, model_json) VALUES (?1, ?2, ?3, ?4) "
                                 "RETURNING id"));
  run.Bind(1, NowUtcIso()).Bind(2, persons).Bind(3, places).Bind(4, model_json);
  RR_ASSIGN_OR_RETURN(const int64_t id, run.RunForNewId("a linkage run"));
  return "linkage_run:" + std::to_string(id);
}

// Marks people or places (`table`) inactive; refused while a mention still points to one.
Status RetireUnused(sql::Connection& db, std::string_view table, std::string_view mention_table,
                    std::string_view entity_column, const std::vector<int64_t>& ids) {
  RR_ASSIGN_OR_RETURN(auto retire, db.Prepare(fmt::format("UPDATE {} SET active = 0 WHERE id = ?1", table)));
  RR_ASSIGN_OR_RETURN(auto used,
                      db.Prepare(fmt::format("SELECT COUNT(*) FROM {} WHERE {} = ?1", mention_table, entity_column)));
  for (int64_t id : ids) {
    used.Reset();
    used.Bind(1, id);
    RR_ASSIGN_OR_RETURN(bool row, used.Step());
    const int64_t left = row ? used.Int(0) : 0;
    used.Reset();
    if (left > 0) {
      return Status::Conflict(
          fmt::format("linkage changes: {} {} is retired but {} mentions still point to it", table, id, left));
    }
    RR_RETURN_IF_ERROR(retire.Bind(1, id).Run());
  }
  return Status::Ok();
}

}  // namespace

Status SqliteStore::SaveLinkage(const LinkageOutput& out, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  // Every person and place is written again: the rest become inactive.
  RR_RETURN_IF_ERROR(
      conn_->Exec("UPDATE person SET active = 0; UPDATE place SET active = 0;"
                  "DELETE FROM mention_person; DELETE FROM place_mention_place;"
                  "DELETE FROM link_review WHERE status = 'pending'; DELETE FROM event_link;"));
  RR_RETURN_IF_ERROR(UpsertPersons(*conn_, out.persons));
  RR_RETURN_IF_ERROR(LinkMentions(*conn_, "mention_person", "mention_id", "person_id", out.mention_person, false));
  RR_RETURN_IF_ERROR(UpsertPlaces(*conn_, out.places));
  RR_RETURN_IF_ERROR(
      LinkMentions(*conn_, "place_mention_place", "place_mention_id", "place_id", out.place_mention_place, false));
  RR_RETURN_IF_ERROR(QueueReviewPairs(*conn_, out.review));
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "link";
  RR_ASSIGN_OR_RETURN(audit.target, RecordLinkageRun(*conn_, static_cast<int64_t>(out.persons.size()),
                                                     static_cast<int64_t>(out.places.size()), out.model_json));
  audit.details =
      json{{"persons", out.persons.size()}, {"places", out.places.size()}, {"review_items", out.review.size()}}.dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

LinkageChangesStore* LinkageChangesOf(Store& store) { return dynamic_cast<LinkageChangesStore*>(&store); }

Status SqliteStore::SaveLinkageChanges(const LinkageChanges& changes, const Actor& actor) {
  // Checked before anything is written.
  auto check_ids = [](const char* what, const std::vector<int64_t>& retired, const std::vector<int64_t>& written,
                      const std::vector<std::pair<int64_t, int64_t>>& rows) -> Status {
    std::set<int64_t> gone(retired.begin(), retired.end());
    for (int64_t id : written) {
      if (gone.count(id)) {
        return Status::InvalidArgument(std::string("linkage changes: ") + what + " " + std::to_string(id) +
                                       " is both retired and written");
      }
    }
    std::set<int64_t> seen;
    for (const auto& [mention, id] : rows) {
      if (!seen.insert(mention).second) {
        return Status::InvalidArgument(std::string("linkage changes: ") + what + " mention " + std::to_string(mention) +
                                       " is named twice");
      }
      if (gone.count(id)) {
        return Status::InvalidArgument(std::string("linkage changes: ") + what + " mention " + std::to_string(mention) +
                                       " points to retired " + what + " " + std::to_string(id));
      }
    }
    return Status::Ok();
  };
  {
    std::vector<int64_t> person_ids, place_ids;
    for (const Person& p : changes.persons) person_ids.push_back(p.id);
    for (const Place& p : changes.places) place_ids.push_back(p.id);
    RR_RETURN_IF_ERROR(check_ids("person", changes.retired_persons, person_ids, changes.mention_person));
    RR_RETURN_IF_ERROR(check_ids("place", changes.retired_places, place_ids, changes.place_mention_place));
  }
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_RETURN_IF_ERROR(conn_->Exec("DELETE FROM event_link;"));
  RR_RETURN_IF_ERROR(UpsertPersons(*conn_, changes.persons));
  RR_RETURN_IF_ERROR(LinkMentions(*conn_, "mention_person", "mention_id", "person_id", changes.mention_person, true));
  RR_RETURN_IF_ERROR(RetireUnused(*conn_, "person", "mention_person", "person_id", changes.retired_persons));
  RR_RETURN_IF_ERROR(UpsertPlaces(*conn_, changes.places));
  RR_RETURN_IF_ERROR(
      LinkMentions(*conn_, "place_mention_place", "place_mention_id", "place_id", changes.place_mention_place, true));
  RR_RETURN_IF_ERROR(RetireUnused(*conn_, "place", "place_mention_place", "place_id", changes.retired_places));
  RR_RETURN_IF_ERROR(QueueReviewPairs(*conn_, changes.review));
  RR_ASSIGN_OR_RETURN(auto counts, conn_->Prepare("SELECT (SELECT COUNT(*) FROM person WHERE active = 1), "
                                                  "(SELECT COUNT(*) FROM place WHERE active = 1)"));
  RR_ASSIGN_OR_RETURN(bool counted, counts.Step());
  const int64_t persons = counted ? counts.Int(0) : 0;
  const int64_t places = counted ? counts.Int(1) : 0;
  counts.Reset();
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "link";
  RR_ASSIGN_OR_RETURN(audit.target, RecordLinkageRun(*conn_, persons, places, changes.model_json));
  audit.details = json{{"batch", true},
                       {"persons", persons},
                       {"places", places},
                       {"persons_written", changes.persons.size()},
                       {"persons_retired", changes.retired_persons.size()},
                       {"mentions_linked", changes.mention_person.size()},
                       {"review_items", changes.review.size()}}
                      .dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Status SqliteStore::SaveEventLinks(const EventLinkOutput& out, const Actor& actor) {
  std::set<int64_t> linked;
  for (const EventLink& link : out.links) {
    if (link.event_id == link.resolved_event_id) {
      return Status::InvalidArgument("event link " + std::to_string(link.event_id) + " names itself as its event");
    }
    if (!linked.insert(link.event_id).second) {
      return Status::InvalidArgument("event " + std::to_string(link.event_id) + " is linked twice");
    }
  }
  for (const EventLink& link : out.links) {
    if (linked.count(link.resolved_event_id)) {
      return Status::Conflict("event " + std::to_string(link.resolved_event_id) +
                              " is a resolved event and is itself linked to another");
    }
  }
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_RETURN_IF_ERROR(conn_->Exec("DELETE FROM event_link;"));
  RR_ASSIGN_OR_RETURN(auto exists, conn_->Prepare("SELECT (SELECT COUNT(*) FROM event WHERE id = ?1), "
                                                  "(SELECT COUNT(*) FROM event WHERE id = ?2)"));
  RR_ASSIGN_OR_RETURN(
      auto insert, conn_->Prepare("INSERT INTO event_link (event_id, resolved_event_id, reason) VALUES (?1, ?2, ?3)"));
  for (const EventLink& link : out.links) {
    exists.Reset();
    exists.Bind(1, link.event_id).Bind(2, link.resolved_event_id);
    RR_ASSIGN_OR_RETURN(bool row, exists.Step());
    const bool both = row && exists.Int(0) > 0 && exists.Int(1) > 0;
    exists.Reset();
    if (!both) {
      return Status::Conflict("event link " + std::to_string(link.event_id) + " -> " +
                              std::to_string(link.resolved_event_id) + " names no stored event");
    }
    RR_RETURN_IF_ERROR(insert.Bind(1, link.event_id).Bind(2, link.resolved_event_id).Bind(3, link.reason).Run());
  }
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "link_events";
  audit.target = "event_links";
  audit.details = json{{"rules", out.rules_version},
                       {"source_records", out.source_records},
                       {"resolved_events", out.resolved_events},
                       {"links", out.links.size()}}
                      .dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Result<std::vector<EventLink>> SqliteStore::LoadEventLinks() {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT event_id, resolved_event_id, reason FROM event_link ORDER BY event_id"));
  std::vector<EventLink> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back({q.Int(0), q.Int(1), q.Text(2)}); }));
  return out;
}

Result<std::pair<int64_t, int64_t>> SqliteStore::MaxEntityIds() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("SELECT (SELECT COALESCE(MAX(id), 0) FROM person), (SELECT COALESCE(MAX(id), 0) FROM place)"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("max id query returned no row");
  return std::make_pair(q.Int(0), q.Int(1));
}

Result<std::vector<Person>> SqliteStore::ListPersons() {
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare(
                  "SELECT id, display_name, dob, sex, district, is_child, person_of_concern, mention_count, ethnicity "
                  "FROM person WHERE active = 1 ORDER BY id"));
  std::vector<Person> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Person p;
    p.id = q.Int(0);
    p.display_name = q.Text(1);
    p.dob = DateFrom(q.OptInt(2));
    RR_ASSIGN_OR_RETURN(p.sex, ParseSex(q.Text(3)));
    p.district = q.Text(4);
    p.is_child = q.Int(5) != 0;
    p.person_of_concern = q.Int(6) != 0;
    p.mention_count = static_cast<int>(q.Int(7));
    p.ethnicity = q.Text(8);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Place>> SqliteStore::ListPlaces() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("SELECT id, name, type, postcode, district, lat, lon FROM place WHERE active = 1 ORDER BY id"));
  std::vector<Place> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Place p;
    p.id = q.Int(0);
    p.name = q.Text(1);
    RR_ASSIGN_OR_RETURN(p.type, ParsePlaceType(q.Text(2)));
    p.postcode = q.Text(3);
    p.district = q.Text(4);
    p.lat = q.OptDouble(5);
    p.lon = q.OptDouble(6);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<EventRow>> SqliteStore::LoadEvents() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "SELECT e.id, e.source_record_id, e.kind, e.category, e.date, e.subject_mention_id, e.associate_mention_id, "
          "e.place_mention_id, e.detail, r.agency_code, COALESCE(sp.person_id, 0), COALESCE(ap.person_id, 0), "
          "COALESCE(pp.place_id, 0), sm.role, COALESCE(am.role, 'adult'), e.time_of_day, "
          "COALESCE(el.resolved_event_id, e.id), r.local_id "
          "FROM event e JOIN source_record r ON r.id = e.source_record_id "
          "JOIN person_mention sm ON sm.id = e.subject_mention_id "
          "LEFT JOIN event_link el ON el.event_id = e.id "
          "LEFT JOIN person_mention am ON am.id = e.associate_mention_id "
          "LEFT JOIN mention_person sp ON sp.mention_id = e.subject_mention_id "
          "LEFT JOIN mention_person ap ON ap.mention_id = e.associate_mention_id "
          "LEFT JOIN place_mention_place pp ON pp.place_mention_id = e.place_mention_id ORDER BY e.id"));
  std::vector<EventRow> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    EventRow er;
    Event& e = er.event;
    e.id = q.Int(0);
    e.source_record_id = q.Int(1);
    RR_ASSIGN_OR_RETURN(e.kind, ParseEventKind(q.Text(2)));
    e.category = q.Text(3);
    e.date = Date::FromDays(static_cast<int32_t>(q.Int(4)));
    e.subject_mention_id = q.Int(5);
    e.associate_mention_id = q.OptInt(6);
    e.place_mention_id = q.OptInt(7);
    e.detail = q.Text(8);
    er.agency_code = q.Text(9);
    er.subject_person_id = q.Int(10);
    er.associate_person_id = q.Int(11);
    er.place_id = q.Int(12);
    RR_ASSIGN_OR_RETURN(er.subject_role, ParsePersonRole(q.Text(13)));
    RR_ASSIGN_OR_RETURN(er.associate_role, ParsePersonRole(q.Text(14)));
    if (const auto minute = q.OptInt(15)) e.minute_of_day = static_cast<int>(*minute);
    er.resolved_event_id = q.Int(16);
    er.local_id = q.Text(17);
    out.push_back(std::move(er));
  }
  return out;
}

std::string PlaceProfileJson(const PlaceProfile& profile) {
  return json{{"by_weekday", profile.by_weekday},
              {"by_hour", profile.by_hour},
              {"occasions", profile.occasions},
              {"timed", profile.timed},
              {"last_quarter", profile.last_quarter},
              {"previous_quarter", profile.previous_quarter},
              {"trend", profile.trend},
              {"context_children", profile.context_children}}
      .dump();
}

PlaceProfile PlaceProfileFromJson(std::string_view text) {
  PlaceProfile out;
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  const auto counts = [&](const char* key, auto& into) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array() || it->size() != into.size()) return;
    for (size_t i = 0; i < into.size(); ++i) into[i] = (*it)[i].is_number_integer() ? (*it)[i].get<int>() : 0;
  };
  counts("by_weekday", out.by_weekday);
  counts("by_hour", out.by_hour);
  const auto number = [&](const char* key, int& into) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_integer()) into = it->get<int>();
  };
  number("occasions", out.occasions);
  number("timed", out.timed);
  number("last_quarter", out.last_quarter);
  number("previous_quarter", out.previous_quarter);
  number("context_children", out.context_children);
  if (auto it = j.find("trend"); it != j.end() && it->is_string()) out.trend = it->get<std::string>();
  return out;
}

json IndicatorsToJson(const std::vector<Indicator>& indicators) {
  json arr = json::array();
  for (const Indicator& i : indicators) {
    arr.push_back({{"code", i.code},
                   {"group", i.group},
                   {"label", i.label},
                   {"current", i.current},
                   {"points", i.points},
                   {"evidence", i.evidence_event_ids}});
  }
  return arr;
}

Status SqliteStore::SaveAssessments(const std::vector<Assessment>& assessments, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "INSERT INTO assessment (person_id, as_of, level, score, model_version, indicators_json, explanation_json, "
          "override_level, override_reason, created_at, next_review, override_by, kind, created_by) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pipeline', ?13)"));
  const std::string now = NowUtcIso();
  for (const Assessment& a : assessments) {
    std::optional<std::string> override_level;
    if (a.override_level) override_level = std::string(ToString(*a.override_level));
    RR_RETURN_IF_ERROR(q.Bind(1, a.person_id)
                           .Bind(2, a.as_of.days())
                           .Bind(3, ToString(a.level))
                           .Bind(4, a.score)
                           .Bind(5, a.model_version)
                           .Bind(6, IndicatorsToJson(a.indicators).dump())
                           .Bind(7, json(a.explanation).dump())
                           .Bind(8, override_level)
                           .Bind(9, a.override_reason)
                           .Bind(10, now)
                           .Bind(11, DobDays(a.next_review))
                           .Bind(12, a.override_by)
                           .Bind(13, actor.user)
                           .Run());
  }
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "assess";
  audit.target = "assessments";
  audit.details = json{{"assessments", assessments.size()}}.dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Result<std::vector<Assessment>> SqliteStore::LatestAssessments() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare(
          "SELECT " + std::string(kAssessmentRowColumns) +
          " FROM assessment a "
          "JOIN (SELECT person_id, MAX(id) AS id FROM assessment GROUP BY person_id) latest ON latest.id = a.id "
          "JOIN person p ON p.id = a.person_id AND p.active = 1 ORDER BY a.person_id"));
  std::vector<Assessment> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RR_ASSIGN_OR_RETURN(Assessment a, AssessmentFromRow(q));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<AssessmentLevel>> SqliteStore::ListAssessmentLevels() {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT a.id, a.person_id, a.as_of, a.level, a.override_level, a.model_version "
                                     "FROM assessment a JOIN person p ON p.id = a.person_id AND p.active = 1 "
                                     "ORDER BY a.person_id, a.as_of, a.id"));
  std::vector<AssessmentLevel> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AssessmentLevel a;
    a.id = q.Int(0);
    a.person_id = q.Int(1);
    a.as_of = Date::FromDays(static_cast<int32_t>(q.Int(2)));
    RR_ASSIGN_OR_RETURN(a.level, ParseRiskLevel(q.Text(3)));
    if (!q.IsNull(4)) {
      RR_ASSIGN_OR_RETURN(a.override_level, ParseRiskLevel(q.Text(4)));
    }
    a.model_version = q.Text(5);
    out.push_back(std::move(a));
  }
  return out;
}

namespace {

constexpr std::string_view kPersonPriorityColumns =
    "SELECT person_id, network_id, role, priority, suspected_offender, children_linked, children_serious, "
    "children_significant, children_at_risk, contacts, co_offenders, degree, places, disruptions, betweenness, "
    "last_contact, reasons_json FROM person_priority";

PersonPriority PersonPriorityFromRow(const sql::Statement& q) {
  PersonPriority p;
  p.person_id = q.Int(0);
  p.network_id = static_cast<int32_t>(q.Int(1));
  p.role = q.Text(2);
  p.priority = q.Real(3);
  p.suspected_offender = q.Int(4) != 0;
  p.children_linked = static_cast<int>(q.Int(5));
  p.children_serious = static_cast<int>(q.Int(6));
  p.children_significant = static_cast<int>(q.Int(7));
  p.children_at_risk = static_cast<int>(q.Int(8));
  p.contacts = static_cast<int>(q.Int(9));
  p.co_offenders = static_cast<int>(q.Int(10));
  p.degree = static_cast<int>(q.Int(11));
  p.places = static_cast<int>(q.Int(12));
  p.disruptions = static_cast<int>(q.Int(13));
  p.betweenness = q.Real(14);
  if (!q.IsNull(15)) p.last_contact = Date::FromDays(static_cast<int32_t>(q.Int(15)));
  const json reasons = json::parse(q.Text(16), nullptr, false);
  if (reasons.is_array()) p.reasons = reasons.get<std::vector<std::string>>();
  return p;
}

}  // namespace

Status SqliteStore::SaveNetworks(const NetworkOutput& out, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto run, conn_->Prepare("INSERT INTO network_run (at, lone_offenders, priority_model) "
                                               "VALUES (?1, ?2, ?3) RETURNING id"));
  run.Bind(1, NowUtcIso()).Bind(2, out.lone_offenders).Bind(3, out.priority_model);
  RR_ASSIGN_OR_RETURN(const int64_t run_id, run.RunForNewId("a network run"));
  RR_ASSIGN_OR_RETURN(
      auto member,
      conn_->Prepare("INSERT INTO network_member (run_id, network_id, kind, entity_id) VALUES (?1, ?2, ?3, ?4)"));
  for (const StoredNetwork& n : out.networks) {
    for (int64_t id : n.offenders)
      RR_RETURN_IF_ERROR(member.Bind(1, run_id).Bind(2, n.id).Bind(3, "offender").Bind(4, id).Run());
    for (int64_t id : n.children)
      RR_RETURN_IF_ERROR(member.Bind(1, run_id).Bind(2, n.id).Bind(3, "child").Bind(4, id).Run());
    for (int64_t id : n.places)
      RR_RETURN_IF_ERROR(member.Bind(1, run_id).Bind(2, n.id).Bind(3, "place").Bind(4, id).Run());
  }
  RR_ASSIGN_OR_RETURN(
      auto score,
      conn_->Prepare(
          "INSERT INTO place_score (run_id, place_id, children_at_risk, persons_of_concern, events, score, of_concern, "
          "reasons_json, profile_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  for (const PlaceScore& p : out.places) {
    RR_RETURN_IF_ERROR(score.Bind(1, run_id)
                           .Bind(2, p.place_id)
                           .Bind(3, p.children_at_risk)
                           .Bind(4, p.persons_of_concern)
                           .Bind(5, p.events)
                           .Bind(6, p.score)
                           .Bind(7, p.of_concern ? 1 : 0)
                           .Bind(8, json(p.reasons).dump())
                           .Bind(9, PlaceProfileJson(p.profile))
                           .Run());
  }
  RR_ASSIGN_OR_RETURN(
      auto priority,
      conn_->Prepare("INSERT INTO person_priority (run_id, person_id, network_id, role, priority, suspected_offender, "
                     "children_linked, children_serious, children_significant, children_at_risk, contacts, "
                     "co_offenders, degree, places, disruptions, betweenness, last_contact, reasons_json) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"));
  for (const PersonPriority& p : out.persons) {
    priority.Bind(1, run_id)
        .Bind(2, p.person_id)
        .Bind(3, p.network_id)
        .Bind(4, p.role)
        .Bind(5, p.priority)
        .Bind(6, p.suspected_offender ? 1 : 0)
        .Bind(7, p.children_linked)
        .Bind(8, p.children_serious)
        .Bind(9, p.children_significant)
        .Bind(10, p.children_at_risk)
        .Bind(11, p.contacts)
        .Bind(12, p.co_offenders)
        .Bind(13, p.degree)
        .Bind(14, p.places)
        .Bind(15, p.disruptions)
        .Bind(16, p.betweenness)
        .Bind(18, json(p.reasons).dump());
    if (p.last_contact) {
      priority.Bind(17, static_cast<int64_t>(p.last_contact->days()));
    } else {
      priority.BindNull(17);
    }
    RR_RETURN_IF_ERROR(priority.Run());
  }
  RR_ASSIGN_OR_RETURN(auto edge, conn_->Prepare("INSERT INTO network_edge (run_id, kind, a_person_id, b_person_id, "
                                                "b_place_id, occasions, weight, first_seen, last_seen) "
                                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  for (const NetworkEdge& e : out.edges) {
    const bool place = e.kind == "person_place";
    if (!place && e.kind != "child_adult" && e.kind != "co_offending") {
      return Status::InvalidArgument("network edge " + std::to_string(e.a) + "-" + std::to_string(e.b) + ": kind '" +
                                     e.kind + "' is not child_adult, co_offending or person_place");
    }
    if (e.occasions < 1 || e.last_seen < e.first_seen) {
      return Status::InvalidArgument("network edge " + std::to_string(e.a) + "-" + std::to_string(e.b) +
                                     ": needs at least one occasion and first_seen <= last_seen");
    }
    edge.Bind(1, run_id).Bind(2, e.kind).Bind(3, e.a);
    if (place) {
      edge.BindNull(4).Bind(5, e.b);
    } else {
      edge.Bind(4, e.b).BindNull(5);
    }
    RR_RETURN_IF_ERROR(edge.Bind(6, static_cast<int64_t>(e.occasions))
                           .Bind(7, e.weight)
                           .Bind(8, static_cast<int64_t>(e.first_seen.days()))
                           .Bind(9, static_cast<int64_t>(e.last_seen.days()))
                           .Run());
  }
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "network";
  audit.target = "network_run:" + std::to_string(run_id);
  audit.details = json{{"networks", out.networks.size()},
                       {"places", out.places.size()},
                       {"persons", out.persons.size()},
                       {"edges", out.edges.size()}}
                      .dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Result<NetworkOutput> SqliteStore::LoadNetworks() {
  NetworkOutput out;
  int64_t run_id = 0;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id, lone_offenders FROM network_run ORDER BY id DESC LIMIT 1"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::FailedPrecondition("no network analysis in the store yet: run `riskradar network`");
    run_id = q.Int(0);
    out.lone_offenders = q.Int(1);
  }
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT network_id, kind, entity_id FROM network_member WHERE run_id = ?1 "
                                             "ORDER BY network_id, kind, entity_id"));
  q.Bind(1, run_id);
  std::map<int64_t, StoredNetwork> networks;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    StoredNetwork& n = networks[q.Int(0)];
    n.id = static_cast<int32_t>(q.Int(0));
    const std::string kind = q.Text(1);
    (kind == "offender" ? n.offenders : kind == "child" ? n.children : n.places).push_back(q.Int(2));
  }));
  for (auto& [id, n] : networks) out.networks.push_back(std::move(n));
  RR_ASSIGN_OR_RETURN(
      auto s,
      conn_->Prepare("SELECT place_id, children_at_risk, persons_of_concern, events, score, of_concern, reasons_json, "
                     "profile_json FROM place_score WHERE run_id = ?1 ORDER BY score DESC, place_id"));
  s.Bind(1, run_id);
  RR_RETURN_IF_ERROR(s.ForEachRow([&] {
    PlaceScore p;
    p.place_id = s.Int(0);
    p.children_at_risk = static_cast<int>(s.Int(1));
    p.persons_of_concern = static_cast<int>(s.Int(2));
    p.events = static_cast<int>(s.Int(3));
    p.score = s.Real(4);
    p.of_concern = s.Int(5) != 0;
    const json reasons = json::parse(s.Text(6), nullptr, false);
    if (reasons.is_array()) p.reasons = reasons.get<std::vector<std::string>>();
    p.profile = PlaceProfileFromJson(s.Text(7));
    out.places.push_back(std::move(p));
  }));
  {
    RR_ASSIGN_OR_RETURN(auto m, conn_->Prepare("SELECT priority_model FROM network_run WHERE id = ?1"));
    m.Bind(1, run_id);
    RR_ASSIGN_OR_RETURN(bool row, m.Step());
    if (row) out.priority_model = m.Text(0);
  }
  RR_ASSIGN_OR_RETURN(auto pq, conn_->Prepare(std::string(kPersonPriorityColumns) +
                                              " WHERE run_id = ?1 ORDER BY priority DESC, person_id"));
  pq.Bind(1, run_id);
  RR_RETURN_IF_ERROR(pq.ForEachRow([&] { out.persons.push_back(PersonPriorityFromRow(pq)); }));
  return out;
}

Result<std::optional<PersonPriority>> SqliteStore::ReadPersonPriority(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kPersonPriorityColumns) +
                                             " WHERE person_id = ?1 AND run_id = (SELECT MAX(id) FROM network_run)"));
  q.Bind(1, person_id);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<PersonPriority>();
  return std::optional<PersonPriority>(PersonPriorityFromRow(q));
}

namespace {

std::string IdsJson(const std::vector<int64_t>& ids) { return json(ids).dump(); }

}  // namespace

Result<std::vector<NetworkEdge>> SqliteStore::ReadNetworkEdges(const std::vector<int64_t>& person_ids) {
  int64_t run_id = 0;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT MAX(id) FROM network_run"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row || q.IsNull(0)) {
      return Status::FailedPrecondition("no network analysis in the store yet: run `riskradar network`");
    }
    run_id = q.Int(0);
  }
  std::string text =
      "SELECT kind, a_person_id, COALESCE(b_person_id, b_place_id), occasions, weight, first_seen, last_seen "
      "FROM network_edge WHERE run_id = ?1";
  if (!person_ids.empty()) {
    const std::string ids = sql::JsonIntegers(conn_->backend(), 2);
    text += " AND (a_person_id IN (" + ids + ") OR b_person_id IN (" + ids + "))";
  }
  text += " ORDER BY kind, a_person_id, COALESCE(b_person_id, b_place_id)";
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(text));
  q.Bind(1, run_id);
  if (!person_ids.empty()) q.Bind(2, IdsJson(person_ids));
  std::vector<NetworkEdge> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    NetworkEdge e;
    e.kind = q.Text(0);
    e.a = q.Int(1);
    e.b = q.Int(2);
    e.occasions = static_cast<int>(q.Int(3));
    e.weight = q.Real(4);
    e.first_seen = Date::FromDays(static_cast<int32_t>(q.Int(5)));
    e.last_seen = Date::FromDays(static_cast<int32_t>(q.Int(6)));
    out.push_back(std::move(e));
  }));
  return out;
}

Result<std::map<int64_t, RiskLevel>> SqliteStore::ReadLatestLevels(const std::vector<int64_t>& person_ids) {
  std::map<int64_t, RiskLevel> out;
  if (person_ids.empty()) return out;
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT a.person_id, COALESCE(a.override_level, a.level) FROM assessment a "
                                     "JOIN (SELECT person_id, MAX(id) AS id FROM assessment WHERE person_id IN (" +
                                     sql::JsonIntegers(conn_->backend(), 1) +
                                     ") GROUP BY person_id) latest ON latest.id = a.id "
                                     "JOIN person p ON p.id = a.person_id AND p.active = 1 ORDER BY a.person_id"));
  q.Bind(1, IdsJson(person_ids));
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RR_ASSIGN_OR_RETURN(out[q.Int(0)], ParseRiskLevel(q.Text(1)));
  }
  return out;
}

Result<std::map<int64_t, Place>> SqliteStore::ReadPlaces(const std::vector<int64_t>& place_ids) {
  std::map<int64_t, Place> out;
  if (place_ids.empty()) return out;
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT id, name, type, postcode, district, lat, lon FROM place "
                                             "WHERE active = 1 AND id IN (" +
                                             sql::JsonIntegers(conn_->backend(), 1) + ") ORDER BY id"));
  q.Bind(1, IdsJson(place_ids));
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Place p;
    p.id = q.Int(0);
    p.name = q.Text(1);
    RR_ASSIGN_OR_RETURN(p.type, ParsePlaceType(q.Text(2)));
    p.postcode = q.Text(3);
    p.district = q.Text(4);
    p.lat = q.OptDouble(5);
    p.lon = q.OptDouble(6);
    out[p.id] = std::move(p);
  }
  return out;
}

Result<std::string> SqliteStore::ReadExportKey() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT key FROM export_key WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Corruption("the store has no export key (migration 15)");
  return q.Blob(0);
}

std::string CheckpointMessage(int64_t tree_size, std::string_view root_hash, std::string_view signed_at) {
  return "riskradar audit checkpoint v1\n" + std::to_string(tree_size) + "\n" + std::string(root_hash) + "\n" +
         std::string(signed_at) + "\n";
}

Status CheckStoreReady(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (!sqlite) return Status::FailedPrecondition("readiness is only checked for SQLite stores");
  return sqlite->CheckReady();
}

}  // namespace riskradar::store

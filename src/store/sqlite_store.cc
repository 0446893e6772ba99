// SqliteStore: the embedded default Store (one file, WAL, synchronous=FULL,
// foreign keys on, numbered migrations).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "audit_key.h"
#include "riskradar/core/hash.h"
#include "riskradar/core/merkle.h"
#include "riskradar/store/store.h"
#include "sqlite_db.h"
#include "sqlite_schema.h"

namespace riskradar::store {
namespace {

using nlohmann::json;

std::optional<int64_t> DobDays(const std::optional<Date>& d) {
  return d ? std::optional<int64_t>(d->days()) : std::nullopt;
}
std::optional<Date> DateFrom(std::optional<int64_t> days) {
  return days ? std::optional<Date>(Date::FromDays(static_cast<int32_t>(*days))) : std::nullopt;
}

// Schema 1's hash chain, kept only to check old logs before they are re-hashed as Merkle leaves.
std::string LegacyAuditLeafHash(const AuditEvent& e, std::string_view prev_hash) {
  json j = {{"seq", e.seq},          {"at", e.at_utc},          {"user", e.actor.user},
            {"agency", e.actor.agency}, {"role", e.actor.role}, {"purpose", e.actor.purpose},
            {"action", e.action},    {"target", e.target},      {"outcome", e.outcome},
            {"details", e.details},  {"prev", prev_hash}};
  return HashHex(j.dump());
}

// The canonical bytes of an audit event (the Merkle leaf): a version byte, the sequence number as 8 bytes
// big-endian, then each field as a 4-byte big-endian length and its bytes. Length prefixes keep any payload
// (newlines, JSON, control characters) inside its own field, so a log-injection attempt stays one event.
void AppendAuditLeafBytes(std::string& out, int64_t seq, std::initializer_list<std::string_view> fields) {
  out.clear();
  out.push_back('\x01');
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((static_cast<uint64_t>(seq) >> shift) & 0xff));
  }
  for (std::string_view f : fields) {
    const auto n = static_cast<uint32_t>(f.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
    out.append(f);
  }
}

merkle::Hash AuditLeaf(const AuditEvent& e, std::string& buffer) {
  AppendAuditLeafBytes(buffer, e.seq,
                       {e.at_utc, e.actor.user, e.actor.agency, e.actor.role, e.actor.purpose, e.action, e.target,
                        e.outcome, e.details});
  return merkle::LeafHash(buffer);
}

class SqliteStore;

class SqliteBatchWriter final : public BatchWriter {
 public:
  SqliteBatchWriter(SqliteStore* store, SqliteDb* db, SqliteTransaction txn, int64_t batch_id, BatchHeader header)
      : store_(store), db_(db), txn_(std::move(txn)), batch_id_(batch_id), header_(std::move(header)) {}

  Status Prepare();
  Result<bool> AddRow(const ParsedRow& row) override;
  Status AddQuarantine(const QuarantinedRow& row) override;
  Result<BatchInfo> Commit(const BatchCounts& counts, const Actor& actor) override;

 private:
  Result<int64_t> InsertMention(int64_t record_id, const PersonMention& m, std::string_view slot);

  SqliteStore* store_;
  SqliteDb* db_;
  SqliteTransaction txn_;
  int64_t batch_id_;
  BatchHeader header_;
  SqliteStatement insert_record_, insert_mention_, insert_place_, insert_event_, insert_quarantine_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::unique_ptr<SqliteDb> db, std::string key_path, StoreOptions options)
      : db_(std::move(db)), key_path_(std::move(key_path)), options_(std::move(options)) {}

  Status Migrate();
  Status AppendAuditLocked(const AuditEvent& event);  // REQUIRES: a transaction is open

  Status UpsertAgency(const Agency& agency) override;
  Result<std::vector<Agency>> ListAgencies() override;
  Result<std::optional<BatchInfo>> FindCompletedBatch(std::string_view agency_code,
                                                      std::string_view file_hash) override;
  Result<std::unique_ptr<BatchWriter>> BeginBatch(const BatchHeader& header) override;
  Result<std::vector<BatchInfo>> ListBatches() override;
  Result<std::vector<QuarantinedRow>> ListQuarantine(int64_t batch_id) override;
  Result<std::vector<MentionRow>> LoadPersonMentions() override;
  Result<std::vector<PlaceMentionRow>> LoadPlaceMentions() override;
  Result<std::vector<std::pair<int64_t, int64_t>>> LoadMentionPersons() override;
  Result<std::vector<std::pair<int64_t, int64_t>>> LoadPlaceMentionPlaces() override;
  Result<std::vector<ReviewItem>> LoadReviewDecisions() override;
  Status SaveLinkage(const LinkageOutput& output, const Actor& actor) override;
  Result<std::vector<ReviewItem>> ListReview(std::string_view status) override;
  Status DecideReview(const ReviewItem& decision, const Actor& actor) override;
  Result<std::string> LatestLinkageModel() override;
  Result<std::pair<int64_t, int64_t>> MaxEntityIds() override;
  Result<std::vector<Person>> ListPersons() override;
  Result<std::vector<Place>> ListPlaces() override;
  Result<std::vector<EventRow>> LoadEvents() override;
  Status SaveAssessments(const std::vector<Assessment>& assessments, const Actor& actor) override;
  Result<std::vector<Assessment>> LatestAssessments() override;
  Status SaveNetworks(const NetworkOutput& output, const Actor& actor) override;
  Result<NetworkOutput> LoadNetworks() override;
  Status AppendAudit(const AuditEvent& event) override;
  Status AppendAuditBatch(const std::vector<AuditEvent>& events) override;
  Result<AuditCheck> VerifyAudit() override;
  Result<AuditCheckpoint> SignAuditCheckpoint() override;
  Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints() override;
  Result<AuditProof> AuditInclusionProof(int64_t seq, int64_t tree_size) override;
  Result<AuditProof> AuditConsistencyProof(int64_t old_size, int64_t new_size) override;
  Result<int64_t> AddUser(const User& user, const Actor& actor) override;
  Result<std::optional<User>> FindUser(std::string_view name) override;
  Result<std::vector<User>> ListUsers() override;
  Status SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) override;
  Status ResetUserCredentials(std::string_view name, const std::string& password_hash,
                              const std::string& totp_secret, const Actor& actor) override;
  Status UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) override;
  Status CreateSession(const NewSession& session, const Actor& actor) override;
  Result<std::optional<SessionUser>> TouchSession(std::string_view token_hash, int64_t now_s, int64_t idle_s,
                                                  int64_t absolute_s) override;
  Status RevokeSession(std::string_view token_hash, const Actor& actor) override;
  Result<int64_t> AddSharingAgreement(const SharingAgreement& agreement, const Actor& actor) override;
  Status AddCareRelationship(const CareRelationship& relationship, const Actor& actor) override;
  Result<BreakGlassGrant> GrantBreakGlass(const Viewer& viewer, int64_t person_id, const std::string& reason,
                                          int64_t now_s, int64_t ttl_s, const Actor& actor) override;
  Result<std::vector<BreakGlassGrant>> ListBreakGlass(bool unreviewed_only) override;
  Result<std::vector<RadarCell>> RadarCounts() override;
  Result<ChildView> ReadChildView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                  const Actor& actor) override;
  Result<StoreCounts> Counts() override;

 private:
  Result<std::vector<std::pair<int64_t, int64_t>>> LoadPairs(std::string_view sql);
  // A prepared statement kept for the store's life, reset and ready to bind. `sql` must be a literal.
  Result<SqliteStatement*> Cached(const char* sql);
  Result<const AuditSigningKey*> Key();
  Result<merkle::TreeBuilder> LoadTreeLocked();
  Status AppendLeafLocked(const AuditEvent& event, merkle::TreeBuilder& tree, std::string& buffer);
  Result<AuditCheckpoint> SaveHeadLocked(const merkle::TreeBuilder& tree, bool keep);
  Status UpgradeAuditToMerkle();
  Result<std::vector<merkle::Hash>> LoadLeafHashes(int64_t count);
  Result<int64_t> UserIdLocked(std::string_view name);
  Status RevokeUserSessionsLocked(int64_t user_id);

  std::unique_ptr<SqliteDb> db_;
  std::string key_path_;
  StoreOptions options_;
  std::optional<AuditSigningKey> key_;
  std::unordered_map<const char*, SqliteStatement> cached_;  // declared after db_: finalized first
};

// ---------------------------------------------------------------- batches

Status SqliteBatchWriter::Prepare() {
  // One statement both checks and inserts: the UNIQUE (agency_code, local_id, content_hash) constraint decides,
  // and sqlite3_changes() says whether the row was new (an identical row already stored changes nothing).
  RR_ASSIGN_OR_RETURN(insert_record_, db_->Prepare(
      "INSERT INTO source_record (batch_id, agency_code, local_id, line, raw_json, content_hash, record_class, "
      "lawful_basis) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (agency_code, local_id, content_hash) DO NOTHING"));
  RR_ASSIGN_OR_RETURN(insert_mention_, db_->Prepare(
      "INSERT INTO person_mention (source_record_id, slot, role, local_person_id, forename, surname, dob, sex, "
      "postcode, nhs_number, upn) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
  RR_ASSIGN_OR_RETURN(insert_place_, db_->Prepare(
      "INSERT INTO place_mention (source_record_id, name, type, postcode, lat, lon) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  RR_ASSIGN_OR_RETURN(insert_event_, db_->Prepare(
      "INSERT INTO event (source_record_id, kind, category, date, subject_mention_id, associate_mention_id, "
      "place_mention_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  RR_ASSIGN_OR_RETURN(insert_quarantine_, db_->Prepare(
      "INSERT INTO quarantine (batch_id, file, line, column_name, value, reason, raw) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  return Status::Ok();
}

Result<int64_t> SqliteBatchWriter::InsertMention(int64_t record_id, const PersonMention& m, std::string_view slot) {
  // BindView: every bound string outlives Run(), which resets the statement.
  insert_mention_.Bind(1, record_id).BindView(2, slot).BindView(3, ToString(m.role)).BindView(4, m.local_person_id)
      .BindView(5, m.forename).BindView(6, m.surname).Bind(7, DobDays(m.dob)).BindView(8, ToString(m.sex))
      .BindView(9, m.postcode).BindView(10, m.nhs_number).BindView(11, m.upn);
  RR_RETURN_IF_ERROR(insert_mention_.Run());
  return db_->LastInsertId();
}

Result<bool> SqliteBatchWriter::AddRow(const ParsedRow& row) {
  const SourceRecord& r = row.record;
  insert_record_.Bind(1, batch_id_).BindView(2, r.agency_code).BindView(3, r.local_id).Bind(4, r.line)
      .BindView(5, r.raw_json).BindView(6, r.content_hash).BindView(7, r.record_class).BindView(8, r.lawful_basis);
  RR_RETURN_IF_ERROR(insert_record_.Run());
  if (db_->Changes() == 0) return false;  // already stored with the same content
  const int64_t record_id = db_->LastInsertId();

  RR_ASSIGN_OR_RETURN(const int64_t subject_id, InsertMention(record_id, row.subject, "subject"));
  std::optional<int64_t> associate_id;
  if (row.associate) {
    RR_ASSIGN_OR_RETURN(associate_id, InsertMention(record_id, *row.associate, "associate"));
  }
  std::optional<int64_t> place_id;
  if (row.place) {
    const PlaceMention& p = *row.place;
    insert_place_.Bind(1, record_id).BindView(2, p.name).BindView(3, ToString(p.type)).BindView(4, p.postcode)
        .Bind(5, p.lat).Bind(6, p.lon);
    RR_RETURN_IF_ERROR(insert_place_.Run());
    place_id = db_->LastInsertId();
  }
  const Event& e = row.event;
  insert_event_.Bind(1, record_id).BindView(2, ToString(e.kind)).BindView(3, e.category).Bind(4, e.date.days())
      .Bind(5, subject_id).Bind(6, associate_id).Bind(7, place_id).BindView(8, e.detail);
  RR_RETURN_IF_ERROR(insert_event_.Run());
  return true;
}

Status SqliteBatchWriter::AddQuarantine(const QuarantinedRow& q) {
  insert_quarantine_.Bind(1, batch_id_).Bind(2, q.file).Bind(3, q.line).Bind(4, q.column).Bind(5, q.value)
      .Bind(6, q.reason).Bind(7, q.raw);
  return insert_quarantine_.Run();
}

Result<BatchInfo> SqliteBatchWriter::Commit(const BatchCounts& counts, const Actor& actor) {
  const std::string finished = NowUtcIso();
  RR_ASSIGN_OR_RETURN(auto update, db_->Prepare(
      "UPDATE import_batch SET rows_in = ?1, landed = ?2, unchanged = ?3, quarantined = ?4, status = 'complete', "
      "finished_at = ?5 WHERE id = ?6"));
  RR_RETURN_IF_ERROR(update.Bind(1, counts.rows_in).Bind(2, counts.landed).Bind(3, counts.unchanged)
                         .Bind(4, counts.quarantined).Bind(5, finished).Bind(6, batch_id_).Run());
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "import";
  audit.target = "batch:" + std::to_string(batch_id_);
  audit.details = json{{"agency", header_.agency_code}, {"file", header_.file}, {"file_hash", header_.file_hash},
                       {"rows_in", counts.rows_in}, {"landed", counts.landed}, {"unchanged", counts.unchanged},
                       {"quarantined", counts.quarantined}}.dump();
  RR_RETURN_IF_ERROR(store_->AppendAuditLocked(audit));
  RR_RETURN_IF_ERROR(txn_.Commit());
  BatchInfo info;
  info.id = batch_id_;
  info.header = header_;
  info.counts = counts;
  info.status = "complete";
  info.finished_at = finished;
  return info;
}

// ---------------------------------------------------------------- store

Status SqliteStore::Migrate() {
  RR_RETURN_IF_ERROR(db_->Exec(
      "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"));
  int64_t current = 0;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migration"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) current = q.Int(0);
  }
  const int64_t newest = kSqliteMigrations.back().version;
  if (current > newest) {
    return Status::FailedPrecondition("store schema version " + std::to_string(current) +
                                      " is newer than this riskradar (" + std::to_string(newest) + "); upgrade riskradar");
  }
  for (const Migration& m : kSqliteMigrations) {
    if (m.version <= current) continue;
    RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
    RR_RETURN_IF_ERROR(db_->Exec(m.sql).WithContext("migration " + std::to_string(m.version)));
    if (m.version == 2) RR_RETURN_IF_ERROR(UpgradeAuditToMerkle().WithContext("migration 2"));
    RR_ASSIGN_OR_RETURN(auto ins, db_->Prepare("INSERT INTO schema_migration (version, applied_at) VALUES (?1, ?2)"));
    RR_RETURN_IF_ERROR(ins.Bind(1, m.version).Bind(2, NowUtcIso()).Run());
    RR_RETURN_IF_ERROR(txn.Commit());
  }
  return Status::Ok();
}

Status SqliteStore::UpsertAgency(const Agency& a) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO agency (code, name, kind, area) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT(code) DO UPDATE SET name = excluded.name, kind = excluded.kind, area = excluded.area"));
  return q.Bind(1, a.code).Bind(2, a.name).Bind(3, ToString(a.kind)).Bind(4, a.area).Run();
}

Result<std::vector<Agency>> SqliteStore::ListAgencies() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT code, name, kind, area FROM agency ORDER BY code"));
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
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT id, agency_code, file, file_hash, format, record_class, lawful_basis, rows_in, landed, unchanged, "
      "quarantined, status, COALESCE(finished_at, '') FROM import_batch ORDER BY id"));
  std::vector<BatchInfo> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    BatchInfo b;
    b.id = q.Int(0);
    b.header = {q.Text(1), q.Text(2), q.Text(3), q.Text(4), q.Text(5), q.Text(6)};
    b.counts = {q.Int(7), q.Int(8), q.Int(9), q.Int(10)};
    b.status = q.Text(11);
    b.finished_at = q.Text(12);
    out.push_back(std::move(b));
  }
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
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO import_batch (agency_code, file, file_hash, format, record_class, lawful_basis, status, started_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7)"));
  Status s = q.Bind(1, h.agency_code).Bind(2, h.file).Bind(3, h.file_hash).Bind(4, h.format).Bind(5, h.record_class)
                 .Bind(6, h.lawful_basis).Bind(7, NowUtcIso()).Run();
  if (!s.ok()) {
    if (s.code() == StatusCode::kConflict) {
      return Status::NotFound("agency '" + h.agency_code + "' is not registered in this store");
    }
    return s;
  }
  auto writer = std::make_unique<SqliteBatchWriter>(this, db_.get(), std::move(txn), db_->LastInsertId(), h);
  RR_RETURN_IF_ERROR(writer->Prepare());
  return std::unique_ptr<BatchWriter>(std::move(writer));
}

Result<std::vector<QuarantinedRow>> SqliteStore::ListQuarantine(int64_t batch_id) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT id, batch_id, file, line, column_name, value, reason, raw FROM quarantine "
      "WHERE ?1 = 0 OR batch_id = ?1 ORDER BY id"));
  q.Bind(1, batch_id);
  std::vector<QuarantinedRow> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Int(0), q.Int(1), q.Text(2), q.Int(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)});
  }
  return out;
}

Result<std::vector<MentionRow>> SqliteStore::LoadPersonMentions() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT m.id, m.source_record_id, m.role, m.local_person_id, m.forename, m.surname, m.dob, m.sex, m.postcode, "
      "m.nhs_number, m.upn, r.agency_code, r.local_id, m.slot FROM person_mention m "
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
    out.push_back(std::move(mr));
  }
  return out;
}

Result<std::vector<PlaceMentionRow>> SqliteStore::LoadPlaceMentions() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
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
    p.lat = q.OptReal(5);
    p.lon = q.OptReal(6);
    pr.agency_code = q.Text(7);
    pr.local_id = q.Text(8);
    out.push_back(std::move(pr));
  }
  return out;
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteStore::LoadPairs(std::string_view sql) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(sql));
  std::vector<std::pair<int64_t, int64_t>> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.emplace_back(q.Int(0), q.Int(1));
  }
  return out;
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteStore::LoadMentionPersons() {
  return LoadPairs("SELECT mention_id, person_id FROM mention_person ORDER BY mention_id");
}

Result<std::vector<std::pair<int64_t, int64_t>>> SqliteStore::LoadPlaceMentionPlaces() {
  return LoadPairs("SELECT place_mention_id, place_id FROM place_mention_place ORDER BY place_mention_id");
}

Result<std::vector<ReviewItem>> SqliteStore::LoadReviewDecisions() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT left_mention_id, right_mention_id, match_weight, match_probability, status, reason, decided_by, "
      "COALESCE(decided_at, '') FROM link_review WHERE status <> 'pending' "
      "ORDER BY left_mention_id, right_mention_id"));
  std::vector<ReviewItem> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Int(0), q.Int(1), q.Real(2), q.Real(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)});
  }
  return out;
}

Result<std::vector<ReviewItem>> SqliteStore::ListReview(std::string_view status) {
  if (!status.empty() && status != "pending" && status != "confirmed" && status != "rejected") {
    return Status::InvalidArgument("review status must be pending, confirmed or rejected, not '" +
                                   std::string(status) + "'");
  }
  // Pending pairs nearest p = 0.5 first: those are the ones the model knows least about.
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT left_mention_id, right_mention_id, match_weight, match_probability, status, reason, decided_by, "
      "COALESCE(decided_at, '') FROM link_review WHERE ?1 = '' OR status = ?1 "
      "ORDER BY status <> 'pending', ABS(match_probability - 0.5), left_mention_id, right_mention_id"));
  q.Bind(1, status);
  std::vector<ReviewItem> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Int(0), q.Int(1), q.Real(2), q.Real(3), q.Text(4), q.Text(5), q.Text(6), q.Text(7)});
  }
  return out;
}

Status SqliteStore::DecideReview(const ReviewItem& d, const Actor& actor) {
  if (d.status != "confirmed" && d.status != "rejected") {
    return Status::InvalidArgument("a review decision is 'confirmed' or 'rejected', not '" + d.status + "'");
  }
  if (d.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("a review decision needs a reason");
  }
  if (d.left_mention_id == d.right_mention_id) return Status::InvalidArgument("a pair needs two different mentions");
  // Pairs are stored smaller mention id first, as the link stage queues them.
  const int64_t left = std::min(d.left_mention_id, d.right_mention_id);
  const int64_t right = std::max(d.left_mention_id, d.right_mention_id);
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT COUNT(*) FROM person_mention WHERE id IN (?1, ?2)"));
    q.Bind(1, left).Bind(2, right);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row || q.Int(0) != 2) {
      return Status::NotFound("no person mention " + std::to_string(left) + " or " + std::to_string(right));
    }
  }
  std::string previous = "none";
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
        "SELECT status FROM link_review WHERE left_mention_id = ?1 AND right_mention_id = ?2"));
    q.Bind(1, left).Bind(2, right);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) previous = q.Text(0);
  }
  RR_ASSIGN_OR_RETURN(auto up, db_->Prepare(
      "INSERT INTO link_review (left_mention_id, right_mention_id, match_weight, match_probability, status, reason, "
      "decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (left_mention_id, right_mention_id) DO UPDATE SET status = excluded.status, "
      "reason = excluded.reason, decided_by = excluded.decided_by, decided_at = excluded.decided_at"));
  RR_RETURN_IF_ERROR(up.Bind(1, left).Bind(2, right).Bind(3, d.match_weight).Bind(4, d.match_probability)
                         .Bind(5, d.status).Bind(6, d.reason).Bind(7, actor.user).Bind(8, NowUtcIso()).Run());
  AuditEvent audit;
  audit.actor = actor;
  audit.action = d.status == "confirmed" ? "review_confirm" : "review_reject";
  audit.target = "link_review:" + std::to_string(left) + "-" + std::to_string(right);
  audit.details = json{{"reason", d.reason}, {"previous_status", previous}}.dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Result<std::string> SqliteStore::LatestLinkageModel() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT model_json FROM linkage_run ORDER BY id DESC LIMIT 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::NotFound("no linkage run yet: run `riskradar link` first");
  return q.Text(0);
}

Status SqliteStore::SaveLinkage(const LinkageOutput& out, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  // People and places that disappear (merged into another) stay as inactive
  // rows so that their assessment history keeps its referent.
  RR_RETURN_IF_ERROR(db_->Exec("UPDATE person SET active = 0; UPDATE place SET active = 0;"
                               "DELETE FROM mention_person; DELETE FROM place_mention_place;"
                               "DELETE FROM link_review WHERE status = 'pending';"));
  RR_ASSIGN_OR_RETURN(auto person, db_->Prepare(
      "INSERT INTO person (id, active, display_name, dob, sex, district, is_child, person_of_concern, mention_count) "
      "VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(id) DO UPDATE SET active = 1, "
      "display_name = excluded.display_name, dob = excluded.dob, sex = excluded.sex, district = excluded.district, "
      "is_child = excluded.is_child, person_of_concern = excluded.person_of_concern, "
      "mention_count = excluded.mention_count"));
  for (const Person& p : out.persons) {
    RR_RETURN_IF_ERROR(person.Bind(1, p.id).Bind(2, p.display_name).Bind(3, DobDays(p.dob)).Bind(4, ToString(p.sex))
                           .Bind(5, p.district).Bind(6, p.is_child ? 1 : 0).Bind(7, p.person_of_concern ? 1 : 0)
                           .Bind(8, p.mention_count).Run());
  }
  RR_ASSIGN_OR_RETURN(auto mp, db_->Prepare("INSERT INTO mention_person (mention_id, person_id) VALUES (?1, ?2)"));
  for (const auto& [mention, pid] : out.mention_person) RR_RETURN_IF_ERROR(mp.Bind(1, mention).Bind(2, pid).Run());
  RR_ASSIGN_OR_RETURN(auto place, db_->Prepare(
      "INSERT INTO place (id, active, name, type, postcode, district, lat, lon) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT(id) DO UPDATE SET active = 1, name = excluded.name, type = excluded.type, "
      "postcode = excluded.postcode, district = excluded.district, lat = excluded.lat, lon = excluded.lon"));
  for (const Place& p : out.places) {
    RR_RETURN_IF_ERROR(place.Bind(1, p.id).Bind(2, p.name).Bind(3, ToString(p.type)).Bind(4, p.postcode)
                           .Bind(5, p.district).Bind(6, p.lat).Bind(7, p.lon).Run());
  }
  RR_ASSIGN_OR_RETURN(auto pmp, db_->Prepare(
      "INSERT INTO place_mention_place (place_mention_id, place_id) VALUES (?1, ?2)"));
  for (const auto& [mention, pid] : out.place_mention_place) RR_RETURN_IF_ERROR(pmp.Bind(1, mention).Bind(2, pid).Run());
  // A decided pair keeps its decision; only new pairs are queued.
  RR_ASSIGN_OR_RETURN(auto review, db_->Prepare(
      "INSERT INTO link_review (left_mention_id, right_mention_id, match_weight, match_probability, status, reason, "
      "decided_by) VALUES (?1, ?2, ?3, ?4, 'pending', '', '') ON CONFLICT DO NOTHING"));
  for (const ReviewItem& r : out.review) {
    RR_RETURN_IF_ERROR(review.Bind(1, r.left_mention_id).Bind(2, r.right_mention_id).Bind(3, r.match_weight)
                           .Bind(4, r.match_probability).Run());
  }
  RR_ASSIGN_OR_RETURN(auto run, db_->Prepare(
      "INSERT INTO linkage_run (at, persons, places, model_json) VALUES (?1, ?2, ?3, ?4)"));
  RR_RETURN_IF_ERROR(run.Bind(1, NowUtcIso()).Bind(2, static_cast<int64_t>(out.persons.size()))
                         .Bind(3, static_cast<int64_t>(out.places.size())).Bind(4, out.model_json).Run());
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "link";
  audit.target = "linkage_run:" + std::to_string(db_->LastInsertId());
  audit.details = json{{"persons", out.persons.size()}, {"places", out.places.size()},
                       {"review_items", out.review.size()}}.dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Result<std::pair<int64_t, int64_t>> SqliteStore::MaxEntityIds() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT (SELECT COALESCE(MAX(id), 0) FROM person), (SELECT COALESCE(MAX(id), 0) FROM place)"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("max id query returned no row");
  return std::make_pair(q.Int(0), q.Int(1));
}

Result<std::vector<Person>> SqliteStore::ListPersons() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT id, display_name, dob, sex, district, is_child, person_of_concern, mention_count FROM person "
      "WHERE active = 1 ORDER BY id"));
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
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<Place>> SqliteStore::ListPlaces() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT id, name, type, postcode, district, lat, lon FROM place WHERE active = 1 ORDER BY id"));
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
    p.lat = q.OptReal(5);
    p.lon = q.OptReal(6);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<EventRow>> SqliteStore::LoadEvents() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT e.id, e.source_record_id, e.kind, e.category, e.date, e.subject_mention_id, e.associate_mention_id, "
      "e.place_mention_id, e.detail, r.agency_code, COALESCE(sp.person_id, 0), COALESCE(ap.person_id, 0), "
      "COALESCE(pp.place_id, 0), sm.role, COALESCE(am.role, 'adult') "
      "FROM event e JOIN source_record r ON r.id = e.source_record_id "
      "JOIN person_mention sm ON sm.id = e.subject_mention_id "
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
    out.push_back(std::move(er));
  }
  return out;
}

json IndicatorsToJson(const std::vector<Indicator>& indicators) {
  json arr = json::array();
  for (const Indicator& i : indicators) {
    arr.push_back({{"code", i.code}, {"group", i.group}, {"label", i.label}, {"current", i.current},
                   {"points", i.points}, {"evidence", i.evidence_event_ids}});
  }
  return arr;
}

std::vector<Indicator> IndicatorsFromJson(const json& arr) {
  std::vector<Indicator> out;
  for (const auto& j : arr) {
    Indicator i;
    i.code = j.value("code", "");
    i.group = j.value("group", "");
    i.label = j.value("label", "");
    i.current = j.value("current", true);
    i.points = j.value("points", 0.0);
    i.evidence_event_ids = j.value("evidence", std::vector<int64_t>{});
    out.push_back(std::move(i));
  }
  return out;
}

Status SqliteStore::SaveAssessments(const std::vector<Assessment>& assessments, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO assessment (person_id, as_of, level, score, model_version, indicators_json, explanation_json, "
      "override_level, override_reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  const std::string now = NowUtcIso();
  for (const Assessment& a : assessments) {
    std::optional<std::string> override_level;
    if (a.override_level) override_level = std::string(ToString(*a.override_level));
    RR_RETURN_IF_ERROR(q.Bind(1, a.person_id).Bind(2, a.as_of.days()).Bind(3, ToString(a.level)).Bind(4, a.score)
                           .Bind(5, a.model_version).Bind(6, IndicatorsToJson(a.indicators).dump())
                           .Bind(7, json(a.explanation).dump()).Bind(8, override_level).Bind(9, a.override_reason)
                           .Bind(10, now).Run());
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
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT a.id, a.person_id, a.as_of, a.level, a.score, a.model_version, a.indicators_json, a.explanation_json, "
      "a.override_level, a.override_reason FROM assessment a "
      "JOIN (SELECT person_id, MAX(id) AS id FROM assessment GROUP BY person_id) latest ON latest.id = a.id "
      "JOIN person p ON p.id = a.person_id AND p.active = 1 ORDER BY a.person_id"));
  std::vector<Assessment> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    Assessment a;
    a.id = q.Int(0);
    a.person_id = q.Int(1);
    a.as_of = Date::FromDays(static_cast<int32_t>(q.Int(2)));
    RR_ASSIGN_OR_RETURN(a.level, ParseRiskLevel(q.Text(3)));
    a.score = q.Real(4);
    a.model_version = q.Text(5);
    a.indicators = IndicatorsFromJson(json::parse(q.Text(6), nullptr, false));
    const json expl = json::parse(q.Text(7), nullptr, false);
    if (expl.is_array()) a.explanation = expl.get<std::vector<std::string>>();
    if (!q.IsNull(8)) {
      RR_ASSIGN_OR_RETURN(a.override_level, ParseRiskLevel(q.Text(8)));
    }
    a.override_reason = q.Text(9);
    out.push_back(std::move(a));
  }
  return out;
}

Status SqliteStore::SaveNetworks(const NetworkOutput& out, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto run, db_->Prepare("INSERT INTO network_run (at, lone_offenders) VALUES (?1, ?2)"));
  RR_RETURN_IF_ERROR(run.Bind(1, NowUtcIso()).Bind(2, out.lone_offenders).Run());
  const int64_t run_id = db_->LastInsertId();
  RR_ASSIGN_OR_RETURN(auto member, db_->Prepare(
      "INSERT INTO network_member (run_id, network_id, kind, entity_id) VALUES (?1, ?2, ?3, ?4)"));
  for (const StoredNetwork& n : out.networks) {
    for (int64_t id : n.offenders) RR_RETURN_IF_ERROR(member.Bind(1, run_id).Bind(2, n.id).Bind(3, "offender").Bind(4, id).Run());
    for (int64_t id : n.children) RR_RETURN_IF_ERROR(member.Bind(1, run_id).Bind(2, n.id).Bind(3, "child").Bind(4, id).Run());
    for (int64_t id : n.places) RR_RETURN_IF_ERROR(member.Bind(1, run_id).Bind(2, n.id).Bind(3, "place").Bind(4, id).Run());
  }
  RR_ASSIGN_OR_RETURN(auto score, db_->Prepare(
      "INSERT INTO place_score (run_id, place_id, children_at_risk, persons_of_concern, events, score, of_concern, "
      "reasons_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  for (const PlaceScore& p : out.places) {
    RR_RETURN_IF_ERROR(score.Bind(1, run_id).Bind(2, p.place_id).Bind(3, p.children_at_risk)
                           .Bind(4, p.persons_of_concern).Bind(5, p.events).Bind(6, p.score)
                           .Bind(7, p.of_concern ? 1 : 0).Bind(8, json(p.reasons).dump()).Run());
  }
  AuditEvent audit;
  audit.actor = actor;
  audit.action = "network";
  audit.target = "network_run:" + std::to_string(run_id);
  audit.details = json{{"networks", out.networks.size()}, {"places", out.places.size()}}.dump();
  RR_RETURN_IF_ERROR(AppendAuditLocked(audit));
  return txn.Commit();
}

Result<NetworkOutput> SqliteStore::LoadNetworks() {
  NetworkOutput out;
  int64_t run_id = 0;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT id, lone_offenders FROM network_run ORDER BY id DESC LIMIT 1"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::FailedPrecondition("no network analysis in the store yet: run `riskradar network`");
    run_id = q.Int(0);
    out.lone_offenders = q.Int(1);
  }
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT network_id, kind, entity_id FROM network_member WHERE run_id = ?1 ORDER BY network_id, kind, entity_id"));
  q.Bind(1, run_id);
  std::map<int64_t, StoredNetwork> networks;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    StoredNetwork& n = networks[q.Int(0)];
    n.id = static_cast<int32_t>(q.Int(0));
    const std::string kind = q.Text(1);
    (kind == "offender" ? n.offenders : kind == "child" ? n.children : n.places).push_back(q.Int(2));
  }
  for (auto& [id, n] : networks) out.networks.push_back(std::move(n));
  RR_ASSIGN_OR_RETURN(auto s, db_->Prepare(
      "SELECT place_id, children_at_risk, persons_of_concern, events, score, of_concern, reasons_json "
      "FROM place_score WHERE run_id = ?1 ORDER BY score DESC, place_id"));
  s.Bind(1, run_id);
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    PlaceScore p;
    p.place_id = s.Int(0);
    p.children_at_risk = static_cast<int>(s.Int(1));
    p.persons_of_concern = static_cast<int>(s.Int(2));
    p.events = static_cast<int>(s.Int(3));
    p.score = s.Real(4);
    p.of_concern = s.Int(5) != 0;
    const json reasons = json::parse(s.Text(6), nullptr, false);
    if (reasons.is_array()) p.reasons = reasons.get<std::vector<std::string>>();
    out.places.push_back(std::move(p));
  }
  return out;
}

// ---------------------------------------------------------------- audit (RFC 6962 Merkle tree)

Result<SqliteStatement*> SqliteStore::Cached(const char* sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    RR_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(sql));
    it = cached_.emplace(sql, std::move(stmt)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<const AuditSigningKey*> SqliteStore::Key() {
  if (!key_) {
    RR_ASSIGN_OR_RETURN(auto key, AuditSigningKey::LoadOrCreate(key_path_));
    key_.emplace(std::move(key));
  }
  return &*key_;
}

Result<std::vector<merkle::Hash>> SqliteStore::LoadLeafHashes(int64_t count) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT leaf_hash FROM audit_event WHERE seq <= ?1 ORDER BY seq"));
  q.Bind(1, count);
  std::vector<merkle::Hash> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RR_ASSIGN_OR_RETURN(auto h, merkle::FromHex(q.TextView(0)));
    out.push_back(h);
  }
  if (static_cast<int64_t>(out.size()) != count) return Status::Corruption("audit log is shorter than its tree");
  return out;
}

Result<merkle::TreeBuilder> SqliteStore::LoadTreeLocked() {
  RR_ASSIGN_OR_RETURN(auto* q, Cached("SELECT tree_size, compact_range FROM audit_tree WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) {
    auto tree = merkle::TreeBuilder::Deserialize(static_cast<uint64_t>(q->Int(0)), q->BlobView(1));
    q->Reset();
    return tree;
  }
  q->Reset();
  merkle::TreeBuilder tree;  // no head yet: an empty log
  return tree;
}

Status SqliteStore::AppendLeafLocked(const AuditEvent& input, merkle::TreeBuilder& tree, std::string& buffer) {
  AuditEvent e = input;
  e.seq = static_cast<int64_t>(tree.size()) + 1;
  if (e.at_utc.empty()) e.at_utc = NowUtcIso();
  const merkle::Hash leaf = AuditLeaf(e, buffer);
  RR_ASSIGN_OR_RETURN(auto* ins, Cached(
      "INSERT INTO audit_event (seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, "
      "prev_hash, leaf_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11)"));
  RR_RETURN_IF_ERROR(ins->Bind(1, e.seq).Bind(2, e.at_utc).Bind(3, e.actor.user).Bind(4, e.actor.agency)
                         .Bind(5, e.actor.role).Bind(6, e.actor.purpose).Bind(7, e.action).Bind(8, e.target)
                         .Bind(9, e.outcome).Bind(10, e.details).Bind(11, merkle::ToHex(leaf)).Run());
  tree.Append(leaf);
  return Status::Ok();
}

Result<AuditCheckpoint> SqliteStore::SaveHeadLocked(const merkle::TreeBuilder& tree, bool keep) {
  RR_ASSIGN_OR_RETURN(const AuditSigningKey* key, Key());
  AuditCheckpoint c;
  c.tree_size = static_cast<int64_t>(tree.size());
  c.root_hash = merkle::ToHex(tree.Root());
  c.signed_at = NowUtcIso();
  c.public_key = key->public_key_hex();
  c.signature = key->SignHex(CheckpointMessage(c.tree_size, c.root_hash, c.signed_at));
  RR_ASSIGN_OR_RETURN(auto* head, Cached(
      "INSERT INTO audit_tree (id, tree_size, compact_range, root_hash, signed_at, public_key, signature) "
      "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET tree_size = excluded.tree_size, "
      "compact_range = excluded.compact_range, root_hash = excluded.root_hash, signed_at = excluded.signed_at, "
      "public_key = excluded.public_key, signature = excluded.signature"));
  RR_RETURN_IF_ERROR(head->Bind(1, c.tree_size).BindBlob(2, tree.Serialize()).Bind(3, c.root_hash)
                         .Bind(4, c.signed_at).Bind(5, c.public_key).Bind(6, c.signature).Run());
  if (keep || (options_.checkpoint_interval > 0 && c.tree_size % options_.checkpoint_interval == 0)) {
    RR_ASSIGN_OR_RETURN(auto* cp, Cached(
        "INSERT OR REPLACE INTO audit_checkpoint (tree_size, root_hash, signed_at, public_key, signature) "
        "VALUES (?1, ?2, ?3, ?4, ?5)"));
    RR_RETURN_IF_ERROR(cp->Bind(1, c.tree_size).Bind(2, c.root_hash).Bind(3, c.signed_at).Bind(4, c.public_key)
                           .Bind(5, c.signature).Run());
  }
  return c;
}

Status SqliteStore::AppendAuditLocked(const AuditEvent& event) {
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  std::string buffer;
  RR_RETURN_IF_ERROR(AppendLeafLocked(event, tree, buffer));
  RR_ASSIGN_OR_RETURN(auto head, SaveHeadLocked(tree, false));
  (void)head;
  return Status::Ok();
}

Status SqliteStore::AppendAudit(const AuditEvent& event) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_RETURN_IF_ERROR(AppendAuditLocked(event));
  return txn.Commit();
}

Status SqliteStore::AppendAuditBatch(const std::vector<AuditEvent>& events) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  std::string buffer;
  for (const AuditEvent& e : events) RR_RETURN_IF_ERROR(AppendLeafLocked(e, tree, buffer));
  RR_ASSIGN_OR_RETURN(auto head, SaveHeadLocked(tree, false));
  (void)head;
  return txn.Commit();
}

Result<AuditCheckpoint> SqliteStore::SignAuditCheckpoint() {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  RR_ASSIGN_OR_RETURN(auto c, SaveHeadLocked(tree, true));
  RR_RETURN_IF_ERROR(txn.Commit());
  return c;
}

// Schema 2 turns the v1 hash chain into Merkle leaves: the old chain is checked first, so re-hashing never
// launders an edit made before the upgrade. Runs inside the migration's transaction.
Status SqliteStore::UpgradeAuditToMerkle() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, prev_hash, leaf_hash "
      "FROM audit_event ORDER BY seq"));
  RR_ASSIGN_OR_RETURN(auto upd, db_->Prepare("UPDATE audit_event SET leaf_hash = ?1 WHERE seq = ?2"));
  std::string prev(64, '0'), buffer;
  merkle::TreeBuilder tree;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AuditEvent e;
    e.seq = q.Int(0);
    e.at_utc = q.Text(1);
    e.actor = {q.Text(2), q.Text(3), q.Text(4), q.Text(5)};
    e.action = q.Text(6);
    e.target = q.Text(7);
    e.outcome = q.Text(8);
    e.details = q.Text(9);
    if (e.seq != static_cast<int64_t>(tree.size()) + 1 || q.Text(10) != prev ||
        LegacyAuditLeafHash(e, prev) != q.Text(11)) {
      return Status::Corruption("the existing audit chain is broken at event " + std::to_string(e.seq) +
                                "; refusing to re-hash it (investigate before upgrading)");
    }
    prev = q.Text(11);
    const merkle::Hash leaf = AuditLeaf(e, buffer);
    RR_RETURN_IF_ERROR(upd.Bind(1, merkle::ToHex(leaf)).Bind(2, e.seq).Run());
    tree.Append(leaf);
  }
  if (tree.size() > 0) {
    RR_ASSIGN_OR_RETURN(auto head, SaveHeadLocked(tree, true));
    (void)head;
  }
  return Status::Ok();
}

Result<std::vector<AuditCheckpoint>> SqliteStore::ListAuditCheckpoints() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_checkpoint ORDER BY tree_size"));
  std::vector<AuditCheckpoint> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
  }
  return out;
}

Result<AuditCheck> SqliteStore::VerifyAudit() {
  AuditCheck check;
  auto fail = [&](std::string why) {
    check.ok = false;
    check.problem = std::move(why);
    return check;
  };
  RR_ASSIGN_OR_RETURN(auto checkpoints, ListAuditCheckpoints());
  std::optional<AuditCheckpoint> head;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
        "SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_tree WHERE id = 1"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) head = AuditCheckpoint{q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)};
  }
  int64_t stored_events = 0;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT COUNT(*) FROM audit_event"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) stored_events = q.Int(0);
  }
  // The key to trust comes from outside the database: a copy in the store could be swapped with the log.
  std::string trusted = options_.audit_public_key;
  if (trusted.empty() && (head || !checkpoints.empty() || stored_events > 0)) {
    auto pk = LoadAuditPublicKey(key_path_);
    if (!pk.ok()) return pk.status();
    trusted = *pk;
  }
  if (head) checkpoints.push_back(*head);  // checked like the others, last
  for (const AuditCheckpoint& c : checkpoints) {
    if (c.public_key != trusted) {
      return fail("checkpoint at size " + std::to_string(c.tree_size) + " was not signed by the trusted audit key");
    }
    if (!VerifyCheckpointSignature(c.public_key, CheckpointMessage(c.tree_size, c.root_hash, c.signed_at),
                                   c.signature)) {
      return fail("checkpoint at size " + std::to_string(c.tree_size) + " has an invalid signature");
    }
  }
  if (!head && (stored_events > 0 || !checkpoints.empty())) {
    return fail("the signed head of the audit log is missing");
  }
  for (const AuditCheckpoint& c : checkpoints) {
    if (c.tree_size > stored_events) {
      return fail("the log has " + std::to_string(stored_events) + " events but a signed checkpoint covers " +
                  std::to_string(c.tree_size) + ": events were removed (truncation)");
    }
  }
  if (head && head->tree_size != stored_events) {
    return fail("the log has " + std::to_string(stored_events) + " events but the signed head covers " +
                std::to_string(head->tree_size));
  }
  std::sort(checkpoints.begin(), checkpoints.end(),
            [](const AuditCheckpoint& a, const AuditCheckpoint& b) { return a.tree_size < b.tree_size; });
  size_t next_cp = 0;
  while (next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == 0) ++next_cp;

  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, leaf_hash "
      "FROM audit_event ORDER BY seq"));
  merkle::TreeBuilder tree;
  std::string buffer, hex;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const int64_t seq = q.Int(0);
    const int64_t expected = static_cast<int64_t>(tree.size()) + 1;
    if (seq != expected) {
      return fail("audit event " + std::to_string(seq) + ": sequence gap or reorder (expected " +
                  std::to_string(expected) + ")");
    }
    AppendAuditLeafBytes(buffer, seq,
                         {q.TextView(1), q.TextView(2), q.TextView(3), q.TextView(4), q.TextView(5), q.TextView(6),
                          q.TextView(7), q.TextView(8), q.TextView(9)});
    const merkle::Hash leaf = merkle::LeafHash(buffer);
    hex = merkle::ToHex(leaf);
    if (hex != q.TextView(10)) return fail("audit event " + std::to_string(seq) + ": content does not match its leaf hash");
    tree.Append(leaf);
    ++check.events;
    while (next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == check.events) {
      if (merkle::ToHex(tree.Root()) != checkpoints[next_cp].root_hash) {
        return fail("the first " + std::to_string(check.events) +
                    " events do not match the signed checkpoint of that size (edited, removed or reordered)");
      }
      ++check.checkpoints_checked;
      ++next_cp;
    }
  }
  check.root_hash = merkle::ToHex(tree.Root());
  check.latest = head;
  return check;
}

Result<AuditProof> SqliteStore::AuditInclusionProof(int64_t seq, int64_t tree_size) {
  if (seq < 1 || tree_size < seq) return Status::InvalidArgument("need 1 <= seq <= tree size");
  RR_ASSIGN_OR_RETURN(auto leaves, LoadLeafHashes(tree_size));
  RR_ASSIGN_OR_RETURN(auto path, merkle::InclusionProof(leaves, static_cast<uint64_t>(seq - 1)));
  AuditProof p;
  p.seq = seq;
  p.tree_size = tree_size;
  p.leaf_hash = merkle::ToHex(leaves[static_cast<size_t>(seq - 1)]);
  for (const auto& h : path) p.path.push_back(merkle::ToHex(h));
  p.root_hash = merkle::ToHex(merkle::TreeHash(leaves));
  return p;
}

Result<AuditProof> SqliteStore::AuditConsistencyProof(int64_t old_size, int64_t new_size) {
  if (old_size < 1 || new_size < old_size) return Status::InvalidArgument("need 1 <= old size <= new size");
  RR_ASSIGN_OR_RETURN(auto leaves, LoadLeafHashes(new_size));
  RR_ASSIGN_OR_RETURN(auto path, merkle::ConsistencyProof(leaves, static_cast<uint64_t>(old_size)));
  AuditProof p;
  p.old_size = old_size;
  p.tree_size = new_size;
  for (const auto& h : path) p.path.push_back(merkle::ToHex(h));
  p.root_hash = merkle::ToHex(merkle::TreeHash(leaves));
  p.old_root_hash = merkle::ToHex(merkle::TreeHash(std::span<const merkle::Hash>(leaves.data(), old_size)));
  return p;
}

// ---------------------------------------------------------------- users, sessions, need-to-know

User UserFromRow(const SqliteStatement& q, int first) {
  User u;
  u.id = q.Int(first);
  u.name = q.Text(first + 1);
  u.agency_code = q.Text(first + 2);
  auto role = ParseRole(q.Text(first + 3));
  u.role = role.ok() ? *role : Role::kAnalyst;  // the CHECK constraint keeps roles valid
  u.password_hash = q.Text(first + 4);
  u.totp_secret = q.Text(first + 5);
  u.disabled = q.Int(first + 6) != 0;
  u.created_at = q.Text(first + 7);
  u.updated_at = q.Text(first + 8);
  return u;
}
constexpr const char* kUserColumns =
    "u.id, u.name, u.agency_code, u.role, u.password_hash, u.totp_secret, u.disabled, u.created_at, u.updated_at";

AuditEvent MakeAudit(const Actor& actor, std::string action, std::string target, json details,
                     std::string outcome = "ok") {
  AuditEvent e;
  e.actor = actor;
  e.action = std::move(action);
  e.target = std::move(target);
  e.details = details.dump();
  e.outcome = std::move(outcome);
  return e;
}

Result<int64_t> SqliteStore::UserIdLocked(std::string_view name) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT id FROM app_user WHERE name = ?1"));
  q.Bind(1, name);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::NotFound("no user '" + std::string(name) + "'");
  return q.Int(0);
}

Status SqliteStore::RevokeUserSessionsLocked(int64_t user_id) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("UPDATE user_session SET revoked = 1 WHERE user_id = ?1"));
  return q.Bind(1, user_id).Run();
}

Result<int64_t> SqliteStore::AddUser(const User& user, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  {
    RR_ASSIGN_OR_RETURN(auto a, db_->Prepare("SELECT 1 FROM agency WHERE code = ?1"));
    a.Bind(1, user.agency_code);
    RR_ASSIGN_OR_RETURN(bool found, a.Step());
    if (!found) return Status::NotFound("agency '" + user.agency_code + "' is not registered in this store");
  }
  {
    RR_ASSIGN_OR_RETURN(auto e, db_->Prepare("SELECT 1 FROM app_user WHERE name = ?1"));
    e.Bind(1, user.name);
    RR_ASSIGN_OR_RETURN(bool found, e.Step());
    if (found) return Status::AlreadyExists("user '" + user.name + "' already exists");
  }
  const std::string now = NowUtcIso();
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO app_user (name, agency_code, role, password_hash, totp_secret, disabled, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)"));
  RR_RETURN_IF_ERROR(q.Bind(1, user.name).Bind(2, user.agency_code).Bind(3, ToString(user.role))
                         .Bind(4, user.password_hash).Bind(5, user.totp_secret).Bind(6, now).Run());
  const int64_t id = db_->LastInsertId();
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(
      actor, "user_add", "user:" + user.name, {{"agency", user.agency_code}, {"role", ToString(user.role)}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::optional<User>> SqliteStore::FindUser(std::string_view name) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string("SELECT ") + kUserColumns + " FROM app_user u WHERE u.name = ?1"));
  q.Bind(1, name);
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<User>();
  return std::optional<User>(UserFromRow(q, 0));
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string("SELECT ") + kUserColumns + " FROM app_user u ORDER BY u.name"));
  std::vector<User> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(UserFromRow(q, 0));
  }
  return out;
}

Status SqliteStore::SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const int64_t id, UserIdLocked(name));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("UPDATE app_user SET disabled = ?1, updated_at = ?2 WHERE id = ?3"));
  RR_RETURN_IF_ERROR(q.Bind(1, disabled ? 1 : 0).Bind(2, NowUtcIso()).Bind(3, id).Run());
  if (disabled) RR_RETURN_IF_ERROR(RevokeUserSessionsLocked(id));
  RR_RETURN_IF_ERROR(AppendAuditLocked(
      MakeAudit(actor, disabled ? "user_disable" : "user_enable", "user:" + std::string(name), json::object())));
  return txn.Commit();
}

Status SqliteStore::ResetUserCredentials(std::string_view name, const std::string& password_hash,
                                         const std::string& totp_secret, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(const int64_t id, UserIdLocked(name));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "UPDATE app_user SET password_hash = ?1, totp_secret = ?2, totp_last_step = 0, updated_at = ?3 WHERE id = ?4"));
  RR_RETURN_IF_ERROR(q.Bind(1, password_hash).Bind(2, totp_secret).Bind(3, NowUtcIso()).Bind(4, id).Run());
  RR_RETURN_IF_ERROR(RevokeUserSessionsLocked(id));
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "user_reset", "user:" + std::string(name),
                                                 {{"sessions_revoked", true}})));
  return txn.Commit();
}

Status SqliteStore::UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("UPDATE app_user SET password_hash = ?1, updated_at = ?2 WHERE id = ?3"));
  RR_RETURN_IF_ERROR(q.Bind(1, password_hash).Bind(2, NowUtcIso()).Bind(3, user_id).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "password_rehash", "user:" + actor.user, json::object())));
  return txn.Commit();
}

Status SqliteStore::CreateSession(const NewSession& s, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto step, db_->Prepare(
      "UPDATE app_user SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1 AND disabled = 0"));
  RR_RETURN_IF_ERROR(step.Bind(1, s.totp_step).Bind(2, s.user_id).Run());
  if (db_->Changes() == 0) {
    // A replayed one-time code: the refusal is audited and committed, nothing else changes.
    RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "login", "user:" + actor.user,
                                                   {{"reason", "one-time code already used"}}, "refused")));
    RR_RETURN_IF_ERROR(txn.Commit());
    return Status::Unauthenticated("one-time code already used");
  }
  if (!s.replaces_token_hash.empty()) {
    RR_ASSIGN_OR_RETURN(auto old, db_->Prepare("UPDATE user_session SET revoked = 1 WHERE token_hash = ?1"));
    RR_RETURN_IF_ERROR(old.Bind(1, s.replaces_token_hash).Run());
  }
  RR_ASSIGN_OR_RETURN(auto ins, db_->Prepare(
      "INSERT INTO user_session (token_hash, user_id, csrf_token, created_s, last_seen_s) VALUES (?1, ?2, ?3, ?4, ?4)"));
  RR_RETURN_IF_ERROR(ins.Bind(1, s.token_hash).Bind(2, s.user_id).Bind(3, s.csrf_token).Bind(4, s.now_s).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "login", "user:" + actor.user, json::object())));
  return txn.Commit();
}

Result<std::optional<SessionUser>> SqliteStore::TouchSession(std::string_view token_hash, int64_t now_s,
                                                             int64_t idle_s, int64_t absolute_s) {
  RR_ASSIGN_OR_RETURN(auto* q, Cached(
      "SELECT s.csrf_token, s.created_s, s.last_seen_s, s.revoked, u.id, u.name, u.agency_code, u.role, "
      "u.password_hash, u.totp_secret, u.disabled, u.created_at, u.updated_at "
      "FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE s.token_hash = ?1"));
  q->Bind(1, token_hash);
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<SessionUser>();
  SessionUser su;
  su.csrf_token = q->Text(0);
  su.created_s = q->Int(1);
  const int64_t last_seen = q->Int(2);
  const bool revoked = q->Int(3) != 0;
  su.user = UserFromRow(*q, 4);
  q->Reset();
  if (revoked || su.user.disabled || now_s - last_seen > idle_s || now_s - su.created_s > absolute_s) {
    return std::optional<SessionUser>();
  }
  // Writing last_seen on every request would serialise readers; a coarse clock is enough for idle timeouts.
  if (now_s - last_seen >= 15) {
    RR_ASSIGN_OR_RETURN(auto* upd, Cached("UPDATE user_session SET last_seen_s = ?1 WHERE token_hash = ?2"));
    RR_RETURN_IF_ERROR(upd->Bind(1, now_s).Bind(2, token_hash).Run());
  }
  return std::optional<SessionUser>(std::move(su));
}

Status SqliteStore::RevokeSession(std::string_view token_hash, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("UPDATE user_session SET revoked = 1 WHERE token_hash = ?1"));
  RR_RETURN_IF_ERROR(q.Bind(1, token_hash).Run());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "logout", "user:" + actor.user, json::object())));
  return txn.Commit();
}

Result<int64_t> SqliteStore::AddSharingAgreement(const SharingAgreement& a, const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO sharing_agreement (provider_agency, recipient_agency, data_class, purpose, lawful_basis, "
      "valid_until_s, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  Status s = q.Bind(1, a.provider_agency).Bind(2, a.recipient_agency).Bind(3, a.data_class).Bind(4, a.purpose)
                 .Bind(5, a.lawful_basis).Bind(6, a.valid_until_s).Bind(7, NowUtcIso()).Run();
  if (s.code() == StatusCode::kConflict) return Status::NotFound("both agencies must be registered in this store");
  RR_RETURN_IF_ERROR(s);
  const int64_t id = db_->LastInsertId();
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "sharing_agreement_add", "sharing_agreement:" + std::to_string(id),
                                                 {{"provider", a.provider_agency}, {"recipient", a.recipient_agency},
                                                  {"data_class", a.data_class}, {"purpose", a.purpose},
                                                  {"lawful_basis", a.lawful_basis}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Status SqliteStore::AddCareRelationship(const CareRelationship& r, const Actor& actor) {
  if (r.kind != "allocated_case" && r.kind != "mase_listing") {
    return Status::InvalidArgument("relationship kind is allocated_case or mase_listing");
  }
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO care_relationship (user_id, person_id, kind, created_at) VALUES (?1, ?2, ?3, ?4)"));
  Status s = q.Bind(1, r.user_id).Bind(2, r.person_id).Bind(3, r.kind).Bind(4, NowUtcIso()).Run();
  if (s.code() == StatusCode::kConflict) return Status::NotFound("no such user");
  RR_RETURN_IF_ERROR(s);
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "relationship_add", "person:" + std::to_string(r.person_id),
                                                 {{"user_id", r.user_id}, {"kind", r.kind}})));
  return txn.Commit();
}

Result<BreakGlassGrant> SqliteStore::GrantBreakGlass(const Viewer& viewer, int64_t person_id,
                                                     const std::string& reason, int64_t now_s, int64_t ttl_s,
                                                     const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  BreakGlassGrant g;
  g.user_name = viewer.user_name;
  g.agency_code = viewer.agency_code;
  g.person_id = person_id;
  g.reason = reason;
  g.granted_at = NowUtcIso();
  g.expires_at_s = now_s + ttl_s;
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO break_glass (user_id, person_id, reason, granted_at, expires_at_s) VALUES (?1, ?2, ?3, ?4, ?5)"));
  RR_RETURN_IF_ERROR(q.Bind(1, viewer.user_id).Bind(2, person_id).Bind(3, reason).Bind(4, g.granted_at)
                         .Bind(5, g.expires_at_s).Run());
  g.id = db_->LastInsertId();
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "break_glass", "person:" + std::to_string(person_id),
                                                 {{"grant", g.id}, {"reason", reason}, {"expires_at_s", g.expires_at_s}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return g;
}

Result<std::vector<BreakGlassGrant>> SqliteStore::ListBreakGlass(bool unreviewed_only) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT b.id, u.name, u.agency_code, b.person_id, b.reason, b.granted_at, b.expires_at_s, "
      "COALESCE(b.reviewed_by, ''), COALESCE(b.reviewed_at, '') FROM break_glass b JOIN app_user u ON u.id = b.user_id "
      "WHERE ?1 = 0 OR b.reviewed_at IS NULL ORDER BY b.id"));
  q.Bind(1, unreviewed_only ? 1 : 0);
  std::vector<BreakGlassGrant> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Int(3), q.Text(4), q.Text(5), q.Int(6), q.Text(7), q.Text(8)});
  }
  return out;
}

Result<std::vector<RadarCell>> SqliteStore::RadarCounts() {
  RR_ASSIGN_OR_RETURN(auto* q, Cached(
      "SELECT p.district, COALESCE(a.override_level, a.level), COUNT(*) FROM assessment a "
      "JOIN (SELECT person_id, MAX(id) AS id FROM assessment GROUP BY person_id) latest ON latest.id = a.id "
      "JOIN person p ON p.id = a.person_id AND p.active = 1 AND p.is_child = 1 "
      "GROUP BY 1, 2 ORDER BY 1, 2"));
  std::vector<RadarCell> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({q->Text(0), q->Text(1), q->Int(2)});
  }
  return out;
}

Result<ChildView> SqliteStore::ReadChildView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                             const Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  const std::string target = "person:" + std::to_string(person_id);
  // Missing and refused end the same way for the caller; the audit log tells them apart for IG review.
  auto refuse = [&](const char* outcome) -> Status {
    RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "read_child", target, json::object(), outcome)));
    RR_RETURN_IF_ERROR(txn.Commit());
    return Status::NotFound("no such child");
  };
  ChildView view;
  {
    RR_ASSIGN_OR_RETURN(auto* q, Cached(
        "SELECT id, display_name, dob, sex, district, mention_count FROM person "
        "WHERE id = ?1 AND active = 1 AND is_child = 1"));
    q->Bind(1, person_id);
    RR_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) return refuse("not_found");
    view.person.id = q->Int(0);
    view.person.display_name = q->Text(1);
    view.person.dob = DateFrom(q->OptInt(2));
    auto sex = ParseSex(q->Text(3));
    view.person.sex = sex.ok() ? *sex : Sex::kUnknown;
    view.person.district = q->Text(4);
    view.person.mention_count = static_cast<int>(q->Int(5));
    view.person.is_child = true;
    q->Reset();
  }
  ChildAccessFacts facts;
  {
    RR_ASSIGN_OR_RETURN(auto* q, Cached(
        "SELECT EXISTS (SELECT 1 FROM care_relationship WHERE user_id = ?1 AND person_id = ?2 AND ended_at IS NULL), "
        "EXISTS (SELECT 1 FROM break_glass WHERE user_id = ?1 AND person_id = ?2 AND expires_at_s > ?3)"));
    q->Bind(1, viewer.user_id).Bind(2, person_id).Bind(3, now_s);
    RR_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row) {
      facts.relationship = q->Int(0) != 0;
      facts.break_glass = q->Int(1) != 0;
    }
    q->Reset();
    RR_ASSIGN_OR_RETURN(auto* a, Cached(
        "SELECT provider_agency, data_class FROM sharing_agreement "
        "WHERE recipient_agency = ?1 AND (valid_until_s IS NULL OR valid_until_s > ?2)"));
    a->Bind(1, viewer.agency_code).Bind(2, now_s);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool more, a->Step());
      if (!more) break;
      facts.agreements.push_back({a->Text(0), a->Text(1)});
    }
    a->Reset();
  }
  std::set<int64_t> visible_events;
  std::set<std::string> basis;
  bool all_visible = true;
  {
    RR_ASSIGN_OR_RETURN(auto* q, Cached(
        "SELECT e.id, e.date, e.kind, e.category, e.detail, r.agency_code, r.record_class FROM event e "
        "JOIN source_record r ON r.id = e.source_record_id "
        "WHERE e.id IN (SELECT e2.id FROM mention_person mp JOIN event e2 ON e2.subject_mention_id = mp.mention_id "
        "WHERE mp.person_id = ?1 UNION SELECT e3.id FROM mention_person mp JOIN event e3 "
        "ON e3.associate_mention_id = mp.mention_id WHERE mp.person_id = ?1) ORDER BY e.date, e.id"));
    q->Bind(1, person_id);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      const RecordAccess access = DecideRecordAccess(viewer, q->TextView(5), q->TextView(6), facts);
      if (access == RecordAccess::kHidden) {
        all_visible = false;
        continue;
      }
      basis.insert(std::string(ToString(access)));
      ChildEventView ev;
      ev.event_id = q->Int(0);
      ev.date = Date::FromDays(static_cast<int32_t>(q->Int(1)));
      ev.kind = q->Text(2);
      ev.category = q->Text(3);
      ev.detail = q->Text(4);
      ev.agency_code = q->Text(5);
      ev.record_class = q->Text(6);
      visible_events.insert(ev.event_id);
      view.events.push_back(std::move(ev));
    }
    q->Reset();
  }
  if (view.events.empty()) return refuse("refused");
  {
    RR_ASSIGN_OR_RETURN(auto* q, Cached(
        "SELECT id, as_of, level, score, model_version, indicators_json, explanation_json, override_level, "
        "override_reason FROM assessment WHERE person_id = ?1 ORDER BY id DESC LIMIT 1"));
    q->Bind(1, person_id);
    RR_ASSIGN_OR_RETURN(bool row, q->Step());
    if (row) {
      Assessment a;
      a.id = q->Int(0);
      a.person_id = person_id;
      a.as_of = Date::FromDays(static_cast<int32_t>(q->Int(1)));
      auto level = ParseRiskLevel(q->Text(2));
      if (level.ok()) a.level = *level;
      a.score = q->Real(3);
      a.model_version = q->Text(4);
      // Field-level need-to-know: an indicator shows only when the viewer can see some of its evidence;
      // the explanation lines summarise every record, so they show only when every record is visible.
      for (Indicator& i : IndicatorsFromJson(json::parse(q->Text(5), nullptr, false))) {
        bool shown = false;
        for (int64_t id : i.evidence_event_ids) shown = shown || visible_events.count(id) > 0;
        if (shown) a.indicators.push_back(std::move(i));
      }
      if (all_visible) {
        const json expl = json::parse(q->Text(6), nullptr, false);
        if (expl.is_array()) a.explanation = expl.get<std::vector<std::string>>();
      }
      if (!q->IsNull(7)) {
        auto o = ParseRiskLevel(q->Text(7));
        if (o.ok()) a.override_level = *o;
      }
      a.override_reason = q->Text(8);
      view.latest = std::move(a);
    }
    q->Reset();
  }
  view.explanation_complete = all_visible;
  view.access_basis.assign(basis.begin(), basis.end());
  RR_RETURN_IF_ERROR(AppendAuditLocked(MakeAudit(actor, "read_child", target,
                                                 {{"basis", view.access_basis}, {"events_shown", view.events.size()}})));
  RR_RETURN_IF_ERROR(txn.Commit());
  return view;
}

Result<StoreCounts> SqliteStore::Counts() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT (SELECT COUNT(*) FROM agency), (SELECT COUNT(*) FROM import_batch WHERE status = 'complete'), "
      "(SELECT COUNT(*) FROM source_record), (SELECT COUNT(*) FROM person_mention), "
      "(SELECT COUNT(*) FROM place_mention), (SELECT COUNT(*) FROM event), (SELECT COUNT(*) FROM quarantine), "
      "(SELECT COUNT(*) FROM person WHERE active = 1), (SELECT COUNT(*) FROM place WHERE active = 1), "
      "(SELECT COUNT(*) FROM assessment), (SELECT COUNT(*) FROM link_review WHERE status = 'pending'), "
      "(SELECT COUNT(*) FROM audit_event)"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return Status::Internal("count query returned no row");
  StoreCounts c;
  c.agencies = q.Int(0);
  c.batches = q.Int(1);
  c.source_records = q.Int(2);
  c.person_mentions = q.Int(3);
  c.place_mentions = q.Int(4);
  c.events = q.Int(5);
  c.quarantined = q.Int(6);
  c.persons = q.Int(7);
  c.places = q.Int(8);
  c.assessments = q.Int(9);
  c.review_pending = q.Int(10);
  c.audit_events = q.Int(11);
  return c;
}

}  // namespace

std::string CheckpointMessage(int64_t tree_size, std::string_view root_hash, std::string_view signed_at) {
  return "riskradar audit checkpoint v1\n" + std::to_string(tree_size) + "\n" + std::string(root_hash) + "\n" +
         std::string(signed_at) + "\n";
}

std::string DefaultAuditKeyPath(std::string_view location) {
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  return path + ".audit-key";
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view location) { return OpenStore(location, StoreOptions{}); }

Result<std::unique_ptr<Store>> OpenStore(std::string_view location, const StoreOptions& options) {
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.rfind("postgresql:", 0) == 0 || path.rfind("postgres:", 0) == 0) {
    return Status::FailedPrecondition("PostgreSQL stores are not available in this build yet; use a SQLite file path");
  }
  if (path.empty()) return Status::InvalidArgument("empty store location");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent)) {
    return Status::NotFound("directory for the store does not exist: " + parent.string());
  }
  RR_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  std::string key_path = options.audit_key_path.empty() ? DefaultAuditKeyPath(path) : options.audit_key_path;
  auto store = std::make_unique<SqliteStore>(std::move(db), std::move(key_path), options);
  RR_RETURN_IF_ERROR(store->Migrate().WithContext("migrating store " + path));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace riskradar::store

// SqliteStore's declaration, shared by its implementation files (sqlite_store.cc: ingest, linkage,
// assessments, networks; sqlite_audit.cc: the Merkle audit log; sqlite_access.cc: users, sessions and
// need-to-know reads). Internal to src/store.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "../sql/sql.h"
#include "audit_key.h"
#include "riskradar/core/hash.h"
#include "riskradar/core/merkle.h"
#include "riskradar/store/linkage_changes.h"
#include "riskradar/store/practice.h"
#include "riskradar/store/store.h"
#include "sqlite_db.h"
#include "totp_key.h"

namespace riskradar::store {

using nlohmann::json;

inline std::optional<int64_t> DobDays(const std::optional<Date>& d) {
  return d ? std::optional<int64_t>(d->days()) : std::nullopt;
}
inline std::optional<Date> DateFrom(std::optional<int64_t> days) {
  return days ? std::optional<Date>(Date::FromDays(static_cast<int32_t>(*days))) : std::nullopt;
}

// Schema 1's hash chain, kept only to check old logs before they are re-hashed as Merkle leaves.
inline std::string LegacyAuditLeafHash(const AuditEvent& e, std::string_view prev_hash) {
  json j = {{"seq", e.seq},         {"at", e.at_utc},
            {"user", e.actor.user}, {"agency", e.actor.agency},
            {"role", e.actor.role}, {"purpose", e.actor.purpose},
            {"action", e.action},   {"target", e.target},
            {"outcome", e.outcome}, {"details", e.details},
            {"prev", prev_hash}};
  return HashHex(j.dump());
}

// The canonical bytes of an audit event (the Merkle leaf): a version byte, the sequence number as 8 bytes
// big-endian, then each field as a 4-byte big-endian length and its bytes. Length prefixes keep any payload
// (newlines, JSON, control characters) inside its own field, so a log-injection attempt stays one event.
inline void AppendAuditLeafBytes(std::string& out, int64_t seq, std::initializer_list<std::string_view> fields) {
  size_t total = 9;
  for (std::string_view f : fields) total += 4 + f.size();
  out.resize(total);  // written in place: `audit verify` builds ten million of these
  char* p = out.data();
  *p++ = '\x01';
  for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<char>((static_cast<uint64_t>(seq) >> shift) & 0xff);
  for (std::string_view f : fields) {
    const auto n = static_cast<uint32_t>(f.size());
    for (int shift = 24; shift >= 0; shift -= 8) *p++ = static_cast<char>((n >> shift) & 0xff);
    if (n > 0) std::memcpy(p, f.data(), n);
    p += n;
  }
}

inline merkle::Hash AuditLeaf(const AuditEvent& e, std::string& buffer) {
  AppendAuditLeafBytes(buffer, e.seq,
                       {e.at_utc, e.actor.user, e.actor.agency, e.actor.role, e.actor.purpose, e.action, e.target,
                        e.outcome, e.details});
  return merkle::LeafHash(buffer);
}

inline std::vector<Indicator> IndicatorsFromJson(const json& arr) {
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

// An assessment from a row whose first twelve columns are kAssessmentRowColumns, in that order.
inline constexpr std::string_view kAssessmentRowColumns =
    "a.id, a.person_id, a.as_of, a.level, a.score, a.model_version, a.indicators_json, a.explanation_json, "
    "a.override_level, a.override_reason, a.next_review, a.override_by";
inline Result<Assessment> AssessmentFromRow(const sql::Statement& q) {
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
  a.next_review = DateFrom(q.OptInt(10));
  a.override_by = q.Text(11);
  return a;
}

// The indicators as stored in assessment.indicators_json (sqlite_store.cc).
json IndicatorsToJson(const std::vector<Indicator>& indicators);

// An audit event for `actor` (sequence, time and hashes are set when it is appended).
// A place score's profile as stored in place_score.profile_json (sqlite_store.cc).
std::string PlaceProfileJson(const PlaceProfile& profile);
PlaceProfile PlaceProfileFromJson(std::string_view text);

inline AuditEvent MakeAudit(const Actor& actor, std::string action, std::string target, const json& details,
                            std::string outcome = "ok") {
  AuditEvent e;
  e.actor = actor;
  e.action = std::move(action);
  e.target = std::move(target);
  e.details = details.dump();
  e.outcome = std::move(outcome);
  return e;
}

// An audit event from a row whose first ten columns are seq, at_utc, user_name, agency, role, purpose, action,
// target, outcome, details (in that order).
inline AuditEvent AuditEventFromRow(const sql::Statement& q) {
  AuditEvent e;
  e.seq = q.Int(0);
  e.at_utc = q.Text(1);
  e.actor = {q.Text(2), q.Text(3), q.Text(4), q.Text(5)};
  e.action = q.Text(6);
  e.target = q.Text(7);
  e.outcome = q.Text(8);
  e.details = q.Text(9);
  return e;
}

class SqliteStore;

class SqliteBatchWriter final : public BatchWriter {
 public:
  SqliteBatchWriter(SqliteStore* store, sql::Connection* conn, sql::Transaction txn, int64_t batch_id,
                    BatchHeader header)
      : store_(store), conn_(conn), txn_(std::move(txn)), batch_id_(batch_id), header_(std::move(header)) {}

  Status Prepare();
  Result<bool> AddRow(const ParsedRow& row) override;
  Status AddQuarantine(const QuarantinedRow& row) override;
  Result<BatchInfo> Commit(const BatchCounts& counts, const Actor& actor) override;

 private:
  Result<int64_t> InsertMention(int64_t record_id, const PersonMention& m, std::string_view slot);
  // The local ids of open quarantined rows of earlier batches of this agency and format (Prepare), and those a
  // row of this batch matched (AddRow): Commit marks them resolved.
  std::unordered_set<std::string> open_local_ids_, matched_local_ids_;

  SqliteStore* store_;
  sql::Connection* conn_;
  sql::Transaction txn_;
  int64_t batch_id_;
  BatchHeader header_;
  sql::Statement insert_record_, insert_mention_, insert_place_, insert_event_, insert_quarantine_;
};

class SqliteStore final : public Store, public PracticeStore, public LinkageChangesStore {
 public:
  // A SQLite store: the file's own connection, with the SQL layer over it.
  SqliteStore(std::unique_ptr<SqliteDb> db, std::string key_path, StoreOptions options)
      : db_(std::move(db)),
        conn_(sql::WrapSqlite(*db_)),
        location_(db_->FileName()),
        key_path_(std::move(key_path)),
        options_(std::move(options)) {
    conn_->SerializeWriters(true);
  }
  // A store on another backend (PostgreSQL): only the SQL layer's connection, opened on `location`.
  SqliteStore(std::unique_ptr<sql::Connection> conn, std::string location, std::string key_path, StoreOptions options)
      : conn_(std::move(conn)),
        location_(std::move(location)),
        key_path_(std::move(key_path)),
        options_(std::move(options)) {
    conn_->SerializeWriters(true);
  }

  // Applies pending migrations: to a new store always, to one that has a schema only with `existing` (riskradar
  // migrate; see store/operations.h).
  Status Migrate(bool existing = false);
  // The SQLite handle (WAL hooks, checkpoints), or null when the store is on PostgreSQL.
  SqliteDb* sqlite() { return db_.get(); }
  // The store's connection through the backend-neutral SQL layer (store/sql/sql.h): every statement prepared
  // on it is portable SQL (docs/architecture.md "Portable SQL"), so the same code runs on PostgreSQL.
  sql::Connection& conn() { return *conn_; }
  Status AppendAuditLocked(const AuditEvent& event);  // REQUIRES: a transaction is open
  // Writes the kept checkpoints of committed transactions to the audit witness (outside any transaction:
  // a head whose transaction rolled back is dropped, never witnessed). Failures are reported on stderr and
  // show in the next verification.
  void FlushWitness();
  // Group commit (the AuditWriter's thread): appends `events` in one transaction with one signed head and
  // returns each event's seq. If the transaction fails, each event is retried alone, so one bad event (a
  // constraint, a trigger) fails only its own caller.
  std::vector<Result<int64_t>> CommitAuditGroup(std::span<const AuditEvent* const> events);

  Status UpsertAgency(const Agency& agency) override;
  Result<std::vector<Agency>> ListAgencies() override;
  Result<std::optional<BatchInfo>> FindCompletedBatch(std::string_view agency_code,
                                                      std::string_view file_hash) override;
  Result<std::unique_ptr<BatchWriter>> BeginBatch(const BatchHeader& header) override;
  Result<std::vector<BatchInfo>> ListBatches() override;
  Result<std::vector<QuarantinedRow>> ListQuarantine(int64_t batch_id) override;
  Result<std::optional<BatchInfo>> FindBatch(int64_t batch_id) override;
  Result<QuarantinePage> ListQuarantinePage(int64_t batch_id, int64_t limit, int64_t offset) override;
  Status ResolveQuarantinedRow(int64_t quarantine_id, std::string_view resolved_by, std::string_view reason) override;
  Result<BatchDependents> ReadBatchDependents(int64_t batch_id) override;
  Result<BatchRevertCounts> RevertBatch(int64_t batch_id) override;
  Result<std::vector<MentionRow>> LoadPersonMentions() override;
  Result<std::vector<PlaceMentionRow>> LoadPlaceMentions() override;
  Result<std::vector<std::pair<int64_t, int64_t>>> LoadMentionPersons() override;
  Result<std::vector<std::pair<int64_t, int64_t>>> LoadPlaceMentionPlaces() override;
  Result<std::vector<ReviewItem>> LoadReviewDecisions() override;
  Status SaveLinkage(const LinkageOutput& output, const Actor& actor) override;
  Status SaveLinkageChanges(const LinkageChanges& changes, const Actor& actor) override;
  Status SaveEventLinks(const EventLinkOutput& output, const Actor& actor) override;
  Result<std::vector<EventLink>> LoadEventLinks() override;
  Result<std::string> LatestLinkageModel() override;
  Result<std::pair<int64_t, int64_t>> MaxEntityIds() override;
  Result<std::vector<Person>> ListPersons() override;
  Result<std::vector<Place>> ListPlaces() override;
  Result<std::vector<EventRow>> LoadEvents() override;
  Status SaveAssessments(const std::vector<Assessment>& assessments, const Actor& actor) override;
  Result<std::vector<Assessment>> LatestAssessments() override;
  Status SaveNetworks(const NetworkOutput& output, const Actor& actor) override;
  Result<NetworkOutput> LoadNetworks() override;
  Result<std::vector<AssessmentLevel>> ListAssessmentLevels() override;
  Result<std::optional<PersonPriority>> ReadPersonPriority(int64_t person_id) override;
  Result<std::vector<NetworkEdge>> ReadNetworkEdges(const std::vector<int64_t>& person_ids) override;
  Result<std::map<int64_t, RiskLevel>> ReadLatestLevels(const std::vector<int64_t>& person_ids) override;
  Result<std::map<int64_t, Place>> ReadPlaces(const std::vector<int64_t>& place_ids) override;
  Result<std::string> ReadExportKey() override;
  Status AppendAudit(const AuditEvent& event) override;
  Status AppendAuditBatch(const std::vector<AuditEvent>& events) override;
  Result<AuditCheck> VerifyAudit() override;
  Result<AuditCheckpoint> SignAuditCheckpoint() override;
  Result<AuditKeyRotation> RotateAuditKey(const Actor& actor) override;
  Result<AuditCheckpointList> AuditCheckpoints() override;
  Result<AuditProof> AuditInclusionProof(int64_t seq, int64_t tree_size) override;
  Result<AuditProof> AuditConsistencyProof(int64_t old_size, int64_t new_size) override;
  Result<int64_t> AddUser(const User& user, const Actor& actor) override;
  Result<std::optional<User>> FindUser(std::string_view name) override;
  Result<std::vector<UserRoleCount>> CountUsersByRole() override;
  Status SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) override;
  Status ResetUserCredentials(std::string_view name, const std::string& password_hash, const std::string& totp_secret,
                              const Actor& actor) override;
  Status UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) override;
  Result<int64_t> RotateTotpKey(const Actor& actor) override;
  Status CreateSession(const NewSession& session, const Actor& actor) override;
  Result<std::optional<SessionUser>> TouchSession(std::string_view token_hash, int64_t now_s, int64_t idle_s,
                                                  int64_t absolute_s) override;
  Status RevokeSession(std::string_view token_hash, const Actor& actor) override;
  Result<int64_t> AddSharingAgreement(const SharingAgreement& agreement, const Actor& actor) override;
  Status AddCareRelationship(const CareRelationship& relationship, const Actor& actor) override;
  Result<BreakGlassGrant> GrantBreakGlass(const Viewer& viewer, int64_t person_id, const std::string& reason,
                                          int64_t now_s, int64_t ttl_s, const Actor& actor) override;
  Result<RadarCounts> ReadRadarCounts() override;
  Result<int64_t> RadarGeneration() override;
  Result<ChildAccessFacts> ReadChildAccessFacts(const Viewer& viewer, int64_t person_id, int64_t now_s) override;
  Result<std::optional<ChildRecord>> ReadChildRecord(int64_t person_id) override;
  Result<SubjectChoice> ChooseSubject(SubjectKind kind, int64_t id, int64_t stand_in_point) override;
  Result<std::unique_ptr<UnitOfWork>> BeginUnit(UnitKind kind) override;  // sqlite_unit.cc
  // retention and legal holds (sqlite_retention.cc)
  Result<int64_t> AddLegalHold(const LegalHold& hold, const Actor& actor) override;
  Status ReleaseLegalHold(int64_t id, const Actor& actor) override;
  Result<std::vector<LegalHold>> ListLegalHolds(bool active_only) override;
  Result<RetentionOutcome> PlanRetention(const RetentionPolicy& policy, Date as_of) override;
  Result<RetentionOutcome> ApplyRetention(const RetentionPolicy& policy, Date as_of, const Actor& actor) override;
  // ---- directory rows (people, places, networks) and audit-log reads: sqlite_directory.cc
  Result<ViewerAccessFacts> ReadViewerAccessFacts(const Viewer& viewer, int64_t now_s) override;
  Result<std::vector<PersonRecord>> FindPersonRecords(const PersonQuery& query, bool identity) override;
  Result<std::optional<PersonRecord>> ReadPersonRecord(int64_t person_id) override;
  Result<std::optional<PersonRecord>> ReadPersonMentions(int64_t person_id) override;
  Result<int64_t> PersonRecordGeneration() override;
  Result<PlacesOfConcernList> ListPlacesOfConcern() override;
  Result<std::optional<PlaceRecord>> ReadPlaceRecord(int64_t place_id) override;
  Result<NetworkList> ListNetworks() override;
  Result<std::optional<NetworkRecord>> ReadNetworkRecord(int64_t network_id) override;
  Result<std::vector<AuditEvent>> QueryAuditEvents(const AuditQuery& query) override;
  Result<StoreCounts> Counts() override;
  // store/operations.h CheckStoreReady.
  Status CheckReady();

 private:
  Result<std::vector<std::pair<int64_t, int64_t>>> LoadPairs(std::string_view sql);
  // A portable statement kept for the store's life, reset and ready to bind. `sql` must be a literal.
  Result<sql::Statement*> Stmt(const char* sql);
  // The audit signing key, loaded once. A missing key file is created only when `may_create` (the log is
  // empty); otherwise FailedPrecondition naming the expected path.
  Result<const AuditSigningKey*> Key(bool may_create);
  Result<merkle::TreeBuilder> LoadTreeLocked();
  Status AppendLeafLocked(const AuditEvent& event, merkle::TreeBuilder& tree, std::string& buffer);
  // Signs and stores the head over `tree`; keeps it as a checkpoint when `keep` or when the log passed a
  // multiple of checkpoint_interval since `from_size`.
  Result<AuditCheckpoint> SaveHeadLocked(const merkle::TreeBuilder& tree, uint64_t from_size, bool keep);
  // The witness check of VerifyAudit, after the log itself verified: the problem found, or "".
  Result<std::string> CheckWitness(AuditCheck& check, const TrustedAuditKeys& trusted,
                                   const std::vector<AuditCheckpoint>& kept,
                                   const Result<std::vector<WitnessHead>>& heads);
  Status UpgradeAuditToMerkle();
  Result<std::vector<merkle::Hash>> LoadLeafHashes(int64_t count);
  Result<std::optional<ChildRecord>> ChildRecordFromPersonRow(sql::Statement& person_row);
  // One active person with every mention (no reviewed pairs); nullopt when there is none.
  Result<std::optional<PersonRecord>> PersonRecordLocked(int64_t person_id);
  // Appends every mention of `person_id` (ChildRecord::mentions, PersonRecord::mentions), by mention id.
  Status AppendMentionRowsLocked(int64_t person_id, std::vector<PersonMentionRow>& out);
  // Inserts an account (AlreadyExists for a taken name): the one insert of AddUser and InsertEnrollingUser.
  Result<int64_t> InsertUserLocked(const User& user, bool must_enrol);
  Result<int64_t> UserIdLocked(std::string_view name);
  Status RevokeUserSessionsLocked(int64_t user_id);
  Result<RetentionOutcome> RetentionLocked(const RetentionPolicy& policy, Date as_of, bool apply);

  std::unique_ptr<SqliteDb> db_;           // SQLite only
  std::unique_ptr<sql::Connection> conn_;  // over db_ for SQLite (declared after it: closed first)
  std::string location_;                   // where the store is (OpenConnection opens another connection to it)
  std::string key_path_;
  StoreOptions options_;
  std::optional<AuditSigningKey> key_;
  std::vector<AuditCheckpoint> pending_witness_;           // kept checkpoints not yet in the witness file
  std::unordered_map<const char*, sql::Statement> stmts_;  // declared after conn_: finalized first
  bool unit_open_ = false;                                 // a UnitOfWork is open (BeginUnit)

  // ---- administration, review queue, alerts (sqlite_admin.cc)
 public:
  Result<ReviewQueueRows> ReadReviewQueue(std::string_view status, bool with_items) override;
  Result<std::optional<ReviewQueueItem>> ReadReviewItemRow(int64_t id) override;
  Result<std::optional<ReviewQueueItem>> FindReviewPair(int64_t mention_a, int64_t mention_b) override;
  Result<ReviewQueueItem> SetReviewDecision(const ReviewDecisionRequest& request, std::string_view decided_by,
                                            std::string_view decided_at) override;
  // ---- rows and facts for access/governance.h, inside the caller's unit of work (sqlite_admin.cc)
  Result<std::vector<User>> ReadUserRows() override;
  Status DisableUserAndSessions(int64_t user_id) override;
  Result<std::vector<SharingAgreementRecord>> ReadSharingAgreements() override;
  Result<std::optional<SharingAgreementRecord>> ReadSharingAgreement(int64_t id) override;
  Result<bool> SetSharingAgreementEnded(int64_t id, const std::string& ended_by, const std::string& reason,
                                        int64_t now_s) override;
  Result<std::vector<CareRelationshipRecord>> ReadCareRelationships(int64_t person_id) override;
  Result<std::optional<CareRelationshipRecord>> ReadCareRelationship(int64_t relationship_id) override;
  Result<bool> SetCareRelationshipEnded(int64_t relationship_id, const std::string& ended_by) override;
  Result<std::vector<IgAlert>> ReadIgAlerts() override;
  Result<std::vector<IgAlert>> ReadIgAlertsOfGrant(int64_t grant_id) override;
  Result<std::vector<BreakGlassGrantRow>> ReadBreakGlassGrants() override;
  Result<std::optional<BreakGlassGrantRow>> ReadBreakGlassGrant(int64_t grant_id) override;
  Result<bool> SetBreakGlassReview(int64_t grant_id, const std::string& reviewed_by, const std::string& outcome,
                                   const std::string& note, bool end_grant) override;
  // ---- approval requests (separation of duties), inside the caller's unit of work (sqlite_admin.cc)
  Result<int64_t> InsertApprovalRequest(const ApprovalRequest& request) override;
  Result<std::optional<ApprovalRequest>> FindApprovalRequest(int64_t id) override;
  Result<std::vector<ApprovalRequest>> ListApprovalRequests(bool pending_only) override;
  Result<bool> SetApprovalState(int64_t id, std::string_view from, std::string_view to, const std::string& decided_by,
                                const std::string& note) override;
  Result<std::vector<std::string>> ReadPersonAgencies(int64_t person_id) override;
  Result<int64_t> InsertEnrollingUser(const User& user) override;
  Status ResetToEnrolment(int64_t user_id, const std::string& password_hash, const std::string& enrol_hash,
                          const std::string& totp_secret) override;
  Status SetUserRole(int64_t user_id, Role role) override;
  Result<int64_t> InsertCareRelationship(int64_t user_id, int64_t person_id, std::string_view kind,
                                         const std::string& created_by) override;
  Status SetEnrolmentTotp(int64_t user_id, const std::string& totp_secret) override;
  Status CompleteEnrolment(int64_t user_id, const std::string& password_hash, int64_t totp_step) override;
  // TOTP secrets at rest: sealed on write, opened by FindUser (the key file is created on the first seal).
  Result<std::string> SealTotpSecret(std::string_view base32);
  Result<std::string> OpenTotpSecret(std::string_view stored);
  // Migration 3: seals every TOTP secret still stored in plaintext. REQUIRES: a transaction is open.
  Status SealTotpSecretsLocked();

  // ---- the practice workflow: actions, disruptions, MASE meetings, practitioner alerts (sqlite_practice.cc)
  Result<int64_t> InsertAction(const ActionRecord& action) override;
  Result<std::optional<ActionRecord>> ReadAction(int64_t id) override;
  Result<std::vector<ActionRecord>> ReadActions() override;
  Result<bool> UpdateAction(const ActionRecord& action, int64_t expected_version) override;
  Result<int64_t> InsertDisruption(const DisruptionRecord& disruption) override;
  Result<std::optional<DisruptionRecord>> ReadDisruption(int64_t id) override;
  Result<std::vector<DisruptionRecord>> ReadDisruptions() override;
  Result<bool> UpdateDisruption(const DisruptionRecord& disruption, int64_t expected_version) override;
  Result<int64_t> InsertDisruptionBreach(int64_t disruption_id, const DisruptionBreach& breach) override;
  Result<int64_t> InsertMeeting(const MeetingRecord& meeting) override;
  Result<std::optional<MeetingRecord>> ReadMeeting(int64_t id) override;
  Result<int64_t> MeetingGeneration() override;
  Result<std::vector<MeetingRecord>> ReadMeetings() override;
  Result<bool> UpdateMeetingStatus(int64_t id, std::string_view status, int64_t expected_version) override;
  Result<int64_t> InsertAgendaItem(const AgendaItem& item) override;
  Result<bool> UpdateAgendaItem(const AgendaItem& item) override;
  Result<std::vector<PersonRecordClass>> ReadPersonRecordClasses(const std::vector<int64_t>& person_ids) override;
  Result<bool> PlaceExists(int64_t place_id) override;
  Result<std::vector<RadarFact>> LoadRadarFacts() override;
  Result<std::vector<MissingEpisodeRow>> LoadMissingEpisodes(Date from) override;
  Result<std::vector<RelationshipHolder>> ReadRelationshipHolders() override;
  Result<std::vector<AlertRow>> ReadAlertsOf(std::string_view user_name, bool open_only) override;
  Result<std::optional<AlertRow>> ReadAlertOf(int64_t alert_id, std::string_view user_name) override;
  Result<bool> AcknowledgeAlert(int64_t alert_id, std::string_view user_name, const std::string& note) override;
  Result<int64_t> CountOpenAlerts(std::string_view user_name, int64_t person_id) override;
  Result<std::string> ReadAlertBaseline() override;
  Result<int64_t> SaveAlerts(const std::vector<NewAlert>& alerts, const std::string& baseline,
                             const Actor& actor) override;
  Result<int64_t> ImportDisruptionEvents(const std::vector<DisruptionRecord>& disruptions, const Actor& actor) override;

 private:
  Result<TotpSealingKey*> TotpKey(bool may_create);
  Status FinishTotpRotation();
  std::optional<TotpSealingKey> totp_key_;

  // ---- professional judgement: trajectory, screenings, allocations, case notes (sqlite_judgement.cc)
 public:
  Result<std::vector<AssessmentEntry>> ReadAssessmentHistory(int64_t person_id) override;
  Result<int64_t> InsertAssessmentEntry(const AssessmentEntry& entry) override;
  Result<int64_t> InsertScreening(const ScreeningRow& row) override;
  Result<std::vector<ScreeningRow>> ReadScreenings(int64_t person_id) override;
  Result<std::vector<Allocation>> ReadAllocations(std::string_view agency_code, int64_t user_id) override;
  Result<bool> NoteSubjectExists(std::string_view kind, int64_t id) override;
  Result<int64_t> InsertCaseNote(const CaseNote& note) override;
  Result<std::vector<CaseNote>> ReadCaseNotes(std::string_view kind, int64_t id) override;
};

// OpenStore for the SQLite store itself (the audit writer needs its internals).
Result<std::unique_ptr<SqliteStore>> OpenSqliteStore(std::string_view location, const StoreOptions& options,
                                                     bool migrate_existing = false);

}  // namespace riskradar::store

// The Store: every stage reads what the previous one wrote through this one
// interface. SqliteStore is the embedded default; a PostgreSQL store will
// implement the same interface. SQL lives only in implementations, always with
// bound parameters.
//
// Thread safety: a Store is used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"

namespace riskradar::store {

// Who does something, for the audit log.
struct Actor {
  std::string user = "pipeline";
  std::string agency;
  std::string role = "system";
  std::string purpose = "safeguarding analysis";
};

// A row that could not be loaded, with where and why.
struct QuarantinedRow {
  int64_t id = 0;
  int64_t batch_id = 0;
  std::string file;
  int64_t line = 0;
  std::string column;  // field name, or empty for a whole-row problem
  std::string value;   // the offending value, redacted where identifying
  std::string reason;  // plain English
  std::string raw;     // the row as received (kept for re-submission; personal data)
};

struct BatchHeader {
  std::string agency_code;
  std::string file;        // path as given
  std::string file_hash;   // hex digest of the whole file
  std::string format;      // mapping format id
  std::string record_class;
  std::string lawful_basis;
};

struct BatchCounts {
  int64_t rows_in = 0;
  int64_t landed = 0;       // new records written
  int64_t unchanged = 0;    // already present with the same content
  int64_t quarantined = 0;
};

struct BatchInfo {
  int64_t id = 0;
  BatchHeader header;
  BatchCounts counts;
  std::string status;  // "complete"
  std::string finished_at;
};

// One parsed, validated row ready to land.
struct ParsedRow {
  SourceRecord record;  // id/batch_id assigned by the store
  PersonMention subject;
  std::optional<PersonMention> associate;
  std::optional<PlaceMention> place;
  Event event;          // ids of record/mentions assigned by the store
};

// Writes one import batch inside one transaction. Nothing is visible until
// Commit(); destroying the writer without Commit() rolls everything back.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // Returns true when the row is new, false when an identical row (same
  // agency, local id and content hash) is already stored.
  virtual Result<bool> AddRow(const ParsedRow& row) = 0;
  virtual Status AddQuarantine(const QuarantinedRow& row) = 0;
  virtual Result<BatchInfo> Commit(const BatchCounts& counts, const Actor& actor) = 0;
};

// A person mention with the agency that reported it (linkage input).
struct MentionRow {
  PersonMention mention;
  std::string slot;  // "subject" or "associate"
  std::string agency_code;
  std::string local_id;  // of the source record
};

struct PlaceMentionRow {
  PlaceMention mention;
  std::string agency_code;
  std::string local_id;
};

// A pair of mentions the linker was unsure about, and any decision on it.
struct ReviewItem {
  int64_t left_mention_id = 0;
  int64_t right_mention_id = 0;
  double match_weight = 0;
  double match_probability = 0;
  std::string status = "pending";  // pending | confirmed | rejected
  std::string reason;
  std::string decided_by;
  std::string decided_at;  // UTC ISO 8601; empty while pending
};

// The result of a linkage run, written in one transaction.
struct LinkageOutput {
  std::vector<Person> persons;                               // ids already stable
  std::vector<std::pair<int64_t, int64_t>> mention_person;   // mention id -> person id
  std::vector<Place> places;
  std::vector<std::pair<int64_t, int64_t>> place_mention_place;
  std::vector<ReviewItem> review;                            // new possibles (decided ones are kept)
  std::string model_json;                                    // trained parameters, for explanation
};

// An event joined to the resolved entities it involves (assessment and network input).
struct EventRow {
  Event event;
  std::string agency_code;
  int64_t subject_person_id = 0;
  int64_t associate_person_id = 0;  // 0 when none
  int64_t place_id = 0;             // 0 when none
  PersonRole subject_role = PersonRole::kChild;
  PersonRole associate_role = PersonRole::kAdult;
};

struct StoredNetwork {
  int32_t id = 0;
  std::vector<int64_t> offenders, children, places;
};

struct PlaceScore {
  int64_t place_id = 0;
  int children_at_risk = 0;
  int persons_of_concern = 0;
  int events = 0;
  double score = 0;
  bool of_concern = false;
  std::vector<std::string> reasons;
};

struct NetworkOutput {
  std::vector<StoredNetwork> networks;
  std::vector<PlaceScore> places;
  int64_t lone_offenders = 0;
};

struct AuditEvent {
  int64_t seq = 0;
  std::string at_utc;
  Actor actor;
  std::string action;   // e.g. "import", "link", "read_child"
  std::string target;   // what was touched
  std::string outcome = "ok";
  std::string details;  // JSON
  std::string leaf_hash;
};

// A signed tree head: the RFC 6962 tree hash over the first tree_size audit events, signed with Ed25519.
struct AuditCheckpoint {
  int64_t tree_size = 0;
  std::string root_hash;   // hex SHA-256
  std::string signed_at;   // UTC
  std::string public_key;  // hex Ed25519 public key that signed it
  std::string signature;   // hex Ed25519 signature over CheckpointMessage()
};
// The exact bytes a checkpoint signature covers.
std::string CheckpointMessage(int64_t tree_size, std::string_view root_hash, std::string_view signed_at);

struct AuditCheck {
  int64_t events = 0;
  bool ok = true;
  std::string problem;          // first problem found
  std::string root_hash;        // tree hash over every event read
  int64_t checkpoints_checked = 0;
  std::optional<AuditCheckpoint> latest;  // the latest signed checkpoint (the head)
  // The audit witness (StoreOptions::audit_witness_path): whether it exists, its heads and the newest size.
  bool witness_present = false;
  int64_t witness_heads = 0;
  int64_t witness_size = 0;
};

// Inclusion of event `seq` in the tree of the first `tree_size` events, or consistency of two tree sizes.
struct AuditProof {
  int64_t seq = 0;  // inclusion proofs only
  int64_t old_size = 0;  // consistency proofs only
  int64_t tree_size = 0;
  std::string leaf_hash;  // inclusion proofs only
  std::vector<std::string> path;  // hex hashes, RFC 6962 order
  std::string root_hash;
  std::string old_root_hash;  // consistency proofs only
};

// ---- server: users, sessions, need-to-know facts

struct User {
  int64_t id = 0;
  std::string name;
  std::string agency_code;
  Role role = Role::kAnalyst;
  std::string password_hash;  // Argon2id, libsodium string format
  std::string totp_secret;    // base32 from FindUser; sealed at rest (other reads return the sealed form)
  bool disabled = false;
  std::string created_at, updated_at;
};

struct NewSession {
  int64_t user_id = 0;
  std::string token_hash;  // hex SHA-256 of the cookie token; the token itself is never stored
  std::string csrf_token;
  int64_t now_s = 0;
  int64_t totp_step = 0;            // refused if not newer than the last step used (replay)
  std::string replaces_token_hash;  // a session presented at login is revoked (rotation)
};

struct SessionUser {
  User user;
  std::string csrf_token;
  int64_t created_s = 0;
};

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

struct RadarCell {
  std::string district;
  std::string level;
  int64_t children = 0;
};

struct ChildEventView {
  int64_t event_id = 0;
  Date date;
  std::string kind, category, detail, agency_code, record_class;
};

// What one viewer may see about one child, already filtered by need-to-know.
struct ChildView {
  Person person;
  std::optional<Assessment> latest;   // indicators filtered to those with visible evidence
  bool explanation_complete = false;  // every record behind the assessment is visible to this viewer
  std::vector<ChildEventView> events; // chronology, oldest first
  std::vector<std::string> access_basis;  // why the visible records are visible
};

// ---- retention and legal holds (see docs/operator-guide.md, "Retention")

// How long source records of one record class are kept, counted from the record's latest event date.
struct RetentionRule {
  std::string record_class;  // as set by the mapping, e.g. "child_protection"
  int64_t keep_days = 0;
};
struct RetentionPolicy {
  std::string version;
  std::vector<RetentionRule> rules;
  // Classes without a rule are kept (never deleted by default): a missing rule must not destroy records.
  int64_t quarantine_keep_days = 90;  // quarantined rows hold raw personal data
};
// A hold stops deletion of records about a person, from an agency, or of one import batch.
struct LegalHold {
  int64_t id = 0;
  std::string scope;  // "person", "agency" or "batch"
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
  int64_t quarantine_due = 0;
  int64_t persons_erased = 0;  // people left with no record: name and date of birth cleared, assessments removed
  bool applied = false;
};

struct StoreCounts {
  int64_t agencies = 0, batches = 0, source_records = 0, person_mentions = 0, place_mentions = 0, events = 0,
          quarantined = 0, persons = 0, places = 0, assessments = 0, review_pending = 0, audit_events = 0;
};

// ---- directory reads (people, places, networks, imports, agencies, audit)
// Every read below that touches personal data or the audit log writes one audit event in the same transaction
// (nothing is returned if it cannot be written), and filters by the need-to-know rule of core/access.h: a
// person is visible when at least one of their records is.

// A person search: a name fragment (case-insensitive; "" matches everyone) and a role filter, paged.
struct PersonQuery {
  std::string name;
  std::string role;  // "" | "child" | "person_of_concern" | "adult"
  int64_t limit = 50;
  int64_t offset = 0;
};
struct PersonSummary {
  Person person;
  std::vector<std::string> access_basis;  // why the person's visible records are visible
};
struct PersonSearchResult {
  int64_t total = 0;  // visible matches only: people the viewer may not see are never counted
  std::vector<PersonSummary> people;
};

// One of a person's records (a mention of them in one source record), as the viewer may see it.
struct LinkedRecord {
  int64_t mention_id = 0;
  int64_t record_id = 0;
  std::string agency_code, local_id, record_class;
  std::string slot;  // subject | associate
  std::string role;  // the person's role in that record
  std::string access_basis;
};
// Why two of a person's visible records were resolved into that person. Linkage does not store the weight of
// every pair it linked: a pair the review queue scored ("review") carries its stored weight, probability and
// any decision; any other pair ("cluster") carries the agreement of the normalised identifiers both records
// hold (the evidence the clustering used), without a weight.
struct LinkEvidence {
  int64_t left_mention_id = 0, right_mention_id = 0;
  std::string source;  // review | cluster
  std::optional<double> match_weight, match_probability;
  std::string review_status, review_reason, decided_by, decided_at;
  std::vector<std::pair<std::string, std::string>> fields;  // field -> agree | disagree | missing
};
inline constexpr size_t kMaxPersonLinkPairs = 200;
struct PersonView {
  Person person;
  std::vector<LinkedRecord> records;  // visible records only
  std::vector<LinkEvidence> links;    // pairs of visible records
  bool links_truncated = false;       // more than kMaxPersonLinkPairs pairs: the first ones are shown
  std::vector<std::string> access_basis;
};

// A place of concern of the latest network run, with its score.
struct PlaceOfConcern {
  Place place;
  PlaceScore score;
};
struct PlacePerson {
  int64_t person_id = 0;
  std::string name;
  bool is_child = false, person_of_concern = false;
  int64_t events = 0;  // visible events linking them to the place
  std::vector<std::string> access_basis;
};
struct PlaceView {
  PlaceOfConcern place;
  std::vector<PlacePerson> people;  // only people linked by records the viewer may see
};

struct NetworkSummary {
  int32_t id = 0;
  int64_t offenders = 0, children = 0, places = 0;
};
struct NetworkMember {
  int64_t person_id = 0;
  std::string name;
  std::string kind;  // offender | child
};
struct NetworkView {
  NetworkSummary summary;
  std::vector<NetworkMember> members;  // only members the viewer may see
  std::vector<Place> places;
};

struct QuarantinePage {
  int64_t total = 0;
  std::vector<QuarantinedRow> rows;
};

struct AuditQuery {
  std::string user, action;
  std::string from, to;  // UTC ISO 8601 bounds on at_utc, inclusive; "" for none
  int64_t before = 0;    // only events with seq < before (0: no bound), for paging back
  int64_t limit = 100;
  // Non-empty: only events by this agency's users or about persons ("person:ID" targets) this agency holds
  // records on (an IG lead's own scope). Empty: the whole partnership.
  std::string agency;
};
struct AuditCheckpointList {
  std::vector<AuditCheckpoint> kept;
  std::optional<AuditCheckpoint> head;  // the current signed head
};

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
  int64_t pending_total = 0;    // every pending pair in the region (an aggregate, shown to every reviewer role)
  int64_t visible_pending = 0;  // pending pairs whose both records the viewer may see
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

// A change an administrator makes to a user of their own agency.
struct UserChange {
  enum class Kind { kDisable, kReset } kind = Kind::kDisable;
  std::string password_hash, totp_secret;  // kReset: the new credentials (totp_secret in base32, sealed by the store)
};

// An alert for an agency's IG lead(s): today, a break-glass grant (by one of the agency's users, or over a
// person the agency holds records on), open until the grant is reviewed.
struct IgAlert {
  int64_t id = 0;
  std::string agency_code, kind, created_at;
  BreakGlassGrant grant;
  std::string review_outcome, review_note;  // empty until reviewed
};

class Store {
 public:
  virtual ~Store() = default;

  // Agencies.
  virtual Status UpsertAgency(const Agency& agency) = 0;
  virtual Result<std::vector<Agency>> ListAgencies() = 0;

  // Imports.
  virtual Result<std::optional<BatchInfo>> FindCompletedBatch(std::string_view agency_code,
                                                              std::string_view file_hash) = 0;
  virtual Result<std::unique_ptr<BatchWriter>> BeginBatch(const BatchHeader& header) = 0;
  virtual Result<std::vector<BatchInfo>> ListBatches() = 0;
  // batch_id 0 lists every batch's quarantine.
  virtual Result<std::vector<QuarantinedRow>> ListQuarantine(int64_t batch_id) = 0;

  // Linkage.
  virtual Result<std::vector<MentionRow>> LoadPersonMentions() = 0;
  virtual Result<std::vector<PlaceMentionRow>> LoadPlaceMentions() = 0;
  // The person each mention belonged to after the last linkage run (for stable ids).
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> LoadMentionPersons() = 0;
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> LoadPlaceMentionPlaces() = 0;
  virtual Result<std::vector<ReviewItem>> LoadReviewDecisions() = 0;
  virtual Status SaveLinkage(const LinkageOutput& output, const Actor& actor) = 0;
  // The review queue: status "" lists every pair, otherwise pairs with that status
  // (pending | confirmed | rejected), most uncertain first for pending ones.
  virtual Result<std::vector<ReviewItem>> ListReview(std::string_view status) = 0;
  // Records a reviewer's decision on a pair of mentions (queued or not: a split of
  // a linked pair is a rejection): decision.status is "confirmed" or "rejected",
  // decision.reason is required, match weight/probability are kept for a new row.
  // Writes one audit event in the same transaction. NotFound: an unknown mention.
  virtual Status DecideReview(const ReviewItem& decision, const Actor& actor) = 0;
  // model_json of the newest linkage run; NotFound before the first run.
  virtual Result<std::string> LatestLinkageModel() = 0;
  // The largest person and place ids ever issued (active or not), so new ids never reuse an old one.
  virtual Result<std::pair<int64_t, int64_t>> MaxEntityIds() = 0;
  virtual Result<std::vector<Person>> ListPersons() = 0;
  virtual Result<std::vector<Place>> ListPlaces() = 0;

  // Assessment.
  virtual Result<std::vector<EventRow>> LoadEvents() = 0;
  // Appends (never replaces): every assessment is kept as the child's trajectory.
  virtual Status SaveAssessments(const std::vector<Assessment>& assessments, const Actor& actor) = 0;
  // The most recent assessment per person.
  virtual Result<std::vector<Assessment>> LatestAssessments() = 0;

  // Networks.
  virtual Status SaveNetworks(const NetworkOutput& output, const Actor& actor) = 0;
  virtual Result<NetworkOutput> LoadNetworks() = 0;

  // Audit: one event per access, leaves of an RFC 6962 Merkle tree. Each commit that appends events signs a
  // new checkpoint (the head) over the whole log in the same transaction, so the signed head always covers
  // every stored event; a checkpoint is also kept for good each time the log passes a multiple of
  // checkpoint_interval. With StoreOptions::audit_writer set, AppendAudit goes through that writer (group
  // commit) and returns once the event is durably committed.
  virtual Status AppendAudit(const AuditEvent& event) = 0;
  // Appends many events in one transaction and signs once (bulk loads, benchmarks).
  virtual Status AppendAuditBatch(const std::vector<AuditEvent>& events) = 0;
  // Recomputes every leaf and the tree, and checks it against every stored checkpoint and the signed head.
  virtual Result<AuditCheck> VerifyAudit() = 0;
  // Signs and keeps a checkpoint of the whole log now.
  virtual Result<AuditCheckpoint> SignAuditCheckpoint() = 0;
  virtual Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints() = 0;
  virtual Result<AuditProof> AuditInclusionProof(int64_t seq, int64_t tree_size) = 0;
  virtual Result<AuditProof> AuditConsistencyProof(int64_t old_size, int64_t new_size) = 0;

  // Users. Every change is audited in the same transaction; disabling or resetting revokes all sessions.
  virtual Result<int64_t> AddUser(const User& user, const Actor& actor) = 0;
  virtual Result<std::optional<User>> FindUser(std::string_view name) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) = 0;
  virtual Status ResetUserCredentials(std::string_view name, const std::string& password_hash,
                                      const std::string& totp_secret, const Actor& actor) = 0;
  // The same password under new hash parameters (after a successful login); sessions are kept.
  virtual Status UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) = 0;

  // Sessions. CreateSession audits the login; Conflict when the TOTP step was already used.
  virtual Status CreateSession(const NewSession& session, const Actor& actor) = 0;
  // The session's user when the session is live (not revoked, user enabled, within both timeouts).
  virtual Result<std::optional<SessionUser>> TouchSession(std::string_view token_hash, int64_t now_s,
                                                          int64_t idle_s, int64_t absolute_s) = 0;
  virtual Status RevokeSession(std::string_view token_hash, const Actor& actor) = 0;

  // Need-to-know facts.
  virtual Result<int64_t> AddSharingAgreement(const SharingAgreement& agreement, const Actor& actor) = 0;
  virtual Status AddCareRelationship(const CareRelationship& relationship, const Actor& actor) = 0;
  virtual Result<BreakGlassGrant> GrantBreakGlass(const Viewer& viewer, int64_t person_id, const std::string& reason,
                                                  int64_t now_s, int64_t ttl_s, const Actor& actor) = 0;
  // `agency` non-empty: only grants alerted to that agency (its own users' grants and grants on persons it
  // holds records on); empty: the whole partnership.
  virtual Result<std::vector<BreakGlassGrant>> ListBreakGlass(bool unreviewed_only, std::string_view agency) = 0;

  // Reads for the server.
  virtual Result<std::vector<RadarCell>> RadarCounts() = 0;
  // Reads one child under need-to-know and writes its audit event; nothing is returned unless the event is
  // durably committed. Without an audit writer the read and the event share one write transaction; with
  // StoreOptions::audit_writer the read runs on a read-only snapshot (no write lock) and the event, which
  // records what that snapshot showed, is group-committed before the view is returned. NotFound both for a
  // missing id and for one the viewer may not see (the refusal is audited as such).
  virtual Result<ChildView> ReadChildView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                          const Actor& actor) = 0;

  // Retention and legal holds. PlanRetention changes nothing; ApplyRetention deletes the due records with
  // everything derived from them in one transaction (SQLite secure_delete on, WAL truncated afterwards),
  // audited with counts only. Re-run link and assess afterwards.
  virtual Result<int64_t> AddLegalHold(const LegalHold& hold, const Actor& actor) = 0;
  virtual Status ReleaseLegalHold(int64_t id, const Actor& actor) = 0;
  virtual Result<std::vector<LegalHold>> ListLegalHolds(bool active_only) = 0;
  virtual Result<RetentionOutcome> PlanRetention(const RetentionPolicy& policy, Date as_of) = 0;
  virtual Result<RetentionOutcome> ApplyRetention(const RetentionPolicy& policy, Date as_of, const Actor& actor) = 0;

  // ---- directory reads (people, places, networks, imports, agencies, audit)
  // NotFound answers are the same for a missing id and for one outside the viewer's rights (audited as
  // not_found or refused).
  virtual Result<PersonSearchResult> SearchPeople(const PersonQuery& query, const Viewer& viewer, int64_t now_s,
                                                  const Actor& actor) = 0;
  virtual Result<PersonView> ReadPersonView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                            const Actor& actor) = 0;
  // Places of concern of the latest network run, highest score first (empty before the first run).
  virtual Result<std::vector<PlaceOfConcern>> ReadPlacesOfConcern(const Actor& actor) = 0;
  // NotFound also for a place that is not of concern.
  virtual Result<PlaceView> ReadPlaceView(int64_t place_id, const Viewer& viewer, int64_t now_s,
                                          const Actor& actor) = 0;
  virtual Result<std::vector<NetworkSummary>> ReadNetworks(const Actor& actor) = 0;
  virtual Result<NetworkView> ReadNetworkView(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                              const Actor& actor) = 0;
  // agency_code "" reads every agency's batches.
  virtual Result<std::vector<BatchInfo>> ReadImports(std::string_view agency_code, const Actor& actor) = 0;
  // NotFound for a missing batch and for another agency's batch alike.
  virtual Result<QuarantinePage> ReadQuarantine(int64_t batch_id, std::string_view agency_code, int64_t limit,
                                                int64_t offset, const Actor& actor) = 0;
  // Newest first.
  virtual Result<std::vector<AuditEvent>> ReadAuditEvents(const AuditQuery& query, const Actor& actor) = 0;
  virtual Result<AuditCheckpointList> ReadAuditCheckpoints(const Actor& actor) = 0;
  // tree_size 0: the current size. InvalidArgument outside 1 <= seq <= tree_size <= the log's size.
  virtual Result<AuditProof> ReadAuditInclusionProof(int64_t seq, int64_t tree_size, const Actor& actor) = 0;
  virtual Result<AuditProof> ReadAuditConsistencyProof(int64_t old_size, int64_t new_size, const Actor& actor) = 0;

  virtual Result<StoreCounts> Counts() = 0;

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

  // The users of one agency (no hashes or secrets), audited ("list_users").
  virtual Result<std::vector<User>> ListAgencyUsers(std::string_view agency_code, const Actor& actor) = 0;
  // Disables, or resets (new password hash and TOTP secret, re-enabled), a user of the administrator's own
  // agency; revokes all of that user's sessions. NotFound: no such user in that agency. Conflict: oneself.
  virtual Status AdministerUser(const Viewer& admin, std::string_view name, const UserChange& change,
                                const Actor& actor) = 0;

  // Agreements where `agency` is provider or recipient ("" lists all), in force or ended, oldest first.
  virtual Result<std::vector<SharingAgreementRecord>> ListSharingAgreements(std::string_view agency) = 0;
  // Ends an agreement that `agency` is a party to, from now on (NotFound otherwise; Conflict if already ended).
  virtual Result<SharingAgreementRecord> EndSharingAgreement(int64_t id, std::string_view agency,
                                                             const std::string& reason, int64_t now_s,
                                                             const Actor& actor) = 0;

  // Care relationships, kept by a manager for users of their own agency, over a child the manager may see
  // (NotFound otherwise, audited). Allocate: InvalidArgument when `user_name` is not an active practitioner or
  // manager of the manager's agency; Conflict when the same relationship is already current.
  virtual Result<CareRelationshipRecord> AllocateCareRelationship(const Viewer& manager, int64_t person_id,
                                                                  std::string_view user_name, std::string_view kind,
                                                                  int64_t now_s, const Actor& actor) = 0;
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

// Group commit of audit events: a writer thread with its own connection appends the events of concurrent
// callers in one transaction (one signed head, one fsync) and then wakes each caller. Thread-safe; share one
// per store file among the connections of a process (the server's pool) through StoreOptions::audit_writer.
// Other writers (other connections, other processes) stay correct: each batch starts from the stored head.
class AuditWriter {
 public:
  virtual ~AuditWriter() = default;
  // Appends the event (its seq is assigned here) and returns the seq once the event is durably committed;
  // an error if it was not committed. Blocks the caller for about one commit.
  virtual Result<int64_t> Append(const AuditEvent& event) = 0;
  // Commits what is queued and stops the thread; later Appends fail. The destructor closes too.
  virtual void Close() = 0;
};

struct StoreOptions {
  // The Ed25519 key that signs audit checkpoints. Empty: "<store file>.audit-key". Created with mode 0600
  // on the first audit append; refused if group- or world-readable. Its content is never logged.
  std::string audit_key_path;
  // Hex Ed25519 public key to verify checkpoints with, when the secret key is not on this machine.
  std::string audit_public_key;
  // The key that seals TOTP secrets at rest. Empty: "<store file>.totp-key" (0600, created on first use).
  std::string totp_key_path;
  // The audit witness: an append-only file outside the database that receives every kept checkpoint's
  // signed head, so verification can tell a rolled-back database (docs/security-auth.md). Empty:
  // "<store file>.audit-witness". Created 0600 with the first kept checkpoint; never recreated once the log
  // has checkpoints (a deleted witness fails verification until an operator restarts it).
  std::string audit_witness_path;
  // Every Nth signed head is kept as a permanent checkpoint (the head itself is always current).
  int64_t checkpoint_interval = 1024;
  // When set, audit events of AppendAudit and ReadChildView are group-committed by this writer.
  std::shared_ptr<AuditWriter> audit_writer;
};

// Opens (creating and migrating as needed) the store named by `location`:
// a SQLite file path, or "sqlite:PATH". PostgreSQL URLs are reserved.
Result<std::unique_ptr<Store>> OpenStore(std::string_view location);
Result<std::unique_ptr<Store>> OpenStore(std::string_view location, const StoreOptions& options);
// A group-commit audit writer over the store at `location` (its own connection and thread); `options` as for
// OpenStore (its audit_writer is ignored).
Result<std::shared_ptr<AuditWriter>> OpenAuditWriter(std::string_view location, const StoreOptions& options);
// The key path used when StoreOptions::audit_key_path is empty.
std::string DefaultAuditKeyPath(std::string_view location);

}  // namespace riskradar::store

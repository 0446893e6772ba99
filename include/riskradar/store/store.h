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

struct AuditCheck {
  int64_t events = 0;
  bool ok = true;
  std::string problem;  // first problem found
};

struct StoreCounts {
  int64_t agencies = 0, batches = 0, source_records = 0, person_mentions = 0, place_mentions = 0, events = 0,
          quarantined = 0, persons = 0, places = 0, assessments = 0, review_pending = 0, audit_events = 0;
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

  // Audit: hash-chained, one event per access.
  virtual Status AppendAudit(const AuditEvent& event) = 0;
  virtual Result<AuditCheck> VerifyAudit() = 0;

  virtual Result<StoreCounts> Counts() = 0;
};

// Opens (creating and migrating as needed) the store named by `location`:
// a SQLite file path, or "sqlite:PATH". PostgreSQL URLs are reserved.
Result<std::unique_ptr<Store>> OpenStore(std::string_view location);

}  // namespace riskradar::store

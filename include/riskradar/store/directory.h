// Store contract: the directory of people, places and networks as readers see them.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: every read here reads inside the open unit of work (see unit_of_work.h) and returns rows and
// facts unfiltered, with each record's agency_code and record_class: the access layer
// (include/riskradar/access/) applies need-to-know, field by field, and writes the audit event. None of these
// reads is audited by itself; a backend never filters by viewer.
#pragma once

#include <algorithm>
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
#include "riskradar/store/assessments.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

struct ChildEventView {
  int64_t event_id = 0;
  Date date;
  std::string kind, category, detail, agency_code, record_class;
  std::string local_id;  // the agency's own reference of the source record
};

// What one viewer may see about one child, already filtered by need-to-know.
struct ChildView {
  Person person;
  std::optional<Assessment> latest;       // indicators filtered to those with visible evidence
  bool explanation_complete = false;      // every record behind the assessment is visible to this viewer
  std::vector<ChildEventView> events;     // chronology, oldest first
  std::vector<std::string> access_basis;  // why the visible records are visible
};

// One mention of a person (their appearance in one source record) with that record's agency and class, and the
// identity fields the record holds. Personal data: read only by the access layer inside an audited unit.
struct PersonMentionRow {
  int64_t person_id = 0;
  int64_t mention_id = 0;
  int64_t record_id = 0;
  std::string agency_code, record_class, local_id;
  std::string slot;  // subject | associate
  std::string role;  // the person's role in that record
  std::string forename, surname, sex, postcode, nhs_number, upn;
  std::optional<Date> dob;
};

// Everything stored about one child, unfiltered: for the access layer only, which decides what a viewer sees.
struct ChildRecord {
  Person person;
  std::vector<ChildEventView> events;      // every event naming the child, oldest first, with its record's agency
  std::optional<Assessment> latest;        // the newest assessment, with every indicator and explanation line
  std::vector<PersonMentionRow> mentions;  // every mention of the child, by mention id (identity fields)
};

// ---- directory reads (people, places, networks): the access layer's views of them
// What a viewer is shown, built by the access layer's pure filters (access/directory_filters.h): a person is
// visible when at least one of their records is, and every identity field shown (name, date of birth, sex,
// district) comes from a record the viewer may see; a field no visible record holds is absent.

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

// ---- rows and facts, unfiltered (for the access layer only)

// A person as stored (identity fields derived by linkage from every mention of the cluster) with every mention.
struct PersonRecord {
  Person person;
  std::vector<PersonMentionRow> mentions;  // every mention, by mention id
  // The review queue's scored pairs of two of these mentions (source "review", left < right); filled by
  // ReadPersonRecord only.
  std::vector<LinkEvidence> reviewed;
};

// The need-to-know facts about one viewer for reads that span many people, at one time: the agreements in
// force to the viewer's agency and the people they have a current relationship or an unexpired break-glass
// grant for. For(person) gives the facts core/access.h's DecideRecordAccess takes.
struct ViewerAccessFacts {
  std::vector<AgreementFact> agreements;
  std::vector<int64_t> related, break_glass;  // person ids, sorted
  ChildAccessFacts For(int64_t person_id) const {
    ChildAccessFacts f;
    f.agreements = agreements;
    f.relationship = std::binary_search(related.begin(), related.end(), person_id);
    f.break_glass = std::binary_search(break_glass.begin(), break_glass.end(), person_id);
    return f;
  }
};

struct PlacesOfConcernList {
  int64_t network_run = 0;  // the latest network run (0 before the first)
  std::vector<PlaceOfConcern> places;
};
// One event at a place: its record's agency and class, and the people it names (0: none).
struct PlaceEventRow {
  std::string agency_code, record_class;
  int64_t subject_person_id = 0, associate_person_id = 0;
};
struct PlaceRecord {
  int64_t network_run = 0;
  PlaceOfConcern place;
  std::vector<PlaceEventRow> events;  // every event at the place, by event id
  std::vector<PersonRecord> people;   // every active person the events name, by id, with their mentions
};
struct NetworkList {
  int64_t network_run = 0;
  std::vector<NetworkSummary> networks;
};
struct NetworkRecord {
  int64_t network_run = 0;
  int32_t id = 0;
  std::vector<std::pair<std::string, int64_t>> members;  // (kind, entity id): offender | child | place
  std::vector<Place> places;                             // the member places that are still active
  std::vector<PersonRecord> people;                      // the member people still active, by id
};

// The kinds of record an id-addressed read can be refused (see DirectoryStore::ChooseSubject).
enum class SubjectKind {
  kChild,       // an active child (the child view, break-glass)
  kPerson,      // an active person (the person view)
  kReviewItem,  // a review-queue pair, whatever its status
};
struct SubjectChoice {
  int64_t id = 0;       // the record to work on; 0: the store holds none of this kind
  bool exists = false;  // true: the id asked for; false: a stand-in (or none)
};

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // The active child `person_id` with every event and the newest assessment; nullopt when there is no such
  // active child. Not audited by itself (see above).
  virtual Result<std::optional<ChildRecord>> ReadChildRecord(int64_t person_id) = 0;
  // The record an id-addressed read works on (issue 11 item 6: a record that exists but is refused and an id
  // that does not exist must cost the same work, so that response times do not tell them apart): `id` itself
  // when a record of `kind` has it (`exists`), else a stand-in, a real record of that kind picked from
  // `stand_in_point` (the first at or above that point in the range of ids, wrapping round; the access layer
  // passes a keyed hash of the missing id, core/hash.h ProcessKeyedPoint), and 0 when there is no record of
  // that kind at all. One statement that always does both look-ups, so the answer costs the same whichever
  // it is. The access layer then reads the chosen record with the kind's own read, applies the rule and, for
  // a stand-in, discards the result.
  virtual Result<SubjectChoice> ChooseSubject(SubjectKind kind, int64_t id, int64_t stand_in_point) = 0;

  // The facts for a viewer's reads over many people at `now_s` (see ViewerAccessFacts).
  virtual Result<ViewerAccessFacts> ReadViewerAccessFacts(const Viewer& viewer, int64_t now_s) = 0;
  // Every active person who may match `query` (its role filter applied; a name matched against any mention's
  // full name, case-insensitively: a superset of the people whose visible name matches), by id, with their
  // mentions. No paging: the access layer pages after filtering, so a hidden person is never counted. Without
  // `identity` the mentions carry only person_id, mention_id, agency_code and record_class (enough to decide
  // who is visible; the access layer then reads the page's people with ReadPersonRecord).
  virtual Result<std::vector<PersonRecord>> FindPersonRecords(const PersonQuery& query, bool identity) = 0;
  // The active person `person_id` with every mention and the reviewed pairs; nullopt when there is none.
  virtual Result<std::optional<PersonRecord>> ReadPersonRecord(int64_t person_id) = 0;
  // As ReadPersonRecord without the reviewed pairs (the caseload's read of each allocated child).
  virtual Result<std::optional<PersonRecord>> ReadPersonMentions(int64_t person_id) = 0;
  // The person-record generation: changes, in the same transaction, with any change to what ReadPersonMentions
  // or PracticeStore::ReadPersonRecordClasses would return for anyone (a person row, a mention's link or
  // fields, a source record's agency, class or local id, a deletion), whoever writes it. Caches of those reads
  // (access/person_cache.h) are keyed on it; read it inside the unit of work whose snapshot they come from.
  virtual Result<int64_t> PersonRecordGeneration() = 0;
  // Places of concern of the latest network run, highest score first (empty before the first run).
  virtual Result<PlacesOfConcernList> ListPlacesOfConcern() = 0;
  // nullopt also for a place that is not of concern in the latest run.
  virtual Result<std::optional<PlaceRecord>> ReadPlaceRecord(int64_t place_id) = 0;
  virtual Result<NetworkList> ListNetworks() = 0;
  // nullopt when the latest run has no such network.
  virtual Result<std::optional<NetworkRecord>> ReadNetworkRecord(int64_t network_id) = 0;
};

}  // namespace riskradar::store

// Store contract: the directory of people, places and networks as readers see them.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: ReadChildRecord reads inside the open unit of work (see unit_of_work.h) and returns rows
// unfiltered: the access layer applies need-to-know and audits. The other reads still filter and audit
// inside the backend (one transaction each); they move to the access layer next (docs/architecture.md).
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
#include "riskradar/store/assessments.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

struct ChildEventView {
  int64_t event_id = 0;
  Date date;
  std::string kind, category, detail, agency_code, record_class;
};

// What one viewer may see about one child, already filtered by need-to-know.
struct ChildView {
  Person person;
  std::optional<Assessment> latest;       // indicators filtered to those with visible evidence
  bool explanation_complete = false;      // every record behind the assessment is visible to this viewer
  std::vector<ChildEventView> events;     // chronology, oldest first
  std::vector<std::string> access_basis;  // why the visible records are visible
};

// Everything stored about one child, unfiltered: for the access layer only, which decides what a viewer sees.
struct ChildRecord {
  Person person;
  std::vector<ChildEventView> events;  // every event naming the child, oldest first, with its record's agency
  std::optional<Assessment> latest;    // the newest assessment, with every indicator and explanation line
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

class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // The active child `person_id` with every event and the newest assessment; nullopt when there is no such
  // active child. Not audited by itself (see above).
  virtual Result<std::optional<ChildRecord>> ReadChildRecord(int64_t person_id) = 0;
  // A stand-in for the record of `person_id` when there is no such active child: a real active child's record,
  // picked by a keyed hash of `person_id` (the same child for the same id while the process runs; the key is
  // random per process) and read with the same queries as ReadChildRecord. For the access layer's not-found
  // path only, which applies the rule to it and discards it, so that a missing id costs the same work as a
  // child the viewer may not see (issue 11 item 6). nullopt when the store holds no active child.
  virtual Result<std::optional<ChildRecord>> ReadStandInChildRecord(int64_t person_id) = 0;

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
};

}  // namespace riskradar::store

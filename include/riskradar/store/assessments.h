// Store contract: assessment and network input (events joined to resolved entities) and their outputs.
// LoadEvents and LoadNetworks are the stages' bulk input, audited by each stage's own run event.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: SaveAssessments and SaveNetworks each commit in one transaction with their audit event.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

// An event joined to the resolved entities it involves (assessment and network input).
struct EventRow {
  Event event;
  // The real-world event this record belongs to after event linkage (LinkageStore::SaveEventLinks): the
  // smallest source event id of the event, or event.id when the record joined no other. Indicators count
  // resolved events; evidence lists every source event.
  int64_t resolved_event_id = 0;
  std::string agency_code;
  std::string local_id;  // the agency's own reference of the source record
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

// When and how often a place was seen (network/places.h TimeProfile and trend), kept with its score.
struct PlaceProfile {
  std::array<int, 7> by_weekday{};  // Monday first
  std::array<int, 24> by_hour{};    // of the occasions whose records give a time of day
  int occasions = 0, timed = 0;
  int last_quarter = 0, previous_quarter = 0;  // occasions in the last 91 days to the run's as-of, and before
  std::string trend = "steady";                // steady | emerging | declining
  int context_children = 0;                    // children seen only at their own home or placement (not counted)
};

struct PlaceScore {
  int64_t place_id = 0;
  int children_at_risk = 0;
  int persons_of_concern = 0;
  int events = 0;
  double score = 0;
  bool of_concern = false;
  std::vector<std::string> reasons;
  PlaceProfile profile;
};

// One person of concern's VOLT measures and offender priority (network/volt.h), with the score's breakdown.
struct PersonPriority {
  int64_t person_id = 0;
  int32_t network_id = 0;  // 0: in no network
  std::string role;        // hub, member or lone
  double priority = 0;
  bool suspected_offender = false;
  int children_linked = 0, children_serious = 0, children_significant = 0, children_at_risk = 0;
  int contacts = 0, co_offenders = 0, degree = 0, places = 0, disruptions = 0;
  double betweenness = 0;
  std::optional<Date> last_contact;
  std::vector<std::string> reasons;  // one per part of the score
};

// One typed, weighted, time-stamped edge of the VOLT graph (network/volt.h VoltEdge), kept per network run
// (store/network_graph.h reads them). kind: child_adult (a = the child, b = the person of concern),
// co_offending (two persons of concern, a < b) or person_place (a = the person, b = the place).
struct NetworkEdge {
  std::string kind;
  int64_t a = 0;
  int64_t b = 0;
  int occasions = 0;  // distinct occasions (events) behind the edge
  double weight = 0;
  Date first_seen, last_seen;
};

struct NetworkOutput {
  std::vector<StoredNetwork> networks;
  std::vector<PlaceScore> places;
  int64_t lone_offenders = 0;
  std::vector<PersonPriority> persons;  // highest priority first, then person id
  std::string priority_model;           // the priority model's version ("" when none was run)
  std::vector<NetworkEdge> edges;       // the graph's edges (SaveNetworks keeps them; LoadNetworks leaves it empty)
};

// One assessment's level without its evidence (the problem profile's radar as of any date).
struct AssessmentLevel {
  int64_t id = 0;
  int64_t person_id = 0;
  Date as_of;
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  std::optional<RiskLevel> override_level;
  std::string model_version;
  RiskLevel Effective() const { return override_level.value_or(level); }
};

struct RadarCell {
  std::string district;
  std::string level;
  int64_t children = 0;
};

// The radar's counts with the generation of the data they were counted from (one snapshot).
struct RadarCounts {
  int64_t generation = 0;
  std::vector<RadarCell> cells;
};

class AssessmentStore {
 public:
  virtual ~AssessmentStore() = default;

  // Assessment.
  virtual Result<std::vector<EventRow>> LoadEvents() = 0;
  // Appends (never replaces): every assessment is kept as the child's trajectory.
  virtual Status SaveAssessments(const std::vector<Assessment>& assessments, const Actor& actor) = 0;
  // The most recent assessment per person.
  virtual Result<std::vector<Assessment>> LatestAssessments() = 0;
  // Every assessment of every active person (the trajectory), levels only, by person then as_of then id.
  virtual Result<std::vector<AssessmentLevel>> ListAssessmentLevels() = 0;

  // Networks.
  // Replaces the previous run's networks and place scores in one transaction with its audit event. A place
  // score must name a stored place (Conflict otherwise, and nothing is written). LoadNetworks returns the
  // latest run (FailedPrecondition before the first), networks by id, places highest score first.
  virtual Status SaveNetworks(const NetworkOutput& output, const Actor& actor) = 0;
  virtual Result<NetworkOutput> LoadNetworks() = 0;
  // Edges (SaveNetworks): kind must be one of the three (InvalidArgument otherwise), occasions at least 1 and
  // first_seen <= last_seen; a person end must name a stored person and a place end a stored place (Conflict
  // otherwise); nothing is written when one is refused. Read them with NetworkGraphStore (network_graph.h).
  // Persons (SaveNetworks): every person priority must name a stored person (Conflict otherwise, nothing
  // written); LoadNetworks returns them highest priority first, then by person id.
  // One person's priority row from the latest run, unfiltered and unaudited (the access layer's read for
  // `explain person`): nullopt when the person has none or no run exists.
  virtual Result<std::optional<PersonPriority>> ReadPersonPriority(int64_t person_id) = 0;

  // Aggregates only (counts per district and level of each active child's latest assessment): no person is
  // named. Read in one snapshot together with the radar generation they were counted at.
  virtual Result<store::RadarCounts> ReadRadarCounts() = 0;
  // The radar generation: a number that changes whenever anything the radar counts may have changed (an
  // assessment or a person added, changed or deleted, by any connection or process, in the same transaction
  // as the change). Audit appends, sessions and every other table leave it alone, so a cache of the counts
  // keyed on it stays valid under a stream of audited reads. One row: cheap enough to read per request.
  virtual Result<int64_t> RadarGeneration() = 0;
};

}  // namespace riskradar::store

// Store contract: the practice workflow (issue 13 items 2, 4, 5, 6): MASE meetings with their agenda and
// minutes, actions, the disruption tracker, and practitioner alerts with their recipients.
//
// Rows and facts only. The reads never filter by viewer or agency and never audit; the writes (Insert*,
// Update*, AcknowledgeAlert) write exactly what they are told. Both run inside the caller's unit of work
// (unit_of_work.h): the access layer (access/practice.h) applies the need-to-know rule and appends the audit
// event in the same unit. The two stage writes (SaveAlerts, ImportDisruptionEvents) are the exception: each
// commits in one transaction with its own run audit event and must not be called while a unit is open.
//
// Thread safety: an implementation is used from one thread at a time.
// Errors: NotFound, AlreadyExists, Conflict, InvalidArgument keep the meanings of core/status.h; a failure of
// the backend itself is IoError, Corruption or Internal. A failed write leaves nothing behind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

class PracticeStore;
class Store;
// The practice contract of `store`'s backend, or nullptr for a backend without one. PracticeStore is not yet a
// base of the Store composite (store.h): adding it there rebuilds every file of the project, which the parallel
// work of issue 13 could not afford; a backend implements it beside Store (SqliteStore does) and callers reach it
// through this. Folding it into the composite replaces PracticeOf(store) with the store itself.
PracticeStore* PracticeOf(Store& store);

// An action agreed by a meeting or a practitioner. `version` is the ETag of If-Match: every update bumps it.
struct ActionRecord {
  int64_t id = 0, version = 1;
  std::string title;
  std::string owner_agency, owner_user;
  Date due;
  std::string status = "open";  // open | done | cancelled
  std::string status_reason;    // required for cancelled
  std::string link_kind;        // child | person | place | network | meeting
  int64_t link_id = 0;
  std::string created_by, created_agency, created_at, updated_at;
};

struct DisruptionBreach {
  int64_t id = 0;
  Date date;
  std::string note, recorded_by, recorded_at;
};

// One disruption order or notice. A subject person, a place or both.
struct DisruptionRecord {
  int64_t id = 0, version = 1;
  std::string kind;  // cawn | sexual_risk_order | sexual_harm_prevention_order | hotel_notice | licensing_review |
                     // closure_order | other
  int64_t person_id = 0, place_id = 0;  // 0: none
  std::string issuing_agency;
  Date issued;
  std::optional<Date> expires;
  std::string status = "active";  // active | expired | revoked | discharged
  int64_t source_event_id = 0;    // the imported police event it came from (0: entered by hand)
  std::string note;
  std::string created_by, created_at, updated_at;
  std::vector<DisruptionBreach> breaches;  // by date, then id
};

// One line of a meeting's agenda: a child (person_id) or a place of concern (place_id), why it is there.
struct AgendaItem {
  int64_t id = 0, meeting_id = 0;
  int64_t person_id = 0, place_id = 0;
  std::string reasons;  // comma-separated codes: new_serious, new_significant, rising, missing_again,
                        // review_overdue, new_place_of_concern, added
  std::string source;   // generated | added
  std::string note;     // why it was added (source added)
  bool removed = false;
  std::string removal_reason;
  std::string minutes, minutes_by, minutes_at;
  std::string added_by, added_at;
};

struct MeetingRecord {
  int64_t id = 0, version = 1;
  std::string district;
  Date date;
  Date period_end;  // the MASE listings of its agenda last until then (or until the meeting is closed)
  std::string chair, chair_agency;
  std::vector<std::string> panel;  // user names, sorted (the chair included)
  std::string status = "planned";  // planned | held | closed
  std::string created_by, created_at;
  std::vector<AgendaItem> agenda;  // ReadMeeting only; by id
};

// Which agency and record class hold records on a person (the need-to-know rule decides on these).
struct PersonRecordClass {
  int64_t person_id = 0;
  std::string agency_code, record_class;
};

// One active person as the radar sees them: the effective level of the latest and of the previous assessment
// (the override when there is one).
struct RadarFact {
  int64_t person_id = 0;
  std::string district;
  bool is_child = false, person_of_concern = false;
  std::optional<RiskLevel> level, previous_level;
  std::optional<Date> assessed;
  int64_t assessment_id = 0;        // the latest assessment (0: none)
  std::optional<Date> next_review;  // the latest assessment's next-review date (none before migration 12)
};

// A missing-episode record of a person: its event, the real-world event it resolved to (event linkage), date.
struct MissingEpisodeRow {
  int64_t event_id = 0, resolved_event_id = 0, person_id = 0;
  Date date;
};

// A current care relationship (allocated case or MASE listing) of an enabled account.
struct RelationshipHolder {
  int64_t person_id = 0;
  std::string user_name, agency_code, kind;
};

struct AlertRecipient {
  std::string user_name;
  std::string why;  // allocated_case | mase_listing | manager
};

// A practitioner alert to raise. `key` makes raising idempotent: an alert whose key is already stored is
// not raised again (nor are its recipients changed).
struct NewAlert {
  std::string key;
  std::string kind;  // missing_episode | level_rise | new_link | action_overdue | disruption_expiring |
                     // disruption_breached | review_overdue
  int64_t person_id = 0;
  std::vector<int64_t> evidence;  // ids of the evidence (events, actions, disruptions, breaches; see kind)
  std::string evidence_kind;      // event | action | disruption | breach | assessment | person | place
  std::string detail;             // a sentence without names
  std::vector<AlertRecipient> recipients;
};

// An alert as one recipient sees it.
struct AlertRow {
  int64_t id = 0;
  std::string kind;
  int64_t person_id = 0;
  std::vector<int64_t> evidence;
  std::string evidence_kind, detail, raised_at;
  std::string user_name, why;
  std::string acknowledged_at, note;  // empty while open
};

class PracticeStore {
 public:
  virtual ~PracticeStore() = default;

  // ---- actions (inside the caller's unit of work)
  virtual Result<int64_t> InsertAction(const ActionRecord& action) = 0;
  virtual Result<std::optional<ActionRecord>> ReadAction(int64_t id) = 0;
  // Every action, by id.
  virtual Result<std::vector<ActionRecord>> ReadActions() = 0;
  // Compare-and-set: writes owner, due, status, reason and updated_at of `action.id` when its version is still
  // `expected_version`, bumping the version. False when the version moved (or there is no such action).
  virtual Result<bool> UpdateAction(const ActionRecord& action, int64_t expected_version) = 0;

  // ---- disruptions (inside the caller's unit of work)
  virtual Result<int64_t> InsertDisruption(const DisruptionRecord& disruption) = 0;
  virtual Result<std::optional<DisruptionRecord>> ReadDisruption(int64_t id) = 0;
  // Every disruption with its breaches, by id.
  virtual Result<std::vector<DisruptionRecord>> ReadDisruptions() = 0;
  // Compare-and-set as UpdateAction: status, expires, note, updated_at.
  virtual Result<bool> UpdateDisruption(const DisruptionRecord& disruption, int64_t expected_version) = 0;
  // Adds a breach and bumps the disruption's version; returns the breach id. NotFound: no such disruption.
  virtual Result<int64_t> InsertDisruptionBreach(int64_t disruption_id, const DisruptionBreach& breach) = 0;

  // ---- MASE meetings (inside the caller's unit of work)
  virtual Result<int64_t> InsertMeeting(const MeetingRecord& meeting) = 0;
  // One meeting with its whole agenda (removed items included).
  virtual Result<std::optional<MeetingRecord>> ReadMeeting(int64_t id) = 0;
  // The meeting generation: changes, in the same transaction, with any insert, update or delete of a meeting or
  // an agenda item, whoever writes it (migration 19). The server caches ReadMeeting keyed on it
  // (access/person_cache.h MeetingCache); read it inside the unit of work whose snapshot the rows come from.
  virtual Result<int64_t> MeetingGeneration() = 0;
  // Every meeting without its agenda, newest date first.
  virtual Result<std::vector<MeetingRecord>> ReadMeetings() = 0;
  // Compare-and-set of a meeting's status (bumps the version). False when the version moved.
  virtual Result<bool> UpdateMeetingStatus(int64_t id, std::string_view status, int64_t expected_version) = 0;
  // AlreadyExists when the meeting already has an item for the same child (or place).
  virtual Result<int64_t> InsertAgendaItem(const AgendaItem& item) = 0;
  // Writes removed, removal_reason, minutes, minutes_by and minutes_at of item `item.id`. False: no such item.
  virtual Result<bool> UpdateAgendaItem(const AgendaItem& item) = 0;

  // ---- facts
  // The agencies and record classes holding records on each of `person_ids` (missing persons have none).
  virtual Result<std::vector<PersonRecordClass>> ReadPersonRecordClasses(const std::vector<int64_t>& person_ids) = 0;
  // Whether place `place_id` is stored.
  virtual Result<bool> PlaceExists(int64_t place_id) = 0;
  // Every active person with an assessment or marked of concern, by id.
  virtual Result<std::vector<RadarFact>> LoadRadarFacts() = 0;
  // Every missing-episode record dated `from` or later, by event id.
  virtual Result<std::vector<MissingEpisodeRow>> LoadMissingEpisodes(Date from) = 0;
  // Every current care relationship of an enabled account, by person then user.
  virtual Result<std::vector<RelationshipHolder>> ReadRelationshipHolders() = 0;

  // ---- practitioner alerts
  // Alerts addressed to `user_name` (open_only: not yet acknowledged by them), newest first.
  virtual Result<std::vector<AlertRow>> ReadAlertsOf(std::string_view user_name, bool open_only) = 0;
  // Alert `alert_id` as addressed to `user_name`; nullopt when there is no such alert or it is not theirs.
  virtual Result<std::optional<AlertRow>> ReadAlertOf(int64_t alert_id, std::string_view user_name) = 0;
  // Acknowledges it for that recipient. False when already acknowledged (or not theirs).
  virtual Result<bool> AcknowledgeAlert(int64_t alert_id, std::string_view user_name, const std::string& note) = 0;
  // Open alerts addressed to `user_name` about `person_id` (0: about anyone). Counts only, for the caseload.
  virtual Result<int64_t> CountOpenAlerts(std::string_view user_name, int64_t person_id) = 0;
  // The alert stage's remembered facts of its previous run (JSON; "" before the first run).
  virtual Result<std::string> ReadAlertBaseline() = 0;
  // Stage write, its own transaction: stores every alert whose key is new with its recipients, replaces the
  // baseline and appends one "raise_alerts" audit event (counts only). Returns how many alerts were new.
  virtual Result<int64_t> SaveAlerts(const std::vector<NewAlert>& alerts, const std::string& baseline,
                                     const Actor& actor) = 0;
  // Stage write, its own transaction: inserts each disruption whose source_event_id is not yet tracked, with
  // one "import_disruptions" audit event (counts only). Returns how many were new.
  virtual Result<int64_t> ImportDisruptionEvents(const std::vector<DisruptionRecord>& disruptions,
                                                 const Actor& actor) = 0;
};

}  // namespace riskradar::store

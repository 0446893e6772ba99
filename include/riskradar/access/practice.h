// The practice workflow on the access-and-audit path (issue 13 items 2, 4, 5, 6): actions, the disruption
// tracker, MASE meetings (agenda, minutes, the panel's MASE listings through separation of duties) and
// practitioner alerts. Each operation is one unit of work: facts and rows from store/practice.h, the
// need-to-know rule (the pure filters below, over core/access.h's DecideRecordAccess), the audit event
// (allowed, refused or not_found) and the commit before any data is returned.
//
// Need-to-know: an action, disruption, agenda item or alert about a person is visible when at least one record
// of that person is (own agency; an agreement and a relationship; break-glass). A hidden one is left out of a
// list and answered like a missing id. Items about a place, a network or a meeting (no person) are visible to
// the roles that see identifying data.
//
// Thread safety: a Practice wraps one Store and is used from that store's thread.
// Errors: InvalidArgument naming the field for bad input; NotFound for a missing or hidden record (the audit
// outcome tells them apart); PermissionDenied for a visible record the caller may not change; Conflict for a
// change the record's state does not allow. Store errors pass through; a failed audit write returns no data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/access/person_cache.h"
#include "riskradar/core/access.h"
#include "riskradar/core/status.h"
#include "riskradar/store/practice.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

// Each person's record agencies and classes (store::PracticeStore::ReadPersonRecordClasses), by person.
using RecordClasses = std::map<int64_t, std::vector<store::PersonRecordClass>>;
RecordClasses ByPerson(const std::vector<store::PersonRecordClass>& rows);

// ---- pure filters (tested alone, tests/access/practice_filters_test.cc)
bool PersonVisible(int64_t person_id, const RecordClasses& classes, const Viewer& viewer,
                   const store::ViewerAccessFacts& facts);
bool ActionVisible(const store::ActionRecord& action, const RecordClasses& classes, const Viewer& viewer,
                   const store::ViewerAccessFacts& facts);
bool DisruptionVisible(const store::DisruptionRecord& disruption, const RecordClasses& classes, const Viewer& viewer,
                       const store::ViewerAccessFacts& facts);
bool AgendaItemVisible(const store::AgendaItem& item, const RecordClasses& classes, const Viewer& viewer,
                       const store::ViewerAccessFacts& facts);
bool AlertVisible(const store::AlertRow& alert, const RecordClasses& classes, const Viewer& viewer,
                  const store::ViewerAccessFacts& facts);
// Who may change an action: its owner, a user of the owner agency or of the agency that created it.
bool MayChangeAction(const store::ActionRecord& action, const Viewer& viewer);
// Who may change a disruption: a user of the issuing agency (imported ones: the police force that issued it).
bool MayChangeDisruption(const store::DisruptionRecord& disruption, const Viewer& viewer);
// Who may edit a meeting's agenda and minutes or close it: its chair, or a manager of the chair's agency.
bool MayRunMeeting(const store::MeetingRecord& meeting, const Viewer& viewer);

// ---- inputs (already parsed: the server and the CLI validate their own syntax; the rules below validate
// the content again, so a bad value never reaches the store)
struct ActionInput {
  std::string title, owner_agency, owner_user, link_kind;
  int64_t link_id = 0;
  Date due;
};
struct ActionChange {  // absent fields are left as they are
  std::optional<std::string> owner_agency, owner_user, status, status_reason;
  std::optional<Date> due;
};
struct ActionQuery {
  bool overdue_only = false;
  Date today;
  std::string link_kind;  // "" for every link
  int64_t link_id = 0;
};
struct DisruptionInput {
  std::string kind, issuing_agency, note;
  int64_t person_id = 0, place_id = 0;
  Date issued;
  std::optional<Date> expires;
};
struct DisruptionChange {
  std::optional<std::string> status, note;
  std::optional<Date> expires;
};
struct MeetingInput {
  std::string district, chair;
  std::vector<std::string> panel;  // the chair is added when absent
  Date date;
  int period_days = 90;  // the MASE listings' period after the meeting date
};

enum class WriteOutcome { kDone, kNotFound, kStale };
template <typename T>
struct Written {
  WriteOutcome outcome = WriteOutcome::kDone;
  T row;  // kDone: the new row; kStale: the current row (its version is the current ETag)
};

// A meeting as a viewer sees it: hidden agenda items are left out.
struct MeetingView {
  store::MeetingRecord meeting;
  int64_t listing_requests = 0;  // MASE listing requests made by this operation (create, add item)
};

class Practice {
 public:
  // `cache` (optional; the server's): the read operations (list actions, disruptions and alerts, read a
  // meeting) take people's record classes from it; the writes always read them from the store.
  // `meetings` (optional; the server's): ReadMeeting takes the stored meeting and agenda from it.
  explicit Practice(store::Store& store, PersonRecordCache* cache = nullptr, MeetingCache* meetings = nullptr)
      : store_(store), practice_(store::PracticeOf(store)), cache_(cache), meetings_(meetings) {}

  // ---- actions. Audited action_add, list_actions, action_update.
  Result<store::ActionRecord> CreateAction(const Viewer& viewer, const ActionInput& input, int64_t now_s,
                                           const store::Actor& actor);
  Result<std::vector<store::ActionRecord>> ListActions(const Viewer& viewer, const ActionQuery& query, int64_t now_s,
                                                       const store::Actor& actor);
  Result<Written<store::ActionRecord>> UpdateAction(const Viewer& viewer, int64_t id, int64_t expected_version,
                                                    const ActionChange& change, int64_t now_s,
                                                    const store::Actor& actor);

  // ---- disruptions. Audited disruption_add, list_disruptions, disruption_update, disruption_breach.
  Result<store::DisruptionRecord> CreateDisruption(const Viewer& viewer, const DisruptionInput& input, int64_t now_s,
                                                   const store::Actor& actor);
  Result<std::vector<store::DisruptionRecord>> ListDisruptions(const Viewer& viewer, int64_t now_s,
                                                               const store::Actor& actor);
  Result<Written<store::DisruptionRecord>> UpdateDisruption(const Viewer& viewer, int64_t id, int64_t expected_version,
                                                            const DisruptionChange& change, int64_t now_s,
                                                            const store::Actor& actor);
  Result<store::DisruptionRecord> RecordBreach(const Viewer& viewer, int64_t id, Date date, const std::string& note,
                                               int64_t now_s, const store::Actor& actor);

  // ---- MASE meetings. Audited meeting_add, list_meetings, read_meeting, agenda_add, agenda_remove,
  // agenda_minutes, meeting_close. Creating a meeting generates its agenda from the radar (practice.h
  // GenerateAgenda); every child listed on it (generated or added) gets a MASE listing request
  // (access/administration.h) for each panel member without a current relationship, requested by the caller:
  // a second person in scope approves each, so nobody, the chair included, lists themselves. Closing the
  // meeting ends the listings of its panel over its children and withdraws their pending requests.
  Result<MeetingView> CreateMeeting(const Viewer& viewer, const MeetingInput& input, int64_t now_s,
                                    const store::Actor& actor);
  Result<std::vector<store::MeetingRecord>> ListMeetings(const Viewer& viewer, int64_t now_s,
                                                         const store::Actor& actor);
  Result<MeetingView> ReadMeeting(const Viewer& viewer, int64_t id, int64_t now_s, const store::Actor& actor);
  Result<MeetingView> AddAgendaItem(const Viewer& viewer, int64_t meeting_id, int64_t person_id, int64_t place_id,
                                    const std::string& note, int64_t now_s, const store::Actor& actor);
  Result<MeetingView> RemoveAgendaItem(const Viewer& viewer, int64_t meeting_id, int64_t item_id,
                                       const std::string& reason, int64_t now_s, const store::Actor& actor);
  Result<MeetingView> RecordMinutes(const Viewer& viewer, int64_t meeting_id, int64_t item_id,
                                    const std::string& minutes, int64_t now_s, const store::Actor& actor);
  Result<MeetingView> CloseMeeting(const Viewer& viewer, int64_t meeting_id, int64_t now_s, const store::Actor& actor);

  // ---- practitioner alerts. Audited list_my_alerts, alert_acknowledge.
  Result<std::vector<store::AlertRow>> ListMyAlerts(const Viewer& viewer, bool open_only, int64_t now_s,
                                                    const store::Actor& actor);
  Result<store::AlertRow> AcknowledgeAlert(const Viewer& viewer, int64_t alert_id, const std::string& note,
                                           int64_t now_s, const store::Actor& actor);
  // Open alerts addressed to the viewer about `person_id` (for the caseload; a count, no personal data, not
  // audited by itself: the caseload read that shows it carries the event).
  Result<int64_t> OpenAlertCount(const Viewer& viewer, int64_t person_id);

 private:
  // FailedPrecondition for a backend without the practice contract (store/practice.h PracticeOf).
  Status Ready() const {
    return practice_ ? Status::Ok() : Status::FailedPrecondition("this store has no practice workflow tables");
  }
  store::Store& store_;
  store::PracticeStore* practice_;
  PersonRecordCache* cache_;
  MeetingCache* meetings_;
};

}  // namespace riskradar::access

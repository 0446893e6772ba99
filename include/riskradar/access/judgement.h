// Professional judgement under need-to-know (issue 13 items 1, 3 and 7): a child's assessment trajectory, a
// practitioner's screening, an override of the level, the caseload, and case notes on a child, person or place.
// Each operation is one unit of work on the store: the facts and rows are read through the store contracts
// (store/judgement.h and the directory), the rule decides (core/access.h DecideRecordAccess through the pure
// filters below and in directory_filters.h), the audit event (allowed, refused or not_found) is appended, the
// unit commits, and only then is anything returned. A write and its audit event commit together or not at all.
//
// Who sees what: a child's trajectory, screenings and overrides are shown to whoever may see the child (at
// least one record visible, as for the child view); a case note is a record of its author's agency (record
// class "case_note") and is shown to a viewer who may see its subject and to whom DecideRecordAccess gives the
// note itself (own agency, or an agreement and a relationship with the child or person, or break-glass). A
// place has no relationship, so a note on a place is shown to its author's agency only. A missing id and one the
// viewer may not see end the same way (NotFound; the audit outcome tells them apart).
//
// Thread safety: a JudgementAccess wraps one Store and is used from that store's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/access/person_cache.h"
#include "riskradar/core/access.h"
#include "riskradar/core/date.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::risk {
class ScreeningModel;
}

namespace riskradar::access {

inline constexpr size_t kMaxObservations = 50;
inline constexpr size_t kMaxSourceLength = 200;
inline constexpr size_t kMaxNoteLength = 4000;

// ---- pure rules (no store, no audit)
// A screening's observations against `model` on `today`: 1 to 50 observations, each naming one of the model's
// indicator codes, dated on or before today and no more than a year before, with a source of 1 to 200
// characters. InvalidArgument naming the field ("observations[2].indicator: ...").
Status CheckObservations(const std::vector<store::ScreeningObservation>& observations,
                         const risk::ScreeningModel& model, Date today);
// A case note's text: 1 to 4000 characters that are not all blank, no control characters but newline and tab.
// InvalidArgument naming "text".
Status CheckNoteText(std::string_view text);
// The subject kinds a note may name: child | person | place. InvalidArgument naming "subject" otherwise.
Status CheckNoteSubjectKind(std::string_view kind);
// Whether `viewer` may see `note`, given the facts about its subject (for a place: no relationship, no
// break-glass). The subject itself must already be visible.
bool CaseNoteVisible(const store::CaseNote& note, const Viewer& viewer, const ChildAccessFacts& facts);
// The practitioner alerts about `person_id` addressed to `viewer` and not yet acknowledged (store/practice.h);
// 0 for a store without the practice workflow.
Result<int64_t> OpenAlertCount(store::Store& store, const Viewer& viewer, int64_t person_id);

// risk/judgement.h's rules for the layers above the access layer (the server does not depend on the risk stage):
// the level that counts (the override's, else the model's), whether the review date has passed on `today`, and
// the trend from `previous` (nullptr: none) to `current` (new | rising | steady | falling).
RiskLevel LevelThatCounts(const Assessment& assessment);
bool ReviewIsOverdue(const Assessment& assessment, Date today);
std::string TrendName(const Assessment* previous, const Assessment& current);

struct OverrideInput {
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  std::string reason;
  std::optional<Date> next_review;
  // The child's latest assessment id the caller saw (HTTP If-Match); 0: whatever is latest now (the operator's
  // command line, which reads and writes in the same unit).
  int64_t expected_assessment_id = 0;
};

enum class OverrideOutcome { kOverridden, kNotFound, kStale };
struct OverrideResult {
  OverrideOutcome outcome = OverrideOutcome::kNotFound;
  int64_t current_assessment_id = 0;            // the child's latest assessment after the call (the ETag)
  std::optional<store::AssessmentEntry> entry;  // kOverridden: the new assessment
};

// A child's trajectory: every assessment, oldest first, with the child's screenings.
struct Trajectory {
  int64_t person_id = 0;
  std::vector<store::AssessmentEntry> entries;
  std::vector<store::ScreeningRow> screenings;
};

struct CaseloadRow {
  int64_t person_id = 0;
  std::string name;          // from records the viewer may see ("" when none gives one)
  std::string allocated_to;  // the practitioner holding the case
  std::optional<Assessment> latest, previous;
  std::string trend;  // new | rising | steady | falling (risk/judgement.h), "" without an assessment
  bool review_overdue = false;
  int64_t open_alerts = 0;  // OpenAlertCount
};

struct Caseload {
  std::string scope;  // "own" (a practitioner's allocated children) | "team" (a manager: their agency's users')
  std::vector<CaseloadRow> rows;
  int64_t hidden = 0;  // allocations whose child the viewer may see no record of (counted, not shown)
};

class JudgementAccess {
 public:
  // `model` scores screenings and gives review dates; it must outlive this object. `cache` (optional; the
  // server's): ReadCaseload takes the allocated children's stored mentions from it.
  JudgementAccess(store::Store& store, const risk::ScreeningModel& model, PersonRecordCache* cache = nullptr)
      : store_(store), model_(model), cache_(cache) {}

  // The trajectory of child `person_id`, audited as "read_assessments". NotFound for a missing or hidden child.
  Result<Trajectory> ReadTrajectory(int64_t person_id, const Viewer& viewer, int64_t now_s, const store::Actor& actor);

  // A practitioner's or manager's screening: the observations are checked (CheckObservations, nothing audited
  // when they fail), the model scores them with the indicators derived from the child's events on today's date,
  // a current override is kept (risk/judgement.h CarryOverride), and the new assessment (kind screening) and the
  // screening are written with the audit event "record_screening" in one unit. PermissionDenied (audited
  // forbidden) for another role; NotFound for a missing or hidden child.
  Result<store::AssessmentEntry> RecordScreening(int64_t person_id,
                                                 const std::vector<store::ScreeningObservation>& observations,
                                                 const Viewer& viewer, int64_t now_s, const store::Actor& actor);

  // An override of the child's level (risk/judgement.h CheckOverride and ApplyOverride), audited as
  // "override_level": ok, forbidden (a role that may not; PermissionDenied), not_found / refused (kNotFound),
  // stale (the latest assessment is not input.expected_assessment_id; kStale, nothing written),
  // no_assessment (Conflict). InvalidArgument (nothing written or audited) for a bad reason, level or
  // review date.
  Result<OverrideResult> OverrideLevel(int64_t person_id, const OverrideInput& input, const Viewer& viewer,
                                       int64_t now_s, const store::Actor& actor);

  // The viewer's caseload, audited as "read_caseload" (the ids shown): a practitioner's own allocated cases; a
  // manager's team (every user of the manager's agency: the store has no finer team model). Only children the
  // viewer may see a record of are shown. PermissionDenied (audited forbidden) for other roles.
  Result<Caseload> ReadCaseload(const Viewer& viewer, int64_t now_s, const store::Actor& actor);

  // A case note on a subject the viewer may see, audited as "add_case_note" with the note's id (never its text).
  // Practitioners and managers only (PermissionDenied, audited forbidden). InvalidArgument (nothing audited) for
  // a bad kind or text; NotFound for a missing or hidden subject.
  Result<store::CaseNote> AddCaseNote(std::string_view kind, int64_t subject_id, const std::string& text,
                                      const Viewer& viewer, int64_t now_s, const store::Actor& actor);
  // The notes on a subject the viewer may see (CaseNoteVisible), audited as "read_case_notes" (the count shown
  // and hidden). NotFound for a missing or hidden subject.
  Result<std::vector<store::CaseNote>> ReadCaseNotes(std::string_view kind, int64_t subject_id, const Viewer& viewer,
                                                     int64_t now_s, const store::Actor& actor);

 private:
  // Whether the subject exists and the viewer may see it; the facts about it for the notes' rule. Does the work
  // of a stand-in for a missing child or person (stand_in.h).
  struct Subject {
    bool exists = false, visible = false;
    ChildAccessFacts facts;
  };
  Result<Subject> SeeSubject(std::string_view kind, int64_t id, const Viewer& viewer, int64_t now_s);
  Status Refuse(const store::Actor& actor, std::string_view action, const std::string& target);

  store::Store& store_;
  const risk::ScreeningModel& model_;
  PersonRecordCache* cache_;
};

}  // namespace riskradar::access

// Store contract: professional judgement (issue 13 items 1, 3 and 7): the assessment trajectory with who made
// each entry, screenings (a practitioner's observed indicators), caseload allocations and case notes.
// Rows and facts only: every method reads or writes inside the caller's unit of work (see unit_of_work.h),
// never filters by viewer or agency and never audits; the access layer (access/judgement.h) applies the rule
// and appends the audit event in the same unit.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind (the unit rolls back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"

namespace riskradar::store {

// One entry of a child's trajectory: the assessment (override, its author and the review date included), how
// it was made and by whom.
struct AssessmentEntry {
  Assessment assessment;
  std::string kind = "pipeline";  // pipeline (the assess stage) | screening | override
  std::string created_by;         // the user (or operator) whose action made it
  std::string created_at;         // UTC, ISO 8601
};

// An indicator a practitioner observed: the screening model's indicator code, when, and who or what said so.
struct ScreeningObservation {
  std::string indicator;
  Date date;
  std::string source;
};

struct ScreeningRow {
  int64_t id = 0;
  int64_t person_id = 0;
  int64_t assessment_id = 0;  // the assessment the screening made
  std::string recorded_by, agency_code, recorded_at;
  std::vector<ScreeningObservation> observations;
};

// A current allocated case (care_relationship kind allocated_case, not ended) of an active child, with the
// child's two newest assessments.
struct Allocation {
  std::string user_name, agency_code;
  int64_t person_id = 0;
  std::optional<Assessment> latest, previous;
};

// A case note on a child, a person or a place: a record of the author's agency (record class "case_note").
struct CaseNote {
  int64_t id = 0;
  std::string subject_kind;  // child | person | place
  int64_t subject_id = 0;
  std::string author, agency_code, text, created_at;
};

class JudgementStore {
 public:
  virtual ~JudgementStore() = default;

  // Every assessment of person `person_id`, oldest first (empty for none or no such person).
  virtual Result<std::vector<AssessmentEntry>> ReadAssessmentHistory(int64_t person_id) = 0;
  // Appends one assessment (never replaces); returns its id. Conflict for a person that is not stored.
  virtual Result<int64_t> InsertAssessmentEntry(const AssessmentEntry& entry) = 0;
  // Records a screening (its observations kept with it); returns its id. Conflict when its assessment is not
  // stored.
  virtual Result<int64_t> InsertScreening(const ScreeningRow& row) = 0;
  // Every screening of person `person_id`, oldest first.
  virtual Result<std::vector<ScreeningRow>> ReadScreenings(int64_t person_id) = 0;
  // The current allocated cases of user `user_id` (agency_code ignored), or with user_id 0 of every user of
  // agency `agency_code`; by user name, then person id. Ended relationships, MASE listings and inactive
  // people are left out.
  virtual Result<std::vector<Allocation>> ReadAllocations(std::string_view agency_code, int64_t user_id) = 0;
  // Whether a note may name the subject: an active child (kind child), an active person (person) or an active
  // place (place). InvalidArgument for another kind.
  virtual Result<bool> NoteSubjectExists(std::string_view kind, int64_t id) = 0;
  // Appends a case note; returns its id.
  virtual Result<int64_t> InsertCaseNote(const CaseNote& note) = 0;
  // Every note on the subject, oldest first.
  virtual Result<std::vector<CaseNote>> ReadCaseNotes(std::string_view kind, int64_t id) = 0;
};

}  // namespace riskradar::store

// SqliteStore: professional judgement rows (store/judgement.h): the assessment trajectory, screenings,
// allocations and case notes, read and written inside the caller's unit of work.
#include "sqlite_store.h"

namespace riskradar::store {
namespace {

constexpr std::string_view kAssessmentColumns =
    "SELECT a.id, a.person_id, a.as_of, a.level, a.score, a.model_version, a.indicators_json, a.explanation_json, "
    "a.override_level, a.override_reason, a.next_review, a.override_by, a.kind, a.created_by, a.created_at "
    "FROM assessment a ";

Result<AssessmentEntry> EntryFromRow(const sql::Statement& q) {
  AssessmentEntry e;
  RR_ASSIGN_OR_RETURN(e.assessment, AssessmentFromRow(q));
  e.kind = q.Text(12);
  e.created_by = q.Text(13);
  e.created_at = q.Text(14);
  return e;
}

json ObservationsJson(const std::vector<ScreeningObservation>& observations) {
  json out = json::array();
  for (const ScreeningObservation& o : observations) {
    out.push_back({{"indicator", o.indicator}, {"date", o.date.days()}, {"source", o.source}});
  }
  return out;
}

std::vector<ScreeningObservation> ObservationsFromJson(const json& arr) {
  std::vector<ScreeningObservation> out;
  if (!arr.is_array()) return out;
  for (const json& j : arr) {
    ScreeningObservation o;
    o.indicator = j.value("indicator", "");
    o.date = Date::FromDays(j.value("date", 0));
    o.source = j.value("source", "");
    out.push_back(std::move(o));
  }
  return out;
}

CaseNote NoteFromRow(const sql::Statement& q) {
  CaseNote n;
  n.id = q.Int(0);
  n.subject_kind = q.Text(1);
  n.subject_id = q.Int(2);
  n.author = q.Text(3);
  n.agency_code = q.Text(4);
  n.text = q.Text(5);
  n.created_at = q.Text(6);
  return n;
}

}  // namespace

Result<std::vector<AssessmentEntry>> SqliteStore::ReadAssessmentHistory(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(std::string(kAssessmentColumns) + "WHERE a.person_id = ?1 ORDER BY a.id"));
  q.Bind(1, person_id);
  std::vector<AssessmentEntry> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RR_ASSIGN_OR_RETURN(AssessmentEntry e, EntryFromRow(q));
    out.push_back(std::move(e));
  }
  return out;
}

Result<int64_t> SqliteStore::InsertAssessmentEntry(const AssessmentEntry& entry) {
  const Assessment& a = entry.assessment;
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT 1 FROM person WHERE id = ?1"));
    q.Bind(1, a.person_id);
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return Status::Conflict("no stored person " + std::to_string(a.person_id) + " for the assessment");
  }
  std::optional<std::string> override_level;
  if (a.override_level) override_level = std::string(ToString(*a.override_level));
  RR_ASSIGN_OR_RETURN(
      auto q, conn_->Prepare("INSERT INTO assessment (person_id, as_of, level, score, model_version, indicators_json, "
                             "explanation_json, override_level, override_reason, created_at, next_review, override_by, "
                             "kind, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                             "RETURNING id"));
  q.Bind(1, a.person_id)
      .Bind(2, a.as_of.days())
      .Bind(3, ToString(a.level))
      .Bind(4, a.score)
      .Bind(5, a.model_version)
      .Bind(6, IndicatorsToJson(a.indicators).dump())
      .Bind(7, json(a.explanation).dump())
      .Bind(8, override_level)
      .Bind(9, a.override_reason)
      .Bind(10, entry.created_at.empty() ? NowUtcIso() : entry.created_at)
      .Bind(11, DobDays(a.next_review))
      .Bind(12, a.override_by)
      .Bind(13, entry.kind)
      .Bind(14, entry.created_by);
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("an assessment"));
  return id;
}

Result<int64_t> SqliteStore::InsertScreening(const ScreeningRow& row) {
  {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT person_id FROM assessment WHERE id = ?1"));
    q.Bind(1, row.assessment_id);
    RR_ASSIGN_OR_RETURN(bool found, q.Step());
    if (!found || q.Int(0) != row.person_id) {
      return Status::Conflict("no stored assessment " + std::to_string(row.assessment_id) + " of person " +
                              std::to_string(row.person_id) + " for the screening");
    }
  }
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("INSERT INTO screening (person_id, assessment_id, recorded_by, agency_code, "
                                     "recorded_at, observations_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"));
  q.Bind(1, row.person_id)
      .Bind(2, row.assessment_id)
      .Bind(3, row.recorded_by)
      .Bind(4, row.agency_code)
      .Bind(5, row.recorded_at.empty() ? NowUtcIso() : row.recorded_at)
      .Bind(6, ObservationsJson(row.observations).dump());
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("a screening"));
  return id;
}

Result<std::vector<ScreeningRow>> SqliteStore::ReadScreenings(int64_t person_id) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT id, person_id, assessment_id, recorded_by, agency_code, recorded_at, "
                                     "observations_json FROM screening WHERE person_id = ?1 ORDER BY id"));
  q.Bind(1, person_id);
  std::vector<ScreeningRow> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    ScreeningRow r;
    r.id = q.Int(0);
    r.person_id = q.Int(1);
    r.assessment_id = q.Int(2);
    r.recorded_by = q.Text(3);
    r.agency_code = q.Text(4);
    r.recorded_at = q.Text(5);
    r.observations = ObservationsFromJson(json::parse(q.Text(6), nullptr, false));
    out.push_back(std::move(r));
  }));
  return out;
}

Result<std::vector<Allocation>> SqliteStore::ReadAllocations(std::string_view agency_code, int64_t user_id) {
  // Both statements are prepared once per connection (the caseload reads them on every request).
  RR_ASSIGN_OR_RETURN(auto* q,
                      Stmt("SELECT DISTINCT u.name, u.agency_code, c.person_id FROM care_relationship c "
                           "JOIN app_user u ON u.id = c.user_id JOIN person p ON p.id = c.person_id AND p.active = 1 "
                           "WHERE c.kind = 'allocated_case' AND c.ended_at IS NULL "
                           "AND (CASE WHEN ?1 <> 0 THEN u.id = ?1 ELSE u.agency_code = ?2 END) "
                           "ORDER BY u.name, c.person_id"));
  q->Bind(1, user_id).Bind(2, agency_code);
  std::vector<Allocation> out;
  Status read = q->ForEachRow([&] {
    Allocation a;
    a.user_name = q->Text(0);
    a.agency_code = q->Text(1);
    a.person_id = q->Int(2);
    out.push_back(std::move(a));
  });
  q->Reset();
  RR_RETURN_IF_ERROR(read);
  static const std::string kLatestTwo =
      std::string(kAssessmentColumns) + "WHERE a.person_id = ?1 ORDER BY a.id DESC LIMIT 2";
  RR_ASSIGN_OR_RETURN(auto* latest, Stmt(kLatestTwo.c_str()));  // a stable pointer: the cache's key
  for (Allocation& a : out) {
    latest->Reset();
    latest->Bind(1, a.person_id);
    for (int i = 0; i < 2; ++i) {
      auto row = latest->Step();
      if (!row.ok()) {
        latest->Reset();
        return row.status();
      }
      if (!*row) break;
      auto e = EntryFromRow(*latest);
      if (!e.ok()) {
        latest->Reset();
        return e.status();
      }
      (i == 0 ? a.latest : a.previous) = std::move(e->assessment);
    }
  }
  latest->Reset();
  return out;
}

Result<bool> SqliteStore::NoteSubjectExists(std::string_view kind, int64_t id) {
  const char* sql = nullptr;
  if (kind == "child") {
    sql = "SELECT 1 FROM person WHERE id = ?1 AND active = 1 AND is_child = 1";
  } else if (kind == "person") {
    sql = "SELECT 1 FROM person WHERE id = ?1 AND active = 1";
  } else if (kind == "place") {
    sql = "SELECT 1 FROM place WHERE id = ?1 AND active = 1";
  } else {
    return Status::InvalidArgument("a note's subject is a child, a person or a place, not '" + std::string(kind) + "'");
  }
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(sql));
  q.Bind(1, id);
  return q.Step();
}

Result<int64_t> SqliteStore::InsertCaseNote(const CaseNote& note) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("INSERT INTO case_note (subject_kind, subject_id, author, agency_code, text, "
                                     "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id"));
  q.Bind(1, note.subject_kind)
      .Bind(2, note.subject_id)
      .Bind(3, note.author)
      .Bind(4, note.agency_code)
      .Bind(5, note.text)
      .Bind(6, note.created_at.empty() ? NowUtcIso() : note.created_at);
  RR_ASSIGN_OR_RETURN(const int64_t id, q.RunForNewId("a case note"));
  return id;
}

Result<std::vector<CaseNote>> SqliteStore::ReadCaseNotes(std::string_view kind, int64_t id) {
  RR_ASSIGN_OR_RETURN(auto q,
                      conn_->Prepare("SELECT id, subject_kind, subject_id, author, agency_code, text, created_at "
                                     "FROM case_note WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY id"));
  q.Bind(1, kind).Bind(2, id);
  std::vector<CaseNote> out;
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.push_back(NoteFromRow(q)); }));
  return out;
}

}  // namespace riskradar::store

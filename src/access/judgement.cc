// Professional judgement under need-to-know: trajectory, screenings, overrides, caseload, case notes (see
// access/judgement.h).
#include "riskradar/access/judgement.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <utility>

#include "riskradar/access/audited_access.h"
#include "riskradar/access/directory_filters.h"
#include "riskradar/risk/assess_stage.h"
#include "riskradar/risk/judgement.h"
#include "riskradar/risk/screening.h"
#include "riskradar/store/practice.h"

#include "audit_event.h"
#include "stand_in.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;
using internal::ChooseSubject;
using internal::Event;
using internal::PersonTarget;

constexpr std::string_view kNoteClass = "case_note";

std::string SubjectTarget(std::string_view kind, int64_t id) {
  return (kind == "place" ? "place:" : "person:") + std::to_string(id);
}

bool MayJudge(Role role) { return role == Role::kPractitioner || role == Role::kManager; }

bool Blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool HasControl(std::string_view text, bool allow_newline) {
  for (unsigned char c : text) {
    if (c == '\t' || (allow_newline && (c == '\n' || c == '\r'))) continue;
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

RiskLevel LevelThatCounts(const Assessment& assessment) { return risk::EffectiveLevel(assessment); }

bool ReviewIsOverdue(const Assessment& assessment, Date today) { return risk::ReviewOverdue(assessment, today); }

std::string TrendName(const Assessment* previous, const Assessment& current) {
  return std::string(risk::ToString(risk::TrendOf(previous, current)));
}

Status CheckObservations(const std::vector<store::ScreeningObservation>& observations,
                         const risk::ScreeningModel& model, Date today) {
  if (observations.empty() || observations.size() > kMaxObservations) {
    return Status::InvalidArgument(
        fmt::format("observations: give 1 to {} observed indicators, got {}", kMaxObservations, observations.size()));
  }
  for (size_t i = 0; i < observations.size(); ++i) {
    const store::ScreeningObservation& o = observations[i];
    const std::string where = fmt::format("observations[{}]", i);
    if (model.FindIndicator(o.indicator) == nullptr) {
      return Status::InvalidArgument(fmt::format("{}.indicator: '{}' is not an indicator of screening model {}", where,
                                                 o.indicator.substr(0, 64), model.version()));
    }
    if (o.date > today) {
      return Status::InvalidArgument(
          fmt::format("{}.date: {} is after today ({})", where, o.date.ToIso(), today.ToIso()));
    }
    if (today - o.date > 366) {
      return Status::InvalidArgument(
          fmt::format("{}.date: {} is more than a year before today ({})", where, o.date.ToIso(), today.ToIso()));
    }
    if (Blank(o.source) || o.source.size() > kMaxSourceLength || HasControl(o.source, false)) {
      return Status::InvalidArgument(fmt::format(
          "{}.source: say who or what reported it in 1 to {} characters on one line", where, kMaxSourceLength));
    }
  }
  return Status::Ok();
}

Status CheckNoteText(std::string_view text) {
  if (Blank(text) || text.size() > kMaxNoteLength) {
    return Status::InvalidArgument(fmt::format("text: a note is 1 to {} characters, not all blank", kMaxNoteLength));
  }
  if (HasControl(text, true)) return Status::InvalidArgument("text: control characters are not allowed");
  return Status::Ok();
}

Status CheckNoteSubjectKind(std::string_view kind) {
  if (kind == "child" || kind == "person" || kind == "place") return Status::Ok();
  return Status::InvalidArgument("subject: a note is on a child, a person or a place");
}

bool CaseNoteVisible(const store::CaseNote& note, const Viewer& viewer, const ChildAccessFacts& facts) {
  return DecideRecordAccess(viewer, note.agency_code, kNoteClass, facts) != RecordAccess::kHidden;
}

Result<int64_t> OpenAlertCount(store::Store& store, const Viewer& viewer, int64_t person_id) {
  store::PracticeStore* practice = store::PracticeOf(store);
  if (practice == nullptr) return int64_t{0};  // a store without the practice workflow has no alerts to count
  return practice->CountOpenAlerts(viewer.user_name, person_id);
}

Status JudgementAccess::Refuse(const store::Actor& actor, std::string_view action, const std::string& target) {
  return AuditedAccess(store_).RecordRefusal(actor, action, target);
}

Result<JudgementAccess::Subject> JudgementAccess::SeeSubject(std::string_view kind, int64_t id, const Viewer& viewer,
                                                             int64_t now_s) {
  Subject out;
  if (kind == "place") {
    RR_ASSIGN_OR_RETURN(out.exists, store_.NoteSubjectExists("place", id));
    // No relationship or break-glass is held with a place: the rule gives its notes to their agency only.
    out.visible = out.exists && MaySeeIdentifying(viewer.role);
    return out;
  }
  // A missing child or person does the work of a hidden one (a stand-in), then the result is thrown away.
  const bool child = kind == "child";
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject,
                      ChooseSubject(store_, child ? store::SubjectKind::kChild : store::SubjectKind::kPerson, id));
  out.exists = subject.exists;
  if (subject.id == 0) return out;
  RR_ASSIGN_OR_RETURN(out.facts, store_.ReadChildAccessFacts(viewer, subject.id, now_s));
  if (child) {
    RR_ASSIGN_OR_RETURN(const std::optional<store::ChildRecord> record, store_.ReadChildRecord(subject.id));
    out.visible = record && FilterChildView(*record, viewer, out.facts).has_value();
  } else {
    RR_ASSIGN_OR_RETURN(const std::optional<store::PersonRecord> record, store_.ReadPersonRecord(subject.id));
    out.visible = record && FilterPersonView(*record, viewer, out.facts).has_value();
  }
  out.visible = out.visible && subject.exists;
  if (!subject.exists) out.facts = ChildAccessFacts{};
  return out;
}

Result<Trajectory> JudgementAccess::ReadTrajectory(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                                   const store::Actor& actor) {
  const std::string target = PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const Subject subject, SeeSubject("child", person_id, viewer, now_s));
  if (!subject.visible) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "read_assessments", target, json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such child");
  }
  Trajectory out;
  out.person_id = person_id;
  RR_ASSIGN_OR_RETURN(out.entries, store_.ReadAssessmentHistory(person_id));
  RR_ASSIGN_OR_RETURN(out.screenings, store_.ReadScreenings(person_id));
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "read_assessments", target,
                              {{"assessments", out.entries.size()}, {"screenings", out.screenings.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::AssessmentEntry> JudgementAccess::RecordScreening(
    int64_t person_id, const std::vector<store::ScreeningObservation>& observations, const Viewer& viewer,
    int64_t now_s, const store::Actor& actor) {
  const std::string target = PersonTarget(person_id);
  if (!MayJudge(viewer.role)) {
    RR_RETURN_IF_ERROR(Refuse(actor, "record_screening", target));
    return Status::PermissionDenied("only a practitioner or a manager may record a screening");
  }
  const Date today = Date::FromUnixSeconds(now_s);
  RR_RETURN_IF_ERROR(CheckObservations(observations, model_, today));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const Subject subject, SeeSubject("child", person_id, viewer, now_s));
  if (!subject.visible) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "record_screening", target, json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such child");
  }
  RR_ASSIGN_OR_RETURN(std::optional<risk::ChildFacts> facts, risk::GatherChildFacts(store_, person_id, today));
  if (!facts) return Status::Internal("a visible child has no facts inside one unit of work");
  for (const store::ScreeningObservation& o : observations) facts->observed.push_back({o.indicator, o.date, o.source});
  RR_ASSIGN_OR_RETURN(const std::vector<store::AssessmentEntry> history, store_.ReadAssessmentHistory(person_id));
  store::AssessmentEntry entry;
  entry.assessment = model_.Assess(*facts, today);
  entry.assessment.person_id = person_id;
  const Assessment* previous = history.empty() ? nullptr : &history.back().assessment;
  risk::CarryOverride(previous, entry.assessment, model_.review());
  entry.kind = "screening";
  entry.created_by = actor.user;
  entry.created_at = NowUtcIso();
  RR_ASSIGN_OR_RETURN(entry.assessment.id, store_.InsertAssessmentEntry(entry));
  store::ScreeningRow row;
  row.person_id = person_id;
  row.assessment_id = entry.assessment.id;
  row.recorded_by = actor.user;
  row.agency_code = viewer.agency_code;
  row.recorded_at = entry.created_at;
  row.observations = observations;
  RR_ASSIGN_OR_RETURN(const int64_t screening_id, store_.InsertScreening(row));
  json codes = json::array();
  for (const store::ScreeningObservation& o : observations) codes.push_back(o.indicator);
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "record_screening", target,
                                             {{"screening_id", screening_id},
                                              {"assessment_id", entry.assessment.id},
                                              {"indicators", codes},
                                              {"model_version", entry.assessment.model_version},
                                              {"level", ToString(entry.assessment.level)},
                                              {"override_kept", entry.assessment.override_level.has_value()}},
                                             "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return entry;
}

Result<OverrideResult> JudgementAccess::OverrideLevel(int64_t person_id, const OverrideInput& input,
                                                      const Viewer& viewer, int64_t now_s, const store::Actor& actor) {
  const std::string target = PersonTarget(person_id);
  if (!MayJudge(viewer.role)) {
    RR_RETURN_IF_ERROR(Refuse(actor, "override_level", target));
    return Status::PermissionDenied("only a practitioner or a manager may override a level");
  }
  const Date today = Date::FromUnixSeconds(now_s);
  risk::OverrideRequest request{input.level, input.reason, input.next_review};
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  OverrideResult result;
  RR_ASSIGN_OR_RETURN(const Subject subject, SeeSubject("child", person_id, viewer, now_s));
  if (!subject.visible) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "override_level", target, json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    result.outcome = OverrideOutcome::kNotFound;
    return result;
  }
  RR_ASSIGN_OR_RETURN(const std::vector<store::AssessmentEntry> history, store_.ReadAssessmentHistory(person_id));
  if (history.empty()) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "override_level", target, json::object(), "no_assessment")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::Conflict("the child has no assessment to override: record a screening first");
  }
  const Assessment& current = history.back().assessment;
  result.current_assessment_id = current.id;
  if (input.expected_assessment_id != 0 && input.expected_assessment_id != current.id) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
        actor, "override_level", target,
        {{"expected_assessment_id", input.expected_assessment_id}, {"current_assessment_id", current.id}}, "stale")));
    RR_RETURN_IF_ERROR(unit->Commit());
    result.outcome = OverrideOutcome::kStale;
    return result;
  }
  RR_RETURN_IF_ERROR(risk::CheckOverride(viewer.role, current, request, today));  // the unit is abandoned
  store::AssessmentEntry entry;
  entry.assessment = risk::ApplyOverride(current, request, actor.user, today, model_.review());
  entry.kind = "override";
  entry.created_by = actor.user;
  entry.created_at = NowUtcIso();
  RR_ASSIGN_OR_RETURN(entry.assessment.id, store_.InsertAssessmentEntry(entry));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "override_level", target,
                                             {{"assessment_id", entry.assessment.id},
                                              {"replaces_assessment_id", current.id},
                                              {"from", ToString(risk::EffectiveLevel(current))},
                                              {"to", ToString(input.level)},
                                              {"model_level", ToString(current.level)},
                                              {"next_review", entry.assessment.next_review->ToIso()},
                                              {"reason_length", input.reason.size()}},
                                             "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  result.outcome = OverrideOutcome::kOverridden;
  result.current_assessment_id = entry.assessment.id;
  result.entry = std::move(entry);
  return result;
}

Result<Caseload> JudgementAccess::ReadCaseload(const Viewer& viewer, int64_t now_s, const store::Actor& actor) {
  if (!MayJudge(viewer.role)) {
    RR_RETURN_IF_ERROR(Refuse(actor, "read_caseload", "caseload"));
    return Status::PermissionDenied("caseloads are for practitioners and managers");
  }
  const bool team = viewer.role == Role::kManager;
  const Date today = Date::FromUnixSeconds(now_s);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::vector<store::Allocation> allocations,
                      store_.ReadAllocations(viewer.agency_code, team ? 0 : viewer.user_id));
  RR_ASSIGN_OR_RETURN(const store::ViewerAccessFacts facts, store_.ReadViewerAccessFacts(viewer, now_s));
  int64_t generation = 0;  // the person-record generation of this unit's snapshot, for the cache
  if (cache_ != nullptr && !allocations.empty()) {
    RR_ASSIGN_OR_RETURN(generation, store_.PersonRecordGeneration());
  }
  Caseload out;
  out.scope = team ? "team" : "own";
  json ids = json::array();
  for (const store::Allocation& a : allocations) {
    std::optional<store::PersonRecord> record;
    if (cache_ != nullptr) {
      RR_ASSIGN_OR_RETURN(record, cache_->PersonMentions(store_, a.person_id, generation));
    } else {
      RR_ASSIGN_OR_RETURN(record, store_.ReadPersonMentions(a.person_id));
    }
    if (!record) continue;
    const ChildAccessFacts child_facts = facts.For(a.person_id);
    const std::vector<RecordAccess> access = DecideMentions(record->mentions, viewer, child_facts);
    bool any = false;
    for (RecordAccess r : access) any = any || r != RecordAccess::kHidden;
    if (!any) {
      ++out.hidden;
      continue;
    }
    CaseloadRow row;
    row.person_id = a.person_id;
    const Person identity = VisibleIdentity(record->person, record->mentions, access);
    row.name = identity.display_name;
    row.allocated_to = a.user_name;
    row.latest = a.latest;
    row.previous = a.previous;
    if (a.latest) {
      row.trend = std::string(risk::ToString(risk::TrendOf(a.previous ? &*a.previous : nullptr, *a.latest)));
      row.review_overdue = risk::ReviewOverdue(*a.latest, today);
    }
    RR_ASSIGN_OR_RETURN(row.open_alerts, OpenAlertCount(store_, viewer, a.person_id));
    ids.push_back(a.person_id);
    out.rows.push_back(std::move(row));
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "read_caseload", "caseload", {{"scope", out.scope}, {"shown", ids}, {"hidden", out.hidden}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::CaseNote> JudgementAccess::AddCaseNote(std::string_view kind, int64_t subject_id, const std::string& text,
                                                     const Viewer& viewer, int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckNoteSubjectKind(kind));
  const std::string target = SubjectTarget(kind, subject_id);
  if (!MayJudge(viewer.role)) {
    RR_RETURN_IF_ERROR(Refuse(actor, "add_case_note", target));
    return Status::PermissionDenied("only a practitioner or a manager may write a case note");
  }
  RR_RETURN_IF_ERROR(CheckNoteText(text));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const Subject subject, SeeSubject(kind, subject_id, viewer, now_s));
  if (!subject.visible) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "add_case_note", target, {{"subject", std::string(kind)}},
                                               subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such " + std::string(kind));
  }
  store::CaseNote note;
  note.subject_kind = std::string(kind);
  note.subject_id = subject_id;
  note.author = actor.user;
  note.agency_code = viewer.agency_code;
  note.text = text;
  note.created_at = NowUtcIso();
  RR_ASSIGN_OR_RETURN(note.id, store_.InsertCaseNote(note));
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "add_case_note", target,
                              {{"subject", std::string(kind)}, {"note_id", note.id}, {"length", text.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return note;
}

Result<std::vector<store::CaseNote>> JudgementAccess::ReadCaseNotes(std::string_view kind, int64_t subject_id,
                                                                    const Viewer& viewer, int64_t now_s,
                                                                    const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckNoteSubjectKind(kind));
  const std::string target = SubjectTarget(kind, subject_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const Subject subject, SeeSubject(kind, subject_id, viewer, now_s));
  if (!subject.visible) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_case_notes", target, {{"subject", std::string(kind)}},
                                               subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such " + std::string(kind));
  }
  RR_ASSIGN_OR_RETURN(const std::vector<store::CaseNote> notes, store_.ReadCaseNotes(kind, subject_id));
  std::vector<store::CaseNote> shown;
  json ids = json::array();
  for (const store::CaseNote& n : notes) {
    if (!CaseNoteVisible(n, viewer, subject.facts)) continue;
    ids.push_back(n.id);
    shown.push_back(n);
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "read_case_notes", target,
            {{"subject", std::string(kind)}, {"shown", ids}, {"hidden", notes.size() - shown.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return shown;
}

}  // namespace riskradar::access

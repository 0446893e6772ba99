// The practice workflow on the access-and-audit path (access/practice.h).
#include "riskradar/access/practice.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "audit_event.h"
#include "riskradar/access/administration.h"
#include "riskradar/core/hash.h"
#include "riskradar/practice/practice.h"

namespace riskradar::access {
namespace {

using internal::Event;
using nlohmann::json;

std::string Target(const char* kind, int64_t id) { return std::string(kind) + ":" + std::to_string(id); }

bool PersonLink(std::string_view kind) { return kind == "child" || kind == "person"; }

json ActionSummary(const store::ActionRecord& a) {
  return {{"id", a.id},
          {"link", a.link_kind + ":" + std::to_string(a.link_id)},
          {"owner_agency", a.owner_agency},
          {"owner_user", a.owner_user},
          {"due", a.due.ToIso()},
          {"status", a.status},
          {"version", a.version}};
}

json DisruptionSummary(const store::DisruptionRecord& d) {
  json j = {{"id", d.id},
            {"kind", d.kind},
            {"issuing_agency", d.issuing_agency},
            {"status", d.status},
            {"version", d.version}};
  if (d.person_id) j["person"] = d.person_id;
  if (d.place_id) j["place"] = d.place_id;
  return j;
}

// Commits a refusal's event and answers with `answer`.
Status Refuse(store::UnitOfWork& unit, const store::Actor& actor, const std::string& action, const std::string& target,
              const json& details, const char* outcome, Status answer) {
  RR_RETURN_IF_ERROR(unit.AppendAudit(Event(actor, action, target, details, outcome)));
  RR_RETURN_IF_ERROR(unit.Commit());
  return answer;
}

// `cache` (null: read them all) only from a read unit of work (access/person_cache.h).
Result<RecordClasses> ClassesOf(store::Store& store, std::vector<int64_t> ids, PersonRecordCache* cache = nullptr) {
  ids.erase(std::remove(ids.begin(), ids.end(), 0), ids.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (cache != nullptr && !ids.empty()) {
    RR_ASSIGN_OR_RETURN(const int64_t generation, store.PersonRecordGeneration());
    RR_ASSIGN_OR_RETURN(auto rows, cache->RecordClasses(*store::PracticeOf(store), ids, generation));
    return ByPerson(rows);
  }
  RR_ASSIGN_OR_RETURN(auto rows, store::PracticeOf(store)->ReadPersonRecordClasses(ids));
  return ByPerson(rows);
}

Result<std::optional<store::User>> ActiveUser(store::Store& store, std::string_view name) {
  RR_ASSIGN_OR_RETURN(const std::vector<store::User> users, store.ReadUserRows());
  for (const auto& u : users) {
    if (u.name == name && !u.disabled) return std::optional<store::User>(u);
  }
  return std::optional<store::User>();
}

Result<bool> AgencyExists(store::Store& store, std::string_view code) {
  RR_ASSIGN_OR_RETURN(const auto agencies, store.ListAgencies());
  return std::any_of(agencies.begin(), agencies.end(), [&](const Agency& a) { return a.code == code; });
}

bool PanelRole(Role r) { return r == Role::kPractitioner || r == Role::kManager; }

}  // namespace

RecordClasses ByPerson(const std::vector<store::PersonRecordClass>& rows) {
  RecordClasses out;
  for (const auto& r : rows) out[r.person_id].push_back(r);
  return out;
}

// ---------------------------------------------------------------- pure filters

bool PersonVisible(int64_t person_id, const RecordClasses& classes, const Viewer& viewer,
                   const store::ViewerAccessFacts& facts) {
  auto it = classes.find(person_id);
  if (it == classes.end()) return false;
  const ChildAccessFacts f = facts.For(person_id);
  return std::any_of(it->second.begin(), it->second.end(), [&](const store::PersonRecordClass& r) {
    return DecideRecordAccess(viewer, r.agency_code, r.record_class, f) != RecordAccess::kHidden;
  });
}

bool ActionVisible(const store::ActionRecord& a, const RecordClasses& classes, const Viewer& viewer,
                   const store::ViewerAccessFacts& facts) {
  if (!MaySeeIdentifying(viewer.role)) return false;
  return !PersonLink(a.link_kind) || PersonVisible(a.link_id, classes, viewer, facts);
}

bool DisruptionVisible(const store::DisruptionRecord& d, const RecordClasses& classes, const Viewer& viewer,
                       const store::ViewerAccessFacts& facts) {
  if (!MaySeeIdentifying(viewer.role)) return false;
  return d.person_id == 0 || PersonVisible(d.person_id, classes, viewer, facts);
}

bool AgendaItemVisible(const store::AgendaItem& item, const RecordClasses& classes, const Viewer& viewer,
                       const store::ViewerAccessFacts& facts) {
  if (!MaySeeIdentifying(viewer.role)) return false;
  return item.person_id == 0 || PersonVisible(item.person_id, classes, viewer, facts);
}

bool AlertVisible(const store::AlertRow& alert, const RecordClasses& classes, const Viewer& viewer,
                  const store::ViewerAccessFacts& facts) {
  return alert.person_id == 0 || PersonVisible(alert.person_id, classes, viewer, facts);
}

bool MayChangeAction(const store::ActionRecord& a, const Viewer& viewer) {
  return a.owner_user == viewer.user_name || a.owner_agency == viewer.agency_code ||
         a.created_agency == viewer.agency_code;
}

bool MayChangeDisruption(const store::DisruptionRecord& d, const Viewer& viewer) {
  return d.issuing_agency == viewer.agency_code || d.created_by == viewer.user_name;
}

bool MayRunMeeting(const store::MeetingRecord& m, const Viewer& viewer) {
  return m.chair == viewer.user_name || (viewer.role == Role::kManager && m.chair_agency == viewer.agency_code);
}

// ---------------------------------------------------------------- actions

Result<store::ActionRecord> Practice::CreateAction(const Viewer& viewer, const ActionInput& in, int64_t now_s,
                                                   const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_RETURN_IF_ERROR(practice::CheckText("title", in.title, 3, 200));
  if (!practice::IsActionLinkKind(in.link_kind)) {
    return Status::InvalidArgument("link_kind: one of child, person, place, network, meeting");
  }
  if (in.link_id <= 0) return Status::InvalidArgument("link_id: give a positive id");
  RR_RETURN_IF_ERROR(practice::CheckText("owner_agency", in.owner_agency, 1, 32));
  RR_RETURN_IF_ERROR(practice::CheckText("owner_user", in.owner_user, 1, 64));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const std::string target = Target(in.link_kind.c_str(), in.link_id);
  const json asked = {{"link", target}, {"owner_agency", in.owner_agency}, {"owner_user", in.owner_user}};
  RR_ASSIGN_OR_RETURN(const bool agency, AgencyExists(store_, in.owner_agency));
  if (!agency) return Status::InvalidArgument("owner_agency: no such agency");
  RR_ASSIGN_OR_RETURN(const auto owner, ActiveUser(store_, in.owner_user));
  if (!owner || owner->agency_code != in.owner_agency) {
    return Status::InvalidArgument("owner_user: no active account of that name in " + in.owner_agency);
  }
  if (PersonLink(in.link_kind)) {
    RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, {in.link_id}));
    RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
    if (!classes.count(in.link_id)) {
      return Refuse(*unit, actor, "action_add", target, asked, "not_found",
                    Status::NotFound("no such " + in.link_kind));
    }
    if (!PersonVisible(in.link_id, classes, viewer, facts)) {
      return Refuse(*unit, actor, "action_add", target, asked, "refused", Status::NotFound("no such " + in.link_kind));
    }
  } else if (in.link_kind == "place") {
    RR_ASSIGN_OR_RETURN(const bool exists, practice_->PlaceExists(in.link_id));
    if (!exists)
      return Refuse(*unit, actor, "action_add", target, asked, "not_found", Status::NotFound("no such place"));
  } else if (in.link_kind == "meeting") {
    RR_ASSIGN_OR_RETURN(const auto meeting, practice_->ReadMeeting(in.link_id));
    if (!meeting) {
      return Refuse(*unit, actor, "action_add", target, asked, "not_found", Status::NotFound("no such meeting"));
    }
  }
  store::ActionRecord a;
  a.title = in.title;
  a.owner_agency = in.owner_agency;
  a.owner_user = in.owner_user;
  a.due = in.due;
  a.status = "open";
  a.link_kind = in.link_kind;
  a.link_id = in.link_id;
  a.created_by = viewer.user_name;
  a.created_agency = viewer.agency_code;
  RR_ASSIGN_OR_RETURN(a.id, practice_->InsertAction(a));
  RR_ASSIGN_OR_RETURN(auto stored, practice_->ReadAction(a.id));
  if (!stored) return Status::Internal("action vanished inside its own unit of work");
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "action_add", Target("action", a.id), ActionSummary(*stored), "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*stored);
}

Result<std::vector<store::ActionRecord>> Practice::ListActions(const Viewer& viewer, const ActionQuery& query,
                                                               int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const auto rows, practice_->ReadActions());
  std::vector<int64_t> people;
  for (const auto& a : rows) {
    if (PersonLink(a.link_kind)) people.push_back(a.link_id);
  }
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, people, cache_));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  std::vector<store::ActionRecord> out;
  for (const auto& a : rows) {
    if (query.overdue_only && (a.status != "open" || !(a.due < query.today))) continue;
    if (!query.link_kind.empty() && (a.link_kind != query.link_kind || a.link_id != query.link_id)) continue;
    if (ActionVisible(a, classes, viewer, facts)) out.push_back(a);
  }
  std::vector<int64_t> ids;
  for (const auto& a : out) ids.push_back(a.id);
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "list_actions", "actions", {{"overdue_only", query.overdue_only}, {"shown", ids}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<Written<store::ActionRecord>> Practice::UpdateAction(const Viewer& viewer, int64_t id, int64_t expected_version,
                                                            const ActionChange& change, int64_t now_s,
                                                            const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  if (change.status_reason) RR_RETURN_IF_ERROR(practice::CheckText("status_reason", *change.status_reason, 0, 500));
  if (change.status && !practice::IsActionStatus(*change.status)) {
    return Status::InvalidArgument("status: one of open, done, cancelled");
  }
  if (change.owner_agency) RR_RETURN_IF_ERROR(practice::CheckText("owner_agency", *change.owner_agency, 1, 32));
  if (change.owner_user) RR_RETURN_IF_ERROR(practice::CheckText("owner_user", *change.owner_user, 1, 64));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const std::string target = Target("action", id);
  RR_ASSIGN_OR_RETURN(const auto found, practice_->ReadAction(id));
  std::vector<int64_t> people;
  if (found && PersonLink(found->link_kind)) people.push_back(found->link_id);
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, people));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  if (!found)
    return Refuse(*unit, actor, "action_update", target, json::object(), "not_found",
                  Status::NotFound("no such action"));
  if (!ActionVisible(*found, classes, viewer, facts)) {
    return Refuse(*unit, actor, "action_update", target, json::object(), "refused", Status::NotFound("no such action"));
  }
  if (!MayChangeAction(*found, viewer)) {
    return Refuse(*unit, actor, "action_update", target, json::object(), "forbidden",
                  Status::PermissionDenied("only the owner, the owner agency or the agency that set it may change it"));
  }
  Written<store::ActionRecord> out;
  if (found->version != expected_version) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "action_update", target,
              {{"expected_version", expected_version}, {"current_version", found->version}}, "stale")));
    RR_RETURN_IF_ERROR(unit->Commit());
    out.outcome = WriteOutcome::kStale;
    out.row = *found;
    return out;
  }
  store::ActionRecord next = *found;
  if (change.owner_agency) next.owner_agency = *change.owner_agency;
  if (change.owner_user) next.owner_user = *change.owner_user;
  if (change.due) next.due = *change.due;
  if (change.status) {
    const std::string reason = change.status_reason.value_or("");
    RR_RETURN_IF_ERROR(practice::CheckActionTransition(found->status, *change.status, reason));
    next.status = *change.status;
    if (*change.status != found->status) next.status_reason = reason;
  } else if (change.status_reason) {
    next.status_reason = *change.status_reason;
  }
  if (change.owner_agency || change.owner_user) {
    RR_ASSIGN_OR_RETURN(const bool agency, AgencyExists(store_, next.owner_agency));
    if (!agency) return Status::InvalidArgument("owner_agency: no such agency");
    RR_ASSIGN_OR_RETURN(const auto owner, ActiveUser(store_, next.owner_user));
    if (!owner || owner->agency_code != next.owner_agency) {
      return Status::InvalidArgument("owner_user: no active account of that name in " + next.owner_agency);
    }
  }
  RR_ASSIGN_OR_RETURN(const bool set, practice_->UpdateAction(next, expected_version));
  if (!set) return Status::Internal("the action changed inside its own unit of work");
  RR_ASSIGN_OR_RETURN(const auto after, practice_->ReadAction(id));
  if (!after) return Status::Internal("action vanished inside its own unit of work");
  json details = ActionSummary(*after);
  details["previous_status"] = found->status;
  if (!after->status_reason.empty()) details["status_reason"] = after->status_reason;
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "action_update", target, details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  out.row = *after;
  return out;
}

// ---------------------------------------------------------------- disruptions

Result<store::DisruptionRecord> Practice::CreateDisruption(const Viewer& viewer, const DisruptionInput& in,
                                                           int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  if (!practice::IsDisruptionKind(in.kind)) {
    return Status::InvalidArgument(
        "kind: one of cawn, sexual_risk_order, sexual_harm_prevention_order, hotel_notice, licensing_review, "
        "closure_order, other");
  }
  if (in.person_id < 0 || in.place_id < 0 || (in.person_id == 0 && in.place_id == 0)) {
    return Status::InvalidArgument("person_id, place_id: name a subject person, a place or both");
  }
  RR_RETURN_IF_ERROR(practice::CheckText("issuing_agency", in.issuing_agency, 1, 32));
  RR_RETURN_IF_ERROR(practice::CheckText("note", in.note, 0, 1000));
  if (in.expires && *in.expires < in.issued) return Status::InvalidArgument("expires: before the issue date");
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const std::string target = in.person_id ? Target("person", in.person_id) : Target("place", in.place_id);
  const json asked = {{"kind", in.kind}, {"issuing_agency", in.issuing_agency}};
  RR_ASSIGN_OR_RETURN(const bool agency, AgencyExists(store_, in.issuing_agency));
  if (!agency) return Status::InvalidArgument("issuing_agency: no such agency");
  if (in.person_id) {
    RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, {in.person_id}));
    RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
    if (!classes.count(in.person_id)) {
      return Refuse(*unit, actor, "disruption_add", target, asked, "not_found", Status::NotFound("no such person"));
    }
    if (!PersonVisible(in.person_id, classes, viewer, facts)) {
      return Refuse(*unit, actor, "disruption_add", target, asked, "refused", Status::NotFound("no such person"));
    }
  }
  if (in.place_id) {
    RR_ASSIGN_OR_RETURN(const bool exists, practice_->PlaceExists(in.place_id));
    if (!exists) {
      return Refuse(*unit, actor, "disruption_add", target, asked, "not_found", Status::NotFound("no such place"));
    }
  }
  store::DisruptionRecord d;
  d.kind = in.kind;
  d.person_id = in.person_id;
  d.place_id = in.place_id;
  d.issuing_agency = in.issuing_agency;
  d.issued = in.issued;
  d.expires = in.expires;
  d.status = "active";
  d.note = in.note;
  d.created_by = viewer.user_name;
  RR_ASSIGN_OR_RETURN(const int64_t id, practice_->InsertDisruption(d));
  RR_ASSIGN_OR_RETURN(auto stored, practice_->ReadDisruption(id));
  if (!stored) return Status::Internal("disruption vanished inside its own unit of work");
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "disruption_add", Target("disruption", id), DisruptionSummary(*stored), "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*stored);
}

Result<std::vector<store::DisruptionRecord>> Practice::ListDisruptions(const Viewer& viewer, int64_t now_s,
                                                                       const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const auto rows, practice_->ReadDisruptions());
  std::vector<int64_t> people;
  for (const auto& d : rows) people.push_back(d.person_id);
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, people, cache_));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  std::vector<store::DisruptionRecord> out;
  std::vector<int64_t> ids;
  for (const auto& d : rows) {
    if (!DisruptionVisible(d, classes, viewer, facts)) continue;
    out.push_back(d);
    ids.push_back(d.id);
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "list_disruptions", "disruptions", {{"shown", ids}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<Written<store::DisruptionRecord>> Practice::UpdateDisruption(const Viewer& viewer, int64_t id,
                                                                    int64_t expected_version,
                                                                    const DisruptionChange& change, int64_t now_s,
                                                                    const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  if (change.note) RR_RETURN_IF_ERROR(practice::CheckText("note", *change.note, 0, 1000));
  if (change.status && !practice::IsDisruptionStatus(*change.status)) {
    return Status::InvalidArgument("status: one of active, expired, revoked, discharged");
  }
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const std::string target = Target("disruption", id);
  RR_ASSIGN_OR_RETURN(const auto found, practice_->ReadDisruption(id));
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, {found ? found->person_id : 0}));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  if (!found) {
    return Refuse(*unit, actor, "disruption_update", target, json::object(), "not_found",
                  Status::NotFound("no such disruption"));
  }
  if (!DisruptionVisible(*found, classes, viewer, facts)) {
    return Refuse(*unit, actor, "disruption_update", target, json::object(), "refused",
                  Status::NotFound("no such disruption"));
  }
  if (!MayChangeDisruption(*found, viewer)) {
    return Refuse(*unit, actor, "disruption_update", target, json::object(), "forbidden",
                  Status::PermissionDenied("only the issuing agency may change a disruption"));
  }
  Written<store::DisruptionRecord> out;
  if (found->version != expected_version) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "disruption_update", target,
              {{"expected_version", expected_version}, {"current_version", found->version}}, "stale")));
    RR_RETURN_IF_ERROR(unit->Commit());
    out.outcome = WriteOutcome::kStale;
    out.row = *found;
    return out;
  }
  store::DisruptionRecord next = *found;
  if (change.status) {
    RR_RETURN_IF_ERROR(practice::CheckDisruptionTransition(found->status, *change.status));
    next.status = *change.status;
  }
  if (change.expires) {
    if (*change.expires < found->issued) return Status::InvalidArgument("expires: before the issue date");
    next.expires = change.expires;
  }
  if (change.note) next.note = *change.note;
  RR_ASSIGN_OR_RETURN(const bool set, practice_->UpdateDisruption(next, expected_version));
  if (!set) return Status::Internal("the disruption changed inside its own unit of work");
  RR_ASSIGN_OR_RETURN(const auto after, practice_->ReadDisruption(id));
  if (!after) return Status::Internal("disruption vanished inside its own unit of work");
  json details = DisruptionSummary(*after);
  details["previous_status"] = found->status;
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "disruption_update", target, details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  out.row = *after;
  return out;
}

Result<store::DisruptionRecord> Practice::RecordBreach(const Viewer& viewer, int64_t id, Date date,
                                                       const std::string& note, int64_t now_s,
                                                       const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_RETURN_IF_ERROR(practice::CheckText("note", note, 3, 1000));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const std::string target = Target("disruption", id);
  RR_ASSIGN_OR_RETURN(const auto found, practice_->ReadDisruption(id));
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, {found ? found->person_id : 0}));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  if (!found) {
    return Refuse(*unit, actor, "disruption_breach", target, json::object(), "not_found",
                  Status::NotFound("no such disruption"));
  }
  if (!DisruptionVisible(*found, classes, viewer, facts)) {
    return Refuse(*unit, actor, "disruption_breach", target, json::object(), "refused",
                  Status::NotFound("no such disruption"));
  }
  if (date < found->issued) return Status::InvalidArgument("date: before the disruption was issued");
  if (date > Date::FromUnixSeconds(now_s)) return Status::InvalidArgument("date: in the future");
  store::DisruptionBreach b;
  b.date = date;
  b.note = note;
  b.recorded_by = viewer.user_name;
  RR_ASSIGN_OR_RETURN(const int64_t breach_id, practice_->InsertDisruptionBreach(id, b));
  RR_ASSIGN_OR_RETURN(const auto after, practice_->ReadDisruption(id));
  if (!after) return Status::Internal("disruption vanished inside its own unit of work");
  json details = DisruptionSummary(*after);
  details["breach"] = breach_id;
  details["date"] = date.ToIso();
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "disruption_breach", target, details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return *after;
}

// ---------------------------------------------------------------- MASE meetings

namespace {

// MASE listing requests for every panel member without a current relationship to `person_id`, requested by
// the actor, each with its audit event in the caller's unit. Returns how many were made.
Result<int64_t> RequestListings(store::Store& store, store::UnitOfWork& unit, const store::MeetingRecord& m,
                                int64_t person_id, const Viewer& requester, int64_t now_s, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(const auto relationships, store.ReadCareRelationships(person_id));
  RR_ASSIGN_OR_RETURN(const auto users, store.ReadUserRows());
  int64_t made = 0;
  for (const std::string& member : m.panel) {
    const bool related = std::any_of(relationships.begin(), relationships.end(),
                                     [&](const auto& r) { return r.user_name == member && r.ended_at.empty(); });
    if (related) continue;
    auto user = std::find_if(users.begin(), users.end(), [&](const store::User& u) { return u.name == member; });
    if (user == users.end() || user->disabled) continue;
    store::ApprovalRequest r;
    r.kind = store::ApprovalKind::kMaseListing;
    r.requested_by = requester.user_name;
    r.requester_agency = requester.agency_code;
    r.subject_user = member;
    r.subject_agency = user->agency_code;
    r.person_id = person_id;
    r.reason = "MASE meeting " + std::to_string(m.id) + " (" + m.district + ", " + m.date.ToIso() +
               "): listed on the agenda, until " + m.period_end.ToIso();
    r.created_at = NowUtcIso();
    r.created_s = now_s;
    r.expires_s = now_s + kApprovalTtlS;
    auto id = store.InsertApprovalRequest(r);
    if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists) continue;  // the same one is pending
    if (!id.ok()) return id.status();
    RR_RETURN_IF_ERROR(unit.AppendAudit(Event(actor, "approval_request", "approval:" + std::to_string(*id),
                                              {{"kind", "mase_listing"},
                                               {"requested_by", r.requested_by},
                                               {"subject", member},
                                               {"person", person_id},
                                               {"meeting", m.id},
                                               {"reason", r.reason}},
                                              "ok")));
    ++made;
  }
  return made;
}

}  // namespace

// The meeting as the viewer may see it: hidden agenda items are left out.
// `cache`: only from a read unit of work.
static Result<MeetingView> ViewOf(store::Store& store, store::MeetingRecord m, const Viewer& viewer, int64_t now_s,
                                  PersonRecordCache* cache = nullptr) {
  std::vector<int64_t> people;
  for (const auto& i : m.agenda) people.push_back(i.person_id);
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store, people, cache));
  RR_ASSIGN_OR_RETURN(const auto facts, store.ReadViewerAccessFacts(viewer, now_s));
  std::vector<store::AgendaItem> all = std::move(m.agenda);
  MeetingView v;
  v.meeting = std::move(m);
  v.meeting.agenda.clear();
  for (auto& i : all) {
    if (AgendaItemVisible(i, classes, viewer, facts)) v.meeting.agenda.push_back(std::move(i));
  }
  return v;
}

Result<MeetingView> Practice::CreateMeeting(const Viewer& viewer, const MeetingInput& in, int64_t now_s,
                                            const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_RETURN_IF_ERROR(practice::CheckText("district", in.district, 2, 64));
  RR_RETURN_IF_ERROR(practice::CheckText("chair", in.chair, 1, 64));
  if (in.period_days < 1 || in.period_days > 365) return Status::InvalidArgument("period_days: 1 to 365");
  std::vector<std::string> panel = in.panel;
  if (panel.size() > 30) return Status::InvalidArgument("panel: at most 30 members");
  for (const auto& p : panel) RR_RETURN_IF_ERROR(practice::CheckText("panel", p, 1, 64));
  panel.push_back(in.chair);
  std::sort(panel.begin(), panel.end());
  panel.erase(std::unique(panel.begin(), panel.end()), panel.end());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const auto users, store_.ReadUserRows());
  std::string chair_agency;
  for (const auto& name : panel) {
    auto u = std::find_if(users.begin(), users.end(), [&](const store::User& x) { return x.name == name; });
    if (u == users.end() || u->disabled || !PanelRole(u->role)) {
      return Status::InvalidArgument((name == in.chair ? "chair: " : "panel: ") + name.substr(0, 64) +
                                     " is not an active practitioner or manager");
    }
    if (name == in.chair) chair_agency = u->agency_code;
  }
  store::MeetingRecord m;
  m.district = in.district;
  m.date = in.date;
  m.period_end = in.date.AddDays(in.period_days);
  m.chair = in.chair;
  m.chair_agency = chair_agency;
  m.panel = panel;
  m.status = "planned";
  m.created_by = viewer.user_name;
  RR_ASSIGN_OR_RETURN(m.id, practice_->InsertMeeting(m));

  // The agenda from the radar.
  practice::AgendaInputs agenda_in;
  RR_ASSIGN_OR_RETURN(agenda_in.radar, practice_->LoadRadarFacts());
  RR_ASSIGN_OR_RETURN(agenda_in.missing, practice_->LoadMissingEpisodes(in.date.AddDays(-365)));
  // The latest assessment's review date comes with the radar's facts (no second read of every assessment).
  for (const store::RadarFact& f : agenda_in.radar) {
    if (f.next_review && *f.next_review < in.date) agenda_in.review_overdue.insert(f.person_id);
  }
  RR_ASSIGN_OR_RETURN(const auto places, store_.ListPlacesOfConcern());
  for (const auto& p : places.places) {
    if (p.place.district == in.district) agenda_in.places_of_concern.push_back(p.place.id);
  }
  RR_ASSIGN_OR_RETURN(const auto earlier, practice_->ReadMeetings());
  for (const auto& e : earlier) {
    if (e.id == m.id || e.district != in.district) continue;
    RR_ASSIGN_OR_RETURN(const auto full, practice_->ReadMeeting(e.id));
    if (!full) continue;
    for (const auto& i : full->agenda) {
      if (i.place_id) agenda_in.places_already_tabled.insert(i.place_id);
    }
  }
  int64_t requests = 0;
  for (auto item : practice::GenerateAgenda(agenda_in, in.district, in.date, {})) {
    item.meeting_id = m.id;
    item.added_by = viewer.user_name;
    RR_RETURN_IF_ERROR(practice_->InsertAgendaItem(item).status());
    if (item.person_id) {
      RR_ASSIGN_OR_RETURN(const int64_t n, RequestListings(store_, *unit, m, item.person_id, viewer, now_s, actor));
      requests += n;
    }
  }
  RR_ASSIGN_OR_RETURN(const auto stored, practice_->ReadMeeting(m.id));
  if (!stored) return Status::Internal("meeting vanished inside its own unit of work");
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "meeting_add", Target("meeting", m.id),
                                             {{"district", m.district},
                                              {"date", m.date.ToIso()},
                                              {"chair", m.chair},
                                              {"panel", m.panel},
                                              {"agenda_items", stored->agenda.size()},
                                              {"listing_requests", requests}},
                                             "ok")));
  RR_ASSIGN_OR_RETURN(MeetingView v, ViewOf(store_, *stored, viewer, now_s));
  v.listing_requests = requests;
  RR_RETURN_IF_ERROR(unit->Commit());
  return v;
}

Result<std::vector<store::MeetingRecord>> Practice::ListMeetings(const Viewer& viewer, int64_t now_s,
                                                                 const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  (void)now_s;
  if (!MaySeeIdentifying(viewer.role)) return Status::PermissionDenied("your role may not see MASE meetings");
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(auto rows, practice_->ReadMeetings());
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "list_meetings", "meetings", {{"shown", rows.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return rows;
}

Result<MeetingView> Practice::ReadMeeting(const Viewer& viewer, int64_t id, int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  std::optional<store::MeetingRecord> found;
  if (meetings_ != nullptr) {
    RR_ASSIGN_OR_RETURN(const int64_t generation, practice_->MeetingGeneration());
    RR_ASSIGN_OR_RETURN(found, meetings_->Meeting(*practice_, id, generation));
  } else {
    RR_ASSIGN_OR_RETURN(found, practice_->ReadMeeting(id));
  }
  if (!found || !MaySeeIdentifying(viewer.role)) {
    return Refuse(*unit, actor, "read_meeting", Target("meeting", id), json::object(), found ? "refused" : "not_found",
                  Status::NotFound("no such meeting"));
  }
  const size_t items = found->agenda.size();
  RR_ASSIGN_OR_RETURN(MeetingView v, ViewOf(store_, std::move(*found), viewer, now_s, cache_));
  std::vector<int64_t> shown;
  for (const auto& i : v.meeting.agenda) shown.push_back(i.id);
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "read_meeting", Target("meeting", id), {{"items_shown", shown}, {"items", items}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return v;
}

namespace {

// The shared start of the agenda writes: the meeting, visible, run by the viewer, not closed.
struct MeetingGate {
  std::optional<store::MeetingRecord> meeting;
  Status refusal;  // OK when the write may go on
};

}  // namespace

static Result<MeetingGate> OpenMeeting(store::Store& store, store::UnitOfWork& unit, const Viewer& viewer,
                                       int64_t meeting_id, const std::string& action, const store::Actor& actor,
                                       bool refuse_closed = true) {
  MeetingGate g;
  RR_ASSIGN_OR_RETURN(g.meeting, store::PracticeOf(store)->ReadMeeting(meeting_id));
  const std::string target = Target("meeting", meeting_id);
  if (!g.meeting) {
    g.refusal = Refuse(unit, actor, action, target, json::object(), "not_found", Status::NotFound("no such meeting"));
  } else if (!MayRunMeeting(*g.meeting, viewer)) {
    g.refusal = Refuse(unit, actor, action, target, json::object(), "forbidden",
                       Status::PermissionDenied("only the chair or a manager of the chair's agency runs the meeting"));
  } else if (refuse_closed && g.meeting->status == "closed") {
    g.refusal =
        Refuse(unit, actor, action, target, json::object(), "closed", Status::Conflict("the meeting is closed"));
  }
  return g;
}

Result<MeetingView> Practice::AddAgendaItem(const Viewer& viewer, int64_t meeting_id, int64_t person_id,
                                            int64_t place_id, const std::string& note, int64_t now_s,
                                            const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  if ((person_id == 0) == (place_id == 0)) return Status::InvalidArgument("person_id, place_id: name exactly one");
  if (person_id < 0 || place_id < 0) return Status::InvalidArgument("person_id, place_id: give a positive id");
  RR_RETURN_IF_ERROR(practice::CheckText("note", note, 10, 1000));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(MeetingGate g, OpenMeeting(store_, *unit, viewer, meeting_id, "agenda_add", actor));
  if (!g.refusal.ok()) return g.refusal;
  const std::string target = Target("meeting", meeting_id);
  const json asked = person_id ? json{{"person", person_id}} : json{{"place", place_id}};
  if (person_id) {
    RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, {person_id}));
    RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
    if (!classes.count(person_id)) {
      return Refuse(*unit, actor, "agenda_add", target, asked, "not_found", Status::NotFound("no such child"));
    }
    if (!PersonVisible(person_id, classes, viewer, facts)) {
      return Refuse(*unit, actor, "agenda_add", target, asked, "refused", Status::NotFound("no such child"));
    }
  } else {
    RR_ASSIGN_OR_RETURN(const bool exists, practice_->PlaceExists(place_id));
    if (!exists)
      return Refuse(*unit, actor, "agenda_add", target, asked, "not_found", Status::NotFound("no such place"));
  }
  store::AgendaItem item;
  item.meeting_id = meeting_id;
  item.person_id = person_id;
  item.place_id = place_id;
  item.reasons = "added";
  item.source = "added";
  item.note = note;
  item.added_by = viewer.user_name;
  auto id = practice_->InsertAgendaItem(item);
  if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists) {
    return Refuse(*unit, actor, "agenda_add", target, asked, "already_listed",
                  Status::Conflict("it is already on this meeting's agenda"));
  }
  if (!id.ok()) return id.status();
  int64_t requests = 0;
  if (person_id) {
    RR_ASSIGN_OR_RETURN(requests, RequestListings(store_, *unit, *g.meeting, person_id, viewer, now_s, actor));
  }
  json details = asked;
  details["item"] = *id;
  details["listing_requests"] = requests;
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "agenda_add", target, details, "ok")));
  RR_ASSIGN_OR_RETURN(const auto stored, practice_->ReadMeeting(meeting_id));
  if (!stored) return Status::Internal("meeting vanished inside its own unit of work");
  RR_ASSIGN_OR_RETURN(MeetingView v, ViewOf(store_, *stored, viewer, now_s));
  v.listing_requests = requests;
  RR_RETURN_IF_ERROR(unit->Commit());
  return v;
}

namespace {
enum class ItemEdit { kRemove, kMinutes };
}

static Result<MeetingView> EditItem(store::Store& store, const Viewer& viewer, int64_t meeting_id, int64_t item_id,
                                    ItemEdit edit, const std::string& text, int64_t now_s, const store::Actor& actor) {
  const char* action = edit == ItemEdit::kRemove ? "agenda_remove" : "agenda_minutes";
  if (edit == ItemEdit::kRemove) {
    RR_RETURN_IF_ERROR(practice::CheckText("reason", text, 10, 1000));
  } else {
    RR_RETURN_IF_ERROR(practice::CheckText("minutes", text, 1, 20000));
  }
  RR_ASSIGN_OR_RETURN(auto unit, store.BeginUnit(store::UnitKind::kWrite));
  // A missing or hidden item is answered as such whether or not the meeting is closed.
  RR_ASSIGN_OR_RETURN(MeetingGate g, OpenMeeting(store, *unit, viewer, meeting_id, action, actor, false));
  if (!g.refusal.ok()) return g.refusal;
  const std::string target = Target("meeting", meeting_id);
  auto it = std::find_if(g.meeting->agenda.begin(), g.meeting->agenda.end(),
                         [&](const store::AgendaItem& i) { return i.id == item_id; });
  std::vector<int64_t> people;
  if (it != g.meeting->agenda.end()) people.push_back(it->person_id);
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store, people));
  RR_ASSIGN_OR_RETURN(const auto facts, store.ReadViewerAccessFacts(viewer, now_s));
  const json asked = {{"item", item_id}};
  if (it == g.meeting->agenda.end()) {
    return Refuse(*unit, actor, action, target, asked, "not_found", Status::NotFound("no such agenda item"));
  }
  if (!AgendaItemVisible(*it, classes, viewer, facts)) {
    return Refuse(*unit, actor, action, target, asked, "refused", Status::NotFound("no such agenda item"));
  }
  if (g.meeting->status == "closed") {
    return Refuse(*unit, actor, action, target, asked, "closed", Status::Conflict("the meeting is closed"));
  }
  store::AgendaItem next = *it;
  if (edit == ItemEdit::kRemove) {
    if (next.removed) {
      return Refuse(*unit, actor, action, target, asked, "already_removed", Status::Conflict("already removed"));
    }
    next.removed = true;
    next.removal_reason = text;
  } else {
    next.minutes = text;
    next.minutes_by = viewer.user_name;
    next.minutes_at = NowUtcIso();
  }
  RR_ASSIGN_OR_RETURN(const bool set, store::PracticeOf(store)->UpdateAgendaItem(next));
  if (!set) return Status::Internal("agenda item vanished inside its own unit of work");
  json details = asked;
  if (edit == ItemEdit::kRemove) details["reason"] = text;
  if (edit == ItemEdit::kMinutes) details["minutes_chars"] = text.size();
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, action, target, details, "ok")));
  RR_ASSIGN_OR_RETURN(const auto stored, store::PracticeOf(store)->ReadMeeting(meeting_id));
  if (!stored) return Status::Internal("meeting vanished inside its own unit of work");
  RR_ASSIGN_OR_RETURN(MeetingView v, ViewOf(store, *stored, viewer, now_s));
  RR_RETURN_IF_ERROR(unit->Commit());
  return v;
}

Result<MeetingView> Practice::RemoveAgendaItem(const Viewer& viewer, int64_t meeting_id, int64_t item_id,
                                               const std::string& reason, int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  return EditItem(store_, viewer, meeting_id, item_id, ItemEdit::kRemove, reason, now_s, actor);
}

Result<MeetingView> Practice::RecordMinutes(const Viewer& viewer, int64_t meeting_id, int64_t item_id,
                                            const std::string& minutes, int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  return EditItem(store_, viewer, meeting_id, item_id, ItemEdit::kMinutes, minutes, now_s, actor);
}

Result<MeetingView> Practice::CloseMeeting(const Viewer& viewer, int64_t meeting_id, int64_t now_s,
                                           const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(MeetingGate g, OpenMeeting(store_, *unit, viewer, meeting_id, "meeting_close", actor));
  if (!g.refusal.ok()) return g.refusal;
  const store::MeetingRecord& m = *g.meeting;
  RR_ASSIGN_OR_RETURN(const bool set, practice_->UpdateMeetingStatus(meeting_id, "closed", m.version));
  if (!set) return Status::Internal("the meeting changed inside its own unit of work");
  // The panel's MASE listings over the meeting's children end with it; pending requests are withdrawn.
  std::set<int64_t> children;
  for (const auto& i : m.agenda) {
    if (i.person_id) children.insert(i.person_id);
  }
  const std::set<std::string> panel(m.panel.begin(), m.panel.end());
  int64_t ended = 0, withdrawn = 0;
  for (int64_t child : children) {
    RR_ASSIGN_OR_RETURN(const auto relationships, store_.ReadCareRelationships(child));
    for (const auto& r : relationships) {
      if (r.kind != "mase_listing" || !r.ended_at.empty() || !panel.count(r.user_name)) continue;
      RR_ASSIGN_OR_RETURN(const bool done, store_.SetCareRelationshipEnded(r.id, viewer.user_name));
      ended += done ? 1 : 0;
    }
  }
  RR_ASSIGN_OR_RETURN(const auto requests, store_.ListApprovalRequests(true));
  const std::string marker = "MASE meeting " + std::to_string(meeting_id) + " (";
  for (const auto& r : requests) {
    if (r.kind != store::ApprovalKind::kMaseListing || !children.count(r.person_id) || r.reason.rfind(marker, 0) != 0) {
      continue;
    }
    RR_ASSIGN_OR_RETURN(const bool done,
                        store_.SetApprovalState(r.id, "pending", "withdrawn", viewer.user_name, "the meeting closed"));
    withdrawn += done ? 1 : 0;
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "meeting_close", Target("meeting", meeting_id),
                                             {{"listings_ended", ended}, {"requests_withdrawn", withdrawn}}, "ok")));
  RR_ASSIGN_OR_RETURN(const auto stored, practice_->ReadMeeting(meeting_id));
  if (!stored) return Status::Internal("meeting vanished inside its own unit of work");
  RR_ASSIGN_OR_RETURN(MeetingView v, ViewOf(store_, *stored, viewer, now_s));
  RR_RETURN_IF_ERROR(unit->Commit());
  return v;
}

// ---------------------------------------------------------------- practitioner alerts

Result<std::vector<store::AlertRow>> Practice::ListMyAlerts(const Viewer& viewer, bool open_only, int64_t now_s,
                                                            const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const auto rows, practice_->ReadAlertsOf(viewer.user_name, open_only));
  std::vector<int64_t> people;
  for (const auto& a : rows) people.push_back(a.person_id);
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, people, cache_));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  std::vector<store::AlertRow> out;
  std::vector<int64_t> ids;
  for (const auto& a : rows) {
    if (!AlertVisible(a, classes, viewer, facts)) continue;
    out.push_back(a);
    ids.push_back(a.id);
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "list_my_alerts", "alerts:" + viewer.user_name, {{"open_only", open_only}, {"shown", ids}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::AlertRow> Practice::AcknowledgeAlert(const Viewer& viewer, int64_t alert_id, const std::string& note,
                                                   int64_t now_s, const store::Actor& actor) {
  RR_RETURN_IF_ERROR(Ready());
  RR_RETURN_IF_ERROR(practice::CheckText("note", note, 0, 1000));
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const std::string target = Target("alert", alert_id);
  RR_ASSIGN_OR_RETURN(const auto found, practice_->ReadAlertOf(alert_id, viewer.user_name));
  RR_ASSIGN_OR_RETURN(const RecordClasses classes, ClassesOf(store_, {found ? found->person_id : 0}));
  RR_ASSIGN_OR_RETURN(const auto facts, store_.ReadViewerAccessFacts(viewer, now_s));
  if (!found) {
    return Refuse(*unit, actor, "alert_acknowledge", target, json::object(), "not_found",
                  Status::NotFound("no such alert"));
  }
  if (!AlertVisible(*found, classes, viewer, facts)) {
    return Refuse(*unit, actor, "alert_acknowledge", target, json::object(), "refused",
                  Status::NotFound("no such alert"));
  }
  if (!found->acknowledged_at.empty()) {
    return Refuse(*unit, actor, "alert_acknowledge", target, json::object(), "already_acknowledged",
                  Status::Conflict("already acknowledged"));
  }
  RR_ASSIGN_OR_RETURN(const bool set, practice_->AcknowledgeAlert(alert_id, viewer.user_name, note));
  if (!set) return Status::Internal("the alert changed inside its own unit of work");
  RR_ASSIGN_OR_RETURN(const auto after, practice_->ReadAlertOf(alert_id, viewer.user_name));
  if (!after) return Status::Internal("alert vanished inside its own unit of work");
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "alert_acknowledge", target,
            {{"kind", after->kind}, {"person", after->person_id}, {"note_chars", note.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return *after;
}

Result<int64_t> Practice::OpenAlertCount(const Viewer& viewer, int64_t person_id) {
  RR_RETURN_IF_ERROR(Ready());
  return practice_->CountOpenAlerts(viewer.user_name, person_id);
}

}  // namespace riskradar::access

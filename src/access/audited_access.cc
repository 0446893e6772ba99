// AuditedAccess: need-to-know decisions and their audit events, over any backend (see audited_access.h).
#include "riskradar/access/audited_access.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>

#include "riskradar/core/hash.h"
#include "riskradar/core/text.h"

#include "audit_event.h"
#include "stand_in.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;

using internal::ChooseSubject;
using internal::Event;

std::string ReviewTarget(int64_t id) { return "review:" + std::to_string(id); }
std::string PairOf(const store::ReviewQueueItem& r) {
  return std::to_string(r.item.left_mention_id) + "-" + std::to_string(r.item.right_mention_id);
}

}  // namespace

std::optional<store::ChildView> FilterChildView(const store::ChildRecord& record, const Viewer& viewer,
                                                const ChildAccessFacts& facts) {
  store::ChildView view;
  view.person = VisibleIdentity(record.person, record.mentions, DecideMentions(record.mentions, viewer, facts));
  std::set<int64_t> visible_events;
  std::set<std::string> basis;
  bool all_visible = true;
  for (const store::ChildEventView& event : record.events) {
    const RecordAccess access = DecideRecordAccess(viewer, event.agency_code, event.record_class, facts);
    if (access == RecordAccess::kHidden) {
      all_visible = false;
      continue;
    }
    basis.insert(std::string(ToString(access)));
    visible_events.insert(event.event_id);
    view.events.push_back(event);
  }
  if (view.events.empty()) return std::nullopt;
  if (record.latest) {
    Assessment latest = *record.latest;
    latest.indicators.clear();
    for (const Indicator& indicator : record.latest->indicators) {
      bool shown = false;
      for (int64_t id : indicator.evidence_event_ids) shown = shown || visible_events.count(id) > 0;
      if (shown) latest.indicators.push_back(indicator);
    }
    if (!all_visible) latest.explanation.clear();
    view.latest = std::move(latest);
  }
  view.explanation_complete = all_visible;
  view.access_basis.assign(basis.begin(), basis.end());
  return view;
}

Result<store::ChildView> AuditedAccess::ReadChildView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                                      const store::Actor& actor) {
  const std::string target = internal::PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  // Issue 11 item 6: a missing id does the work of a hidden child (a stand-in record, its facts, the rule),
  // then the result is thrown away, so response times do not tell the two apart.
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject, ChooseSubject(store_, store::SubjectKind::kChild, person_id));
  std::optional<store::ChildRecord> record;
  if (subject.id != 0) {
    RR_ASSIGN_OR_RETURN(record, store_.ReadChildRecord(subject.id));
  }
  RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(viewer, subject.id, now_s));
  std::optional<store::ChildView> view;
  if (record) view = FilterChildView(*record, viewer, facts);
  if (!subject.exists) view.reset();
  if (!view) {
    // Missing and refused end the same way for the caller (an event with the same empty details); the audit
    // log's outcome tells them apart for IG review.
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "read_child", target, json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such child");
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
      actor, "read_child", target, {{"basis", view->access_basis}, {"events_shown", view->events.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*view);
}

Result<store::PersonSearchResult> AuditedAccess::SearchPeople(const store::PersonQuery& query, const Viewer& viewer,
                                                              int64_t now_s, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  store::PersonSearchResult out;
  if (MaySeeIdentifying(viewer.role)) {  // the rule hides every record from the other roles
    RR_ASSIGN_OR_RETURN(const store::ViewerAccessFacts facts, store_.ReadViewerAccessFacts(viewer, now_s));
    // A name is matched against the visible identity, so it needs every candidate's identity fields; without
    // one, visibility decides the count and only the page's people are read in full.
    const bool by_name = !query.name.empty();
    RR_ASSIGN_OR_RETURN(const std::vector<store::PersonRecord> candidates, store_.FindPersonRecords(query, by_name));
    out = FilterPersonSearch(candidates, query, viewer, facts);
    for (store::PersonSummary& shown : out.people) {
      if (by_name) break;
      RR_ASSIGN_OR_RETURN(const std::optional<store::PersonRecord> full, store_.ReadPersonRecord(shown.person.id));
      if (!full) return Status::Internal("a person vanished inside one unit of work");
      shown.person = VisibleIdentity(full->person, full->mentions,
                                     DecideMentions(full->mentions, viewer, facts.For(shown.person.id)));
    }
  }
  // The audit keeps a hash of the query, not the name typed: the IG lead can check a suspected search by
  // hashing the name, while the log itself does not become a list of searched names.
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "search_people", "people",
                              {{"query_hash", query.name.empty() ? std::string() : HashHex(AsciiLower(query.name))},
                               {"query_length", query.name.size()},
                               {"role", query.role},
                               {"limit", query.limit},
                               {"offset", query.offset},
                               {"results", out.total},
                               {"returned", out.people.size()}},
                              "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Result<store::PersonView> AuditedAccess::ReadPersonView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                                        const store::Actor& actor) {
  const std::string target = internal::PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  // As for the child view: a missing id does the work of a hidden person, then the result is thrown away.
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject,
                      ChooseSubject(store_, store::SubjectKind::kPerson, person_id));
  std::optional<store::PersonRecord> record;
  if (subject.id != 0) {
    RR_ASSIGN_OR_RETURN(record, store_.ReadPersonRecord(subject.id));
  }
  std::optional<store::PersonView> view;
  if (record) {
    RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(viewer, subject.id, now_s));
    view = FilterPersonView(*record, viewer, facts);
  }
  if (!subject.exists) view.reset();
  if (!view) {
    // Missing and refused end the same way for the caller; the audit log tells them apart for IG review.
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "read_person", target, json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such person");
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
      actor, "read_person", target,
      {{"basis", view->access_basis}, {"records_shown", view->records.size()}, {"links_shown", view->links.size()}},
      "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*view);
}

Result<PersonPriorityView> AuditedAccess::ReadPersonPriority(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                                             const store::Actor& actor) {
  const std::string target = internal::PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject,
                      ChooseSubject(store_, store::SubjectKind::kPerson, person_id));
  std::optional<PersonPriorityView> view;
  if (subject.id != 0) {
    RR_ASSIGN_OR_RETURN(const std::optional<store::PersonRecord> record, store_.ReadPersonRecord(subject.id));
    if (record) {
      RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(viewer, subject.id, now_s));
      RR_ASSIGN_OR_RETURN(const std::optional<store::PersonPriority> priority, store_.ReadPersonPriority(subject.id));
      view = FilterPersonPriority(*record, viewer, facts, priority);
    }
  }
  if (!subject.exists) view.reset();
  if (!view) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "read_person_priority", target, json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such person");
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_person_priority", target,
                                             {{"basis", view->access_basis},
                                              {"priority_shown", view->priority.has_value()},
                                              {"breakdown_shown", view->breakdown_complete}},
                                             "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*view);
}

Result<std::vector<PersonPriorityView>> AuditedAccess::ReadPriorityList(const Viewer& viewer, int64_t now_s,
                                                                        int64_t limit, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const store::NetworkOutput run, store_.LoadNetworks());
  std::vector<PersonPriorityView> shown;
  json ids = json::array();
  for (const store::PersonPriority& p : run.persons) {
    if (static_cast<int64_t>(shown.size()) >= limit) break;
    RR_ASSIGN_OR_RETURN(const std::optional<store::PersonRecord> record, store_.ReadPersonRecord(p.person_id));
    if (!record) continue;
    RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(viewer, p.person_id, now_s));
    std::optional<PersonPriorityView> view = FilterPersonPriority(*record, viewer, facts, p);
    if (!view) continue;
    ids.push_back(p.person_id);
    shown.push_back(std::move(*view));
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "list_person_priorities", "person_priorities", {{"limit", limit}, {"shown", ids}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return shown;
}

Result<std::vector<store::PlaceOfConcern>> AuditedAccess::ReadPlacesOfConcern(const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::PlacesOfConcernList list, store_.ListPlacesOfConcern());
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
      actor, "list_places", "places", {{"network_run", list.network_run}, {"places", list.places.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(list.places);
}

Result<store::PlaceView> AuditedAccess::ReadPlaceView(int64_t place_id, const Viewer& viewer, int64_t now_s,
                                                      const store::Actor& actor) {
  const std::string target = "place:" + std::to_string(place_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::optional<store::PlaceRecord> record, store_.ReadPlaceRecord(place_id));
  if (!record) {
    // A place that is not of concern answers like a missing one.
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_place", target, json::object(), "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such place");
  }
  store::ViewerAccessFacts facts;
  if (MaySeeIdentifying(viewer.role)) {
    RR_ASSIGN_OR_RETURN(facts, store_.ReadViewerAccessFacts(viewer, now_s));
  }
  store::PlaceView view = FilterPlaceView(*record, viewer, facts);
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "read_place", target,
                              {{"network_run", record->network_run}, {"people_shown", view.people.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return view;
}

Result<std::vector<store::NetworkSummary>> AuditedAccess::ReadNetworks(const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::NetworkList list, store_.ListNetworks());
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "list_networks", "networks",
                              {{"network_run", list.network_run}, {"networks", list.networks.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(list.networks);
}

Result<store::NetworkView> AuditedAccess::ReadNetworkView(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                                          const store::Actor& actor) {
  const std::string target = "network:" + std::to_string(network_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::optional<store::NetworkRecord> record, store_.ReadNetworkRecord(network_id));
  if (!record) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_network", target, json::object(), "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such network");
  }
  store::ViewerAccessFacts facts;
  if (MaySeeIdentifying(viewer.role)) {
    RR_ASSIGN_OR_RETURN(facts, store_.ReadViewerAccessFacts(viewer, now_s));
  }
  store::NetworkView view = FilterNetworkView(*record, viewer, facts);
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "read_network", target,
                              {{"network_run", record->network_run}, {"members_shown", view.members.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return view;
}

Result<store::ReviewQueuePage> AuditedAccess::ListReviewQueue(const Viewer& viewer, int64_t now_s, bool with_items,
                                                              int64_t limit, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::ReviewQueueRows rows, store_.ReadReviewQueue("pending", with_items));
  store::ReviewQueuePage page;
  page.pending_total = rows.pending_total;
  json ids = json::array();
  if (with_items) {
    RR_ASSIGN_OR_RETURN(const store::ViewerAccessFacts facts, store_.ReadViewerAccessFacts(viewer, now_s));
    for (store::ReviewQueueItem& r : rows.items) {
      if (!ReviewItemVisible(r, viewer, facts)) continue;
      ++page.visible_pending;
      if (static_cast<int64_t>(page.items.size()) < limit) {
        ids.push_back(r.id);
        page.items.push_back(std::move(r));
      }
    }
  }
  json details = {{"pending_total", page.pending_total}};
  if (with_items) {
    details["visible_pending"] = page.visible_pending;
    details["items"] = ids;
  } else {
    details["aggregate_only"] = true;
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "list_review", "review_queue", details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return page;
}

Result<store::ReviewItemDetail> AuditedAccess::ReadReviewItem(int64_t id, const Viewer& viewer, int64_t now_s,
                                                              const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  // As for the child view: a missing id does the work of a hidden item, then the result is thrown away.
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject, ChooseSubject(store_, store::SubjectKind::kReviewItem, id));
  std::optional<store::ReviewQueueItem> found;
  if (subject.id != 0) {
    RR_ASSIGN_OR_RETURN(found, store_.ReadReviewItemRow(subject.id));
  }
  bool visible = false;
  if (found) {
    RR_ASSIGN_OR_RETURN(const store::ViewerAccessFacts facts, store_.ReadViewerAccessFacts(viewer, now_s));
    visible = ReviewItemVisible(*found, viewer, facts) && subject.exists;
  }
  if (!visible) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "read_review", ReviewTarget(id), json::object(), subject.exists ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such review item");
  }
  store::ReviewItemDetail detail;
  detail.item = std::move(*found);
  auto model = store_.LatestLinkageModel();
  if (model.ok()) {
    detail.model_json = std::move(*model);
  } else if (model.status().code() != StatusCode::kNotFound) {
    return model.status();
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_review", ReviewTarget(id),
                                             {{"pair", PairOf(detail.item)}, {"version", detail.item.version}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return detail;
}

namespace {

Status CheckDecision(const store::ReviewDecisionRequest& request) {
  if (request.status != "confirmed" && request.status != "rejected") {
    return Status::InvalidArgument("a review decision is 'confirmed' or 'rejected', not '" + request.status + "'");
  }
  if (request.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("a review decision needs a reason");
  }
  return Status::Ok();
}

}  // namespace

Result<store::ReviewQueueRows> AuditedAccess::ListReviewPairs(std::string_view status, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::ReviewQueueRows rows, store_.ReadReviewQueue(status, true));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "list_review", "review_queue",
                                             {{"status", status.empty() ? "all" : std::string(status)},
                                              {"pending_total", rows.pending_total},
                                              {"pairs", rows.items.size()}},
                                             "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return rows;
}

Result<store::ReviewQueueItem> AuditedAccess::DecideReviewPair(const store::ReviewDecisionRequest& request,
                                                               const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckDecision(request));
  if (request.id != 0) return Status::InvalidArgument("an operator's decision names the pair's two mentions");
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(const std::optional<store::ReviewQueueItem> before,
                      store_.FindReviewPair(request.left_mention_id, request.right_mention_id));
  // A decided pair is not decided again (the API's 409): a second decision would silently replace the first
  // one's reason and author. The refusal is on record too.
  if (before && before->item.status != "pending") {
    const store::ReviewItem& b = before->item;
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, request.status == "confirmed" ? "review_confirm" : "review_reject",
              "link_review:" + std::to_string(b.left_mention_id) + "-" + std::to_string(b.right_mention_id),
              {{"reason", request.reason}, {"previous_status", b.status}, {"refusal", "already decided"}}, "refused")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::Conflict(
        fmt::format("pair {}-{} was already {} by {} at {} (\"{}\"); a decided pair is not "
                    "decided again",
                    b.left_mention_id, b.right_mention_id, b.status, b.decided_by, b.decided_at, b.reason));
  }
  RR_ASSIGN_OR_RETURN(store::ReviewQueueItem after, store_.SetReviewDecision(request, actor.user, NowUtcIso()));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
      actor, request.status == "confirmed" ? "review_confirm" : "review_reject",
      "link_review:" + std::to_string(after.item.left_mention_id) + "-" + std::to_string(after.item.right_mention_id),
      {{"reason", request.reason}, {"previous_status", before ? before->item.status : std::string("none")}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return after;
}

Result<store::ReviewDecisionResult> AuditedAccess::DecideReviewItem(const store::ReviewDecisionRequest& request,
                                                                    const Viewer& viewer, int64_t now_s,
                                                                    const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckDecision(request));
  if (request.id == 0) return Status::InvalidArgument("a review decision names the item");
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  store::ReviewDecisionResult result;
  // Refusals are committed with their audit event; the caller maps the outcome to an answer.
  auto refuse = [&](store::ReviewDecisionOutcome outcome, const char* audit_outcome,
                    const json& details) -> Result<store::ReviewDecisionResult> {
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(Event(actor, "review_decision", ReviewTarget(request.id), details, audit_outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    result.outcome = outcome;
    return result;
  };
  // As for reading an item: a missing id does the work of a hidden item before it is refused.
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject,
                      ChooseSubject(store_, store::SubjectKind::kReviewItem, request.id));
  std::optional<store::ReviewQueueItem> found;
  if (subject.id != 0) {
    RR_ASSIGN_OR_RETURN(found, store_.ReadReviewItemRow(subject.id));
  }
  RR_ASSIGN_OR_RETURN(const store::ViewerAccessFacts facts, store_.ReadViewerAccessFacts(viewer, now_s));
  const bool visible = found && ReviewItemVisible(*found, viewer, facts);
  if (!subject.exists) return refuse(store::ReviewDecisionOutcome::kNotFound, "not_found", json::object());
  if (!visible) return refuse(store::ReviewDecisionOutcome::kNotFound, "refused", json::object());
  result.item = *found;
  const json seen = {{"pair", PairOf(*found)},
                     {"expected_version", request.expected_version},
                     {"current_version", found->version},
                     {"status", found->item.status}};
  if (found->version != request.expected_version) return refuse(store::ReviewDecisionOutcome::kStale, "stale", seen);
  if (found->item.status != "pending") {
    return refuse(store::ReviewDecisionOutcome::kAlreadyDecided, "already_decided", seen);
  }
  RR_ASSIGN_OR_RETURN(store::ReviewQueueItem after, store_.SetReviewDecision(request, actor.user, NowUtcIso()));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
      actor, request.status == "confirmed" ? "review_confirm" : "review_reject", ReviewTarget(request.id),
      {{"pair", PairOf(after)}, {"reason", request.reason}, {"previous_status", "pending"}, {"version", after.version}},
      "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  result.outcome = store::ReviewDecisionOutcome::kDecided;
  result.item = std::move(after);
  return result;
}

Result<std::vector<store::AuditEvent>> AuditedAccess::ReadAuditEvents(const store::AuditQuery& query,
                                                                      const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::vector<store::AuditEvent> events, store_.QueryAuditEvents(query));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_audit", "audit_log",
                                             {{"user", query.user},
                                              {"action", query.action},
                                              {"from", query.from},
                                              {"to", query.to},
                                              {"before", query.before},
                                              {"limit", query.limit},
                                              {"scope", query.agency.empty() ? "partnership" : query.agency},
                                              {"events", events.size()}},
                                             "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return events;
}

Result<store::AuditCheck> AuditedAccess::VerifyAuditLog(const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(store::AuditCheck check, store_.VerifyAudit());
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "audit_verify", "audit_log",
                              {{"events", check.events}, {"problem", check.problem}}, check.ok ? "ok" : "failed")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return check;
}

Result<store::AuditCheckpointList> AuditedAccess::ReadAuditCheckpoints(const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::AuditCheckpointList list, store_.AuditCheckpoints());
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "read_audit_checkpoints", "audit_log", {{"checkpoints", list.kept.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return list;
}

Result<store::AuditProof> AuditedAccess::ReadAuditInclusionProof(int64_t seq, int64_t tree_size,
                                                                 const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::AuditProof proof, store_.AuditInclusionProof(seq, tree_size));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "audit_proof", "audit_log",
                                             {{"kind", "inclusion"}, {"seq", seq}, {"size", proof.tree_size}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return proof;
}

Result<store::AuditProof> AuditedAccess::ReadAuditConsistencyProof(int64_t old_size, int64_t new_size,
                                                                   const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(store::AuditProof proof, store_.AuditConsistencyProof(old_size, new_size));
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "audit_proof", "audit_log",
                              {{"kind", "consistency"}, {"old", old_size}, {"new", proof.tree_size}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return proof;
}

Result<std::vector<store::BatchInfo>> AuditedAccess::ReadImports(std::string_view agency_code,
                                                                 const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::vector<store::BatchInfo> all, store_.ListBatches());
  std::vector<store::BatchInfo> batches;
  for (store::BatchInfo& b : all) {
    if (agency_code.empty() || b.header.agency_code == agency_code) batches.push_back(std::move(b));
  }
  const std::string scope = agency_code.empty() ? std::string("*") : std::string(agency_code);
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "list_imports", "imports", {{"agency", scope}, {"batches", batches.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return batches;
}

Result<store::QuarantinePage> AuditedAccess::ReadQuarantine(int64_t batch_id, std::string_view agency_code,
                                                            int64_t limit, int64_t offset, const store::Actor& actor) {
  const std::string target = "import_batch:" + std::to_string(batch_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::optional<store::BatchInfo> batch, store_.FindBatch(batch_id));
  if (!batch || (!agency_code.empty() && batch->header.agency_code != agency_code)) {
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(Event(actor, "read_quarantine", target, json::object(), batch ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such import");
  }
  RR_ASSIGN_OR_RETURN(store::QuarantinePage page, store_.ListQuarantinePage(batch_id, limit, offset));
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "read_quarantine", target, {{"rows_shown", page.rows.size()}, {"total", page.total}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return page;
}

Result<store::QuarantinedRow> AuditedAccess::ReadQuarantinedRow(int64_t quarantine_id, const store::Actor& actor) {
  const std::string target = "quarantine:" + std::to_string(quarantine_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::vector<store::QuarantinedRow> rows, store_.ListQuarantine(0));
  for (store::QuarantinedRow& row : rows) {
    if (row.id != quarantine_id) continue;
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_quarantine", target, json::object(), "ok")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return std::move(row);
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_quarantine", target, json::object(), "not_found")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return Status::NotFound("no quarantined row " + std::to_string(quarantine_id));
}

Result<std::vector<store::QuarantinedRow>> AuditedAccess::ExportQuarantine(int64_t batch_id,
                                                                           const std::string& destination,
                                                                           const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::vector<store::QuarantinedRow> rows, store_.ListQuarantine(batch_id));
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "export_quarantine", destination, {{"batch", batch_id}, {"rows", rows.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return rows;
}

Result<std::pair<store::BatchInfo, std::vector<store::QuarantinedRow>>> AuditedAccess::ExportOpenQuarantine(
    int64_t batch_id, const std::string& destination, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::optional<store::BatchInfo> batch, store_.FindBatch(batch_id));
  if (!batch) {
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(Event(actor, "export_quarantine", destination, {{"batch", batch_id}}, "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no import batch " + std::to_string(batch_id));
  }
  RR_ASSIGN_OR_RETURN(std::vector<store::QuarantinedRow> all, store_.ListQuarantine(batch_id));
  std::vector<store::QuarantinedRow> open;
  for (store::QuarantinedRow& row : all) {
    if (row.open()) open.push_back(std::move(row));
  }
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "export_quarantine", destination,
                              {{"batch", batch_id}, {"rows", open.size()}, {"format", "source"}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::make_pair(std::move(*batch), std::move(open));
}

Status AuditedAccess::ResolveQuarantinedRow(int64_t quarantine_id, std::string_view reason, const store::Actor& actor) {
  if (reason.size() < 10 || reason.size() > 2000) {
    return Status::InvalidArgument("--reason: give a reason of 10 to 2000 characters for resolving a row by hand");
  }
  const std::string target = "quarantine:" + std::to_string(quarantine_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  const Status written = store_.ResolveQuarantinedRow(quarantine_id, actor.user, reason);
  if (!written.ok() && written.code() != StatusCode::kNotFound && written.code() != StatusCode::kFailedPrecondition) {
    return written;
  }
  const char* outcome = written.ok() ? "ok" : written.code() == StatusCode::kNotFound ? "not_found" : "refused";
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, "quarantine_resolve", target, {{"reason", std::string(reason)}}, outcome)));
  RR_RETURN_IF_ERROR(unit->Commit());
  return written;
}

RevertDecision DecideBatchRevert(const store::BatchInfo& batch, const store::BatchDependents& d, bool cascade) {
  RevertDecision out;
  if (batch.status != "complete") {
    out.reason = "import batch " + std::to_string(batch.id) + " is " + batch.status + ": there is nothing to revert";
    return out;
  }
  if (d.legal_holds > 0) {
    out.reason = "import batch " + std::to_string(batch.id) +
                 " is under a legal hold (on the batch, its agency or a person it names): release the hold first "
                 "(`riskradar hold list`)";
    return out;
  }
  if (d.any() && !cascade) {
    std::string what;
    auto add = [&](int64_t n, const char* label) {
      if (n > 0) what += (what.empty() ? "" : ", ") + std::to_string(n) + " " + label;
    };
    add(d.linked_mentions, "person mentions linked into people");
    add(d.people, "people");
    add(d.linked_place_mentions, "place mentions linked into places");
    add(d.review_pairs, "review items");
    add(d.event_links, "event links");
    add(d.disruptions, "disruptions recorded from its events");
    add(d.assessments, "assessments made since it landed");
    out.reason = "later stages depend on import batch " + std::to_string(batch.id) + " (" + what +
                 "); revert with --cascade to remove them too, then run link, assess and network again";
    return out;
  }
  out.allowed = true;
  return out;
}

Result<BatchRevertOutcome> AuditedAccess::RevertBatch(int64_t batch_id, bool cascade, const store::Actor& actor) {
  const std::string target = "import_batch:" + std::to_string(batch_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kWrite));
  RR_ASSIGN_OR_RETURN(std::optional<store::BatchInfo> batch, store_.FindBatch(batch_id));
  if (!batch) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "batch_revert", target, json::object(), "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no import batch " + std::to_string(batch_id));
  }
  BatchRevertOutcome out;
  out.batch = *batch;
  RR_ASSIGN_OR_RETURN(out.dependents, store_.ReadBatchDependents(batch_id));
  const store::BatchDependents& d = out.dependents;
  const json dependents = {{"linked_mentions", d.linked_mentions},
                           {"people", d.people},
                           {"linked_place_mentions", d.linked_place_mentions},
                           {"review_pairs", d.review_pairs},
                           {"event_links", d.event_links},
                           {"disruptions", d.disruptions},
                           {"assessments", d.assessments},
                           {"legal_holds", d.legal_holds}};
  const RevertDecision decision = DecideBatchRevert(*batch, d, cascade);
  if (!decision.allowed) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(
        Event(actor, "batch_revert", target,
              {{"cascade", cascade}, {"status", batch->status}, {"dependents", dependents}}, "refused")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::FailedPrecondition(decision.reason);
  }
  RR_ASSIGN_OR_RETURN(out.removed, store_.RevertBatch(batch_id));
  const store::BatchRevertCounts& c = out.removed;
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "batch_revert", target,
                                             {{"cascade", cascade},
                                              {"agency", batch->header.agency_code},
                                              {"file_hash", batch->header.file_hash},
                                              {"format", batch->header.format},
                                              {"dependents", dependents},
                                              {"removed",
                                               {{"source_records", c.source_records},
                                                {"person_mentions", c.person_mentions},
                                                {"place_mentions", c.place_mentions},
                                                {"events", c.events},
                                                {"quarantined", c.quarantined},
                                                {"quarantine_reopened", c.quarantine_reopened},
                                                {"people_erased", c.people_erased},
                                                {"assessments", c.assessments_removed},
                                                {"review_pairs", c.review_pairs},
                                                {"event_links", c.event_links},
                                                {"disruptions_unlinked", c.disruptions_unlinked}}}},
                                             "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

Status AuditedAccess::RecordRefusal(const store::Actor& actor, std::string_view action, std::string_view target) {
  // A read unit: nothing but the event is written, and it goes through the group-commit writer like a read's.
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_RETURN_IF_ERROR(
      unit->AppendAudit(Event(actor, std::string(action), std::string(target), json::object(), "forbidden")));
  return unit->Commit();
}

}  // namespace riskradar::access

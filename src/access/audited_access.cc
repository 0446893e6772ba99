// AuditedAccess: need-to-know decisions and their audit events, over any backend (see audited_access.h).
#include "riskradar/access/audited_access.h"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>

namespace riskradar::access {
namespace {

using json = nlohmann::json;

store::AuditEvent Event(const store::Actor& actor, std::string action, std::string target, const json& details,
                        std::string outcome) {
  store::AuditEvent e;
  e.actor = actor;
  e.action = std::move(action);
  e.target = std::move(target);
  e.details = details.dump();
  e.outcome = std::move(outcome);
  return e;
}

}  // namespace

std::optional<store::ChildView> FilterChildView(const store::ChildRecord& record, const Viewer& viewer,
                                                const ChildAccessFacts& facts) {
  store::ChildView view;
  view.person = record.person;
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
  const std::string target = "person:" + std::to_string(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::optional<store::ChildRecord> record, store_.ReadChildRecord(person_id));
  // Issue 11 item 6: a missing id does the work of a hidden child (a stand-in record, the facts, the rule),
  // then the result is thrown away, so response times do not tell the two apart.
  std::optional<store::ChildRecord> stand_in;
  if (!record) {
    RR_ASSIGN_OR_RETURN(stand_in, store_.ReadStandInChildRecord(person_id));
  }
  RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(viewer, person_id, now_s));
  std::optional<store::ChildView> view;
  if (record || stand_in) view = FilterChildView(record ? *record : *stand_in, viewer, facts);
  if (!record) view.reset();
  if (!view) {
    // Missing and refused end the same way for the caller (an event with the same empty details); the audit
    // log's outcome tells them apart for IG review.
    RR_RETURN_IF_ERROR(
        unit->AppendAudit(Event(actor, "read_child", target, json::object(), record ? "refused" : "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such child");
  }
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(
      actor, "read_child", target, {{"basis", view->access_basis}, {"events_shown", view->events.size()}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*view);
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

}  // namespace riskradar::access

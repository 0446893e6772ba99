// Professional judgement (issue 13 items 1, 3, 7): a child's assessment trajectory, screenings, overrides
// (If-Match on the child's latest assessment), the caseload, and case notes on a child, person or place. Every
// read and write goes through access/judgement.h (need-to-know, audited in the same unit of work).
#include <charconv>
#include <set>

#include "api.h"
#include "riskradar/access/child_explanation.h"
#include "riskradar/access/judgement.h"

namespace riskradar::server {
namespace {

constexpr const char* kJudgementPurpose = "safeguarding";

// A JSON object body, a repeated key at any depth refused (as ParseBody does).
Result<json> ParseJsonObject(const httplib::Request& req) {
  if (!IsJsonMediaType(req.get_header_value("Content-Type"))) {
    return Status::InvalidArgument("send JSON (Content-Type: application/json)");
  }
  std::vector<std::set<std::string>> keys_per_object;
  std::string repeated;
  const json::parser_callback_t track_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys_per_object.emplace_back();
    if (event == json::parse_event_t::object_end && !keys_per_object.empty()) keys_per_object.pop_back();
    if (event == json::parse_event_t::key && !keys_per_object.empty() && parsed.is_string() &&
        !keys_per_object.back().insert(parsed.get<std::string>()).second && repeated.empty()) {
      repeated = parsed.get<std::string>();
    }
    return true;
  };
  json body = json::parse(req.body, track_keys, false);
  if (!repeated.empty()) return Status::InvalidArgument("field '" + repeated.substr(0, 40) + "' given more than once");
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  return body;
}

Result<std::vector<store::ScreeningObservation>> ParseObservations(const json& body) {
  for (const auto& [key, value] : body.items()) {
    if (key != "observations") return Status::InvalidArgument("unexpected field '" + key.substr(0, 40) + "'");
  }
  const auto it = body.find("observations");
  if (it == body.end() || !it->is_array()) {
    return Status::InvalidArgument("observations: an array of {indicator, date, source} is required");
  }
  if (it->size() > access::kMaxObservations) {
    return Status::InvalidArgument("observations: at most " + std::to_string(access::kMaxObservations));
  }
  std::vector<store::ScreeningObservation> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& o = (*it)[i];
    const std::string where = "observations[" + std::to_string(i) + "]";
    if (!o.is_object()) return Status::InvalidArgument(where + ": must be an object {indicator, date, source}");
    for (const auto& [key, value] : o.items()) {
      if (key != "indicator" && key != "date" && key != "source") {
        return Status::InvalidArgument(where + ": unexpected field '" + key.substr(0, 40) + "'");
      }
      if (!value.is_string()) return Status::InvalidArgument(where + "." + key + ": must be a string");
    }
    for (const char* key : {"indicator", "date", "source"}) {
      if (!o.contains(key)) return Status::InvalidArgument(where + "." + key + ": required");
    }
    store::ScreeningObservation obs;
    obs.indicator = o["indicator"].get<std::string>();
    auto date = Date::ParseIso(o["date"].get<std::string>());
    if (!date.ok()) return Status::InvalidArgument(where + ".date: a date YYYY-MM-DD is required");
    obs.date = *date;
    obs.source = o["source"].get<std::string>();
    out.push_back(std::move(obs));
  }
  return out;
}

json DateOrNull(const std::optional<Date>& d) { return d ? json(d->ToIso()) : json(nullptr); }

json OverrideJson(const Assessment& a) {
  if (!a.override_level) return nullptr;
  return {{"level", ToString(*a.override_level)}, {"reason", a.override_reason}, {"by", a.override_by}};
}

json EntryJson(const store::AssessmentEntry& e, Date today) {
  const Assessment& a = e.assessment;
  return {{"id", a.id},
          {"date", a.as_of.ToIso()},
          {"kind", e.kind},
          {"model_version", a.model_version},
          {"level", ToString(access::LevelThatCounts(a))},
          {"model_level", ToString(a.level)},
          {"score", a.score},
          {"override", OverrideJson(a)},
          {"made_by", e.created_by},
          {"made_at", e.created_at},
          {"next_review", DateOrNull(a.next_review)},
          {"review_overdue", access::ReviewIsOverdue(a, today)}};
}

json ScreeningJson(const store::ScreeningRow& s) {
  json observations = json::array();
  for (const store::ScreeningObservation& o : s.observations) {
    observations.push_back({{"indicator", o.indicator}, {"date", o.date.ToIso()}, {"source", o.source}});
  }
  return {{"id", s.id},
          {"assessment_id", s.assessment_id},
          {"recorded_by", s.recorded_by},
          {"agency", s.agency_code},
          {"recorded_at", s.recorded_at},
          {"observations", observations}};
}

json NoteJson(const store::CaseNote& n) {
  return {{"id", n.id},
          {"subject", n.subject_kind},
          {"subject_id", n.subject_id},
          {"author", n.author},
          {"agency", n.agency_code},
          {"text", n.text},
          {"created_at", n.created_at}};
}

}  // namespace

void Server::Impl::ChildAssessments(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "child");
  if (!id.ok()) return SendError(res, id.status());
  const risk::ScreeningModel* model = access::ConfiguredScreeningModel();
  if (model == nullptr) return SendError(res, Status::Internal("the screening model could not be loaded"));
  auto t = access::JudgementAccess(*ctx.store, *model)
               .ReadTrajectory(*id, ctx.viewer(), Now(), ctx.actor(kJudgementPurpose));
  if (!t.ok()) return SendError(res, t.status());
  const Date today = Date::FromUnixSeconds(Now());
  json entries = json::array(), screenings = json::array();
  for (const store::AssessmentEntry& e : t->entries) entries.push_back(EntryJson(e, today));
  for (const store::ScreeningRow& s : t->screenings) screenings.push_back(ScreeningJson(s));
  json current = nullptr;
  if (!t->entries.empty()) {
    const Assessment& latest = t->entries.back().assessment;
    const Assessment* previous = t->entries.size() > 1 ? &t->entries[t->entries.size() - 2].assessment : nullptr;
    current = {{"assessment_id", latest.id},
               {"level", ToString(access::LevelThatCounts(latest))},
               {"model_level", ToString(latest.level)},
               {"overridden", latest.override_level.has_value()},
               {"trend", access::TrendName(previous, latest)},
               {"next_review", DateOrNull(latest.next_review)},
               {"review_overdue", access::ReviewIsOverdue(latest, today)}};
    res.set_header("ETag", ETag(latest.id));
  }
  SendJson(res, 200, {{"child_id", *id}, {"current", current}, {"assessments", entries}, {"screenings", screenings}});
}

void Server::Impl::ChildScreening(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "child");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseJsonObject(ctx.req);
  if (!body.ok()) return SendError(res, body.status());
  auto observations = ParseObservations(*body);
  if (!observations.ok()) return SendError(res, observations.status());
  const risk::ScreeningModel* model = access::ConfiguredScreeningModel();
  if (model == nullptr) return SendError(res, Status::Internal("the screening model could not be loaded"));
  auto entry = access::JudgementAccess(*ctx.store, *model)
                   .RecordScreening(*id, *observations, ctx.viewer(), Now(), ctx.actor(kJudgementPurpose));
  if (!entry.ok()) return SendError(res, entry.status());
  json out = EntryJson(*entry, Date::FromUnixSeconds(Now()));
  json indicators = json::array();
  for (const Indicator& i : entry->assessment.indicators) indicators.push_back(i.code);
  out["indicators"] = indicators;
  out["explanation"] = entry->assessment.explanation;
  res.set_header("ETag", ETag(entry->assessment.id));
  SendJson(res, 201, out);
}

void Server::Impl::ChildOverride(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "child");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(req, {"level", "reason", "next_review"});
  if (!body.ok()) return SendError(res, body.status());
  access::OverrideInput input;
  auto level = ParseRiskLevel((*body)["level"]);
  if (!level.ok()) {
    return SendError(res, Status::InvalidArgument("level: one of none, at_risk, significant, serious"));
  }
  input.level = *level;
  input.reason = (*body)["reason"];
  if (body->count("next_review")) {
    auto review = Date::ParseIso((*body)["next_review"]);
    if (!review.ok()) return SendError(res, Status::InvalidArgument("next_review: a date YYYY-MM-DD"));
    input.next_review = *review;
  }
  if (!req.has_header("If-Match")) {
    return SendHttpError(res, 428, "send If-Match with the ETag from GET /api/children/{id}/assessments");
  }
  input.expected_assessment_id = VersionFromIfMatch(req.get_header_value("If-Match")).value_or(-1);
  const risk::ScreeningModel* model = access::ConfiguredScreeningModel();
  if (model == nullptr) return SendError(res, Status::Internal("the screening model could not be loaded"));
  auto result = access::JudgementAccess(*ctx.store, *model)
                    .OverrideLevel(*id, input, ctx.viewer(), Now(), ctx.actor(kJudgementPurpose));
  if (!result.ok() && result.status().code() == StatusCode::kConflict) {
    return SendHttpError(res, 409, "the child has no assessment to override: record a screening first");
  }
  if (!result.ok()) return SendError(res, result.status());
  switch (result->outcome) {
    case access::OverrideOutcome::kNotFound:
      return SendError(res, Status::NotFound("no such child"));
    case access::OverrideOutcome::kStale:
      res.set_header("ETag", ETag(result->current_assessment_id));
      return SendHttpError(res, 412, "the child's assessment has changed since you read it; read it again first");
    case access::OverrideOutcome::kOverridden:
      break;
  }
  res.set_header("ETag", ETag(result->current_assessment_id));
  SendJson(res, 201, EntryJson(*result->entry, Date::FromUnixSeconds(Now())));
}

void Server::Impl::Caseload(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  const risk::ScreeningModel* model = access::ConfiguredScreeningModel();
  if (model == nullptr) return SendError(res, Status::Internal("the screening model could not be loaded"));
  auto c = access::JudgementAccess(*ctx.store, *model, &person_cache)
               .ReadCaseload(ctx.viewer(), Now(), ctx.actor(kJudgementPurpose));
  if (!c.ok()) return SendError(res, c.status());
  json rows = json::array();
  for (const access::CaseloadRow& r : c->rows) {
    json row = {{"child_id", r.person_id},        {"name", r.name},
                {"allocated_to", r.allocated_to}, {"level", nullptr},
                {"model_level", nullptr},         {"override", nullptr},
                {"assessed_on", nullptr},         {"trend", r.trend.empty() ? json(nullptr) : json(r.trend)},
                {"next_review", nullptr},         {"review_overdue", r.review_overdue},
                {"open_alerts", r.open_alerts}};
    if (r.latest) {
      row["level"] = ToString(access::LevelThatCounts(*r.latest));
      row["model_level"] = ToString(r.latest->level);
      row["override"] = OverrideJson(*r.latest);
      row["assessed_on"] = r.latest->as_of.ToIso();
      row["next_review"] = DateOrNull(r.latest->next_review);
    }
    rows.push_back(std::move(row));
  }
  SendJson(res, 200, {{"scope", c->scope}, {"children", rows}, {"hidden", c->hidden}});
}

void Server::Impl::NotesList(RouteContext& ctx, const char* kind) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", kind);
  if (!id.ok()) return SendError(res, id.status());
  const risk::ScreeningModel* model = access::ConfiguredScreeningModel();
  if (model == nullptr) return SendError(res, Status::Internal("the screening model could not be loaded"));
  auto notes = access::JudgementAccess(*ctx.store, *model)
                   .ReadCaseNotes(kind, *id, ctx.viewer(), Now(), ctx.actor(kJudgementPurpose));
  if (!notes.ok()) return SendError(res, notes.status());
  json list = json::array();
  for (const store::CaseNote& n : *notes) list.push_back(NoteJson(n));
  SendJson(res, 200, {{"subject", kind}, {"subject_id", *id}, {"notes", list}});
}

void Server::Impl::NoteCreate(RouteContext& ctx, const char* kind) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", kind);
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(ctx.req, {"text"});
  if (!body.ok()) return SendError(res, body.status());
  if (!body->count("text")) return SendError(res, Status::InvalidArgument("text: required"));
  const risk::ScreeningModel* model = access::ConfiguredScreeningModel();
  if (model == nullptr) return SendError(res, Status::Internal("the screening model could not be loaded"));
  auto note = access::JudgementAccess(*ctx.store, *model)
                  .AddCaseNote(kind, *id, (*body)["text"], ctx.viewer(), Now(), ctx.actor(kJudgementPurpose));
  if (!note.ok()) return SendError(res, note.status());
  SendJson(res, 201, NoteJson(*note));
}

}  // namespace riskradar::server

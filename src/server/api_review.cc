// The linkage review queue: pending possible links under need-to-know (both records visible), one item with
// the match-weight waterfall of the newest linkage model, and decisions guarded by If-Match (ETag = version).
#include <charconv>

#include "api.h"
#include "query_params.h"
#include "riskradar/linkage/engine.h"
#include "riskradar/linkage/person.h"
#include "riskradar/linkage/waterfall.h"

namespace riskradar::server {
namespace {

constexpr const char* kReviewPurpose = "linkage review";

json BriefMention(const store::ReviewMention& m) {
  return {{"mention_id", m.mention_id},
          {"person_id", m.person_id},
          {"agency", m.agency_code},
          {"record_class", m.record_class},
          {"name", m.forename + (m.forename.empty() || m.surname.empty() ? "" : " ") + m.surname},
          {"dob", m.dob ? json(m.dob->ToIso()) : json(nullptr)}};
}

// Every field the model compares: a reviewer cannot judge a pair without them (shown for one item only).
json FullMention(const store::ReviewMention& m) {
  return {{"mention_id", m.mention_id},
          {"person_id", m.person_id},
          {"agency", m.agency_code},
          {"record_class", m.record_class},
          {"local_id", m.local_id},
          {"forename", m.forename},
          {"surname", m.surname},
          {"dob", m.dob ? json(m.dob->ToIso()) : json(nullptr)},
          {"sex", m.sex},
          {"postcode", m.postcode},
          {"nhs_number", m.nhs_number},
          {"upn", m.upn}};
}

json ItemSummary(const store::ReviewQueueItem& r) {
  return {{"id", r.id},
          {"version", r.version},
          {"status", r.item.status},
          {"match_weight", r.item.match_weight},
          {"match_probability", r.item.match_probability},
          {"left", BriefMention(r.left)},
          {"right", BriefMention(r.right)}};
}

json DecisionFields(const store::ReviewQueueItem& r) {
  return {{"reason", r.item.reason},
          {"decided_by", r.item.decided_by},
          {"decided_at", r.item.decided_at.empty() ? json(nullptr) : json(r.item.decided_at)}};
}

linkage::PersonRecord ToPersonRecord(const store::ReviewMention& m) {
  linkage::PersonRecord p;
  p.id = m.mention_id;
  p.source = m.agency_code;
  p.forename = m.forename;
  p.surname = m.surname;
  p.dob = m.dob;
  auto sex = ParseSex(m.sex);
  p.sex = sex.ok() ? *sex : Sex::kUnknown;
  p.postcode = m.postcode;
  p.nhs_number = m.nhs_number;
  p.upn = m.upn;
  return p;
}

// The waterfall of the newest linkage model for this pair (as `riskradar explain`), or null without a model.
json Explanation(const store::ReviewItemDetail& d) {
  if (d.model_json.empty()) return nullptr;
  auto model = linkage::ModelFromJson(d.model_json);
  if (!model.ok()) return nullptr;
  const auto contributions =
      model->Explain(linkage::ToRecord(ToPersonRecord(d.item.left)), linkage::ToRecord(ToPersonRecord(d.item.right)));
  return linkage::WaterfallJson(contributions);
}

}  // namespace

void Server::Impl::ReviewList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto limit = QueryInt(ctx.req, "limit", 50, 1, 200);
  if (!limit.ok()) return SendError(res, limit.status());
  // Analysts see the queue's size only: deciding who is who is practitioners' and managers' work.
  const bool items = ctx.user().role != Role::kAnalyst;
  auto page = ctx.audited().ListReviewQueue(ctx.viewer(), Now(), items, *limit, ctx.actor(kReviewPurpose));
  if (!page.ok()) return SendError(res, page.status());
  json out = {{"pending_total", page->pending_total}, {"aggregate_only", !items}};
  if (items) {
    json list = json::array();
    for (const auto& r : page->items) list.push_back(ItemSummary(r));
    out["visible_pending"] = page->visible_pending;
    out["items"] = list;
  }
  SendJson(res, 200, out);
}

void Server::Impl::ReviewRead(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "review item");
  if (!id.ok()) return SendError(res, id.status());
  auto d = ctx.audited().ReadReviewItem(*id, ctx.viewer(), Now(), ctx.actor(kReviewPurpose));
  if (!d.ok()) return SendError(res, d.status());
  const store::ReviewQueueItem& r = d->item;
  json out = ItemSummary(r);
  out.update(DecisionFields(r));
  out["left"] = FullMention(r.left);
  out["right"] = FullMention(r.right);
  out["same_person"] = r.left.person_id != 0 && r.left.person_id == r.right.person_id;
  out["explanation"] = Explanation(*d);
  res.set_header("ETag", ETag(r.version));
  SendJson(res, 200, out);
}

void Server::Impl::ReviewDecide(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "review item");
  if (!id.ok()) return SendError(res, id.status());
  auto body = ParseBody(req, {"decision", "reason"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string decision = (*body)["decision"], reason = (*body)["reason"];
  if (decision != "confirm" && decision != "reject") {
    return SendError(res, Status::InvalidArgument("decision is 'confirm' or 'reject'"));
  }
  if (reason.size() < 10 || reason.size() > 2000) {
    return SendError(res, Status::InvalidArgument("give a reason of 10 to 2000 characters for the decision"));
  }
  if (!req.has_header("If-Match")) {
    return SendHttpError(res, 428, "send If-Match with the ETag from GET /api/review/{id}");
  }
  store::ReviewDecisionRequest request;
  request.id = *id;
  request.expected_version = VersionFromIfMatch(req.get_header_value("If-Match")).value_or(0);
  request.status = decision == "confirm" ? "confirmed" : "rejected";
  request.reason = reason;
  auto result = ctx.audited().DecideReviewItem(request, ctx.viewer(), Now(), ctx.actor(kReviewPurpose));
  if (!result.ok()) return SendError(res, result.status());
  const store::ReviewQueueItem& r = result->item;
  switch (result->outcome) {
    case store::ReviewDecisionOutcome::kNotFound:
      return SendError(res, Status::NotFound("no such review item"));
    case store::ReviewDecisionOutcome::kStale:
      res.set_header("ETag", ETag(r.version));
      return SendHttpError(res, 412, "the item has changed since you read it; read it again before deciding");
    case store::ReviewDecisionOutcome::kAlreadyDecided:
      res.set_header("ETag", ETag(r.version));
      return SendHttpError(res, 409, "the item has already been decided");
    case store::ReviewDecisionOutcome::kDecided:
      break;
  }
  json out = ItemSummary(r);
  out.update(DecisionFields(r));
  res.set_header("ETag", ETag(r.version));
  SendJson(res, 200, out);
}

}  // namespace riskradar::server

// The radar, a child's cross-agency view (need-to-know, audited in the same transaction) and break-glass.
#include <iostream>
#include <optional>
#include <string>

#include "api.h"
#include "query_params.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/child_explanation.h"
#include "riskradar/access/governance.h"

namespace riskradar::server {

void Server::Impl::Radar(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  // An aggregate without personal data (docs/architecture.md): read from the store contract directly, not
  // audited (docs/security.md). Served from the cache while nothing it counts has changed.
  auto generation = ctx.store->RadarGeneration();
  if (!generation.ok()) return SendError(res, generation.status());
  if (std::optional<std::string> body = radar_cache.Find(*generation)) {
    res.status = 200;
    res.set_content(*body, "application/json");
    return;
  }
  auto counts = ctx.store->ReadRadarCounts();
  if (!counts.ok()) return SendError(res, counts.status());
  json by_level = json::object(), by_district = json::object(), rows = json::array();
  int64_t total = 0;
  for (const auto& c : counts->cells) {
    by_level[c.level] = by_level.value(c.level, int64_t{0}) + c.children;
    by_district[c.district][c.level] = c.children;
    rows.push_back({{"district", c.district}, {"level", c.level}, {"children", c.children}});
    total += c.children;
  }
  std::string body =
      json{{"children", total}, {"by_level", by_level}, {"by_district", by_district}, {"cells", rows}}.dump();
  radar_cache.Put(counts->generation, body);
  res.status = 200;
  res.set_content(body, "application/json");
}

void Server::Impl::Child(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  auto child_id = ctx.params.Id("id", "child");
  if (!child_id.ok()) return SendError(res, child_id.status());
  const int64_t id = *child_id;
  auto view = access::AuditedAccess(s).ReadChildView(id, ViewerFor(su.user), Now(), ActorFor(su.user));
  if (!view.ok()) return SendError(res, view.status());
  const store::ChildView& v = *view;
  json person = {{"id", v.person.id},
                 {"name", v.person.display_name},
                 {"dob", v.person.dob ? json(v.person.dob->ToIso()) : json(nullptr)},
                 {"sex", ToString(v.person.sex)},
                 {"district", v.person.district}};
  // The assessment with the evidence behind each visible indicator and what would change the level
  // (access/child_explanation.h), the same structure `riskradar explain child --json` prints.
  json assessment = nullptr;
  if (v.latest) assessment = access::ExplanationJson(access::ExplainChild(v, access::ConfiguredScreeningModel()));
  json events = json::array();
  for (const auto& e : v.events) {
    events.push_back({{"id", e.event_id},
                      {"date", e.date.ToIso()},
                      {"kind", e.kind},
                      {"category", e.category},
                      {"detail", e.detail},
                      {"agency", e.agency_code},
                      {"record_class", e.record_class}});
  }
  SendJson(res, 200,
           {{"person", person},
            {"assessment", assessment},
            {"explanation_complete", v.explanation_complete},
            {"events", events},
            {"access_basis", v.access_basis}});
}

void Server::Impl::BreakGlass(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  store::Store& s = *ctx.store;
  const store::SessionUser& su = *ctx.session;
  auto child_id = ctx.params.Id("id", "child");
  if (!child_id.ok()) return SendError(res, child_id.status());
  const int64_t id = *child_id;
  auto body = ParseBody(req, {"reason"});
  if (!body.ok()) return SendError(res, body.status());
  const std::string reason = (*body)["reason"];
  if (reason.size() < 10 || reason.size() > 2000) {
    return SendError(res, Status::InvalidArgument("give a reason of 10 to 2000 characters for break-glass access"));
  }
  // A grant is recorded whatever the id: answering differently for a missing child would leak existence.
  auto grant = s.GrantBreakGlass(ViewerFor(su.user), id, reason, Now(), options.break_glass_ttl_s,
                                 ActorFor(su.user, "break-glass"));
  if (!grant.ok()) return SendError(res, grant.status());
  std::cerr << "serve: ALERT break-glass grant " << grant->id << " by " << su.user.name << " (" << su.user.agency_code
            << "); listed for IG review\n";
  SendJson(res, 201,
           {{"grant", grant->id},
            {"person_id", id},
            {"expires_at_s", grant->expires_at_s},
            {"review", "listed for the information-governance lead"}});
}

void Server::Impl::BreakGlassList(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  store::Store* lease = ctx.store;
  const store::SessionUser* su = ctx.session;
  auto list = access::Governance(*lease).ListBreakGlass(ViewerFor(su->user), QueryText(req, "scope"),
                                                        options.partnership_ig_agencies, QueryText(req, "all") != "1",
                                                        ActorFor(su->user, "information governance review"));
  if (!list.ok()) return SendError(res, list.status());
  json out = json::array();
  for (const auto& g : list->grants) {
    out.push_back({{"id", g.id},
                   {"user", g.user_name},
                   {"agency", g.agency_code},
                   {"person_id", g.person_id},
                   {"reason", g.reason},
                   {"granted_at", g.granted_at},
                   {"expires_at_s", g.expires_at_s},
                   {"reviewed_by", g.reviewed_by},
                   {"reviewed_at", g.reviewed_at}});
  }
  SendJson(res, 200, {{"grants", out}, {"scope", list->scope}});
}

}  // namespace riskradar::server

// The VOLT graph over HTTP: a person's ego network (nodes and edges, Cytoscape's shape) and one network's
// offender priorities. Function level: the route table (roles that may see identities); record level: the
// access layer masks every person the caller may not see and audits each read.
#include "api.h"
#include "query_params.h"
#include "riskradar/access/audited_access.h"

namespace riskradar::server {

void Server::Impl::PersonNetwork(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "person");
  if (!id.ok()) return SendError(res, id.status());
  auto hops = QueryInt(ctx.req, "hops", 1, 1, access::kMaxEgoHops);
  if (!hops.ok()) return SendError(res, hops.status());
  auto graph = ctx.audited().ReadEgoNetwork(*id, static_cast<int>(*hops), ctx.viewer(), Now(), ctx.actor());
  if (!graph.ok()) return SendError(res, graph.status());
  json body = access::NetworkGraphJson(*graph);
  body["person"] = *id;
  body["hops"] = *hops;
  SendJson(res, 200, body);
}

void Server::Impl::NetworkPriorityList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "network");
  if (!id.ok()) return SendError(res, id.status());
  auto list = ctx.audited().ReadNetworkPriorities(*id, ctx.viewer(), Now(), ctx.actor());
  if (!list.ok()) return SendError(res, list.status());
  json people = json::array();
  for (const auto& view : list->people) people.push_back(access::PersonPriorityJson(view));
  SendJson(res, 200, {{"network", list->network_id}, {"people", people}, {"hidden", list->hidden}});
}

}  // namespace riskradar::server

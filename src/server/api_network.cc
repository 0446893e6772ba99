// The VOLT graph over HTTP: a person's ego network and one network's graph (nodes and edges, Cytoscape's
// shape), their GraphML downloads (masked as the JSON), and one network's offender priorities. Function level: the
// route table (roles that may see identities); record level: the access layer masks every person the caller may not see
// and audits each read.
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

void Server::Impl::NetworkGraph(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "network");
  if (!id.ok()) return SendError(res, id.status());
  auto graph = ctx.audited().ReadNetworkGraph(*id, ctx.viewer(), Now(), ctx.actor());
  if (!graph.ok()) return SendError(res, graph.status());
  json body = access::NetworkGraphJson(*graph);
  body["network"] = *id;
  SendJson(res, 200, body);
}

namespace {

// format=graphml (the one download format over HTTP; CSV stays with the CLI).
Status CheckGraphFormat(const httplib::Request& req) {
  const std::string format = QueryText(req, "format");
  if (format != "graphml")
    return Status::InvalidArgument("format: graphml is the download format, got '" + format + "'");
  return Status::Ok();
}

void SendGraphMl(httplib::Response& res, const access::NetworkGraph& graph, const std::string& file_name) {
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  res.set_content(access::NetworkGraphMl(graph), "application/graphml+xml");
}

}  // namespace

void Server::Impl::NetworkExport(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "network");
  if (!id.ok()) return SendError(res, id.status());
  if (Status s = CheckGraphFormat(ctx.req); !s.ok()) return SendError(res, s);
  access::GraphExportRequest request;
  request.scope = "network";
  request.id = *id;
  request.format = "graphml";
  request.destination = "network:" + std::to_string(*id);  // the audit target: a download, to the caller
  request.numbered_stand_ins = true;
  auto graph = ctx.audited().ExportNetworkGraph(request, ctx.viewer(), Now(), ctx.actor());
  if (!graph.ok()) return SendError(res, graph.status());
  SendGraphMl(res, *graph, "network-" + std::to_string(*id) + ".graphml");
}

void Server::Impl::PersonNetworkExport(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "person");
  if (!id.ok()) return SendError(res, id.status());
  auto hops = QueryInt(ctx.req, "hops", 1, 1, access::kMaxEgoHops);
  if (!hops.ok()) return SendError(res, hops.status());
  if (Status s = CheckGraphFormat(ctx.req); !s.ok()) return SendError(res, s);
  access::GraphExportRequest request;
  request.scope = "person";
  request.id = *id;
  request.hops = static_cast<int>(*hops);
  request.format = "graphml";
  request.destination = "person:" + std::to_string(*id);  // the audit target: a download, to the caller
  request.numbered_stand_ins = true;
  auto graph = ctx.audited().ExportNetworkGraph(request, ctx.viewer(), Now(), ctx.actor());
  if (!graph.ok()) return SendError(res, graph.status());
  SendGraphMl(res, *graph, "person-" + std::to_string(*id) + "-network.graphml");
}

}  // namespace riskradar::server

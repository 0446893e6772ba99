// The audited reads of the VOLT graph: a person's ego network, an export's graph, a network's priorities (see
// audited_access.h and network_graph.h).
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "audit_event.h"
#include "riskradar/access/audited_access.h"
#include "stand_in.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;
using internal::ChooseSubject;
using internal::Event;

struct EgoEdges {
  std::vector<store::NetworkEdge> edges;
  bool truncated = false;
};

// Breadth first from `centre` through people (a place is a leaf: a hotel seen by hundreds does not join them
// all), `hops` steps, at most kMaxGraphPeople people; then every edge among the people reached and their places.
Result<EgoEdges> ReadEgoEdges(store::Store& store, int64_t centre, int hops) {
  std::set<int64_t> reached = {centre};
  std::vector<int64_t> frontier = {centre};
  EgoEdges out;
  for (int hop = 0; hop < hops && !frontier.empty() && !out.truncated; ++hop) {
    RR_ASSIGN_OR_RETURN(const std::vector<store::NetworkEdge> edges, store.ReadNetworkEdges(frontier));
    std::set<int64_t> next;
    for (const store::NetworkEdge& e : edges) {
      if (!reached.contains(e.a)) next.insert(e.a);
      if (e.kind != "person_place" && !reached.contains(e.b)) next.insert(e.b);
    }
    frontier.clear();
    for (int64_t p : next) {  // by id, so a truncated network is the same on every read
      if (reached.size() >= kMaxGraphPeople) {
        out.truncated = true;
        break;
      }
      reached.insert(p);
      frontier.push_back(p);
    }
  }
  const std::vector<int64_t> people(reached.begin(), reached.end());
  RR_ASSIGN_OR_RETURN(const std::vector<store::NetworkEdge> all, store.ReadNetworkEdges(people));
  out.edges = EdgesWithin(all, people);
  return out;
}

// The rows BuildNetworkGraph masks: the people's records, levels and priorities, the places, the viewer's facts.
Result<GraphFacts> ReadGraphFacts(store::Store& store, std::vector<store::NetworkEdge> edges, int64_t centre,
                                  const Viewer& viewer, int64_t now_s) {
  GraphFacts facts;
  facts.edges = std::move(edges);
  facts.centre = centre;
  std::set<int64_t> people, places;
  if (centre != 0) people.insert(centre);
  for (const store::NetworkEdge& e : facts.edges) {
    people.insert(e.a);
    (e.kind == "person_place" ? places : people).insert(e.b);
  }
  for (int64_t id : people) {
    RR_ASSIGN_OR_RETURN(std::optional<store::PersonRecord> record, store.ReadPersonRecord(id));
    if (record) facts.people.emplace(id, std::move(*record));
    RR_ASSIGN_OR_RETURN(std::optional<store::PersonPriority> priority, store.ReadPersonPriority(id));
    if (priority) facts.priorities.emplace(id, std::move(*priority));
  }
  RR_ASSIGN_OR_RETURN(facts.levels, store.ReadLatestLevels({people.begin(), people.end()}));
  RR_ASSIGN_OR_RETURN(facts.places, store.ReadPlaces({places.begin(), places.end()}));
  if (MaySeeIdentifying(viewer.role)) {
    RR_ASSIGN_OR_RETURN(facts.viewer_facts, store.ReadViewerAccessFacts(viewer, now_s));
  }
  return facts;
}

// The edges among one network's members (its people, and its places' person_place edges); nullopt when the
// latest run has no such network.
Result<std::optional<std::vector<store::NetworkEdge>>> NetworkEdges(store::Store& store, int64_t network_id) {
  RR_ASSIGN_OR_RETURN(const std::optional<store::NetworkRecord> record, store.ReadNetworkRecord(network_id));
  if (!record) return std::optional<std::vector<store::NetworkEdge>>();
  std::vector<int64_t> people;
  std::set<int64_t> places;
  for (const auto& [kind, id] : record->members) {
    if (kind == "place") {
      places.insert(id);
    } else {
      people.push_back(id);
    }
  }
  std::sort(people.begin(), people.end());
  RR_ASSIGN_OR_RETURN(const std::vector<store::NetworkEdge> around, store.ReadNetworkEdges(people));
  std::vector<store::NetworkEdge> edges;
  for (const store::NetworkEdge& e : EdgesWithin(around, people)) {
    if (e.kind != "person_place" || places.contains(e.b)) edges.push_back(e);
  }
  return std::optional<std::vector<store::NetworkEdge>>(std::move(edges));
}

json GraphCounts(const NetworkGraph& graph) {
  int64_t identified = 0;
  for (const GraphNode& n : graph.nodes) identified += n.identified;
  return {{"nodes", graph.nodes.size()},
          {"edges", graph.edges.size()},
          {"identified", identified},
          {"truncated", graph.truncated}};
}

Status CheckHops(int hops) {
  if (hops < 1 || hops > kMaxEgoHops) {
    return Status::InvalidArgument(fmt::format("hops must be 1 to {}, got {}", kMaxEgoHops, hops));
  }
  return Status::Ok();
}

// The centre of a person-scoped graph as the rule sees it: NotFound (with the audit outcome) when the person
// is missing or has no record the viewer may see; the ego graph otherwise. A stand-in's graph is built too.
struct EgoRead {
  std::optional<NetworkGraph> graph;
  std::string outcome;  // ok | refused | not_found
};
Result<EgoRead> ReadEgo(store::Store& store, int64_t person_id, int hops, const Viewer& viewer, int64_t now_s,
                        Masking masking, const std::function<std::string(std::string_view, int64_t)>& pseudonym) {
  RR_ASSIGN_OR_RETURN(const store::SubjectChoice subject, ChooseSubject(store, store::SubjectKind::kPerson, person_id));
  EgoRead out;
  out.outcome = subject.exists ? "refused" : "not_found";
  if (subject.id == 0) return out;
  RR_ASSIGN_OR_RETURN(const std::optional<store::PersonRecord> record, store.ReadPersonRecord(subject.id));
  if (!record) return out;
  RR_ASSIGN_OR_RETURN(const ChildAccessFacts centre_facts, store.ReadChildAccessFacts(viewer, subject.id, now_s));
  const bool visible = FilterPersonView(*record, viewer, centre_facts).has_value();
  RR_ASSIGN_OR_RETURN(EgoEdges ego, ReadEgoEdges(store, subject.id, hops));
  RR_ASSIGN_OR_RETURN(const GraphFacts facts, ReadGraphFacts(store, std::move(ego.edges), subject.id, viewer, now_s));
  NetworkGraph graph = BuildNetworkGraph(facts, viewer, masking, pseudonym);
  graph.truncated = ego.truncated;
  if (subject.exists && visible) {
    out.graph = std::move(graph);
    out.outcome = "ok";
  }
  return out;
}

}  // namespace

Result<NetworkGraph> AuditedAccess::ReadEgoNetwork(int64_t person_id, int hops, const Viewer& viewer, int64_t now_s,
                                                   const store::Actor& actor) {
  RR_RETURN_IF_ERROR(CheckHops(hops));
  const std::string target = internal::PersonTarget(person_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(EgoRead read, ReadEgo(store_, person_id, hops, viewer, now_s, Masking::kNeedToKnow, nullptr));
  if (!read.graph) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_person_network", target, {{"hops", hops}}, read.outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such person");
  }
  json details = GraphCounts(*read.graph);
  details["hops"] = hops;
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_person_network", target, details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*read.graph);
}

Result<NetworkGraph> AuditedAccess::ExportNetworkGraph(const GraphExportRequest& request, const Viewer& viewer,
                                                       int64_t now_s, const store::Actor& actor) {
  if (request.scope != "all" && request.scope != "network" && request.scope != "person") {
    return Status::InvalidArgument("export scope is all, network or person, got '" + request.scope + "'");
  }
  if (request.scope == "person") RR_RETURN_IF_ERROR(CheckHops(request.hops));
  json details = {
      {"scope", request.scope}, {"id", request.id}, {"format", request.format}, {"identities", request.identities}};
  if (request.scope == "person") details["hops"] = request.hops;
  if (request.numbered_stand_ins) details["stand_ins"] = "numbered";
  if ((request.identities || request.numbered_stand_ins) && !MaySeeIdentifying(viewer.role)) {
    RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "export_network", request.destination, details, "forbidden")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::PermissionDenied(
        fmt::format("--identities: the role {} may not see identities; export without it "
                    "for pseudonyms",
                    ToString(viewer.role)));
  }
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  // The API's download is masked as its JSON is: numbered stand-ins, never the export key's stable pseudonyms
  // (which would let a caller follow one hidden person from download to download).
  std::string key;
  std::function<std::string(std::string_view, int64_t)> pseudonym;
  if (!request.numbered_stand_ins) {
    RR_ASSIGN_OR_RETURN(key, store_.ReadExportKey());
    pseudonym = [&key](std::string_view kind, int64_t id) { return Pseudonym(key, kind, id); };
  }
  const Masking masking =
      request.identities || request.numbered_stand_ins ? Masking::kNeedToKnow : Masking::kPseudonyms;
  std::optional<NetworkGraph> graph;
  std::string outcome = "ok";
  if (request.scope == "person") {
    RR_ASSIGN_OR_RETURN(EgoRead read, ReadEgo(store_, request.id, request.hops, viewer, now_s, masking, pseudonym));
    graph = std::move(read.graph);
    outcome = read.outcome;
  } else {
    std::vector<store::NetworkEdge> edges;
    if (request.scope == "network") {
      RR_ASSIGN_OR_RETURN(std::optional<std::vector<store::NetworkEdge>> within, NetworkEdges(store_, request.id));
      if (within) {
        edges = std::move(*within);
      } else {
        outcome = "not_found";
      }
    } else {
      RR_ASSIGN_OR_RETURN(edges, store_.ReadNetworkEdges({}));
    }
    if (outcome == "ok") {
      RR_ASSIGN_OR_RETURN(const GraphFacts facts, ReadGraphFacts(store_, std::move(edges), 0, viewer, now_s));
      graph = BuildNetworkGraph(facts, viewer, masking, pseudonym);
    }
  }
  if (!graph) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "export_network", request.destination, details, outcome)));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound(request.scope == "person" ? "no such person" : "no such network in the latest run");
  }
  details.update(GraphCounts(*graph));
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "export_network", request.destination, details, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return std::move(*graph);
}

Result<NetworkGraph> AuditedAccess::ReadNetworkGraph(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                                     const store::Actor& actor) {
  const std::string target = "network:" + std::to_string(network_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(std::optional<std::vector<store::NetworkEdge>> edges, NetworkEdges(store_, network_id));
  if (!edges) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_network_graph", target, json::object(), "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such network");
  }
  RR_ASSIGN_OR_RETURN(const GraphFacts facts, ReadGraphFacts(store_, std::move(*edges), 0, viewer, now_s));
  NetworkGraph graph = BuildNetworkGraph(facts, viewer, Masking::kNeedToKnow, nullptr);
  RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_network_graph", target, GraphCounts(graph), "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return graph;
}

Result<NetworkPriorities> AuditedAccess::ReadNetworkPriorities(int64_t network_id, const Viewer& viewer, int64_t now_s,
                                                               const store::Actor& actor) {
  const std::string target = "network:" + std::to_string(network_id);
  RR_ASSIGN_OR_RETURN(auto unit, store_.BeginUnit(store::UnitKind::kRead));
  RR_ASSIGN_OR_RETURN(const std::optional<store::NetworkRecord> record, store_.ReadNetworkRecord(network_id));
  if (!record) {
    RR_RETURN_IF_ERROR(unit->AppendAudit(Event(actor, "read_network_priorities", target, json::object(), "not_found")));
    RR_RETURN_IF_ERROR(unit->Commit());
    return Status::NotFound("no such network");
  }
  NetworkPriorities out;
  out.network_id = record->id;
  json ids = json::array();
  for (const auto& [kind, id] : record->members) {
    if (kind != "offender") continue;
    RR_ASSIGN_OR_RETURN(const std::optional<store::PersonRecord> person, store_.ReadPersonRecord(id));
    std::optional<PersonPriorityView> view;
    if (person) {
      RR_ASSIGN_OR_RETURN(const ChildAccessFacts facts, store_.ReadChildAccessFacts(viewer, id, now_s));
      RR_ASSIGN_OR_RETURN(const std::optional<store::PersonPriority> priority, store_.ReadPersonPriority(id));
      view = FilterPersonPriority(*person, viewer, facts, priority);
    }
    if (!view) {
      ++out.hidden;
      continue;
    }
    out.people.push_back(std::move(*view));
  }
  std::stable_sort(out.people.begin(), out.people.end(), [](const PersonPriorityView& a, const PersonPriorityView& b) {
    const double pa = a.priority ? a.priority->priority : -1, pb = b.priority ? b.priority->priority : -1;
    if (pa != pb) return pa > pb;
    return a.person.id < b.person.id;
  });
  for (const PersonPriorityView& v : out.people) ids.push_back(v.person.id);
  RR_RETURN_IF_ERROR(unit->AppendAudit(
      Event(actor, "read_network_priorities", target, {{"shown", ids}, {"hidden", out.hidden}}, "ok")));
  RR_RETURN_IF_ERROR(unit->Commit());
  return out;
}

}  // namespace riskradar::access

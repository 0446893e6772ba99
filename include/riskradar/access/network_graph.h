// The VOLT graph under need-to-know (issue 12 item 7): a person's ego network, a network's graph, or the whole
// graph of the latest network run, with every node the viewer may not see replaced by a stand-in with no
// identifying field; and its export as GraphML (Gephi, Cytoscape) or node and edge CSV files (i2 Analyst's
// Notebook). The pure parts (selection, masking, writers) are tested without a store; the audited reads are
// AuditedAccess::ReadEgoNetwork, ExportNetworkGraph and ReadNetworkPriorities.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/access/person_priority.h"
#include "riskradar/core/access.h"
#include "riskradar/core/date.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

inline constexpr int kMaxEgoHops = 3;           // hops beyond this are refused (InvalidArgument)
inline constexpr size_t kMaxGraphPeople = 500;  // an ego network stops growing here (truncated)

struct GraphNode {
  std::string id;                    // "person-12" / "place-9" when identified; a stand-in or pseudonym otherwise
  std::string kind;                  // child | person_of_concern | adult | place | hidden
  std::string label;                 // the name when identified; the pseudonym or "(not shown)" otherwise
  std::optional<RiskLevel> level;    // a visible child's current level
  std::optional<double> priority;    // a visible person of concern's offender priority
  int32_t network_id = 0;            // a visible person of concern's network (0: none)
  std::string role;                  // hub | member | lone (visible persons of concern)
  std::string place_type, district;  // places
  bool identified = false;           // the node's identity (id and name) is shown
  bool centre = false;               // the ego network's centre
};

struct GraphEdge {
  std::string source, target;  // node ids
  std::string kind;            // child_adult | co_offending | person_place
  double weight = 0;
  int occasions = 0;
  Date first, last;
};

struct NetworkGraph {
  std::vector<GraphNode> nodes;  // people by id, then places by id (stand-ins in that order too)
  std::vector<GraphEdge> edges;  // as the store orders them: kind, then ends
  bool truncated = false;        // the ego network reached kMaxGraphPeople
};

// How people are shown. kNeedToKnow: a person with a record the viewer may see is identified (id, name, level
// or priority); any other person is a stand-in. kPseudonyms: nobody is identified; every person and place is
// named by its stable pseudonym (the export default), and only the facts a visible person's records support
// (kind, level, priority, network role) are kept.
enum class Masking { kNeedToKnow, kPseudonyms };

// What the graph is built from, read by the audited read in one unit (unfiltered store rows).
struct GraphFacts {
  std::vector<store::NetworkEdge> edges;
  std::map<int64_t, store::PersonRecord> people;  // the active people among the edges' person ends
  store::ViewerAccessFacts viewer_facts;
  std::map<int64_t, RiskLevel> levels;
  std::map<int64_t, store::PersonPriority> priorities;
  std::map<int64_t, Place> places;
  int64_t centre = 0;  // 0: no centre
};

// Builds the masked graph. `pseudonym(kind, id)` names a person ("person") or place ("place") that is not
// identified; null: stand-ins are numbered "hidden-1", "hidden-2", ... in node order (the API: a number that
// means nothing outside the one response). A place is identified (name) only under kNeedToKnow and only when a
// person seen there is identified. Pure.
NetworkGraph BuildNetworkGraph(const GraphFacts& facts, const Viewer& viewer, Masking masking,
                               const std::function<std::string(std::string_view, int64_t)>& pseudonym);

// The stable pseudonym of an entity under the store's export key: "P-" (person) or "L-" (place) and 12 hex
// digits of a keyed BLAKE2b hash. The same in every export from one store; nothing without the key links it
// back.
std::string Pseudonym(std::string_view key, std::string_view kind, int64_t id);

// The ego network's edges: the edges whose person ends are all within `reached` (person_place edges: whose
// person is). Pure.
std::vector<store::NetworkEdge> EdgesWithin(const std::vector<store::NetworkEdge>& edges,
                                            const std::vector<int64_t>& reached);

// JSON for the API and the web page (Cytoscape): {nodes:[{id,kind,label,level?,...}], edges:[{source,target,
// kind,weight,occasions,first,last}], truncated}.
nlohmann::json NetworkGraphJson(const NetworkGraph& graph);

// GraphML 1.0 with every node and edge attribute declared as a <key>; text escaped for XML.
std::string NetworkGraphMl(const NetworkGraph& graph);
// nodes.csv and edges.csv (RFC 4180: CRLF line ends, every text field quoted, quotes doubled). A field that
// would start with = + - @, a tab or a carriage return is prefixed with ' so that a spreadsheet never reads it
// as a formula (CSV injection).
struct GraphCsv {
  std::string nodes, edges;
};
GraphCsv NetworkGraphCsv(const NetworkGraph& graph);
// What `riskradar network export` asks for: one network, one person's ego network, or the whole graph.
struct GraphExportRequest {
  std::string scope = "all";  // all | network | person
  int64_t id = 0;             // the network or the person
  int hops = 1;               // person scope only, 1..kMaxEgoHops
  bool identities = false;    // identify the people the viewer may see (a role that may see identities only)
  std::string format;         // graphml | csv (recorded in the audit event)
  std::string destination;    // where the file goes (recorded in the audit event)
  // The API's download: masked as the API's JSON (need-to-know, stand-ins numbered per response, no export-key
  // pseudonyms); a role that may see identities only.
  bool numbered_stand_ins = false;
};

// A network's offender priorities under need-to-know: the members the viewer may see a record of, highest
// priority first, each as ReadPersonPriority filters one; the others only counted.
struct NetworkPriorities {
  int32_t network_id = 0;
  std::vector<PersonPriorityView> people;
  int hidden = 0;  // members of the network the viewer may see no record of
};

// One CSV field as NetworkGraphCsv writes it.
std::string CsvField(std::string_view value);

}  // namespace riskradar::access

// The VOLT graph under need-to-know and its export formats (see network_graph.h).
#include "riskradar/access/network_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "riskradar/access/directory_filters.h"
#include "riskradar/core/hash.h"

namespace riskradar::access {
namespace {

bool IsPlaceEdge(const store::NetworkEdge& e) { return e.kind == "person_place"; }

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters other than tab, newline and carriage return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string Pseudonym(std::string_view key, std::string_view kind, int64_t id) {
  const std::string prefix = kind == "place" ? "L-" : "P-";
  return prefix + KeyedHashHex(key, fmt::format("riskradar export {} {}", kind, id), 16).substr(0, 12);
}

std::vector<store::NetworkEdge> EdgesWithin(const std::vector<store::NetworkEdge>& edges,
                                            const std::vector<int64_t>& reached) {
  const std::set<int64_t> in(reached.begin(), reached.end());
  std::vector<store::NetworkEdge> out;
  for (const store::NetworkEdge& e : edges) {
    if (in.contains(e.a) && (IsPlaceEdge(e) || in.contains(e.b))) out.push_back(e);
  }
  return out;
}

NetworkGraph BuildNetworkGraph(const GraphFacts& facts, const Viewer& viewer, Masking masking,
                               const std::function<std::string(std::string_view, int64_t)>& pseudonym) {
  std::set<int64_t> people, places;
  if (facts.centre != 0) people.insert(facts.centre);
  for (const store::NetworkEdge& e : facts.edges) {
    people.insert(e.a);
    (IsPlaceEdge(e) ? places : people).insert(e.b);
  }
  NetworkGraph graph;
  int stand_ins = 0;
  auto stand_in = [&](std::string_view kind, int64_t id) {
    return pseudonym ? pseudonym(kind, id) : fmt::format("hidden-{}", ++stand_ins);
  };
  std::unordered_map<int64_t, std::string> person_node, place_node;
  std::set<int64_t> identified_people;
  for (int64_t id : people) {
    GraphNode node;
    node.centre = id == facts.centre;
    auto record = facts.people.find(id);
    bool visible = false;
    Person identity;
    if (record != facts.people.end()) {
      const std::vector<RecordAccess> access =
          DecideMentions(record->second.mentions, viewer, facts.viewer_facts.For(id));
      visible = std::any_of(access.begin(), access.end(), [](RecordAccess a) { return a != RecordAccess::kHidden; });
      if (visible) identity = VisibleIdentity(record->second.person, record->second.mentions, access);
    }
    if (!visible) {
      node.kind = "hidden";
      node.id = stand_in("person", id);
      node.label = pseudonym ? node.id : "(not shown)";
    } else {
      const Person& p = record->second.person;
      node.kind = p.person_of_concern ? "person_of_concern" : p.is_child ? "child" : "adult";
      if (auto level = facts.levels.find(id); level != facts.levels.end() && p.is_child) node.level = level->second;
      if (auto pr = facts.priorities.find(id); pr != facts.priorities.end()) {
        node.priority = pr->second.priority;
        node.network_id = pr->second.network_id;
        node.role = pr->second.role;
      }
      if (masking == Masking::kNeedToKnow) {
        node.id = fmt::format("person-{}", id);
        node.label = identity.display_name;
        node.identified = true;
        identified_people.insert(id);
      } else {
        node.id = stand_in("person", id);
        node.label = node.id;
      }
    }
    person_node[id] = node.id;
    graph.nodes.push_back(std::move(node));
  }
  std::set<int64_t> named_places;  // places where an identified person was seen
  for (const store::NetworkEdge& e : facts.edges) {
    if (IsPlaceEdge(e) && identified_people.contains(e.a)) named_places.insert(e.b);
  }
  for (int64_t id : places) {
    GraphNode node;
    node.kind = "place";
    auto place = facts.places.find(id);
    if (place != facts.places.end()) {
      node.place_type = std::string(ToString(place->second.type));
      node.district = place->second.district;
    }
    if (named_places.contains(id) && place != facts.places.end()) {
      node.id = fmt::format("place-{}", id);
      node.label = place->second.name;
      node.identified = true;
    } else {
      node.id = pseudonym ? pseudonym("place", id) : fmt::format("hidden-{}", ++stand_ins);
      node.label = pseudonym ? node.id : "(not shown)";
    }
    place_node[id] = node.id;
    graph.nodes.push_back(std::move(node));
  }
  for (const store::NetworkEdge& e : facts.edges) {
    GraphEdge edge;
    edge.source = person_node.at(e.a);
    edge.target = IsPlaceEdge(e) ? place_node.at(e.b) : person_node.at(e.b);
    edge.kind = e.kind;
    edge.weight = e.weight;
    edge.occasions = e.occasions;
    edge.first = e.first_seen;
    edge.last = e.last_seen;
    graph.edges.push_back(std::move(edge));
  }
  return graph;
}

nlohmann::json NetworkGraphJson(const NetworkGraph& graph) {
  nlohmann::json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  for (const GraphNode& n : graph.nodes) {
    nlohmann::json j = {{"id", n.id}, {"kind", n.kind}, {"label", n.label}, {"identified", n.identified}};
    if (n.centre) j["centre"] = true;
    if (n.level) j["level"] = ToString(*n.level);
    if (n.priority) {
      j["priority"] = *n.priority;
      j["network"] = n.network_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(n.network_id);
      j["role"] = n.role;
    }
    if (n.kind == "place") {
      j["place_type"] = n.place_type;
      j["district"] = n.district;
    }
    nodes.push_back(std::move(j));
  }
  for (const GraphEdge& e : graph.edges) {
    edges.push_back({{"source", e.source},
                     {"target", e.target},
                     {"kind", e.kind},
                     {"weight", e.weight},
                     {"occasions", e.occasions},
                     {"first", e.first.ToIso()},
                     {"last", e.last.ToIso()}});
  }
  return {{"nodes", nodes}, {"edges", edges}, {"truncated", graph.truncated}};
}

std::string NetworkGraphMl(const NetworkGraph& graph) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
      "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
      "  <key id=\"n_kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"n_label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
      "  <key id=\"n_level\" for=\"node\" attr.name=\"level\" attr.type=\"string\"/>\n"
      "  <key id=\"n_priority\" for=\"node\" attr.name=\"priority\" attr.type=\"double\"/>\n"
      "  <key id=\"n_network\" for=\"node\" attr.name=\"network\" attr.type=\"int\"/>\n"
      "  <key id=\"n_role\" for=\"node\" attr.name=\"role\" attr.type=\"string\"/>\n"
      "  <key id=\"n_place_type\" for=\"node\" attr.name=\"place_type\" attr.type=\"string\"/>\n"
      "  <key id=\"n_district\" for=\"node\" attr.name=\"district\" attr.type=\"string\"/>\n"
      "  <key id=\"n_identified\" for=\"node\" attr.name=\"identified\" attr.type=\"boolean\"/>\n"
      "  <key id=\"e_kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
      "  <key id=\"e_weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
      "  <key id=\"e_occasions\" for=\"edge\" attr.name=\"occasions\" attr.type=\"int\"/>\n"
      "  <key id=\"e_first\" for=\"edge\" attr.name=\"first\" attr.type=\"string\"/>\n"
      "  <key id=\"e_last\" for=\"edge\" attr.name=\"last\" attr.type=\"string\"/>\n"
      "  <graph id=\"volt\" edgedefault=\"undirected\">\n";
  auto data = [&](std::string_view key, std::string_view value) {
    out += fmt::format("      <data key=\"{}\">{}</data>\n", key, XmlEscape(value));
  };
  for (const GraphNode& n : graph.nodes) {
    out += fmt::format("    <node id=\"{}\">\n", XmlEscape(n.id));
    data("n_kind", n.kind);
    data("n_label", n.label);
    if (n.level) data("n_level", ToString(*n.level));
    if (n.priority) {
      data("n_priority", fmt::format("{:g}", *n.priority));
      if (n.network_id != 0) data("n_network", std::to_string(n.network_id));
      data("n_role", n.role);
    }
    if (n.kind == "place") {
      data("n_place_type", n.place_type);
      data("n_district", n.district);
    }
    data("n_identified", n.identified ? "true" : "false");
    out += "    </node>\n";
  }
  int i = 0;
  for (const GraphEdge& e : graph.edges) {
    out += fmt::format("    <edge id=\"e{}\" source=\"{}\" target=\"{}\">\n", ++i, XmlEscape(e.source),
                       XmlEscape(e.target));
    data("e_kind", e.kind);
    data("e_weight", fmt::format("{:g}", e.weight));
    data("e_occasions", std::to_string(e.occasions));
    data("e_first", e.first.ToIso());
    data("e_last", e.last.ToIso());
    out += "    </edge>\n";
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

std::string CsvField(std::string_view value) {
  std::string out = "\"";
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t' ||
                         value[0] == '\r')) {
    out += '\'';
  }
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

GraphCsv NetworkGraphCsv(const NetworkGraph& graph) {
  GraphCsv csv;
  auto row = [](std::string& out, std::initializer_list<std::string> fields) {
    bool first = true;
    for (const std::string& f : fields) {
      if (!first) out += ',';
      out += CsvField(f);
      first = false;
    }
    out += "\r\n";
  };
  row(csv.nodes,
      {"id", "kind", "label", "level", "priority", "network", "role", "place_type", "district", "identified"});
  for (const GraphNode& n : graph.nodes) {
    row(csv.nodes,
        {n.id, n.kind, n.label, n.level ? std::string(ToString(*n.level)) : "",
         n.priority ? fmt::format("{:g}", *n.priority) : "", n.network_id != 0 ? std::to_string(n.network_id) : "",
         n.role, n.place_type, n.district, n.identified ? "yes" : "no"});
  }
  row(csv.edges, {"source", "target", "kind", "weight", "occasions", "first", "last"});
  for (const GraphEdge& e : graph.edges) {
    row(csv.edges, {e.source, e.target, e.kind, fmt::format("{:g}", e.weight), std::to_string(e.occasions),
                    e.first.ToIso(), e.last.ToIso()});
  }
  return csv;
}

}  // namespace riskradar::access

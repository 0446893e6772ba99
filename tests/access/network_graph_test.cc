// The VOLT graph under need-to-know, pure (no store): who is identified, what a stand-in keeps, the ego
// selection, and the export formats (GraphML parsed back with expat; CSV quoting and formula injection).
#include "riskradar/access/network_graph.h"

#include <expat.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace riskradar::access {
namespace network_graph_test {

store::PersonMentionRow Mention(int64_t person, int64_t id, std::string agency, std::string forename) {
  store::PersonMentionRow m;
  m.person_id = person;
  m.mention_id = id;
  m.record_id = 100 + id;
  m.agency_code = std::move(agency);
  m.record_class = "police_intelligence";
  m.slot = "subject";
  m.forename = std::move(forename);
  m.surname = "Fictional";
  return m;
}

store::PersonRecord Record(int64_t id, std::string agency, std::string forename, bool child, bool concern) {
  store::PersonRecord r;
  r.person.id = id;
  r.person.display_name = forename + " Fictional";
  r.person.is_child = child;
  r.person.person_of_concern = concern;
  r.mentions = {Mention(id, id * 10, std::move(agency), std::move(forename))};
  return r;
}

// Child 1 (council record) seen with person of concern 2 (police record) at place 7; 2 offends with 3 (police,
// named "=cmd|'/C calc'!A0" by a hostile extract).
GraphFacts Facts() {
  GraphFacts f;
  const Date d1 = *Date::FromYmd(2025, 3, 1), d2 = *Date::FromYmd(2025, 9, 14);
  f.edges = {
      {"child_adult", 1, 2, 3, 3, d1, d2}, {"co_offending", 2, 3, 1, 1, d2, d2}, {"person_place", 2, 7, 2, 2, d1, d2}};
  f.people.emplace(1, Record(1, "bcc", "Amy", true, false));
  f.people.emplace(2, Record(2, "wmp", "Vic", false, true));
  f.people.emplace(3, Record(3, "wmp", "=cmd|'/C calc'!A0", false, true));
  f.levels = {{1, RiskLevel::kSignificant}};
  store::PersonPriority p;
  p.person_id = 2;
  p.network_id = 4;
  p.role = "hub";
  p.priority = 17.5;
  f.priorities.emplace(2, p);
  Place hotel;
  hotel.id = 7;
  hotel.name = "Fictional \"Star\" Hotel <&>";
  hotel.type = PlaceType::kHotel;
  hotel.district = "Ladywood";
  f.places.emplace(7, hotel);
  f.centre = 2;
  return f;
}

Viewer ViewerOf(std::string agency, Role role = Role::kPractitioner) { return {42, "u", std::move(agency), role}; }

const GraphNode* Node(const NetworkGraph& g, const std::string& id) {
  for (const GraphNode& n : g.nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

TEST(BuildNetworkGraph, OwnAgencyRecordsAreIdentifiedAndOthersAreStandIns) {
  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("wmp"), Masking::kNeedToKnow, nullptr);
  ASSERT_EQ(g.nodes.size(), 4u);
  ASSERT_EQ(g.edges.size(), 3u);
  // People by id, then places: 1 is the council's child, hidden from the police viewer.
  EXPECT_EQ(g.nodes[0].id, "hidden-1");
  EXPECT_EQ(g.nodes[0].kind, "hidden");
  EXPECT_EQ(g.nodes[0].label, "(not shown)");
  EXPECT_FALSE(g.nodes[0].level.has_value()) << "a stand-in keeps no level";
  EXPECT_FALSE(g.nodes[0].identified);
  const GraphNode* vic = Node(g, "person-2");
  ASSERT_NE(vic, nullptr);
  EXPECT_EQ(vic->label, "Vic Fictional");
  EXPECT_EQ(vic->kind, "person_of_concern");
  EXPECT_TRUE(vic->centre);
  EXPECT_DOUBLE_EQ(vic->priority.value_or(0), 17.5);
  EXPECT_EQ(vic->network_id, 4);
  EXPECT_EQ(vic->role, "hub");
  const GraphNode* hotel = Node(g, "place-7");
  ASSERT_NE(hotel, nullptr) << "a place where an identified person was seen is named";
  EXPECT_EQ(hotel->label, "Fictional \"Star\" Hotel <&>");
  EXPECT_EQ(hotel->place_type, "hotel");
  EXPECT_EQ(g.edges[0].source, "hidden-1");
  EXPECT_EQ(g.edges[0].target, "person-2");
  EXPECT_EQ(g.edges[0].kind, "child_adult");
  EXPECT_DOUBLE_EQ(g.edges[0].weight, 3);
  EXPECT_EQ(g.edges[0].first.ToIso(), "2025-03-01");
  EXPECT_EQ(g.edges[0].last.ToIso(), "2025-09-14");
  EXPECT_EQ(g.edges[2].target, "place-7");
}

TEST(BuildNetworkGraph, TheCouncilSeesItsChildAndNobodyElse) {
  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("bcc"), Masking::kNeedToKnow, nullptr);
  const GraphNode* amy = Node(g, "person-1");
  ASSERT_NE(amy, nullptr);
  EXPECT_EQ(amy->label, "Amy Fictional");
  EXPECT_EQ(amy->kind, "child");
  EXPECT_EQ(amy->level, RiskLevel::kSignificant);
  int hidden = 0;
  for (const GraphNode& n : g.nodes) {
    if (n.kind == "hidden") {
      ++hidden;
      EXPECT_EQ(n.label, "(not shown)");
      EXPECT_FALSE(n.priority.has_value());
      EXPECT_TRUE(n.role.empty());
    }
  }
  EXPECT_EQ(hidden, 2) << "both police subjects";
  EXPECT_EQ(Node(g, "place-7"), nullptr) << "the hotel is known here only through police records: not named";
  EXPECT_EQ(g.nodes.back().label, "(not shown)");
  EXPECT_EQ(g.nodes.back().place_type, "hotel") << "its type and district are not identifying";
}

TEST(BuildNetworkGraph, RolesThatSeeAggregatesIdentifyNobody) {
  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("wmp", Role::kIgLead), Masking::kNeedToKnow, nullptr);
  for (const GraphNode& n : g.nodes) EXPECT_FALSE(n.identified) << n.id;
}

TEST(BuildNetworkGraph, PseudonymsAreStableAndKeyed) {
  const auto key_a = std::string(32, 'a'), key_b = std::string(32, 'b');
  auto named = [](const std::string& key) {
    return [key](std::string_view kind, int64_t id) { return Pseudonym(key, kind, id); };
  };
  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("wmp"), Masking::kPseudonyms, named(key_a));
  const NetworkGraph again = BuildNetworkGraph(Facts(), ViewerOf("wmp"), Masking::kPseudonyms, named(key_a));
  const NetworkGraph other = BuildNetworkGraph(Facts(), ViewerOf("wmp"), Masking::kPseudonyms, named(key_b));
  ASSERT_EQ(g.nodes.size(), 4u);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    EXPECT_FALSE(g.nodes[i].identified);
    EXPECT_EQ(g.nodes[i].id, again.nodes[i].id) << "stable";
    EXPECT_NE(g.nodes[i].id, other.nodes[i].id) << "another key, other pseudonyms";
    EXPECT_EQ(g.nodes[i].label, g.nodes[i].id);
    EXPECT_EQ(g.nodes[i].id.size(), 14u);
  }
  EXPECT_EQ(g.nodes[1].id, Pseudonym(key_a, "person", 2));
  EXPECT_EQ(g.nodes[1].id.substr(0, 2), "P-");
  EXPECT_EQ(g.nodes[3].id.substr(0, 2), "L-");
  EXPECT_EQ(g.nodes[1].kind, "person_of_concern") << "a visible person's facts stay";
  EXPECT_DOUBLE_EQ(g.nodes[1].priority.value_or(0), 17.5);
  EXPECT_EQ(g.nodes[0].kind, "hidden");
  EXPECT_EQ(g.edges[0].source, g.nodes[0].id);
}

TEST(EdgesWithin, KeepsEdgesAmongTheReachedAndTheirPlaces) {
  const auto edges = Facts().edges;
  const auto within = EdgesWithin(edges, {1, 2});
  ASSERT_EQ(within.size(), 2u);
  EXPECT_EQ(within[0].kind, "child_adult");
  EXPECT_EQ(within[1].kind, "person_place");
  EXPECT_EQ(EdgesWithin(edges, {3}).size(), 0u);
}

// GraphML parsed back: every <data key> must name a declared <key> for the element it sits in.
struct ParsedGraphMl {
  std::map<std::string, std::string> keys;  // id -> for
  std::vector<std::string> nodes;
  std::vector<std::pair<std::string, std::string>> edges;
  std::map<std::string, std::map<std::string, std::string>> node_data;
  std::string element, current_node, data_key, text;
  std::vector<std::string> errors;
};

void XMLCALL Start(void* user, const XML_Char* name, const XML_Char** attrs) {
  auto* p = static_cast<ParsedGraphMl*>(user);
  std::map<std::string, std::string> a;
  for (int i = 0; attrs[i]; i += 2) a[attrs[i]] = attrs[i + 1];
  const std::string n = name;
  if (n == "key") p->keys[a["id"]] = a["for"];
  if (n == "node") {
    p->nodes.push_back(a["id"]);
    p->current_node = a["id"];
    p->element = "node";
  }
  if (n == "edge") {
    p->edges.emplace_back(a["source"], a["target"]);
    p->element = "edge";
  }
  if (n == "data") {
    auto it = p->keys.find(a["key"]);
    if (it == p->keys.end() || it->second != p->element) p->errors.push_back("undeclared key " + a["key"]);
    p->data_key = a["key"];
    p->text.clear();
  }
}

void XMLCALL End(void* user, const XML_Char* name) {
  auto* p = static_cast<ParsedGraphMl*>(user);
  if (std::string(name) == "data" && p->element == "node") p->node_data[p->current_node][p->data_key] = p->text;
}

void XMLCALL Text(void* user, const XML_Char* s, int len) { static_cast<ParsedGraphMl*>(user)->text.append(s, len); }

TEST(NetworkGraphMl, ParsesBackWithDeclaredKeysAndEscapedText) {
  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("wmp"), Masking::kNeedToKnow, nullptr);
  const std::string xml = NetworkGraphMl(g);
  ParsedGraphMl parsed;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &parsed);
  XML_SetElementHandler(parser, Start, End);
  XML_SetCharacterDataHandler(parser, Text);
  const bool ok = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
  const std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  ASSERT_TRUE(ok) << error << "\n" << xml;
  EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.front();
  EXPECT_EQ(parsed.nodes.size(), 4u);
  ASSERT_EQ(parsed.edges.size(), 3u);
  EXPECT_EQ(parsed.edges[0], (std::pair<std::string, std::string>("hidden-1", "person-2")));
  EXPECT_EQ(parsed.node_data["place-7"]["n_label"], "Fictional \"Star\" Hotel <&>") << "escaped and read back";
  EXPECT_EQ(parsed.node_data["person-2"]["n_priority"], "17.5");
  EXPECT_EQ(parsed.keys.at("e_weight"), "edge");
}

TEST(NetworkGraphCsv, QuotesEveryFieldAndDisarmsFormulas) {
  EXPECT_EQ(CsvField("plain"), "\"plain\"");
  EXPECT_EQ(CsvField("say \"hi\", then"), "\"say \"\"hi\"\", then\"");
  EXPECT_EQ(CsvField("=1+1"), "\"'=1+1\"");
  EXPECT_EQ(CsvField("+44"), "\"'+44\"");
  EXPECT_EQ(CsvField("-2"), "\"'-2\"");
  EXPECT_EQ(CsvField("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(CsvField("\tx"), "\"'\tx\"");
  EXPECT_EQ(CsvField(""), "\"\"");

  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("wmp"), Masking::kNeedToKnow, nullptr);
  const GraphCsv csv = NetworkGraphCsv(g);
  EXPECT_EQ(csv.nodes.substr(0, csv.nodes.find("\r\n")),
            "\"id\",\"kind\",\"label\",\"level\",\"priority\",\"network\",\"role\",\"place_type\",\"district\","
            "\"identified\"");
  EXPECT_NE(csv.nodes.find("\"'=cmd|'/C calc'!A0 Fictional\""), std::string::npos) << csv.nodes;
  EXPECT_EQ(csv.nodes.find(",=cmd"), std::string::npos);
  EXPECT_NE(csv.nodes.find("\"Fictional \"\"Star\"\" Hotel <&>\""), std::string::npos);
  // 4 nodes + header; 3 edges + header, every line CRLF-terminated.
  auto lines = [](const std::string& s) {
    size_t n = 0;
    for (size_t p = s.find("\r\n"); p != std::string::npos; p = s.find("\r\n", p + 2)) ++n;
    return n;
  };
  EXPECT_EQ(lines(csv.nodes), 5u);
  EXPECT_EQ(lines(csv.edges), 4u);
  EXPECT_NE(csv.edges.find("\"hidden-1\",\"person-2\",\"child_adult\",\"3\",\"3\",\"2025-03-01\",\"2025-09-14\"\r\n"),
            std::string::npos)
      << csv.edges;
}

TEST(NetworkGraphJson, CytoscapeShape) {
  const NetworkGraph g = BuildNetworkGraph(Facts(), ViewerOf("bcc"), Masking::kNeedToKnow, nullptr);
  const nlohmann::json j = NetworkGraphJson(g);
  ASSERT_EQ(j["nodes"].size(), 4u);
  EXPECT_EQ(j["nodes"][0]["id"], "person-1");
  EXPECT_EQ(j["nodes"][0]["level"], "significant");
  EXPECT_FALSE(j["nodes"][1].contains("priority")) << "a stand-in has no priority";
  EXPECT_EQ(j["edges"][0]["source"], "person-1");
  EXPECT_EQ(j["edges"][0]["weight"], 3.0);
  EXPECT_EQ(j["edges"][0]["first"], "2025-03-01");
  EXPECT_EQ(j["truncated"], false);
}

}  // namespace network_graph_test
}  // namespace riskradar::access

// The VOLT graph endpoints on the real server: a person's ego network (nodes and edges masked per need-to-know,
// hops capped) and a network's offender priorities; the attack tests (a person the caller may not see answers
// exactly as a missing id; a stand-in carries no identifying field; every read audited).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <set>

#include "directory_fixture.h"

namespace riskradar::server {
namespace network_graph_test {

class NetworkGraphTest : public DirectoryFixture {
 protected:
  static std::set<std::string> NodeIds(const json& graph) {
    std::set<std::string> out;
    for (const auto& n : graph["nodes"]) out.insert(n["id"].get<std::string>());
    return out;
  }
  static std::string LastAudit(const char* column) {
    sqlite3* db = nullptr;
    sqlite3_open(db_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    const std::string sql = std::string("SELECT ") + column + " FROM audit_event ORDER BY seq DESC LIMIT 1";
    sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    std::string out;
    if (sqlite3_step(q) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
  }
};

TEST_F(NetworkGraphTest, EgoNetworkOfAVisiblePersonShowsWhatThePoliceMaySee) {
  Session wmp = Login("wmp-practitioner");
  auto r = Get(wmp, "/api/people/3/network");
  ASSERT_EQ(r->status, 200) << r->body;
  const json g = json::parse(r->body);
  EXPECT_EQ(g["person"], 3);
  EXPECT_EQ(g["hops"], 1);
  EXPECT_EQ(g["truncated"], false);
  // Carl's neighbours: Amy and Bea (wmp records) and the hotel; the police see all three.
  EXPECT_EQ(NodeIds(g), (std::set<std::string>{"person-1", "person-2", "person-3", "place-1"}));
  ASSERT_EQ(g["edges"].size(), 4u) << "Amy-Carl, Bea-Carl, Amy at the hotel, Carl at the hotel";
  for (const auto& n : g["nodes"]) {
    if (n["id"] == "person-3") {
      EXPECT_EQ(n["label"], "Carl Offender");
      EXPECT_EQ(n["kind"], "person_of_concern");
      EXPECT_EQ(n["centre"], true);
      EXPECT_EQ(n["priority"], 12.5);
      EXPECT_EQ(n["role"], "hub");
    }
    if (n["id"] == "place-1") {
      EXPECT_EQ(n["label"], "Synthetic Hotel");
    }
  }
  for (const auto& e : g["edges"]) {
    if (e["source"] == "person-1" && e["target"] == "person-3") {
      EXPECT_EQ(e["kind"], "child_adult");
      EXPECT_EQ(e["weight"], 2.0);
      EXPECT_EQ(e["first"], "2025-03-07");
      EXPECT_EQ(e["last"], "2025-09-12");
    }
  }
  EXPECT_EQ(LastAudit("action"), "read_person_network");
  EXPECT_EQ(LastAudit("outcome"), "ok");
  EXPECT_EQ(LastAudit("target"), "person:3");
}

TEST_F(NetworkGraphTest, ACouncilUserSeesHerChildAndStandInsForThePoliceSubjects) {
  Session bcc = Login("bcc-practitioner");
  auto r = Get(bcc, "/api/people/1/network?hops=2");
  ASSERT_EQ(r->status, 200) << r->body;
  const json g = json::parse(r->body);
  // Amy (visible under the wmp -> bcc agreement and her relationship), Carl (hidden) at hop 1, Bea (hidden) at
  // hop 2, the hotel (named only through people the council may see: Amy was seen there).
  ASSERT_EQ(g["nodes"].size(), 4u) << r->body;
  int stand_ins = 0;
  for (const auto& n : g["nodes"]) {
    if (n["kind"] == "hidden") {
      ++stand_ins;
      EXPECT_EQ(n["label"], "(not shown)");
      EXPECT_EQ(n["identified"], false);
      for (const char* field : {"level", "priority", "network", "role", "name", "dob", "district"}) {
        EXPECT_FALSE(n.contains(field)) << field << " on a stand-in: " << n.dump();
      }
    }
  }
  EXPECT_EQ(stand_ins, 2);
  EXPECT_EQ(r->body.find("Carl"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("Bea"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("person-3"), std::string::npos) << "a stand-in's id is not the person's id";
  EXPECT_NE(r->body.find("Amy Synthetic"), std::string::npos);
  EXPECT_EQ(g["edges"].size(), 4u);
}

TEST_F(NetworkGraphTest, AHiddenPersonAnswersExactlyAsAMissingId) {
  Session bcc = Login("bcc-practitioner");
  auto hidden = Get(bcc, "/api/people/3/network");
  EXPECT_EQ(LastAudit("outcome"), "refused");
  auto missing = Get(bcc, "/api/people/424242/network");
  EXPECT_EQ(LastAudit("outcome"), "not_found");
  ASSERT_EQ(hidden->status, 404);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(hidden->body, missing->body);
  EXPECT_EQ(hidden->get_header_value("Content-Length"), missing->get_header_value("Content-Length"));
  // The same for every hop count.
  EXPECT_EQ(Get(bcc, "/api/people/3/network?hops=3")->body, Get(bcc, "/api/people/424242/network?hops=3")->body);
}

TEST_F(NetworkGraphTest, HopsAreCappedAndCheckedBeforeAnythingIsRead) {
  Session wmp = Login("wmp-practitioner");
  for (const char* bad : {"hops=4", "hops=0", "hops=99999999", "hops=x", "hops=-1"}) {
    const int64_t before = AuditRows();
    auto r = Get(wmp, std::string("/api/people/3/network?") + bad);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(r->body.find("hops"), std::string::npos) << "the error names the parameter: " << r->body;
    EXPECT_EQ(AuditRows(), before) << "nothing read, nothing audited: " << bad;
  }
  EXPECT_EQ(Get(wmp, "/api/people/3/network?hops=3")->status, 200);
}

TEST_F(NetworkGraphTest, AggregateRolesMayNotAskForAnEgoNetwork) {
  for (const char* user : {"wmp-ig_lead", "wmp-administrator"}) {
    Session s = Login(user);
    EXPECT_EQ(Get(s, "/api/people/3/network")->status, 403) << user;
    EXPECT_EQ(LastAudit("action"), "read_person_network");
    EXPECT_EQ(LastAudit("outcome"), "forbidden");
    EXPECT_EQ(Get(s, "/api/networks/1/priorities")->status, 403) << user;
    EXPECT_EQ(LastAudit("action"), "read_network_priorities");
  }
}

TEST_F(NetworkGraphTest, NetworkPrioritiesFollowNeedToKnow) {
  Session wmp = Login("wmp-practitioner");
  auto r = Get(wmp, "/api/networks/1/priorities");
  ASSERT_EQ(r->status, 200) << r->body;
  json p = json::parse(r->body);
  EXPECT_EQ(p["network"], 1);
  EXPECT_EQ(p["hidden"], 0);
  ASSERT_EQ(p["people"].size(), 1u);
  EXPECT_EQ(p["people"][0]["person"], 3);
  EXPECT_EQ(p["people"][0]["priority"]["score"], 12.5);
  EXPECT_EQ(p["people"][0]["priority"]["role"], "hub");
  // Carl's nhs record is not visible to the police: the breakdown summarises it too, so it is withheld.
  EXPECT_EQ(p["people"][0]["breakdown_complete"], false);
  EXPECT_FALSE(p["people"][0]["priority"].contains("reasons"));
  EXPECT_EQ(LastAudit("action"), "read_network_priorities");

  Session bcc = Login("bcc-practitioner");
  p = json::parse(Get(bcc, "/api/networks/1/priorities")->body);
  EXPECT_TRUE(p["people"].empty()) << "the council may see no record of Carl";
  EXPECT_EQ(p["hidden"], 1);
  EXPECT_EQ(p.dump().find("Carl"), std::string::npos);

  auto missing = Get(wmp, "/api/networks/987654/priorities");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(LastAudit("outcome"), "not_found");
}

TEST_F(NetworkGraphTest, ANetworksGraphIsItsMembersAndTheirLinksMaskedAsTheEgoNetwork) {
  Session wmp = Login("wmp-practitioner");
  auto r = Get(wmp, "/api/networks/1/graph");
  ASSERT_EQ(r->status, 200) << r->body;
  const json g = json::parse(r->body);
  EXPECT_EQ(g["network"], 1);
  // Network 1: Carl with Amy and Bea, and the hotel; the police may see all of them.
  EXPECT_EQ(NodeIds(g), (std::set<std::string>{"person-1", "person-2", "person-3", "place-1"}));
  EXPECT_EQ(g["edges"].size(), 4u) << "Amy-Carl, Bea-Carl, Amy and Carl at the hotel";
  EXPECT_EQ(LastAudit("action"), "read_network_graph");
  EXPECT_EQ(LastAudit("target"), "network:1");
  EXPECT_EQ(json::parse(LastAudit("details"))["identified"], 4);

  // The council sees Amy; Carl and Bea are numbered stand-ins with no identifying field.
  Session bcc = Login("bcc-practitioner");
  r = Get(bcc, "/api/networks/1/graph");
  ASSERT_EQ(r->status, 200) << r->body;
  const json c = json::parse(r->body);
  EXPECT_EQ(NodeIds(c), (std::set<std::string>{"person-1", "hidden-1", "hidden-2", "place-1"}));
  EXPECT_EQ(r->body.find("Carl"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("Bea"), std::string::npos) << r->body;
  EXPECT_EQ(c["edges"].size(), 4u);

  EXPECT_EQ(Get(wmp, "/api/networks/987654/graph")->status, 404);
  EXPECT_EQ(LastAudit("outcome"), "not_found");
}

TEST_F(NetworkGraphTest, GraphMlDownloadsAreMaskedAsTheJsonAndAudited) {
  Session bcc = Login("bcc-practitioner");
  auto r = Get(bcc, "/api/networks/1/export?format=graphml");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/graphml+xml");
  EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"network-1.graphml\"");
  EXPECT_NE(r->body.find("<graphml xmlns="), std::string::npos);
  EXPECT_NE(r->body.find("Amy Synthetic"), std::string::npos) << "the council may see Amy";
  EXPECT_NE(r->body.find("<node id=\"hidden-1\">"), std::string::npos) << "stand-ins numbered as in the JSON";
  EXPECT_EQ(r->body.find("Carl"), std::string::npos);
  EXPECT_EQ(r->body.find("P-"), std::string::npos) << "no export-key pseudonym: a hidden person cannot be followed";
  EXPECT_EQ(LastAudit("action"), "export_network");
  EXPECT_EQ(LastAudit("target"), "network:1");
  const json details = json::parse(LastAudit("details"));
  EXPECT_EQ(details["format"], "graphml");
  EXPECT_EQ(details["stand_ins"], "numbered");
  EXPECT_EQ(details["nodes"], 4);
  EXPECT_EQ(details["identified"], 2) << "Amy and the hotel";

  // A person's ego network: the same 404 for a hidden and a missing person; hops and format checked first.
  r = Get(bcc, "/api/people/1/network/export?hops=2&format=graphml");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Disposition"), "attachment; filename=\"person-1-network.graphml\"");
  EXPECT_EQ(LastAudit("target"), "person:1");
  auto hidden = Get(bcc, "/api/people/3/network/export?format=graphml");
  EXPECT_EQ(LastAudit("outcome"), "refused");
  auto missing = Get(bcc, "/api/people/424242/network/export?format=graphml");
  EXPECT_EQ(LastAudit("outcome"), "not_found");
  EXPECT_EQ(hidden->status, 404);
  EXPECT_EQ(hidden->body, missing->body);
  for (const char* bad : {"/api/people/1/network/export?format=csv", "/api/people/1/network/export",
                          "/api/people/1/network/export?format=graphml&hops=4", "/api/networks/1/export"}) {
    const int64_t before = AuditRows();
    auto b = Get(bcc, bad);
    EXPECT_EQ(b->status, 400) << bad;
    EXPECT_EQ(AuditRows(), before) << bad << ": refused before anything is read";
  }
  // Roles that see only aggregates are refused (and audited) by the route table.
  Session ig = Login("wmp-ig_lead");
  EXPECT_EQ(Get(ig, "/api/networks/1/export?format=graphml")->status, 403);
  EXPECT_EQ(LastAudit("outcome"), "forbidden");
}

TEST_F(NetworkGraphTest, TheProblemProfileOverHttpIsBoundedAuditedAndExactOnlyForIdentifyingRoles) {
  Session analyst = Login("bcc-analyst");
  const json period = {{"from", "2025-01-01"}, {"to", "2025-12-31"}};
  json body = period;
  body["variant"] = "restricted";
  auto r = Post(analyst, "/api/reports/profile", body);
  ASSERT_EQ(r->status, 200) << r->body;
  json p = json::parse(r->body);
  EXPECT_EQ(p["variant"], "restricted");
  ASSERT_FALSE(p["tables"].empty());
  EXPECT_EQ(p["suppressed"], 0) << "exact counts";
  bool radar = false;
  for (const auto& t : p["tables"]) radar = radar || t["name"] == "radar_by_level";
  EXPECT_TRUE(radar) << "the headline table";
  EXPECT_EQ(LastAudit("action"), "report_profile");
  EXPECT_EQ(LastAudit("target"), "period:2025-01-01..2025-12-31");
  EXPECT_EQ(json::parse(LastAudit("details"))["variant"], "restricted");

  // Publishable for an administrator; the exact version refused and audited.
  Session admin = Login("wmp-administrator");
  r = Post(admin, "/api/reports/profile", body);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(LastAudit("outcome"), "forbidden");
  r = Post(admin, "/api/reports/profile", period);
  ASSERT_EQ(r->status, 200) << r->body;
  p = json::parse(r->body);
  EXPECT_EQ(p["variant"], "publishable");
  EXPECT_GT(p["suppressed"].get<int>(), 0) << "a store this small has small numbers to suppress";
  for (const auto& t : p["tables"]) {
    for (const auto& row : t["rows"]) {
      if (row["count"].is_number()) {
        EXPECT_TRUE(row["count"] == 0 || row["count"].get<int>() >= 6) << t["name"] << r->body;
      }
    }
  }

  // The files: the HTML report and the Excel workbook, as attachments.
  body = period;
  body["format"] = "html";
  r = Post(admin, "/api/reports/profile", body);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Content-Disposition"),
            "attachment; filename=\"profile-2025-01-01-to-2025-12-31-publishable.html\"");
  EXPECT_NE(r->body.find("<html"), std::string::npos);
  body["format"] = "xlsx";
  r = Post(admin, "/api/reports/profile", body);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.substr(0, 2), "PK") << "a workbook is a zip";
  EXPECT_EQ(json::parse(LastAudit("details"))["format"], "xlsx");

  // Bad requests name the field and read nothing.
  const std::vector<std::pair<json, std::string>> bad = {
      {{{"from", "2025-01-01"}, {"to", "2027-01-10"}}, "at most 731"},
      {{{"from", "2025-06-01"}, {"to", "2025-05-01"}}, "before from"},
      {{{"from", "2025-02-30"}, {"to", "2025-05-01"}}, "from"},
      {{{"to", "2025-05-01"}}, "from: a date"},
      {{{"from", "2025-01-01"}, {"to", "2025-05-01"}, {"format", "pdf"}}, "format"},
      {{{"from", "2025-01-01"}, {"to", "2025-05-01"}, {"variant", "all"}}, "variant"},
      {{{"from", "2025-01-01"}, {"to", "2025-05-01"}, {"publishable", true}}, "unexpected field"},
  };
  for (const auto& [request, words] : bad) {
    const int64_t before = AuditRows();
    r = Post(analyst, "/api/reports/profile", request);
    EXPECT_EQ(r->status, 400) << request.dump();
    EXPECT_NE(r->body.find(words), std::string::npos) << request.dump() << ": " << r->body;
    EXPECT_EQ(AuditRows(), before) << request.dump();
  }
  Session practitioner = Login("wmp-practitioner");
  EXPECT_EQ(Post(practitioner, "/api/reports/profile", period)->status, 403);
}

}  // namespace network_graph_test
}  // namespace riskradar::server

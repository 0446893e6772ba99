// The directory and audit endpoints on the real server: the authorisation matrix (every endpoint x every role x
// own agency / other agency with and without agreement / with and without relationship), IDOR probes, one audit
// event per read, field-level withholding for aggregate roles, parameter validation, and no data without its
// audit event.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <cstdlib>

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "directory_fixture.h"
#include "riskradar/core/merkle.h"

namespace riskradar::server {
namespace directory_test {

class DirectoryTest : public DirectoryFixture {
 protected:
  // The council's IG lead reviews the whole partnership here (the audit tests below read every agency's
  // events); the per-agency scope is tested in ig_scope_test.cc.
  static void SetUpTestSuite() {
    tune_options_ = [](ServerOptions& o) { o.partnership_ig_agencies = {"bcc"}; };
    DirectoryFixture::SetUpTestSuite();
  }
  // Who may see identifying data about whom, worked out by hand from the fixture (not from the code under
  // test): own agency's records; wmp -> bcc agreement for every class with a relationship (Amy, Dee); bcc -> wmp
  // for child_protection only (Dee's referral); nhs has no agreement.
  static std::set<int64_t> Visible(const std::string& agency) {
    if (agency == "wmp") return {1, 2, 3, 4};
    if (agency == "bcc") return {1, 4};
    return {3, 5};
  }
  static std::set<int64_t> PlacePeople(const std::string& agency, int64_t place) {
    if (place == 1)
      return agency == "wmp" ? std::set<int64_t>{1, 3} : agency == "bcc" ? std::set<int64_t>{1} : std::set<int64_t>{5};
    return agency == "nhs" ? std::set<int64_t>{} : std::set<int64_t>{4};
  }
  static std::set<int64_t> NetworkMembers(const std::string& agency, int64_t network) {
    if (network == 1)
      return agency == "wmp"   ? std::set<int64_t>{1, 2, 3}
             : agency == "bcc" ? std::set<int64_t>{1}
                               : std::set<int64_t>{3};
    return agency == "nhs" ? std::set<int64_t>{} : std::set<int64_t>{4};
  }
  static bool MayReadImports(Role r) { return r == Role::kManager || r == Role::kIgLead || r == Role::kAdministrator; }
  static bool MayCheckAudit(Role r) { return r == Role::kIgLead || r == Role::kAdministrator; }

  static std::set<int64_t> Ids(const json& array, const char* key = "id") {
    std::set<int64_t> out;
    for (const auto& j : array) out.insert(j[key].get<int64_t>());
    return out;
  }

  // GET, checking that exactly `audit_events` audit rows were written by it.
  httplib::Result GetAudited(const Session& s, const std::string& path, int64_t audit_events) {
    const int64_t before = AuditRows();
    auto r = Get(s, path);
    EXPECT_EQ(AuditRows() - before, audit_events) << "audit events written by GET " << path;
    return r;
  }
};

TEST_F(DirectoryTest, AuthorisationMatrix) {
  for (const std::string agency : {"wmp", "bcc", "nhs"}) {
    for (Role role : AllRoles()) {
      const std::string user = UserName(agency, role);
      SCOPED_TRACE(user);
      Session s = Login(user);
      const bool identifying = MaySeeIdentifying(role);
      const std::set<int64_t> visible = Visible(agency);
      auto person_status = [&](int64_t id) { return !identifying ? 403 : visible.count(id) ? 200 : 404; };
      auto quarantine_status = [&](const std::string& owner) {
        return !MayReadImports(role) ? 403 : agency == owner ? 200 : 404;
      };
      std::vector<std::pair<std::string, int>> expected = {
          {"/api/people?q=e", identifying ? 200 : 403},
          {"/api/people/1", person_status(1)},  // wmp records; relationship for everyone
          {"/api/people/2", person_status(2)},  // wmp records; no relationship
          {"/api/people/3", person_status(3)},  // wmp + nhs records; no relationship
          {"/api/people/4", person_status(4)},  // bcc records; relationship; agreement to wmp for one class
          {"/api/people/5", person_status(5)},  // nhs records; no relationship
          {"/api/people/424242", identifying ? 404 : 403},
          {"/api/places", 200},
          {"/api/places/1", 200},
          {"/api/places/2", 200},
          {"/api/places/3", 404},  // scored but not of concern: like a missing place
          {"/api/places/424242", 404},
          {"/api/networks", 200},
          {"/api/networks/1", 200},
          {"/api/networks/2", 200},
          {"/api/networks/424242", 404},
          {"/api/imports", MayReadImports(role) ? 200 : 403},
          {"/api/imports/2/quarantine", quarantine_status("wmp")},
          {"/api/imports/3/quarantine", quarantine_status("bcc")},
          {"/api/imports/4/quarantine", quarantine_status("nhs")},
          {"/api/imports/424242/quarantine", MayReadImports(role) ? 404 : 403},
          {"/api/audit", role == Role::kIgLead ? 200 : 403},
          {"/api/audit/verify", MayCheckAudit(role) ? 200 : 403},
          {"/api/audit/checkpoints", MayCheckAudit(role) ? 200 : 403},
          {"/api/audit/proof/inclusion?seq=1", MayCheckAudit(role) ? 200 : 403},
          {"/api/audit/proof/consistency?old=1", MayCheckAudit(role) ? 200 : 403},
      };
      for (const auto& [path, status] : expected) {
        auto r = GetAudited(s, path, 1);  // served, refused or missing: one audit event each
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, status) << user << " GET " << path << ": " << r->body;
        EXPECT_EQ(Get(Session{}, path)->status, 401) << "anonymous GET " << path;
      }
      auto agencies = GetAudited(s, "/api/agencies", 0);  // no personal data: not audited
      EXPECT_EQ(agencies->status, 200);
      EXPECT_EQ(json::parse(agencies->body)["agencies"].size(), 3u);

      // Record and field level, for the reads that succeeded.
      if (identifying) {
        const json found = json::parse(Get(s, "/api/people?q=e&limit=100")->body);
        EXPECT_EQ(Ids(found["people"]), visible);
        EXPECT_EQ(found["total"], static_cast<int64_t>(visible.size()));
      }
      for (int64_t place : {1, 2}) {
        const json v = json::parse(Get(s, "/api/places/" + std::to_string(place))->body);
        if (identifying) {
          EXPECT_EQ(Ids(v["people"]), PlacePeople(agency, place)) << "place " << place;
          EXPECT_TRUE(v["place"]["name"].is_string());
        } else {
          EXPECT_TRUE(v["people"].is_null()) << "aggregate roles see counts only";
          EXPECT_TRUE(v["place"]["name"].is_null());
          EXPECT_TRUE(v["place"]["postcode"].is_null());
        }
        EXPECT_EQ(v["place"]["children_at_risk"], place == 1 ? 2 : 1);
        // The time profile and trend are aggregates: every role that may read the place sees them.
        EXPECT_EQ(v["place"]["profile"]["trend"], place == 1 ? "emerging" : "steady");
        EXPECT_EQ(v["place"]["profile"]["by_weekday"][4], place == 1 ? 2 : 0) << "Friday";
        EXPECT_EQ(v["place"]["profile"]["by_hour"][21], place == 1 ? 1 : 0);
        EXPECT_EQ(v["place"]["profile"]["by_hour"].size(), 24u);
      }
      for (int64_t network : {1, 2}) {
        const json v = json::parse(Get(s, "/api/networks/" + std::to_string(network))->body);
        EXPECT_EQ(v["network"]["size"], network == 1 ? 3 : 1);
        if (identifying) {
          EXPECT_EQ(Ids(v["members"]), NetworkMembers(agency, network)) << "network " << network;
        } else {
          EXPECT_TRUE(v["members"].is_null());
          EXPECT_TRUE(v["places"].is_null());
        }
      }
      const std::string list = Get(s, "/api/places")->body;
      EXPECT_EQ(list.find("Synthetic Hotel") != std::string::npos, identifying) << list;
    }
  }
}

// A row of a reference geography file (sector or outcode,area,lat,lon,n_postcodes,...) read here without the
// code under test: {lat, lon, n_postcodes}.
std::tuple<double, double, int> ReferenceRow(const std::string& file, const std::string& key) {
  std::ifstream in(std::string(RISKRADAR_SOURCE_DIR) + "/data/reference/geo/" + file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ",", 0) != 0) continue;
    std::vector<std::string> f;
    for (size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
      comma = line.find(',', start);
      f.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    }
    return {std::stod(f.at(2)), std::stod(f.at(3)), std::stoi(f.at(4))};
  }
  ADD_FAILURE() << key << " is not in " << file;
  return {0, 0, 0};
}

TEST_F(DirectoryTest, PlaceLocationIsItsPostcodeSectorCentroidForEveryRole) {
  const auto [b1_1_lat, b1_1_lon, b1_1_postcodes] = ReferenceRow("wm_postcode_sectors.csv", "B1 1");
  const auto [b1_9_lat, b1_9_lon, b1_9_postcodes] = ReferenceRow("wm_postcode_sectors.csv", "B1 9");
  const auto [b1_lat, b1_lon, b1_postcodes] = ReferenceRow("wm_postcode_districts.csv", "B1");
  const std::pair<double, double> b1_1{b1_1_lat, b1_1_lon}, b1{b1_lat, b1_lon};
  // The hotel's stored coordinates are not its sector's centroid (else the test could not tell them apart).
  ASSERT_GT(std::abs(b1_1_lat - kHotelExactLat) + std::abs(b1_1_lon - kHotelExactLon), 1e-3);
  // B1 1 is a sector of hundreds of postcodes; B1 9 of one, whose centroid would be that postcode's: the
  // takeaway there is shown at the B1 district's centroid instead.
  ASSERT_GE(b1_1_postcodes, 20);
  ASSERT_LT(b1_9_postcodes, 20);
  ASSERT_GT(b1_postcodes, 500);
  ASSERT_GT(std::abs(b1_9_lat - b1_lat) + std::abs(b1_9_lon - b1_lon), 1e-4);
  // A practitioner sees the postcodes, an IG lead (aggregates only) neither names nor postcodes: both get the
  // same locations.
  for (const char* user : {"wmp-practitioner", "wmp-ig_lead"}) {
    SCOPED_TRACE(user);
    Session s = Login(user);
    const json list = json::parse(Get(s, "/api/places")->body)["places"];
    ASSERT_EQ(list.size(), 2u);
    std::map<int64_t, json> by_id;
    for (const auto& p : list) by_id[p["id"].get<int64_t>()] = p;
    for (const auto& [id, expected] : {std::pair{int64_t{1}, b1_1}, std::pair{int64_t{2}, b1}}) {
      const json view = json::parse(Get(s, "/api/places/" + std::to_string(id))->body)["place"];
      for (const json& place : {by_id.at(id), view}) {
        ASSERT_TRUE(place["location"].is_object()) << place.dump();
        EXPECT_EQ(place["location"].size(), 2u) << "lat and lon only: " << place.dump();
        EXPECT_DOUBLE_EQ(place["location"]["lat"].get<double>(), expected.first) << "place " << id;
        EXPECT_DOUBLE_EQ(place["location"]["lon"].get<double>(), expected.second) << "place " << id;
      }
      EXPECT_EQ(view["postcode"].is_null(), std::string(user) == "wmp-ig_lead");
    }
    // Neither the hotel's own coordinates nor the single-postcode sector's centroid appear in any answer.
    for (const std::string path : {"/api/places", "/api/places/1", "/api/places/2"}) {
      const std::string body = Get(s, path)->body;
      for (const char* figure : {"52.47791", "-1.90102", "52.47857", "-1.91297"}) {
        EXPECT_EQ(body.find(figure), std::string::npos) << path << " " << figure;
      }
    }
  }
}

TEST_F(DirectoryTest, RecordLevelFilteringFollowsTheAgreementsDataClass) {
  // wmp sees Dee's bcc referral (child_protection, under the bcc -> wmp agreement) but not her education record.
  Session wmp = Login("wmp-practitioner");
  auto dee = Get(wmp, "/api/people/4");
  ASSERT_EQ(dee->status, 200) << dee->body;
  const json d = json::parse(dee->body);
  ASSERT_EQ(d["records"].size(), 1u) << dee->body;
  EXPECT_EQ(d["records"][0]["local_id"], "Dee1");
  EXPECT_EQ(d["records"][0]["record_class"], "child_protection");
  EXPECT_EQ(d["records"][0]["access_basis"], "agreement_and_relationship");
  EXPECT_EQ(d["links"].size(), 0u);
  EXPECT_EQ(dee->body.find("Dee2"), std::string::npos);
  // bcc, the owner, sees both records and the link between them.
  Session bcc = Login("bcc-practitioner");
  const json b = json::parse(Get(bcc, "/api/people/4")->body);
  EXPECT_EQ(b["records"].size(), 2u);
  EXPECT_EQ(b["links"].size(), 1u);
  EXPECT_EQ(b["access_basis"], json::array({"own_agency"}));
  // Carl: wmp sees the police records only, nhs the health record only.
  const json carl_wmp = json::parse(Get(wmp, "/api/people/3")->body);
  std::set<std::string> wmp_ids;
  for (const auto& r : carl_wmp["records"]) wmp_ids.insert(r["local_id"]);
  EXPECT_EQ(wmp_ids, (std::set<std::string>{"Carl1", "Sight1"}));
  Session nhs = Login("nhs-analyst");
  const json carl_nhs = json::parse(Get(nhs, "/api/people/3")->body);
  ASSERT_EQ(carl_nhs["records"].size(), 1u);
  EXPECT_EQ(carl_nhs["records"][0]["local_id"], "Carl2");
  EXPECT_EQ(carl_nhs["records"][0]["agency"], "nhs");
}

TEST_F(DirectoryTest, PersonViewExplainsEachLinkWithWhatTheStoreHolds) {
  Session s = Login("bcc-analyst");  // Amy's records are wmp's: visible under agreement + relationship
  const int64_t reads_before = CountAudit("read_person", "bcc-analyst", "ok");
  auto r = Get(s, "/api/people/1");
  ASSERT_EQ(r->status, 200) << r->body;
  const json v = json::parse(r->body);
  EXPECT_EQ(v["person"]["name"], "Amy Synthetic");
  EXPECT_EQ(v["person"]["is_child"], true);
  EXPECT_EQ(v["access_basis"], json::array({"agreement_and_relationship"}));
  ASSERT_EQ(v["records"].size(), 3u);
  ASSERT_EQ(v["links"].size(), 3u);  // every pair of the three visible records
  EXPECT_EQ(v["links_truncated"], false);
  int reviewed = 0, clustered = 0;
  for (const auto& l : v["links"]) {
    const bool is_review = l["left_mention_id"] == amy_review_.first && l["right_mention_id"] == amy_review_.second;
    if (is_review) {
      ++reviewed;
      EXPECT_EQ(l["source"], "review");
      EXPECT_DOUBLE_EQ(l["match_weight"].get<double>(), 12.5);
      EXPECT_DOUBLE_EQ(l["match_probability"].get<double>(), 0.9998);
      EXPECT_EQ(l["review"]["status"], "confirmed");
      EXPECT_EQ(l["review"]["reason"], "same synthetic NHS number");
      EXPECT_EQ(l["review"]["decided_by"], "reviewer");
    } else {
      ++clustered;
      EXPECT_EQ(l["source"], "cluster");
      EXPECT_TRUE(l["match_weight"].is_null());
      EXPECT_TRUE(l["review"].is_null());
    }
    std::map<std::string, std::string> fields;
    for (const auto& f : l["fields"]) fields[f["field"]] = f["agreement"];
    EXPECT_EQ(fields["forename"], "agree");
    EXPECT_EQ(fields["surname"], "agree");
    EXPECT_EQ(fields["nhs_number"], "missing");
    EXPECT_EQ(fields.size(), 7u);
  }
  EXPECT_EQ(reviewed, 1);
  EXPECT_EQ(clustered, 2);
  EXPECT_EQ(CountAudit("read_person", "bcc-analyst", "ok") - reads_before, 1);
}

TEST_F(DirectoryTest, IdsOutsideRightsAnswerExactlyLikeMissingIds) {
  for (const std::string agency : {"wmp", "bcc", "nhs"}) {
    for (Role role : AllRoles()) {
      const std::string user = UserName(agency, role);
      Session s = Login(user);
      auto compare = [&](const std::string& hidden, const std::string& missing) {
        auto a = Get(s, hidden), b = Get(s, missing);
        ASSERT_TRUE(a && b);
        EXPECT_EQ(a->status, b->status) << user << " " << hidden;
        EXPECT_EQ(a->body, b->body) << user << " " << hidden;
        EXPECT_EQ(a->get_header_value("Content-Length"), b->get_header_value("Content-Length"));
        EXPECT_EQ(a->get_header_value("Content-Type"), b->get_header_value("Content-Type"));
      };
      if (MaySeeIdentifying(role)) {
        for (int64_t id = 1; id <= 5; ++id) {
          if (!Visible(agency).count(id)) compare("/api/people/" + std::to_string(id), "/api/people/987654");
        }
        // Search: a hidden person's name finds exactly what a name nobody has finds.
        for (const char* name : {"Amy", "Bea", "Carl", "Dee", "Eve"}) {
          const int64_t id = std::string(name) == "Amy"    ? 1
                             : std::string(name) == "Bea"  ? 2
                             : std::string(name) == "Carl" ? 3
                             : std::string(name) == "Dee"  ? 4
                                                           : 5;
          if (!Visible(agency).count(id)) {
            compare(std::string("/api/people?q=") + name, "/api/people?q=Nobodyxyz");
          }
        }
      }
      compare("/api/places/3", "/api/places/987654");
      if (MayReadImports(role)) {
        for (const auto& [batch, owner] : {std::pair{2, "wmp"}, std::pair{3, "bcc"}, std::pair{4, "nhs"}}) {
          if (agency != owner) {
            compare("/api/imports/" + std::to_string(batch) + "/quarantine", "/api/imports/987654/quarantine");
          }
        }
      }
    }
  }
  // The audit trail tells a refusal from a missing id, for the IG lead.
  EXPECT_GE(CountAudit("read_person", "nhs-practitioner", "refused"), 1);
  EXPECT_GE(CountAudit("read_person", "nhs-practitioner", "not_found"), 1);
  EXPECT_GE(CountAudit("read_quarantine", "bcc-manager", "refused"), 1);
}

TEST_F(DirectoryTest, BreakGlassOpensAPersonToSearchAndView) {
  Session s = Login("nhs-practitioner");
  EXPECT_EQ(json::parse(Get(s, "/api/people?q=bea")->body)["total"], 0);
  ASSERT_EQ(Get(s, "/api/people/2")->status, 404);
  ASSERT_EQ(Post(s, "/api/children/2/break-glass", {{"reason", "child missing tonight, police not reachable"}})->status,
            201);
  const json found = json::parse(Get(s, "/api/people?q=bea")->body);
  ASSERT_EQ(found["total"], 1);
  EXPECT_EQ(found["people"][0]["id"], 2);
  EXPECT_EQ(found["people"][0]["access_basis"], json::array({"break_glass"}));
  auto view = Get(s, "/api/people/2");
  ASSERT_EQ(view->status, 200) << view->body;
  EXPECT_EQ(json::parse(view->body)["access_basis"], json::array({"break_glass"}));
  now_ += 3601;  // the grant expires
  Session later = Login("nhs-practitioner");
  EXPECT_EQ(Get(later, "/api/people/2")->status, 404);
}

TEST_F(DirectoryTest, SearchFiltersPagesAndNeverCountsHiddenPeople) {
  Session s = Login("wmp-practitioner");
  const int64_t first_seq = AuditRows() + 1;
  auto search = [&](const std::string& query) {
    auto r = Get(s, "/api/people" + query);
    EXPECT_EQ(r->status, 200) << query << ": " << r->body;
    return json::parse(r->body);
  };
  EXPECT_EQ(Ids(search("?q=synthetic")["people"]), (std::set<int64_t>{1, 2}));
  EXPECT_EQ(Ids(search("?q=SYNTH")["people"]), (std::set<int64_t>{1, 2}));        // case-insensitive
  EXPECT_EQ(Ids(search("?role=child")["people"]), (std::set<int64_t>{1, 2, 4}));  // Eve is nhs's only
  EXPECT_EQ(Ids(search("?role=person_of_concern")["people"]), (std::set<int64_t>{3}));
  EXPECT_EQ(Ids(search("?role=adult")["people"]), (std::set<int64_t>{3}));
  EXPECT_EQ(search("?q=%25")["total"], 0);  // LIKE wildcards are literal
  EXPECT_EQ(search("?q=_")["total"], 0);
  const json page = search("?role=child&limit=1&offset=1");
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["people"].size(), 1u);
  EXPECT_EQ(page["people"][0]["id"], 2);
  EXPECT_EQ(search("?offset=50")["people"].size(), 0u);
  Session bcc = Login("bcc-practitioner");
  const json b = json::parse(Get(bcc, "/api/people?q=synthetic")->body);
  EXPECT_EQ(b["total"], 1);  // Bea is police-only without a relationship: not counted
  EXPECT_EQ(b["people"][0]["access_basis"], json::array({"agreement_and_relationship"}));
  // The audit event keeps the query's hash, not the name typed.
  sqlite3* db = nullptr;
  sqlite3_open(db_.c_str(), &db);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT details FROM audit_event WHERE action = 'search_people' AND user_name = ?1 AND seq >= ?2",
                     -1, &q, nullptr);
  sqlite3_bind_text(q, 1, "wmp-practitioner", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(q, 2, first_seq);
  int events = 0;
  while (sqlite3_step(q) == SQLITE_ROW) {
    const std::string details = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    EXPECT_EQ(details.find("synth"), std::string::npos) << details;
    EXPECT_NE(details.find("query_hash"), std::string::npos) << details;
    ++events;
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  EXPECT_EQ(events, 9);
}

TEST_F(DirectoryTest, UnknownBadOrOversizedParametersAreRefusedAndNotServed) {
  Session practitioner = Login("wmp-practitioner"), manager = Login("wmp-manager"), ig = Login("wmp-ig_lead");
  const std::vector<std::pair<Session*, std::string>> bad = {
      {&practitioner, "/api/people?q=amy&agency=bcc"},  // mass assignment of scope
      {&practitioner, "/api/people?owner=wmp"},
      {&practitioner, "/api/people?q=a&q=b"},  // repeated
      {&practitioner, "/api/people?q=" + std::string(65, 'a')},
      {&practitioner, "/api/people?q=a%0Ab"},  // control character
      {&practitioner, "/api/people?limit=abc"},
      {&practitioner, "/api/people?limit=0"},
      {&practitioner, "/api/people?limit=101"},
      {&practitioner, "/api/people?limit=-1"},
      {&practitioner, "/api/people?limit=99999999999999999999"},
      {&practitioner, "/api/people?offset=1.5"},
      {&practitioner, "/api/people?role=administrator"},
      {&practitioner, "/api/people/1?fields=all"},
      {&practitioner, "/api/places?type=hotel"},
      {&practitioner, "/api/places/1?x=1"},
      {&practitioner, "/api/networks?size=1"},
      {&practitioner, "/api/networks/1?members=all"},
      {&practitioner, "/api/agencies?x="},
      {&manager, "/api/imports?agency=bcc"},
      {&manager, "/api/imports/2/quarantine?agency=bcc"},
      {&manager, "/api/imports/2/quarantine?limit=1001"},
      {&ig, "/api/audit?limit=1001"},
      {&ig, "/api/audit?from=2025-13-01"},
      {&ig, "/api/audit?from=2025-02-30"},
      {&ig, "/api/audit?to=yesterday"},
      {&ig, "/api/audit?from=2025-01-02&to=2025-01-01"},
      {&ig, "/api/audit?from=2025-01-01T25:00:00Z"},
      {&ig, "/api/audit?user=" + std::string(65, 'u')},
      {&ig, "/api/audit?before=0"},
      {&ig, "/api/audit?target=3"},                       // no kind
      {&ig, "/api/audit?target=person:"},                 // no id
      {&ig, "/api/audit?target=Person:3"},                // the kind is lower-case
      {&ig, "/api/audit?target=person:3%27%20OR%201=1"},  // a quote and spaces
      {&ig, "/api/audit?target=" + std::string(101, 'p')},
      {&ig, "/api/audit?seq=1"},
      {&ig, "/api/audit/verify?full=1"},
      {&ig, "/api/audit/checkpoints?limit=1"},
      {&ig, "/api/audit/proof/inclusion"},  // seq is required
      {&ig, "/api/audit/proof/inclusion?seq=0"},
      {&ig, "/api/audit/proof/inclusion?seq=999999999"},  // beyond the log
      {&ig, "/api/audit/proof/inclusion?seq=5&size=4"},
      {&ig, "/api/audit/proof/consistency"},
      {&ig, "/api/audit/proof/consistency?old=5&new=4"},
      {&ig, "/api/audit/proof/consistency?old=1&new=999999999"},
  };
  for (const auto& [session, path] : bad) {
    auto r = GetAudited(*session, path, 0);  // refused before anything is read
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path << ": " << r->body;
    const json body = json::parse(r->body, nullptr, false);
    EXPECT_EQ(body["error"]["code"], "bad_request") << path;
    EXPECT_EQ(body["error"]["status"], 400) << path;
  }
  // The same endpoints are served with good parameters.
  EXPECT_EQ(Get(practitioner, "/api/people?q=amy&role=child&limit=100&offset=0")->status, 200);
  EXPECT_EQ(Get(ig, "/api/audit?from=2000-01-01&to=2999-12-31T23:59:59Z&limit=1000")->status, 200);
  EXPECT_EQ(Get(ig, "/api/audit?from=2000-01-01T00:00:00.000Z&before=5")->status, 200);
  // Nothing here accepts a write.
  for (const char* path : {"/api/people", "/api/places", "/api/networks", "/api/imports", "/api/audit"}) {
    auto r = Post(manager, path, {{"agency", "bcc"}});
    ASSERT_TRUE(r);
    EXPECT_GE(r->status, 400) << "POST " << path;
  }
}

TEST_F(DirectoryTest, ImportsAreOwnAgencyUnlessAdministratorAndRawRowsOnlyForIdentifyingRoles) {
  auto batch_ids = [&](const std::string& user) {
    Session s = Login(user);
    auto r = Get(s, "/api/imports");
    EXPECT_EQ(r->status, 200) << user;
    return Ids(json::parse(r->body)["imports"]);
  };
  EXPECT_EQ(batch_ids("wmp-manager"), (std::set<int64_t>{1, 2}));
  EXPECT_EQ(batch_ids("bcc-ig_lead"), (std::set<int64_t>{3}));
  EXPECT_EQ(batch_ids("nhs-administrator"), (std::set<int64_t>{1, 2, 3, 4}));
  Session manager = Login("wmp-manager");
  const int64_t reads_before = CountAudit("read_quarantine", "wmp-manager", "ok");
  const std::string list = Get(manager, "/api/imports")->body;
  EXPECT_NE(list.find("\"wmp-2.csv\""), std::string::npos) << list;
  EXPECT_EQ(list.find("/home/analyst"), std::string::npos) << "the importer's directory stays out: " << list;
  const json q = json::parse(Get(manager, "/api/imports/2/quarantine")->body);
  EXPECT_EQ(q["total"], 2);
  ASSERT_EQ(q["rows"].size(), 2u);
  EXPECT_EQ(q["rows"][0]["raw"], "Zed,Quarantined,31/02/2010");
  EXPECT_EQ(q["rows"][0]["reason"], "not a date");
  const json page = json::parse(Get(manager, "/api/imports/2/quarantine?limit=1&offset=1")->body);
  ASSERT_EQ(page["rows"].size(), 1u);
  EXPECT_EQ(page["rows"][0]["raw"], "Yan,Quarantined,31/02/2010");
  EXPECT_TRUE(q["rows"][0]["resolved_at"].is_null());
  EXPECT_TRUE(q["rows"][0]["resolution"].is_null());
  // Marked resolved by hand on the host: still listed, with when and why.
  const int64_t row_id = q["rows"][0]["id"].get<int64_t>();
  ASSERT_EQ(
      std::system((std::string(RISKRADAR_BINARY) + " --actor ctest-operator quarantine resolve --db " + db_ + " " +
                   std::to_string(row_id) + " --reason 'the agency confirmed the row was a duplicate' >/dev/null")
                      .c_str()),
      0);
  const json resolved = json::parse(Get(manager, "/api/imports/2/quarantine")->body);
  ASSERT_EQ(resolved["rows"].size(), 2u);
  EXPECT_FALSE(resolved["rows"][0]["resolved_at"].is_null()) << resolved.dump();
  EXPECT_NE(resolved["rows"][0]["resolution"].get<std::string>().find("duplicate"), std::string::npos);
  EXPECT_TRUE(resolved["rows"][1]["resolved_at"].is_null());
  for (const char* user : {"wmp-ig_lead", "wmp-administrator"}) {
    Session s = Login(user);
    auto r = Get(s, "/api/imports/2/quarantine");
    ASSERT_EQ(r->status, 200) << user;
    const json rows = json::parse(r->body)["rows"];
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& row : rows) {
      EXPECT_TRUE(row["raw"].is_null()) << user;
      EXPECT_TRUE(row["value"].is_null()) << user;
      EXPECT_EQ(row["reason"], "not a date");
    }
    EXPECT_EQ(r->body.find("Quarantined"), std::string::npos) << user;
  }
  EXPECT_EQ(CountAudit("read_quarantine", "wmp-manager", "ok") - reads_before, 3);
}

TEST_F(DirectoryTest, AuditEndpointsFilterProveAndAreThemselvesAudited) {
  auto counts = [] {
    return std::vector<int64_t>{
        CountAudit("read_audit", "bcc-ig_lead", "ok"), CountAudit("audit_verify", "nhs-administrator", "ok"),
        CountAudit("audit_proof", "bcc-ig_lead", "ok"), CountAudit("read_audit_checkpoints", "bcc-ig_lead", "ok"),
        CountAudit("read_audit", "nhs-administrator", "forbidden")};
  };
  const std::vector<int64_t> before = counts();
  Session practitioner = Login("wmp-practitioner");
  const int64_t start = AuditRows();
  ASSERT_EQ(Get(practitioner, "/api/people/3")->status, 200);
  Session ig = Login("bcc-ig_lead");
  auto r = Get(ig, "/api/audit?user=wmp-practitioner&action=read_person&limit=1");
  ASSERT_EQ(r->status, 200) << r->body;
  const json events = json::parse(r->body)["events"];
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["target"], "person:3");
  EXPECT_EQ(events[0]["outcome"], "ok");
  EXPECT_EQ(events[0]["user"], "wmp-practitioner");
  const int64_t seq = events[0]["seq"];
  EXPECT_GT(seq, start);
  // Newest first, paged with before.
  const json all = json::parse(Get(ig, "/api/audit?limit=3")->body)["events"];
  ASSERT_EQ(all.size(), 3u);
  EXPECT_GT(all[0]["seq"].get<int64_t>(), all[1]["seq"].get<int64_t>());
  EXPECT_EQ(all[0]["action"], "read_audit");  // the previous read of the log, by the IG lead
  EXPECT_EQ(all[0]["user"], "bcc-ig_lead");
  const json older = json::parse(Get(ig, "/api/audit?limit=1&before=" + std::to_string(seq))->body)["events"];
  ASSERT_EQ(older.size(), 1u);
  EXPECT_EQ(older[0]["seq"], seq - 1);
  // Who opened this person's record: by target, newest first, whoever it was.
  ASSERT_EQ(Get(practitioner, "/api/people/3")->status, 200);
  const json about = json::parse(Get(ig, "/api/audit?target=person:3&action=read_person")->body)["events"];
  ASSERT_EQ(about.size(), 2u) << about.dump();
  for (const json& e : about) EXPECT_EQ(e["target"], "person:3");
  EXPECT_GT(about[0]["seq"].get<int64_t>(), about[1]["seq"].get<int64_t>());
  EXPECT_EQ(about[1]["seq"], seq);
  EXPECT_EQ(json::parse(Get(ig, "/api/audit?target=person:999999")->body)["events"].size(), 0u);
  const json log_reads = json::parse(Get(ig, "/api/audit?target=audit_log&limit=5")->body)["events"];
  ASSERT_FALSE(log_reads.empty());
  for (const json& e : log_reads) EXPECT_EQ(e["target"], "audit_log");
  EXPECT_EQ(json::parse(Get(ig, "/api/audit?to=2000-01-01")->body)["events"].size(), 0u);
  EXPECT_EQ(json::parse(Get(ig, "/api/audit?from=2999-01-01")->body)["events"].size(), 0u);

  // The inclusion proof of that event checks against the signed head, with the leaf hash the event listed.
  const json checkpoints = json::parse(Get(ig, "/api/audit/checkpoints")->body);
  ASSERT_FALSE(checkpoints["head"].is_null());
  ASSERT_GE(checkpoints["checkpoints"].size(), 1u);  // the fixture signed one
  const int64_t head_size = checkpoints["head"]["tree_size"];
  const json proof = json::parse(
      Get(ig, "/api/audit/proof/inclusion?seq=" + std::to_string(seq) + "&size=" + std::to_string(head_size))->body);
  EXPECT_EQ(proof["leaf_hash"], events[0]["leaf_hash"]);
  EXPECT_EQ(proof["root_hash"], checkpoints["head"]["root_hash"]);
  std::vector<merkle::Hash> path;
  for (const auto& h : proof["path"]) path.push_back(*merkle::FromHex(h.get<std::string>()));
  EXPECT_TRUE(merkle::VerifyInclusion(*merkle::FromHex(proof["leaf_hash"].get<std::string>()),
                                      static_cast<uint64_t>(seq - 1), static_cast<uint64_t>(head_size), path,
                                      *merkle::FromHex(proof["root_hash"].get<std::string>())));
  // Consistency between the kept checkpoint and the head.
  const json kept = checkpoints["checkpoints"][0];
  const json consistency =
      json::parse(Get(ig, "/api/audit/proof/consistency?old=" + std::to_string(kept["tree_size"].get<int64_t>()) +
                              "&new=" + std::to_string(head_size))
                      ->body);
  EXPECT_EQ(consistency["old_root_hash"], kept["root_hash"]);
  std::vector<merkle::Hash> cpath;
  for (const auto& h : consistency["path"]) cpath.push_back(*merkle::FromHex(h.get<std::string>()));
  EXPECT_TRUE(merkle::VerifyConsistency(kept["tree_size"].get<uint64_t>(), static_cast<uint64_t>(head_size),
                                        *merkle::FromHex(kept["root_hash"].get<std::string>()),
                                        *merkle::FromHex(consistency["root_hash"].get<std::string>()), cpath));
  // Verification from an administrator.
  Session admin = Login("nhs-administrator");
  auto verify = Get(admin, "/api/audit/verify");
  ASSERT_EQ(verify->status, 200) << verify->body;
  const json v = json::parse(verify->body);
  EXPECT_EQ(v["ok"], true) << v.dump();
  EXPECT_GT(v["events"].get<int64_t>(), 50);
  // Administrators check the log but do not read who did what.
  EXPECT_EQ(Get(admin, "/api/audit")->status, 403);
  // Every read of the log was itself audited: eight event reads (three of them by target), one verification, two
  // proofs, one checkpoint list, one refusal.
  const std::vector<int64_t> after = counts();
  const std::vector<int64_t> expected = {8, 1, 2, 1, 1};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(after[i] - before[i], expected[i]) << "count " << i;
}

TEST_F(DirectoryTest, NoDataWithoutItsAuditEvent) {
  Session practitioner = Login("wmp-practitioner"), manager = Login("wmp-manager"), ig = Login("wmp-ig_lead");
  const std::vector<std::pair<Session*, std::string>> reads = {
      {&practitioner, "/api/people?q=synthetic"},
      {&practitioner, "/api/people/1"},
      {&practitioner, "/api/places"},
      {&practitioner, "/api/places/1"},
      {&practitioner, "/api/networks"},
      {&practitioner, "/api/networks/1"},
      {&manager, "/api/imports"},
      {&manager, "/api/imports/2/quarantine"},
      {&ig, "/api/audit"},
      {&ig, "/api/audit/verify"},
      {&ig, "/api/audit/checkpoints"},
      {&ig, "/api/audit/proof/inclusion?seq=1"},
      {&ig, "/api/audit/proof/consistency?old=1"},
  };
  for (const auto& [session, path] : reads) ASSERT_EQ(Get(*session, path)->status, 200) << path;
  sqlite3* db = nullptr;
  sqlite3_open(db_.c_str(), &db);
  sqlite3_exec(db,
               "CREATE TRIGGER audit_down BEFORE INSERT ON audit_event "
               "BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END;",
               nullptr, nullptr, nullptr);
  for (const auto& [session, path] : reads) {
    auto r = Get(*session, path);
    ASSERT_TRUE(r) << path;
    EXPECT_GE(r->status, 400) << path << ": " << r->body;
    for (const char* secret :
         {"Synthetic", "Offender", "Quarantined", "wmp-2.csv", "read_person", "root_hash", "audit_event", "RAISE"}) {
      EXPECT_EQ(r->body.find(secret), std::string::npos) << path << " leaked " << secret << ": " << r->body;
    }
    EXPECT_EQ(json::parse(r->body, nullptr, false)["error"]["status"], r->status) << path;
  }
  sqlite3_exec(db, "DROP TRIGGER audit_down", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(Get(practitioner, "/api/people/1")->status, 200);
}

}  // namespace directory_test
}  // namespace riskradar::server

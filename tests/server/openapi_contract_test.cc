// api/openapi.json against the real server: every documented operation is called as a role that gets a 2xx
// and its body is checked against the documented schema; its error answers (401, and the documented 400, 403
// and 404) against the Error schema; and the documented operations, the server's route table
// (DeclaredRoutes) and the probes below must be the same set, so the document and the server cannot drift apart.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "../../src/server/routes.h"
#include "directory_fixture.h"
#include "json_schema.h"
#include "riskradar/store/practice.h"

namespace riskradar::server {
namespace openapi_contract_test {

using testing_support::SchemaValidator;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const json& Document() {
  static const json doc =
      json::parse(ReadFile(fs::path(RISKRADAR_SOURCE_DIR) / "api" / "openapi.json"), nullptr, false);
  return doc;
}

// "/api/children/{id}" and R"(/api/children/(\d{1,18}))" both become "/api/children/{}".
std::string NormalisePath(const std::string& path) {
  std::string out;
  int depth = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '(' || c == '{') {
      if (depth++ == 0) out += "{}";
    } else if (c == ')' || c == '}') {
      --depth;
    } else if (depth == 0) {
      out.push_back(c);
    }
  }
  return out;
}

// "GET /api/people/{}" for every operation in the document.
std::set<std::string> DocumentedOperations() {
  std::set<std::string> out;
  for (const auto& [path, item] : Document()["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(m + " " + NormalisePath(path));
    }
  }
  return out;
}

// Every route of the server's route table, "GET /api/people/{}".
std::set<std::string> DeclaredOperations() {
  std::set<std::string> out;
  for (const Route& r : DeclaredRoutes()) out.insert(r.method + " " + NormalisePath(DocumentedPath(r.path)));
  return out;
}

// One request: who sends it (empty: nobody signed in), where, with what body.
struct Req {
  std::string user;
  std::string path;
  json body = nullptr;
  bool csrf = true;
  httplib::Headers headers = {};  // extra request headers (If-Match)
};

// Ids the probes need, found when the suite's store is seeded (OpenApiContractTest::SetUpTestSuite).
int64_t pending_review_id = 0, break_glass_grant_id = 0, relationship_id = 0;
// Approval requests (by wmp-administrator): one each to approve, reject and withdraw, one left pending for the
// error probes; and an account that must enrol, signed in with its two code halves.
int64_t approve_id = 0, reject_id = 0, withdraw_id = 0, pending_id = 0;
// Child 1's latest assessment when the suite starts (the override probe's If-Match).
int64_t child1_assessment_id = 0;
// The practice workflow's seeded records: an action and a disruption at version 1, a meeting chaired by the
// police manager with one agenda item (child 1), and an alert to the police practitioner about child 1.
int64_t action_id = 0, disruption_id = 0, meeting_id = 0, agenda_item_id = 0, alert_id = 0;
const std::string kEnrolHalfA(20, 'a'), kEnrolHalfB(20, 'b');

// How each documented operation is exercised: a request that succeeds (and more users whose answers differ in
// shape, e.g. fields withheld from aggregate roles), and requests that must fail with each documented 400, 403
// and 404.
struct Probe {
  Req ok;
  int ok_status = 200;
  std::vector<std::string> also_ok;
  std::optional<Req> bad, forbidden, missing;
};

std::map<std::string, Probe> Probes() {
  const std::string practitioner = "wmp-practitioner", manager = "wmp-manager", ig = "wmp-ig_lead",
                    admin = "wmp-administrator", analyst = "bcc-analyst";
  std::map<std::string, Probe> p;
  // Login and logout are driven specially (a fresh one-time code; a session of their own).
  p["POST /api/login"] = {{practitioner, "/api/login"}, 200, {}, Req{"", "/api/login"}, {}, {}};
  p["POST /api/logout"] = {{practitioner, "/api/logout", json::object()},           200, {}, {},
                           Req{practitioner, "/api/logout", json::object(), false}, {}};
  // The health checks: anonymous, no data; an unknown query parameter is refused like anywhere else.
  p["GET /healthz"] = {{"", "/healthz"}, 200, {}, Req{"", "/healthz?verbose=1"}, {}, {}};
  p["GET /readyz"] = {{"", "/readyz"}, 200, {}, Req{"", "/readyz?verbose=1"}, {}, {}};
  p["GET /api/session"] = {{practitioner, "/api/session"}, 200, {ig}, {}, {}, {}};
  p["GET /api/radar"] = {{ig, "/api/radar"}, 200, {practitioner}, {}, {}, {}};
  p["GET /api/children/{}"] = {{practitioner, "/api/children/1"},        200, {analyst}, {}, Req{ig, "/api/children/1"},
                               Req{practitioner, "/api/children/987654"}};
  p["POST /api/children/{}/break-glass"] = {
      {"nhs-practitioner", "/api/children/2/break-glass", {{"reason", "contract test of the break-glass answer"}}},
      201,
      {},
      Req{"nhs-practitioner", "/api/children/2/break-glass", {{"reason", "short"}}},
      Req{ig, "/api/children/2/break-glass", {{"reason", "contract test of the break-glass answer"}}},
      {}};
  p["GET /api/break-glass"] = {{ig, "/api/break-glass?all=1"},        200, {}, Req{ig, "/api/break-glass?scope=all"},
                               Req{practitioner, "/api/break-glass"}, {}};
  p["GET /api/people"] = {{practitioner, "/api/people?q=synthetic&role=child&limit=10&offset=0"},
                          200,
                          {analyst},
                          Req{practitioner, "/api/people?limit=0"},
                          Req{ig, "/api/people?q=amy"},
                          {}};
  p["GET /api/people/{}"] = {{practitioner, "/api/people/1"},
                             200,
                             {analyst},
                             Req{practitioner, "/api/people/1?x=1"},
                             Req{ig, "/api/people/1"},
                             Req{practitioner, "/api/people/987654"}};
  p["GET /api/places"] = {{practitioner, "/api/places"}, 200, {ig}, Req{practitioner, "/api/places?x=1"}, {}, {}};
  p["GET /api/places/{}"] = {{practitioner, "/api/places/1"},        200, {ig, analyst},
                             Req{practitioner, "/api/places/1?x=1"}, {},  Req{practitioner, "/api/places/987654"}};
  p["GET /api/networks"] = {{practitioner, "/api/networks"}, 200, {ig}, Req{practitioner, "/api/networks?x=1"}, {}, {}};
  p["GET /api/networks/{}"] = {
      {practitioner, "/api/networks/1"},        200, {ig, analyst},
      Req{practitioner, "/api/networks/1?x=1"}, {},  Req{practitioner, "/api/networks/987654"}};
  p["GET /api/people/{}/network"] = {{practitioner, "/api/people/1/network?hops=2"},
                                     200,
                                     {analyst},
                                     Req{practitioner, "/api/people/3/network?hops=4"},
                                     Req{ig, "/api/people/3/network"},
                                     Req{practitioner, "/api/people/987654/network"}};
  p["GET /api/networks/{}/priorities"] = {{practitioner, "/api/networks/1/priorities"},
                                          200,
                                          {analyst},
                                          Req{practitioner, "/api/networks/1/priorities?x=1"},
                                          Req{ig, "/api/networks/1/priorities"},
                                          Req{practitioner, "/api/networks/987654/priorities"}};
  p["GET /api/networks/{}/graph"] = {{practitioner, "/api/networks/1/graph"},
                                     200,
                                     {analyst},
                                     Req{practitioner, "/api/networks/1/graph?x=1"},
                                     Req{ig, "/api/networks/1/graph"},
                                     Req{practitioner, "/api/networks/987654/graph"}};
  p["GET /api/networks/{}/export"] = {{practitioner, "/api/networks/1/export?format=graphml"},
                                      200,
                                      {analyst},
                                      Req{practitioner, "/api/networks/1/export?format=csv"},
                                      Req{admin, "/api/networks/1/export?format=graphml"},
                                      Req{practitioner, "/api/networks/987654/export?format=graphml"}};
  p["GET /api/people/{}/network/export"] = {{practitioner, "/api/people/1/network/export?hops=2&format=graphml"},
                                            200,
                                            {analyst},
                                            Req{practitioner, "/api/people/1/network/export?hops=4&format=graphml"},
                                            Req{ig, "/api/people/1/network/export?format=graphml"},
                                            Req{practitioner, "/api/people/987654/network/export?format=graphml"}};
  p["POST /api/reports/profile"] = {
      {analyst, "/api/reports/profile", {{"from", "2025-01-01"}, {"to", "2025-12-31"}, {"variant", "restricted"}}},
      200,
      {},
      Req{analyst, "/api/reports/profile", {{"from", "2025-12-31"}, {"to", "2025-01-01"}}},
      Req{practitioner, "/api/reports/profile", {{"from", "2025-01-01"}, {"to", "2025-12-31"}}},
      {}};
  p["GET /api/imports"] = {{manager, "/api/imports"},         200, {ig, admin}, Req{manager, "/api/imports?agency=bcc"},
                           Req{practitioner, "/api/imports"}, {}};
  p["GET /api/imports/{}/quarantine"] = {{manager, "/api/imports/2/quarantine?limit=10&offset=0"},
                                         200,
                                         {ig, admin},
                                         Req{manager, "/api/imports/2/quarantine?limit=0"},
                                         Req{practitioner, "/api/imports/2/quarantine"},
                                         Req{manager, "/api/imports/987654/quarantine"}};
  p["GET /api/agencies"] = {{practitioner, "/api/agencies"},        200, {admin},
                            Req{practitioner, "/api/agencies?x=1"}, {},  {}};
  p["GET /api/audit"] = {{ig, "/api/audit?user=wmp-practitioner&limit=20&from=2000-01-01&to=2999-01-01"},
                         200,
                         {},
                         Req{ig, "/api/audit?limit=0"},
                         Req{admin, "/api/audit"},
                         {}};
  p["GET /api/audit/verify"] = {{admin, "/api/audit/verify"},           200, {ig}, Req{admin, "/api/audit/verify?x=1"},
                                Req{practitioner, "/api/audit/verify"}, {}};
  p["GET /api/audit/checkpoints"] = {
      {ig, "/api/audit/checkpoints"},         200, {admin}, Req{ig, "/api/audit/checkpoints?x=1"},
      Req{manager, "/api/audit/checkpoints"}, {}};
  p["GET /api/audit/proof/inclusion"] = {
      {ig, "/api/audit/proof/inclusion?seq=2&size=5"},       200, {admin}, Req{ig, "/api/audit/proof/inclusion"},
      Req{practitioner, "/api/audit/proof/inclusion?seq=1"}, {}};
  // Administration, review queue, alerts. The successful probes that change something run once each, in key
  // order: an agreement is created before one is ended, a user is disabled before being reset (re-enabled).
  const std::string review = "/api/review/" + std::to_string(pending_review_id);
  const json decision = {{"decision", "confirm"}, {"reason", "contract test: same child, checked"}};
  const httplib::Headers if_match = {{"If-Match", "\"1\""}};
  p["GET /api/review"] = {{practitioner, "/api/review?limit=10"},
                          200,
                          {analyst},
                          Req{practitioner, "/api/review?limit=0"},
                          Req{ig, "/api/review"},
                          {}};
  p["GET /api/review/{}"] = {{practitioner, review},
                             200,
                             {},
                             Req{practitioner, review + "?x=1"},
                             Req{ig, review},
                             Req{practitioner, "/api/review/987654"}};
  p["POST /api/review/{}/decision"] = {{practitioner, review + "/decision", decision, true, if_match},
                                       200,
                                       {},
                                       Req{practitioner,
                                           review + "/decision",
                                           {{"decision", "maybe"}, {"reason", "contract test: not a decision"}},
                                           true,
                                           if_match},
                                       Req{ig, review + "/decision", decision, true, if_match},
                                       Req{practitioner, "/api/review/987654/decision", decision, true, if_match}};
  p["GET /api/users"] = {{admin, "/api/users"},           200, {}, Req{admin, "/api/users?x=1"},
                         Req{practitioner, "/api/users"}, {}};
  const std::string why = "contract test: a reason long enough";
  p["POST /api/users"] = {{admin, "/api/users", {{"name", "wmp-contract"}, {"role", "analyst"}, {"reason", why}}},
                          202,
                          {},
                          Req{admin, "/api/users", {{"name", "wmp-contract2"}, {"role", "analyst"}, {"agency", "bcc"}}},
                          Req{practitioner, "/api/users", {{"name", "wmp-contract3"}, {"role", "analyst"}}},
                          {}};
  for (const std::string action : {"disable", "reset"}) {
    const std::string path = "/api/users/wmp-analyst/" + action;
    p["POST /api/users/{}/" + action] = {{admin, path, action == "reset" ? json{{"reason", why}} : json::object()},
                                         action == "reset" ? 202 : 200,
                                         {},
                                         Req{admin, path, {{"disabled", false}}},
                                         Req{practitioner, path, json::object()},
                                         Req{admin, "/api/users/nobody-here/" + action, json::object()}};
  }
  p["POST /api/users/{}/role"] = {
      {admin, "/api/users/wmp-practitioner/role", {{"role", "manager"}, {"reason", why}}},
      202,
      {},
      Req{admin, "/api/users/wmp-practitioner/role", {{"role", "superuser"}, {"reason", why}}},
      Req{practitioner, "/api/users/wmp-practitioner/role", {{"role", "manager"}, {"reason", why}}},
      Req{admin, "/api/users/nobody-here/role", {{"role", "manager"}, {"reason", why}}}};
  p["GET /api/agreements"] = {{practitioner, "/api/agreements"},        200, {ig},
                              Req{practitioner, "/api/agreements?x=1"}, {},  {}};
  const json agreement = {{"provider_agency", "wmp"},
                          {"recipient_agency", "nhs"},
                          {"data_class", "contract_test"},
                          {"purpose", "contract test"},
                          {"lawful_basis", "test only"}};
  json bad_agreement = agreement;
  bad_agreement["created_by"] = ig;
  p["POST /api/agreements"] = {{ig, "/api/agreements", agreement},
                               201,
                               {},
                               Req{ig, "/api/agreements", bad_agreement},
                               Req{practitioner, "/api/agreements", agreement},
                               {}};
  const json end = {{"reason", "contract test: the agreement ends"}};
  p["POST /api/agreements/{}/end"] = {{ig, "/api/agreements/2/end", end},
                                      200,
                                      {},
                                      Req{ig, "/api/agreements/2/end", {{"reason", "short"}}},
                                      Req{practitioner, "/api/agreements/2/end", end},
                                      Req{ig, "/api/agreements/987654/end", end}};
  const json allocate = {{"user", practitioner}, {"kind", "mase_listing"}, {"reason", why}};
  p["GET /api/children/{}/relationships"] = {{manager, "/api/children/1/relationships"},
                                             200,
                                             {},
                                             Req{manager, "/api/children/1/relationships?x=1"},
                                             Req{practitioner, "/api/children/1/relationships"},
                                             Req{manager, "/api/children/987654/relationships"}};
  p["POST /api/children/{}/relationships"] = {
      {manager, "/api/children/2/relationships", allocate},
      202,
      {},
      Req{manager, "/api/children/2/relationships", {{"user", practitioner}, {"kind", "friend"}}},
      Req{practitioner, "/api/children/2/relationships", allocate},
      Req{manager, "/api/children/987654/relationships", allocate}};
  const std::string relationship = "/api/children/1/relationships/" + std::to_string(relationship_id);
  p["DELETE /api/children/{}/relationships/{}"] = {{manager, relationship},
                                                   200,
                                                   {},
                                                   Req{manager, relationship + "?x=1"},
                                                   Req{practitioner, relationship},
                                                   Req{manager, "/api/children/1/relationships/987654"}};
  // Approval requests (separation of duties).
  const json note = {{"note", "contract test: checked with the team"}};
  const std::string pending = "/api/approvals/" + std::to_string(pending_id);
  p["GET /api/approvals"] = {
      {manager, "/api/approvals?all=1"},   200, {ig, admin}, Req{manager, "/api/approvals?all=2"},
      Req{practitioner, "/api/approvals"}, {}};
  p["POST /api/approvals/{}/approve"] = {{ig, "/api/approvals/" + std::to_string(approve_id) + "/approve", note},
                                         200,
                                         {},
                                         Req{ig, pending + "/approve", {{"note", "short"}}},
                                         Req{practitioner, pending + "/approve", note},
                                         Req{ig, "/api/approvals/987654/approve", note}};
  p["POST /api/approvals/{}/reject"] = {{ig, "/api/approvals/" + std::to_string(reject_id) + "/reject", note},
                                        200,
                                        {},
                                        Req{ig, pending + "/reject", {{"note", "short"}}},
                                        Req{practitioner, pending + "/reject", note},
                                        Req{ig, "/api/approvals/987654/reject", note}};
  p["POST /api/approvals/{}/withdraw"] = {{admin, "/api/approvals/" + std::to_string(withdraw_id) + "/withdraw"},
                                          200,
                                          {},
                                          Req{admin, pending + "/withdraw", {{"x", "1"}}},
                                          Req{practitioner, pending + "/withdraw"},
                                          Req{admin, "/api/approvals/987654/withdraw"}};
  // Driven specially (an enrolling account's own sign-in); the error probes need no enrolling account.
  p["POST /api/session/enrol"] = {{"wmp-enrolee", "/api/session/enrol"},
                                  200,
                                  {},
                                  Req{practitioner, "/api/session/enrol", {{"password", "x"}, {"extra", "1"}}},
                                  Req{practitioner, "/api/session/enrol", {{"password", "x"}, {"totp", "1"}}, false},
                                  {}};
  p["GET /api/alerts"] = {{ig, "/api/alerts?all=1"},        200, {}, Req{ig, "/api/alerts?all=2"},
                          Req{practitioner, "/api/alerts"}, {}};
  const std::string grant = "/api/break-glass/" + std::to_string(break_glass_grant_id) + "/review";
  const json verdict = {{"outcome", "appropriate"}, {"note", "contract test: checked with the team"}};
  p["POST /api/break-glass/{}/review"] = {
      {ig, grant, verdict},
      200,
      {},
      Req{ig, grant, {{"outcome", "fine"}, {"note", "contract test: not an outcome"}}},
      Req{practitioner, grant, verdict},
      Req{ig, "/api/break-glass/987654/review", verdict}};
  p["GET /api/audit/proof/consistency"] = {{ig, "/api/audit/proof/consistency?old=3&new=7"},
                                           200,
                                           {admin},
                                           Req{ig, "/api/audit/proof/consistency?old=0"},
                                           Req{practitioner, "/api/audit/proof/consistency?old=1"},
                                           {}};
  // Professional judgement (api_judgement.cc). The override runs before the screening (key order), against the
  // latest assessment the suite started with.
  p["GET /api/children/{}/assessments"] = {{practitioner, "/api/children/1/assessments"},
                                           200,
                                           {analyst, manager},
                                           Req{practitioner, "/api/children/1/assessments?x=1"},
                                           Req{ig, "/api/children/1/assessments"},
                                           Req{practitioner, "/api/children/987654/assessments"}};
  const json observed = {
      {"observations", {{{"indicator", "unexplained_gifts_money"}, {"date", "2025-06-01"}, {"source", "school"}}}}};
  p["POST /api/children/{}/screenings"] = {
      {practitioner, "/api/children/1/screenings", observed},
      201,
      {},
      Req{practitioner,
          "/api/children/1/screenings",
          {{"observations", {{{"indicator", "no_such_indicator"}, {"date", "2025-06-01"}, {"source", "school"}}}}}},
      Req{ig, "/api/children/1/screenings", observed},
      Req{practitioner, "/api/children/987654/screenings", observed}};
  const json raise = {{"level", "serious"}, {"reason", "contract test: disclosed to the school nurse"}};
  const httplib::Headers latest = {{"If-Match", "\"" + std::to_string(child1_assessment_id) + "\""}};
  p["POST /api/children/{}/override"] = {{manager, "/api/children/1/override", raise, true, latest},
                                         201,
                                         {},
                                         Req{manager,
                                             "/api/children/1/override",
                                             {{"level", "medium"}, {"reason", "contract test: not a level"}},
                                             true,
                                             latest},
                                         Req{ig, "/api/children/1/override", raise, true, latest},
                                         Req{manager, "/api/children/987654/override", raise, true, latest}};
  p["GET /api/caseload"] = {{practitioner, "/api/caseload"}, 200, {manager}, Req{practitioner, "/api/caseload?x=1"},
                            Req{ig, "/api/caseload"},        {}};
  const json text = {{"text", "contract test: seen at home, well"}};
  for (const auto& [kind, base, forbidden_poster] :
       {std::tuple{"children", "/api/children/", analyst}, std::tuple{"people", "/api/people/", analyst},
        std::tuple{"places", "/api/places/", ig}}) {
    const std::string key = std::string("/api/") + kind + "/{}/notes";
    const std::string one = std::string(base) + "1/notes", missing = std::string(base) + "987654/notes";
    p["GET " + key] = {{practitioner, one},       200, {manager}, Req{practitioner, one + "?x=1"}, Req{ig, one},
                       Req{practitioner, missing}};
    p["POST " + key] = {{practitioner, one, text},
                        201,
                        {},
                        Req{practitioner, one, {{"text", "   "}}},
                        Req{forbidden_poster, one, text},
                        Req{practitioner, missing, text}};
  }
  // The practice workflow (api_practice.cc): the seeded records above; key order runs GET, PATCH, then POST.
  const std::string action = "/api/actions/" + std::to_string(action_id);
  const std::string disruption = "/api/disruptions/" + std::to_string(disruption_id);
  const std::string meeting = "/api/mase/meetings/" + std::to_string(meeting_id);
  const std::string item = meeting + "/agenda/" + std::to_string(agenda_item_id);
  const json new_action = {{"title", "contract test: strategy meeting"},
                           {"owner_agency", "wmp"},
                           {"owner_user", "wmp-practitioner"},
                           {"due", "2025-08-01"},
                           {"link_kind", "child"},
                           {"link_id", "1"}};
  json missing_child = new_action;
  missing_child["link_id"] = "987654";
  json short_title = new_action;
  short_title["title"] = "ab";
  p["GET /api/actions"] = {{practitioner, "/api/actions?overdue=0"},
                           200,
                           {manager},
                           Req{practitioner, "/api/actions?overdue=2"},
                           Req{ig, "/api/actions"},
                           {}};
  p["POST /api/actions"] = {{practitioner, "/api/actions", new_action},
                            201,
                            {},
                            Req{practitioner, "/api/actions", short_title},
                            Req{ig, "/api/actions", new_action},
                            Req{practitioner, "/api/actions", missing_child}};
  p["PATCH /api/actions/{}"] = {{practitioner, action, {{"status", "done"}}, true, if_match},
                                200,
                                {},
                                Req{practitioner, action, {{"status", "closed"}}, true, if_match},
                                Req{ig, action, {{"status", "done"}}, true, if_match},
                                Req{practitioner, "/api/actions/987654", {{"status", "done"}}, true, if_match}};
  const json new_disruption = {{"kind", "sexual_risk_order"}, {"person_id", "3"},        {"issuing_agency", "wmp"},
                               {"issued", "2025-02-01"},      {"expires", "2027-02-01"}, {"note", "contract test"}};
  json bad_kind = new_disruption;
  bad_kind["kind"] = "asbo";
  json missing_person = new_disruption;
  missing_person["person_id"] = "987654";
  p["GET /api/disruptions"] = {{practitioner, "/api/disruptions"}, 200, {manager}, {}, Req{ig, "/api/disruptions"}, {}};
  p["POST /api/disruptions"] = {{practitioner, "/api/disruptions", new_disruption},
                                201,
                                {},
                                Req{practitioner, "/api/disruptions", bad_kind},
                                Req{ig, "/api/disruptions", new_disruption},
                                Req{practitioner, "/api/disruptions", missing_person}};
  p["PATCH /api/disruptions/{}"] = {{practitioner, disruption, {{"note", "contract test: reviewed"}}, true, if_match},
                                    200,
                                    {},
                                    Req{practitioner, disruption, {{"status", "paused"}}, true, if_match},
                                    Req{ig, disruption, {{"note", "x"}}, true, if_match},
                                    Req{practitioner, "/api/disruptions/987654", {{"note", "x"}}, true, if_match}};
  const json breach = {{"date", "2025-06-01"}, {"note", "seen with a child at the hotel"}};
  p["POST /api/disruptions/{}/breaches"] = {
      {practitioner, disruption + "/breaches", breach},
      201,
      {},
      Req{practitioner, disruption + "/breaches", {{"date", "2025-13-01"}, {"note", "x y z"}}},
      Req{ig, disruption + "/breaches", breach},
      Req{practitioner, "/api/disruptions/987654/breaches", breach}};
  p["GET /api/mase/meetings"] = {{practitioner, "/api/mase/meetings"}, 200, {manager}, {},
                                 Req{ig, "/api/mase/meetings"},        {}};
  const json new_meeting = {
      {"district", "Birmingham"}, {"date", "2025-07-01"}, {"chair", "wmp-manager"}, {"panel", "wmp-practitioner"}};
  p["POST /api/mase/meetings"] = {
      {manager, "/api/mase/meetings", new_meeting},
      201,
      {},
      Req{manager, "/api/mase/meetings", {{"district", "Birmingham"}, {"date", "soon"}, {"chair", manager}}},
      Req{practitioner, "/api/mase/meetings", new_meeting},
      {}};
  p["GET /api/mase/meetings/{}"] = {{practitioner, meeting},
                                    200,
                                    {manager},
                                    Req{practitioner, meeting + "?x=1"},
                                    Req{ig, meeting},
                                    Req{practitioner, "/api/mase/meetings/987654"}};
  const json add = {{"person_id", "2"}, {"note", "contract test: listed by the chair"}};
  p["POST /api/mase/meetings/{}/agenda"] = {{manager, meeting + "/agenda", add},
                                            201,
                                            {},
                                            Req{manager, meeting + "/agenda", {{"person_id", "2"}, {"note", "short"}}},
                                            Req{ig, meeting + "/agenda", add},
                                            Req{manager, "/api/mase/meetings/987654/agenda", add}};
  p["POST /api/mase/meetings/{}/agenda/{}/minutes"] = {
      {manager, item + "/minutes", {{"minutes", "contract test: a strategy meeting was agreed"}}},
      200,
      {},
      Req{manager, item + "/minutes", {{"minutes", ""}}},
      Req{ig, item + "/minutes", {{"minutes", "x"}}},
      Req{manager, meeting + "/agenda/987654/minutes", {{"minutes", "x"}}}};
  p["POST /api/mase/meetings/{}/agenda/{}/remove"] = {
      {manager, item + "/remove", {{"reason", "contract test: discussed last month"}}},
      200,
      {},
      Req{manager, item + "/remove", {{"reason", "short"}}},
      Req{ig, item + "/remove", {{"reason", "x"}}},
      Req{manager, meeting + "/agenda/987654/remove", {{"reason", "contract test: no such item"}}}};
  p["POST /api/mase/meetings/{}/close"] = {{manager, meeting + "/close"},
                                           200,
                                           {},
                                           Req{manager, meeting + "/close", {{"x", "1"}}},
                                           Req{ig, meeting + "/close"},
                                           Req{manager, "/api/mase/meetings/987654/close"}};
  p["GET /api/alerts/mine"] = {{practitioner, "/api/alerts/mine?all=1"},    200, {ig},
                               Req{practitioner, "/api/alerts/mine?all=2"}, {},  {}};
  const std::string ack = "/api/alerts/" + std::to_string(alert_id) + "/acknowledge";
  p["POST /api/alerts/{}/acknowledge"] = {
      {practitioner, ack, {{"note", "contract test: seen"}}}, 200, {},
      Req{practitioner, ack, {{"note", "bell\x07"}}},         {},  Req{practitioner, "/api/alerts/987654/acknowledge"}};
  return p;
}

class OpenApiContractTest : public DirectoryFixture {
 protected:
  // On top of the directory's seed: a pending review pair of two police records (Bea and Carl) for the review
  // queue's probes, and an NHS practitioner's break-glass grant over Bea (alerted to the police) for the IG
  // review's; the relationship the manager's probe ends is the police IG lead's with child 1.
  static void SetUpTestSuite() {
    DirectoryFixture::SetUpTestSuite();
    if (HasFatalFailure()) return;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    const char* pair =
        "INSERT INTO link_review (left_mention_id, right_mention_id, match_weight, match_probability, status, reason, "
        "decided_by) SELECT (SELECT m.id FROM person_mention m JOIN source_record r ON r.id = m.source_record_id "
        "WHERE m.forename = 'Bea' AND r.agency_code = 'wmp' LIMIT 1), (SELECT m.id FROM person_mention m "
        "JOIN source_record r ON r.id = m.source_record_id WHERE m.forename = 'Carl' AND r.agency_code = 'wmp' "
        "LIMIT 1), 0.2, 0.53, 'pending', '', ''";
    ASSERT_EQ(sqlite3_exec(db, pair, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    pending_review_id = sqlite3_last_insert_rowid(db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT c.id FROM care_relationship c JOIN app_user u ON u.id = c.user_id "
                       "WHERE u.name = 'wmp-ig_lead' AND c.person_id = 1",
                       -1, &q, nullptr);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    relationship_id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_prepare_v2(db, "SELECT MAX(id) FROM assessment WHERE person_id = 1", -1, &q, nullptr);
    ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
    child1_assessment_id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    auto nhs = store_->FindUser("nhs-practitioner");
    ASSERT_TRUE(nhs.ok() && nhs->has_value());
    auto grant = store_->GrantBreakGlass({(*nhs)->id, "nhs-practitioner", "nhs", Role::kPractitioner}, 2,
                                         "contract test: a grant for the IG review probe", now_, 3600, store::Actor{});
    ASSERT_TRUE(grant.ok()) << grant.status().ToString();
    break_glass_grant_id = grant->id;
    const auto params = PasswordHashParams::MinimumForTestsOnly();
    auto request = [&](const std::string& subject) {
      store::ApprovalRequest r;
      r.kind = store::ApprovalKind::kAccountGrant;
      r.requested_by = "wmp-administrator";
      r.requester_agency = r.subject_agency = "wmp";
      r.subject_user = subject;
      r.role = "analyst";
      r.reason = "contract test: an account for the probes";
      r.enrol_part_hash = *HashPassword(kEnrolHalfA, params);
      r.created_s = now_;
      r.expires_s = now_ + 86400 * 365;
      auto id = store_->InsertApprovalRequest(r);
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      return id.ok() ? *id : 0;
    };
    approve_id = request("wmp-granted");
    reject_id = request("wmp-refused");
    withdraw_id = request("wmp-withdrawn");
    pending_id = request("wmp-pending");
    store::User enrolee;
    enrolee.name = "wmp-enrolee";
    enrolee.agency_code = "wmp";
    enrolee.role = Role::kPractitioner;
    enrolee.password_hash = *HashPassword(kEnrolHalfA, params);
    enrolee.enrol_hash = *HashPassword(kEnrolHalfB, params);
    enrolee.totp_secret = NewTotpSecret();
    ASSERT_TRUE(store_->InsertEnrollingUser(enrolee).ok());
    SeedPractice();
  }

  static void SeedPractice() {
    store::ActionRecord a;
    a.title = "contract test: return home interview";
    a.owner_agency = "wmp";
    a.owner_user = "wmp-practitioner";
    a.due = *Date::FromYmd(2025, 7, 1);
    a.link_kind = "child";
    a.link_id = 1;
    a.created_by = "wmp-manager";
    a.created_agency = "wmp";
    auto action = store::PracticeOf(*store_)->InsertAction(a);
    ASSERT_TRUE(action.ok()) << action.status().ToString();
    action_id = *action;
    store::DisruptionRecord d;
    d.kind = "cawn";
    d.person_id = 3;
    d.issuing_agency = "wmp";
    d.issued = *Date::FromYmd(2025, 1, 1);
    d.expires = *Date::FromYmd(2027, 1, 1);
    d.created_by = "wmp-practitioner";
    auto disruption = store::PracticeOf(*store_)->InsertDisruption(d);
    ASSERT_TRUE(disruption.ok()) << disruption.status().ToString();
    disruption_id = *disruption;
    store::MeetingRecord m;
    m.district = "Birmingham";
    m.date = *Date::FromYmd(2025, 6, 20);
    m.period_end = *Date::FromYmd(2025, 9, 18);
    m.chair = "wmp-manager";
    m.chair_agency = "wmp";
    m.panel = {"wmp-manager", "wmp-practitioner"};
    m.created_by = "wmp-manager";
    auto meeting = store::PracticeOf(*store_)->InsertMeeting(m);
    ASSERT_TRUE(meeting.ok()) << meeting.status().ToString();
    meeting_id = *meeting;
    store::AgendaItem item;
    item.meeting_id = meeting_id;
    item.person_id = 1;
    item.reasons = "new_significant";
    item.source = "generated";
    item.added_by = "wmp-manager";
    auto added = store::PracticeOf(*store_)->InsertAgendaItem(item);
    ASSERT_TRUE(added.ok()) << added.status().ToString();
    agenda_item_id = *added;
    store::NewAlert alert;
    alert.key = "contract:1";
    alert.kind = "missing_episode";
    alert.person_id = 1;
    alert.evidence = {1};
    alert.evidence_kind = "event";
    alert.detail = "a new missing episode was recorded";
    alert.recipients = {{"wmp-practitioner", "allocated_case"}};
    ASSERT_TRUE(store::PracticeOf(*store_)->SaveAlerts({alert}, "", store::Actor{}).ok());
    auto mine = store::PracticeOf(*store_)->ReadAlertsOf("wmp-practitioner", true);
    ASSERT_TRUE(mine.ok() && mine->size() == 1);
    alert_id = mine->front().id;
  }

  void SetUp() override { ASSERT_TRUE(Document().is_object()) << "api/openapi.json does not parse"; }

  Session& SessionOf(const std::string& user) {
    auto it = sessions_.find(user);
    if (it == sessions_.end()) it = sessions_.emplace(user, Login(user)).first;
    return it->second;
  }

  httplib::Result Send(const std::string& method, const Req& r) {
    const Session s = r.user.empty() ? Session{} : SessionOf(r.user);
    if (method == "GET") return Get(s, r.path);
    if (method == "POST" && r.headers.empty())
      return Post(s, r.path, r.body.is_null() ? json::object() : r.body, r.csrf);
    httplib::Headers h = r.headers;
    if (!s.cookie.empty()) h.emplace("Cookie", s.cookie);
    if (r.csrf) h.emplace("X-CSRF-Token", s.csrf);
    if (method == "DELETE") return Client().Delete(r.path.c_str(), h);
    if (method == "PATCH") {
      return Client().Patch(r.path.c_str(), h, (r.body.is_null() ? json::object() : r.body).dump(), "application/json");
    }
    return Client().Post(r.path.c_str(), h, (r.body.is_null() ? json::object() : r.body).dump(), "application/json");
  }

  static const json& Operation(const std::string& key) {
    const size_t space = key.find(' ');
    std::string method = key.substr(0, space);
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [path, item] : Document()["paths"].items()) {
      if (NormalisePath(path) == key.substr(space + 1) && item.contains(method)) return item[method];
    }
    static const json none;
    return none;
  }

  // The schema documented for this status, following a $ref to components/responses.
  static std::optional<json> ResponseSchema(const json& op, int status) {
    const std::string code = std::to_string(status);
    if (!op["responses"].contains(code)) return std::nullopt;
    json response = op["responses"][code];
    if (response.contains("$ref")) {
      SchemaValidator v(Document());
      response = *v.Resolve(response["$ref"].get<std::string>());
    }
    return response["content"]["application/json"]["schema"];
  }

  // The answer's status is documented for the operation and its body matches the documented schema.
  void ExpectDocumented(const std::string& key, const httplib::Result& r, const std::string& who) {
    ASSERT_TRUE(r) << key << ": no response";
    ASSERT_TRUE(Operation(key).is_object()) << key << " is not documented";
    // A file download (GraphML): the answer's media type is one the document lists for the status, as a string.
    const std::string type = r->get_header_value("Content-Type");
    if (r->status < 300 && type.rfind("application/json", 0) != 0) {
      const json& response = Operation(key)["responses"][std::to_string(r->status)];
      const std::string bare = type.substr(0, type.find(';'));
      ASSERT_TRUE(response.contains("content") && response["content"].contains(bare))
          << key << " answered " << type << ", which the document does not list";
      EXPECT_EQ(response["content"][bare]["schema"], json({{"type", "string"}})) << key;
      EXPECT_FALSE(r->body.empty()) << key;
      EXPECT_NE(r->get_header_value("Content-Disposition").find("attachment; filename="), std::string::npos) << key;
      return;
    }
    const auto schema = ResponseSchema(Operation(key), r->status);
    ASSERT_TRUE(schema.has_value()) << key << " answered " << r->status << " (" << who
                                    << "), which the document does not list: " << r->body;
    const json body = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << key << ": not JSON: " << r->body;
    const auto errors = SchemaValidator(Document()).Validate(body, *schema);
    EXPECT_TRUE(errors.empty()) << key << " " << r->status << " (" << who << "):\n"
                                << ::testing::PrintToString(errors) << "\nbody: " << r->body;
    if (r->status >= 400) {
      EXPECT_EQ(body["error"]["status"], r->status) << key;
      EXPECT_EQ(*schema, json({{"$ref", "#/components/schemas/Error"}})) << key << ": errors use the Error schema";
    }
  }

  std::map<std::string, Session> sessions_;
};

// Walks every schema in the document: only keywords the validator enforces, and every object schema says
// what it allows beyond its properties (precise: additionalProperties false, or a schema for a map).
void LintSchema(const json& schema, const std::string& at, std::vector<std::string>& problems) {
  static const std::set<std::string> kKnown = {"type",      "required", "properties",  "additionalProperties",
                                               "items",     "enum",     "nullable",    "allOf",
                                               "$ref",      "minimum",  "maximum",     "minLength",
                                               "maxLength", "format",   "description", "minItems",
                                               "maxItems",  "example"};
  if (!schema.is_object()) {
    problems.push_back(at + ": not a schema object");
    return;
  }
  for (const auto& [key, unused] : schema.items()) {
    if (!kKnown.count(key)) problems.push_back(at + ": keyword '" + key + "' is not enforced by the tests");
  }
  if (schema.value("type", "") == "object" && !schema.contains("additionalProperties")) {
    problems.push_back(at + ": object schema without additionalProperties");
  }
  if (schema.contains("properties")) {
    for (const auto& [name, sub] : schema["properties"].items()) LintSchema(sub, at + "." + name, problems);
    if (schema.contains("required")) {
      for (const auto& r : schema["required"]) {
        if (!schema["properties"].contains(r.get<std::string>()))
          problems.push_back(at + ": required " + r.dump() + " is not a property");
      }
    }
  }
  if (schema.contains("items")) LintSchema(schema["items"], at + "[]", problems);
  if (schema.contains("allOf")) {
    for (const auto& sub : schema["allOf"]) LintSchema(sub, at + ".allOf", problems);
  }
  if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
    LintSchema(schema["additionalProperties"], at + ".*", problems);
  }
  if (schema.contains("$ref") && !SchemaValidator(Document()).Resolve(schema["$ref"].get<std::string>())) {
    problems.push_back(at + ": unresolved " + schema["$ref"].dump());
  }
}

TEST_F(OpenApiContractTest, DocumentIsPreciseAndEveryErrorUsesTheErrorShape) {
  const json& doc = Document();
  EXPECT_EQ(doc["openapi"], "3.0.3");
  std::vector<std::string> problems;
  for (const auto& [name, schema] : doc["components"]["schemas"].items()) {
    LintSchema(schema, "#/components/schemas/" + name, problems);
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      const std::string where = method + " " + path;
      ASSERT_TRUE(op.contains("responses")) << where;
      bool success = false;
      for (const auto& [code, response] : op["responses"].items()) {
        const int status = std::stoi(code);
        if (status >= 400) {
          EXPECT_EQ(response, json({{"$ref", "#/components/responses/Error"}})) << where << " " << code;
          continue;
        }
        success = success || (status >= 200 && status < 300);
        ASSERT_TRUE(response.contains("content")) << where << " " << code;
        for (const auto& [media_type, content] : response["content"].items()) {
          LintSchema(content["schema"], where + " " + code + " " + media_type, problems);
        }
      }
      EXPECT_TRUE(success) << where << " documents no successful answer";
      EXPECT_TRUE(op["responses"].contains("401") || op.contains("security")) << where << " documents no 401";
      // Every query parameter is documented with a schema the server enforces.
      if (op.contains("parameters")) {
        for (const auto& p : op["parameters"]) {
          const json param = p.contains("$ref") ? *SchemaValidator(doc).Resolve(p["$ref"].get<std::string>()) : p;
          EXPECT_TRUE(param.contains("schema")) << where << " parameter " << param.dump();
          if (param.contains("schema")) LintSchema(param["schema"], where + " ?" + param.value("name", ""), problems);
        }
      }
    }
  }
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

TEST_F(OpenApiContractTest, ValidatorRejectsWhatTheSchemasForbid) {
  // The validator is the test's eyes: it must be able to fail.
  const json doc = {{"components",
                     {{"schemas",
                       {{"Thing",
                         {{"type", "object"},
                          {"required", {"id", "kind"}},
                          {"additionalProperties", false},
                          {"properties",
                           {{"id", {{"type", "integer"}, {"minimum", 0}}},
                            {"kind", {{"type", "string"}, {"enum", {"a", "b"}}}},
                            {"name", {{"type", "string"}, {"nullable", true}, {"maxLength", 3}}},
                            {"when", {{"type", "string"}, {"format", "date"}}},
                            {"tags", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                            {"level", {{"nullable", true}, {"allOf", {{{"$ref", "#/components/schemas/Level"}}}}}}}}}},
                        {"Level", {{"type", "string"}, {"enum", {"low", "high"}}}}}}}}};
  SchemaValidator v(doc);
  const json schema = {{"$ref", "#/components/schemas/Thing"}};
  EXPECT_TRUE(v.Validate({{"id", 1}, {"kind", "a"}, {"name", nullptr}, {"level", nullptr}}, schema).empty());
  EXPECT_TRUE(
      v.Validate(
           {{"id", 1}, {"kind", "b"}, {"name", "abc"}, {"when", "2025-01-31"}, {"tags", {"x"}}, {"level", "high"}},
           schema)
          .empty());
  EXPECT_FALSE(v.Validate({{"id", 1}}, schema).empty()) << "missing required";
  EXPECT_FALSE(v.Validate({{"id", 1}, {"kind", "a"}, {"extra", 1}}, schema).empty()) << "additional property";
  EXPECT_FALSE(v.Validate({{"id", "1"}, {"kind", "a"}}, schema).empty()) << "wrong type";
  EXPECT_FALSE(v.Validate({{"id", 1.5}, {"kind", "a"}}, schema).empty()) << "number for integer";
  EXPECT_FALSE(v.Validate({{"id", -1}, {"kind", "a"}}, schema).empty()) << "below minimum";
  EXPECT_FALSE(v.Validate({{"id", 1}, {"kind", "c"}}, schema).empty()) << "not in enum";
  EXPECT_FALSE(v.Validate({{"id", nullptr}, {"kind", "a"}}, schema).empty()) << "null, not nullable";
  EXPECT_FALSE(v.Validate({{"id", 1}, {"kind", "a"}, {"name", "abcd"}}, schema).empty()) << "too long";
  EXPECT_FALSE(v.Validate({{"id", 1}, {"kind", "a"}, {"when", "31/01/2025"}}, schema).empty()) << "not a date";
  EXPECT_FALSE(v.Validate({{"id", 1}, {"kind", "a"}, {"tags", {1}}}, schema).empty()) << "item type";
  EXPECT_FALSE(v.Validate({{"id", 1}, {"kind", "a"}, {"level", "medium"}}, schema).empty()) << "allOf + $ref";
  EXPECT_FALSE(v.Validate(json::array(), schema).empty()) << "array for object";
  EXPECT_FALSE(v.Validate(1, {{"type", "integer"}, {"pattern", "x"}}).empty()) << "unknown keyword";
  EXPECT_FALSE(v.Validate(1, {{"$ref", "#/components/schemas/Missing"}}).empty()) << "unresolved $ref";
}

TEST_F(OpenApiContractTest, DocumentedOperationsAreExactlyTheServedRoutes) {
  const std::set<std::string> documented = DocumentedOperations();
  const std::set<std::string> declared = DeclaredOperations();
  std::set<std::string> probed;
  for (const auto& [key, probe] : Probes()) probed.insert(key);
  EXPECT_EQ(declared.size(), DeclaredRoutes().size()) << "two declared routes document as the same operation";
  for (const std::string& op : documented) EXPECT_TRUE(declared.count(op)) << op << " is documented but not declared";
  for (const std::string& op : declared) EXPECT_TRUE(documented.count(op)) << op << " is declared but not documented";
  EXPECT_EQ(probed, documented) << "every documented operation needs a probe in this test";
  // And each documented operation is answered by a route, not by the server's unknown-route handler.
  const std::string unrouted = Get(SessionOf("wmp-manager"), "/api/no-such-route-here")->body;
  ASSERT_NE(unrouted.find("not_found"), std::string::npos) << unrouted;
  for (const auto& [key, probe] : Probes()) {
    if (key == "POST /api/login" || key == "POST /api/logout") continue;
    // Anonymous, so that no probe changes anything here: a routed path answers 401, an unrouted one 404.
    Req anonymous = probe.ok;
    anonymous.user = "";
    auto r = Send(key.substr(0, key.find(' ')), anonymous);
    ASSERT_TRUE(r) << key;
    EXPECT_NE(r->body, unrouted) << key << " is not routed";
  }
}

TEST_F(OpenApiContractTest, EverySuccessfulAnswerMatchesItsDocumentedSchema) {
  for (const auto& [key, probe] : Probes()) {
    SCOPED_TRACE(key);
    const std::string method = key.substr(0, key.find(' '));
    if (key == "POST /api/login") {
      now_ += 31;
      auto r = PostLogin(probe.ok.user, kPassword, *TotpCode(secrets_[probe.ok.user], now_));
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, probe.ok_status) << r->body;
      ExpectDocumented(key, r, probe.ok.user);
      continue;
    }
    if (key == "POST /api/logout") {
      Session fresh = Login(probe.ok.user);
      auto r = Post(fresh, probe.ok.path, json::object());
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, probe.ok_status) << r->body;
      ExpectDocumented(key, r, probe.ok.user);
      continue;
    }
    if (key == "POST /api/session/enrol") {
      now_ += 31;
      auto signed_in = PostLogin(probe.ok.user, kEnrolHalfA + kEnrolHalfB, "000000");
      ASSERT_EQ(signed_in->status, 200) << signed_in->body;
      ExpectDocumented("POST /api/login", signed_in, "an enrolling account");
      const json info = json::parse(signed_in->body);
      ASSERT_EQ(info["must_enrol"], true);
      const std::string cookie = signed_in->get_header_value("Set-Cookie");
      const Session enrolling{cookie.substr(0, cookie.find(';')), info["csrf_token"]};
      auto r = Post(enrolling, probe.ok.path,
                    {{"password", kPassword}, {"totp", *TotpCode(info["totp_secret"].get<std::string>(), now_)}});
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, probe.ok_status) << r->body;
      ExpectDocumented(key, r, probe.ok.user);
      continue;
    }
    auto r = Send(method, probe.ok);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, probe.ok_status) << probe.ok.user << " " << probe.ok.path << ": " << r->body;
    ExpectDocumented(key, r, probe.ok.user);
    for (const std::string& user : probe.also_ok) {
      Req other = probe.ok;
      other.user = user;
      auto o = Send(method, other);
      ASSERT_TRUE(o);
      EXPECT_GE(o->status, 200) << user;
      EXPECT_LT(o->status, 300) << user << ": " << o->body;
      ExpectDocumented(key, o, user);
    }
  }
}

TEST_F(OpenApiContractTest, ErrorAnswersAreDocumentedAndUseTheErrorSchema) {
  for (const auto& [key, probe] : Probes()) {
    SCOPED_TRACE(key);
    const std::string method = key.substr(0, key.find(' '));
    const json& op = Operation(key);
    ASSERT_TRUE(op.is_object());
    // 401: nobody signed in (for sign-in itself: wrong credentials).
    if (key == "POST /api/login") {
      auto r = PostLogin(probe.ok.user, "not the password at all", "000000");
      EXPECT_EQ(r->status, 401);
      ExpectDocumented(key, r, "wrong password");
      auto big = Client().Post("/api/login", std::string(100 * 1024, ' '), "application/json");
      EXPECT_EQ(big->status, 413);
      ExpectDocumented(key, big, "oversized body");
      auto extra = PostLogin(probe.ok.user, kPassword, "000000", "\"role\":\"administrator\"");
      EXPECT_EQ(extra->status, 400);
      ExpectDocumented(key, extra, "unknown field");
    } else if (op.contains("security") && op["security"].empty()) {
      // A public operation (the health checks): answered without a session, never 401.
      EXPECT_FALSE(op["responses"].contains("401")) << key;
    } else {
      Req anonymous = probe.ok;
      anonymous.user = "";
      auto r = Send(method, anonymous);
      EXPECT_EQ(r->status, 401) << r->body;
      ExpectDocumented(key, r, "anonymous");
    }
    const std::vector<std::tuple<int, const std::optional<Req>*, const char*>> cases = {
        {400, &probe.bad, "bad request"}, {403, &probe.forbidden, "forbidden"}, {404, &probe.missing, "missing"}};
    for (const auto& [status, req, what] : cases) {
      const bool documented = op["responses"].contains(std::to_string(status));
      if (key == "POST /api/login" && status == 400) continue;  // exercised above
      EXPECT_EQ(documented, req->has_value())
          << key << ": " << status
          << (documented ? " is documented but never exercised here" : " has a probe but is not documented");
      if (!req->has_value()) continue;
      auto r = Send(method, **req);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, status) << what << " " << (*req)->path << ": " << r->body;
      ExpectDocumented(key, r, what);
    }
  }
}

}  // namespace openapi_contract_test
}  // namespace riskradar::server

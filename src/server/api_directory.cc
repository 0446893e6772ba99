// Directory reads: people (search and one person with the evidence behind their links), places of concern,
// offender networks, imports and their quarantine, agencies. Function level: the route table's role check;
// record and field level: the access layer (access::AuditedAccess) filters by need-to-know and audits each
// read in its unit of work; identifying fields are also withheld here from roles that see only aggregates.
#include <filesystem>

#include "api.h"
#include "query_params.h"
#include "riskradar/access/audited_access.h"

namespace riskradar::server {
namespace {

constexpr int64_t kMaxPeoplePage = 100;
constexpr int64_t kMaxQuarantinePage = 1000;
constexpr int64_t kMaxOffset = 1000000;

json PersonJson(const Person& p) {
  return {{"id", p.id},
          {"name", p.display_name},
          {"dob", p.dob ? json(p.dob->ToIso()) : json(nullptr)},
          {"sex", ToString(p.sex)},
          {"district", p.district},
          {"is_child", p.is_child},
          {"person_of_concern", p.person_of_concern}};
}

// A postcode sector of fewer postcodes than this (3 of the reference list's 565 are a single postcode) would
// pinpoint a place: such places are shown at their postcode district's centroid instead.
constexpr int kMinSectorPostcodes = 20;

// Where a place is shown on the map, for every role: the centroid of its postcode sector, a point shared by a
// few thousand addresses (of its postcode district where the sector is small or not in the reference list);
// never the place's own coordinates, which may be a home's front door. null without a postcode in the
// reference geography.
json PlaceLocationJson(const Place& place, const Geography& geography) {
  const std::optional<LatLon> at = geography.LocateArea(place.postcode, kMinSectorPostcodes);
  if (!at) return nullptr;
  return {{"lat", at->lat}, {"lon", at->lon}};
}

// Identifying fields of a place (its name and postcode: a residential place of concern is someone's home)
// only for roles that may see identifying data.
json PlaceSummaryJson(const store::PlaceOfConcern& p, bool identifying, const Geography& geography) {
  json reasons = json::array();
  for (const auto& r : p.score.reasons) reasons.push_back(r);
  return {{"id", p.place.id},
          {"type", ToString(p.place.type)},
          {"district", p.place.district},
          {"name", identifying ? json(p.place.name) : json(nullptr)},
          {"postcode", identifying ? json(p.place.postcode) : json(nullptr)},
          {"location", PlaceLocationJson(p.place, geography)},
          {"score", p.score.score},
          {"children_at_risk", p.score.children_at_risk},
          {"persons_of_concern", p.score.persons_of_concern},
          {"events", p.score.events},
          {"reasons", reasons},
          // Aggregates only, like the reasons: occasions by weekday and hour, and the quarter-on-quarter trend.
          {"profile",
           {{"by_weekday", p.score.profile.by_weekday},
            {"by_hour", p.score.profile.by_hour},
            {"occasions", p.score.profile.occasions},
            {"timed", p.score.profile.timed},
            {"last_quarter", p.score.profile.last_quarter},
            {"previous_quarter", p.score.profile.previous_quarter},
            {"trend", p.score.profile.trend}}}};
}

json NetworkSummaryJson(const store::NetworkSummary& n) {
  return {{"id", n.id},
          {"offenders", n.offenders},
          {"children", n.children},
          {"places", n.places},
          {"size", n.offenders + n.children}};
}

}  // namespace

void Server::Impl::PeopleSearch(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  store::PersonQuery query;
  query.name = QueryText(req, "q");
  query.role = QueryText(req, "role");
  if (!query.role.empty() && query.role != "child" && query.role != "person_of_concern" && query.role != "adult") {
    return SendError(res, Status::InvalidArgument("role is child, person_of_concern or adult"));
  }
  auto limit = QueryInt(req, "limit", 50, 1, kMaxPeoplePage);
  if (!limit.ok()) return SendError(res, limit.status());
  auto offset = QueryInt(req, "offset", 0, 0, kMaxOffset);
  if (!offset.ok()) return SendError(res, offset.status());
  query.limit = *limit;
  query.offset = *offset;
  auto found = ctx.audited().SearchPeople(query, ctx.viewer(), Now(), ctx.actor());
  if (!found.ok()) return SendError(res, found.status());
  json people = json::array();
  for (const auto& p : found->people) {
    json j = PersonJson(p.person);
    j["access_basis"] = p.access_basis;
    people.push_back(std::move(j));
  }
  SendJson(res, 200, {{"total", found->total}, {"limit", query.limit}, {"offset", query.offset}, {"people", people}});
}

void Server::Impl::PersonDetail(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "person");
  if (!id.ok()) return SendError(res, id.status());
  auto view = ctx.audited().ReadPersonView(*id, ctx.viewer(), Now(), ctx.actor());
  if (!view.ok()) return SendError(res, view.status());
  json records = json::array();
  for (const auto& r : view->records) {
    records.push_back({{"mention_id", r.mention_id},
                       {"record_id", r.record_id},
                       {"agency", r.agency_code},
                       {"local_id", r.local_id},
                       {"record_class", r.record_class},
                       {"slot", r.slot},
                       {"role", r.role},
                       {"access_basis", r.access_basis}});
  }
  json links = json::array();
  for (const auto& l : view->links) {
    json fields = json::array();
    for (const auto& [field, agreement] : l.fields) fields.push_back({{"field", field}, {"agreement", agreement}});
    json review = nullptr;
    if (l.source == "review") {
      review = {{"status", l.review_status},
                {"reason", l.review_reason},
                {"decided_by", l.decided_by},
                {"decided_at", l.decided_at}};
    }
    links.push_back({{"left_mention_id", l.left_mention_id},
                     {"right_mention_id", l.right_mention_id},
                     {"source", l.source},
                     {"match_weight", l.match_weight ? json(*l.match_weight) : json(nullptr)},
                     {"match_probability", l.match_probability ? json(*l.match_probability) : json(nullptr)},
                     {"review", review},
                     {"fields", fields}});
  }
  SendJson(res, 200,
           {{"person", PersonJson(view->person)},
            {"records", records},
            {"links", links},
            {"links_truncated", view->links_truncated},
            {"access_basis", view->access_basis}});
}

void Server::Impl::PlaceList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto places = ctx.audited().ReadPlacesOfConcern(ctx.actor());
  if (!places.ok()) return SendError(res, places.status());
  const bool identifying = MaySeeIdentifying(ctx.user().role);
  json out = json::array();
  for (const auto& p : *places) out.push_back(PlaceSummaryJson(p, identifying, geography));
  SendJson(res, 200, {{"places", out}});
}

void Server::Impl::PlaceDetail(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "place");
  if (!id.ok()) return SendError(res, id.status());
  auto view = ctx.audited().ReadPlaceView(*id, ctx.viewer(), Now(), ctx.actor());
  if (!view.ok()) return SendError(res, view.status());
  const bool identifying = MaySeeIdentifying(ctx.user().role);
  // Aggregate roles get the counts only; identifying roles the people their records put here.
  json people = nullptr;
  if (identifying) {
    people = json::array();
    for (const auto& p : view->people) {
      people.push_back({{"id", p.person_id},
                        {"name", p.name},
                        {"is_child", p.is_child},
                        {"person_of_concern", p.person_of_concern},
                        {"events", p.events},
                        {"access_basis", p.access_basis}});
    }
  }
  SendJson(res, 200, {{"place", PlaceSummaryJson(view->place, identifying, geography)}, {"people", people}});
}

void Server::Impl::NetworkList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto networks = ctx.audited().ReadNetworks(ctx.actor());
  if (!networks.ok()) return SendError(res, networks.status());
  json out = json::array();
  for (const auto& n : *networks) out.push_back(NetworkSummaryJson(n));
  SendJson(res, 200, {{"networks", out}});
}

void Server::Impl::NetworkDetail(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "network");
  if (!id.ok()) return SendError(res, id.status());
  auto view = ctx.audited().ReadNetworkView(*id, ctx.viewer(), Now(), ctx.actor());
  if (!view.ok()) return SendError(res, view.status());
  // Aggregate roles get the sizes only.
  json members = nullptr, places = nullptr;
  if (MaySeeIdentifying(ctx.user().role)) {
    members = json::array();
    for (const auto& m : view->members) members.push_back({{"id", m.person_id}, {"name", m.name}, {"kind", m.kind}});
    places = json::array();
    for (const auto& p : view->places) {
      places.push_back({{"id", p.id},
                        {"name", p.name},
                        {"type", ToString(p.type)},
                        {"postcode", p.postcode},
                        {"district", p.district}});
    }
  }
  SendJson(res, 200, {{"network", NetworkSummaryJson(view->summary)}, {"members", members}, {"places", places}});
}

void Server::Impl::ImportList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  const store::User& u = ctx.user();
  const std::string scope = u.role == Role::kAdministrator ? std::string() : u.agency_code;
  auto batches = ctx.audited().ReadImports(scope, ctx.actor());
  if (!batches.ok()) return SendError(res, batches.status());
  json out = json::array();
  for (const auto& b : *batches) {
    // The file as given may carry a directory of the importer's machine: its name is enough.
    out.push_back({{"id", b.id},
                   {"agency", b.header.agency_code},
                   {"file", std::filesystem::path(b.header.file).filename().string()},
                   {"format", b.header.format},
                   {"record_class", b.header.record_class},
                   {"lawful_basis", b.header.lawful_basis},
                   {"rows_in", b.counts.rows_in},
                   {"landed", b.counts.landed},
                   {"unchanged", b.counts.unchanged},
                   {"quarantined", b.counts.quarantined},
                   {"status", b.status},
                   {"finished_at", b.finished_at}});
  }
  SendJson(res, 200, {{"imports", out}});
}

void Server::Impl::ImportQuarantine(RouteContext& ctx) {
  const httplib::Request& req = ctx.req;
  httplib::Response& res = ctx.res;
  auto id = ctx.params.Id("id", "import");
  if (!id.ok()) return SendError(res, id.status());
  auto limit = QueryInt(req, "limit", 100, 1, kMaxQuarantinePage);
  if (!limit.ok()) return SendError(res, limit.status());
  auto offset = QueryInt(req, "offset", 0, 0, kMaxOffset);
  if (!offset.ok()) return SendError(res, offset.status());
  // Own agency only, for every role: the rows are the agency's own data as received.
  auto page = ctx.audited().ReadQuarantine(*id, ctx.user().agency_code, *limit, *offset, ctx.actor());
  if (!page.ok()) return SendError(res, page.status());
  // The offending value and the raw row are personal data: only for roles that may see identifying data.
  const bool identifying = MaySeeIdentifying(ctx.user().role);
  json rows = json::array();
  for (const auto& r : page->rows) {
    rows.push_back({{"id", r.id},
                    {"file", std::filesystem::path(r.file).filename().string()},
                    {"line", r.line},
                    {"column", r.column},
                    {"reason", r.reason},
                    {"value", identifying ? json(r.value) : json(nullptr)},
                    {"raw", identifying ? json(r.raw) : json(nullptr)},
                    {"resolved_at", r.resolved_at.empty() ? json(nullptr) : json(r.resolved_at)},
                    {"resolution", r.resolved_at.empty() ? json(nullptr) : json(r.resolution)}});
  }
  SendJson(res, 200, {{"import", *id}, {"total", page->total}, {"limit", *limit}, {"offset", *offset}, {"rows", rows}});
}

void Server::Impl::AgencyList(RouteContext& ctx) {
  httplib::Response& res = ctx.res;
  auto agencies = ctx.store->ListAgencies();  // no personal data: not audited
  if (!agencies.ok()) return SendError(res, agencies.status());
  json out = json::array();
  for (const auto& a : *agencies) {
    out.push_back({{"code", a.code}, {"name", a.name}, {"kind", ToString(a.kind)}, {"area", a.area}});
  }
  SendJson(res, 200, {{"agencies", out}});
}

}  // namespace riskradar::server

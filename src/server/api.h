// Internal to src/server: the server's shared state (Server::Impl), its store pool and the helpers every
// endpoint uses. Endpoints are grouped by file (api_auth.cc, api_children.cc, ...); every route is declared,
// with its access policy, in the one table of routes.cc.
#pragma once

#include <httplib.h>

#include <charconv>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_errors.h"
#include "observability.h"
#include "riskradar/access/person_cache.h"
#include "riskradar/core/access.h"
#include "riskradar/core/geography.h"
#include "riskradar/server/server.h"
#include "router.h"
#include "routes.h"
#include "web_assets.h"

namespace riskradar::server {

using nlohmann::json;

// Optimistic concurrency (If-Match): the strong entity tag of a version or id ("7"), and the positive number a
// strong tag names; nothing for a weak tag, a list, '*' or anything else, so such an If-Match never matches (412
// once the item is known to be visible).
inline std::string ETag(int64_t version) { return "\"" + std::to_string(version) + "\""; }
inline std::optional<int64_t> VersionFromIfMatch(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.size() < 3 || v.front() != '"' || v.back() != '"') return std::nullopt;
  v = v.substr(1, v.size() - 2);
  int64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || out < 1) return std::nullopt;
  return out;
}

inline constexpr const char* kSessionCookie = "__Host-rr_session";
// Each half of a one-time enrolment code (RandomToken(15)); an enrolling account signs in with both, joined.
inline constexpr size_t kEnrolHalfChars = 20;

// A small pool of store connections: a Store is used by one thread at a time.
class StorePool {
 public:
  StorePool(std::string location, store::StoreOptions options)
      : location_(std::move(location)), options_(std::move(options)) {}

  class Lease {
   public:
    Lease(StorePool* pool, std::unique_ptr<store::Store> s) : pool_(pool), store_(std::move(s)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (store_) pool_->Release(std::move(store_));
    }
    store::Store& operator*() { return *store_; }
    store::Store* operator->() { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };

  Result<Lease> Acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        auto s = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(s));
      }
    }
    RR_ASSIGN_OR_RETURN(auto s, store::OpenStore(location_, options_));
    return Lease(this, std::move(s));
  }

 private:
  void Release(std::unique_ptr<store::Store> s) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(s));
  }
  std::string location_;
  store::StoreOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<store::Store>> free_;
};

// Sign-in attempts per key (an account and address pair, an address, an account) within a sliding window.
// An attempt reserves its slot in every key it counts against, atomically and before any password work, so
// N parallel attempts past a limit cause at most the limit's worth of password checks; a successful sign-in
// gives its slots back. Addresses from which a user signed in successfully are remembered for a while
// (Trusted), so the account-wide limit, which an attacker can fill from many addresses, does not lock the
// user out from where they usually sign in.
class Throttle {
 public:
  struct Limit {
    std::string key;
    int limit;
  };
  // Reserves one slot in each of `limits`; nothing is reserved and the full key is returned when any is full.
  std::optional<std::string> Reserve(const std::vector<Limit>& limits, int64_t now, int64_t window) {
    std::lock_guard lock(mu_);
    SweepLocked(now, window);
    for (const Limit& l : limits) {
      auto it = attempts_.find(l.key);
      if (it == attempts_.end()) continue;
      auto& q = it->second;
      while (!q.empty() && q.front() <= now - window) q.pop_front();
      if (static_cast<int>(q.size()) >= l.limit) return l.key;
    }
    for (const Limit& l : limits) attempts_[l.key].push_back(now);
    return std::nullopt;
  }
  // Gives back one slot reserved at `at` (a sign-in that succeeded).
  void Release(const std::string& key, int64_t at) {
    std::lock_guard lock(mu_);
    auto it = attempts_.find(key);
    if (it == attempts_.end()) return;
    auto& q = it->second;
    for (auto i = q.rbegin(); i != q.rend(); ++i) {
      if (*i == at) {
        q.erase(std::next(i).base());
        break;
      }
    }
    if (q.empty()) attempts_.erase(it);
  }
  void Clear(const std::string& key) {
    std::lock_guard lock(mu_);
    attempts_.erase(key);
  }
  void Trust(const std::string& pair_key, int64_t until) {
    std::lock_guard lock(mu_);
    trusted_[pair_key] = until;
  }
  bool Trusted(const std::string& pair_key, int64_t now) {
    std::lock_guard lock(mu_);
    auto it = trusted_.find(pair_key);
    return it != trusted_.end() && it->second > now;
  }

 private:
  // Bounds memory against a flood of made-up names and addresses: expired entries go once the map is large.
  void SweepLocked(int64_t now, int64_t window) {
    if (attempts_.size() < kSweepAt && trusted_.size() < kSweepAt) return;
    for (auto it = attempts_.begin(); it != attempts_.end();) {
      auto& q = it->second;
      while (!q.empty() && q.front() <= now - window) q.pop_front();
      it = q.empty() ? attempts_.erase(it) : std::next(it);
    }
    for (auto it = trusted_.begin(); it != trusted_.end();) it = it->second <= now ? trusted_.erase(it) : std::next(it);
  }
  static constexpr size_t kSweepAt = 100000;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> attempts_;
  std::map<std::string, int64_t> trusted_;
};

void SetHeaderOnce(httplib::Response& res, const char* name, const std::string& value);
void SendJson(httplib::Response& res, int status, const json& body);
void SendError(httplib::Response& res, const Status& status);
std::string CookieValue(const httplib::Request& req, std::string_view name);
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// Parses a JSON object body allowing only `allowed` keys (string values): unknown fields are refused, so
// nobody can slip an agency, owner or audit field into a request.
Result<std::map<std::string, std::string>> ParseBody(const httplib::Request& req,
                                                     std::initializer_list<const char*> allowed);
bool IsStateChanging(const std::string& method);
// application/json, optionally with "; charset=utf-8" (any case); anything else is not JSON.
bool IsJsonMediaType(std::string_view type);

// The radar's answer, shared by every worker and kept while the store's radar generation stays the same
// (store/assessments.h): a hit costs one one-row read instead of the GROUP BY over every latest assessment.
// The radar is one partnership-wide aggregate, the same for every role, so one entry is enough.
class RadarCache {
 public:
  // The cached body if it was counted at `generation`.
  std::optional<std::string> Find(int64_t generation) {
    std::lock_guard lock(mu_);
    if (!body_ || generation_ != generation) return std::nullopt;
    return body_;
  }
  void Put(int64_t generation, std::string body) {
    std::lock_guard lock(mu_);
    generation_ = generation;
    body_ = std::move(body);
  }

 private:
  std::mutex mu_;
  int64_t generation_ = 0;
  std::optional<std::string> body_;
};

struct Server::Impl {
  ServerOptions options;
  Router router;  // every route; the transport (src/server/http/) calls Handle, which calls router.Dispatch
  StorePool pool;
  Throttle throttle;
  RadarCache radar_cache;
  // People's stored mentions and record classes for the caseload, the MASE agenda and the practice lists, keyed
  // on the person-record generation (access/person_cache.h); rows only, the rule is applied on every read.
  access::PersonRecordCache person_cache;
  // The stored MASE meetings with their agenda, keyed on the meeting generation (the same header).
  access::MeetingCache meeting_cache;
  std::string decoy_hash;  // verified for unknown users so they cost the same as a wrong password
  std::string decoy_totp;
  bool tls = false;
  // The web application's pages and files (options.web_dir); none when it is empty: the API only.
  std::optional<WebAssets> web;
  // The reference postcode geography (data/reference/geo): a place's location is its postcode sector's
  // centroid, never its own coordinates (docs/security.md "Place locations").
  Geography geography;
  // Monitoring (observability.h): counters and histograms by route, the access log's pseudonyms, and the
  // transport whose counters the metrics show (set by CreateServer; it outlives every request).
  Metrics metrics;
  Pseudonymiser pseudonyms;
  http::Transport* transport = nullptr;

  Impl(ServerOptions o) : options(std::move(o)), pool(options.db, options.store_options) {}
  ~Impl();

  int64_t Now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The session behind the request's cookie, or Unauthenticated; checks the CSRF token on state changes.
  Result<store::SessionUser> Authenticate(const httplib::Request& req, store::Store& s, std::string* token_hash);
  // The scope of an information-governance review (break-glass list, audit events) asked for with the
  // `scope` query parameter ("agency" or "partnership"; absent: the widest the caller has). Returns the agency
  // to restrict to, "" for the whole partnership; an IG lead whose agency is not in
  // options.partnership_ig_agencies asking for the partnership gets PermissionDenied (the caller audits it).
  Result<std::string> IgScope(const store::User& u, const std::string& asked) const;
  static store::Actor ActorFor(const store::User& u, std::string purpose = "safeguarding");
  static Viewer ViewerFor(const store::User& u);
  // Audits a refusal at function level (the caller's role may not use this endpoint).
  // The refusal's audit event through the access layer; the caller answers its refusal only if this is OK.
  Status AuditRefusal(store::Store& s, const store::User& u, const std::string& action, const std::string& target);

  // Sets up the HTTP server and registers the route table; an error names the route that could not be added.
  Status Install(const std::vector<Route>& routes);
  // A complete request from the transport, on a worker: routing, policy and handler (a thrown exception is a
  // 500 without its text); an error answer without a body gets the API's error shape.
  void Handle(httplib::Request& req, httplib::Response& res);
  // Writes the request's access-log line and counts it in the metrics.
  void Record(const httplib::Request& req, const httplib::Response& res, const RequestTrace& trace,
              const std::string& request_id, std::chrono::steady_clock::time_point start);
  // The metrics page (Prometheus text format).
  std::string RenderMetrics();
  // routes.cc: every route through the same steps (authentication, CSRF, role check with audited refusal,
  // strict query and media type) before its handler.
  Status RegisterRoutes(const std::vector<Route>& routes);
  void Serve(const Route& route, const httplib::Request& req, httplib::Response& res, const PathParams& params);
  static Result<std::unique_ptr<Server>> CreateServer(ServerOptions options, const std::vector<Route>& routes);

  // The handlers, one per route (routes.cc declares who may call each). api_health.cc: liveness and readiness
  // for load balancers and supervisors (no session, no data).
  void Healthz(RouteContext& ctx);
  void Readyz(RouteContext& ctx);
  // api_auth.cc: sign-in, sign-out, the current session.
  void Login(RouteContext& ctx);
  void Logout(RouteContext& ctx);
  void Session(RouteContext& ctx);
  // api_children.cc: the radar, a child's view, break-glass.
  void Radar(RouteContext& ctx);
  void Child(RouteContext& ctx);
  void BreakGlass(RouteContext& ctx);
  void BreakGlassList(RouteContext& ctx);
  // ---- directory reads (people, places, networks, imports, agencies) and the audit log: api_directory.cc,
  // api_audit.cc (query parameters checked by query_params.h).
  void PeopleSearch(RouteContext& ctx);
  void PersonDetail(RouteContext& ctx);
  void PlaceList(RouteContext& ctx);
  void PlaceDetail(RouteContext& ctx);
  void NetworkList(RouteContext& ctx);
  void NetworkDetail(RouteContext& ctx);
  // ---- the VOLT graph: a person's ego network, a network's priorities (api_network.cc)
  void PersonNetwork(RouteContext& ctx);
  void NetworkPriorityList(RouteContext& ctx);
  // api_network.cc: one network's graph (the chart) and the GraphML downloads of a network and an ego network.
  void NetworkGraph(RouteContext& ctx);
  void NetworkExport(RouteContext& ctx);
  void PersonNetworkExport(RouteContext& ctx);
  // api_reports.cc: the problem profile for a period, one at a time (profile_running).
  void ReportProfile(RouteContext& ctx);
  std::mutex profile_running;
  void ImportList(RouteContext& ctx);
  void ImportQuarantine(RouteContext& ctx);
  void AgencyList(RouteContext& ctx);
  void AuditEvents(RouteContext& ctx);
  void AuditVerify(RouteContext& ctx);
  void AuditCheckpoints(RouteContext& ctx);
  void AuditInclusionProof(RouteContext& ctx);
  void AuditConsistencyProof(RouteContext& ctx);

  // ---- administration, review queue, alerts
  // api_review.cc: the linkage review queue (list, read with the match-weight waterfall, decide with If-Match).
  void ReviewList(RouteContext& ctx);
  void ReviewRead(RouteContext& ctx);
  void ReviewDecide(RouteContext& ctx);
  // api_admin.cc: users (administrator), sharing agreements (IG lead), care relationships (manager), IG alerts
  // and break-glass review (IG lead).
  void UsersList(RouteContext& ctx);
  void UserCreate(RouteContext& ctx);
  void UserDisable(RouteContext& ctx) { UserChange(ctx, false); }
  void UserReset(RouteContext& ctx) { UserChange(ctx, true); }
  void UserChange(RouteContext& ctx, bool reset);
  void UserRole(RouteContext& ctx);
  void AgreementsList(RouteContext& ctx);
  void AgreementCreate(RouteContext& ctx);
  void AgreementEnd(RouteContext& ctx);
  void RelationshipsList(RouteContext& ctx);
  void RelationshipCreate(RouteContext& ctx);
  void RelationshipEnd(RouteContext& ctx);
  void AlertsList(RouteContext& ctx);
  void BreakGlassReview(RouteContext& ctx);
  // api_admin.cc: approval requests (separation of duties): list for review, approve, reject, withdraw.
  void ApprovalsList(RouteContext& ctx);
  void ApprovalApprove(RouteContext& ctx) { ApprovalDecide(ctx, true); }
  void ApprovalReject(RouteContext& ctx) { ApprovalDecide(ctx, false); }
  void ApprovalDecide(RouteContext& ctx, bool approve);
  void ApprovalWithdraw(RouteContext& ctx);
  // api_judgement.cc: professional judgement (issue 13 items 1, 3, 7): the assessment trajectory, screenings,
  // overrides (If-Match), the caseload, case notes on a child, person or place.
  void ChildAssessments(RouteContext& ctx);
  void ChildScreening(RouteContext& ctx);
  void ChildOverride(RouteContext& ctx);
  void Caseload(RouteContext& ctx);
  void NotesList(RouteContext& ctx, const char* kind);
  void NoteCreate(RouteContext& ctx, const char* kind);
  void ChildNotes(RouteContext& ctx) { NotesList(ctx, "child"); }
  void ChildNoteCreate(RouteContext& ctx) { NoteCreate(ctx, "child"); }
  void PersonNotes(RouteContext& ctx) { NotesList(ctx, "person"); }
  void PersonNoteCreate(RouteContext& ctx) { NoteCreate(ctx, "person"); }
  void PlaceNotes(RouteContext& ctx) { NotesList(ctx, "place"); }
  void PlaceNoteCreate(RouteContext& ctx) { NoteCreate(ctx, "place"); }
  // api_practice.cc: the practice workflow (access/practice.h): actions and disruptions (updates with If-Match),
  // MASE meetings (agenda, minutes, close), the caller's practitioner alerts.
  void ActionsList(RouteContext& ctx);
  void ActionCreate(RouteContext& ctx);
  void ActionUpdate(RouteContext& ctx);
  void DisruptionsList(RouteContext& ctx);
  void DisruptionCreate(RouteContext& ctx);
  void DisruptionUpdate(RouteContext& ctx);
  void DisruptionBreach(RouteContext& ctx);
  void MeetingsList(RouteContext& ctx);
  void MeetingCreate(RouteContext& ctx);
  void MeetingRead(RouteContext& ctx);
  void AgendaAdd(RouteContext& ctx);
  void AgendaRemove(RouteContext& ctx) { AgendaEdit(ctx, true); }
  void AgendaMinutes(RouteContext& ctx) { AgendaEdit(ctx, false); }
  void AgendaEdit(RouteContext& ctx, bool remove);
  void MeetingClose(RouteContext& ctx);
  void MyAlerts(RouteContext& ctx);
  void AlertAcknowledge(RouteContext& ctx);
  // api_auth.cc: enrolment at first sign-in (a new password and TOTP secret) of an account that must enrol.
  void Enrol(RouteContext& ctx);
  // An error in the one JSON shape for statuses without a StatusCode kind (412, 428) or with a specific message.
  static void SendHttpError(httplib::Response& res, int http_status, const std::string& message);
  // A JSON body that may be absent: empty is an empty object; otherwise ParseBody's rules.
  static Result<std::map<std::string, std::string>> ParseOptionalBody(const httplib::Request& req,
                                                                      std::initializer_list<const char*> allowed);
};

}  // namespace riskradar::server

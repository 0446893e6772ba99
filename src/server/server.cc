// The HTTP JSON API: sessions, CSRF, security headers, need-to-know reads (see server.h and docs/api.md).
#include "riskradar/server/server.h"

#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "http_errors.h"

namespace riskradar::server {
namespace {

using nlohmann::json;

constexpr const char* kSessionCookie = "__Host-rr_session";

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

// Failed logins per key (user name as typed, or client address) within a sliding window.
class Throttle {
 public:
  bool Blocked(const std::string& key, int limit, int64_t now, int64_t window) {
    std::lock_guard lock(mu_);
    auto& q = failures_[key];
    while (!q.empty() && q.front() <= now - window) q.pop_front();
    return static_cast<int>(q.size()) >= limit;
  }
  void Fail(const std::string& key, int64_t now) {
    std::lock_guard lock(mu_);
    failures_[key].push_back(now);
  }
  void Clear(const std::string& key) {
    std::lock_guard lock(mu_);
    failures_.erase(key);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> failures_;
};

void SetHeaderOnce(httplib::Response& res, const char* name, const std::string& value) {
  if (!res.has_header(name)) res.set_header(name, value);
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, HttpStatusFor(status.code()), ErrorBody(status));
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Parses a JSON object body allowing only `allowed` keys (string values): unknown fields are refused, so
// nobody can slip an agency, owner or audit field into a request.
Result<std::map<std::string, std::string>> ParseBody(const httplib::Request& req,
                                                     std::initializer_list<const char*> allowed) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) != 0) return Status::InvalidArgument("send JSON (Content-Type: application/json)");
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return Status::InvalidArgument("unexpected field '" + key.substr(0, 40) + "'");
    if (!value.is_string()) return Status::InvalidArgument("field '" + key + "' must be a string");
    out[key] = value.get<std::string>();
  }
  return out;
}

bool IsStateChanging(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

Status ParseListen(const std::string& listen, std::string& host, int& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return Status::InvalidArgument("--listen is HOST:PORT, e.g. 127.0.0.1:8080");
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  try {
    size_t used = 0;
    port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port < 0 || port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Status::InvalidArgument("--listen port must be a number between 0 and 65535");
  }
  return Status::Ok();
}

struct Server::Impl {
  ServerOptions options;
  std::unique_ptr<httplib::Server> http;
  StorePool pool;
  Throttle throttle;
  std::string decoy_hash;    // verified for unknown users so they cost the same as a wrong password
  std::string decoy_totp;
  bool tls = false;

  Impl(ServerOptions o) : options(std::move(o)), pool(options.db, options.store_options) {}

  int64_t Now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The session behind the request's cookie, or Unauthenticated.
  Result<store::SessionUser> Authenticate(const httplib::Request& req, store::Store& s, std::string* token_hash) {
    const std::string token = CookieValue(req, kSessionCookie);
    if (token.empty()) return Status::Unauthenticated("sign in first");
    const std::string hash = Sha256Hex(token);
    RR_ASSIGN_OR_RETURN(auto su, s.TouchSession(hash, Now(), options.idle_timeout_s, options.absolute_timeout_s));
    if (!su) return Status::Unauthenticated("sign in first");
    if (IsStateChanging(req.method) &&
        !ConstantTimeEquals(req.get_header_value("X-CSRF-Token"), su->csrf_token)) {
      return Status::PermissionDenied("missing or wrong CSRF token");
    }
    if (token_hash) *token_hash = hash;
    return std::move(*su);
  }

  static store::Actor ActorFor(const store::User& u, std::string purpose = "safeguarding") {
    return {u.name, u.agency_code, std::string(ToString(u.role)), std::move(purpose)};
  }
  static Viewer ViewerFor(const store::User& u) { return {u.id, u.name, u.agency_code, u.role}; }

  // Audits a refusal at function level (the caller's role may not use this endpoint).
  void AuditRefusal(store::Store& s, const store::User& u, const std::string& action, const std::string& target) {
    store::AuditEvent e;
    e.actor = ActorFor(u);
    e.action = action;
    e.target = target;
    e.outcome = "forbidden";
    e.details = "{}";
    if (Status st = s.AppendAudit(e); !st.ok()) std::cerr << "serve: audit write failed: " << st.ToString() << "\n";
  }

  void Login(const httplib::Request& req, httplib::Response& res) {
    auto body = ParseBody(req, {"user", "password", "totp"});
    if (!body.ok()) return SendError(res, body.status());
    const std::string name = (*body)["user"], password = (*body)["password"], code = (*body)["totp"];
    if (name.empty() || name.size() > 64 || password.size() > PasswordPolicy::kMaxLength) {
      return SendError(res, Status::Unauthenticated("invalid credentials"));
    }
    const int64_t now = Now();
    const std::string user_key = "u:" + name, ip_key = "ip:" + req.remote_addr;
    if (throttle.Blocked(user_key, options.max_failed_logins, now, options.throttle_window_s) ||
        throttle.Blocked(ip_key, options.max_failed_logins_per_ip, now, options.throttle_window_s)) {
      res.set_header("Retry-After", std::to_string(options.throttle_window_s));
      return SendError(res, Status::ResourceExhausted("too many failed sign-ins; try again later"));
    }
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    store::Store& s = **lease;
    auto found = s.FindUser(name);
    if (!found.ok()) return SendError(res, found.status());
    const bool known = found->has_value() && !(*found)->disabled;
    // The same work on every path: one Argon2id verification and one TOTP check.
    const bool password_ok = VerifyPassword(known ? (*found)->password_hash : decoy_hash, password);
    const auto step = MatchTotp(known ? (*found)->totp_secret : decoy_totp, code, now);
    store::Actor actor{name, known ? (*found)->agency_code : "", known ? std::string(ToString((*found)->role)) : "",
                       "sign-in"};
    if (!known || !password_ok || !step) {
      throttle.Fail(user_key, now);
      throttle.Fail(ip_key, now);
      store::AuditEvent e;
      e.actor = actor;
      e.action = "login";
      e.target = "user:" + name;
      e.outcome = "failed";
      e.details = json{{"from", req.remote_addr}}.dump();
      if (Status st = s.AppendAudit(e); !st.ok()) return SendError(res, st);
      return SendError(res, Status::Unauthenticated("invalid credentials"));
    }
    const store::User& user = **found;
    const std::string token = RandomToken(32);  // 256 bits
    store::NewSession ns;
    ns.user_id = user.id;
    ns.token_hash = Sha256Hex(token);
    ns.csrf_token = RandomToken(32);
    ns.now_s = now;
    ns.totp_step = *step;
    const std::string old = CookieValue(req, kSessionCookie);
    if (!old.empty()) ns.replaces_token_hash = Sha256Hex(old);
    if (Status st = s.CreateSession(ns, actor); !st.ok()) {
      if (st.code() == StatusCode::kUnauthenticated) {
        throttle.Fail(user_key, now);
        return SendError(res, Status::Unauthenticated("invalid credentials"));
      }
      return SendError(res, st);
    }
    throttle.Clear(user_key);
    if (NeedsRehash(user.password_hash, options.hash_params)) {
      auto rehashed = HashPassword(password, options.hash_params);
      if (rehashed.ok()) (void)s.UpdatePasswordHash(user.id, *rehashed, actor);  // best effort: retried next login
    }
    // Secure is always set: browsers accept Secure cookies from http://localhost and 127.0.0.1, which is the
    // only place plain HTTP is served; the __Host- prefix requires it anyway.
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + token +
                                     "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                     std::to_string(options.absolute_timeout_s));
    SendJson(res, 200,
             {{"user", user.name}, {"agency", user.agency_code}, {"role", ToString(user.role)},
              {"csrf_token", ns.csrf_token}, {"idle_timeout_s", options.idle_timeout_s},
              {"absolute_timeout_s", options.absolute_timeout_s}});
  }

  void Logout(const httplib::Request& req, httplib::Response& res) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    std::string hash;
    auto su = Authenticate(req, **lease, &hash);
    if (!su.ok()) return SendError(res, su.status());
    if (Status st = (*lease)->RevokeSession(hash, ActorFor(su->user)); !st.ok()) return SendError(res, st);
    res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    SendJson(res, 200, {{"signed_out", true}});
  }

  void Session(const httplib::Request& req, httplib::Response& res) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    auto su = Authenticate(req, **lease, nullptr);
    if (!su.ok()) return SendError(res, su.status());
    SendJson(res, 200, {{"user", su->user.name}, {"agency", su->user.agency_code}, {"role", ToString(su->user.role)},
                        {"csrf_token", su->csrf_token}});
  }

  void Radar(const httplib::Request& req, httplib::Response& res) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    auto su = Authenticate(req, **lease, nullptr);
    if (!su.ok()) return SendError(res, su.status());
    auto cells = (*lease)->RadarCounts();
    if (!cells.ok()) return SendError(res, cells.status());
    json by_level = json::object(), by_district = json::object(), rows = json::array();
    int64_t total = 0;
    for (const auto& c : *cells) {
      by_level[c.level] = by_level.value(c.level, int64_t{0}) + c.children;
      by_district[c.district][c.level] = c.children;
      rows.push_back({{"district", c.district}, {"level", c.level}, {"children", c.children}});
      total += c.children;
    }
    SendJson(res, 200, {{"children", total}, {"by_level", by_level}, {"by_district", by_district}, {"cells", rows}});
  }

  // The {id} path segment; a malformed id answers like a missing child.
  static Result<int64_t> ParseChildId(const httplib::Request& req) {
    try {
      return static_cast<int64_t>(std::stoll(req.matches[1].str()));
    } catch (const std::exception&) {
      return Status::NotFound("no such child");
    }
  }

  void Child(const httplib::Request& req, httplib::Response& res) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    auto su = Authenticate(req, **lease, nullptr);
    if (!su.ok()) return SendError(res, su.status());
    auto child_id = ParseChildId(req);
    if (!child_id.ok()) return SendError(res, child_id.status());
    const int64_t id = *child_id;
    if (!MaySeeIdentifying(su->user.role)) {
      AuditRefusal(**lease, su->user, "read_child", "person:" + std::to_string(id));
      return SendError(res, Status::PermissionDenied("your role does not give access to children's records"));
    }
    auto view = (*lease)->ReadChildView(id, ViewerFor(su->user), Now(), ActorFor(su->user));
    if (!view.ok()) return SendError(res, view.status());
    const store::ChildView& v = *view;
    json person = {{"id", v.person.id}, {"name", v.person.display_name},
                   {"dob", v.person.dob ? json(v.person.dob->ToIso()) : json(nullptr)},
                   {"sex", ToString(v.person.sex)}, {"district", v.person.district}};
    json assessment = nullptr;
    if (v.latest) {
      const Assessment& a = *v.latest;
      json indicators = json::array();
      for (const Indicator& i : a.indicators) {
        indicators.push_back({{"code", i.code}, {"group", i.group}, {"label", i.label}, {"current", i.current},
                              {"points", i.points}});
      }
      assessment = {{"as_of", a.as_of.ToIso()}, {"level", ToString(a.level)}, {"score", a.score},
                    {"model_version", a.model_version}, {"indicators", indicators}, {"explanation", a.explanation},
                    {"override_level", a.override_level ? json(ToString(*a.override_level)) : json(nullptr)},
                    {"override_reason", a.override_reason}};
    }
    json events = json::array();
    for (const auto& e : v.events) {
      events.push_back({{"id", e.event_id}, {"date", e.date.ToIso()}, {"kind", e.kind}, {"category", e.category},
                        {"detail", e.detail}, {"agency", e.agency_code}, {"record_class", e.record_class}});
    }
    SendJson(res, 200, {{"person", person}, {"assessment", assessment}, {"explanation_complete", v.explanation_complete},
                        {"events", events}, {"access_basis", v.access_basis}});
  }

  void BreakGlass(const httplib::Request& req, httplib::Response& res) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    auto su = Authenticate(req, **lease, nullptr);
    if (!su.ok()) return SendError(res, su.status());
    auto child_id = ParseChildId(req);
    if (!child_id.ok()) return SendError(res, child_id.status());
    const int64_t id = *child_id;
    if (!MaySeeIdentifying(su->user.role)) {
      AuditRefusal(**lease, su->user, "break_glass", "person:" + std::to_string(id));
      return SendError(res, Status::PermissionDenied("your role cannot use break-glass access"));
    }
    auto body = ParseBody(req, {"reason"});
    if (!body.ok()) return SendError(res, body.status());
    const std::string reason = (*body)["reason"];
    if (reason.size() < 10 || reason.size() > 2000) {
      return SendError(res, Status::InvalidArgument("give a reason of 10 to 2000 characters for break-glass access"));
    }
    // A grant is recorded whatever the id: answering differently for a missing child would leak existence.
    auto grant = (*lease)->GrantBreakGlass(ViewerFor(su->user), id, reason, Now(), options.break_glass_ttl_s,
                                           ActorFor(su->user, "break-glass"));
    if (!grant.ok()) return SendError(res, grant.status());
    std::cerr << "serve: ALERT break-glass grant " << grant->id << " by " << su->user.name << " (" << su->user.agency_code
              << "); listed for IG review\n";
    SendJson(res, 201, {{"grant", grant->id}, {"person_id", id}, {"expires_at_s", grant->expires_at_s},
                        {"review", "listed for the information-governance lead"}});
  }

  void BreakGlassList(const httplib::Request& req, httplib::Response& res) {
    auto lease = pool.Acquire();
    if (!lease.ok()) return SendError(res, lease.status());
    auto su = Authenticate(req, **lease, nullptr);
    if (!su.ok()) return SendError(res, su.status());
    if (su->user.role != Role::kIgLead) {
      AuditRefusal(**lease, su->user, "list_break_glass", "break_glass");
      return SendError(res, Status::PermissionDenied("only the information-governance lead reviews break-glass use"));
    }
    auto grants = (*lease)->ListBreakGlass(req.get_param_value("all") != "1");
    if (!grants.ok()) return SendError(res, grants.status());
    json out = json::array();
    for (const auto& g : *grants) {
      out.push_back({{"id", g.id}, {"user", g.user_name}, {"agency", g.agency_code}, {"person_id", g.person_id},
                     {"reason", g.reason}, {"granted_at", g.granted_at}, {"expires_at_s", g.expires_at_s},
                     {"reviewed_by", g.reviewed_by}, {"reviewed_at", g.reviewed_at}});
    }
    store::AuditEvent e;
    e.actor = ActorFor(su->user, "information governance review");
    e.action = "list_break_glass";
    e.target = "break_glass";
    e.details = json{{"grants", out.size()}}.dump();
    if (Status st = (*lease)->AppendAudit(e); !st.ok()) return SendError(res, st);
    SendJson(res, 200, {{"grants", out}});
  }

  void Install() {
    httplib::Server& h = *http;
    const int workers = std::max(1, options.workers);
    h.new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<size_t>(workers)); };
    h.set_payload_max_length(options.max_body_bytes);
    h.set_read_timeout(10, 0);
    h.set_write_timeout(10, 0);
    const bool with_tls = tls;
    auto headers = [with_tls](httplib::Response& res) {
      SetHeaderOnce(res, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
      SetHeaderOnce(res, "X-Content-Type-Options", "nosniff");
      SetHeaderOnce(res, "X-Frame-Options", "DENY");
      SetHeaderOnce(res, "Referrer-Policy", "no-referrer");
      SetHeaderOnce(res, "Cross-Origin-Resource-Policy", "same-origin");
      // Every API answer may carry personal data or a CSRF token: nothing is cached anywhere.
      SetHeaderOnce(res, "Cache-Control", "no-store");
      SetHeaderOnce(res, "Pragma", "no-cache");
      if (with_tls) SetHeaderOnce(res, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
    };
    h.set_pre_routing_handler([headers](const httplib::Request&, httplib::Response& res) {
      headers(res);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    h.set_error_handler(httplib::Server::HandlerWithResponse([headers](const httplib::Request&, httplib::Response& res) {
      headers(res);
      if (res.body.empty()) res.set_content(ErrorBodyForHttpStatus(res.status).dump(), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }));
    h.set_exception_handler([headers](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      headers(res);
      SendJson(res, 500, ErrorBodyForHttpStatus(500));  // the exception's text stays out of the response
    });
    h.Post("/api/login", [this](const httplib::Request& q, httplib::Response& r) { Login(q, r); });
    h.Post("/api/logout", [this](const httplib::Request& q, httplib::Response& r) { Logout(q, r); });
    h.Get("/api/session", [this](const httplib::Request& q, httplib::Response& r) { Session(q, r); });
    h.Get("/api/radar", [this](const httplib::Request& q, httplib::Response& r) { Radar(q, r); });
    h.Get(R"(/api/children/(\d{1,18}))", [this](const httplib::Request& q, httplib::Response& r) { Child(q, r); });
    h.Post(R"(/api/children/(\d{1,18})/break-glass)",
           [this](const httplib::Request& q, httplib::Response& r) { BreakGlass(q, r); });
    h.Get("/api/break-glass", [this](const httplib::Request& q, httplib::Response& r) { BreakGlassList(q, r); });
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  const bool want_tls = !options.cert_file.empty() || !options.key_file.empty();
  if (want_tls && (options.cert_file.empty() || options.key_file.empty())) {
    return Status::InvalidArgument("TLS needs both --cert and --key");
  }
  if (!want_tls && !IsLoopback(options.host)) {
    return Status::InvalidArgument("without --cert and --key the server only listens on loopback (127.0.0.1 or ::1)");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  {
    // Opening once up front migrates the store and surfaces a bad path before any request.
    auto lease = impl->pool.Acquire();
    if (!lease.ok()) return lease.status();
  }
  if (want_tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(impl->options.cert_file.c_str(), impl->options.key_file.c_str());
    if (!ssl->is_valid()) return Status::InvalidArgument("cannot load the TLS certificate or key");
    impl->http = std::move(ssl);
    impl->tls = true;
  } else {
    impl->http = std::make_unique<httplib::Server>();
  }
  RR_ASSIGN_OR_RETURN(impl->decoy_hash, HashPassword(RandomToken(24), impl->options.hash_params));
  impl->decoy_totp = NewTotpSecret();
  impl->Install();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Result<int> Server::Bind() {
  const ServerOptions& o = impl_->options;
  if (o.port == 0) {
    const int port = impl_->http->bind_to_any_port(o.host);
    if (port <= 0) return Status::IoError("cannot bind " + o.host);
    return port;
  }
  if (!impl_->http->bind_to_port(o.host, o.port)) {
    return Status::IoError("cannot listen on " + o.host + ":" + std::to_string(o.port) + " (in use?)");
  }
  return o.port;
}

Status Server::Run() {
  if (!impl_->http->listen_after_bind()) return Status::IoError("the server stopped with an error");
  return Status::Ok();
}

void Server::Stop() {
  if (impl_ && impl_->http) impl_->http->stop();
}

bool Server::tls() const { return impl_->tls; }

}  // namespace riskradar::server

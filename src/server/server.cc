// The HTTP JSON API: sessions, CSRF, security headers, need-to-know reads (see server.h and docs/api.md).
// Endpoints live in api_*.cc and are declared with their policy in routes.cc; this file holds the shared
// helpers, the hardening and the server's life cycle.
#include "riskradar/server/server.h"

#include <sodium.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>
#include <typeinfo>

#include "api.h"
#include "http/transport.h"
#include "riskradar/core/paths.h"
#include "riskradar/store/operations.h"

namespace riskradar::server {

void SetHeaderOnce(httplib::Response& res, const char* name, const std::string& value) {
  if (!res.has_header(name)) res.set_header(name, value);
}

void SendJson(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& res, const Status& status) {
  const int http_status = HttpStatusFor(status.code());
  // A 5xx's cause goes to the access log (never to the client): the internal status, which names files, keys
  // and columns, not values.
  if (http_status >= 500) {
    if (RequestTrace* trace = CurrentTrace()) trace->cause = status.ToString().substr(0, 300);
  }
  SendJson(res, http_status, ErrorBody(status));
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

// application/json, optionally with "; charset=utf-8" (any case, spaces around ';' and '=').
bool IsJsonMediaType(std::string_view type) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  const size_t semi = type.find(';');
  if (lower(trim(type.substr(0, semi))) != "application/json") return false;
  if (semi == std::string_view::npos) return true;
  const std::string_view parameter = trim(type.substr(semi + 1));
  const size_t eq = parameter.find('=');
  if (eq == std::string_view::npos) return false;
  return lower(trim(parameter.substr(0, eq))) == "charset" && lower(trim(parameter.substr(eq + 1))) == "utf-8";
}

// Parses a JSON object body allowing only `allowed` keys (string values): unknown fields are refused, so
// nobody can slip an agency, owner or audit field into a request.
Result<std::map<std::string, std::string>> ParseBody(const httplib::Request& req,
                                                     std::initializer_list<const char*> allowed) {
  const std::string type = req.get_header_value("Content-Type");
  if (!IsJsonMediaType(type)) return Status::InvalidArgument("send JSON (Content-Type: application/json)");
  // nlohmann::json keeps the last of repeated keys: the parser callback sees every key, so a repeated one (at
  // any depth) is refused instead of silently overriding the first.
  std::vector<std::set<std::string>> keys_per_object;
  std::string repeated;
  const json::parser_callback_t track_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) keys_per_object.emplace_back();
    if (event == json::parse_event_t::object_end && !keys_per_object.empty()) keys_per_object.pop_back();
    if (event == json::parse_event_t::key && !keys_per_object.empty() && parsed.is_string() &&
        !keys_per_object.back().insert(parsed.get<std::string>()).second && repeated.empty()) {
      repeated = parsed.get<std::string>();
    }
    return true;
  };
  const json body = json::parse(req.body, track_keys, false);
  if (!repeated.empty()) return Status::InvalidArgument("field '" + repeated.substr(0, 40) + "' given more than once");
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

bool IsStateChanging(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.rfind("127.", 0) == 0;
}

Status ParseListen(const std::string& listen, std::string& host, int& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Status::InvalidArgument("--listen is HOST:PORT, e.g. 127.0.0.1:8080");
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

// Set on every response, the handlers' and the transport's own refusals (413, 414, 431, ...).
void SetSecurityHeaders(httplib::Response& res, bool tls) {
  SetHeaderOnce(res, "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  SetHeaderOnce(res, "X-Content-Type-Options", "nosniff");
  SetHeaderOnce(res, "X-Frame-Options", "DENY");
  SetHeaderOnce(res, "Referrer-Policy", "no-referrer");
  SetHeaderOnce(res, "Cross-Origin-Resource-Policy", "same-origin");
  // Every API answer may carry personal data or a CSRF token: nothing is cached anywhere.
  SetHeaderOnce(res, "Cache-Control", "no-store");
  SetHeaderOnce(res, "Pragma", "no-cache");
  if (tls) SetHeaderOnce(res, "Strict-Transport-Security", "max-age=63072000; includeSubDomains");
}

Status Server::Impl::Install(const std::vector<Route>& routes) { return RegisterRoutes(routes); }

namespace {

std::string UtcNowIso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];  // room for any int the format could print (-Wformat-truncation under TSan)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// One write(2) a line: lines from concurrent workers never interleave (each is far below PIPE_BUF).
void WriteStderrLine(const std::string& line) {
  const std::string out = line + "\n";
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::write(2, out.data() + done, out.size() - done);
    if (n <= 0) return;  // nowhere to log: never fail the request for it
    done += static_cast<size_t>(n);
  }
}

}  // namespace

// What the transport calls on a worker with a complete request: the router, and the API's error shape for an
// answer without a body; an exception's text never reaches the client (nor the log: it may quote the body).
// Every request gets a random id (the X-Request-Id header and its access-log line).
void Server::Impl::Handle(httplib::Request& req, httplib::Response& res) {
  const auto start = std::chrono::steady_clock::now();
  RequestTrace trace;
  ScopedTrace scope(&trace);
  const std::string request_id = RandomToken(12);
  try {
    // The web application's static pages and files (no personal data, no session needed); /api/..., the
    // table's other routes and anything it does not serve go to the router.
    // Routes of the table first (the health checks live outside /api/).
    if (web && router.Match(req.method == "HEAD" ? "GET" : req.method, req.path).empty() && web->Serve(req, res)) {
      trace.route = "web";
    } else {
      router.Dispatch(req, res);
    }
  } catch (const std::exception& e) {
    res = httplib::Response();
    SendJson(res, 500, ErrorBodyForHttpStatus(500));
    trace.cause = std::string("unhandled exception of type ") + typeid(e).name();
  }
  if (res.status == -1) res.status = 200;
  if (res.status >= 400 && res.body.empty()) {
    res.set_content(ErrorBodyForHttpStatus(res.status).dump(), "application/json");
  }
  res.set_header("X-Request-Id", request_id);
  Record(req, res, trace, request_id, start);
}

void Server::Impl::Record(const httplib::Request& req, const httplib::Response& res, const RequestTrace& trace,
                          const std::string& request_id, std::chrono::steady_clock::time_point start) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics.Observe(req.method, trace.route, res.status, seconds);
  if (options.access_log_off) return;
  const std::string line = AccessLogLine(UtcNowIso(), request_id, req.method, trace, res.status, seconds * 1000);
  if (options.access_log) {
    options.access_log(line);
  } else {
    WriteStderrLine(line);
  }
}

std::string Server::Impl::RenderMetrics() {
  Metrics::External e;
  if (auto writer = options.store_options.audit_writer)
    e.audit_queue_depth = static_cast<int64_t>(store::AuditQueueDepth(*writer));
  if (transport) {
    const http::TransportStats s = transport->stats();
    e.open_connections = s.open_connections;
    e.accepted = s.accepted;
    e.refused_over_cap = s.refused_over_cap;
    e.deadline_closed = s.deadline_closed;
    e.rejected_400 = s.rejected_400;
    e.rejected_413 = s.rejected_413;
    e.rejected_414 = s.rejected_414;
    e.rejected_431 = s.rejected_431;
    e.rejected_503 = s.rejected_503;
  }
  return metrics.Render(e);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  // The transports (their I/O threads and workers) go before the state their handlers use.
  Stop();
  if (metrics_thread_.joinable()) metrics_thread_.join();
  metrics_transport_.reset();
  transport_.reset();
}

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
  return Impl::CreateServer(std::move(options), DeclaredRoutes());
}

Result<std::unique_ptr<Server>> internal::CreateServer(ServerOptions options, std::vector<Route> routes) {
  return Server::Impl::CreateServer(std::move(options), routes);
}

Result<std::unique_ptr<Server>> Server::Impl::CreateServer(ServerOptions options, const std::vector<Route>& routes) {
  // Before anything is opened: a route without a complete policy stops the server here.
  RR_RETURN_IF_ERROR(CheckRoutes(routes));
  const bool want_tls = !options.cert_file.empty() || !options.key_file.empty();
  if (want_tls && (options.cert_file.empty() || options.key_file.empty())) {
    return Status::InvalidArgument("TLS needs both --cert and --key");
  }
  if (!want_tls && !IsLoopback(options.host)) {
    return Status::InvalidArgument("without --cert and --key the server only listens on loopback (127.0.0.1 or ::1)");
  }
  // One group-commit audit writer for every connection of the pool: concurrent reads share a transaction,
  // a signed head and an fsync instead of queueing for the write lock one by one.
  RR_ASSIGN_OR_RETURN(options.store_options.audit_writer, store::OpenAuditWriter(options.db, options.store_options));
  auto impl = std::make_unique<Impl>(std::move(options));
  {
    // Opening once up front migrates the store and surfaces a bad path before any request.
    auto lease = impl->pool.Acquire();
    if (!lease.ok()) return lease.status();
  }
  impl->tls = want_tls;
  {
    auto geography = Geography::Load(ReferencePath("geo"));
    if (!geography.ok()) {
      return Status::InvalidArgument("the reference geography (place locations) cannot be read: " +
                                     geography.status().message());
    }
    impl->geography = std::move(*geography);
  }
  RR_ASSIGN_OR_RETURN(impl->decoy_hash, HashPassword(RandomToken(24), impl->options.hash_params));
  impl->decoy_totp = NewTotpSecret();
  RR_RETURN_IF_ERROR(impl->Install(routes));
  if (!impl->options.web_dir.empty()) {
    RR_ASSIGN_OR_RETURN(auto web, WebAssets::Load(impl->options.web_dir));
    impl->web.emplace(std::move(web));
  }
  const ServerOptions& o = impl->options;
  http::TransportOptions t;
  t.host = o.host;
  t.port = o.port;
  t.cert_file = o.cert_file;
  t.key_file = o.key_file;
  t.io_threads = o.io_threads;
  t.workers = o.workers;
  t.max_body_bytes = o.max_body_bytes;
  t.max_target_bytes = o.max_target_bytes;
  t.max_header_bytes = o.max_header_bytes;
  t.header_deadline = std::chrono::milliseconds(o.header_deadline_ms);
  t.body_deadline = std::chrono::milliseconds(o.body_deadline_ms);
  t.idle_timeout = std::chrono::milliseconds(o.keep_alive_idle_ms);
  t.max_connections = o.max_connections;
  t.max_connections_per_address = o.max_connections_per_address;
  t.keep_alive_max_requests = o.keep_alive_max_requests;
  Impl* raw = impl.get();
  auto transport = http::Transport::Create(
      std::move(t), [raw](httplib::Request& req, httplib::Response& res) { raw->Handle(req, res); },
      [with_tls = want_tls](httplib::Response& res) { SetSecurityHeaders(res, with_tls); });
  if (!transport.ok()) return transport.status();
  raw->transport = transport->get();
  std::unique_ptr<http::Transport> metrics_transport;
  if (o.metrics_port >= 0) {
    // Its own listener and one worker: a scrape never waits behind the API's requests, nor they behind it.
    http::TransportOptions m;
    m.host = o.metrics_host;
    m.port = o.metrics_port;
    m.workers = 1;
    m.max_connections = 16;
    m.max_connections_per_address = 8;
    auto mt = http::Transport::Create(
        std::move(m),
        [raw](httplib::Request& req, httplib::Response& res) {
          if (req.path == "/metrics" && (req.method == "GET" || req.method == "HEAD")) {
            res.status = 200;
            res.set_content(raw->RenderMetrics(), "text/plain; version=0.0.4; charset=utf-8");
          } else {
            res.status = 404;
            res.set_content(ErrorBodyForHttpStatus(404).dump(), "application/json");
          }
        },
        [](httplib::Response& res) { SetSecurityHeaders(res, false); });
    if (!mt.ok()) return mt.status();
    metrics_transport = std::move(*mt);
  }
  auto server = std::unique_ptr<Server>(new Server(std::move(impl)));
  server->transport_ = std::move(*transport);
  server->metrics_transport_ = std::move(metrics_transport);
  return server;
}

Result<int> Server::Bind() {
  if (metrics_transport_) {
    auto port = metrics_transport_->Bind();
    if (!port.ok()) return port.status().WithContext("the metrics listener (--metrics-listen)");
    metrics_port_ = *port;
  }
  return transport_->Bind();
}

Status Server::Run() {
  if (metrics_transport_ && !metrics_thread_.joinable()) {
    metrics_thread_ = std::thread([t = metrics_transport_.get()] { (void)t->Run(); });
  }
  return transport_->Run();
}

void Server::Stop() {
  if (metrics_transport_) metrics_transport_->Stop();
  if (transport_) transport_->Stop();
}

TransportCounters Server::transport_counters() const {
  const http::TransportStats s = transport_->stats();
  TransportCounters c;
  c.open_connections = s.open_connections;
  c.accepted = s.accepted;
  c.refused_over_cap = s.refused_over_cap;
  c.deadline_closed = s.deadline_closed;
  c.requests = s.requests_dispatched;
  c.bytes_read = s.bytes_read;
  c.rejected_413 = s.rejected_413;
  c.rejected_414 = s.rejected_414;
  c.rejected_431 = s.rejected_431;
  c.rejected_400 = s.rejected_400;
  c.rejected_503 = s.rejected_503;
  return c;
}

Server::Impl::~Impl() {
  // The transport is already gone (Server's destructor); the audit writer commits what is queued and stops
  // when the last store holding it is gone.
  if (auto writer = options.store_options.audit_writer) writer->Close();
}

bool Server::tls() const { return impl_->tls; }

Status Server::ReloadTls() { return transport_->ReloadTls(); }

}  // namespace riskradar::server

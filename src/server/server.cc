// The HTTP JSON API: sessions, CSRF, security headers, need-to-know reads (see server.h and docs/api.md).
// Endpoints live in api_*.cc; this file holds the shared helpers, the hardening and the server's life cycle.
#include "riskradar/server/server.h"

#include <sodium.h>
#include <strings.h>

#include <cstring>

#include "api.h"
#include "http/transport.h"

namespace riskradar::server {

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
  if (type.rfind("application/json", 0) != 0)
    return Status::InvalidArgument("send JSON (Content-Type: application/json)");
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

namespace {

// INTERIM, until the router's Dispatch(req, res) is on main: the routes are still registered on an
// httplib::Server that never listens; a complete request from the transport goes through its routing in
// memory (its pre-routing, error and exception handlers included) and the answer is read back.
class RouteTable : public httplib::Server {
 public:
  using httplib::Server::process_request;
};

class MemoryStream : public httplib::Stream {
 public:
  MemoryStream(std::string in, std::string ip, int port) : in_(std::move(in)), ip_(std::move(ip)), port_(port) {}
  bool is_readable() const override { return pos_ < in_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    const size_t n = std::min(size, in_.size() - pos_);
    std::memcpy(ptr, in_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = ip_;
    port = port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "";
    port = 0;
  }
  socket_t socket() const override { return INVALID_SOCKET; }
  const std::string& out() const { return out_; }

 private:
  std::string in_, out_;
  size_t pos_ = 0;
  std::string ip_;
  int port_;
};

void RouteInMemory(RouteTable& routes, const httplib::Request& req, httplib::Response& res) {
  std::string in = req.method + " " + req.target + " HTTP/1.1\r\n";
  for (const auto& [name, value] : req.headers) {
    // The transport has framed the body; httplib must not compress the answer (BREACH).
    if (name.size() == 0 || strcasecmp(name.c_str(), "Content-Length") == 0 ||
        strcasecmp(name.c_str(), "Transfer-Encoding") == 0 || strcasecmp(name.c_str(), "Connection") == 0 ||
        strcasecmp(name.c_str(), "Accept-Encoding") == 0) {
      continue;
    }
    in += name + ": " + value + "\r\n";
  }
  in += "Content-Length: " + std::to_string(req.body.size()) + "\r\nConnection: close\r\n\r\n" + req.body;
  MemoryStream stream(std::move(in), req.remote_addr, req.remote_port);
  bool closed = false;
  routes.process_request(stream, true, closed, [](httplib::Request&) {});
  const std::string& out = stream.out();
  const size_t end = out.find("\r\n\r\n");
  const size_t first = out.find("\r\n");
  res.status = 500;
  if (end == std::string::npos || out.size() < 12) return;
  res.status = std::atoi(out.c_str() + 9);
  size_t pos = first + 2;
  while (pos < end) {
    size_t eol = out.find("\r\n", pos);
    const std::string line = out.substr(pos, eol - pos);
    pos = eol + 2;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (strcasecmp(name.c_str(), "Content-Length") == 0 || strcasecmp(name.c_str(), "Connection") == 0 ||
        strcasecmp(name.c_str(), "Keep-Alive") == 0) {
      continue;
    }
    res.headers.emplace(std::move(name), std::move(value));
  }
  res.body = out.substr(end + 4);
}

}  // namespace

void Server::Impl::Install() {
  httplib::Server& h = *http;
  const int workers = std::max(1, options.workers);
  h.new_task_queue = [workers] { return new httplib::ThreadPool(static_cast<size_t>(workers)); };
  // Each keep-alive connection holds a worker while it lasts (cpp-httplib's model), so there are as many
  // workers as concurrent clients served; connections are not cut every 5 requests (the library default),
  // and small answers are not held back by Nagle's algorithm waiting for the client's delayed ACK.
  h.set_keep_alive_max_count(static_cast<size_t>(std::max(1, options.keep_alive_max_requests)));
  h.set_tcp_nodelay(true);
  h.set_payload_max_length(options.max_body_bytes);
  // httplib listens with a backlog of 5: a burst of clients (32 reviewers, wrk's 64 connections) would see
  // connections dropped before a worker reads them. Remember the socket so Bind() can raise the backlog.
  h.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket = sock;
  });
  h.set_read_timeout(10, 0);
  h.set_write_timeout(10, 0);
  const bool with_tls = tls;
  auto headers = [with_tls](httplib::Response& res) { SetSecurityHeaders(res, with_tls); };
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
  InstallAuthRoutes();
  InstallChildRoutes();
  InstallDirectoryRoutes(); InstallAuditRoutes();
  InstallAdminRoutes(); InstallReviewRoutes();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() {
  // The transport (its I/O threads and workers) goes before the state its handlers use.
  Stop();
  transport_.reset();
}

Result<std::unique_ptr<Server>> Server::Create(ServerOptions options) {
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
  impl->http = std::make_unique<RouteTable>();
  impl->tls = want_tls;
  RR_ASSIGN_OR_RETURN(impl->decoy_hash, HashPassword(RandomToken(24), impl->options.hash_params));
  impl->decoy_totp = NewTotpSecret();
  impl->Install();
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
      std::move(t), [raw](httplib::Request& req, httplib::Response& res) {
        RouteInMemory(static_cast<RouteTable&>(*raw->http), req, res);
      },
      [with_tls = want_tls](httplib::Response& res) { SetSecurityHeaders(res, with_tls); });
  if (!transport.ok()) return transport.status();
  auto server = std::unique_ptr<Server>(new Server(std::move(impl)));
  server->transport_ = std::move(*transport);
  return server;
}

Result<int> Server::Bind() { return transport_->Bind(); }

Status Server::Run() { return transport_->Run(); }

void Server::Stop() {
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
  // The HTTP server (and its workers) goes first, then the pool; the audit writer commits what is queued and
  // stops when the last store holding it is gone.
  http.reset();
  if (auto writer = options.store_options.audit_writer) writer->Close();
}

bool Server::tls() const { return impl_->tls; }

}  // namespace riskradar::server

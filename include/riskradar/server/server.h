// `riskradar serve`: the HTTP JSON API over the store, with authentication, need-to-know access control and
// an audit event for every read of personal data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/server/auth.h"
#include "riskradar/store/store.h"

namespace riskradar::server {

namespace http {
class Transport;
}

struct ServerOptions {
  std::string db;  // store location
  store::StoreOptions store_options;
  std::string host = "127.0.0.1";
  int port = 8080;                  // 0: any free port (tests)
  std::string cert_file, key_file;  // both set: HTTPS; otherwise loopback-only HTTP
  // The web application's built files (web/dist): its pages (/, /sign-in, /children/{id}, ...) and assets are
  // served from memory beside the API, with their own CSP (docs/security.md). Empty: the API only.
  std::string web_dir;
  // Handler threads. They only ever run a complete request (the I/O thread owns every socket), so a slow or
  // idle client never holds one; a few per core are enough.
  int workers = 16;
  int io_threads = 1;                   // threads that own the sockets (accept, TLS, read, write)
  int keep_alive_max_requests = 10000;  // requests per connection before the server closes it
  // Transport limits (docs/security.md). Deadlines are for a whole request, not restarted per byte.
  int64_t header_deadline_ms = 10'000;  // first byte of a request to its last header (and the TLS handshake)
  int64_t body_deadline_ms = 30'000;    // last header to last body byte
  int64_t keep_alive_idle_ms = 30'000;  // a kept-alive connection waiting for its next request
  int max_connections = 512;            // in total; more are closed at once
  int max_connections_per_address = 128;
  size_t max_target_bytes = 4096;       // request target; longer: 414
  size_t max_header_bytes = 16 * 1024;  // header fields; longer: 431
  int64_t idle_timeout_s = 15 * 60;
  int64_t absolute_timeout_s = 8 * 3600;
  int64_t break_glass_ttl_s = 3600;
  size_t max_body_bytes = 64 * 1024;  // every body, Content-Length or chunked; larger: 413 and close
  // Sign-in attempts within the window (docs/security.md): per user name (known or not) from one
  // address; per client address, whatever the names; per user name from all addresses that user has not
  // signed in from successfully within trusted_address_s (so a user is not locked out from their usual
  // address by attempts from many others). A successful sign-in gives its attempt back.
  int max_failed_logins = 5;
  int max_failed_logins_per_ip = 20;
  int max_failed_logins_per_account = 50;
  int64_t throttle_window_s = 15 * 60;
  int64_t trusted_address_s = 30 * 24 * 3600;
  // Agencies whose information-governance lead reviews the whole partnership's break-glass use and audit
  // log (an operator's explicit choice, e.g. the host agency of the partnership). Every other IG lead sees
  // only events by their own agency's users and about persons their agency holds records on.
  std::vector<std::string> partnership_ig_agencies;
  // Parameters of the decoy hash checked for unknown users, so they take as long as a wrong password.
  PasswordHashParams hash_params = PasswordHashParams::Production();
  std::function<int64_t()> clock;  // seconds since the epoch; default: the system clock
  // The access log (docs/operator-guide.md "Monitoring"): one JSON line per request (time, request id, method,
  // route template, status, duration, pseudonymous user; a 5xx's cause). Unset: standard error, one write a
  // line (journald). access_log_off: none.
  std::function<void(const std::string& line)> access_log;
  bool access_log_off = false;
  // Prometheus metrics (GET /metrics, no authentication, no personal data) on their own listener, e.g. a
  // management network; metrics_port < 0: none (the default). Plain HTTP.
  std::string metrics_host = "127.0.0.1";
  int metrics_port = -1;  // 0: any free port (tests)
};

struct TransportCounters {
  int64_t open_connections = 0, accepted = 0, refused_over_cap = 0, deadline_closed = 0, requests = 0;
  int64_t bytes_read = 0;  // every byte read from clients, discarded ones included
  int64_t rejected_413 = 0, rejected_414 = 0, rejected_431 = 0, rejected_400 = 0, rejected_503 = 0;
};

class Server {
 public:
  // Opens the store and checks the options (TLS files, loopback-only without TLS).
  static Result<std::unique_ptr<Server>> Create(ServerOptions options);
  ~Server();
  // Binds (and the metrics listener, when configured); returns the port (useful with port 0).
  Result<int> Bind();
  // The metrics listener's port after Bind(); -1 when there is none.
  int metrics_port() const { return metrics_port_; }
  // Serves until Stop(); call after Bind().
  Status Run();
  void Stop();
  bool tls() const;
  // Reads the TLS certificate chain and key files again (`riskradar serve` on SIGHUP, after a renewal): new
  // connections get the new certificate, open ones finish with the old. On an error nothing changes and the
  // previous certificate is still served. FailedPrecondition without TLS.
  Status ReloadTls();
  // The transport's counters (open connections, refusals, bytes read), for operators and the attack tests.
  TransportCounters transport_counters() const;

  // The server's state, internal to src/server (api.h); named here so that the route table can point at its
  // handlers.
  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<http::Transport> transport_;          // src/server/http/: owns the sockets and the workers
  std::unique_ptr<http::Transport> metrics_transport_;  // GET /metrics only; null when not configured
  int metrics_port_ = -1;
  std::thread metrics_thread_;
};

// "127.0.0.1:8080" -> host, port. IPv6 as "[::1]:8080".
Status ParseListen(const std::string& listen, std::string& host, int& port);
bool IsLoopback(const std::string& host);

}  // namespace riskradar::server

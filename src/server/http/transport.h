// The server's HTTP/1.1 transport (Boost.Beast over Asio, TLS through Asio's OpenSSL stream).
//
// Threads: one or two I/O threads own every socket (accept, TLS handshake, reading a request, writing its
// answer); a fixed pool of workers runs the handler, and only ever with a COMPLETE request in memory. A
// worker never waits on a client: it gets a parsed request and hands back a serialised answer, which the I/O
// side writes. So a client that sends slowly, or not at all, costs a socket and a timer, never a worker.
//
// Limits (see docs/security.md): a deadline for a request's headers and one for its body, not
// restarted by each byte; a keep-alive idle timeout; caps on connections per client address and in total
// (over a cap the connection is closed at once and never reaches a worker); one body limit whatever the framing
// (Content-Length or chunked): 413 as soon as it is passed, without reading the rest, then the connection
// closes; request smuggling shapes (Content-Length with Transfer-Encoding, a repeated or malformed
// Content-Length, a transfer coding other than chunked) answer 400 and close; 414 for a long target, 431 for
// long headers. Responses are never compressed. TLS 1.2 (ECDHE + AEAD suites only) and 1.3.
//
// This header includes no Boost: Beast and Asio are compiled in transport.cc only.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "riskradar/core/status.h"

namespace riskradar::server::http {

struct TransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;                       // 0: any free port
  std::string cert_file, key_file;    // both set: TLS
  int io_threads = 1;                 // threads running the I/O side
  int workers = 8;                    // handler threads
  size_t max_queued_requests = 1024;  // complete requests waiting for a worker; beyond: 503
  size_t max_body_bytes = 64 * 1024;
  size_t max_target_bytes = 4096;                     // request target (path and query); beyond: 414
  size_t max_header_bytes = 16 * 1024;                // header fields (without the request line); beyond: 431
  std::chrono::milliseconds header_deadline{10'000};  // from the first byte of a request to its last header
  std::chrono::milliseconds body_deadline{30'000};    // from the last header to the last body byte
  std::chrono::milliseconds idle_timeout{30'000};     // keep-alive: waiting for the next request's first byte
  std::chrono::milliseconds write_deadline{30'000};   // writing one answer
  int max_connections = 512;                          // open connections in total
  int max_connections_per_address = 128;              // open connections from one client address
  int keep_alive_max_requests = 10000;                // requests per connection before the server closes it
};

// Counters of the transport (monotonic unless noted), for operators and the attack tests.
struct TransportStats {
  int64_t open_connections = 0;  // now
  int64_t accepted = 0;
  int64_t refused_over_cap = 0;     // closed at once: over the total or the per-address cap
  int64_t deadline_closed = 0;      // cut by the header or body deadline or the idle timeout
  int64_t requests_dispatched = 0;  // complete requests handed to a worker
  int64_t bytes_read = 0;           // every byte read from clients (after TLS), discarded ones included
  int64_t rejected_413 = 0, rejected_414 = 0, rejected_431 = 0, rejected_400 = 0, rejected_503 = 0;
};

// Runs with a complete request on a worker thread. It fills the response; exceptions answer 500.
using Handler = std::function<void(httplib::Request&, httplib::Response&)>;
// Applied to every response, the handler's and the transport's own errors (security headers).
using Decorator = std::function<void(httplib::Response&)>;

class Transport {
 public:
  // Checks the options and loads the TLS certificate and key (when set).
  static Result<std::unique_ptr<Transport>> Create(TransportOptions options, Handler handler,
                                                   Decorator decorate = nullptr);
  ~Transport();
  // Binds and listens; returns the port (useful with port 0).
  Result<int> Bind();
  // Serves until Stop(); call after Bind(). The calling thread becomes one of the I/O threads.
  Status Run();
  // Stops accepting, closes every connection, waits for the workers. Safe from any thread, more than once.
  void Stop();
  bool tls() const;
  // Reads the certificate chain and key files again (cert_file, key_file) into a new TLS context and makes it
  // the one new connections use; connections already open keep the context they started with. On any error
  // (unreadable files, a key that does not match) nothing changes and the previous certificate stays in use.
  // FailedPrecondition without TLS. Safe from any thread.
  Status ReloadTls();
  TransportStats stats() const;

  struct Impl;

 private:
  explicit Transport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "a=1&b=%20x&a=2" -> params in order with duplicates kept (the router refuses duplicates); '+' is a space.
void ParseQueryString(const std::string& query, httplib::Params& params);
// Serialises a response as HTTP/1.1 (status line, headers, Content-Length, body; no body for HEAD).
std::string SerialiseResponse(const httplib::Response& res, bool head, bool keep_alive);

}  // namespace riskradar::server::http

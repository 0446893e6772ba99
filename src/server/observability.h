// What an operator watches (issue 18 item 5): the structured access log (one JSON line a request), the request
// id, and the Prometheus metrics. Internal to src/server.
//
// The access log is pseudonymous by construction: a line is built only from the method, the ROUTE TEMPLATE
// (never the raw path: "/api/children/{id}", not the child's id), the status, the duration, a random request
// id and a keyed hash of the user's account id. It never sees a query string, a header or a body, so it cannot
// write a name, a search term or a password (docs/security.md "Access log and metrics").
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace riskradar::server {

// What the handling of one request learns on its worker thread, read when its log line is written. One per
// request, on the worker's stack (Server::Impl::Handle); the routing steps fill it in through CurrentTrace().
struct RequestTrace {
  std::string route = "unmatched";  // the route template, "web" for the web application's files
  std::string user;                 // the pseudonym of the signed-in account; "" when nobody is
  std::string cause;                // a 5xx's cause (the internal status), for the log only
};

// The trace of the request this thread is handling, or null outside a request.
RequestTrace* CurrentTrace();

class ScopedTrace {
 public:
  explicit ScopedTrace(RequestTrace* trace);
  ~ScopedTrace();
  ScopedTrace(const ScopedTrace&) = delete;
  ScopedTrace& operator=(const ScopedTrace&) = delete;

 private:
  RequestTrace* previous_;
};

// "u-" + 16 hex digits: BLAKE2b of the account id under a key random per server process. Stable while the
// server runs (one user's requests can be followed), unlinkable across restarts and to the account without the
// key, which is never written anywhere. The audit log, under access control, is where names are.
class Pseudonymiser {
 public:
  Pseudonymiser();
  std::string Of(int64_t user_id) const;

 private:
  std::array<unsigned char, 32> key_{};
};

// One access-log line (no trailing newline). `time_utc` is ISO 8601 with milliseconds.
std::string AccessLogLine(const std::string& time_utc, const std::string& request_id, const std::string& method,
                          const RequestTrace& trace, int status, double duration_ms);

// Request counters and latency histograms by method and route template, sign-in failures; rendered in the
// Prometheus text format (version 0.0.4) with the gauges the caller passes. Thread-safe.
class Metrics {
 public:
  static constexpr size_t kBucketCount = 12;
  static constexpr std::array<double, kBucketCount> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                                0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
  void Observe(const std::string& method, const std::string& route, int status, double seconds);
  // Gauges and counters owned elsewhere, rendered with ours.
  struct External {
    int64_t audit_queue_depth = 0;
    int64_t open_connections = 0, accepted = 0, refused_over_cap = 0, deadline_closed = 0;
    int64_t rejected_413 = 0, rejected_414 = 0, rejected_431 = 0, rejected_400 = 0, rejected_503 = 0;
  };
  std::string Render(const External& external) const;
  int64_t signin_failures() const;

 private:
  struct Histogram {
    std::array<int64_t, kBucketCount> buckets{};  // non-cumulative; Render accumulates
    double sum = 0;
    int64_t count = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, int64_t> requests_;  // (method, route, status)
  std::map<std::pair<std::string, std::string>, Histogram> latency_;       // (method, route)
  int64_t signin_failures_ = 0;
  int64_t throttled_signins_ = 0;
};

}  // namespace riskradar::server

// The access log's line, the pseudonymiser and the Prometheus metrics (see observability.h).
#include "observability.h"

#include <fmt/format.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

namespace riskradar::server {
namespace {

thread_local RequestTrace* t_trace = nullptr;

// Label values are route templates and methods from the server's own table, but escape as the format asks.
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

RequestTrace* CurrentTrace() { return t_trace; }

ScopedTrace::ScopedTrace(RequestTrace* trace) : previous_(t_trace) { t_trace = trace; }
ScopedTrace::~ScopedTrace() { t_trace = previous_; }

Pseudonymiser::Pseudonymiser() {
  if (sodium_init() < 0) return;  // randombytes then aborts inside libsodium; the server checked sodium earlier
  randombytes_buf(key_.data(), key_.size());
}

std::string Pseudonymiser::Of(int64_t user_id) const {
  const std::string message = "riskradar access-log user v1\n" + std::to_string(user_id);
  std::array<unsigned char, 8> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     key_.data(), key_.size());
  std::string hex = "u-";
  for (unsigned char b : out) hex += fmt::format("{:02x}", b);
  return hex;
}

std::string AccessLogLine(const std::string& time_utc, const std::string& request_id, const std::string& method,
                          const RequestTrace& trace, int status, double duration_ms) {
  nlohmann::ordered_json line = {{"time", time_utc},
                                 {"request_id", request_id},
                                 {"method", method},
                                 {"route", trace.route},
                                 {"status", status},
                                 {"duration_ms", static_cast<double>(static_cast<int64_t>(duration_ms * 1000)) / 1000},
                                 {"user", trace.user.empty() ? nullptr : nlohmann::ordered_json(trace.user)}};
  if (status >= 500) line["cause"] = trace.cause.empty() ? "unknown" : trace.cause;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Metrics::Observe(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.buckets[i];
  h.sum += seconds;
  ++h.count;
  if (method == "POST" && route == "/api/login") {
    if (status == 401) ++signin_failures_;
    if (status == 429) ++throttled_signins_;
  }
}

int64_t Metrics::signin_failures() const {
  std::lock_guard lock(mu_);
  return signin_failures_;
}

std::string Metrics::Render(const External& e) const {
  std::string out;
  auto gauge = [&out](const char* name, const char* help, const char* type, int64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  std::lock_guard lock(mu_);
  out +=
      "# HELP riskradar_http_requests_total Requests answered, by method, route template and status.\n"
      "# TYPE riskradar_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    const auto& [method, route, status] = key;
    out += fmt::format("riskradar_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", Label(method),
                       Label(route), status, n);
  }
  out +=
      "# HELP riskradar_http_request_duration_seconds Time from a complete request to its answer, by method and "
      "route template.\n"
      "# TYPE riskradar_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels = fmt::format("method=\"{}\",route=\"{}\"", Label(key.first), Label(key.second));
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += fmt::format("riskradar_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                         cumulative);
    }
    out += fmt::format("riskradar_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.count);
    out += fmt::format("riskradar_http_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("riskradar_http_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  gauge("riskradar_signin_failures_total", "Sign-ins refused for wrong credentials (401).", "counter",
        signin_failures_);
  gauge("riskradar_signin_throttled_total", "Sign-ins refused by the attempt limits (429).", "counter",
        throttled_signins_);
  gauge("riskradar_audit_queue_depth", "Audit events waiting for the group commit.", "gauge", e.audit_queue_depth);
  gauge("riskradar_http_open_connections", "Open client connections.", "gauge", e.open_connections);
  gauge("riskradar_http_connections_accepted_total", "Client connections accepted.", "counter", e.accepted);
  gauge("riskradar_http_connections_refused_total", "Connections closed at once over a connection cap.", "counter",
        e.refused_over_cap);
  gauge("riskradar_http_deadline_closed_total", "Connections cut by a header, body or idle deadline.", "counter",
        e.deadline_closed);
  out +=
      "# HELP riskradar_http_transport_rejected_total Requests refused by the transport before routing, by status.\n"
      "# TYPE riskradar_http_transport_rejected_total counter\n";
  for (const auto& [status, n] :
       {std::pair{400, e.rejected_400}, std::pair{413, e.rejected_413}, std::pair{414, e.rejected_414},
        std::pair{431, e.rejected_431}, std::pair{503, e.rejected_503}}) {
    out += fmt::format("riskradar_http_transport_rejected_total{{status=\"{}\"}} {}\n", status, n);
  }
  return out;
}

}  // namespace riskradar::server

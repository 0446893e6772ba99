// The one place where error kinds become HTTP status codes and the JSON error body.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "riskradar/core/status.h"

namespace riskradar::server {

int HttpStatusFor(StatusCode code);

// {"error": {"status": 404, "code": "not_found", "message": "..."}}. Messages of server-side failures are
// replaced by a generic one: no SQL, paths or stack traces reach a client.
nlohmann::json ErrorBody(const Status& status);
// The same shape for statuses httplib produces itself (unknown route, body too large, ...).
nlohmann::json ErrorBodyForHttpStatus(int http_status);
// The same shape with a message written for the client (412, 428 and specific 409s have no StatusCode kind).
nlohmann::json ErrorBodyForHttpStatus(int http_status, const std::string& message);

}  // namespace riskradar::server

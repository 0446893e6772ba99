// Query-string checks shared by the directory and audit endpoints: only the listed parameters, each at most
// once, with bounded lengths and numbers in range; anything else is a 400 in the one error shape.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::server {

struct QueryParam {
  const char* name;
  size_t max_length;
};

// Refuses unknown or repeated parameters, values longer than their max_length, and control characters.
Status CheckQuery(const httplib::Request& req, const std::vector<QueryParam>& allowed);
inline Status CheckQuery(const httplib::Request& req, std::initializer_list<QueryParam> allowed) {
  return CheckQuery(req, std::vector<QueryParam>(allowed));
}
// The parameter's value, "" when absent. Call after CheckQuery.
std::string QueryText(const httplib::Request& req, const char* name);
// A decimal integer in [min, max]; `fallback` when absent (or, with required, a 400).
Result<int64_t> QueryInt(const httplib::Request& req, const char* name, int64_t fallback, int64_t min, int64_t max,
                         bool required = false);
// A UTC bound on audit times: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS.mmmZ, returned in the audit
// log's form "YYYY-MM-DDTHH:MM:SS.mmmZ". A date alone starts the day (from) or ends it (to, end_of_day).
// "" when absent.
Result<std::string> QueryUtcBound(const httplib::Request& req, const char* name, bool end_of_day);

}  // namespace riskradar::server

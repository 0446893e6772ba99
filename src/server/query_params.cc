// Query-string checks (see query_params.h).
#include "query_params.h"

#include <cctype>
#include <set>

#include "riskradar/core/date.h"

namespace riskradar::server {

Status CheckQuery(const httplib::Request& req, const std::vector<QueryParam>& allowed) {
  std::set<std::string> seen;
  for (const auto& [name, value] : req.params) {
    const QueryParam* spec = nullptr;
    for (const QueryParam& p : allowed) {
      if (name == p.name) spec = &p;
    }
    if (!spec) {
      std::string shown;
      for (char c : name.substr(0, 40))
        shown.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '?');
      return Status::InvalidArgument("unknown parameter '" + shown + "'");
    }
    if (!seen.insert(name).second) return Status::InvalidArgument("parameter '" + name + "' given more than once");
    if (value.size() > spec->max_length) {
      return Status::InvalidArgument("parameter '" + name + "' is longer than " + std::to_string(spec->max_length) +
                                     " characters");
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("parameter '" + name + "' holds a control character");
    }
  }
  return Status::Ok();
}

std::string QueryText(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

Result<int64_t> QueryInt(const httplib::Request& req, const char* name, int64_t fallback, int64_t min, int64_t max,
                         bool required) {
  if (!req.has_param(name)) {
    if (required) return Status::InvalidArgument("parameter '" + std::string(name) + "' is required");
    return fallback;
  }
  const std::string v = req.get_param_value(name);
  const std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (v.empty() || v.size() > 18)
    return Status::InvalidArgument("parameter '" + std::string(name) + "' must be a number" + range);
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9')
      return Status::InvalidArgument("parameter '" + std::string(name) + "' must be a number" + range);
    n = n * 10 + (c - '0');
  }
  if (n < min || n > max) return Status::InvalidArgument("parameter '" + std::string(name) + "' must be" + range);
  return n;
}

Result<std::string> QueryUtcBound(const httplib::Request& req, const char* name, bool end_of_day) {
  if (!req.has_param(name)) return std::string();
  const std::string v = req.get_param_value(name);
  const Status bad = Status::InvalidArgument("parameter '" + std::string(name) +
                                             "' must be a UTC date or time: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.mmm]Z");
  auto digits = [&](size_t from, size_t n) {
    if (from + n > v.size()) return false;
    for (size_t i = from; i < from + n; ++i) {
      if (v[i] < '0' || v[i] > '9') return false;
    }
    return true;
  };
  if (v.size() < 10 || !digits(0, 4) || v[4] != '-' || !digits(5, 2) || v[7] != '-' || !digits(8, 2)) return bad;
  const int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5, 2)), d = std::stoi(v.substr(8, 2));
  if (!Date::FromYmd(y, m, d)) return bad;
  if (v.size() == 10) return v + (end_of_day ? "T23:59:59.999Z" : "T00:00:00.000Z");
  if (v.size() < 20 || v[10] != 'T' || !digits(11, 2) || v[13] != ':' || !digits(14, 2) || v[16] != ':' ||
      !digits(17, 2)) {
    return bad;
  }
  if (std::stoi(v.substr(11, 2)) > 23 || std::stoi(v.substr(14, 2)) > 59 || std::stoi(v.substr(17, 2)) > 59) return bad;
  if (v.size() == 20 && v[19] == 'Z') return v.substr(0, 19) + (end_of_day ? ".999Z" : ".000Z");
  if (v.size() == 24 && v[19] == '.' && digits(20, 3) && v[23] == 'Z') return v;
  return bad;
}

}  // namespace riskradar::server

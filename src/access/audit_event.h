// The access layer's one way to build an audit event (private to src/access/).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

#include "riskradar/store/audit_log.h"

namespace riskradar::access::internal {

inline store::AuditEvent Event(const store::Actor& actor, std::string action, std::string target,
                               const nlohmann::json& details, std::string outcome) {
  store::AuditEvent e;
  e.actor = actor;
  e.action = std::move(action);
  e.target = std::move(target);
  e.details = details.dump();
  e.outcome = std::move(outcome);
  return e;
}

// The audit target naming a person ("person:17").
inline std::string PersonTarget(int64_t id) { return "person:" + std::to_string(id); }

}  // namespace riskradar::access::internal

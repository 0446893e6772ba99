// Test-only backend hook: changes a closed store's audit log behind the store's back, as an attacker with
// write access to the database would, so the conformance suite checks tamper detection without writing any
// backend's SQL in the tests. Each backend of the suite provides one; the product never links it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar::store {

class AuditTamperHook {
 public:
  virtual ~AuditTamperHook() = default;
  // Rewrites the stored target of audit event `seq` (its stored hashes are left as they were).
  virtual Status SetAuditTarget(int64_t seq, std::string_view target) = 0;
  // Removes audit event `seq`.
  virtual Status DeleteAuditEvent(int64_t seq) = 0;
};

// The hook on the store at `location` (a SQLite file or a PostgreSQL URL), through the SQL layer.
Result<std::unique_ptr<AuditTamperHook>> OpenAuditTamperHook(std::string_view location);

}  // namespace riskradar::store

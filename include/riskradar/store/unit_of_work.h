// Store contract: a unit of work, the reads and audit events of one request committed together. The access
// layer (include/riskradar/access/) opens one per read or write of personal data, reads facts and rows
// through the other contracts, decides, appends the audit event and commits before it lets any data out.
//
// Thread safety: a unit belongs to the thread and the store that opened it; at most one is open per store.
// Errors: Commit() fails with the backend's error (IoError, Internal, ...) when an event could not be made
// durable; the caller must then return no data.
#pragma once

#include <memory>

#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

enum class UnitKind {
  kRead,   // reads one consistent snapshot; its audit events are durable when Commit() returns
  kWrite,  // reads and writes; the writes and the audit events commit together or not at all
};

// Contract reads made while a unit is open read inside it. Destroying a unit without Commit() abandons it:
// writes are rolled back and queued audit events are dropped. Methods that document their own transaction
// (the audited writes of the other contracts) must not be called while a unit is open.
class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;
  // Adds an event to this unit. A backend may write it at once (inside the unit's transaction) or hold it
  // until Commit() (a read snapshot whose events are group-committed); either way it is durable only after a
  // successful Commit().
  virtual Status AppendAudit(const AuditEvent& event) = 0;
  // Ends the unit. OK means every event appended to it is durably committed (and, for kWrite, every write).
  virtual Status Commit() = 0;
};

}  // namespace riskradar::store

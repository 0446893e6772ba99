// The one access-and-audit path: every read or write of personal data by a person (server or CLI) goes
// through AuditedAccess. For each operation it opens a unit of work on the store, gathers the facts and rows
// through the store contracts, applies the need-to-know rule (core/access.h's DecideRecordAccess, the one
// pure rule), appends the audit event, allowed or refused, and commits before any data is returned. If the
// audit event cannot be committed the operation fails and returns nothing. Backends return facts and rows;
// they never filter.
//
// Thread safety: an AuditedAccess wraps one Store and is used from that store's thread.
// Errors: NotFound both for a missing record and for one the viewer may not see (the audit outcome tells them
// apart: not_found or refused); store errors pass through unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::access {

// What `viewer` may see of `record` given `facts`: events of visible records only; indicators with at least
// one visible evidence event; the explanation lines only when every record is visible (they summarise all of
// them). nullopt when no record is visible (a refusal). Pure: no store, no audit.
std::optional<store::ChildView> FilterChildView(const store::ChildRecord& record, const Viewer& viewer,
                                                const ChildAccessFacts& facts);

class AuditedAccess {
 public:
  explicit AuditedAccess(store::Store& store) : store_(store) {}

  // One child under need-to-know, audited as "read_child" (outcome ok with the basis and the number of
  // events shown, or not_found / refused). The read is one snapshot; its event is durably committed before
  // the view is returned (with a group-commit audit writer, after the snapshot is released).
  Result<store::ChildView> ReadChildView(int64_t person_id, const Viewer& viewer, int64_t now_s,
                                         const store::Actor& actor);

  // The import batches of `agency_code` ("" every agency), audited as "list_imports".
  Result<std::vector<store::BatchInfo>> ReadImports(std::string_view agency_code, const store::Actor& actor);
  // A page of one batch's quarantined rows for a reader of `agency_code` ("" any agency), audited as
  // "read_quarantine". NotFound for a missing batch and for another agency's batch alike.
  Result<store::QuarantinePage> ReadQuarantine(int64_t batch_id, std::string_view agency_code, int64_t limit,
                                               int64_t offset, const store::Actor& actor);
  // One quarantined row in full, raw row included, audited as "read_quarantine" on "quarantine:<id>".
  Result<store::QuarantinedRow> ReadQuarantinedRow(int64_t quarantine_id, const store::Actor& actor);
  // Every quarantined row of a batch (0: every batch) for export to `destination`, audited as
  // "export_quarantine": the event is committed before the rows are returned, so no file of them can exist
  // without its audit event.
  Result<std::vector<store::QuarantinedRow>> ExportQuarantine(int64_t batch_id, const std::string& destination,
                                                              const store::Actor& actor);

 private:
  store::Store& store_;
};

}  // namespace riskradar::access

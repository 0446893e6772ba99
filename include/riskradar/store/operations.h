// What an operator runs on a store as a whole (issue 18 items 3, 4, 5): upgrades, readiness, the audit writer's
// queue, consistent copies and integrity checks. See docs/operator-guide.md "Backup", "Restore", "Upgrade" and
// "Monitoring".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::store {

// A store's schema as its numbered migrations record it (riskradar migrate --status).
struct SchemaStatus {
  int64_t current = 0;           // the highest migration applied; 0 for a new, empty store
  int64_t newest = 0;            // the highest migration this riskradar knows
  std::vector<int64_t> pending;  // known migrations not applied yet
  std::vector<int64_t> unknown;  // applied migrations this riskradar does not know (a newer riskradar wrote them)
};
// Reads the schema status of the store at `location` without changing it; NotFound when the file is absent.
Result<SchemaStatus> ReadSchemaStatus(std::string_view location);

// OpenStore, and the one opener that applies pending migrations to a store that already has a schema
// (`riskradar migrate`). OpenStore refuses such a store with a message naming `riskradar migrate`, so a store
// is only ever upgraded on purpose, after a backup. Both set up a new, empty store at the newest schema, and
// both refuse a store written by a newer riskradar (FailedPrecondition, nothing changed).
Result<std::unique_ptr<Store>> OpenStoreForMigration(std::string_view location, const StoreOptions& options);

// Readiness (the server's GET /readyz): the store answers a read, and the keys it depends on load without
// anything being created: the audit signing key once the log has events, the TOTP sealing key once a secret is
// sealed with it. FailedPrecondition naming what is missing; no personal data.
Status CheckStoreReady(Store& store);

// Events queued on the group-commit writer and not yet taken into a commit (a gauge for the metrics).
size_t AuditQueueDepth(AuditWriter& writer);

// An online, consistent copy of the store at `location` into the new file `out_path` (VACUUM INTO: one read
// transaction, so writers carry on and the copy is the store as of one commit); AlreadyExists when out_path
// exists. The copy is 0600.
Status CopyStoreConsistently(std::string_view location, const std::string& out_path);
// A copy of a whole SQLite store into a new PostgreSQL store (`riskradar migrate --from FILE.db --to URL`):
// every table, row for row, in one transaction on the destination (created and migrated if new; refused with
// AlreadyExists if it holds records or audit events), with its triggers off while rows land as they are. Then
// each table is counted and hashed on both sides, and the destination's audit log must verify to the source's
// root with the same keys (the key files and witness named in `options`, or the source's defaults, serve both).
// Corruption naming the first table or log that differs.
struct StoreCopyTable {
  std::string name;
  int64_t rows = 0;
  std::string content_hash;  // BLAKE2b-256 hex over the typed values, rows in a total order
};
struct StoreCopyReport {
  std::vector<StoreCopyTable> tables;
  int64_t audit_events = 0;
  std::string audit_root;
};
Result<StoreCopyReport> CopyStoreAcross(std::string_view from, std::string_view to, const StoreOptions& options);

// PRAGMA integrity_check of the SQLite file at `path`, opened read-only; Corruption with SQLite's findings.
Status CheckStoreIntegrity(const std::string& path);

}  // namespace riskradar::store

// The migration runner (migrate.h), on the neutral SQL layer.
#include "migrate.h"

#include <set>
#include <string>

#include "riskradar/core/hash.h"

namespace riskradar::store::sql {
namespace {

std::string JoinMigrationVersions(const std::vector<int64_t>& versions) {
  std::string out;
  for (int64_t v : versions) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

Status ApplyOne(Connection& conn, const Migration& m, const MigrationHook& hook) {
  RR_RETURN_IF_ERROR(conn.Exec(m.sql).WithContext("migration " + std::to_string(m.version)));
  if (hook) RR_RETURN_IF_ERROR(hook(m.version).WithContext("migration " + std::to_string(m.version)));
  RR_ASSIGN_OR_RETURN(auto ins, conn.Prepare("INSERT INTO schema_migration (version, applied_at) VALUES (?1, ?2)"));
  return ins.Bind(1, m.version).Bind(2, NowUtcIso()).Run();
}

Status ApplyLocked(Connection& conn, std::span<const Migration> migrations, bool existing, const MigrationHook& hook) {
  RR_ASSIGN_OR_RETURN(const SchemaStatus schema, ReadSchemaStatus(conn, migrations));
  // Never opened by an older riskradar: it would write rows the newer schema's rules do not expect.
  if (!schema.unknown.empty()) {
    return Status::FailedPrecondition("this store was written by a newer riskradar (schema migration(s) " +
                                      JoinMigrationVersions(schema.unknown) +
                                      " unknown here; this riskradar knows up to " + std::to_string(schema.newest) +
                                      "): upgrade riskradar; an older riskradar never opens it");
  }
  // Migrations numbered out of order (parallel work landing in either order) are applied when missing, not
  // only when newer than the newest applied: a store at 5 still gets 3 when 3 lands later.
  if (schema.pending.empty()) return Status::Ok();
  if (schema.current > 0 && !existing) {
    return Status::FailedPrecondition("the store is at schema version " + std::to_string(schema.current) +
                                      " and this riskradar needs " + std::to_string(schema.newest) +
                                      " (pending migration(s) " + JoinMigrationVersions(schema.pending) +
                                      "): back it up (riskradar backup), then run riskradar migrate on it");
  }
  if (schema.current == 0) {
    RR_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(conn));
    RR_ASSIGN_OR_RETURN(const SchemaStatus now, ReadSchemaStatus(conn, migrations));
    if (now.current != 0) {
      // Another process set it up meanwhile: check it as an existing store.
      RR_RETURN_IF_ERROR(txn.Commit());
      return ApplyLocked(conn, migrations, existing, hook);
    }
    RR_RETURN_IF_ERROR(conn.Exec(
        "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"));
    for (const Migration& m : migrations) RR_RETURN_IF_ERROR(ApplyOne(conn, m, hook));
    return txn.Commit();
  }
  std::set<int64_t> pending(schema.pending.begin(), schema.pending.end());
  for (const Migration& m : migrations) {
    if (!pending.count(m.version)) continue;
    RR_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(conn));
    RR_RETURN_IF_ERROR(ApplyOne(conn, m, hook));
    RR_RETURN_IF_ERROR(txn.Commit());
  }
  return Status::Ok();
}

}  // namespace

Result<SchemaStatus> ReadSchemaStatus(Connection& conn, std::span<const Migration> migrations) {
  SchemaStatus out;
  out.newest = migrations.empty() ? 0 : migrations.back().version;
  std::set<int64_t> applied;
  RR_ASSIGN_OR_RETURN(const bool has_table, conn.TableExists("schema_migration"));
  if (has_table) {
    RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("SELECT version FROM schema_migration"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] { applied.insert(q.Int(0)); }));
  }
  out.current = applied.empty() ? 0 : *applied.rbegin();
  std::set<int64_t> known;
  for (const Migration& m : migrations) {
    known.insert(m.version);
    if (!applied.count(m.version)) out.pending.push_back(m.version);
  }
  for (int64_t v : applied) {
    if (!known.count(v)) out.unknown.push_back(v);
  }
  return out;
}

Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations, bool existing,
                       const MigrationHook& hook) {
  RR_RETURN_IF_ERROR(conn.LockMigrations());
  Status s = ApplyLocked(conn, migrations, existing, hook);
  Status unlocked = conn.UnlockMigrations();
  return s.ok() ? unlocked : s;
}

}  // namespace riskradar::store::sql

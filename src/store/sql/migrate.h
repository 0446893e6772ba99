// The one migration runner of both backends: numbered migrations (sqlite_schema.h for SQLite, pg_schema.h for
// PostgreSQL, the same numbers), each recorded as a row of schema_migration (version, applied_at) in the
// transaction that applies it. Private to the store layer.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "riskradar/core/status.h"
#include "riskradar/store/operations.h"
#include "sql.h"

namespace riskradar::store {

struct Migration {
  int version;
  std::string_view sql;
};

namespace sql {

// Which migrations the database has, which it lacks, and which it has that `migrations` does not know.
Result<SchemaStatus> ReadSchemaStatus(Connection& conn, std::span<const Migration> migrations);

// Called after a migration's SQL, in its transaction (the SQLite store re-hashes its audit log after 2 and
// seals TOTP secrets after 3).
using MigrationHook = std::function<Status(int version)>;

// Brings the database up to date. A new (empty) database gets every migration in one transaction, so a
// process killed while setting it up leaves it empty, never half-migrated. An existing database with pending
// migrations is refused unless `existing` (riskradar migrate), and then gets each in its own transaction.
// A database with a migration this build does not know is refused (a newer riskradar wrote it).
Status ApplyMigrations(Connection& conn, std::span<const Migration> migrations, bool existing,
                       const MigrationHook& hook = {});

}  // namespace sql
}  // namespace riskradar::store

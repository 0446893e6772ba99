// Opening a store (store/store.h OpenStore, store/operations.h ReadSchemaStatus) and bringing its schema up to
// date: the location names the backend.
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "../sql/migrate.h"
#include "../sql/pg_schema.h"
#include "../sql/sql.h"
#include "riskradar/store/operations.h"
#include "sqlite_schema.h"
#include "sqlite_store.h"

namespace riskradar::store {

// The one migration runner of both backends (sql/migrate.h), on this store's own connection; migrations 2 and 3
// also convert data written before them, in the migration's transaction.
Status SqliteStore::Migrate(bool existing) {
  const bool sqlite = conn_->backend() == sql::Backend::kSqlite;
  const std::span<const Migration> migrations =
      sqlite ? std::span<const Migration>(kSqliteMigrations) : kPostgresMigrations;
  // Data written before migrations 2 and 3 exists only in SQLite stores: PostgreSQL stores began after them.
  return sql::ApplyMigrations(*conn_, migrations, existing, [this, sqlite](int version) -> Status {
    if (sqlite && version == 2) return UpgradeAuditToMerkle();
    if (sqlite && version == 3) return SealTotpSecretsLocked();
    return Status::Ok();
  });
}

Result<SchemaStatus> ReadSchemaStatus(std::string_view location) {
  if (sql::IsPostgresLocation(location)) {
    RR_ASSIGN_OR_RETURN(auto conn, sql::OpenConnection(location));
    return sql::ReadSchemaStatus(*conn, kPostgresMigrations);
  }
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (std::error_code ec; !std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("no store at " + path);
  }
  RR_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  auto conn = sql::WrapSqlite(*db);
  return sql::ReadSchemaStatus(*conn, kSqliteMigrations);
}

std::string RedactLocation(std::string_view location) { return sql::RedactLocation(location); }
bool IsPostgresLocation(std::string_view location) { return sql::IsPostgresLocation(location); }

std::string DefaultAuditKeyPath(std::string_view location) {
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  return path + ".audit-key";
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view location) { return OpenStore(location, StoreOptions{}); }

Result<std::unique_ptr<Store>> OpenStore(std::string_view location, const StoreOptions& options) {
  RR_ASSIGN_OR_RETURN(auto store, OpenSqliteStore(location, options));
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> OpenStoreForMigration(std::string_view location, const StoreOptions& options) {
  RR_ASSIGN_OR_RETURN(auto store, OpenSqliteStore(location, options, true));
  return std::unique_ptr<Store>(std::move(store));
}

namespace {

// A PostgreSQL store keeps its secrets and its witness in files the database cannot reach (a database
// administrator must not be able to sign checkpoints or unseal TOTP secrets, nor rewrite the witness), and has
// no file next to which to put them: the operator names each one.
Result<std::unique_ptr<SqliteStore>> OpenPostgresStore(std::string_view location, const StoreOptions& options,
                                                       bool migrate_existing) {
  std::vector<std::string> missing;
  if (options.audit_key_path.empty()) missing.push_back("the audit signing key ([keys] audit, --audit-key)");
  if (options.totp_key_path.empty()) missing.push_back("the TOTP sealing key ([keys] totp)");
  if (options.audit_witness_path.empty()) missing.push_back("the audit witness ([keys] audit_witness)");
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    return Status::InvalidArgument(
        "a PostgreSQL store keeps its keys and audit witness in files outside the database, and none is named "
        "for: " +
        list + " (docs/deploying-postgresql.md)");
  }
  RR_ASSIGN_OR_RETURN(auto conn, sql::OpenConnection(location));
  auto store = std::make_unique<SqliteStore>(std::move(conn), std::string(location), options.audit_key_path, options);
  RR_RETURN_IF_ERROR(store->Migrate(migrate_existing));
  return store;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> OpenSqliteStore(std::string_view location, const StoreOptions& options,
                                                     bool migrate_existing) {
  if (sql::IsPostgresLocation(location)) return OpenPostgresStore(location, options, migrate_existing);
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.empty()) return Status::InvalidArgument("empty store location");
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent)) {
    return Status::NotFound("directory for the store does not exist: " + parent.string());
  }
  RR_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  std::string key_path = options.audit_key_path.empty() ? DefaultAuditKeyPath(path) : options.audit_key_path;
  StoreOptions with_paths = options;
  if (with_paths.totp_key_path.empty()) with_paths.totp_key_path = DefaultTotpKeyPath(path);
  if (with_paths.audit_witness_path.empty()) with_paths.audit_witness_path = path + ".audit-witness";
  auto store = std::make_unique<SqliteStore>(std::move(db), std::move(key_path), std::move(with_paths));
  RR_RETURN_IF_ERROR(store->Migrate(migrate_existing).WithContext("store " + path));
  return store;
}

}  // namespace riskradar::store

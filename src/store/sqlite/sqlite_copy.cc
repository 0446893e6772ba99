// Copying a whole store to another backend (store/operations.h CopyStoreAcross; `riskradar migrate --from FILE.db
// --to postgresql://...`): every table row for row in one transaction on the destination, then both sides
// counted and hashed table by table and both audit logs verified to the same root.
#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <set>

#include "../sql/sql.h"
#include "riskradar/store/operations.h"
#include "sqlite_store.h"
#include "totp_key.h"

namespace riskradar::store {
namespace {

// A table or column name from the store's own schema, safe to write into SQL text (never input).
bool IsPlainIdentifier(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

struct TableShape {
  std::string name;
  std::vector<std::string> columns;
};

// The source's tables in the order they were created (parents before the tables that refer to them), and their
// columns; schema_migration is the destination's own (checked by version, not copied).
Result<std::vector<TableShape>> SqliteTables(sql::Connection& conn) {
  std::vector<TableShape> out;
  RR_ASSIGN_OR_RETURN(auto tables, conn.Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                                                "LIKE 'sqlite%' AND name <> 'schema_migration' ORDER BY rowid"));
  RR_RETURN_IF_ERROR(tables.ForEachRow([&] { out.push_back({tables.Text(0), {}}); }));
  RR_ASSIGN_OR_RETURN(auto columns, conn.Prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid"));
  for (TableShape& t : out) {
    if (!IsPlainIdentifier(t.name)) return Status::Corruption("unexpected table name in the source: " + t.name);
    columns.Bind(1, t.name);
    RR_RETURN_IF_ERROR(columns.ForEachRow([&] { t.columns.push_back(columns.Text(0)); }));
    for (const std::string& c : t.columns) {
      if (!IsPlainIdentifier(c)) return Status::Corruption("unexpected column name in " + t.name + ": " + c);
    }
  }
  return out;
}

// The destination's columns of `table`, to check the two schemas agree before anything is copied.
Result<std::set<std::string>> DestinationColumns(sql::Connection& conn, const std::string& table) {
  std::set<std::string> out;
  RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                           "current_schema() AND table_name = ?1 ORDER BY ordinal_position"));
  q.Bind(1, table);
  RR_RETURN_IF_ERROR(q.ForEachRow([&] { out.insert(q.Text(0)); }));
  return out;
}

std::string SelectAll(const TableShape& t) {
  std::string cols, order;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    cols += (i ? ", " : "") + t.columns[i];
    order += (i ? ", " : "") + std::to_string(i + 1);
  }
  // Every column in the order: a total order that both backends agree on (integers, and text byte-wise in a
  // riskradar PostgreSQL database, created with LC_COLLATE 'C').
  return "SELECT " + cols + " FROM " + t.name + " ORDER BY " + order;
}

// A table's content as one hash: each value typed and length-prefixed, row after row, in SelectAll's order.
// Integers that a backend stores as floating point (none in the schema) would differ: that is the point.
class ContentHash {
 public:
  ContentHash() { crypto_generichash_init(&state_, nullptr, 0, 32); }
  void Add(const sql::Statement& q, int col) {
    const sql::ValueType type = q.Type(col);
    std::string bytes;
    switch (type) {
      case sql::ValueType::kNull:
        break;
      case sql::ValueType::kInt:
        bytes = std::to_string(q.Int(col));
        break;
      case sql::ValueType::kDouble: {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, q.Double(col));
        bytes.assign(buf, r.ptr);
        break;
      }
      case sql::ValueType::kText:
        bytes = q.Text(col);
        break;
      case sql::ValueType::kBlob:
        bytes = q.Blob(col);
        break;
    }
    const unsigned char tag = static_cast<unsigned char>(type);
    unsigned char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(bytes.size() >> (8 * (7 - i)));
    crypto_generichash_update(&state_, &tag, 1);
    crypto_generichash_update(&state_, len, sizeof len);
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  }
  std::string Hex() {
    unsigned char out[32];
    crypto_generichash_final(&state_, out, sizeof out);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, out, sizeof out);
    return hex;
  }

 private:
  crypto_generichash_state state_;
};

Result<StoreCopyTable> CountAndHash(sql::Connection& conn, const TableShape& t) {
  RR_ASSIGN_OR_RETURN(auto q, conn.Prepare(SelectAll(t)));
  StoreCopyTable out{t.name, 0, ""};
  ContentHash hash;
  const int n = static_cast<int>(t.columns.size());
  RR_RETURN_IF_ERROR(q.ForEachRow([&] {
    ++out.rows;
    for (int c = 0; c < n; ++c) hash.Add(q, c);
  }));
  out.content_hash = hash.Hex();
  return out;
}

// Binds column `col` of the source row to parameter `col + 1` with the value's own type.
void BindValue(sql::Statement& ins, const sql::Statement& row, int col) {
  switch (row.Type(col)) {
    case sql::ValueType::kNull:
      ins.BindNull(col + 1);
      break;
    case sql::ValueType::kInt:
      ins.Bind(col + 1, row.Int(col));
      break;
    case sql::ValueType::kDouble:
      ins.Bind(col + 1, row.Double(col));
      break;
    case sql::ValueType::kText:
      ins.Bind(col + 1, row.TextView(col));
      break;
    case sql::ValueType::kBlob:
      ins.BindBlob(col + 1, row.Blob(col));
      break;
  }
}

// Copies every table and returns each one's count and hash as read from `from` (hashed while copied: one read,
// and the figures are of exactly what was copied). REQUIRES: `to` is PostgreSQL (ALTER TABLE ... TRIGGER,
// identity sequences).
Result<std::vector<StoreCopyTable>> CopyTables(sql::Connection& from, sql::Connection& to,
                                               const std::vector<TableShape>& tables) {
  std::vector<StoreCopyTable> copied_tables;
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(to));
  // A new store's migrations seed some rows (generation counters, the export key): the copy replaces them. Its
  // triggers stay off while rows land as they are (a copied break-glass grant must not raise its alerts again;
  // its alerts are copied too), and on again before the commit.
  for (auto it = tables.rbegin(); it != tables.rend(); ++it) RR_RETURN_IF_ERROR(to.Exec("DELETE FROM " + it->name));
  for (const TableShape& t : tables) RR_RETURN_IF_ERROR(to.Exec("ALTER TABLE " + t.name + " DISABLE TRIGGER USER"));
  for (const TableShape& t : tables) {
    std::string cols, params;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      cols += (i ? ", " : "") + t.columns[i];
      params += (i ? ", ?" : "?") + std::to_string(i + 1);
    }
    RR_ASSIGN_OR_RETURN(auto ins, to.Prepare("INSERT INTO " + t.name + " (" + cols + ") VALUES (" + params + ")"));
    RR_ASSIGN_OR_RETURN(auto rows, from.Prepare(SelectAll(t)));
    const int n = static_cast<int>(t.columns.size());
    Status failed = Status::Ok();
    StoreCopyTable source{t.name, 0, ""};
    ContentHash hash;
    RR_RETURN_IF_ERROR(rows.ForEachRow([&] {
      if (!failed.ok()) return;
      for (int c = 0; c < n; ++c) {
        BindValue(ins, rows, c);
        hash.Add(rows, c);
      }
      failed = ins.Run();
      ++source.rows;
    }));
    if (!failed.ok()) {
      return failed.WithContext("copying row " + std::to_string(source.rows) + " of table " + t.name);
    }
    source.content_hash = hash.Hex();
    copied_tables.push_back(std::move(source));
  }
  for (const TableShape& t : tables) RR_RETURN_IF_ERROR(to.Exec("ALTER TABLE " + t.name + " ENABLE TRIGGER USER"));
  // Identity columns carry on after the copied ids.
  RR_ASSIGN_OR_RETURN(auto identities,
                      to.Prepare("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema "
                                 "= current_schema() AND is_identity = 'YES' ORDER BY table_name, column_name"));
  std::vector<std::pair<std::string, std::string>> found;
  RR_RETURN_IF_ERROR(identities.ForEachRow([&] { found.emplace_back(identities.Text(0), identities.Text(1)); }));
  for (const auto& [table, column] : found) {
    if (!IsPlainIdentifier(table) || !IsPlainIdentifier(column)) continue;
    RR_RETURN_IF_ERROR(to.Exec("SELECT setval(pg_get_serial_sequence('" + table + "', '" + column +
                               "'), COALESCE(MAX(" + column + "), 0) + 1, false) FROM " + table));
  }
  RR_RETURN_IF_ERROR(txn.Commit());
  return copied_tables;
}

}  // namespace

Result<StoreCopyReport> CopyStoreAcross(std::string_view from, std::string_view to, const StoreOptions& options) {
  if (sql::IsPostgresLocation(from)) {
    return Status::InvalidArgument("the source of a copy is a SQLite store file, not " + std::string(from));
  }
  if (!sql::IsPostgresLocation(to)) {
    return Status::InvalidArgument("the destination of a copy is a PostgreSQL database (postgresql://...), not " +
                                   std::string(to) + " (a SQLite store is copied with `riskradar backup`)");
  }
  std::string path(from);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  // The keys and witness stay where they are and serve both copies: the destination's log is the source's.
  StoreOptions own = options;
  own.audit_writer.reset();
  if (own.audit_key_path.empty()) own.audit_key_path = DefaultAuditKeyPath(path);
  if (own.totp_key_path.empty()) own.totp_key_path = DefaultTotpKeyPath(path);
  if (own.audit_witness_path.empty()) own.audit_witness_path = path + ".audit-witness";

  RR_ASSIGN_OR_RETURN(const SchemaStatus source_schema, ReadSchemaStatus(path));
  if (!source_schema.pending.empty() || !source_schema.unknown.empty()) {
    return Status::FailedPrecondition("the source store is not at this riskradar's schema (version " +
                                      std::to_string(source_schema.current) + " of " +
                                      std::to_string(source_schema.newest) + "): run `riskradar migrate` on it first");
  }
  RR_ASSIGN_OR_RETURN(auto source, OpenSqliteStore(path, own));
  RR_ASSIGN_OR_RETURN(const AuditCheck source_audit, source->VerifyAudit());
  if (!source_audit.ok) {
    return Status::FailedPrecondition("the source store's audit log does not verify (" + source_audit.problem +
                                      "): investigate before copying it");
  }
  RR_ASSIGN_OR_RETURN(auto dest, OpenSqliteStore(to, own));  // created and migrated if new
  RR_ASSIGN_OR_RETURN(const StoreCounts dest_counts, dest->Counts());
  if (dest_counts.audit_events > 0 || dest_counts.source_records > 0 || dest_counts.persons > 0) {
    return Status::AlreadyExists("the destination " + RedactLocation(to) +
                                 " already holds a store (audit events or records): a copy goes only into a new one");
  }
  RR_ASSIGN_OR_RETURN(const std::vector<TableShape> tables, SqliteTables(source->conn()));
  for (const TableShape& t : tables) {
    RR_ASSIGN_OR_RETURN(const std::set<std::string> columns, DestinationColumns(dest->conn(), t.name));
    const std::set<std::string> wanted(t.columns.begin(), t.columns.end());
    if (columns != wanted) {
      return Status::FailedPrecondition("table " + t.name + " has different columns in the destination");
    }
  }
  StoreCopyReport report;
  {
    // The source is read in one snapshot.
    RR_ASSIGN_OR_RETURN(auto snapshot, sql::Transaction::Begin(source->conn(), sql::TxnMode::kRead));
    RR_ASSIGN_OR_RETURN(report.tables, CopyTables(source->conn(), dest->conn(), tables));
    RR_RETURN_IF_ERROR(snapshot.Commit());
  }
  for (size_t i = 0; i < tables.size(); ++i) {
    const StoreCopyTable& a = report.tables[i];
    RR_ASSIGN_OR_RETURN(const StoreCopyTable b, CountAndHash(dest->conn(), tables[i]));
    if (a.rows != b.rows || a.content_hash != b.content_hash) {
      return Status::Corruption("table " + a.name + " differs after the copy: " + std::to_string(a.rows) +
                                " rows hashed " + a.content_hash + " in the source, " + std::to_string(b.rows) +
                                " hashed " + b.content_hash + " in the destination");
    }
  }
  RR_ASSIGN_OR_RETURN(const AuditCheck dest_audit, dest->VerifyAudit());
  if (!dest_audit.ok || dest_audit.root_hash != source_audit.root_hash || dest_audit.events != source_audit.events) {
    return Status::Corruption("the copied audit log does not verify to the source's root (" +
                              std::to_string(dest_audit.events) + " events, root " + dest_audit.root_hash +
                              (dest_audit.ok ? "" : ", " + dest_audit.problem) + "; the source has " +
                              std::to_string(source_audit.events) + ", root " + source_audit.root_hash + ")");
  }
  report.audit_events = dest_audit.events;
  report.audit_root = dest_audit.root_hash;
  return report;
}

}  // namespace riskradar::store

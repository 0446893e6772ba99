// The SQLite backend's AuditTamperHook (see tamper_hook.h): plain statements on the store file, bound
// parameters, no triggers bypassed beyond what a database owner could do.
#include <string>

#include "../../src/store/sqlite/sqlite_db.h"
#include "tamper_hook.h"

namespace riskradar::store {
namespace {

class SqliteTamperHook final : public AuditTamperHook {
 public:
  explicit SqliteTamperHook(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Status SetAuditTarget(int64_t seq, std::string_view target) override {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("UPDATE audit_event SET target = ?1 WHERE seq = ?2"));
    RR_RETURN_IF_ERROR(q.Bind(1, target).Bind(2, seq).Run());
    return db_->Changes() == 1 ? Status::Ok() : Status::NotFound("no audit event " + std::to_string(seq));
  }
  Status DeleteAuditEvent(int64_t seq) override {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("DELETE FROM audit_event WHERE seq = ?1"));
    RR_RETURN_IF_ERROR(q.Bind(1, seq).Run());
    return db_->Changes() == 1 ? Status::Ok() : Status::NotFound("no audit event " + std::to_string(seq));
  }

 private:
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace

Result<std::unique_ptr<AuditTamperHook>> OpenSqliteTamperHook(std::string_view location) {
  RR_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(std::string(location)));
  return std::unique_ptr<AuditTamperHook>(std::make_unique<SqliteTamperHook>(std::move(db)));
}

}  // namespace riskradar::store

// The test-only AuditTamperHook (see tamper_hook.h) on either backend: plain statements through the SQL layer,
// bound parameters, nothing bypassed beyond what a database owner could do.
#include <string>

#include "../../src/store/sql/sql.h"
#include "tamper_hook.h"

namespace riskradar::store {
namespace {

class SqlTamperHook final : public AuditTamperHook {
 public:
  explicit SqlTamperHook(std::unique_ptr<sql::Connection> conn) : conn_(std::move(conn)) {}
  Status SetAuditTarget(int64_t seq, std::string_view target) override {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("UPDATE audit_event SET target = ?1 WHERE seq = ?2"));
    RR_RETURN_IF_ERROR(q.Bind(1, target).Bind(2, seq).Run());
    return q.Changes() == 1 ? Status::Ok() : Status::NotFound("no audit event " + std::to_string(seq));
  }
  Status DeleteAuditEvent(int64_t seq) override {
    RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("DELETE FROM audit_event WHERE seq = ?1"));
    RR_RETURN_IF_ERROR(q.Bind(1, seq).Run());
    return q.Changes() == 1 ? Status::Ok() : Status::NotFound("no audit event " + std::to_string(seq));
  }

 private:
  std::unique_ptr<sql::Connection> conn_;
};

}  // namespace

Result<std::unique_ptr<AuditTamperHook>> OpenAuditTamperHook(std::string_view location) {
  RR_ASSIGN_OR_RETURN(auto conn, sql::OpenConnection(location));
  return std::unique_ptr<AuditTamperHook>(std::make_unique<SqlTamperHook>(std::move(conn)));
}

}  // namespace riskradar::store

// SqliteStore's units of work (see store/unit_of_work.h). A read unit with a group-commit audit writer reads
// on a snapshot (BEGIN DEFERRED, no write lock) and hands its events to the writer after the snapshot ends;
// every other unit is one write transaction that holds its audit events too.
#include <vector>

#include "sqlite_store.h"

namespace riskradar::store {
namespace {

class SqliteUnitOfWork final : public UnitOfWork {
 public:
  // `writer` null: events are appended inside `txn`. Otherwise they are queued and group-committed by it.
  SqliteUnitOfWork(SqliteStore& store, sql::Transaction txn, AuditWriter* writer, bool& open)
      : store_(store), txn_(std::move(txn)), writer_(writer), open_(open) {}
  ~SqliteUnitOfWork() override { open_ = false; }  // txn_ rolls back unless committed

  Status AppendAudit(const AuditEvent& event) override {
    if (ended_) return Status::FailedPrecondition("audit append after the unit of work ended");
    if (writer_ == nullptr) return store_.AppendAuditLocked(event);
    queued_.push_back(event);
    return Status::Ok();
  }

  Status Commit() override {
    if (ended_) return Status::FailedPrecondition("unit of work already ended");
    ended_ = true;
    RR_RETURN_IF_ERROR(txn_.Commit());
    store_.FlushWitness();  // a checkpoint kept by this unit's events reaches the witness once committed
    for (const AuditEvent& event : queued_) RR_RETURN_IF_ERROR(writer_->Append(event).status());
    return Status::Ok();
  }

 private:
  SqliteStore& store_;
  sql::Transaction txn_;
  AuditWriter* writer_;
  bool& open_;
  std::vector<AuditEvent> queued_;
  bool ended_ = false;
};

}  // namespace

Result<std::unique_ptr<UnitOfWork>> SqliteStore::BeginUnit(UnitKind kind) {
  if (unit_open_) return Status::FailedPrecondition("a unit of work is already open on this store");
  AuditWriter* writer = kind == UnitKind::kRead ? options_.audit_writer.get() : nullptr;
  auto txn = sql::Transaction::Begin(*conn_, writer != nullptr ? sql::TxnMode::kRead : sql::TxnMode::kWrite);
  if (!txn.ok()) return txn.status();
  unit_open_ = true;
  return std::unique_ptr<UnitOfWork>(
      std::make_unique<SqliteUnitOfWork>(*this, std::move(txn).value(), writer, unit_open_));
}

}  // namespace riskradar::store

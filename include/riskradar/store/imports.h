// Store contract: agencies and import batches (ingest's output), with their quarantined rows.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: a batch is one transaction (BatchWriter); nothing of it is visible before Commit().
// The reads return rows and are not audited by themselves: a person's read of batches or quarantined rows
// (which hold raw personal data) goes through access::AuditedAccess, which reads them inside a unit of work
// with its audit event. The ingest stage reads FindCompletedBatch for itself (no personal data).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

// A row that could not be loaded, with where and why.
struct QuarantinedRow {
  int64_t id = 0;
  int64_t batch_id = 0;
  std::string file;
  int64_t line = 0;
  std::string column;  // field name, or empty for a whole-row problem
  std::string value;   // the offending value, redacted where identifying
  std::string reason;  // plain English
  std::string raw;     // the row as received (kept for re-submission; personal data)
};

struct BatchHeader {
  std::string agency_code;
  std::string file;       // path as given
  std::string file_hash;  // hex digest of the whole file
  std::string format;     // mapping format id
  std::string record_class;
  std::string lawful_basis;
};

struct BatchCounts {
  int64_t rows_in = 0;
  int64_t landed = 0;     // new records written
  int64_t unchanged = 0;  // already present with the same content
  int64_t quarantined = 0;
};

struct BatchInfo {
  int64_t id = 0;
  BatchHeader header;
  BatchCounts counts;
  std::string status;  // "complete"
  std::string finished_at;
};

// One parsed, validated row ready to land.
struct ParsedRow {
  SourceRecord record;  // id/batch_id assigned by the store
  PersonMention subject;
  std::optional<PersonMention> associate;
  std::optional<PlaceMention> place;
  Event event;  // ids of record/mentions assigned by the store
};

// Writes one import batch inside one transaction. Nothing is visible until
// Commit(); destroying the writer without Commit() rolls everything back.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // Returns true when the row is new, false when an identical row (same
  // agency, local id and content hash) is already stored.
  virtual Result<bool> AddRow(const ParsedRow& row) = 0;
  virtual Status AddQuarantine(const QuarantinedRow& row) = 0;
  virtual Result<BatchInfo> Commit(const BatchCounts& counts, const Actor& actor) = 0;
};

struct QuarantinePage {
  int64_t total = 0;
  std::vector<QuarantinedRow> rows;
};

class ImportStore {
 public:
  virtual ~ImportStore() = default;

  // Agencies.
  virtual Status UpsertAgency(const Agency& agency) = 0;
  virtual Result<std::vector<Agency>> ListAgencies() = 0;

  // Imports.
  virtual Result<std::optional<BatchInfo>> FindCompletedBatch(std::string_view agency_code,
                                                              std::string_view file_hash) = 0;
  virtual Result<std::unique_ptr<BatchWriter>> BeginBatch(const BatchHeader& header) = 0;
  virtual Result<std::vector<BatchInfo>> ListBatches() = 0;
  // batch_id 0 lists every batch's quarantine.
  virtual Result<std::vector<QuarantinedRow>> ListQuarantine(int64_t batch_id) = 0;

  // The batch `batch_id` in any state; nullopt when there is none.
  virtual Result<std::optional<BatchInfo>> FindBatch(int64_t batch_id) = 0;
  // Up to `limit` of one batch's quarantined rows from `offset` (oldest first), with the batch's total.
  virtual Result<QuarantinePage> ListQuarantinePage(int64_t batch_id, int64_t limit, int64_t offset) = 0;
};

}  // namespace riskradar::store

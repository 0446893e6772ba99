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
  // The row's local record id (the mapping's `local_id`, trimmed) when the row could be read that far; '' for a
  // row too malformed to tell. Resolution matches on it (ImportStore, "Quarantine resolution").
  // (Initialised so that brace-initialised rows may omit them.)
  std::string local_id = {};
  std::string resolved_at = {};   // '' while the row is open
  std::string resolved_by = {};   // who resolved it (the importer's actor, or the person who marked it)
  std::string resolution = {};    // why: the batch that landed the corrected row, or the reason given by hand
  int64_t resolved_batch_id = 0;  // the batch whose row resolved it; 0 when open or resolved by hand

  bool open() const { return resolved_at.empty(); }
};

struct BatchHeader {
  std::string agency_code;
  std::string file;       // path as given
  std::string file_hash;  // hex digest of the whole file
  std::string format;     // mapping format id
  std::string record_class;
  std::string lawful_basis;
  // How the source file was laid out, as JSON: {"file_type", "encoding", "delimiter", "header" (the columns in
  // file order), "local_id"}; what a quarantine export needs to write rows back in the agency's own format.
  // '' for batches imported before migration 18. (Initialised so that brace-initialised headers may omit it.)
  std::string layout = {};
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
  std::string status;  // "complete", or "reverted" (RevertBatch: its rows are gone)
  std::string finished_at;
  int64_t resolved = 0;  // set by BatchWriter::Commit: open quarantined rows of earlier batches this batch resolved
};

// What later stages built on one batch's rows (ReadBatchDependents): a revert has to remove these too.
struct BatchDependents {
  int64_t linked_mentions = 0;        // its person mentions resolved into people by the link stage
  int64_t people = 0;                 // distinct people those mentions belong to
  int64_t linked_place_mentions = 0;  // its place mentions resolved into places
  int64_t review_pairs = 0;           // link review items naming its mentions (pending or decided)
  int64_t event_links = 0;            // event links from or to its events
  int64_t disruptions = 0;            // disruptions recorded from its events
  int64_t assessments = 0;            // pipeline assessments of those people made since the batch was imported
  int64_t legal_holds = 0;            // active holds on the batch, its agency or a person its mentions belong to

  bool any() const {
    return linked_mentions || linked_place_mentions || review_pairs || event_links || disruptions || assessments;
  }
};

// What RevertBatch removed.
struct BatchRevertCounts {
  int64_t source_records = 0, person_mentions = 0, place_mentions = 0, events = 0, quarantined = 0;
  int64_t quarantine_reopened = 0;  // rows of earlier batches this batch had resolved, open again
  int64_t people_erased = 0;        // people left with no record: inactive, name and date of birth cleared
  int64_t assessments_removed = 0;  // BatchDependents::assessments, and every assessment of an erased person
  int64_t review_pairs = 0, event_links = 0, disruptions_unlinked = 0;
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

  // Quarantine resolution. A batch's Commit marks resolved every open quarantined row of an earlier complete
  // batch with the same agency, the same mapping format and the same local record id as a row of this batch
  // (landed or unchanged): the corrected row is in. Rows without a local id are resolved by hand:
  // ResolveQuarantinedRow writes the resolution inside the caller's write unit (access::AuditedAccess audits
  // it). NotFound for no such row; FailedPrecondition when it is already resolved.
  virtual Status ResolveQuarantinedRow(int64_t quarantine_id, std::string_view resolved_by,
                                       std::string_view reason) = 0;

  // Batch revert (a batch loaded with the wrong mapping). ReadBatchDependents counts what later stages built on
  // the batch (facts for the access layer's decision). RevertBatch, inside the caller's write unit, deletes the
  // batch's records, mentions, events and quarantined rows together with everything derived from them (link
  // results, review items, event links; a person left with no record is erased as by retention; pipeline
  // assessments of its people made since the import), re-opens the quarantined rows it had resolved and marks
  // the batch "reverted" (the same file can then be imported again). NotFound for no such batch;
  // FailedPrecondition for a batch that is not complete.
  virtual Result<BatchDependents> ReadBatchDependents(int64_t batch_id) = 0;
  virtual Result<BatchRevertCounts> RevertBatch(int64_t batch_id) = 0;
};

}  // namespace riskradar::store

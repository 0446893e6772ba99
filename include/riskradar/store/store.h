// The Store: every stage reads what the previous one wrote through the store contracts, one header per
// concern (imports.h, linkage.h, review.h, assessments.h, directory.h, users.h, need_to_know.h, audit_log.h,
// retention.h, unit_of_work.h). Store is their composite, for callers that need several; a backend implements
// all of them. SQLite (src/store/sqlite/) is the embedded default; a PostgreSQL store will implement the same
// contracts. Queries live only in backends, always with bound parameters. The workflow tables to come
// (screenings, actions, MASE meetings, notes) get their own contract header and join the composite here.
//
// Thread safety: a Store is used from one thread at a time (AuditWriter is the exception, see audit_log.h).
// Transactions and errors: as documented in each contract's header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"
#include "riskradar/store/assessments.h"
#include "riskradar/store/audit_log.h"
#include "riskradar/store/directory.h"
#include "riskradar/store/imports.h"
#include "riskradar/store/judgement.h"
#include "riskradar/store/linkage.h"
#include "riskradar/store/need_to_know.h"
#include "riskradar/store/network_graph.h"
#include "riskradar/store/retention.h"
#include "riskradar/store/review.h"
#include "riskradar/store/unit_of_work.h"
#include "riskradar/store/users.h"

namespace riskradar::store {

struct StoreCounts {
  int64_t agencies = 0, batches = 0, source_records = 0, person_mentions = 0, place_mentions = 0, events = 0,
          quarantined = 0, persons = 0, places = 0, assessments = 0, review_pending = 0, audit_events = 0,
          quarantine_open = 0;  // quarantined rows not yet resolved (corrected row landed, or marked by hand)
};

class Store : public ImportStore,
              public LinkageStore,
              public ReviewStore,
              public AssessmentStore,
              public DirectoryStore,
              public UserStore,
              public NeedToKnowStore,
              public NetworkGraphStore,
              public AuditLog,
              public RetentionStore,
              public JudgementStore {
 public:
  ~Store() override = default;

  // Opens a unit of work (see unit_of_work.h). FailedPrecondition while another unit is open.
  virtual Result<std::unique_ptr<UnitOfWork>> BeginUnit(UnitKind kind) = 0;

  // Row counts of every table (operator summaries; no personal data).
  virtual Result<StoreCounts> Counts() = 0;
};

struct StoreOptions {
  // The Ed25519 key that signs audit checkpoints. Empty: "<store file>.audit-key". Created with mode 0600
  // on the first audit append; refused if group- or world-readable. Its content is never logged.
  std::string audit_key_path;
  // Hex Ed25519 public key to verify checkpoints with, when the secret key is not on this machine.
  std::string audit_public_key;
  // The key that seals TOTP secrets at rest. Empty: "<store file>.totp-key" (0600, created on first use).
  std::string totp_key_path;
  // The audit witness: an append-only file outside the database that receives every kept checkpoint's
  // signed head, so verification can tell a rolled-back database (docs/security.md). Empty:
  // "<store file>.audit-witness". Created 0600 with the first kept checkpoint; never recreated once the log
  // has checkpoints (a deleted witness fails verification until an operator restarts it).
  std::string audit_witness_path;
  // Every Nth signed head is kept as a permanent checkpoint (the head itself is always current).
  int64_t checkpoint_interval = 1024;
  // When set, audit events of AppendAudit and of read units (BeginUnit(kRead)) are group-committed by it.
  std::shared_ptr<AuditWriter> audit_writer;
};

// Opens (creating and migrating as needed) the store named by `location`: a SQLite file path ("sqlite:PATH"
// too), or a PostgreSQL URL (postgresql://...), which needs the key files and witness named in `options`.
Result<std::unique_ptr<Store>> OpenStore(std::string_view location);
Result<std::unique_ptr<Store>> OpenStore(std::string_view location, const StoreOptions& options);
// A group-commit audit writer over the store at `location` (its own connection and thread); `options` as for
// OpenStore (its audit_writer is ignored).
Result<std::shared_ptr<AuditWriter>> OpenAuditWriter(std::string_view location, const StoreOptions& options);
// True for a PostgreSQL location ("postgresql://..." or "postgres://..."); anything else names a SQLite file.
bool IsPostgresLocation(std::string_view location);
// `location` for a message or a log: a password in a PostgreSQL URL is replaced by ***.
std::string RedactLocation(std::string_view location);
// The key path used when StoreOptions::audit_key_path is empty.
std::string DefaultAuditKeyPath(std::string_view location);

}  // namespace riskradar::store

// Store contract: the audit log. One event per access to personal data, the leaves of an RFC 6962 Merkle
// tree with signed checkpoints, and the rows of the log for its readers. People read the log only through the
// access layer (access::AuditedAccess), which audits each read in the same unit of work.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: each append commits with a new signed head covering every stored event, or not at all. The
// reads (QueryAuditEvents, AuditCheckpoints, the proofs) read inside whatever unit of work is open and are
// not audited by themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::store {

// Who does something, for the audit log.
struct Actor {
  std::string user = "pipeline";
  std::string agency;
  std::string role = "system";
  std::string purpose = "safeguarding analysis";
};

struct AuditEvent {
  int64_t seq = 0;
  std::string at_utc;
  Actor actor;
  std::string action;  // e.g. "import", "link", "read_child"
  std::string target;  // what was touched
  std::string outcome = "ok";
  std::string details;  // JSON
  std::string leaf_hash;
};

// A signed tree head: the RFC 6962 tree hash over the first tree_size audit events, signed with Ed25519.
struct AuditCheckpoint {
  int64_t tree_size = 0;
  std::string root_hash;   // hex SHA-256
  std::string signed_at;   // UTC
  std::string public_key;  // hex Ed25519 public key that signed it
  std::string signature;   // hex Ed25519 signature over CheckpointMessage()
};
// The exact bytes a checkpoint signature covers.
std::string CheckpointMessage(int64_t tree_size, std::string_view root_hash, std::string_view signed_at);

struct AuditCheck {
  int64_t events = 0;
  bool ok = true;
  std::string problem;    // first problem found
  std::string root_hash;  // tree hash over every event read
  int64_t checkpoints_checked = 0;
  std::optional<AuditCheckpoint> latest;  // the latest signed checkpoint (the head)
  // The audit witness (StoreOptions::audit_witness_path): whether it exists, its heads and the newest size.
  bool witness_present = false;
  int64_t witness_heads = 0;
  int64_t witness_size = 0;
};

// Inclusion of event `seq` in the tree of the first `tree_size` events, or consistency of two tree sizes.
struct AuditProof {
  int64_t seq = 0;       // inclusion proofs only
  int64_t old_size = 0;  // consistency proofs only
  int64_t tree_size = 0;
  std::string leaf_hash;          // inclusion proofs only
  std::vector<std::string> path;  // hex hashes, RFC 6962 order
  std::string root_hash;
  std::string old_root_hash;  // consistency proofs only
};

struct AuditQuery {
  std::string user, action;
  std::string from, to;  // UTC ISO 8601 bounds on at_utc, inclusive; "" for none
  int64_t before = 0;    // only events with seq < before (0: no bound), for paging back
  int64_t limit = 100;
  // Non-empty: only events by this agency's users or about persons ("person:ID" targets) this agency holds
  // records on (an IG lead's own scope). Empty: the whole partnership.
  std::string agency;
  std::string target;  // exact, e.g. "person:12" (who opened this child's record); "" for any
};
struct AuditKeyRotation {
  std::string old_public_key, new_public_key;
  int64_t old_last_size = 0;   // the last checkpoint the old key signed (kept), covering the rotation event
  int64_t new_first_size = 0;  // the first checkpoint the new key signed (kept)
};

struct AuditCheckpointList {
  std::vector<AuditCheckpoint> kept;
  std::optional<AuditCheckpoint> head;  // the current signed head
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Audit: one event per access, leaves of an RFC 6962 Merkle tree. Each commit that appends events signs a
  // new checkpoint (the head) over the whole log in the same transaction, so the signed head always covers
  // every stored event; a checkpoint is also kept for good each time the log passes a multiple of
  // checkpoint_interval. With StoreOptions::audit_writer set, AppendAudit goes through that writer (group
  // commit) and returns once the event is durably committed.
  virtual Status AppendAudit(const AuditEvent& event) = 0;
  // Appends many events in one transaction and signs once (bulk loads, benchmarks).
  virtual Status AppendAuditBatch(const std::vector<AuditEvent>& events) = 0;
  // Recomputes every leaf and the tree, and checks it against every stored checkpoint and the signed head.
  virtual Result<AuditCheck> VerifyAudit() = 0;
  // Signs and keeps a checkpoint of the whole log now.
  virtual Result<AuditCheckpoint> SignAuditCheckpoint() = 0;
  // Replaces the audit signing key (the operator's `riskradar keys rotate --audit`; no other process may be
  // appending). An "audit_key_rotate" event naming both public keys is appended and kept as a checkpoint
  // signed by the old key; the old public key is recorded as retired, trusted by VerifyAudit for checkpoints
  // up to that size only; the new key replaces the key file (0600) and signs an "audit_key_rotated" event,
  // kept too. FailedPrecondition when there is no key file to rotate.
  virtual Result<AuditKeyRotation> RotateAuditKey(const Actor& actor) = 0;
  // The kept checkpoints (oldest first) and the current signed head (the verifier's own read, and the rows
  // of the access layer's audited checkpoint read).
  virtual Result<AuditCheckpointList> AuditCheckpoints() = 0;
  // tree_size (new_size) 0: the current size. InvalidArgument outside 1 <= seq <= tree_size <= the log's size
  // (1 <= old_size <= new_size <= the log's size).
  virtual Result<AuditProof> AuditInclusionProof(int64_t seq, int64_t tree_size) = 0;
  virtual Result<AuditProof> AuditConsistencyProof(int64_t old_size, int64_t new_size) = 0;
  // Events matching `query`, newest first (rows for the access layer's audited read).
  virtual Result<std::vector<AuditEvent>> QueryAuditEvents(const AuditQuery& query) = 0;
};

// Group commit of audit events: a writer thread with its own connection appends the events of concurrent
// callers in one transaction (one signed head, one fsync) and then wakes each caller. Thread-safe; share one
// per store file among the connections of a process (the server's pool) through StoreOptions::audit_writer.
// Other writers (other connections, other processes) stay correct: each batch starts from the stored head.
class AuditWriter {
 public:
  virtual ~AuditWriter() = default;
  // Appends the event (its seq is assigned here) and returns the seq once the event is durably committed;
  // an error if it was not committed. Blocks the caller for about one commit.
  virtual Result<int64_t> Append(const AuditEvent& event) = 0;
  // Commits what is queued and stops the thread; later Appends fail. The destructor closes too.
  virtual void Close() = 0;
};

}  // namespace riskradar::store

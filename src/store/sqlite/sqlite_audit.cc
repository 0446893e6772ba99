// SqliteStore's audit log: an RFC 6962 Merkle tree of events with Ed25519-signed checkpoints.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <iostream>

#include "sqlite_store.h"

namespace riskradar::store {

// ---------------------------------------------------------------- audit (RFC 6962 Merkle tree)

Result<sql::Statement*> SqliteStore::Stmt(const char* sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    RR_ASSIGN_OR_RETURN(auto stmt, conn_->Prepare(sql));
    it = stmts_.emplace(sql, std::move(stmt)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<const AuditSigningKey*> SqliteStore::Key(bool may_create) {
  if (!key_) {
    auto key = AuditSigningKey::Load(key_path_, may_create);
    if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
      // A new key would sign on after events another key signed: verification with the real key would fail,
      // and verification with the new one would vouch for events it never saw. Never create it then.
      return Status::FailedPrecondition(
          "the audit key file " + key_path_ +
          " does not exist but the audit log already has signed events: restore the key from its backup, or point "
          "the store at where it is (the configuration's [keys] audit, or --audit-key FILE); a new key is made "
          "only for an empty log");
    }
    if (!key.ok()) return key.status();
    key_.emplace(std::move(*key));
  }
  return &*key_;
}

Result<std::vector<merkle::Hash>> SqliteStore::LoadLeafHashes(int64_t count) {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT leaf_hash FROM audit_event WHERE seq <= ?1 ORDER BY seq"));
  q.Bind(1, count);
  std::vector<merkle::Hash> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    RR_ASSIGN_OR_RETURN(auto h, merkle::FromHex(q.TextView(0)));
    out.push_back(h);
  }
  if (static_cast<int64_t>(out.size()) != count) return Status::Corruption("audit log is shorter than its tree");
  return out;
}

Result<merkle::TreeBuilder> SqliteStore::LoadTreeLocked() {
  RR_ASSIGN_OR_RETURN(auto* q, Stmt("SELECT tree_size, compact_range FROM audit_tree WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) {
    auto tree = merkle::TreeBuilder::Deserialize(static_cast<uint64_t>(q->Int(0)), q->Blob(1));
    q->Reset();
    return tree;
  }
  q->Reset();
  merkle::TreeBuilder tree;  // no head yet: an empty log
  return tree;
}

Status SqliteStore::AppendLeafLocked(const AuditEvent& input, merkle::TreeBuilder& tree, std::string& buffer) {
  AuditEvent e = input;
  e.seq = static_cast<int64_t>(tree.size()) + 1;
  if (e.at_utc.empty()) e.at_utc = NowUtcIso();
  const merkle::Hash leaf = AuditLeaf(e, buffer);
  RR_ASSIGN_OR_RETURN(
      auto* ins,
      Stmt("INSERT INTO audit_event (seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, "
           "prev_hash, leaf_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11)"));
  RR_RETURN_IF_ERROR(ins->Bind(1, e.seq)
                         .Bind(2, e.at_utc)
                         .Bind(3, e.actor.user)
                         .Bind(4, e.actor.agency)
                         .Bind(5, e.actor.role)
                         .Bind(6, e.actor.purpose)
                         .Bind(7, e.action)
                         .Bind(8, e.target)
                         .Bind(9, e.outcome)
                         .Bind(10, e.details)
                         .Bind(11, merkle::ToHex(leaf))
                         .Run());
  tree.Append(leaf);
  return Status::Ok();
}

Result<AuditCheckpoint> SqliteStore::SaveHeadLocked(const merkle::TreeBuilder& tree, uint64_t from_size, bool keep) {
  // Only the first head of an empty log may bring a new key into being (Key()).
  RR_ASSIGN_OR_RETURN(const AuditSigningKey* key, Key(from_size == 0));
  AuditCheckpoint c;
  c.tree_size = static_cast<int64_t>(tree.size());
  c.root_hash = merkle::ToHex(tree.Root());
  c.signed_at = NowUtcIso();
  c.public_key = key->public_key_hex();
  c.signature = key->SignHex(CheckpointMessage(c.tree_size, c.root_hash, c.signed_at));
  RR_ASSIGN_OR_RETURN(
      auto* head,
      Stmt("INSERT INTO audit_tree (id, tree_size, compact_range, root_hash, signed_at, public_key, signature) "
           "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET tree_size = excluded.tree_size, "
           "compact_range = excluded.compact_range, root_hash = excluded.root_hash, signed_at = excluded.signed_at, "
           "public_key = excluded.public_key, signature = excluded.signature"));
  RR_RETURN_IF_ERROR(head->Bind(1, c.tree_size)
                         .BindBlob(2, tree.Serialize())
                         .Bind(3, c.root_hash)
                         .Bind(4, c.signed_at)
                         .Bind(5, c.public_key)
                         .Bind(6, c.signature)
                         .Run());
  const auto interval = static_cast<uint64_t>(std::max<int64_t>(options_.checkpoint_interval, 0));
  if (keep || (interval > 0 && tree.size() / interval != from_size / interval)) {
    RR_ASSIGN_OR_RETURN(
        auto* cp,
        Stmt("INSERT INTO audit_checkpoint (tree_size, root_hash, signed_at, public_key, signature) "
             "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (tree_size) DO UPDATE SET root_hash = excluded.root_hash, "
             "signed_at = excluded.signed_at, public_key = excluded.public_key, signature = excluded.signature"));
    RR_RETURN_IF_ERROR(cp->Bind(1, c.tree_size)
                           .Bind(2, c.root_hash)
                           .Bind(3, c.signed_at)
                           .Bind(4, c.public_key)
                           .Bind(5, c.signature)
                           .Run());
    // The log's first kept checkpoint: the witness file exists (empty) before this transaction commits.
    RR_ASSIGN_OR_RETURN(auto* earlier, Stmt("SELECT COUNT(*) FROM audit_checkpoint WHERE tree_size < ?1"));
    earlier->Bind(1, c.tree_size);
    RR_ASSIGN_OR_RETURN(bool counted, earlier->Step());
    const bool first = counted && earlier->Int(0) == 0;
    earlier->Reset();
    if (first) {
      // As for the append itself (FlushWitness): a witness that cannot be written is reported, and `audit
      // verify` then fails on it; the log's own transaction is not refused for it.
      Status created = CreateWitnessIfAbsent(options_.audit_witness_path);
      if (!created.ok()) std::cerr << "riskradar: audit witness not created: " << created.ToString() << "\n";
    }
    pending_witness_.push_back(c);  // written to the witness once its transaction has committed
  }
  return c;
}

void SqliteStore::FlushWitness() {
  if (pending_witness_.empty() || conn_->InTransaction()) return;
  std::vector<AuditCheckpoint> pending;
  pending.swap(pending_witness_);
  for (const AuditCheckpoint& c : pending) {
    auto q = conn_->Prepare(
        "SELECT (SELECT COUNT(*) FROM audit_checkpoint WHERE tree_size = ?1 AND root_hash = ?2 AND signature = ?3), "
        "(SELECT COUNT(*) FROM audit_checkpoint WHERE tree_size < ?1)");
    if (!q.ok()) {
      std::cerr << "riskradar: audit witness not written: " << q.status().ToString() << "\n";
      continue;
    }
    q->Bind(1, c.tree_size).Bind(2, c.root_hash).Bind(3, c.signature);
    auto row = q->Step();
    if (!row.ok() || !*row) continue;
    if (q->Int(0) == 0) continue;  // its transaction rolled back: nothing to witness
    // The file is created only with the log's first checkpoint; later, a missing witness stays missing.
    const bool first = q->Int(1) == 0;
    Status st = AppendWitness(options_.audit_witness_path,
                              {c.tree_size, c.root_hash, c.signed_at, c.public_key, c.signature}, first);
    if (!st.ok()) std::cerr << "riskradar: audit witness not written: " << st.ToString() << "\n";
  }
}

Status SqliteStore::AppendAuditLocked(const AuditEvent& event) {
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  const uint64_t from = tree.size();
  std::string buffer;
  RR_RETURN_IF_ERROR(AppendLeafLocked(event, tree, buffer));
  return SaveHeadLocked(tree, from, false).status();
}

Status SqliteStore::AppendAudit(const AuditEvent& event) {
  if (options_.audit_writer) return options_.audit_writer->Append(event).status();
  FlushWitness();
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_RETURN_IF_ERROR(AppendAuditLocked(event));
  RR_RETURN_IF_ERROR(txn.Commit());
  FlushWitness();
  return Status::Ok();
}

Status SqliteStore::AppendAuditBatch(const std::vector<AuditEvent>& events) {
  FlushWitness();
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  const uint64_t from = tree.size();
  std::string buffer;
  for (const AuditEvent& e : events) RR_RETURN_IF_ERROR(AppendLeafLocked(e, tree, buffer));
  RR_RETURN_IF_ERROR(SaveHeadLocked(tree, from, false).status());
  RR_RETURN_IF_ERROR(txn.Commit());
  FlushWitness();
  return Status::Ok();
}

std::vector<Result<int64_t>> SqliteStore::CommitAuditGroup(std::span<const AuditEvent* const> events) {
  // The head is read from the store in every transaction (one row), not kept in memory: other connections
  // and processes (a login, `riskradar user add`) append to the same tree between batches.
  FlushWitness();
  struct FlushAfter {
    SqliteStore* self;
    ~FlushAfter() { self->FlushWitness(); }
  } flush_after{this};
  auto together = [&]() -> Result<std::vector<int64_t>> {
    RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
    RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
    const uint64_t from = tree.size();
    std::string buffer;
    std::vector<int64_t> seqs;
    seqs.reserve(events.size());
    for (const AuditEvent* e : events) {
      RR_RETURN_IF_ERROR(AppendLeafLocked(*e, tree, buffer));
      seqs.push_back(static_cast<int64_t>(tree.size()));
    }
    RR_RETURN_IF_ERROR(SaveHeadLocked(tree, from, false).status());
    RR_RETURN_IF_ERROR(txn.Commit());
    return seqs;
  }();
  std::vector<Result<int64_t>> out;
  out.reserve(events.size());
  if (together.ok()) {
    for (int64_t seq : *together) out.emplace_back(seq);
    return out;
  }
  if (events.size() == 1) {
    out.emplace_back(together.status());
    return out;
  }
  // Something in the batch failed and the whole transaction was rolled back: nothing of it is stored. Each
  // event is retried in its own transaction so only the failing one answers its caller with an error.
  for (const AuditEvent* e : events) {
    auto alone = [&]() -> Result<int64_t> {
      RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
      RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
      const uint64_t from = tree.size();
      std::string buffer;
      RR_RETURN_IF_ERROR(AppendLeafLocked(*e, tree, buffer));
      RR_RETURN_IF_ERROR(SaveHeadLocked(tree, from, false).status());
      RR_RETURN_IF_ERROR(txn.Commit());
      return static_cast<int64_t>(tree.size());
    }();
    out.push_back(std::move(alone));
  }
  return out;
}

Result<AuditCheckpoint> SqliteStore::SignAuditCheckpoint() {
  RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  RR_ASSIGN_OR_RETURN(auto c, SaveHeadLocked(tree, tree.size(), true));
  RR_RETURN_IF_ERROR(txn.Commit());
  FlushWitness();
  return c;
}

Result<AuditKeyRotation> SqliteStore::RotateAuditKey(const Actor& actor) {
  if (options_.audit_writer) return Status::FailedPrecondition("rotate the audit key with the server stopped");
  FlushWitness();
  auto old_key = AuditSigningKey::Load(key_path_, false);
  if (!old_key.ok() && old_key.status().code() == StatusCode::kNotFound) {
    return Status::FailedPrecondition("no audit key at " + key_path_ + " to rotate");
  }
  if (!old_key.ok()) return old_key.status();
  AuditKeyRotation r;
  r.old_public_key = old_key->public_key_hex();
  key_.reset();
  key_.emplace(std::move(*old_key));
  RR_ASSIGN_OR_RETURN(r.new_public_key, WriteNextAuditKey(key_path_));
  auto append_kept = [&](std::string_view action, const nlohmann::json& details) -> Result<AuditCheckpoint> {
    AuditEvent e;
    e.actor = actor;
    e.action = std::string(action);
    e.target = "audit_log";
    e.details = details.dump();
    RR_ASSIGN_OR_RETURN(auto txn, sql::Transaction::Begin(*conn_));
    RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
    const uint64_t from = tree.size();
    std::string buffer;
    RR_RETURN_IF_ERROR(AppendLeafLocked(e, tree, buffer));
    RR_ASSIGN_OR_RETURN(auto c, SaveHeadLocked(tree, from, true));
    RR_RETURN_IF_ERROR(txn.Commit());
    FlushWitness();
    return c;
  };
  // 1. The old key vouches for the new one: the last head it signs covers an event naming both.
  RR_ASSIGN_OR_RETURN(
      const AuditCheckpoint last_old,
      append_kept("audit_key_rotate", {{"old_public_key", r.old_public_key}, {"new_public_key", r.new_public_key}}));
  r.old_last_size = last_old.tree_size;
  // 2. The old public key stays trusted for what it signed, and no further (a leaked old key signs nothing new).
  RR_RETURN_IF_ERROR(AppendRetiredAuditKey(key_path_, r.old_public_key, r.old_last_size, NowUtcIso()));
  // 3. The new key takes the file's place, and signs from the next event on.
  RR_RETURN_IF_ERROR(InstallNextAuditKey(key_path_, r.new_public_key));
  key_.reset();
  RR_ASSIGN_OR_RETURN(const AuditCheckpoint first_new,
                      append_kept("audit_key_rotated", {{"public_key", r.new_public_key},
                                                        {"previous_public_key", r.old_public_key},
                                                        {"previous_last_size", r.old_last_size}}));
  if (first_new.public_key != r.new_public_key) {
    return Status::Internal("the audit key file " + key_path_ + " does not hold the new key after rotation");
  }
  r.new_first_size = first_new.tree_size;
  return r;
}

// Schema 2 turns the v1 hash chain into Merkle leaves: the old chain is checked first, so re-hashing never
// launders an edit made before the upgrade. Runs inside the migration's transaction.
Status SqliteStore::UpgradeAuditToMerkle() {
  RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare("SELECT seq, at_utc, user_name, agency, role, purpose, action, target, "
                                             "outcome, details, prev_hash, leaf_hash "
                                             "FROM audit_event ORDER BY seq"));
  RR_ASSIGN_OR_RETURN(auto upd, conn_->Prepare("UPDATE audit_event SET leaf_hash = ?1 WHERE seq = ?2"));
  std::string prev(64, '0'), buffer;
  merkle::TreeBuilder tree;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AuditEvent e = AuditEventFromRow(q);
    if (e.seq != static_cast<int64_t>(tree.size()) + 1 || q.Text(10) != prev ||
        LegacyAuditLeafHash(e, prev) != q.Text(11)) {
      return Status::Corruption("the existing audit chain is broken at event " + std::to_string(e.seq) +
                                "; refusing to re-hash it (investigate before upgrading)");
    }
    prev = q.Text(11);
    const merkle::Hash leaf = AuditLeaf(e, buffer);
    RR_RETURN_IF_ERROR(upd.Bind(1, merkle::ToHex(leaf)).Bind(2, e.seq).Run());
    tree.Append(leaf);
  }
  if (tree.size() > 0) {
    RR_RETURN_IF_ERROR(SaveHeadLocked(tree, 0, true).status());
  }
  return Status::Ok();
}

Result<AuditCheckpointList> SqliteStore::AuditCheckpoints() {
  AuditCheckpointList out;
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        conn_->Prepare(
            "SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_checkpoint ORDER BY tree_size"));
    RR_RETURN_IF_ERROR(q.ForEachRow([&] {
      out.kept.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
    }));
  }
  RR_ASSIGN_OR_RETURN(
      auto q,
      conn_->Prepare("SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_tree WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (row) out.head = AuditCheckpoint{q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)};
  return out;
}

namespace {

// Leaves per verification chunk: a power of two, so a complete chunk is one complete subtree of the log's
// tree and chunks can be hashed in parallel and joined in order (TreeBuilder::AppendSubtree).
constexpr uint64_t kVerifyChunk = uint64_t{1} << 16;

// What one chunk of the log [lo, hi) (0-based leaf indices, seq = index + 1) yielded.
struct VerifiedChunk {
  merkle::TreeBuilder local;  // the chunk's own leaves
  // Compact ranges of the chunk's leaves at each checkpoint size strictly inside the chunk (the tree of the
  // first `size` events is the range at the chunk's start followed by this one).
  std::vector<std::pair<int64_t, std::string>> ranges;
  int64_t problem_seq = 0;  // the first problem's position (0: none)
  std::string problem;
  Status status;  // an error reading the store (not a finding)
};

// Lower-case hex of `h` compared with `stored` without building a string.
bool HexEquals(const merkle::Hash& h, std::string_view stored) {
  static constexpr char kDigits[] = "0123456789abcdef";
  if (stored.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    if (stored[2 * i] != kDigits[h[i] >> 4] || stored[2 * i + 1] != kDigits[h[i] & 15]) return false;
  }
  return true;
}

constexpr const char* kVerifySql =
    "SELECT seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, leaf_hash "
    "FROM audit_event WHERE seq > ?1 AND seq <= ?2 ORDER BY seq";

// Reads events lo+1..hi, recomputes each leaf from the stored fields and compares it with the stored leaf
// hash, checks the sequence has no gap, and hashes the chunk's tree. `sizes` are the checkpoint sizes.
void VerifyChunk(sql::Statement& q, uint64_t lo, uint64_t hi, const std::vector<int64_t>& sizes, VerifiedChunk& out) {
  q.Reset();
  q.Bind(1, static_cast<int64_t>(lo)).Bind(2, static_cast<int64_t>(hi));
  auto next_size = std::upper_bound(sizes.begin(), sizes.end(), static_cast<int64_t>(lo));
  std::string buffer;
  buffer.reserve(512);
  int64_t expected = static_cast<int64_t>(lo) + 1;
  while (true) {
    auto row = q.Step();
    if (!row.ok()) {
      out.status = row.status();
      break;
    }
    if (!*row) break;
    const int64_t seq = q.Int(0);
    if (seq != expected) {
      out.problem_seq = expected;
      out.problem = "audit event " + std::to_string(seq) + ": sequence gap or reorder (expected " +
                    std::to_string(expected) + ")";
      break;
    }
    // Views: the bytes as stored, not copied.
    AppendAuditLeafBytes(buffer, seq,
                         {q.TextView(1), q.TextView(2), q.TextView(3), q.TextView(4), q.TextView(5), q.TextView(6),
                          q.TextView(7), q.TextView(8), q.TextView(9)});
    const merkle::Hash leaf = merkle::LeafHash(buffer);
    if (!HexEquals(leaf, q.TextView(10))) {
      out.problem_seq = seq;
      out.problem = "audit event " + std::to_string(seq) + ": content does not match its leaf hash";
      break;
    }
    out.local.Append(leaf);
    ++expected;
    const int64_t size = static_cast<int64_t>(lo + out.local.size());
    if (next_size != sizes.end() && *next_size == size) {
      if (out.local.size() < hi - lo || hi - lo < kVerifyChunk) out.ranges.emplace_back(size, out.local.Serialize());
      ++next_size;
    }
  }
  q.Reset();
  if (out.status.ok() && out.problem_seq == 0 && expected != static_cast<int64_t>(hi) + 1) {
    out.problem_seq = expected;
    out.problem = "audit event " + std::to_string(expected) + " is missing (sequence gap)";
  }
}

}  // namespace

// The log is checked in chunks of 65,536 events, in parallel on their own read-only connections when there
// is more than one chunk, and the chunks' trees are joined in order. Events 1..N are immutable once
// committed, so connections that start later (and may also see events appended after N) read the same rows;
// N, the checkpoints and the head come from one snapshot.
Result<AuditCheck> SqliteStore::VerifyAudit() {
  FlushWitness();
  // The witness is read before the log's snapshot: every head in it was committed before it was written, so
  // the snapshot holds it too, even while other connections keep appending.
  const Result<std::vector<WitnessHead>> witness = ReadWitness(options_.audit_witness_path);
  AuditCheck check;
  auto fail = [&](std::string why) {
    check.ok = false;
    check.problem = std::move(why);
    return check;
  };
  std::vector<AuditCheckpoint> checkpoints;
  std::optional<AuditCheckpoint> head;
  int64_t stored_events = 0, stray_events = 0;
  {
    RR_ASSIGN_OR_RETURN(auto snapshot, sql::Transaction::Begin(*conn_, sql::TxnMode::kRead));
    RR_ASSIGN_OR_RETURN(AuditCheckpointList list, AuditCheckpoints());
    checkpoints = std::move(list.kept);
    head = std::move(list.head);
    // seq is the rowid: both are b-tree lookups, not a scan of the log (COUNT(*) would read all of it). The
    // scan below finds any gap in 1..N.
    for (auto [sql, out] : {std::pair{"SELECT MAX(seq) FROM audit_event", &stored_events},
                            std::pair{"SELECT COUNT(*) FROM audit_event WHERE seq <= 0", &stray_events}}) {
      RR_ASSIGN_OR_RETURN(auto q, conn_->Prepare(sql));
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (row) *out = q.Int(0);  // MAX of no rows is NULL, read as 0
    }
    RR_RETURN_IF_ERROR(snapshot.Commit());
  }
  // The key to trust comes from outside the database: a copy in the store could be swapped with the log.
  std::string trusted = options_.audit_public_key;
  if (trusted.empty() &&
      (head || !checkpoints.empty() || stored_events > 0 || stray_events > 0 || (witness.ok() && !witness->empty()))) {
    auto pk = LoadAuditPublicKey(key_path_);
    if (!pk.ok()) return pk.status();
    trusted = *pk;
  }
  // Keys rotated out (`riskradar keys rotate --audit`) stay trusted for what they signed before.
  RR_ASSIGN_OR_RETURN(const auto retired, ReadRetiredAuditKeys(key_path_));
  const TrustedAuditKeys keys{trusted, retired};
  const std::vector<AuditCheckpoint> kept = checkpoints;
  if (head) checkpoints.push_back(*head);  // checked like the others, last
  {
    std::vector<char> bad(checkpoints.size(), 0);
    tbb::parallel_for(size_t{0}, checkpoints.size(), [&](size_t i) {
      const AuditCheckpoint& c = checkpoints[i];
      if (!keys.Trusts(c.public_key, c.tree_size)) {
        bad[i] = 1;
      } else if (!VerifyCheckpointSignature(c.public_key, CheckpointMessage(c.tree_size, c.root_hash, c.signed_at),
                                            c.signature)) {
        bad[i] = 2;
      }
    });
    for (size_t i = 0; i < checkpoints.size(); ++i) {
      const std::string at = "checkpoint at size " + std::to_string(checkpoints[i].tree_size);
      if (bad[i] == 1) return fail(at + " was not signed by the trusted audit key");
      if (bad[i] == 2) return fail(at + " has an invalid signature");
    }
  }
  if (!head && (stored_events > 0 || !checkpoints.empty())) {
    return fail("the signed head of the audit log is missing");
  }
  if (stray_events > 0) {
    return fail(std::to_string(stray_events) + " audit events have a sequence number below 1 (inserted or moved)");
  }
  for (const AuditCheckpoint& c : checkpoints) {
    if (c.tree_size > stored_events) {
      return fail("the log has " + std::to_string(stored_events) + " events but a signed checkpoint covers " +
                  std::to_string(c.tree_size) + ": events were removed (truncation)");
    }
  }
  if (head && head->tree_size != stored_events) {
    return fail("the log has " + std::to_string(stored_events) + " events but the signed head covers " +
                std::to_string(head->tree_size));
  }
  std::sort(checkpoints.begin(), checkpoints.end(),
            [](const AuditCheckpoint& a, const AuditCheckpoint& b) { return a.tree_size < b.tree_size; });
  std::vector<int64_t> sizes;
  for (const AuditCheckpoint& c : checkpoints) {
    if (c.tree_size > 0 && (sizes.empty() || sizes.back() != c.tree_size)) sizes.push_back(c.tree_size);
  }

  const auto n = static_cast<uint64_t>(stored_events);
  const size_t chunks = static_cast<size_t>((n + kVerifyChunk - 1) / kVerifyChunk);
  std::vector<VerifiedChunk> results(chunks);
  auto bounds = [&](size_t k) {
    return std::pair<uint64_t, uint64_t>{k * kVerifyChunk, std::min(n, (k + 1) * kVerifyChunk)};
  };
  if (chunks == 1) {
    RR_ASSIGN_OR_RETURN(auto snapshot, sql::Transaction::Begin(*conn_, sql::TxnMode::kRead));
    RR_ASSIGN_OR_RETURN(auto* q, Stmt(kVerifySql));
    VerifyChunk(*q, 0, n, sizes, results[0]);
    RR_RETURN_IF_ERROR(snapshot.Commit());
  } else if (chunks > 1) {
    // One connection per worker thread (SQLite: reading through a memory map, no copy per page).
    struct Reader {
      std::unique_ptr<sql::Connection> conn;
      sql::Statement q;
      Status status;
    };
    tbb::enumerable_thread_specific<Reader> readers;
    tbb::parallel_for(size_t{0}, chunks, [&](size_t k) {
      Reader& r = readers.local();
      if (!r.conn && r.status.ok()) {
        auto conn = sql::OpenConnection(location_);
        if (!conn.ok()) {
          r.status = conn.status();
        } else {
          r.conn = std::move(*conn);
          if (r.conn->backend() == sql::Backend::kSqlite) (void)r.conn->Exec("PRAGMA mmap_size=2147418112");
          auto q = r.conn->Prepare(kVerifySql);
          if (q.ok()) {
            r.q = std::move(*q);
          } else {
            r.status = q.status();
          }
        }
      }
      if (!r.status.ok()) {
        results[k].status = r.status;
        return;
      }
      const auto [lo, hi] = bounds(k);
      VerifyChunk(r.q, lo, hi, sizes, results[k]);
    });
  }

  // Join the chunks in order, checking each checkpoint's root at its size on the way; report what a
  // sequential scan would have met first.
  merkle::TreeBuilder tree;
  size_t next_cp = 0;
  while (next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == 0) ++next_cp;
  auto check_size = [&](int64_t size, const merkle::Hash& root) -> bool {
    bool all_match = true;
    for (; next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == size; ++next_cp) {
      if (merkle::ToHex(root) != checkpoints[next_cp].root_hash) {
        all_match = false;
        break;
      }
      ++check.checkpoints_checked;
    }
    return all_match;
  };
  auto mismatch = [&](int64_t size) {
    return fail("the first " + std::to_string(size) +
                " events do not match the signed checkpoint of that size (edited, removed or reordered)");
  };
  for (size_t k = 0; k < chunks; ++k) {
    VerifiedChunk& r = results[k];
    RR_RETURN_IF_ERROR(r.status);
    const auto [lo, hi] = bounds(k);
    const std::string start = tree.Serialize();
    for (const auto& [size, range] : r.ranges) {
      RR_ASSIGN_OR_RETURN(auto at, merkle::TreeBuilder::Deserialize(static_cast<uint64_t>(size), start + range));
      if (!check_size(size, at.Root())) return mismatch(size);
    }
    if (r.problem_seq != 0) return fail(r.problem);
    if (hi - lo == kVerifyChunk) {
      tree.AppendSubtree(r.local.Root(), kVerifyChunk);
    } else {
      RR_ASSIGN_OR_RETURN(tree, merkle::TreeBuilder::Deserialize(hi, start + r.local.Serialize()));
    }
    if (!check_size(static_cast<int64_t>(hi), tree.Root())) return mismatch(static_cast<int64_t>(hi));
    check.events = static_cast<int64_t>(hi);
  }
  if (next_cp != checkpoints.size()) {
    return Status::Internal("audit verify skipped the checkpoint at size " +
                            std::to_string(checkpoints[next_cp].tree_size));
  }
  check.root_hash = merkle::ToHex(tree.Root());
  check.latest = head;
  RR_ASSIGN_OR_RETURN(std::string witness_problem, CheckWitness(check, keys, kept, witness));
  if (!witness_problem.empty()) return fail(std::move(witness_problem));
  return check;
}

// Signed checkpoints prove the log was not edited, not that it is the newest: a copy of the store taken
// earlier verifies on its own. The witness outside the database remembers every kept head; the log must
// reach the newest of them and agree with it (an RFC 6962 consistency proof from the witnessed size to the
// log's size, checked against the witnessed root and the log's root).
Result<std::string> SqliteStore::CheckWitness(AuditCheck& check, const TrustedAuditKeys& trusted,
                                              const std::vector<AuditCheckpoint>& kept,
                                              const Result<std::vector<WitnessHead>>& heads) {
  const std::string& path = options_.audit_witness_path;
  if (!heads.ok() && heads.status().code() == StatusCode::kNotFound) {
    if (kept.empty()) return std::string();  // a fresh log: the witness starts with its first checkpoint
    return "the audit witness " + path + " is missing but the log has " + std::to_string(kept.size()) +
           " signed checkpoints: a deleted witness cannot be told from a rolled-back database (investigate, then "
           "start a new witness with `riskradar audit witness-init`)";
  }
  if (!heads.ok()) return heads.status().message();
  check.witness_present = true;
  check.witness_heads = static_cast<int64_t>(heads->size());
  const WitnessHead* newest = nullptr;
  int64_t line = 0;
  for (const WitnessHead& h : *heads) {
    ++line;
    if (!trusted.Trusts(h.public_key, h.tree_size) ||
        !VerifyCheckpointSignature(h.public_key, CheckpointMessage(h.tree_size, h.root_hash, h.signed_at),
                                   h.signature)) {
      return "audit witness line " + std::to_string(line) + " is not a head signed by the trusted audit key";
    }
    if (!newest || h.tree_size > newest->tree_size) newest = &h;
  }
  if (!newest) return std::string();
  check.witness_size = newest->tree_size;
  if (newest->tree_size > check.events) {
    return "rollback: the log has " + std::to_string(check.events) + " events but the witness holds a head of " +
           std::to_string(newest->tree_size) + " events signed at " + newest->signed_at +
           ": this database is older than its witness (restored from an earlier copy?)";
  }
  // Every witnessed head must be a head of this log: the tree of its first SIZE events has the witnessed
  // root. (A database restored from a copy and then grown again has the later sizes, but other roots, and it
  // adds its own heads to the witness: two heads of one size with different roots are a fork.)
  RR_ASSIGN_OR_RETURN(auto leaves, LoadLeafHashes(check.events));
  std::vector<const WitnessHead*> by_size;
  for (const WitnessHead& h : *heads) by_size.push_back(&h);
  std::sort(by_size.begin(), by_size.end(),
            [](const WitnessHead* a, const WitnessHead* b) { return a->tree_size < b->tree_size; });
  merkle::TreeBuilder tree;
  for (const WitnessHead* h : by_size) {
    while (static_cast<int64_t>(tree.size()) < h->tree_size) tree.Append(leaves[tree.size()]);
    if (merkle::ToHex(tree.Root()) != h->root_hash) {
      return "the log is not consistent with the witnessed head of " + std::to_string(h->tree_size) +
             " events signed at " + h->signed_at +
             ": its first events differ from those witnessed (rolled back and grown again, or rewritten)";
    }
  }
  // And the RFC 6962 consistency proof from the newest witnessed head to the log's head verifies, as an
  // outside auditor holding only the witness would check it.
  if (newest->tree_size < check.events) {
    RR_ASSIGN_OR_RETURN(auto proof, merkle::ConsistencyProof(leaves, static_cast<uint64_t>(newest->tree_size)));
    RR_ASSIGN_OR_RETURN(auto witnessed_root, merkle::FromHex(newest->root_hash));
    RR_ASSIGN_OR_RETURN(auto log_root, merkle::FromHex(check.root_hash));
    if (!merkle::VerifyConsistency(static_cast<uint64_t>(newest->tree_size), static_cast<uint64_t>(check.events),
                                   witnessed_root, log_root, proof)) {
      return "the consistency proof from the witnessed head of " + std::to_string(newest->tree_size) +
             " events to the log's head does not verify";
    }
  }
  return std::string();
}

namespace {

Result<int64_t> AuditLogSize(sql::Connection& conn) {
  RR_ASSIGN_OR_RETURN(auto q, conn.Prepare("SELECT COALESCE(MAX(seq), 0) FROM audit_event"));
  RR_ASSIGN_OR_RETURN(bool row, q.Step());
  return row ? q.Int(0) : int64_t{0};
}

}  // namespace

Result<AuditProof> SqliteStore::AuditInclusionProof(int64_t seq, int64_t tree_size) {
  RR_ASSIGN_OR_RETURN(const int64_t size, AuditLogSize(*conn_));
  if (tree_size == 0) tree_size = size;
  if (seq < 1 || tree_size < seq || tree_size > size) {
    return Status::InvalidArgument("need 1 <= seq <= size <= " + std::to_string(size) + " (the log's size)");
  }
  RR_ASSIGN_OR_RETURN(auto leaves, LoadLeafHashes(tree_size));
  RR_ASSIGN_OR_RETURN(auto path, merkle::InclusionProof(leaves, static_cast<uint64_t>(seq - 1)));
  AuditProof p;
  p.seq = seq;
  p.tree_size = tree_size;
  p.leaf_hash = merkle::ToHex(leaves[static_cast<size_t>(seq - 1)]);
  for (const auto& h : path) p.path.push_back(merkle::ToHex(h));
  p.root_hash = merkle::ToHex(merkle::TreeHash(leaves));
  return p;
}

Result<AuditProof> SqliteStore::AuditConsistencyProof(int64_t old_size, int64_t new_size) {
  RR_ASSIGN_OR_RETURN(const int64_t size, AuditLogSize(*conn_));
  if (new_size == 0) new_size = size;
  if (old_size < 1 || new_size < old_size || new_size > size) {
    return Status::InvalidArgument("need 1 <= old <= new <= " + std::to_string(size) + " (the log's size)");
  }
  RR_ASSIGN_OR_RETURN(auto leaves, LoadLeafHashes(new_size));
  RR_ASSIGN_OR_RETURN(auto path, merkle::ConsistencyProof(leaves, static_cast<uint64_t>(old_size)));
  AuditProof p;
  p.old_size = old_size;
  p.tree_size = new_size;
  for (const auto& h : path) p.path.push_back(merkle::ToHex(h));
  p.root_hash = merkle::ToHex(merkle::TreeHash(leaves));
  p.old_root_hash = merkle::ToHex(merkle::TreeHash(std::span<const merkle::Hash>(leaves.data(), old_size)));
  return p;
}

Result<std::vector<AuditEvent>> SqliteStore::QueryAuditEvents(const AuditQuery& query) {
  // A target is searched on its own index (audit_event_target, newest first); the planner cannot use it behind
  // "?8 = '' OR target = ?8", so the statement text differs by whether a target is given (the value is bound).
  const char* by_target = query.target.empty() ? "AND ?8 = '' " : "AND target = ?8 ";
  std::vector<AuditEvent> out;
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        conn_->Prepare(std::string("SELECT seq, at_utc, user_name, agency, role, purpose, action, target, outcome, "
                                   "details, leaf_hash FROM audit_event WHERE (?1 = '' OR user_name = ?1) AND (?2 = '' "
                                   "OR action = ?2) AND (?3 = '' OR at_utc >= ?3) AND (?4 = '' OR at_utc <= ?4) AND "
                                   "(?5 = 0 OR seq < ?5) AND (?7 = '' OR agency = ?7 OR target IN (SELECT 'person:' || "
                                   "mp.person_id FROM mention_person mp JOIN person_mention m ON m.id = mp.mention_id "
                                   "JOIN source_record r ON r.id = m.source_record_id WHERE r.agency_code = ?7)) ") +
                       by_target + "ORDER BY seq DESC LIMIT ?6"));
    q.Bind(1, query.user)
        .Bind(2, query.action)
        .Bind(3, query.from)
        .Bind(4, query.to)
        .Bind(5, query.before)
        .Bind(6, query.limit)
        .Bind(7, query.agency)
        .Bind(8, query.target);
    while (true) {
      RR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      AuditEvent e = AuditEventFromRow(q);
      e.leaf_hash = q.Text(10);
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace riskradar::store

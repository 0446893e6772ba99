// SqliteStore's audit log: an RFC 6962 Merkle tree of events with Ed25519-signed checkpoints.
#include "sqlite_store.h"

namespace riskradar::store {

// ---------------------------------------------------------------- audit (RFC 6962 Merkle tree)

Result<SqliteStatement*> SqliteStore::Cached(const char* sql) {
  auto it = cached_.find(sql);
  if (it == cached_.end()) {
    RR_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(sql));
    it = cached_.emplace(sql, std::move(stmt)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<const AuditSigningKey*> SqliteStore::Key() {
  if (!key_) {
    RR_ASSIGN_OR_RETURN(auto key, AuditSigningKey::LoadOrCreate(key_path_));
    key_.emplace(std::move(key));
  }
  return &*key_;
}

Result<std::vector<merkle::Hash>> SqliteStore::LoadLeafHashes(int64_t count) {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT leaf_hash FROM audit_event WHERE seq <= ?1 ORDER BY seq"));
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
  RR_ASSIGN_OR_RETURN(auto* q, Cached("SELECT tree_size, compact_range FROM audit_tree WHERE id = 1"));
  RR_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) {
    auto tree = merkle::TreeBuilder::Deserialize(static_cast<uint64_t>(q->Int(0)), q->BlobView(1));
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
      Cached(
          "INSERT INTO audit_event (seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, "
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
  RR_ASSIGN_OR_RETURN(const AuditSigningKey* key, Key());
  AuditCheckpoint c;
  c.tree_size = static_cast<int64_t>(tree.size());
  c.root_hash = merkle::ToHex(tree.Root());
  c.signed_at = NowUtcIso();
  c.public_key = key->public_key_hex();
  c.signature = key->SignHex(CheckpointMessage(c.tree_size, c.root_hash, c.signed_at));
  RR_ASSIGN_OR_RETURN(
      auto* head,
      Cached("INSERT INTO audit_tree (id, tree_size, compact_range, root_hash, signed_at, public_key, signature) "
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
        Cached("INSERT OR REPLACE INTO audit_checkpoint (tree_size, root_hash, signed_at, public_key, signature) "
               "VALUES (?1, ?2, ?3, ?4, ?5)"));
    RR_RETURN_IF_ERROR(cp->Bind(1, c.tree_size)
                           .Bind(2, c.root_hash)
                           .Bind(3, c.signed_at)
                           .Bind(4, c.public_key)
                           .Bind(5, c.signature)
                           .Run());
  }
  return c;
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
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_RETURN_IF_ERROR(AppendAuditLocked(event));
  return txn.Commit();
}

Status SqliteStore::AppendAuditBatch(const std::vector<AuditEvent>& events) {
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  const uint64_t from = tree.size();
  std::string buffer;
  for (const AuditEvent& e : events) RR_RETURN_IF_ERROR(AppendLeafLocked(e, tree, buffer));
  RR_RETURN_IF_ERROR(SaveHeadLocked(tree, from, false).status());
  return txn.Commit();
}

std::vector<Result<int64_t>> SqliteStore::CommitAuditGroup(std::span<const AuditEvent* const> events) {
  // The head is read from the store in every transaction (one row), not kept in memory: other connections
  // and processes (a login, `riskradar user add`) append to the same tree between batches.
  auto together = [&]() -> Result<std::vector<int64_t>> {
    RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
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
      RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
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
  RR_ASSIGN_OR_RETURN(auto txn, SqliteTransaction::Begin(*db_));
  RR_ASSIGN_OR_RETURN(auto tree, LoadTreeLocked());
  RR_ASSIGN_OR_RETURN(auto c, SaveHeadLocked(tree, tree.size(), true));
  RR_RETURN_IF_ERROR(txn.Commit());
  return c;
}

// Schema 2 turns the v1 hash chain into Merkle leaves: the old chain is checked first, so re-hashing never
// launders an edit made before the upgrade. Runs inside the migration's transaction.
Status SqliteStore::UpgradeAuditToMerkle() {
  RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT seq, at_utc, user_name, agency, role, purpose, action, target, "
                                           "outcome, details, prev_hash, leaf_hash "
                                           "FROM audit_event ORDER BY seq"));
  RR_ASSIGN_OR_RETURN(auto upd, db_->Prepare("UPDATE audit_event SET leaf_hash = ?1 WHERE seq = ?2"));
  std::string prev(64, '0'), buffer;
  merkle::TreeBuilder tree;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    AuditEvent e;
    e.seq = q.Int(0);
    e.at_utc = q.Text(1);
    e.actor = {q.Text(2), q.Text(3), q.Text(4), q.Text(5)};
    e.action = q.Text(6);
    e.target = q.Text(7);
    e.outcome = q.Text(8);
    e.details = q.Text(9);
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

Result<std::vector<AuditCheckpoint>> SqliteStore::ListAuditCheckpoints() {
  RR_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare(
          "SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_checkpoint ORDER BY tree_size"));
  std::vector<AuditCheckpoint> out;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back({q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)});
  }
  return out;
}

Result<AuditCheck> SqliteStore::VerifyAudit() {
  AuditCheck check;
  auto fail = [&](std::string why) {
    check.ok = false;
    check.problem = std::move(why);
    return check;
  };
  RR_ASSIGN_OR_RETURN(auto checkpoints, ListAuditCheckpoints());
  std::optional<AuditCheckpoint> head;
  {
    RR_ASSIGN_OR_RETURN(
        auto q,
        db_->Prepare("SELECT tree_size, root_hash, signed_at, public_key, signature FROM audit_tree WHERE id = 1"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) head = AuditCheckpoint{q.Int(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4)};
  }
  int64_t stored_events = 0;
  {
    RR_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT COUNT(*) FROM audit_event"));
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row) stored_events = q.Int(0);
  }
  // The key to trust comes from outside the database: a copy in the store could be swapped with the log.
  std::string trusted = options_.audit_public_key;
  if (trusted.empty() && (head || !checkpoints.empty() || stored_events > 0)) {
    auto pk = LoadAuditPublicKey(key_path_);
    if (!pk.ok()) return pk.status();
    trusted = *pk;
  }
  if (head) checkpoints.push_back(*head);  // checked like the others, last
  for (const AuditCheckpoint& c : checkpoints) {
    if (c.public_key != trusted) {
      return fail("checkpoint at size " + std::to_string(c.tree_size) + " was not signed by the trusted audit key");
    }
    if (!VerifyCheckpointSignature(c.public_key, CheckpointMessage(c.tree_size, c.root_hash, c.signed_at),
                                   c.signature)) {
      return fail("checkpoint at size " + std::to_string(c.tree_size) + " has an invalid signature");
    }
  }
  if (!head && (stored_events > 0 || !checkpoints.empty())) {
    return fail("the signed head of the audit log is missing");
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
  size_t next_cp = 0;
  while (next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == 0) ++next_cp;

  RR_ASSIGN_OR_RETURN(
      auto q,
      db_->Prepare("SELECT seq, at_utc, user_name, agency, role, purpose, action, target, outcome, details, leaf_hash "
                   "FROM audit_event ORDER BY seq"));
  merkle::TreeBuilder tree;
  std::string buffer, hex;
  while (true) {
    RR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    const int64_t seq = q.Int(0);
    const int64_t expected = static_cast<int64_t>(tree.size()) + 1;
    if (seq != expected) {
      return fail("audit event " + std::to_string(seq) + ": sequence gap or reorder (expected " +
                  std::to_string(expected) + ")");
    }
    AppendAuditLeafBytes(buffer, seq,
                         {q.TextView(1), q.TextView(2), q.TextView(3), q.TextView(4), q.TextView(5), q.TextView(6),
                          q.TextView(7), q.TextView(8), q.TextView(9)});
    const merkle::Hash leaf = merkle::LeafHash(buffer);
    hex = merkle::ToHex(leaf);
    if (hex != q.TextView(10))
      return fail("audit event " + std::to_string(seq) + ": content does not match its leaf hash");
    tree.Append(leaf);
    ++check.events;
    while (next_cp < checkpoints.size() && checkpoints[next_cp].tree_size == check.events) {
      if (merkle::ToHex(tree.Root()) != checkpoints[next_cp].root_hash) {
        return fail("the first " + std::to_string(check.events) +
                    " events do not match the signed checkpoint of that size (edited, removed or reordered)");
      }
      ++check.checkpoints_checked;
      ++next_cp;
    }
  }
  check.root_hash = merkle::ToHex(tree.Root());
  check.latest = head;
  return check;
}

Result<AuditProof> SqliteStore::AuditInclusionProof(int64_t seq, int64_t tree_size) {
  if (seq < 1 || tree_size < seq) return Status::InvalidArgument("need 1 <= seq <= tree size");
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
  if (old_size < 1 || new_size < old_size) return Status::InvalidArgument("need 1 <= old size <= new size");
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

}  // namespace riskradar::store

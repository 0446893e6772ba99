// The Ed25519 key that signs audit checkpoints: created on first use in a 0600 file, never logged.
#pragma once

#include <sodium.h>
#include <sys/types.h>

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::store {

class AuditSigningKey {
 public:
  // Loads the key at `path`; when it is absent and `may_create`, creates it (O_EXCL, mode 0600) and
  // "<path>.pub" first, else NotFound. Refuses a key file that others can read.
  static Result<AuditSigningKey> Load(const std::string& path, bool may_create);
  AuditSigningKey(const AuditSigningKey&) = delete;
  AuditSigningKey& operator=(const AuditSigningKey&) = delete;
  AuditSigningKey(AuditSigningKey&& o) noexcept;
  ~AuditSigningKey();

  const std::string& public_key_hex() const { return public_key_hex_; }
  std::string SignHex(std::string_view message) const;

 private:
  AuditSigningKey() = default;
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_{};
  std::string public_key_hex_;
};

// Key rotation in two steps, so the file holds the old key or the new one, never a mix: a new key written 0600
// to "<path>.next" (its public key returned), then renamed over `path`, "<path>.pub" following.
Result<std::string> WriteNextAuditKey(const std::string& path);
Status InstallNextAuditKey(const std::string& path, const std::string& public_key);

// The retired keys: "<key path>.retired", one line per rotation ("v1 PUBLIC_KEY LAST_SIZE RETIRED_AT"). Like
// "<path>.pub" it lives outside the database; a retired key is trusted only for checkpoints and witness heads
// of at most LAST_SIZE events (what it signed before its rotation).
Status AppendRetiredAuditKey(const std::string& key_path, const std::string& public_key, int64_t last_size,
                             const std::string& retired_at);
// public key -> the largest tree size it may have signed; empty when there is no file. Corruption naming the
// line when one is malformed.
Result<std::map<std::string, int64_t>> ReadRetiredAuditKeys(const std::string& key_path);

// What verification trusts: the current public key for any size, a retired one up to its last size.
struct TrustedAuditKeys {
  std::string current;
  std::map<std::string, int64_t> retired;
  bool Trusts(const std::string& public_key, int64_t tree_size) const {
    if (public_key == current) return true;
    auto it = retired.find(public_key);
    return it != retired.end() && tree_size <= it->second;
  }
};

// The public key to verify with: from "<path>.pub" or, failing that, derived from the key file itself.
Result<std::string> LoadAuditPublicKey(const std::string& path);

// Writes a new file atomically with `mode` (a private temporary file hard-linked to `path`): AlreadyExists when
// `path` exists, so a concurrent creator never sees a half-written key. Shared by the store's key files.
Status WriteNewFile(const std::string& path, std::string_view content, mode_t mode);

// The audit witness: an append-only file outside the database, one signed checkpoint head a line
// ("v1 SIZE ROOT SIGNED_AT PUBLIC_KEY SIGNATURE"), that a rolled-back database cannot follow back in time.
// Appends one line with a single write (O_APPEND, so writers in several processes interleave whole lines) and
// fsyncs it. Creates the file (0600, and fsyncs its directory) only when `may_create`; otherwise a missing
// file is NotFound, so a deleted witness is not silently restarted.
struct WitnessHead {
  int64_t tree_size = 0;
  std::string root_hash, signed_at, public_key, signature;
};
Status AppendWitness(const std::string& path, const WitnessHead& head, bool may_create);
// Creates the witness file empty (0600, its directory entry made durable) if it does not exist. Called before
// the transaction that keeps the log's first checkpoint commits, so that a verification running between that
// commit and the head's append finds an empty witness (the log ahead of its witness, as after a crash there)
// rather than a missing one (which it must treat as deleted).
Status CreateWitnessIfAbsent(const std::string& path);
// All heads in the witness, in file order; NotFound when the file does not exist; Corruption naming the line
// when one is malformed.
Result<std::vector<WitnessHead>> ReadWitness(const std::string& path);

bool VerifyCheckpointSignature(std::string_view public_key_hex, std::string_view message,
                               std::string_view signature_hex);

}  // namespace riskradar::store

// Credentials: Argon2id password hashes, the password policy, TOTP second factor, session tokens.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "riskradar/core/status.h"

namespace riskradar::server {

// Argon2id cost. Production is above OWASP's minimum (m >= 19 MiB, t >= 2).
struct PasswordHashParams {
  uint64_t opslimit = 3;
  size_t memlimit = 32u << 20;
  static PasswordHashParams Production() { return {}; }
  // libsodium's smallest parameters: for test suites only (ASan makes 64 MiB hashes very slow). Never a default.
  static PasswordHashParams MinimumForTestsOnly();
};

Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params);
// Constant work for a wrong password; false for a malformed hash.
bool VerifyPassword(std::string_view stored_hash, std::string_view password);
// A random secret of at least 120 bits (a half of a one-time enrolment code) needs no slow hash: nobody can
// search its space. HashRandomSecret is BLAKE2b-256 under a domain prefix ("blake2b$<hex>");
// VerifyRandomSecret compares in constant time (and still accepts an Argon2id hash from a store written before
// this, through VerifyPassword). An enrolling sign-in checks the requester's half with Argon2id (it is the
// account's password hash) and the approver's half with this, so it does the same slow work as any other
// sign-in: one Argon2id verification (issue 11 item 4).
std::string HashRandomSecret(std::string_view secret);
bool VerifyRandomSecret(std::string_view stored_hash, std::string_view secret);
// True when a stored hash was made with other parameters: it is re-hashed at the next successful login, so
// every account converges on the parameters of the decoy hash that unknown users are checked against.
bool NeedsRehash(std::string_view stored_hash, const PasswordHashParams& params);

// ASVS v4 2.1 length rules (at least 12 characters, at least 64 allowed, no composition rules, never
// truncated: a password longer than the maximum is refused, not cut) and a deny list of common passwords.
class PasswordPolicy {
 public:
  static constexpr size_t kMinLength = 12;
  static constexpr size_t kMaxLength = 1024;  // bounds hashing work per request; far above any passphrase
  // One password a line, compared case-insensitively; with `comments`, lines starting with '#' are comments
  // (the shipped list has none: some common passwords start with '#').
  static Result<PasswordPolicy> Load(const std::filesystem::path& deny_list, bool comments = false);
  // The shipped list (data/passwords, DefaultDenyListPath) and the local additions in
  // config/common-passwords.txt, read once per process and shared by every copy of the policy.
  static Result<PasswordPolicy> LoadDefault();
  Status Check(std::string_view password, std::string_view user_name) const;
  size_t deny_list_size() const { return denied_ ? denied_->size() : 0; }

 private:
  std::shared_ptr<const std::unordered_set<std::string>> denied_;
};

// The shipped deny list: data/passwords/common-passwords.txt (see data/passwords/README.md).
std::filesystem::path DefaultDenyListPath();
// The operator's local additions: config/common-passwords.txt ('#' comments).
std::filesystem::path LocalDenyListPath();

// TOTP (RFC 6238: SHA-1, 30 s, 6 digits, as authenticator apps expect), via liboath.
std::string NewTotpSecret();  // 160 random bits, base32
// The time step the code matches (within one step either side of now), or nothing.
std::optional<int64_t> MatchTotp(std::string_view secret_base32, std::string_view code, int64_t now_s);
Result<std::string> TotpCode(std::string_view secret_base32, int64_t now_s);
std::string TotpUri(std::string_view user_name, std::string_view secret_base32);

// `bytes` random bytes (libsodium randombytes), base64url without padding.
std::string RandomToken(size_t bytes);
std::string Sha256Hex(std::string_view bytes);

}  // namespace riskradar::server

// Store contract: user accounts and sessions.
// Thread safety: an implementation is used from one thread at a time (the server opens one per worker).
// Errors: every method returns a Status or Result; NotFound, AlreadyExists, Conflict, InvalidArgument and
// FailedPrecondition keep the meanings of core/status.h; a failure of the backend itself is IoError,
// Corruption or Internal. A failed write leaves nothing behind.
// Transactions: every change commits in one transaction with its audit event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "riskradar/core/access.h"
#include "riskradar/core/status.h"
#include "riskradar/store/audit_log.h"

namespace riskradar::store {

struct User {
  int64_t id = 0;
  std::string name;
  std::string agency_code;
  Role role = Role::kAnalyst;
  std::string password_hash;  // Argon2id, libsodium string format
  std::string totp_secret;    // base32 from FindUser; sealed at rest (other reads return the sealed form)
  bool disabled = false;
  std::string created_at, updated_at;
};

struct NewSession {
  int64_t user_id = 0;
  std::string token_hash;  // hex SHA-256 of the cookie token; the token itself is never stored
  std::string csrf_token;
  int64_t now_s = 0;
  int64_t totp_step = 0;            // refused if not newer than the last step used (replay)
  std::string replaces_token_hash;  // a session presented at login is revoked (rotation)
};

struct SessionUser {
  User user;
  std::string csrf_token;
  int64_t created_s = 0;
};

// A change an administrator makes to a user of their own agency.
struct UserChange {
  enum class Kind { kDisable, kReset } kind = Kind::kDisable;
  std::string password_hash, totp_secret;  // kReset: the new credentials (totp_secret in base32, sealed by the store)
};

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Users. Every change is audited in the same transaction; disabling or resetting revokes all sessions.
  virtual Result<int64_t> AddUser(const User& user, const Actor& actor) = 0;
  virtual Result<std::optional<User>> FindUser(std::string_view name) = 0;
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status SetUserDisabled(std::string_view name, bool disabled, const Actor& actor) = 0;
  virtual Status ResetUserCredentials(std::string_view name, const std::string& password_hash,
                                      const std::string& totp_secret, const Actor& actor) = 0;
  // The same password under new hash parameters (after a successful login); sessions are kept.
  virtual Status UpdatePasswordHash(int64_t user_id, const std::string& password_hash, const Actor& actor) = 0;

  // Sessions. CreateSession audits the login; Conflict when the TOTP step was already used.
  virtual Status CreateSession(const NewSession& session, const Actor& actor) = 0;
  // The session's user when the session is live (not revoked, user enabled, within both timeouts).
  virtual Result<std::optional<SessionUser>> TouchSession(std::string_view token_hash, int64_t now_s, int64_t idle_s,
                                                          int64_t absolute_s) = 0;
  virtual Status RevokeSession(std::string_view token_hash, const Actor& actor) = 0;

  // The users of one agency (no hashes or secrets), audited ("list_users").
  virtual Result<std::vector<User>> ListAgencyUsers(std::string_view agency_code, const Actor& actor) = 0;
  // Disables, or resets (new password hash and TOTP secret, re-enabled), a user of the administrator's own
  // agency; revokes all of that user's sessions. NotFound: no such user in that agency. Conflict: oneself.
  virtual Status AdministerUser(const Viewer& admin, std::string_view name, const UserChange& change,
                                const Actor& actor) = 0;
};

}  // namespace riskradar::store

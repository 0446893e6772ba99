// The key that seals TOTP secrets at rest (libsodium crypto_secretbox, XSalsa20-Poly1305): 32 random bytes
// in a 0600 file beside the store ("<db>.totp-key"), created on first use, never logged. Internal to src/store.
#pragma once

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar::store {

// Sealed values start with this prefix: "sb1:" + base64(nonce || MAC || ciphertext).
inline constexpr std::string_view kSealedPrefix = "sb1:";

inline bool IsSealed(std::string_view value) { return value.substr(0, kSealedPrefix.size()) == kSealedPrefix; }

class TotpSealingKey {
 public:
  // Loads the key at `path`; when absent and `may_create`, creates it (O_EXCL, mode 0600) first.
  // Refuses a key file that others can read. NotFound when absent and !may_create.
  static Result<TotpSealingKey> Load(const std::string& path, bool may_create);
  TotpSealingKey(const TotpSealingKey&) = delete;
  TotpSealingKey& operator=(const TotpSealingKey&) = delete;
  TotpSealingKey(TotpSealingKey&& o) noexcept;
  ~TotpSealingKey();

  // A fresh random nonce per value, so sealing one secret twice gives two different strings.
  std::string Seal(std::string_view plaintext) const;
  // Corruption when the value was not sealed with this key (or was altered).
  Result<std::string> Open(std::string_view sealed) const;

 private:
  TotpSealingKey() = default;
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key_{};
};

// "<store file>.totp-key".
std::string DefaultTotpKeyPath(std::string_view location);

}  // namespace riskradar::store

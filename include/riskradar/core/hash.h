// Content hashing (BLAKE2b-256 via libsodium) for idempotent imports and the audit chain.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// Hex BLAKE2b-256 of the bytes.
std::string HashHex(std::string_view bytes);
// Hex BLAKE2b-256 of a file's whole content, streamed.
Result<std::string> HashFileHex(const std::filesystem::path& path);

// Hex BLAKE2b of `bytes` keyed with `key` (16 to 64 bytes; a shorter or longer key is hashed to 32 bytes
// first), `out_bytes` (16 to 64) long: a stable pseudonym of `bytes` that cannot be computed without the key.
std::string KeyedHashHex(std::string_view key, std::string_view bytes, size_t out_bytes = 32);

// Incremental hashing.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  void Update(std::string_view bytes);
  std::string FinishHex();

 private:
  alignas(64) unsigned char state_[384];
};

// A keyed hash of `value` as a non-negative 63-bit number (SipHash-2-4, libsodium's crypto_shorthash) under a key
// drawn at random once per process: the same result for the same value while the process runs, unpredictable
// without the key. Used to pick a stand-in record for a missing id (issue 11 item 6), so that which record
// stands in cannot be steered from outside.
int64_t ProcessKeyedPoint(int64_t value);

// Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string NowUtcIso();

}  // namespace riskradar

// Content hashing (BLAKE2b-256 via libsodium) for idempotent imports and the audit chain.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// Hex BLAKE2b-256 of the bytes.
std::string HashHex(std::string_view bytes);
// Hex BLAKE2b-256 of a file's whole content, streamed.
Result<std::string> HashFileHex(const std::filesystem::path& path);

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

// Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string NowUtcIso();

}  // namespace riskradar

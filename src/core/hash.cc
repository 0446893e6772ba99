// BLAKE2b hashing and UTC timestamps.
#include "riskradar/core/hash.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace riskradar {
namespace {

static_assert(sizeof(crypto_generichash_state) <= 384, "Hasher state buffer too small");

std::string ToHex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

void EnsureSodium() {
  // sodium_init is idempotent and thread-safe; a failure means no usable RNG/CPU features.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

Hasher::Hasher() {
  EnsureSodium();
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, 32);
}

Hasher::~Hasher() { sodium_memzero(state_, sizeof state_); }

void Hasher::Update(std::string_view bytes) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string Hasher::FinishHex() {
  unsigned char digest[32];
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), digest, sizeof digest);
  return ToHex(digest, sizeof digest);
}

int64_t ProcessKeyedPoint(int64_t value) {
  static const std::array<unsigned char, crypto_shorthash_KEYBYTES> key = [] {
    EnsureSodium();
    std::array<unsigned char, crypto_shorthash_KEYBYTES> k{};
    crypto_shorthash_keygen(k.data());
    return k;
  }();
  unsigned char digest[crypto_shorthash_BYTES];
  const auto bits = static_cast<uint64_t>(value);
  crypto_shorthash(digest, reinterpret_cast<const unsigned char*>(&bits), sizeof bits, key.data());
  uint64_t point = 0;
  std::memcpy(&point, digest, sizeof point);
  return static_cast<int64_t>(point >> 1);
}

std::string HashHex(std::string_view bytes) {
  Hasher h;
  h.Update(bytes);
  return h.FinishHex();
}

std::string KeyedHashHex(std::string_view key, std::string_view bytes, size_t out_bytes) {
  EnsureSodium();
  out_bytes = std::clamp<size_t>(out_bytes, crypto_generichash_BYTES_MIN, crypto_generichash_BYTES_MAX);
  std::array<unsigned char, crypto_generichash_BYTES> folded{};
  if (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX) {
    crypto_generichash(folded.data(), folded.size(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                       nullptr, 0);
    key = std::string_view(reinterpret_cast<const char*>(folded.data()), folded.size());
  }
  std::array<unsigned char, crypto_generichash_BYTES_MAX> out{};
  crypto_generichash(out.data(), out_bytes, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return ToHex(out.data(), out_bytes);
}

Result<std::string> HashFileHex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path.string());
  Hasher h;
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  if (in.bad()) return Status::IoError("error reading " + path.string());
  return h.FinishHex();
}

std::string NowUtcIso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace riskradar

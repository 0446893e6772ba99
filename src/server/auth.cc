// Credentials: Argon2id (libsodium), password policy, TOTP (liboath), random tokens.
#include "riskradar/server/auth.h"
#include "riskradar/core/paths.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "riskradar/core/hash.h"
#include "riskradar/core/merkle.h"
#include "riskradar/core/text.h"

namespace riskradar::server {
namespace {

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no safe way to continue without a CSPRNG
    oath_init();
  });
}

// Decoded TOTP secret bytes (freed and wiped by the caller's scope).
struct Secret {
  char* data = nullptr;
  size_t size = 0;
  ~Secret() {
    if (data) {
      sodium_memzero(data, size);
      free(data);  // allocated by liboath
    }
  }
};

bool Decode(std::string_view base32, Secret& out) {
  return oath_base32_decode(base32.data(), base32.size(), &out.data, &out.size) == OATH_OK;
}

}  // namespace

PasswordHashParams PasswordHashParams::MinimumForTestsOnly() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params) {
  InitOnce();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.opslimit, params.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  InitOnce();
  const std::string h(stored_hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

namespace {
constexpr std::string_view kRandomSecretPrefix = "blake2b$";
constexpr std::string_view kRandomSecretDomain = "riskradar enrolment code half\n";
}  // namespace

std::string HashRandomSecret(std::string_view secret) {
  std::string input(kRandomSecretDomain);
  input.append(secret);
  return std::string(kRandomSecretPrefix) + HashHex(input);
}

bool VerifyRandomSecret(std::string_view stored_hash, std::string_view secret) {
  if (stored_hash.substr(0, kRandomSecretPrefix.size()) != kRandomSecretPrefix) {
    return VerifyPassword(stored_hash, secret);
  }
  const std::string computed = HashRandomSecret(secret);
  return computed.size() == stored_hash.size() &&
         sodium_memcmp(computed.data(), stored_hash.data(), computed.size()) == 0;
}

bool NeedsRehash(std::string_view stored_hash, const PasswordHashParams& params) {
  InitOnce();
  const std::string h(stored_hash);
  return crypto_pwhash_str_needs_rehash(h.c_str(), params.opslimit, params.memlimit) != 0;
}

namespace {

Status AddDenyList(const std::filesystem::path& path, bool comments, std::unordered_set<std::string>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("password deny list not found: " + path.string());
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (comments) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      if (!line.empty() && line[0] == '#') continue;
    }
    if (!line.empty()) out.insert(AsciiLower(line));
  }
  if (in.bad()) return Status::IoError("cannot read password deny list " + path.string());
  return Status::Ok();
}

}  // namespace

Result<PasswordPolicy> PasswordPolicy::Load(const std::filesystem::path& deny_list, bool comments) {
  auto set = std::make_shared<std::unordered_set<std::string>>();
  RR_RETURN_IF_ERROR(AddDenyList(deny_list, comments, *set));
  PasswordPolicy p;
  p.denied_ = std::move(set);
  return p;
}

Result<PasswordPolicy> PasswordPolicy::LoadDefault() {
  // Built once (about 144,000 entries, tens of milliseconds); a failure is retried on the next call.
  static std::mutex mu;
  static std::shared_ptr<const std::unordered_set<std::string>> cached;
  std::lock_guard lock(mu);
  if (!cached) {
    auto set = std::make_shared<std::unordered_set<std::string>>();
    set->reserve(150000);
    RR_RETURN_IF_ERROR(AddDenyList(DefaultDenyListPath(), false, *set));
    RR_RETURN_IF_ERROR(AddDenyList(LocalDenyListPath(), true, *set));
    cached = std::move(set);
  }
  PasswordPolicy p;
  p.denied_ = cached;
  return p;
}

Status PasswordPolicy::Check(std::string_view password, std::string_view user_name) const {
  if (password.size() < kMinLength) {
    return Status::InvalidArgument("password must be at least " + std::to_string(kMinLength) + " characters");
  }
  if (password.size() > kMaxLength) {
    return Status::InvalidArgument("password must be at most " + std::to_string(kMaxLength) + " characters");
  }
  const std::string lower = AsciiLower(password);
  if (denied_ && denied_->count(lower)) return Status::InvalidArgument("that password is on the common-passwords list");
  if (!user_name.empty() && lower.find(AsciiLower(user_name)) != std::string::npos) {
    return Status::InvalidArgument("password must not contain the user name");
  }
  return Status::Ok();
}

std::filesystem::path DefaultDenyListPath() { return DataPath("data/passwords/common-passwords.txt"); }

std::filesystem::path LocalDenyListPath() { return ConfigPath("common-passwords.txt"); }

std::string NewTotpSecret() {
  InitOnce();
  unsigned char raw[20];
  randombytes_buf(raw, sizeof raw);
  char* out = nullptr;
  size_t out_len = 0;
  oath_base32_encode(reinterpret_cast<const char*>(raw), sizeof raw, &out, &out_len);
  sodium_memzero(raw, sizeof raw);
  std::string secret(out, out_len);
  sodium_memzero(out, out_len);
  free(out);
  return secret;
}

std::optional<int64_t> MatchTotp(std::string_view secret_base32, std::string_view code, int64_t now_s) {
  InitOnce();
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  Secret secret;
  if (!Decode(secret_base32, secret)) return std::nullopt;
  int pos = 0;
  const std::string otp(code);
  const int rc =
      oath_totp_validate2(secret.data, secret.size, static_cast<time_t>(now_s), OATH_TOTP_DEFAULT_TIME_STEP_SIZE,
                          OATH_TOTP_DEFAULT_START_TIME, 1, &pos, otp.c_str());
  if (rc < 0) return std::nullopt;
  return now_s / OATH_TOTP_DEFAULT_TIME_STEP_SIZE + pos;
}

Result<std::string> TotpCode(std::string_view secret_base32, int64_t now_s) {
  InitOnce();
  Secret secret;
  if (!Decode(secret_base32, secret)) return Status::InvalidArgument("TOTP secret is not base32");
  char out[7] = {};
  if (oath_totp_generate(secret.data, secret.size, static_cast<time_t>(now_s), OATH_TOTP_DEFAULT_TIME_STEP_SIZE,
                         OATH_TOTP_DEFAULT_START_TIME, 6, out) != OATH_OK) {
    return Status::Internal("TOTP generation failed");
  }
  return std::string(out, 6);
}

std::string TotpUri(std::string_view user_name, std::string_view secret_base32) {
  return "otpauth://totp/riskradar:" + std::string(user_name) + "?secret=" + std::string(secret_base32) +
         "&issuer=riskradar&algorithm=SHA1&digits=6&period=30";
}

std::string RandomToken(size_t bytes) {
  InitOnce();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  merkle::Hash h;
  std::copy(std::begin(out), std::end(out), h.begin());
  return merkle::ToHex(h);
}

}  // namespace riskradar::server

// TOTP secret sealing key (see totp_key.h). The file holds a comment line and the key as hex.
#include "totp_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit_key.h"

namespace riskradar::store {
namespace {

constexpr std::string_view kTotpKeyHeader =
    "riskradar TOTP sealing key (XSalsa20-Poly1305, hex). Keep secret; back up.\n";

Status ReadKey(const std::string& path, std::array<unsigned char, crypto_secretbox_KEYBYTES>& key) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open TOTP key " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 4096) {
    ::close(fd);
    return Status::FailedPrecondition("TOTP key " + path + " is not a regular key file");
  }
  if (st.st_mode & 077) {
    ::close(fd);
    return Status::FailedPrecondition("TOTP key " + path + " is readable by others; run: chmod 600 " + path);
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  const ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) return Status::IoError("cannot read TOTP key " + path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const size_t nl = text.rfind('\n');
  const std::string_view hex = nl == std::string::npos ? std::string_view(text) : std::string_view(text).substr(nl + 1);
  size_t len = 0;
  const bool ok =
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == key.size();
  sodium_memzero(text.data(), text.size());
  if (!ok) return Status::Corruption("TOTP key " + path + " is not in the expected format");
  return Status::Ok();
}

}  // namespace

TotpSealingKey::TotpSealingKey(TotpSealingKey&& o) noexcept : key_(o.key_) {
  sodium_memzero(o.key_.data(), o.key_.size());
}

TotpSealingKey::~TotpSealingKey() { sodium_memzero(key_.data(), key_.size()); }

Result<TotpSealingKey> TotpSealingKey::Load(const std::string& path, bool may_create) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  TotpSealingKey key;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (!may_create) return Status::NotFound("no TOTP key at " + path);
    randombytes_buf(key.key_.data(), key.key_.size());
    std::string hex(key.key_.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), key.key_.data(), key.key_.size());
    hex.pop_back();
    std::string content = std::string(kTotpKeyHeader) + hex + "\n";
    Status s = WriteNewFile(path, content, 0600);
    sodium_memzero(content.data(), content.size());
    sodium_memzero(hex.data(), hex.size());
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
    // Lost a race with another process creating it: read theirs below.
  }
  RR_RETURN_IF_ERROR(ReadKey(path, key.key_));
  return key;
}

std::string TotpSealingKey::Seal(std::string_view plaintext) const {
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), nonce, key_.data());
  std::string out(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(box.data()), box.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return std::string(kSealedPrefix) + out;
}

Result<std::string> TotpSealingKey::Open(std::string_view sealed) const {
  if (!IsSealed(sealed)) return Status::Corruption("a TOTP secret is stored without encryption");
  const std::string_view b64 = sealed.substr(kSealedPrefix.size());
  std::string box(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), b64.data(), b64.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Status::Corruption("a sealed TOTP secret is malformed");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  const size_t clen = len - crypto_secretbox_NONCEBYTES;
  std::string plain(clen - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), nonce + crypto_secretbox_NONCEBYTES,
                                 clen, nonce, key_.data()) != 0) {
    return Status::Corruption("a sealed TOTP secret does not open with this TOTP key file (wrong key, or altered)");
  }
  return plain;
}

std::string DefaultTotpKeyPath(std::string_view location) {
  std::string path(location);
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  return path + ".totp-key";
}

}  // namespace riskradar::store

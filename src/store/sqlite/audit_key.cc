// Audit signing key file handling (see audit_key.h). The key is stored as hex of the 32-byte Ed25519 seed.
#include "audit_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace riskradar::store {
namespace {

constexpr std::string_view kAuditKeyHeader = "riskradar audit signing key (Ed25519 seed, hex). Keep secret.\n";

std::string ToHex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

// The key file's text: the header line, then the seed in hex. The caller wipes it after writing.
std::string SeedFileText(const std::array<unsigned char, crypto_sign_SEEDBYTES>& seed) {
  return std::string(kAuditKeyHeader) + ToHex(seed.data(), seed.size()) + "\n";
}

bool FromHex(std::string_view hex, unsigned char* out, size_t n) {
  size_t len = 0;
  return sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == n;
}

// Reads the seed, refusing a file others can read or one that is not a regular file.
Status ReadSeed(const std::string& path, std::array<unsigned char, crypto_sign_SEEDBYTES>& seed) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open audit key " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::FailedPrecondition("audit key " + path + " is not a regular file");
  }
  if (st.st_mode & 077) {
    ::close(fd);
    return Status::FailedPrecondition("audit key " + path + " is readable by others; run: chmod 600 " + path);
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  const ssize_t n = ::read(fd, text.data(), text.size());
  ::close(fd);
  const size_t nl = text.rfind('\n', text.size() >= 2 ? text.size() - 2 : 0);
  std::string hex = n > 0 && nl != std::string::npos ? text.substr(nl + 1) : text;
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  const bool ok = FromHex(hex, seed.data(), seed.size());
  sodium_memzero(text.data(), text.size());
  sodium_memzero(hex.data(), hex.size());
  if (!ok) return Status::Corruption("audit key " + path + " is not in the expected format");
  return Status::Ok();
}

}  // namespace

// Writes a new file atomically: the content goes to a private temporary file, which is then hard-linked to
// `path`. link() fails if `path` exists, so a concurrent creator never sees a half-written key.
Status WriteNewFile(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(randombytes_random());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError("cannot create " + tmp + ": " + std::strerror(errno));
  const ssize_t n = ::write(fd, content.data(), content.size());
  const bool ok = n == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return Status::IoError("cannot write " + tmp);
  }
  const int rc = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && link_errno == EEXIST) return Status::AlreadyExists(path);
  if (rc != 0) return Status::IoError("cannot create " + path + ": " + std::strerror(link_errno));
  return Status::Ok();
}

AuditSigningKey::AuditSigningKey(AuditSigningKey&& o) noexcept
    : secret_(o.secret_), public_key_hex_(std::move(o.public_key_hex_)) {
  sodium_memzero(o.secret_.data(), o.secret_.size());
}

AuditSigningKey::~AuditSigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

Result<AuditSigningKey> AuditSigningKey::Load(const std::string& path, bool may_create) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (!may_create) return Status::NotFound("no audit key at " + path);
    randombytes_buf(seed.data(), seed.size());
    std::string content = SeedFileText(seed);
    Status s = WriteNewFile(path, content, 0600);
    sodium_memzero(content.data(), content.size());
    if (!s.ok() && s.code() != StatusCode::kAlreadyExists) return s;
    // Lost a race with another process creating it: use theirs.
  }
  RR_RETURN_IF_ERROR(ReadSeed(path, seed));
  AuditSigningKey key;
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  crypto_sign_seed_keypair(pk.data(), key.secret_.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  key.public_key_hex_ = ToHex(pk.data(), pk.size());
  const std::string pub_path = path + ".pub";
  if (::lstat(pub_path.c_str(), &st) != 0) {
    (void)WriteNewFile(pub_path, key.public_key_hex_ + "\n", 0644);  // a convenience copy; verify can derive it
  }
  return key;
}

std::string AuditSigningKey::SignHex(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_.data());
  return ToHex(sig.data(), sig.size());
}

Result<std::string> WriteNextAuditKey(const std::string& path) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  randombytes_buf(seed.data(), seed.size());
  std::string content = SeedFileText(seed);
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  sodium_memzero(sk.data(), sk.size());
  sodium_memzero(seed.data(), seed.size());
  const std::string next = path + ".next";
  ::unlink(next.c_str());  // a rotation interrupted before its rename left nothing in use here
  Status written = WriteNewFile(next, content, 0600);
  sodium_memzero(content.data(), content.size());
  RR_RETURN_IF_ERROR(written);
  return ToHex(pk.data(), pk.size());
}

Status InstallNextAuditKey(const std::string& path, const std::string& pub) {
  const std::string next = path + ".next";
  if (::rename(next.c_str(), path.c_str()) != 0) {
    return Status::IoError("cannot replace audit key " + path + " with " + next + ": " + std::strerror(errno));
  }
  const std::string pub_next = path + ".pub.next";
  ::unlink(pub_next.c_str());
  RR_RETURN_IF_ERROR(WriteNewFile(pub_next, pub + "\n", 0644));
  if (::rename(pub_next.c_str(), (path + ".pub").c_str()) != 0) {
    return Status::IoError("cannot replace " + path + ".pub: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status AppendRetiredAuditKey(const std::string& key_path, const std::string& public_key, int64_t last_size,
                             const std::string& retired_at) {
  const std::string path = key_path + ".retired";
  const std::string line = "v1 " + public_key + " " + std::to_string(last_size) + " " + retired_at + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  const ssize_t n = ::write(fd, line.data(), line.size());
  const bool ok = n == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

Result<std::map<std::string, int64_t>> ReadRetiredAuditKeys(const std::string& key_path) {
  const std::string path = key_path + ".retired";
  std::map<std::string, int64_t> out;
  std::ifstream in(path);
  if (!in) return out;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string version, key, at;
    int64_t size = -1;
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    if (!(fields >> version >> key >> size >> at) || version != "v1" || size < 0 ||
        !FromHex(key, pk.data(), pk.size())) {
      return Status::Corruption(path + ":" + std::to_string(number) + ": not a retired audit key line");
    }
    out[key] = std::max(out[key], size);
  }
  return out;
}

Result<std::string> LoadAuditPublicKey(const std::string& path) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  std::array<unsigned char, crypto_sign_SEEDBYTES> seed{};
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    RR_RETURN_IF_ERROR(ReadSeed(path, seed));
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> sk{};
    crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
    sodium_memzero(sk.data(), sk.size());
    sodium_memzero(seed.data(), seed.size());
    return ToHex(pk.data(), pk.size());
  }
  std::ifstream in(path + ".pub");
  std::string hex;
  if (in >> hex) {
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    if (!FromHex(hex, pk.data(), pk.size())) return Status::Corruption(path + ".pub is not a hex Ed25519 public key");
    return hex;
  }
  return Status::NotFound("no audit key at " + path + " (nor " + path + ".pub) to verify checkpoints with");
}

Status AppendWitness(const std::string& path, const WitnessHead& h, bool may_create) {
  const std::string line = "v1 " + std::to_string(h.tree_size) + " " + h.root_hash + " " + h.signed_at + " " +
                           h.public_key + " " + h.signature + "\n";
  int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  if (may_create) flags |= O_CREAT;
  const int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0 && errno == ENOENT) {
    return Status::NotFound("audit witness " + path + " is missing; not recreating it (see `riskradar audit verify`)");
  }
  if (fd < 0) return Status::IoError("cannot open audit witness " + path + ": " + std::strerror(errno));
  struct stat st {};
  const bool was_empty = ::fstat(fd, &st) == 0 && st.st_size == 0;
  const ssize_t n = ::write(fd, line.data(), line.size());
  const bool ok = n == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::IoError("cannot write audit witness " + path);
  if (was_empty) {  // a new file: make its directory entry durable too
    std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
    if (dir.empty()) dir = path.find('/') == 0 ? "/" : ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)::fsync(dfd);
      ::close(dfd);
    }
  }
  return Status::Ok();
}

Status CreateWitnessIfAbsent(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST) return Status::Ok();
  if (fd < 0) return Status::IoError("cannot create audit witness " + path + ": " + std::strerror(errno));
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::IoError("cannot write audit witness " + path);
  std::string dir = path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
  if (dir.empty()) dir = path.find('/') == 0 ? "/" : ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::vector<WitnessHead>> ReadWitness(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Status::NotFound("audit witness " + path + " does not exist");
  if (!S_ISREG(st.st_mode)) return Status::FailedPrecondition("audit witness " + path + " is not a regular file");
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read audit witness " + path);
  std::vector<WitnessHead> out;
  std::string line;
  int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string version, rest;
    WitnessHead h;
    if (!(fields >> version >> h.tree_size >> h.root_hash >> h.signed_at >> h.public_key >> h.signature) ||
        version != "v1" || (fields >> rest) || h.tree_size < 1 || h.root_hash.size() != 64) {
      return Status::Corruption("audit witness " + path + " line " + std::to_string(number) +
                                ": not a signed head (v1 SIZE ROOT SIGNED_AT PUBLIC_KEY SIGNATURE)");
    }
    out.push_back(std::move(h));
  }
  return out;
}

bool VerifyCheckpointSignature(std::string_view public_key_hex, std::string_view message,
                               std::string_view signature_hex) {
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  if (!FromHex(public_key_hex, pk.data(), pk.size()) || !FromHex(signature_hex, sig.data(), sig.size())) return false;
  return crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     pk.data()) == 0;
}

}  // namespace riskradar::store

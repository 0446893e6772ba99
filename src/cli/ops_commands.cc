// Operations commands (issue 18 items 3 and 4): `riskradar migrate` upgrades a store's schema on purpose;
// `riskradar backup` and `riskradar restore` copy a store with its key material and check what they restore.
// See docs/operator-guide.md "Backup", "Restore" and "Upgrade".
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/core/hash.h"
#include "riskradar/store/operations.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Format 2 adds the manifest's MAC (keyed with the passphrase) to format 1, which restore still reads.
constexpr const char* kBackupFormat = "riskradar-backup 2";
constexpr const char* kBackupFormatWithoutMac = "riskradar-backup 1";
// Argon2id for the passphrase that seals the backup's keys: a backup may be copied off-site and attacked offline
// for as long as the attacker likes, so above libsodium's interactive cost (ops 2, 64 MiB).
constexpr unsigned long long kSealOps = 3;
constexpr size_t kSealMem = 64u << 20;

std::string UtcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string ToHex(const unsigned char* p, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

Result<std::string> FromHex(const std::string& hex, const std::string& what) {
  std::string out(hex.size() / 2, '\0');
  size_t len = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(), hex.size(), nullptr, &len,
                     nullptr) != 0 ||
      len != out.size()) {
    return Status::Corruption(what + " is not valid hex");
  }
  return out;
}

Result<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path.string());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A new file, 0600, written and fsynced; AlreadyExists when it exists.
Status WritePrivate(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(path.string() + " exists");
    return Status::IoError("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Status::IoError("cannot write " + path.string() + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Status::IoError("cannot sync " + path.string());
  return Status::Ok();
}

// Streams `from` into a new 0600 file `to` (a store may be large), fsynced.
Status CopyPrivate(const fs::path& from, const fs::path& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Status::NotFound("cannot read " + from.string() + ": " + std::strerror(errno));
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0) {
    ::close(in);
    if (errno == EEXIST) return Status::AlreadyExists(to.string() + " exists");
    return Status::IoError("cannot create " + to.string() + ": " + std::strerror(errno));
  }
  std::vector<char> buf(1 << 20);
  Status st;
  while (st.ok()) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      st = Status::IoError("cannot read " + from.string() + ": " + std::strerror(errno));
      break;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
      if (w <= 0) {
        st = Status::IoError("cannot write " + to.string() + ": " + std::strerror(errno));
        break;
      }
      done += w;
    }
  }
  if (st.ok() && ::fsync(out) != 0) st = Status::IoError("cannot sync " + to.string());
  ::close(in);
  ::close(out);
  sodium_memzero(buf.data(), buf.size());
  return st;
}

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

// The passphrase: the first line of a file only its owner can read, at least 16 characters.
Result<std::string> ReadPassphrase(const std::string& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return Status::NotFound("--passphrase-file " + file + " does not exist");
  if (st.st_mode & 077) {
    return Status::FailedPrecondition("--passphrase-file " + file + " is readable by others; run: chmod 600 " + file);
  }
  RR_ASSIGN_OR_RETURN(std::string text, ReadWhole(file));
  std::string line = text.substr(0, text.find('\n'));
  sodium_memzero(text.data(), text.size());
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() < 16)
    return Status::InvalidArgument("--passphrase-file: the passphrase needs at least 16 characters");
  return line;
}

struct SealingKey {
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  ~SealingKey() { sodium_memzero(key.data(), key.size()); }
};

Status DeriveKey(const std::string& passphrase, const std::string& salt, unsigned long long ops, size_t mem,
                 SealingKey& out) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (salt.size() != crypto_pwhash_SALTBYTES) return Status::Corruption("the backup's key-sealing salt is malformed");
  if (crypto_pwhash(out.key.data(), out.key.size(), passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::ResourceExhausted("cannot derive the key-sealing key (out of memory)");
  }
  return Status::Ok();
}

// The manifest's MAC: keyed BLAKE2b-256 of the manifest without its "mac" member, under a key derived from the
// sealing key (so only the passphrase's holder can write a manifest restore accepts: a copy of the backup whose
// files and hashes were swapped together is refused).
std::string ManifestMac(const SealingKey& k, json manifest) {
  manifest.erase("mac");
  static constexpr std::string_view kContext = "riskradar backup manifest MAC v1";
  std::array<unsigned char, crypto_generichash_BYTES> mac_key{}, mac{};
  crypto_generichash(mac_key.data(), mac_key.size(), reinterpret_cast<const unsigned char*>(kContext.data()),
                     kContext.size(), k.key.data(), k.key.size());
  const std::string text = manifest.dump();
  crypto_generichash(mac.data(), mac.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     mac_key.data(), mac_key.size());
  sodium_memzero(mac_key.data(), mac_key.size());
  return ToHex(mac.data(), mac.size());
}

std::string Seal(const SealingKey& k, std::string_view plain) {
  std::array<unsigned char, crypto_secretbox_NONCEBYTES> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  std::string cipher(plain.size() + crypto_secretbox_MACBYTES, '\0');
  crypto_secretbox_easy(reinterpret_cast<unsigned char*>(cipher.data()),
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce.data(), k.key.data());
  return json{{"format", "riskradar-sealed-key 1"},
              {"cipher", "xsalsa20poly1305"},
              {"nonce", ToHex(nonce.data(), nonce.size())},
              {"ciphertext", ToHex(reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size())}}
             .dump() +
         "\n";
}

Result<std::string> Open(const SealingKey& k, const std::string& sealed, const std::string& what) {
  const json j = json::parse(sealed, nullptr, false);
  if (!j.is_object() || j.value("format", "") != "riskradar-sealed-key 1") {
    return Status::Corruption(what + " is not a sealed key file");
  }
  RR_ASSIGN_OR_RETURN(const std::string nonce, FromHex(j.value("nonce", ""), what + " nonce"));
  RR_ASSIGN_OR_RETURN(const std::string cipher, FromHex(j.value("ciphertext", ""), what + " ciphertext"));
  if (nonce.size() != crypto_secretbox_NONCEBYTES || cipher.size() < crypto_secretbox_MACBYTES) {
    return Status::Corruption(what + " is malformed");
  }
  std::string plain(cipher.size() - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size(),
                                 reinterpret_cast<const unsigned char*>(nonce.data()), k.key.data()) != 0) {
    return Status::PermissionDenied("cannot open " + what + ": wrong passphrase, or the file was altered");
  }
  return plain;
}

// The files a store is made of: the database and the key material, where the options put it, else where the
// configuration says (the global flags, the environment, the file's [keys]: cli_support.h), else beside the store.
// The audit key's public half and retired public keys follow the key file (`<key>.pub`, `<key>.retired`).
struct StoreFiles {
  std::string db, audit_key, totp_key, witness;
  std::string public_key() const { return audit_key + ".pub"; }
  std::string retired_keys() const { return audit_key + ".retired"; }
  static StoreFiles For(const std::string& db, const std::string& audit_key, const std::string& totp_key,
                        const std::string& witness) {
    std::string path = db.rfind("sqlite:", 0) == 0 ? db.substr(7) : db;
    store::StoreOptions given;
    given.audit_key_path = audit_key;
    given.totp_key_path = totp_key;
    given.audit_witness_path = witness;
    const store::StoreOptions o = ConfiguredStoreOptions(given);
    return {path, o.audit_key_path.empty() ? path + ".audit-key" : o.audit_key_path,
            o.totp_key_path.empty() ? path + ".totp-key" : o.totp_key_path,
            o.audit_witness_path.empty() ? path + ".audit-witness" : o.audit_witness_path};
  }
  // Only beside `db`, whatever the configuration says (a staging copy).
  static StoreFiles Beside(const std::string& db) {
    return {db, db + ".audit-key", db + ".totp-key", db + ".audit-witness"};
  }
};

// Verifies the audit log of the store at `db` with the given key material (no key is created).
Result<store::AuditCheck> VerifyStore(const std::string& db, const std::string& audit_key, const std::string& witness,
                                      const std::string& public_key = "") {
  store::StoreOptions options;
  options.audit_key_path = audit_key;
  options.audit_witness_path = witness;
  options.audit_public_key = public_key;
  RR_ASSIGN_OR_RETURN(auto s, store::OpenStore(db, options));
  RR_ASSIGN_OR_RETURN(store::AuditCheck check, s->VerifyAudit());
  if (!check.ok) return Status::Corruption("the audit log does not verify: " + check.problem);
  return check;
}

struct BackupOptions {
  std::string db, out, passphrase_file, audit_key, totp_key, witness;
  bool without_keys = false;
};

Status Backup(const BackupOptions& o) {
  if (o.without_keys == !o.passphrase_file.empty()) {
    return Status::InvalidArgument(
        "choose --passphrase-file FILE (the key files are sealed with it) or --without-keys (left out: keep them in "
        "their own backup)");
  }
  const StoreFiles src = StoreFiles::For(o.db, o.audit_key, o.totp_key, o.witness);
  if (!Exists(src.db)) return Status::NotFound("no store at " + src.db);
  const fs::path dir(o.out);
  if (Exists(dir)) return Status::AlreadyExists("--out " + o.out + " exists: a backup goes into a new directory");
  std::string passphrase;
  if (!o.without_keys) {
    RR_ASSIGN_OR_RETURN(passphrase, ReadPassphrase(o.passphrase_file));
  }
  if (::mkdir(dir.c_str(), 0700) != 0) {
    return Status::IoError("cannot create " + o.out + ": " + std::strerror(errno));
  }
  ::chmod(dir.c_str(), 0700);  // whatever the umask
  json files = json::array();
  json left_out = json::array();
  auto add = [&](const std::string& name, const std::string& role, bool sealed) -> Status {
    RR_ASSIGN_OR_RETURN(const std::string hash, HashFileHex(dir / name));
    files.push_back({{"name", name},
                     {"role", role},
                     {"sealed", sealed},
                     {"bytes", static_cast<int64_t>(fs::file_size(dir / name))},
                     {"blake2b_256", hash}});
    return Status::Ok();
  };
  // The witness before the store: a copy of the log may be ahead of its witness (as after a crash), never behind.
  const bool have_witness = Exists(src.witness);
  if (have_witness) RR_RETURN_IF_ERROR(CopyPrivate(src.witness, dir / "audit-witness"));
  RR_RETURN_IF_ERROR(store::CopyStoreConsistently(src.db, (dir / "store.db").string()));
  // What the copy is: its schema and its audit log, verified with the live key material (nothing created).
  RR_ASSIGN_OR_RETURN(const store::SchemaStatus schema, store::ReadSchemaStatus((dir / "store.db").string()));
  RR_ASSIGN_OR_RETURN(const store::AuditCheck check,
                      VerifyStore((dir / "store.db").string(), src.audit_key,
                                  have_witness ? (dir / "audit-witness").string() : (dir / "no-witness-yet").string()));
  std::string public_key;
  if (Exists(src.public_key())) {
    RR_ASSIGN_OR_RETURN(public_key, ReadWhole(src.public_key()));
    while (!public_key.empty() && (public_key.back() == '\n' || public_key.back() == '\r')) public_key.pop_back();
  } else if (check.latest) {
    public_key = check.latest->public_key;
  }
  RR_RETURN_IF_ERROR(add("store.db", "store", false));
  if (have_witness) RR_RETURN_IF_ERROR(add("audit-witness", "audit_witness", false));
  if (!public_key.empty()) {
    RR_RETURN_IF_ERROR(WritePrivate(dir / "audit-key.pub", public_key + "\n"));
    RR_RETURN_IF_ERROR(add("audit-key.pub", "audit_public_key", false));
  }
  // The public keys retired by rotation: verification across a rotation needs them (public, like .pub).
  if (Exists(src.retired_keys())) {
    RR_RETURN_IF_ERROR(CopyPrivate(src.retired_keys(), dir / "audit-key.retired"));
    RR_RETURN_IF_ERROR(add("audit-key.retired", "audit_retired_keys", false));
  }
  json sealing = nullptr;
  SealingKey key;
  if (o.without_keys) {
    left_out = {"audit_key", "totp_key"};
  } else {
    std::array<unsigned char, crypto_pwhash_SALTBYTES> salt{};
    randombytes_buf(salt.data(), salt.size());
    RR_RETURN_IF_ERROR(DeriveKey(passphrase, std::string(reinterpret_cast<const char*>(salt.data()), salt.size()),
                                 kSealOps, kSealMem, key));
    sodium_memzero(passphrase.data(), passphrase.size());
    sealing = {{"kdf", "argon2id13"},
               {"opslimit", kSealOps},
               {"memlimit", kSealMem},
               {"salt", ToHex(salt.data(), salt.size())}};
    for (const auto& [path, name, role] : {std::tuple{src.audit_key, "audit-key.sealed", "audit_key"},
                                           std::tuple{src.totp_key, "totp-key.sealed", "totp_key"}}) {
      if (!Exists(path)) {
        left_out.push_back(role);  // none yet (no audit event, no sealed secret): nothing to keep
        continue;
      }
      RR_ASSIGN_OR_RETURN(std::string plain, ReadWhole(path));
      const std::string sealed = Seal(key, plain);
      sodium_memzero(plain.data(), plain.size());
      RR_RETURN_IF_ERROR(WritePrivate(dir / name, sealed));
      RR_RETURN_IF_ERROR(add(name, role, true));
    }
  }
  json audit = {{"events", check.events}, {"root_hash", check.root_hash}, {"latest_checkpoint", nullptr}};
  if (check.latest) {
    audit["latest_checkpoint"] = {{"tree_size", check.latest->tree_size},
                                  {"root_hash", check.latest->root_hash},
                                  {"signed_at", check.latest->signed_at},
                                  {"public_key", check.latest->public_key}};
  }
  json manifest = {
      {"format", kBackupFormat},          {"created_at", UtcNow()}, {"source", src.db},
      {"schema_version", schema.current}, {"audit", audit},         {"keys", o.without_keys ? "left out" : "sealed"},
      {"key_sealing", sealing},           {"files", files},         {"left_out", left_out}};
  // Without keys there is no passphrase to key a MAC with: the store is checked against the audit key restored
  // from its own backup instead.
  manifest["mac"] = o.without_keys ? json(nullptr) : json(ManifestMac(key, manifest));
  RR_RETURN_IF_ERROR(WritePrivate(dir / "MANIFEST.json", manifest.dump(2) + "\n"));
  std::cout << fmt::format("backup of {} in {}: schema {}, {} audit events (root {}), {} files{}\n", src.db, o.out,
                           schema.current, check.events, check.root_hash.substr(0, 16), files.size(),
                           o.without_keys ? "; key files LEFT OUT (keep them in their own backup)"
                                          : "; key files sealed with the passphrase");
  for (const auto& role : left_out) {
    if (!o.without_keys) std::cout << "note: no " << role.get<std::string>() << " file yet, none kept\n";
  }
  return Status::Ok();
}

struct RestoreOptions {
  std::string from, db, passphrase_file, audit_key, totp_key, witness;
  bool force = false;
};

Status Restore(const RestoreOptions& o) {
  const fs::path dir(o.from);
  RR_ASSIGN_OR_RETURN(const std::string manifest_text, ReadWhole(dir / "MANIFEST.json"));
  const json manifest = json::parse(manifest_text, nullptr, false);
  const std::string format = manifest.is_object() ? manifest.value("format", "") : "";
  if (format != kBackupFormat && format != kBackupFormatWithoutMac) {
    return Status::Corruption((dir / "MANIFEST.json").string() + " is not a riskradar backup manifest");
  }
  // 1. Every listed file is there with its hash, and the store passes SQLite's integrity check.
  std::map<std::string, std::string> by_role;
  for (const json& f : manifest["files"]) {
    const std::string name = f.value("name", "");
    if (name.empty() || name.find('/') != std::string::npos) return Status::Corruption("manifest: a bad file name");
    auto hash = HashFileHex(dir / name);
    if (!hash.ok()) return Status::Corruption("the backup lacks " + name + " (listed in its manifest)");
    if (*hash != f.value("blake2b_256", "")) {
      return Status::Corruption((dir / name).string() + " does not match its hash in the manifest: altered or damaged");
    }
    by_role[f.value("role", "")] = (dir / name).string();
  }
  if (!by_role.count("store")) return Status::Corruption("the backup's manifest lists no store");
  RR_RETURN_IF_ERROR(store::CheckStoreIntegrity(by_role["store"]));
  // 2. Never over an existing store unless asked.
  const StoreFiles target = StoreFiles::For(o.db, o.audit_key, o.totp_key, o.witness);
  RR_RETURN_IF_ERROR(RefuseWhileServed(target.db, "restore over " + target.db));
  const std::vector<std::string> target_files = {target.db,        target.db + "-wal",   target.db + "-shm",
                                                 target.audit_key, target.public_key(),  target.totp_key,
                                                 target.witness,   target.retired_keys()};
  for (const std::string& f : target_files) {
    if (Exists(f) && !o.force) {
      return Status::AlreadyExists(f +
                                   " exists: restore refuses to overwrite a store (stop its server; --force "
                                   "replaces it once the backup has been checked)");
    }
  }
  // 3. The keys, opened with the passphrase.
  const bool sealed = manifest.value("keys", "") == "sealed";
  std::map<std::string, std::string> keys;  // role -> plaintext file content
  if (sealed && (by_role.count("audit_key") || by_role.count("totp_key"))) {
    if (o.passphrase_file.empty())
      return Status::InvalidArgument("the backup's keys are sealed: give --passphrase-file");
    RR_ASSIGN_OR_RETURN(std::string passphrase, ReadPassphrase(o.passphrase_file));
    const json& k = manifest["key_sealing"];
    RR_ASSIGN_OR_RETURN(const std::string salt, FromHex(k.value("salt", ""), "the key-sealing salt"));
    SealingKey key;
    RR_RETURN_IF_ERROR(DeriveKey(passphrase, salt, k.value("opslimit", 0ull), k.value("memlimit", size_t{0}), key));
    sodium_memzero(passphrase.data(), passphrase.size());
    if (format == kBackupFormat) {
      const std::string expected = ManifestMac(key, manifest);
      const std::string given =
          manifest.contains("mac") && manifest["mac"].is_string() ? manifest["mac"].get<std::string>() : "";
      if (given.size() != expected.size() || sodium_memcmp(given.data(), expected.data(), given.size()) != 0) {
        return Status::PermissionDenied(
            "cannot open the backup: wrong passphrase, or its MANIFEST.json was altered (its MAC does not match)");
      }
    }
    for (const char* role : {"audit_key", "totp_key"}) {
      if (!by_role.count(role)) continue;
      RR_ASSIGN_OR_RETURN(const std::string text, ReadWhole(by_role[role]));
      RR_ASSIGN_OR_RETURN(keys[role], Open(key, text, by_role[role]));
    }
  }
  // 4. Staged beside the target, checked there, then moved into place: a failed check leaves the target as it was.
  const std::string stage = target.db + ".restoring-" + std::to_string(::getpid());
  const StoreFiles staged = StoreFiles::Beside(stage);
  auto cleanup = [&] {
    for (const std::string& f : {staged.db, staged.db + "-wal", staged.db + "-shm", staged.audit_key,
                                 staged.public_key(), staged.totp_key, staged.witness, staged.retired_keys()}) {
      std::error_code ec;
      fs::remove(f, ec);
    }
  };
  auto check_staged = [&]() -> Result<store::AuditCheck> {
    RR_RETURN_IF_ERROR(CopyPrivate(by_role["store"], staged.db));
    if (by_role.count("audit_witness")) RR_RETURN_IF_ERROR(CopyPrivate(by_role["audit_witness"], staged.witness));
    if (by_role.count("audit_public_key")) {
      RR_RETURN_IF_ERROR(CopyPrivate(by_role["audit_public_key"], staged.public_key()));
    }
    if (by_role.count("audit_retired_keys")) {
      RR_RETURN_IF_ERROR(CopyPrivate(by_role["audit_retired_keys"], staged.retired_keys()));
    }
    for (const auto& [role, content] : keys) {
      RR_RETURN_IF_ERROR(WritePrivate(role == "audit_key" ? staged.audit_key : staged.totp_key, content));
    }
    RR_ASSIGN_OR_RETURN(const store::AuditCheck check, VerifyStore(staged.db, staged.audit_key, staged.witness));
    // The restored log is the one the backup recorded: same size and root, same latest signed checkpoint.
    const json& audit = manifest["audit"];
    if (check.events != audit.value("events", int64_t{-1}) || check.root_hash != audit.value("root_hash", "")) {
      return Status::Corruption("the restored audit log is not the one the backup recorded");
    }
    const json& latest = audit["latest_checkpoint"];
    if (!latest.is_null() && (!check.latest || check.latest->tree_size != latest.value("tree_size", int64_t{-1}) ||
                              check.latest->root_hash != latest.value("root_hash", ""))) {
      return Status::Corruption("the restored audit log's latest signed checkpoint is not the backup's");
    }
    // The keys load (the TOTP key opens what is sealed with it; the audit key is the one that signed).
    store::StoreOptions options;
    options.audit_key_path = staged.audit_key;
    RR_ASSIGN_OR_RETURN(auto s, store::OpenStore(staged.db, options));
    if (!keys.empty()) RR_RETURN_IF_ERROR(store::CheckStoreReady(*s));
    return check;
  };
  auto checked = check_staged();
  if (!checked.ok()) {
    cleanup();
    return checked.status().WithContext("restore from " + o.from + " (the target was not touched)");
  }
  for (const std::string& f : {target.db + "-wal", target.db + "-shm"}) {
    std::error_code ec;
    fs::remove(f, ec);
  }
  const std::vector<std::pair<std::string, std::string>> moves = {{staged.db, target.db},
                                                                  {staged.witness, target.witness},
                                                                  {staged.public_key(), target.public_key()},
                                                                  {staged.retired_keys(), target.retired_keys()},
                                                                  {staged.audit_key, target.audit_key},
                                                                  {staged.totp_key, target.totp_key}};
  for (const auto& [from, to] : moves) {
    if (!Exists(from)) continue;
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) {
      cleanup();
      return Status::IoError("cannot move " + from + " to " + to + ": " + ec.message());
    }
  }
  std::cout << fmt::format(
      "restored {} from {}: integrity ok, manifest hashes ok, {} audit events verified (root {}){}\n", target.db,
      o.from, checked->events, checked->root_hash.substr(0, 16),
      checked->latest ? fmt::format(", latest signed checkpoint at size {} matches", checked->latest->tree_size) : "");
  if (!sealed) {
    std::cout << "the backup holds no key files: restore " << target.audit_key << " and " << target.totp_key
              << " from their own backup before serving\n";
  }
  return Status::Ok();
}

std::string Versions(const std::vector<int64_t>& v) {
  return v.empty() ? "none" : fmt::format("{}", fmt::join(v, ", "));
}

// Prints the schema status; with `apply`, runs the pending migrations.
Status Migrate(const std::string& db, const std::string& audit_key, bool apply) {
  RR_ASSIGN_OR_RETURN(const store::SchemaStatus before, store::ReadSchemaStatus(db));
  std::cout << fmt::format("store {}: schema version {}; this riskradar knows up to {}\n", db, before.current,
                           before.newest);
  if (!before.unknown.empty()) {
    return Status::FailedPrecondition(fmt::format(
        "the store was written by a newer riskradar (migrations {} are unknown here): upgrade riskradar; it is "
        "never migrated back",
        Versions(before.unknown)));
  }
  if (before.pending.empty()) {
    std::cout << "up to date: nothing to migrate\n";
    return Status::Ok();
  }
  std::cout << "pending migrations: " << Versions(before.pending) << "\n";
  if (!apply) return Status::Ok();
  store::StoreOptions options;
  options.audit_key_path = audit_key;
  RR_ASSIGN_OR_RETURN(auto s, store::OpenStoreForMigration(db, ConfiguredStoreOptions(options)));
  s.reset();
  RR_ASSIGN_OR_RETURN(const store::SchemaStatus after, store::ReadSchemaStatus(db));
  std::cout << fmt::format("migrated: schema version {} -> {} (applied {})\n", before.current, after.current,
                           Versions(before.pending));
  return Status::Ok();
}

// `migrate --from FILE.db --to postgresql://...`: the whole store copied across and checked (CopyStoreAcross).
Status MigrateAcross(const std::string& from, const std::string& to, const std::string& audit_key) {
  store::StoreOptions options;
  options.audit_key_path = audit_key;
  RR_ASSIGN_OR_RETURN(const store::StoreCopyReport report,
                      store::CopyStoreAcross(from, to, ConfiguredStoreOptions(options)));
  int64_t rows = 0;
  for (const store::StoreCopyTable& t : report.tables) {
    rows += t.rows;
    std::cout << fmt::format("  {:<32} {:>10} rows  {}\n", t.name, t.rows, t.content_hash.substr(0, 16));
  }
  std::cout << fmt::format(
      "copied {} to {}: {} tables, {} rows, each table's count and content hash equal on both sides; the audit log "
      "verifies to the same root ({} events, root {})\n",
      from, store::RedactLocation(to), report.tables.size(), rows, report.audit_events,
      report.audit_root.substr(0, 16));
  return Status::Ok();
}

}  // namespace

void RegisterOpsCommands(CLI::App& app, int& exit_code) {
  struct Options {
    std::string db = DefaultDbPath(), audit_key, from, to;
    bool status_only = false;
  };
  static Options o;
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };

  auto* migrate = app.add_subcommand(
      "migrate",
      "Upgrade the store's schema (numbered migrations). Back the store up first; no other command migrates");
  migrate->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  migrate->add_option("--audit-key", o.audit_key,
                      "Audit signing key file (default: <db>.audit-key, or $RISKRADAR_AUDIT_KEY)");
  migrate->add_flag("--status", o.status_only, "Print the schema version and the pending migrations; change nothing");
  migrate->add_option("--from", o.from, "With --to: the SQLite store to copy into PostgreSQL");
  migrate->add_option("--to", o.to,
                      "With --from: the new PostgreSQL store (postgresql://...); every table is copied, counted and "
                      "hashed on both sides, and the audit log must verify to the same root");
  migrate->callback([fail_or] {
    if (o.from.empty() != o.to.empty()) return fail_or(Status::InvalidArgument("--from and --to go together"));
    if (!o.from.empty()) return fail_or(MigrateAcross(o.from, o.to, o.audit_key));
    fail_or(Migrate(o.db, o.audit_key, !o.status_only));
  });

  static BackupOptions b;
  b.db = DefaultDbPath();
  auto* backup = app.add_subcommand(
      "backup",
      "An online, consistent copy of the store and its key material (sealed with a passphrase) in a new "
      "directory, with a manifest of hashes");
  backup->add_option("--db", b.db, "Store (SQLite file)")->capture_default_str();
  backup->add_option("--out", b.out, "A new directory for the backup (created 0700)")->required();
  backup->add_option("--passphrase-file", b.passphrase_file,
                     "File (0600) whose first line seals the key files (Argon2id + XSalsa20-Poly1305)");
  backup->add_flag("--without-keys", b.without_keys, "Leave the key files out (back them up separately)");
  backup->add_option("--audit-key", b.audit_key,
                     "Audit signing key file (default: the global --audit-key, the configuration's [keys] audit, "
                     "<db>.audit-key)");
  backup->add_option("--totp-key", b.totp_key,
                     "TOTP sealing key file (default: the global --totp-key, the configuration's [keys] totp, "
                     "<db>.totp-key)");
  backup->add_option("--audit-witness", b.witness,
                     "Audit witness file (default: the configuration's [keys] audit_witness, <db>.audit-witness)");
  backup->callback([fail_or] { fail_or(Backup(b)); });

  static RestoreOptions r;
  auto* restore = app.add_subcommand(
      "restore",
      "Restore a backup: checks hashes, integrity and the audit log against the backup's latest signed "
      "checkpoint before anything is put in place");
  restore->add_option("--from", r.from, "The backup directory")->required();
  r.db = DefaultDbPath();
  restore->add_option("--db", r.db, "Where the store goes (SQLite file)")->capture_default_str();
  restore->add_option("--passphrase-file", r.passphrase_file, "The passphrase the key files were sealed with");
  restore->add_flag("--force", r.force, "Replace an existing store and key files (stop its server first)");
  restore->add_option("--audit-key", r.audit_key,
                      "Where the audit key goes (default: the global --audit-key, the configuration's [keys] audit, "
                      "<db>.audit-key)");
  restore->add_option("--totp-key", r.totp_key,
                      "Where the TOTP key goes (default: the global --totp-key, the configuration's [keys] totp, "
                      "<db>.totp-key)");
  restore->add_option("--audit-witness", r.witness,
                      "Where the witness goes (default: the configuration's [keys] audit_witness, <db>.audit-witness)");
  restore->callback([fail_or] { fail_or(Restore(r)); });
}

}  // namespace riskradar::cli

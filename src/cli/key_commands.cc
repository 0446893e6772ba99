// `riskradar keys`: where the store's key files are, and their rotation (docs/operator-guide.md "Keys").
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "cli_support.h"
#include "exit_codes.h"

namespace riskradar::cli {

void RegisterKeyCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  struct Options {
    std::string db = DefaultDbPath();
    bool audit = false, totp = false;
  };
  static Options o;
  auto* keys = app.add_subcommand("keys", "The store's key files: where they are, and rotation");
  keys->require_subcommand(1);

  auto* show = keys->add_subcommand("show", "Print the key files every command uses for this store (no secrets)");
  show->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  show->callback([] {
    const std::string path = o.db.rfind("sqlite:", 0) == 0 ? o.db.substr(7) : o.db;
    const store::StoreOptions so = ConfiguredStoreOptions();
    auto line = [](const char* what, const std::string& file) {
      std::error_code ec;
      const bool present = std::filesystem::exists(file, ec);
      std::cout << fmt::format("{:<14} {} ({})\n", what, file, present ? "present" : "absent");
    };
    std::cout << fmt::format("{:<14} {}\n", "configuration", Config().source.empty() ? "(none)" : Config().source);
    std::cout << fmt::format("{:<14} {}\n", "store", o.db);
    line("audit key", so.audit_key_path.empty() ? store::DefaultAuditKeyPath(o.db) : so.audit_key_path);
    line("TOTP key", so.totp_key_path.empty() ? path + ".totp-key" : so.totp_key_path);
    line("audit witness", so.audit_witness_path.empty() ? path + ".audit-witness" : so.audit_witness_path);
  });

  auto* rotate = keys->add_subcommand(
      "rotate", "Replace the audit signing key (--audit) or the TOTP sealing key (--totp); stop the server first");
  rotate->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  auto* audit_flag = rotate->add_flag("--audit", o.audit,
                                      "A new audit signing key: the old one signs a last checkpoint naming the new "
                                      "one, and its public key stays trusted for what it signed");
  rotate->add_flag("--totp", o.totp, "A new TOTP sealing key: every TOTP secret re-sealed under it, atomically")
      ->excludes(audit_flag);
  rotate->callback([fail_or] {
    fail_or([]() -> Status {
      if (!o.audit && !o.totp) return Status::InvalidArgument("keys rotate needs --audit or --totp");
      RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("key rotation"));
      // An existing store only: rotation never creates one.
      const std::string path = o.db.rfind("sqlite:", 0) == 0 ? o.db.substr(7) : o.db;
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) return Status::NotFound("no store at " + path);
      // A running server keeps the key it loaded: it would go on signing (or sealing) with the retired one.
      RR_RETURN_IF_ERROR(RefuseWhileServed(o.db, "keys rotate"));
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db));
      if (o.audit) {
        RR_ASSIGN_OR_RETURN(const store::AuditKeyRotation r, s->RotateAuditKey(actor));
        std::cout << fmt::format(
            "audit key rotated.\n  old public key {} (retired: trusted for checkpoints up to size {})\n"
            "  new public key {} (first checkpoint at size {})\n"
            "Back up the new key file now; `riskradar audit verify` checks across the rotation.\n",
            r.old_public_key, r.old_last_size, r.new_public_key, r.new_first_size);
      } else {
        RR_ASSIGN_OR_RETURN(const int64_t n, s->RotateTotpKey(actor));
        std::cout << fmt::format(
            "TOTP key rotated: {} secrets re-sealed under the new key. Back up the new key file now; the old one "
            "opens nothing any more.\n",
            n);
      }
      return Status::Ok();
    }());
  });
}

}  // namespace riskradar::cli

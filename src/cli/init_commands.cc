// `riskradar init`: the first start of a deployment (docs/operator-guide.md "First start"): a new store, its
// key files, the partnership's agencies and the first administrator, who must enrol at the first sign-in.
#include <fmt/format.h>
#include <sys/stat.h>
#include <CLI/CLI.hpp>

#include <toml++/toml.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/administration.h"
#include "riskradar/core/toml_text.h"
#include "riskradar/server/auth.h"

namespace riskradar::cli {
namespace {

namespace fs = std::filesystem;

// --agency CODE:KIND:NAME[:AREA]
Result<Agency> ParseAgencyFlag(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
  if (parts.size() < 3 || parts.size() > 4 || parts[0].empty() || parts[2].empty()) {
    return Status::InvalidArgument("--agency '" + text + "': expected CODE:KIND:NAME[:AREA], e.g. " +
                                   "bcc-cs:council:Birmingham Children's Services:Birmingham");
  }
  Agency a;
  a.code = parts[0];
  auto kind = ParseAgencyKind(parts[1]);
  if (!kind.ok()) return kind.status().WithContext("--agency '" + text + "'");
  a.kind = *kind;
  a.name = parts[2];
  a.area = parts.size() == 4 ? parts[3] : "";
  return a;
}

// An agencies file: [[agency]] tables with code, name, kind and (optional) area; nothing else.
Result<std::vector<Agency>> ReadAgenciesFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("agencies file " + path + " not found");
  std::ostringstream text;
  text << in.rdbuf();
  RR_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text.str(), path));
  auto at = [&](const toml::node& n) { return fmt::format("{}:{}", path, n.source().begin.line); };
  std::vector<Agency> out;
  for (const auto& [key, node] : root) {
    if (key.str() != "agency" || !node.is_array_of_tables()) {
      return Status::InvalidArgument(at(node) + ": " + std::string(key.str()) +
                                     ": unknown key (expected [[agency]] tables)");
    }
    for (const toml::node& item : *node.as_array()) {
      const toml::table& t = *item.as_table();
      Agency a;
      bool has_kind = false;
      for (const auto& [k, v] : t) {
        const std::string name = "agency." + std::string(k.str());
        if (!v.is_string()) return Status::InvalidArgument(at(v) + ": " + name + ": must be a string");
        const std::string value = v.as_string()->get();
        if (k.str() == "code") {
          a.code = value;
        } else if (k.str() == "name") {
          a.name = value;
        } else if (k.str() == "area") {
          a.area = value;
        } else if (k.str() == "kind") {
          auto kind = ParseAgencyKind(value);
          if (!kind.ok()) return Status::InvalidArgument(at(v) + ": " + name + ": " + kind.status().message());
          a.kind = *kind;
          has_kind = true;
        } else {
          return Status::InvalidArgument(at(v) + ": " + name + ": unknown key (expected code, name, kind, area)");
        }
      }
      if (a.code.empty() || a.name.empty() || !has_kind) {
        return Status::InvalidArgument(at(item) + ": agency: code, name and kind are required");
      }
      out.push_back(a);
    }
  }
  return out;
}

struct InitArgs {
  std::string db = DefaultDbPath();
  std::vector<std::string> agencies;
  std::string agencies_file, admin, admin_agency;
};

Status RunInit(const InitArgs& args) {
  // Everything is checked before anything is written.
  std::vector<Agency> agencies;
  for (const std::string& flag : args.agencies) {
    RR_ASSIGN_OR_RETURN(Agency a, ParseAgencyFlag(flag));
    agencies.push_back(a);
  }
  if (!args.agencies_file.empty()) {
    RR_ASSIGN_OR_RETURN(auto from_file, ReadAgenciesFile(args.agencies_file));
    agencies.insert(agencies.end(), from_file.begin(), from_file.end());
  }
  if (agencies.empty()) {
    return Status::InvalidArgument(
        "init needs the partnership's agencies: --agency CODE:KIND:NAME[:AREA] "
        "(repeatable) or --agencies FILE");
  }
  std::set<std::string> codes;
  for (const Agency& a : agencies) {
    if (!codes.insert(a.code).second) return Status::InvalidArgument("agency " + a.code + " is given twice");
  }
  if (args.admin.empty()) return Status::InvalidArgument("init needs --admin NAME (the first administrator)");
  if (!codes.count(args.admin_agency)) {
    return Status::InvalidArgument("--admin-agency '" + args.admin_agency + "' is not one of the agencies given");
  }
  RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("first start (init)"));
  const std::string path = args.db.rfind("sqlite:", 0) == 0 ? args.db.substr(7) : args.db;
  const store::StoreOptions options = ConfiguredStoreOptions();
  const std::string audit_key = options.audit_key_path.empty() ? path + ".audit-key" : options.audit_key_path;
  const std::string totp_key = options.totp_key_path.empty() ? path + ".totp-key" : options.totp_key_path;
  const std::string witness = options.audit_witness_path.empty() ? path + ".audit-witness" : options.audit_witness_path;
  std::error_code ec;
  for (const std::string& existing : {path, path + "-wal", audit_key, totp_key, witness}) {
    if (fs::exists(fs::symlink_status(existing, ec))) {
      return Status::AlreadyExists(
          fmt::format("{} exists: init makes a new store and new keys and never reuses or replaces either (an existing "
                      "store is upgraded with `riskradar migrate`, restored with `riskradar restore`)",
                      existing));
    }
  }
  for (const std::string& file : {audit_key, totp_key, witness}) {
    const fs::path parent = fs::path(file).parent_path();
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
      return Status::NotFound("directory for " + file + " does not exist: " + parent.string());
    }
  }
  // The one-time code: two halves, as for an approved account (the operator here holds both).
  const std::string first_half = server::RandomToken(15), second_half = server::RandomToken(15);
  store::User admin;
  admin.name = args.admin;
  admin.agency_code = args.admin_agency;
  admin.role = Role::kAdministrator;
  RR_ASSIGN_OR_RETURN(admin.password_hash, server::HashPassword(first_half, server::PasswordHashParams::Production()));
  admin.enrol_hash = server::HashRandomSecret(second_half);
  admin.totp_secret = server::NewTotpSecret();  // never shown: the first sign-in enrols a new one

  // Files made from here on are the owner's only (the store, its journal, the key files, the witness).
  const mode_t old_mask = ::umask(077);
  struct RestoreMask {
    mode_t mask;
    ~RestoreMask() { ::umask(mask); }
  } restore{old_mask};
  RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(args.db));
  if (store::IsPostgresLocation(args.db)) {  // no file to find beforehand: a database that holds a store is refused
    RR_ASSIGN_OR_RETURN(const store::StoreCounts counts, s->Counts());
    if (counts.audit_events > 0 || counts.agencies > 0) {
      return Status::AlreadyExists(store::RedactLocation(args.db) +
                                   " already holds a store: init makes a new store and never reuses one");
    }
  }
  for (const Agency& a : agencies) RR_RETURN_IF_ERROR(s->UpsertAgency(a));
  RR_RETURN_IF_ERROR(access::Administration(*s).BootstrapFirstAdministrator(admin, actor));
  // The log's first kept checkpoint starts the audit witness.
  RR_ASSIGN_OR_RETURN(const store::AuditCheckpoint checkpoint, s->SignAuditCheckpoint());

  std::cout << fmt::format("store {} created ({} agencies)\n", store::RedactLocation(path), agencies.size());
  for (const Agency& a : agencies) {
    std::cout << fmt::format("  {:<12} {:<10} {}{}\n", a.code, ToString(a.kind), a.name,
                             a.area.empty() ? "" : " (" + a.area + ")");
  }
  std::cout << fmt::format("audit key     {} (0600; public key {})\n", audit_key, checkpoint.public_key)
            << fmt::format("TOTP key      {} (0600)\n", totp_key) << fmt::format("audit witness {} (0600)\n", witness)
            << "Back up both key files now, apart from the store: without them its audit log cannot be verified\n"
               "and nobody can sign in.\n\n"
            << fmt::format("first administrator {} ({}): one-time sign-in code, shown once:\n  {}{}\n", admin.name,
                           admin.agency_code, first_half, second_half)
            << "Sign in with it as the password (any six digits as the code): the answer carries the TOTP secret\n"
               "to enrol, and until POST /api/session/enrol sets the administrator's own password and TOTP\n"
               "nothing else is allowed (docs/operator-guide.md \"First start\").\n";
  return Status::Ok();
}

}  // namespace

void RegisterInitCommand(CLI::App& app, int& exit_code) {
  static InitArgs args;
  auto* init =
      app.add_subcommand("init", "First start: a new store, its keys, the agencies and the first administrator");
  init->add_option("--db", args.db, "The new store (SQLite file; refused if it exists)")->capture_default_str();
  init->add_option("--agency", args.agencies, "An agency: CODE:KIND:NAME[:AREA] (repeatable)");
  init->add_option("--agencies", args.agencies_file, "A TOML file of [[agency]] tables (code, name, kind, area)");
  init->add_option("--admin", args.admin, "The first administrator's user name")->required();
  init->add_option("--admin-agency", args.admin_agency, "The first administrator's agency code")->required();
  init->callback([&exit_code] {
    Status s = RunInit(args);
    exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace riskradar::cli

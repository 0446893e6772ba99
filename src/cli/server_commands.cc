// CLI subcommands for the server side: users, demo users, `serve`, and audit checkpoints and proofs.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pthread.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "cli_support.h"
#include "exit_codes.h"
#include "practice_commands.h"
#include "riskradar/access/administration.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/governance.h"
#include "riskradar/core/paths.h"
#include "riskradar/server/auth.h"
#include "riskradar/server/server.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

// Reads a password from stdin (one line) without echo handling: meant for pipes and secret managers.
Result<std::string> ReadPasswordFromStdin() {
  std::string line;
  if (!std::getline(std::cin, line)) return Status::InvalidArgument("no password on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// A generated password: 20 random bytes, base64url (27 characters, ~160 bits).
std::string GeneratedPassword() { return server::RandomToken(20); }

Result<std::string> NewPasswordHash(const std::string& password, const std::string& user_name) {
  RR_ASSIGN_OR_RETURN(auto policy, server::PasswordPolicy::LoadDefault());
  RR_RETURN_IF_ERROR(policy.Check(password, user_name));
  return server::HashPassword(password, server::PasswordHashParams::Production());
}

// `serve`'s signals: SIGINT and SIGTERM stop the server, SIGHUP reloads the TLS certificate. They are blocked in
// every thread (the mask is set before the store's audit writer or any server thread starts, and threads inherit
// it) and taken by one thread in sigwait(), so the work they ask for runs as ordinary code: a handler may only do
// async-signal-safe things, and stopping the transport posts to its event loop (allocates, takes its mutex). A stop
// from a handler once deadlocked `serve` under ThreadSanitizer with the signal arriving inside that mutex.
class ServeSignals {
 public:
  ServeSignals() {
    sigemptyset(&set_);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set_, sig);
    ::pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  ServeSignals(const ServeSignals&) = delete;
  ServeSignals& operator=(const ServeSignals&) = delete;
  // The signals stay blocked: `serve` is the process's last work, and a SIGTERM that comes as it returns is
  // dropped at exit instead of killing it mid-way through closing the store.
  ~ServeSignals() { Finish(); }

  // Starts the thread: `stop` on SIGINT or SIGTERM (then the thread ends), `reload` on SIGHUP.
  void Start(std::function<void()> stop, std::function<void()> reload) {
    thread_ = std::thread([this, stop = std::move(stop), reload = std::move(reload)] {
      for (;;) {
        int sig = 0;
        if (::sigwait(&set_, &sig) != 0) continue;
        if (sig == SIGHUP) {
          if (!finishing_.load()) reload();
          continue;
        }
        if (!finishing_.load()) stop();
        return;
      }
    });
  }

  // Ends the thread when the server stopped for another reason: a SIGTERM to that thread alone, which it takes.
  void Finish() {
    if (!thread_.joinable()) return;
    finishing_.store(true);
    ::pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

 private:
  sigset_t set_{};
  std::atomic<bool> finishing_{false};
  std::thread thread_;
};

// The password typed on standard input, or a generated one.
Result<std::string> ChoosePassword(bool from_stdin) {
  if (from_stdin) return ReadPasswordFromStdin();
  return GeneratedPassword();
}

// DEMO ONLY: the sharing agreements and care relationships that make need-to-know visible. Every partner
// shares its records with the councils' children's services and the police (the MASH partners); health and
// school users receive nothing from others. Practitioners of the councils, the police and one NHS service get
// allocated cases and managers MASE listings for the highest-risk children their agency holds records on.
// The operator's path (user add, user reset) bypasses the API's two-person rule. Once `agency` has an enabled
// administrator or IG lead other than account `name` itself (`existing`, when it exists), someone who can approve
// a request, granting a privileged role or resetting an account here needs --bootstrap, and is audited with that
// purpose. The check counts accounts by role (CountUsersByRole): it reads no other person's name or account.
Status CheckOperatorPath(store::Store& s, const std::string& agency, const std::string& name,
                         const std::optional<store::User>& existing, bool bootstrap, const std::string& what) {
  if (bootstrap) return Status::Ok();
  RR_ASSIGN_OR_RETURN(const std::vector<store::UserRoleCount> counts, s.CountUsersByRole());
  int64_t approvers = 0;
  for (const store::UserRoleCount& c : counts) {
    if (c.agency_code == agency && (c.role == Role::kAdministrator || c.role == Role::kIgLead)) approvers += c.enabled;
  }
  if (existing && existing->agency_code == agency && !existing->disabled &&
      (existing->role == Role::kAdministrator || existing->role == Role::kIgLead)) {
    --approvers;  // the account itself
  }
  if (approvers <= 0) return Status::Ok();
  // The refusal is audited like any other (the operator may retry with --bootstrap: both are on record).
  store::AuditEvent e;
  RR_ASSIGN_OR_RETURN(e.actor, OperatorActor("user administration"));
  e.action = what.rfind("user reset", 0) == 0 ? "user_reset" : "user_add";
  e.target = "user:" + name;
  e.outcome = "refused";
  e.details = nlohmann::json{{"reason", "two-person rule: the agency can approve through the API"}}.dump();
  RR_RETURN_IF_ERROR(s.AppendAudit(e));
  return Status::FailedPrecondition(fmt::format(
      "{}: agency {} has {} enabled administrator(s) or IG lead(s) who can approve, so this takes two people: ask "
      "through the API (POST /api/users or /api/users/{{name}}/reset) and have it approved, or pass "
      "--bootstrap to use the operator's path (audited as such)",
      what, agency, approvers));
}

bool Privileged(Role role) { return role == Role::kManager || role == Role::kIgLead || role == Role::kAdministrator; }

Status DemoNeedToKnow(store::Store& s, const std::vector<Agency>& agencies,
                      const std::map<std::string, int64_t>& created, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto existing, access::Governance(s).ListSharingAgreements(""));
  std::set<std::pair<std::string, std::string>> have;
  for (const auto& e : existing) {
    if (e.ended_at.empty()) have.insert({e.agreement.provider_agency, e.agreement.recipient_agency});
  }
  int agreements = 0;
  for (const Agency& recipient : agencies) {
    if (recipient.kind != AgencyKind::kCouncil && recipient.kind != AgencyKind::kPolice) continue;
    for (const Agency& provider : agencies) {
      if (provider.code == recipient.code || have.count({provider.code, recipient.code})) continue;
      store::SharingAgreement a;
      a.provider_agency = provider.code;
      a.recipient_agency = recipient.code;
      a.data_class = "*";
      a.purpose = "CSE safeguarding: MASH and MASE (synthetic demo)";
      a.lawful_basis = "Children Act 1989 s.47 and 2004 s.11; UK GDPR 6(1)(e), DPA 2018 Sch.1 para 18";
      RR_ASSIGN_OR_RETURN(const int64_t id, s.AddSharingAgreement(a, actor));
      (void)id;
      ++agreements;
    }
  }
  std::cout << fmt::format(
      "\nSharing agreements: {} new (every partner shares with each council's children's services and the "
      "police; NHS and school users see only their own agency's records).\n",
      agreements);
  if (created.empty()) return Status::Ok();
  // Children each agency holds records on, highest current risk first.
  RR_ASSIGN_OR_RETURN(auto assessments, s.LatestAssessments());
  std::map<int64_t, std::pair<int, double>> risk;  // person -> (level, score)
  for (const Assessment& a : assessments) {
    const RiskLevel level = a.override_level ? *a.override_level : a.level;
    risk[a.person_id] = {static_cast<int>(level), a.score};
  }
  RR_ASSIGN_OR_RETURN(auto events, s.LoadEvents());
  std::map<std::string, std::set<int64_t>> known;  // agency -> children
  std::map<int64_t, std::set<std::string>> agencies_of;
  for (const auto& e : events) {
    if (e.subject_person_id == 0 || !risk.count(e.subject_person_id)) continue;
    known[e.agency_code].insert(e.subject_person_id);
    agencies_of[e.subject_person_id].insert(e.agency_code);
  }
  auto top = [&](const std::string& agency, size_t n) {
    std::vector<int64_t> ids(known[agency].begin(), known[agency].end());
    // Prefer children other agencies also know: that is where the shared records show.
    std::sort(ids.begin(), ids.end(), [&](int64_t a, int64_t b) {
      const auto ka = std::make_tuple(risk[a].first, agencies_of[a].size() > 1, risk[a].second, -a);
      const auto kb = std::make_tuple(risk[b].first, agencies_of[b].size() > 1, risk[b].second, -b);
      return ka > kb;
    });
    if (ids.size() > n) ids.resize(n);
    return ids;
  };
  std::cout << "Care relationships (a legitimate relationship opens other agencies' records under an agreement):\n";
  bool nhs_done = false;
  for (const Agency& a : agencies) {
    const bool nhs_example = a.kind == AgencyKind::kNhs && !nhs_done && !known[a.code].empty();
    if (a.kind != AgencyKind::kCouncil && a.kind != AgencyKind::kPolice && !nhs_example) continue;
    nhs_done = nhs_done || nhs_example;
    for (const auto& [role, kind] :
         {std::pair{Role::kPractitioner, "allocated_case"}, std::pair{Role::kManager, "mase_listing"}}) {
      const std::string name = a.code + "-" + std::string(ToString(role));
      auto it = created.find(name);
      if (it == created.end()) continue;
      std::vector<std::string> shown;
      for (int64_t child : top(a.code, 3)) {
        RR_RETURN_IF_ERROR(s.AddCareRelationship({it->second, child, kind}, actor));
        shown.push_back(std::to_string(child));
      }
      if (!shown.empty()) {
        std::cout << fmt::format("  {:<28} {:<15} children {}\n", name, kind, fmt::join(shown, ", "));
      }
    }
  }
  std::cout << "Compare GET /api/children/ID for the same child as the practitioner (own records + shared ones),\n"
               "the analyst of the same agency (own records only) and a user of another agency (404); try\n"
               "break-glass (POST /api/children/ID/break-glass) and see the IG lead's GET /api/alerts.\n";
  return Status::Ok();
}

}  // namespace

void RegisterServerCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  // Option storage lives as long as the app (these commands run from app.parse()).
  struct Options {
    // Defaults from the configuration file (cli_support.h); each flag overrides its setting.
    std::string db = DefaultDbPath(), key, name, agency, role,
                listen = Config().listen.empty() ? "127.0.0.1:8080" : Config().listen, cert = Config().tls_cert,
                tls_key = Config().tls_key, public_key, proof_kind, witness, user, web = Config().web,
                metrics_listen = Config().metrics_listen, access_log = "stderr";
    std::vector<std::string> partnership_ig = Config().ig_partnership_agencies;
    bool password_stdin = false, all = false, bootstrap = false;
    int workers = static_cast<int>(Config().workers.value_or(server::ServerOptions{}.workers));
    int io_threads = server::ServerOptions{}.io_threads;
    int max_connections = server::ServerOptions{}.max_connections;
    int max_connections_per_address = server::ServerOptions{}.max_connections_per_address;
    double header_timeout_s = server::ServerOptions{}.header_deadline_ms / 1000.0;
    double body_timeout_s = server::ServerOptions{}.body_deadline_ms / 1000.0;
    double keep_alive_timeout_s = server::ServerOptions{}.keep_alive_idle_ms / 1000.0;
    int64_t seq = 0, old_size = 0, size = 0;
  };
  static Options o;
  auto open = [](const Options& opt) {
    store::StoreOptions so;
    so.audit_key_path = opt.key;
    so.audit_public_key = opt.public_key;
    so.audit_witness_path = opt.witness;
    return OpenConfiguredStore(opt.db, so);
  };

  // user
  auto* user_cmd = app.add_subcommand("user", "Server users: add, disable, reset credentials, list");
  user_cmd->require_subcommand(1);
  auto* add = user_cmd->add_subcommand("add", "Add a user (prints a generated password and the TOTP secret once)");
  add->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  add->add_option("--name", o.name, "User name")->required();
  add->add_option("--agency", o.agency, "The user's agency code (as registered by ingest)")->required();
  add->add_option("--role", o.role, "analyst | practitioner | manager | ig_lead | administrator")->required();
  add->add_flag("--password-stdin", o.password_stdin,
                "Read the password from standard input instead of generating one");
  add->add_flag("--bootstrap", o.bootstrap,
                "The operator's path: grant a manager, IG lead or administrator role although the agency has "
                "someone who could approve it through the API (audited as a bootstrap)");
  add->callback([=, &exit_code] {
    auto role = ParseRole(o.role);
    if (!role.ok()) return fail_or(role.status());
    auto actor = OperatorActor(o.bootstrap ? "user administration (operator bootstrap)" : "user administration");
    if (!actor.ok()) return fail_or(actor.status());
    auto chosen = ChoosePassword(o.password_stdin);
    if (!chosen.ok()) return fail_or(chosen.status());
    const std::string& password = *chosen;
    auto hash = NewPasswordHash(password, o.name);
    if (!hash.ok()) return fail_or(hash.status());
    auto s = open(o);
    if (!s.ok()) return fail_or(s.status());
    if (Privileged(*role)) {
      auto existing = (*s)->FindUser(o.name);
      if (!existing.ok()) return fail_or(existing.status());
      if (Status st = CheckOperatorPath(**s, o.agency, o.name, *existing, o.bootstrap, "user add --role " + o.role);
          !st.ok()) {
        return fail_or(st);
      }
    }
    store::User u;
    u.name = o.name;
    u.agency_code = o.agency;
    u.role = *role;
    u.password_hash = *hash;
    u.totp_secret = server::NewTotpSecret();
    auto id = (*s)->AddUser(u, *actor);
    if (!id.ok()) return fail_or(id.status());
    std::cout << fmt::format("user {} added ({} at {}).\n", u.name, ToString(u.role), u.agency_code);
    if (!o.password_stdin) std::cout << "password: " << password << "\n";
    std::cout << "TOTP secret: " << u.totp_secret << "\nTOTP URI:    " << server::TotpUri(u.name, u.totp_secret)
              << "\nGive these to the user over a trusted channel; they are not shown again.\n";
  });
  auto* disable = user_cmd->add_subcommand("disable", "Disable a user and revoke all their sessions");
  disable->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  disable->add_option("--name", o.name, "User name")->required();
  disable->callback([=, &exit_code] {
    auto actor = OperatorActor("user administration");
    if (!actor.ok()) return fail_or(actor.status());
    auto s = open(o);
    if (!s.ok()) return fail_or(s.status());
    fail_or((*s)->SetUserDisabled(o.name, true, *actor));
    if (exit_code == 0) std::cout << "user " << o.name << " disabled; sessions revoked\n";
  });
  auto* reset = user_cmd->add_subcommand("reset", "New password and TOTP secret; revokes all sessions; re-enables");
  reset->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  reset->add_option("--name", o.name, "User name")->required();
  reset->add_flag("--password-stdin", o.password_stdin,
                  "Read the password from standard input instead of generating one");
  reset->add_flag("--bootstrap", o.bootstrap,
                  "The operator's path: reset although the agency has someone who could approve a reset through "
                  "the API (audited as a bootstrap)");
  reset->callback([=, &exit_code] {
    auto acting = OperatorActor(o.bootstrap ? "user administration (operator bootstrap)" : "user administration");
    if (!acting.ok()) return fail_or(acting.status());
    const store::Actor& actor = *acting;
    auto chosen = ChoosePassword(o.password_stdin);
    if (!chosen.ok()) return fail_or(chosen.status());
    const std::string& password = *chosen;
    auto hash = NewPasswordHash(password, o.name);
    if (!hash.ok()) return fail_or(hash.status());
    auto s = open(o);
    if (!s.ok()) return fail_or(s.status());
    auto target = (*s)->FindUser(o.name);
    if (!target.ok()) return fail_or(target.status());
    if (!target->has_value()) return fail_or(Status::NotFound("no user '" + o.name + "'"));
    if (Status st = CheckOperatorPath(**s, (*target)->agency_code, o.name, *target, o.bootstrap, "user reset");
        !st.ok()) {
      return fail_or(st);
    }
    const std::string secret = server::NewTotpSecret();
    if (Status st = (*s)->ResetUserCredentials(o.name, *hash, secret, actor); !st.ok()) return fail_or(st);
    if (Status st = (*s)->SetUserDisabled(o.name, false, actor); !st.ok()) return fail_or(st);
    std::cout << "user " << o.name << " reset; all sessions revoked.\n";
    if (!o.password_stdin) std::cout << "password: " << password << "\n";
    std::cout << "TOTP secret: " << secret << "\nTOTP URI:    " << server::TotpUri(o.name, secret) << "\n";
  });
  auto* list = user_cmd->add_subcommand("list", "List users (no secrets)");
  list->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  list->add_option("--user", o.user, "Who is looking (default: $USER)");
  list->callback([=, &exit_code] {
    auto s = open(o);
    if (!s.ok()) return fail_or(s.status());
    // The accounts name people: an audited read ("list_users"), like every other.
    auto acting = OperatorActor("user administration");
    if (!acting.ok() && o.user.empty()) return fail_or(acting.status());
    store::Actor actor = acting.ok() ? *acting : store::Actor{"", "", "administrator", "user administration"};
    if (!o.user.empty()) actor.user = o.user;
    auto users = access::Governance(**s).ListAllUsers(actor);
    if (!users.ok()) return fail_or(users.status());
    for (const auto& u : *users) {
      std::cout << fmt::format("{:<24} {:<14} {:<10} {}\n", u.name, ToString(u.role), u.agency_code,
                               u.disabled ? "disabled" : "active");
    }
    std::cout << users->size() << " users\n";
  });

  // approvals: the separation-of-duties requests, for review on the host (approving takes a signed-in second
  // person: the API's POST /api/approvals/{id}/approve).
  auto* approvals = app.add_subcommand("approvals", "Approval requests (relationships, listings, accounts, resets)");
  approvals->require_subcommand(1);
  auto* approvals_list = approvals->add_subcommand("list", "List pending requests (--all: with every decision)");
  approvals_list->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  approvals_list->add_flag("--all", o.all, "Every request, decided ones included");
  approvals_list->callback([=, &exit_code] {
    auto s = open(o);
    if (!s.ok()) return fail_or(s.status());
    access::Administration administration(**s);
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto actor = OperatorActor("separation of duties review");
    if (!actor.ok()) return fail_or(actor.status());
    auto list = administration.ListAllRequests(!o.all, now, *actor);
    if (!list.ok()) return fail_or(list.status());
    for (const auto& r : *list) {
      std::string what = r.person_id > 0 ? fmt::format("child {}", r.person_id) : fmt::format("role {}", r.role);
      std::cout << fmt::format("#{:<5} {:<17} {:<10} by {:<20} for {:<20} {:<8} {:<16} {}\n", r.id,
                               store::ToString(r.kind), r.state, r.requested_by, r.subject_user, r.subject_agency, what,
                               r.decided_by.empty() ? "" : "decided by " + r.decided_by);
    }
    std::cout << list->size() << (o.all ? " request" : " pending request") << (list->size() == 1 ? "\n" : "s\n");
  });

  // serve
  auto* serve = app.add_subcommand("serve", "Serve the HTTP JSON API (loopback-only HTTP unless --cert/--key)");
  serve->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  serve->add_option("--listen", o.listen, "HOST:PORT")->capture_default_str();
  serve->add_option("--cert", o.cert, "TLS certificate chain (PEM)");
  serve->add_option("--key", o.tls_key, "TLS private key (PEM)");
  serve->add_option("--audit-key", o.key, "Audit signing key file (default: <db>.audit-key, or $RISKRADAR_AUDIT_KEY)");
  serve->add_option("--workers", o.workers, "Handler threads (they only run complete requests)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve->add_option("--io-threads", o.io_threads, "Threads that own the sockets")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  serve->add_option("--max-connections", o.max_connections, "Open connections in total; more are closed at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve
      ->add_option("--max-connections-per-address", o.max_connections_per_address,
                   "Open connections from one client address")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve
      ->add_option("--header-timeout", o.header_timeout_s,
                   "Seconds for a whole request line and headers (not restarted by each byte)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  serve->add_option("--body-timeout", o.body_timeout_s, "Seconds for a whole request body")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  serve
      ->add_option("--keep-alive-timeout", o.keep_alive_timeout_s,
                   "Seconds a kept-alive connection may wait for its next request")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  serve->add_option("--web", o.web,
                    "The web application's built files (default: web/dist of the data directory, when built)");
  serve->add_option("--audit-witness", o.witness, "Audit witness file (default: <db>.audit-witness)");
  serve->add_option("--ig-partnership-agency", o.partnership_ig,
                    "Agency code whose IG lead reviews the whole partnership's break-glass use and audit log "
                    "(repeatable; default: none, every IG lead sees their own agency's)");
  serve->add_option("--metrics-listen", o.metrics_listen,
                    "HOST:PORT for Prometheus metrics (GET /metrics, plain HTTP, no authentication, no personal "
                    "data); default: off");
  serve->add_option("--access-log", o.access_log, "stderr (JSON lines, for journald) or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"stderr", "off"}));
  serve->callback([=, &exit_code] {
    ServeSignals signals;  // first: before any thread starts
    // The log: standard error (journald under systemd) unless the configuration's [log] destination names a
    // file, which is appended to (created 0600).
    if (const std::string& dest = Config().log_destination; !dest.empty() && dest != "stderr") {
      const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0) {
        return fail_or(Status::IoError(fmt::format("cannot open the log destination {} (from {} [log] destination): {}",
                                                   dest, Config().source, std::strerror(errno))));
      }
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    server::ServerOptions so;
    so.access_log_off = o.access_log == "off";
    if (!o.metrics_listen.empty()) {
      if (Status st = server::ParseListen(o.metrics_listen, so.metrics_host, so.metrics_port); !st.ok()) {
        return fail_or(Status::InvalidArgument("--metrics-listen: " + st.message()));
      }
    }
    so.db = o.db;
    // Held until serve returns: `keys rotate` and `restore --force` refuse while it is (cli_support.h).
    auto serve_lock = ServeLock::Hold(o.db);
    if (!serve_lock.ok()) return fail_or(serve_lock.status());
    so.store_options.audit_key_path = o.key;
    so.store_options.audit_witness_path = o.witness;
    so.store_options = ConfiguredStoreOptions(so.store_options);
    so.partnership_ig_agencies = o.partnership_ig;
    so.cert_file = o.cert;
    so.key_file = o.tls_key;
    so.workers = o.workers;
    so.io_threads = o.io_threads;
    so.max_connections = o.max_connections;
    so.max_connections_per_address = o.max_connections_per_address;
    so.header_deadline_ms = static_cast<int64_t>(o.header_timeout_s * 1000);
    so.body_deadline_ms = static_cast<int64_t>(o.body_timeout_s * 1000);
    so.keep_alive_idle_ms = static_cast<int64_t>(o.keep_alive_timeout_s * 1000);
    if (Status st = server::ParseListen(o.listen, so.host, so.port); !st.ok()) return fail_or(st);
    // An explicit --web must load; the default is served when it has been built.
    so.web_dir = o.web;
    if (so.web_dir.empty()) {
      const std::filesystem::path built = DataPath("web/dist");
      if (std::error_code ec; std::filesystem::is_regular_file(built / "index.html", ec)) {
        so.web_dir = built.string();
      } else {
        std::cerr << "note: no web application at " << built.string()
                  << " (build it: scripts/setup.sh, or npm ci && npm run build in web/); serving the API only\n";
      }
    }
    auto srv = server::Server::Create(so);
    if (!srv.ok()) return fail_or(srv.status());
    auto port = (*srv)->Bind();
    if (!port.ok()) return fail_or(port.status());
    // The banner names pages that exist: the web application's sign-in page, or the health check.
    const std::string first_page = so.web_dir.empty() ? "/healthz" : "/sign-in";
    if (!(*srv)->tls()) {
      std::cerr << "WARNING: serving plain HTTP on loopback only (no --cert/--key). Use this for development or\n"
                   "behind a TLS-terminating proxy on the same host; open http://localhost:"
                << *port << first_page << "\n";
    }
    // An address in a URL: a wildcard listen address is no place to browse to, so name this host instead.
    auto url_host = [](const std::string& host) -> std::string {
      if (host == "0.0.0.0" || host == "::" || host.empty()) {
        char name[256] = {};
        return ::gethostname(name, sizeof name - 1) == 0 && name[0] ? std::string(name) : std::string("localhost");
      }
      return host.find(':') != std::string::npos ? "[" + host + "]" : host;
    };
    const std::string scheme = (*srv)->tls() ? "https" : "http";
    std::cout << fmt::format("riskradar serving {} on {}://{}:{} ({} workers); Ctrl-C stops\n", o.db, scheme, so.host,
                             *port, so.workers);
    if (!so.web_dir.empty()) {
      std::cout << fmt::format("web application: open {}://{}:{}/sign-in\n", scheme, url_host(so.host), *port);
    }
    std::cout << fmt::format("health: {}://{}:{}/healthz and /readyz\n", scheme, url_host(so.host), *port);
    if ((*srv)->metrics_port() >= 0) {
      std::cout << fmt::format("metrics: http://{}:{}/metrics\n", url_host(so.metrics_host), (*srv)->metrics_port());
    }
    std::cout << std::flush;
    // TLS certificate reload on SIGHUP (docs/operator-guide.md "TLS"); without TLS there is nothing to reload.
    server::Server* running = srv->get();
    signals.Start([running] { running->Stop(); },
                  [running, cert = o.cert, key = o.tls_key] {
                    if (!running->tls()) {
                      std::cerr << "riskradar: SIGHUP ignored: not serving TLS, no certificate to reload\n";
                      return;
                    }
                    const Status st = running->ReloadTls();
                    if (st.ok()) {
                      std::cerr << "riskradar: SIGHUP: TLS certificate reloaded from " << cert << " and " << key
                                << " (new connections use it)\n";
                    } else {
                      std::cerr << "riskradar: SIGHUP: TLS reload failed, still serving the previous certificate: "
                                << st.ToString() << "\n";
                    }
                  });
    const Status ran = (*srv)->Run();
    signals.Finish();
    fail_or(ran);
  });

  // demo-users
  auto* demo_users = app.add_subcommand(
      "demo-users", "DEMO ONLY: one user per role and agency, printed with passwords and TOTP secrets");
  demo_users->add_option("--db", o.db, "Store (SQLite file) written by `riskradar demo`")->capture_default_str();
  demo_users->callback([=, &exit_code] {
    auto s = open(o);
    if (!s.ok()) return fail_or(s.status());
    auto agencies = (*s)->ListAgencies();
    if (!agencies.ok()) return fail_or(agencies.status());
    if (agencies->empty())
      return fail_or(Status::FailedPrecondition("no agencies in the store: run `riskradar demo` first"));
    std::cout << "DEMO ONLY: synthetic data, printed credentials. Never do this with real data.\n";
    std::cout << fmt::format("{:<28} {:<14} {:<10} {:<28} {}\n", "user", "role", "agency", "password", "TOTP secret");
    auto acting = OperatorActor("demo users");
    if (!acting.ok()) return fail_or(acting.status());
    const store::Actor actor = *acting;
    std::map<std::string, int64_t> created;  // new user name -> id
    for (const Agency& a : *agencies) {
      for (Role role : AllRoles()) {
        store::User u;
        u.name = a.code + "-" + std::string(ToString(role));
        u.agency_code = a.code;
        u.role = role;
        const std::string password = GeneratedPassword();
        auto hash = server::HashPassword(password, server::PasswordHashParams::Production());
        if (!hash.ok()) return fail_or(hash.status());
        u.password_hash = *hash;
        u.totp_secret = server::NewTotpSecret();
        auto id = (*s)->AddUser(u, actor);
        if (!id.ok() && id.status().code() == StatusCode::kAlreadyExists) {
          std::cout << fmt::format("{:<28} (exists; use `riskradar user reset --name {}`)\n", u.name, u.name);
          continue;
        }
        if (!id.ok()) return fail_or(id.status());
        created[u.name] = *id;
        std::cout << fmt::format("{:<28} {:<14} {:<10} {:<28} {}\n", u.name, ToString(role), a.code, password,
                                 u.totp_secret);
      }
    }
    if (Status st = DemoNeedToKnow(**s, *agencies, created, actor); !st.ok()) return fail_or(st);
    if (Status st = SeedDemoPractice(**s, *agencies, created); !st.ok()) return fail_or(st);
    std::cout
        << "Current one-time codes: oathtool --totp -b SECRET (package oathtool), or any authenticator app.\n"
        << "Serve: riskradar serve --db " << o.db << "   then sign in, e.g.\n"
        << "  curl -si -c jar -H 'Content-Type: application/json' http://127.0.0.1:8080/api/login \\\n"
        << "       -d '{\"user\":\"USER\",\"password\":\"PASSWORD\",\"totp\":\"'$(oathtool --totp -b SECRET)'\"}'\n"
        << "  curl -s -b jar http://127.0.0.1:8080/api/children/ID\n"
        << "(docs/api.md lists every endpoint; docs/operator-guide.md explains the need-to-know rules.)\n";
  });

  // audit checkpoint | prove (the `audit` command itself and `audit verify` live in main.cc)
  if (CLI::App* audit = app.get_subcommand("audit")) {
    auto* cp = audit->add_subcommand("checkpoint", "Sign and keep a checkpoint of the whole audit log now");
    cp->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
    cp->add_option("--audit-key", o.key, "Audit signing key file (default: <db>.audit-key)");
    cp->callback([=, &exit_code] {
      auto s = open(o);
      if (!s.ok()) return fail_or(s.status());
      auto c = (*s)->SignAuditCheckpoint();
      if (!c.ok()) return fail_or(c.status());
      std::cout << fmt::format(
          "{{\"tree_size\": {}, \"root_hash\": \"{}\", \"signed_at\": \"{}\", \"public_key\": \"{}\", "
          "\"signature\": \"{}\"}}\n",
          c->tree_size, c->root_hash, c->signed_at, c->public_key, c->signature);
    });
    auto* init = audit->add_subcommand(
        "witness-init", "Start a new audit witness from the current signed head (only when none exists)");
    init->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
    init->add_option("--audit-key", o.key, "Audit signing key file (default: <db>.audit-key)");
    init->add_option("--audit-witness", o.witness, "Audit witness file (default: <db>.audit-witness)");
    init->callback([=, &exit_code] {
      const std::string db_path = o.db.rfind("sqlite:", 0) == 0 ? o.db.substr(7) : o.db;
      const std::string path = o.witness.empty() ? db_path + ".audit-witness" : o.witness;
      // An empty file first (O_EXCL: never over an existing witness), then a kept checkpoint fills it.
      const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) {
        return fail_or(Status::AlreadyExists("cannot create the audit witness " + path + ": " + std::strerror(errno) +
                                             " (an existing witness is never replaced)"));
      }
      ::close(fd);
      auto s = open(o);
      if (!s.ok()) return fail_or(s.status());
      store::AuditEvent e;
      e.actor = {"", "", "", "audit witness"};
      e.action = "audit_witness_init";
      e.target = "audit_log";
      e.details = nlohmann::json{{"witness", path}}.dump();
      if (Status st = (*s)->AppendAudit(e); !st.ok()) return fail_or(st);
      auto c = (*s)->SignAuditCheckpoint();
      if (!c.ok()) return fail_or(c.status());
      std::cout << fmt::format("audit witness {} started at size {} (root {})\n", path, c->tree_size, c->root_hash);
    });
    auto* prove = audit->add_subcommand("prove", "RFC 6962 proof: inclusion of an event, or consistency of two sizes");
    prove->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
    prove->add_option("--seq", o.seq, "Event sequence number (inclusion proof)");
    prove->add_option("--old-size", o.old_size, "Earlier tree size (consistency proof)");
    prove->add_option("--size", o.size, "Tree size to prove against (default: the whole log)");
    prove->callback([=, &exit_code] {
      auto s = open(o);
      if (!s.ok()) return fail_or(s.status());
      // A proof is a read of the log: audited, and printed only once its event is committed.
      access::AuditedAccess audited(**s);
      auto acting = OperatorActor("audit verification");
      if (!acting.ok()) return fail_or(acting.status());
      const store::Actor actor = *acting;
      auto p = o.seq > 0 ? audited.ReadAuditInclusionProof(o.seq, o.size, actor)
                         : audited.ReadAuditConsistencyProof(o.old_size, o.size, actor);
      if (!p.ok()) return fail_or(p.status());
      const int64_t size = p->tree_size;
      std::cout << (o.seq > 0 ? fmt::format("inclusion of event {} (leaf {}) in tree of size {}\n", p->seq,
                                            p->leaf_hash, size)
                              : fmt::format("consistency of size {} (root {}) with size {}\n", p->old_size,
                                            p->old_root_hash, size));
      std::cout << "root " << p->root_hash << "\npath:\n";
      for (const auto& h : p->path) std::cout << "  " << h << "\n";
    });
  }
}

}  // namespace riskradar::cli

// The riskradar command line: one executable, one subcommand per pipeline stage.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "batch_commands.h"
#include "cli_support.h"
#include "config.h"
#include "exit_codes.h"
#include "linkage_commands.h"
#include "network_commands.h"
#include "pipeline.h"
#include "practice_commands.h"
#include "report_commands.h"
#include "retention_policy.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/core/atomic_file.h"
#include "riskradar/core/geography.h"
#include "riskradar/core/paths.h"
#include "riskradar/eval/evaluate.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/linkage/link_stage.h"
#include "riskradar/network/network_stage.h"
#include "riskradar/report/html_report.h"
#include "riskradar/report/report_stage.h"
#include "riskradar/risk/assess_stage.h"
#include "riskradar/synth/synth.h"

namespace riskradar::cli {
void RegisterServerCommands(CLI::App& app, int& exit_code);     // server_commands.cc
void RegisterRetentionCommands(CLI::App& app, int& exit_code);  // retention_commands.cc
void RegisterPlaceCommands(CLI::App& explain, int& exit_code);  // place_commands.cc
void RegisterPlacesCommand(CLI::App& app, int& exit_code);      // place_commands.cc
void RegisterScreeningCommands(CLI::App& app, int& exit_code);  // screening_commands.cc
void RegisterBatchCommands(CLI::App& app, int& exit_code);      // batch_commands.cc
void RegisterOpsCommands(CLI::App& app, int& exit_code);        // ops_commands.cc
void RegisterKeyCommands(CLI::App& app, int& exit_code);        // key_commands.cc
void RegisterInitCommand(CLI::App& app, int& exit_code);        // init_commands.cc
namespace {

namespace fs = std::filesystem;

Result<std::unique_ptr<store::Store>> Open(const std::string& db) { return OpenConfiguredStore(db); }

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

Result<Date> ParseDateOption(const std::string& text, const char* what) {
  auto d = Date::ParseIso(text);
  if (!d.ok()) return d.status().WithContext(what);
  return d;
}

struct StageContext {
  Paths paths = Paths::Defaults();
  store::Actor actor;
};

Result<risk::ScreeningModel> LoadModel(const StageContext& ctx, const std::string& model_path) {
  const fs::path path =
      model_path.empty() ? ctx.paths.config_dir / "screening" / "west-midlands.toml" : fs::path(model_path);
  return risk::ScreeningModel::FromFile(path);
}

Status RunLink(store::Store& store, const StageContext& ctx, Date as_of, bool verbose,
               std::optional<linkage::PersonBlocking> blocking = std::nullopt, bool batch = false) {
  RR_ASSIGN_OR_RETURN(auto geography, Geography::Load(ctx.paths.data_dir / "geo"));
  linkage::LinkStageOptions options;
  options.as_of = as_of;
  options.blocking = blocking;
  options.batch = batch;
  RR_ASSIGN_OR_RETURN(options.event_rules,
                      linkage::EventLinkRules::FromFile(ctx.paths.config_dir / "linkage" / "events.toml"));
  if (verbose) options.progress = [](const std::string& s) { std::cerr << "  " << s << "\n"; };
  const auto start = std::chrono::steady_clock::now();
  RR_ASSIGN_OR_RETURN(auto r, linkage::RunLinkStage(store, geography, options, ctx.actor));
  if (r.batch) {
    std::cout << fmt::format(
        "link (batch): {} new of {} person mentions -> {} new people, {} people written, {} merges; {} people ({} "
        "children, {} persons of concern; {} candidate pairs); {} place mentions -> {} places; {} pairs for review "
        "({:.1f} s)\n",
        r.new_mentions, r.person_mentions, r.new_persons, r.persons_written, r.merged.size(), r.persons, r.children,
        r.persons_of_concern, r.candidate_pairs, r.place_mentions, r.places, r.possibles, Seconds(start));
    for (const auto& merge : r.merged) {
      std::cout << fmt::format("  merged: person {} now includes {}\n", merge.kept, fmt::join(merge.absorbed, ", "));
    }
    std::cout << "  events: " << linkage::RenderMergeReport(r.events) << "\n";
    return Status::Ok();
  }
  if (batch) std::cout << "link: a full run, not a batch: " << r.full_run_reason << "\n";
  std::cout << fmt::format(
      "link: {} person mentions -> {} people ({} children, {} persons of concern; {} blocking, "
      "{} candidate pairs); {} place mentions -> {} places; {} pairs for review{} ({:.1f} s)\n",
      r.person_mentions, r.persons, r.children, r.persons_of_concern, ToString(r.blocking), r.candidate_pairs,
      r.place_mentions, r.places, r.possibles,
      r.possibles_decided > 0
          ? fmt::format(" (and {} uncertain pairs already decided by a reviewer, kept)", r.possibles_decided)
          : "",
      Seconds(start));
  std::cout << "  events: " << linkage::RenderMergeReport(r.events) << "\n";
  return Status::Ok();
}

Status RunAssess(store::Store& store, const StageContext& ctx, const std::string& model_path,
                 std::optional<Date> as_of) {
  RR_ASSIGN_OR_RETURN(auto model, LoadModel(ctx, model_path));
  if (!as_of) {
    RR_ASSIGN_OR_RETURN(as_of, risk::NewestEventDate(store));
  }
  RR_ASSIGN_OR_RETURN(auto r, risk::RunAssessStage(store, model, *as_of, ctx.actor));
  std::string levels;
  for (const auto& [level, n] : r.by_level)
    levels += fmt::format("{}{} {}", levels.empty() ? "" : ", ", Label(level), n);
  std::cout << fmt::format("assess: {} children screened as of {} with model {} ({})\n", r.children_assessed,
                           r.as_of.ToIso(), r.model_version, levels);
  if (r.overrides_kept > 0) {
    std::cout << fmt::format("assess: {} practitioners' overrides kept until their review dates\n", r.overrides_kept);
  }
  return Status::Ok();
}

Status RunNetwork(store::Store& store, const StageContext& ctx) {
  RR_ASSIGN_OR_RETURN(auto r, network::RunNetworkStage(store, ctx.actor));
  std::cout << fmt::format(
      "network: {} networks ({} persons of concern), {} lone offenders, {} suspected offenders by priority, {} places "
      "of concern\n",
      r.networks, r.persons_of_concern_in_networks, r.lone_offenders, r.suspected_offenders, r.places_of_concern);
  return Status::Ok();
}

// The publishable report never takes the restricted one's file name (nor the other way round), so neither
// can be sent out for the other.
const char* ReportFileName(bool publishable) { return publishable ? "report-publishable.html" : "report.html"; }

Result<report::Summary> RunReport(store::Store& store, const report::SummaryOptions& options, const fs::path& out_dir,
                                  bool publishable) {
  RR_ASSIGN_OR_RETURN(auto summary, report::BuildSummary(store, options));
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return Status::IoError("cannot create " + out_dir.string() + ": " + ec.message());
  report::ReportOptions ro;
  ro.variant = publishable ? report::ReportVariant::kPublishable : report::ReportVariant::kRestricted;
  RR_RETURN_IF_ERROR(report::WriteHtmlReport(summary, ro, out_dir / ReportFileName(publishable)));
  return summary;
}

Result<report::SummaryOptions> PeriodOptions(const std::string& start, const std::string& end, store::Store& store) {
  report::SummaryOptions o;
  o.partnership = "West Midlands partnership";
  if (!end.empty()) {
    RR_ASSIGN_OR_RETURN(o.period_end, ParseDateOption(end, "--period-end"));
  } else {
    RR_ASSIGN_OR_RETURN(o.period_end, risk::NewestEventDate(store));
  }
  if (!start.empty()) {
    RR_ASSIGN_OR_RETURN(o.period_start, ParseDateOption(start, "--period-start"));
  } else {
    o.period_start = Date::FromDays(o.period_end.days() - 364);
  }
  return o;
}

// `pg_url` empty: the store is DIR/riskradar.db; otherwise that PostgreSQL database (it must hold no store yet:
// a demo's figures describe its own run only), with the demo's keys and witness in DIR.
Status RunDemo(const std::string& dir_text, uint64_t seed, double scale, const std::string& pg_url) {
  const auto start = std::chrono::steady_clock::now();
  StageContext ctx;
  const fs::path dir = dir_text;
  const fs::path partnership = dir / "partnership";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  // A demo starts from an empty store so its figures describe this run only (and with a new audit witness:
  // the old one would rightly call the new store a rollback).
  if (!pg_url.empty() && !store::IsPostgresLocation(pg_url)) {
    return Status::InvalidArgument(
        "demo --db takes a PostgreSQL URL (postgresql://...); the SQLite store of a demo is "
        "always DIR/riskradar.db");
  }
  const fs::path db = dir / (pg_url.empty() ? "riskradar.db" : "riskradar-pg");
  const std::string location = pg_url.empty() ? db.string() : pg_url;
  for (const char* suffix : {"", "-wal", "-shm", ".audit-witness"}) fs::remove(db.string() + suffix, ec);

  std::cout << fmt::format("[1/6] synth: generating the synthetic partnership (seed {}, scale {})\n", seed, scale);
  synth::SynthOptions so;
  so.seed = seed;
  so.scale = scale;
  so.data_dir = ctx.paths.data_dir.string();
  fs::remove_all(partnership, ec);
  RR_ASSIGN_OR_RETURN(auto generated, synth::GenerateSynthetic(so, partnership));
  std::cout << fmt::format("      {} records in {} files about {} people\n", generated.records, generated.files,
                           generated.people);
  // The demo's store has its own keys beside it, whatever the configuration names for the real one.
  store::StoreOptions demo_keys;
  demo_keys.audit_key_path = db.string() + ".audit-key";
  demo_keys.totp_key_path = db.string() + ".totp-key";
  demo_keys.audit_witness_path = db.string() + ".audit-witness";
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(location, demo_keys));
  if (!pg_url.empty()) {
    RR_ASSIGN_OR_RETURN(const store::StoreCounts counts, store->Counts());
    if (counts.source_records > 0 || counts.audit_events > 0) {
      return Status::FailedPrecondition("the demo needs a new, empty PostgreSQL database; " +
                                        store::RedactLocation(pg_url) + " already holds a store");
    }
  }
  std::cout << "[2/6] ingest: loading every agency extract through its mapping\n";
  RR_RETURN_IF_ERROR(IngestManifest(*store, partnership, ctx.paths, true));
  RR_ASSIGN_OR_RETURN(auto period, ReadManifestPeriod(partnership));
  RR_ASSIGN_OR_RETURN(auto options, PeriodOptions(period.start, period.end, *store));
  options.partnership = "West Midlands partnership (synthetic)";
  std::cout << "[3/6] ";
  RR_RETURN_IF_ERROR(RunLink(*store, ctx, options.period_end, true));
  std::cout << "[4/6] ";
  RR_RETURN_IF_ERROR(RunAssess(*store, ctx, "", options.period_end));
  std::cout << "[5/6] ";
  RR_RETURN_IF_ERROR(RunNetwork(*store, ctx));
  std::cout << "      ";
  RR_RETURN_IF_ERROR(RunPracticeStage(*store, options.period_end, 28, ctx.actor));
  std::cout << "[6/6] report and evaluation\n";
  RR_ASSIGN_OR_RETURN(auto evaluation, eval::EvaluateAgainstTruth(*store, partnership / "truth"));
  RR_ASSIGN_OR_RETURN(auto summary, report::BuildSummary(*store, options));
  summary.linkage_precision = evaluation.people.precision();
  summary.linkage_recall = evaluation.people.recall();
  report::ReportOptions ro;
  RR_RETURN_IF_ERROR(report::WriteHtmlReport(summary, ro, dir / "report.html"));
  ro.variant = report::ReportVariant::kPublishable;
  RR_RETURN_IF_ERROR(report::WriteHtmlReport(summary, ro, dir / "report-publishable.html"));
  std::cout << "\n" << report::RenderSummaryText(summary);
  std::cout << "Report: " << fs::absolute(dir / "report.html").string()
            << " (publishable version: " << (dir / "report-publishable.html").string() << ")\n";
  // The problem profile for the partnership's period, both versions (report_commands.cc).
  for (bool publishable : {false, true}) {
    ProfileRequest profile;
    profile.db = store::RedactLocation(location);
    profile.from = options.period_start;
    profile.to = options.period_end;
    profile.publishable = publishable;
    profile.out_dir = dir / (publishable ? "profile-publishable" : "profile");
    profile.partnership = options.partnership;
    RR_RETURN_IF_ERROR(RunProfile(*store, ctx.paths, ctx.actor, profile));
  }
  std::cout << "\n";
  std::cout << eval::RenderEvaluation(evaluation);
  std::cout << fmt::format("\nDemo finished in {:.1f} s. Store: {}\n", Seconds(start), store::RedactLocation(location));
  if (!pg_url.empty()) {
    std::cout << "Keys and audit witness of the demo's PostgreSQL store: " << db.string()
              << ".{audit-key,totp-key,audit-witness}\n";
    return Status::Ok();
  }
  // The way on to the server, with commands that work as printed (this binary, the store's absolute path).
  std::string exe = "riskradar";
  if (auto self = fs::read_symlink("/proc/self/exe", ec); !ec) exe = self.string();
  const std::string abs_db = fs::absolute(db).string();
  std::cout << "\nNext, the server with need-to-know at work (DEMO ONLY: synthetic data, printed credentials):\n"
            << "  " << exe << " demo-users --db " << abs_db
            << "   # one user per role and agency: passwords, TOTP secrets; sharing agreements; care relationships\n"
            << "  " << exe << " serve --db " << abs_db
            << "        # then open http://127.0.0.1:8080/sign-in (loopback only; docs/practitioner-guide.md)\n";
  return Status::Ok();
}

// Thrown out of parsing when no data directory can be found, before any command runs.
struct NoDataDir {
  Status status;
};

}  // namespace

int Main(int argc, char** argv) {
  // The configuration file first: every command's defaults (the store above all) come from it (config.h).
  auto config = LoadConfigForArgs(argc, argv);
  if (!config.ok()) return Fail(config.status());
  if (!config->data_dir.empty() && std::getenv("RISKRADAR_DATA_DIR") == nullptr) SetDataDirOverride(config->data_dir);
  SetConfig(*config);
  CLI::App app{"riskradar: multi-agency child-exploitation safeguarding, from agency extracts to the risk radar"};
  app.require_subcommand(1);
  app.set_version_flag("--version", RISKRADAR_VERSION);
  // Every command reads config/ or reference data: find the data directory once (core/paths.h), or stop with
  // the list of places tried.
  app.fallthrough();
  app.add_option_function<std::string>(
         "--data-dir", [](const std::string& dir) { SetDataDirOverride(dir); },
         "Data directory holding config/ and data/reference/ (default: $RISKRADAR_DATA_DIR, else the install's)")
      ->type_name("DIR");
  std::string config_file;  // read before parsing (LoadConfigForArgs); declared here for --help and the parser
  app.add_option("--config", config_file,
                 "Configuration file (default: $RISKRADAR_CONFIG, else /etc/riskradar/riskradar.toml "
                 "when it exists; docs/operator-guide.md \"Configuration\")")
      ->type_name("FILE");
  app.add_option_function<std::string>(
         "--actor", [](const std::string& name) { SetActorOverride(name); },
         "Who is acting, for the audit log (default: $RISKRADAR_ACTOR, the configuration's actor, $SUDO_USER, "
         "$USER)")
      ->type_name("NAME");
  app.add_option_function<std::string>(
         "--audit-key", [](const std::string& path) { SetAuditKeyOverride(path); },
         "Audit signing key file (default: $RISKRADAR_AUDIT_KEY, the configuration's [keys] audit, <db>.audit-key)")
      ->type_name("FILE");
  app.add_option_function<std::string>(
         "--totp-key", [](const std::string& path) { SetTotpKeyOverride(path); },
         "TOTP sealing key file (default: $RISKRADAR_TOTP_KEY, the configuration's [keys] totp, <db>.totp-key)")
      ->type_name("FILE");
  app.parse_complete_callback([] {
    if (auto dir = DataDir(); !dir.ok()) throw NoDataDir{dir.status()};
  });
  std::string db = DefaultDbPath();
  int exit_code = 0;
  auto fail_or = [&](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };

  // synth
  auto* synth_cmd = app.add_subcommand("synth", "Generate a synthetic West Midlands partnership (extracts + truth)");
  std::string synth_out;
  uint64_t seed = 42;
  double scale = 1.0;
  synth_cmd->add_option("--out", synth_out, "Output directory")->required();
  synth_cmd->add_option("--seed", seed, "Random seed (same seed, same output)")->capture_default_str();
  synth_cmd->add_option("--scale", scale, "Size relative to the published regional figures")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1000.0));
  synth_cmd->callback([&] {
    synth::SynthOptions o;
    o.seed = seed;
    o.scale = scale;
    o.data_dir = Paths::Defaults().data_dir.string();
    auto r = synth::GenerateSynthetic(o, synth_out);
    if (!r.ok()) return fail_or(r.status());
    std::cout << fmt::format("synth: {} records in {} files about {} people ({} children, {} adults) -> {}\n",
                             r->records, r->files, r->people, r->children, r->adults, synth_out);
  });

  // ingest
  auto* ingest_cmd =
      app.add_subcommand("ingest", "Import agency extracts through a mapping file (or a synthetic manifest)");
  std::string agency, mapping_path, manifest_dir, agency_name, agency_kind, agency_area;
  std::vector<std::string> files;
  ingest_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  ingest_cmd->add_option("--agency", agency, "Agency code the extract comes from");
  ingest_cmd->add_option("--mapping", mapping_path, "Mapping file (TOML) describing the extract's format");
  ingest_cmd->add_option("--agency-name", agency_name, "Register the agency with this name if new");
  ingest_cmd->add_option("--agency-kind", agency_kind, "council | nhs | police | education | voluntary");
  ingest_cmd->add_option("--area", agency_area, "District the agency serves");
  ingest_cmd->add_option("--manifest", manifest_dir, "A directory written by `riskradar synth`: import all of it");
  ingest_cmd->add_option("files", files, "Extract files");
  bool dry_run = false;
  std::string ingest_policy = DefaultPolicyPath();
  ingest_cmd->add_flag("--dry-run", dry_run,
                       "Report what would land and what would be quarantined (counts and reasons); write nothing");
  ingest_cmd->add_option("--policy", ingest_policy, "Retention schedule every record class must have a rule in")
      ->capture_default_str();
  ingest_cmd->callback([&] {
    if (dry_run) return fail_or(DryRunIngest({db, agency, mapping_path, manifest_dir, ingest_policy, files}));
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    if (!manifest_dir.empty()) return fail_or(IngestManifest(**store, manifest_dir, Paths::Defaults(), true));
    if (agency.empty() || mapping_path.empty() || files.empty()) {
      return fail_or(Status::InvalidArgument("ingest needs --agency, --mapping and at least one file (or --manifest)"));
    }
    // --mapping takes a shipped mapping's name or a file's path; the class it loads needs a retention rule.
    auto mapping_file = ingest::ResolveMappingArgument(mapping_path, Paths::Defaults().config_dir / "mappings");
    if (!mapping_file.ok()) return fail_or(mapping_file.status());
    auto mapping = ingest::Mapping::FromFile(*mapping_file);
    if (!mapping.ok()) return fail_or(mapping.status());
    if (auto s = RequireRetentionRule(mapping->record_class, ingest_policy); !s.ok()) return fail_or(s);
    if (!agency_kind.empty()) {
      auto kind = ParseAgencyKind(agency_kind);
      if (!kind.ok()) return fail_or(kind.status());
      if (auto s = (*store)->UpsertAgency({agency, agency_name.empty() ? agency : agency_name, *kind, agency_area});
          !s.ok()) {
        return fail_or(s);
      }
    }
    for (const auto& file : files) {
      Progress progress(fs::path(file).filename().string());
      auto r = ingest::ImportFile(
          **store, *mapping, agency, file, store::Actor{},
          [&](const ingest::ImportProgress& p) { progress.Update(p.rows, p.bytes_read, p.file_size); });
      progress.Done();
      if (!r.ok()) return fail_or(r.status());
      const auto& c = r->batch.counts;
      if (r->already_imported) {
        std::cout << fmt::format("{}: already imported as batch {}; nothing to do\n", file, r->batch.id);
      } else {
        std::cout << fmt::format("{}: batch {}: {} rows, {} landed, {} unchanged, {} quarantined{}\n", file,
                                 r->batch.id, c.rows_in, c.landed, c.unchanged, c.quarantined,
                                 c.quarantined ? " (see `riskradar quarantine list`)" : "");
        if (r->batch.resolved > 0) {
          std::cout << fmt::format(
              "{}: {} quarantined rows of earlier batches resolved (their corrected rows landed)\n", file,
              r->batch.resolved);
        }
      }
    }
  });

  // link / assess / network
  auto* link_cmd = app.add_subcommand("link", "Resolve records into people and places (probabilistic record linkage)");
  std::string as_of_text;
  link_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  link_cmd->add_option("--as-of", as_of_text, "Reference date YYYY-MM-DD for ages (default: newest event)");
  std::string blocking_text = "auto";
  link_cmd
      ->add_option("--blocking", blocking_text,
                   "Person blocking: auto (rules planned within a comparison budget), regional or large")
      ->check(CLI::IsMember({"auto", "regional", "large"}))
      ->capture_default_str();
  bool link_batch = false;
  link_cmd->add_flag("--batch", link_batch,
                     "Link only mentions not linked yet against the people already linked (a daily batch); "
                     "a full run when that cannot be done (the reason is printed)");
  link_cmd->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    Result<Date> as_of = as_of_text.empty() ? risk::NewestEventDate(**store) : ParseDateOption(as_of_text, "--as-of");
    if (!as_of.ok()) return fail_or(as_of.status());
    std::optional<linkage::PersonBlocking> blocking;
    if (blocking_text != "auto") {
      blocking = blocking_text == "large" ? linkage::PersonBlocking::kLarge : linkage::PersonBlocking::kRegional;
    }
    fail_or(RunLink(**store, StageContext{}, *as_of, true, blocking, link_batch));
  });
  auto* assess_cmd =
      app.add_subcommand("assess", "Screen every child with the configured model (assessments are kept)");
  std::string model_path;
  assess_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  assess_cmd->add_option("--model", model_path, "Screening model TOML (default: config/screening/west-midlands.toml)");
  assess_cmd->add_option("--as-of", as_of_text, "Screen as of YYYY-MM-DD (default: newest event)");
  assess_cmd->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    std::optional<Date> as_of;
    if (!as_of_text.empty()) {
      auto d = ParseDateOption(as_of_text, "--as-of");
      if (!d.ok()) return fail_or(d.status());
      as_of = *d;
    }
    fail_or(RunAssess(**store, StageContext{}, model_path, as_of));
  });
  auto* network_cmd = app.add_subcommand("network", "Find offender networks and rank places of concern");
  network_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  network_cmd->callback([&] {
    if (!network_cmd->get_subcommands().empty()) return;  // network priorities (network_commands.cc)
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    fail_or(RunNetwork(**store, StageContext{}));
  });

  // report
  auto* report_cmd = app.add_subcommand("report", "Print the regional summary and write the HTML report");
  std::string report_dir = "report", period_start, period_end;
  bool publishable = false;
  report_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  report_cmd
      ->add_option("--out", report_dir,
                   "Directory for report.html (restricted) or report-publishable.html (--publishable)")
      ->capture_default_str();
  report_cmd->add_option("--period-start", period_start, "YYYY-MM-DD (default: a year before the end)");
  report_cmd->add_option("--period-end", period_end, "YYYY-MM-DD (default: newest event)");
  report_cmd->add_flag("--publishable", publishable, "Apply disclosure control (small numbers suppressed)");
  CLI::App* profile_cmd = RegisterReportProfileCommand(*report_cmd, exit_code);  // report_commands.cc
  report_cmd->callback([&, profile_cmd] {
    if (profile_cmd->parsed()) return;
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    auto options = PeriodOptions(period_start, period_end, **store);
    if (!options.ok()) return fail_or(options.status());
    auto summary = RunReport(**store, *options, report_dir, publishable);
    if (!summary.ok()) return fail_or(summary.status());
    const std::string file = (fs::path(report_dir) / ReportFileName(publishable)).string();
    if (publishable) {
      // The console summary holds exact counts, small ones included: it is not printed beside the
      // disclosure-controlled file.
      std::cout << "Publishable report (small numbers suppressed): " << file
                << "\n(the exact-count summary is not printed for a publishable report; run `riskradar report` "
                   "without --publishable for the restricted one)\n";
      return;
    }
    std::cout << report::RenderSummaryText(*summary) << "Report: " << file << "\n";
  });

  // evaluate
  auto* eval_cmd = app.add_subcommand("evaluate", "Score the store's results against a synthetic partnership's truth");
  std::string truth_dir;
  eval_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  eval_cmd->add_option("--truth", truth_dir, "The truth/ directory written by `riskradar synth`")->required();
  bool eval_json = false;
  eval_cmd->add_flag("--json", eval_json, "Print one JSON object instead of the summary");
  eval_cmd->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    auto e = eval::EvaluateAgainstTruth(**store, truth_dir);
    if (!e.ok()) return fail_or(e.status());
    std::cout << (eval_json ? eval::RenderEvaluationJson(*e) : eval::RenderEvaluation(*e));
  });

  // demo
  auto* demo_cmd = app.add_subcommand("demo", "Run the whole pipeline on a synthetic partnership and evaluate it");
  std::string demo_dir = "demo-out";
  demo_cmd->add_option("--dir", demo_dir, "Working directory for the demo")->capture_default_str();
  demo_cmd->add_option("--seed", seed, "Random seed")->capture_default_str();
  demo_cmd->add_option("--scale", scale, "Size relative to the published regional figures")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1000.0));
  std::string demo_pg;
  demo_cmd->add_option("--db", demo_pg,
                       "A new, empty PostgreSQL database to run on (postgresql://...) instead of DIR/riskradar.db");
  demo_cmd->callback([&] { fail_or(RunDemo(demo_dir, seed, scale, demo_pg)); });

  // quarantine
  auto* quarantine_cmd = app.add_subcommand("quarantine", "Rows that were not loaded, with where and why");
  quarantine_cmd->require_subcommand(1);
  int64_t batch_id = 0, quarantine_id = 0;
  std::string export_path;
  bool quarantine_all = false;
  auto* q_list = quarantine_cmd->add_subcommand("list", "List open quarantined rows (--all: resolved ones too)");
  q_list->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  q_list->add_option("--batch", batch_id, "Only this batch");
  q_list->add_flag("--all", quarantine_all, "Include rows already resolved");
  q_list->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    auto rows = (*store)->ListQuarantine(batch_id);
    if (!rows.ok()) return fail_or(rows.status());
    size_t shown = 0, resolved = 0;
    for (const auto& q : *rows) {
      if (!q.open()) ++resolved;
      if (!q.open() && !quarantine_all) continue;
      ++shown;
      std::cout << fmt::format("{:>6}  {}:{}  {}{}{}\n", q.id, q.file, q.line,
                               q.column.empty() ? "" : "[" + q.column + "] ", q.reason,
                               q.open() ? "" : "  (resolved " + q.resolved_at + ": " + q.resolution + ")");
    }
    std::cout << shown << " quarantined rows";
    if (resolved > 0 && !quarantine_all) std::cout << " open (" << resolved << " resolved: --all lists them)";
    std::cout << "\n";
  });
  auto* q_show = quarantine_cmd->add_subcommand("show", "Show one quarantined row in full (personal data: audited)");
  q_show->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  q_show->add_option("id", quarantine_id, "Quarantine id")->required();
  q_show->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    auto row = access::AuditedAccess(**store).ReadQuarantinedRow(quarantine_id, store::Actor{});
    if (!row.ok()) return fail_or(row.status());
    const store::QuarantinedRow& q = *row;
    std::cout << fmt::format("id: {}\nbatch: {}\nfile: {}\nline: {}\ncolumn: {}\nvalue: {}\nreason: {}\nrow: {}\n",
                             q.id, q.batch_id, q.file, q.line, q.column, q.value, q.reason, q.raw);
  });
  auto* q_export = quarantine_cmd->add_subcommand(
      "export",
      "Export one batch's open quarantined rows in the agency's own format to fix and re-submit (--batch), with "
      "FILE.reasons.csv beside it; without --batch, every open row as a triage listing");
  q_export->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  q_export->add_option("--batch", batch_id, "The batch whose rows to export in its source format");
  q_export->add_option("--out", export_path, "File to write")->required();
  q_export->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    if (batch_id != 0) return fail_or(ExportQuarantineAsSource(**store, batch_id, export_path));
    // The export is audited before the file exists; the file appears whole (temp file, then rename) and 0600.
    auto rows = access::AuditedAccess(**store).ExportQuarantine(batch_id, export_path, store::Actor{});
    if (!rows.ok()) return fail_or(rows.status());
    auto quote = [](const std::string& s) {
      std::string q = "\"";
      for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
      return q + "\"";
    };
    std::string csv = "id,batch,file,line,column,reason,row\n";
    for (const auto& q : *rows) {
      if (!q.open()) continue;
      csv += fmt::format("{},{},{},{},{},{},{}\n", q.id, q.batch_id, quote(q.file), q.line, quote(q.column),
                         quote(q.reason), quote(q.raw));
    }
    if (auto s = WriteFileAtomically(export_path, csv, 0600); !s.ok()) return fail_or(s);
    std::cout << std::count(csv.begin(), csv.end(), '\n') - 1 << " rows written to " << export_path << "\n";
  });

  // audit
  auto* audit_cmd = app.add_subcommand("audit", "The tamper-evident audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify", "Check the audit Merkle tree against the signed checkpoints: nothing edited, removed or reordered");
  store::StoreOptions verify_options;
  verify_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  verify_cmd->add_option("--audit-key", verify_options.audit_key_path, "Audit key file (default: <db>.audit-key)");
  verify_cmd->add_option("--public-key", verify_options.audit_public_key, "Trusted hex Ed25519 public key instead");
  verify_cmd->add_option("--audit-witness", verify_options.audit_witness_path,
                         "Audit witness file to check freshness against (default: <db>.audit-witness)");
  verify_cmd->callback([&] {
    const auto start = std::chrono::steady_clock::now();
    auto store = OpenConfiguredStore(db, verify_options);
    if (!store.ok()) return fail_or(store.status());
    auto check = (*store)->VerifyAudit();
    if (!check.ok()) return fail_or(check.status());
    if (!check->ok) return fail_or(Status::Corruption(check->problem));
    std::cout << fmt::format("audit log ok: {} events, root {}, {} checkpoints matched ({:.1f} s)\n", check->events,
                             check->root_hash, check->checkpoints_checked, Seconds(start));
    if (check->latest) {
      std::cout << fmt::format("latest signed checkpoint: size {} signed {} by {}\n", check->latest->tree_size,
                               check->latest->signed_at, check->latest->public_key);
    }
    if (check->witness_present) {
      std::cout << fmt::format("witness: {} signed heads, newest at size {}: the log is at least as new\n",
                               check->witness_heads, check->witness_size);
    } else {
      std::cout << "witness: none yet (it starts with the log's first kept checkpoint)\n";
    }
  });

  // status
  auto* status_cmd = app.add_subcommand("status", "What the store holds");
  status_cmd->add_option("--db", db, "Store (SQLite file)")->capture_default_str();
  status_cmd->callback([&] {
    auto store = Open(db);
    if (!store.ok()) return fail_or(store.status());
    auto c = (*store)->Counts();
    if (!c.ok()) return fail_or(c.status());
    std::cout << fmt::format(
        "agencies {}\nimport batches {}\nsource records {}\nperson mentions {}\nplace mentions {}\nevents {}\n"
        "quarantined rows {} ({} open)\npeople {}\nplaces {}\nassessments {}\nlink pairs awaiting review {}\n"
        "audit events {}\n",
        c->agencies, c->batches, c->source_records, c->person_mentions, c->place_mentions, c->events, c->quarantined,
        c->quarantine_open, c->persons, c->places, c->assessments, c->review_pending, c->audit_events);
  });

  AddLinkageCommands(app, exit_code);
  RegisterNetworkCommands(app, exit_code);  // after linkage: adds `explain person`
  RegisterServerCommands(app, exit_code);
  RegisterRetentionCommands(app, exit_code);
  RegisterPlaceCommands(*app.get_subcommand("explain"), exit_code);
  RegisterPlacesCommand(app, exit_code);
  RegisterScreeningCommands(app, exit_code);
  RegisterPracticeCommands(app, exit_code);
  RegisterBatchCommands(app, exit_code);  // after quarantine: adds `quarantine resolve`
  RegisterOpsCommands(app, exit_code);
  RegisterKeyCommands(app, exit_code);
  RegisterInitCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const NoDataDir& e) {
    return Fail(e.status);
  } catch (const fs::filesystem_error& e) {
    // A throwing std::filesystem call must not end the process with std::terminate: report it as an I/O error.
    return Fail(Status::IoError(e.what()));
  }
  return exit_code;
}

}  // namespace riskradar::cli

int main(int argc, char** argv) { return riskradar::cli::Main(argc, argv); }

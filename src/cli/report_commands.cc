// `riskradar report profile --db STORE --from DATE --to DATE [--publishable] --out DIR`.
#include "report_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/report/profile.h"
#include "riskradar/report/profile_writer.h"

namespace riskradar::cli {
namespace fs = std::filesystem;

Status RunProfile(store::Store& store, const Paths& paths, const store::Actor& actor, const ProfileRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  if (request.to < request.from) {
    return Status::InvalidArgument(
        fmt::format("--to {} is before --from {}", request.to.ToIso(), request.from.ToIso()));
  }
  report::ProfileWriteOptions options;
  options.variant = request.publishable ? report::ReportVariant::kPublishable : report::ReportVariant::kRestricted;
  const fs::path rule_file =
      request.disclosure_file.empty() ? paths.config_dir / "report" / "disclosure.toml" : request.disclosure_file;
  RR_ASSIGN_OR_RETURN(options.disclosure, report::LoadDisclosureConfig(rule_file));
  RR_ASSIGN_OR_RETURN(options.districts,
                      report::LoadDistrictShapes(paths.data_dir / "geo" / "wm_lad_boundaries.geojson"));
  options.command = fmt::format("riskradar report profile --db {} --from {} --to {}{} --out DIR", request.db,
                                request.from.ToIso(), request.to.ToIso(), request.publishable ? " --publishable" : "");
  if (!request.disclosure_file.empty()) options.command += " --disclosure " + request.disclosure_file.string();

  RR_ASSIGN_OR_RETURN(auto source, report::ReadProfileSource(store));
  const report::ProfileFigures figures =
      report::ComputeProfile(source, request.partnership, {request.from, request.to});
  // The profile reads every child's records in aggregate: audited before anything is written.
  store::AuditEvent audit;
  audit.actor = actor;
  audit.action = "report_profile";
  audit.target = fmt::format("period:{}..{}", request.from.ToIso(), request.to.ToIso());
  audit.details = nlohmann::json{{"variant", request.publishable ? "publishable" : "restricted"},
                                 {"min_shown", options.disclosure.min_shown},
                                 {"round_to", options.disclosure.round_to}}
                      .dump();
  RR_RETURN_IF_ERROR(store.AppendAudit(audit));
  RR_RETURN_IF_ERROR(report::WriteProfile(figures, options, request.out_dir));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format("profile ({}): {} to {} -> {} (profile.html, profile.xlsx, tables/) in {:.2f} s\n",
                           request.publishable ? "publishable" : "restricted", request.from.ToIso(), request.to.ToIso(),
                           request.out_dir.string(), seconds);
  return Status::Ok();
}

CLI::App* RegisterReportProfileCommand(CLI::App& report, int& exit_code) {
  auto* cmd = report.add_subcommand(
      "profile", "The problem profile for a period: HTML, Excel and CSV tables, exact or with disclosure control");
  struct Args {
    std::string db = DefaultDbPath(), from, to, out = "profile", disclosure;
    bool publishable = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--db", args->db, "Store (SQLite file)")->capture_default_str();
  cmd->add_option("--from", args->from, "First day of the period, YYYY-MM-DD")->required();
  cmd->add_option("--to", args->to, "Last day of the period, YYYY-MM-DD")->required();
  cmd->add_option("--out", args->out, "Directory for profile.html, profile.xlsx and tables/")->capture_default_str();
  cmd->add_flag("--publishable", args->publishable,
                "Apply disclosure control (config/report/disclosure.toml): small numbers suppressed");
  cmd->add_option("--disclosure", args->disclosure, "A partnership's own disclosure rule (TOML, [disclosure])");
  cmd->callback([args, &exit_code] {
    auto fail = [&](const Status& s) { exit_code = Fail(s); };
    ProfileRequest request;
    request.db = args->db;
    auto from = Date::ParseIso(args->from);
    if (!from.ok()) return fail(from.status().WithContext("--from"));
    auto to = Date::ParseIso(args->to);
    if (!to.ok()) return fail(to.status().WithContext("--to"));
    request.from = *from;
    request.to = *to;
    request.publishable = args->publishable;
    request.out_dir = args->out;
    request.disclosure_file = args->disclosure;
    auto actor = OperatorActor("problem profile");
    if (!actor.ok()) return fail(actor.status());
    auto store = OpenConfiguredStore(args->db);
    if (!store.ok()) return fail(store.status());
    Status s = RunProfile(**store, Paths::Defaults(), *actor, request);
    if (!s.ok()) fail(s);
  });
  return cmd;
}

}  // namespace riskradar::cli

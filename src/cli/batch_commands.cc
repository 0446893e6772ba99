// `ingest --dry-run`, `quarantine export --batch` (the agency's own format), `quarantine resolve` and
// `batch list|revert`: see batch_commands.h and docs/analyst-guide.md.
#include "batch_commands.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>

#include "cli_support.h"
#include "exit_codes.h"
#include "pipeline.h"
#include "retention_policy.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/core/atomic_file.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/mapping.h"
#include "riskradar/ingest/quarantine_export.h"

namespace riskradar::cli {
namespace fs = std::filesystem;

Status DryRunIngest(const DryRunRequest& r) {
  if (!r.manifest.empty()) {
    return Status::InvalidArgument("--dry-run checks extracts named with --agency and --mapping, not a --manifest");
  }
  if (r.agency.empty() || r.mapping.empty() || r.files.empty()) {
    return Status::InvalidArgument("ingest --dry-run needs --agency, --mapping and at least one file");
  }
  RR_ASSIGN_OR_RETURN(const fs::path mapping_file,
                      ingest::ResolveMappingArgument(r.mapping, Paths::Defaults().config_dir / "mappings"));
  RR_ASSIGN_OR_RETURN(const ingest::Mapping mapping, ingest::Mapping::FromFile(mapping_file));
  RR_RETURN_IF_ERROR(RequireRetentionRule(mapping.record_class, r.policy));
  // A store that does not exist is not created: every row would be new.
  std::unique_ptr<store::Store> store;
  const std::string db_file = r.db.rfind("sqlite:", 0) == 0 ? r.db.substr(7) : r.db;
  if (fs::exists(db_file)) {
    RR_ASSIGN_OR_RETURN(store, OpenConfiguredStore(r.db, {}));
    RR_ASSIGN_OR_RETURN(const auto agencies, store->ListAgencies());
    bool known = false;
    for (const Agency& a : agencies) known = known || a.code == r.agency;
    if (!known) {
      std::cout << fmt::format(
          "note: agency '{}' is not registered in {}: the import needs --agency-kind (and "
          "--agency-name, --area) to register it\n",
          r.agency, r.db);
    }
  } else {
    std::cout << fmt::format("note: no store at {} yet: every row that passes would be new\n", r.db);
  }
  std::cout << fmt::format("dry run with mapping {} ({}, record class {}): nothing is written\n", mapping_file.string(),
                           mapping.format, mapping.record_class);
  for (const std::string& file : r.files) {
    RR_ASSIGN_OR_RETURN(ingest::DryRunResult result, ingest::DryRunImport(store.get(), mapping, r.agency, file));
    if (result.already_imported) {
      std::cout << fmt::format("{}: already imported as batch {}; nothing would change\n", file,
                               result.already_imported->id);
      continue;
    }
    const auto& c = result.counts;
    std::cout << fmt::format("{}: {} rows: {} would load (new or already stored), {} would be quarantined\n", file,
                             c.rows_in, c.landed, c.quarantined);
    // Each reason once, with how many rows and which lines.
    std::map<std::string, std::vector<int64_t>> by_reason;
    for (const store::QuarantinedRow& q : result.quarantined) {
      by_reason[(q.column.empty() ? "" : "[" + q.column + "] ") + q.reason].push_back(q.line);
    }
    for (const auto& [reason, lines] : by_reason) {
      std::string where;
      for (size_t i = 0; i < lines.size() && i < 10; ++i) where += (i ? ", " : "") + std::to_string(lines[i]);
      if (lines.size() > 10) where += fmt::format(" and {} more", lines.size() - 10);
      std::cout << fmt::format("  {:>6}  {} (line{} {})\n", lines.size(), reason, lines.size() > 1 ? "s" : "", where);
    }
  }
  return Status::Ok();
}

Status ExportQuarantineAsSource(store::Store& store, int64_t batch_id, const std::string& out) {
  const fs::path data_path = out;
  const fs::path reasons_path =
      data_path.parent_path() /
      ((data_path.has_extension() ? data_path.stem().string() : data_path.filename().string()) + ".reasons.csv");
  // Audited before either file exists; both appear whole (temporary file, then rename) and owner-only.
  RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("quarantine export"));
  RR_ASSIGN_OR_RETURN(auto exported,
                      access::AuditedAccess(store).ExportOpenQuarantine(batch_id, data_path.string(), actor));
  const auto& [batch, rows] = exported;
  RR_ASSIGN_OR_RETURN(const ingest::QuarantineExport rendered, ingest::RenderQuarantineExport(batch, rows));
  RR_RETURN_IF_ERROR(WriteFileAtomically(data_path, rendered.data, 0600));
  RR_RETURN_IF_ERROR(WriteFileAtomically(reasons_path, rendered.reasons, 0600));
  std::cout << fmt::format("{} open rows of batch {} ({}, format {}) written to {} as {}; where and why: {}\n",
                           rendered.rows, batch.id, batch.header.agency_code, batch.header.format, data_path.string(),
                           rendered.file_type, reasons_path.string());
  if (!rendered.note.empty()) std::cout << "note: " << rendered.note << "\n";
  std::cout << fmt::format(
      "Fix the rows, then load the file with the batch's mapping: riskradar ingest --agency {} --mapping <the {} "
      "mapping> {}; each row that lands resolves its quarantined row.\n",
      batch.header.agency_code, batch.header.format, data_path.string());
  return Status::Ok();
}

void RegisterBatchCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  struct Options {
    std::string db = DefaultDbPath(), reason;
    int64_t id = 0;
    bool cascade = false;
  };
  static Options o;

  CLI::App* quarantine = app.get_subcommand("quarantine");
  auto* resolve = quarantine->add_subcommand(
      "resolve",
      "Mark a quarantined row resolved by hand, with a reason (audited); rows whose corrected version "
      "lands are resolved by the import");
  resolve->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  resolve->add_option("id", o.id, "Quarantine id (from quarantine list)")->required();
  resolve->add_option("--reason", o.reason, "Why it needs no re-submission (10 to 2000 characters)")->required();
  resolve->callback([fail_or] {
    fail_or([&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db, {}));
      RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("quarantine resolve"));
      RR_RETURN_IF_ERROR(access::AuditedAccess(*s).ResolveQuarantinedRow(o.id, o.reason, actor));
      std::cout << fmt::format("quarantined row {} resolved\n", o.id);
      return Status::Ok();
    }());
  });

  auto* batch = app.add_subcommand("batch", "Import batches: list them, revert one loaded with the wrong mapping");
  batch->require_subcommand(1);
  auto* list = batch->add_subcommand("list", "Every import batch with its counts and status (audited)");
  list->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  list->callback([fail_or] {
    fail_or([&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db, {}));
      RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("batch list"));
      RR_ASSIGN_OR_RETURN(auto batches, access::AuditedAccess(*s).ReadImports("", actor));
      for (const store::BatchInfo& b : batches) {
        std::cout << fmt::format("{:>5}  {:<9} {:<12} {:<24} {:>7} rows {:>7} landed {:>6} quarantined  {}\n", b.id,
                                 b.status, b.header.agency_code, b.header.format, b.counts.rows_in, b.counts.landed,
                                 b.counts.quarantined, b.header.file);
      }
      std::cout << batches.size() << " import batches\n";
      return Status::Ok();
    }());
  });
  auto* revert = batch->add_subcommand(
      "revert", "Remove a batch loaded with the wrong mapping (audited; refused if later stages depend on it)");
  revert->add_option("--db", o.db, "Store (SQLite file)")->capture_default_str();
  revert->add_option("id", o.id, "Batch id (from batch list)")->required();
  revert->add_flag("--cascade", o.cascade,
                   "Also remove what link, assess and network built on it (re-run them afterwards)");
  revert->callback([fail_or] {
    fail_or([&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto s, OpenConfiguredStore(o.db, {}));
      RR_ASSIGN_OR_RETURN(const store::Actor actor, OperatorActor("batch revert"));
      RR_ASSIGN_OR_RETURN(const access::BatchRevertOutcome out,
                          access::AuditedAccess(*s).RevertBatch(o.id, o.cascade, actor));
      const store::BatchRevertCounts& c = out.removed;
      std::cout << fmt::format(
          "batch {} reverted: {} source records, {} person mentions, {} place mentions, {} events and {} quarantined "
          "rows removed; {} quarantined rows it had resolved are open again\n",
          o.id, c.source_records, c.person_mentions, c.place_mentions, c.events, c.quarantined, c.quarantine_reopened);
      if (out.dependents.any()) {
        std::cout << fmt::format(
            "  derived data removed: {} assessments, {} review items, {} event links; {} disruptions unlinked from "
            "its events; {} people left with no record erased\n"
            "  now re-run: riskradar link, assess, network\n",
            c.assessments_removed, c.review_pairs, c.event_links, c.disruptions_unlinked, c.people_erased);
      }
      return Status::Ok();
    }());
  });
}

}  // namespace riskradar::cli

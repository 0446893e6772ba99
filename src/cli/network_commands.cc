// Network subcommands: `network priorities --db F --user NAME [--top N] [--json]`, `network export --format
// graphml|csv --out F [--network ID | --person ID --hops N] [--identities] --user NAME` and
// `explain person ID --db F --user NAME [--json]`, the offender priority of a person of
// concern with its breakdown, as the account NAME may see it (access layer, audited as read_person_priority).
#include "network_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/network_graph.h"
#include "riskradar/access/person_priority.h"
#include "riskradar/core/atomic_file.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

// An unknown, disabled or not yet enrolled account is refused (audited as forbidden) before anything is read.
Status RunExplainPerson(const std::string& db, int64_t person_id, const std::string& user, bool as_json) {
  if (user.empty()) return Status::InvalidArgument("explain person needs --user NAME, an account in the store");
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(db));
  access::AuditedAccess audited(*store);
  const std::string target = "person:" + std::to_string(person_id);
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, store->FindUser(user));
  if (!account || account->disabled || account->must_enrol) {
    const store::Actor actor{user, "", "", "explain person"};
    RR_RETURN_IF_ERROR(audited.RecordRefusal(actor, "read_person_priority", target));
    return Status::PermissionDenied(fmt::format(
        "--user {}: no enabled account of that name in {}; explain person shows what an account may see", user, db));
  }
  const Viewer viewer{account->id, account->name, account->agency_code, account->role};
  const store::Actor actor{account->name, account->agency_code, std::string(ToString(account->role)),
                           "explain person (command line)"};
  const int64_t now_s = UnixNow();
  RR_ASSIGN_OR_RETURN(const access::PersonPriorityView view,
                      audited.ReadPersonPriority(person_id, viewer, now_s, actor));
  if (as_json) {
    std::cout << access::PersonPriorityJson(view).dump(2) << "\n";
  } else {
    std::cout << access::PersonPriorityText(view);
  }
  return Status::Ok();
}

// `network priorities`: the priority list as the account may see it, highest first.
Status RunPriorities(const std::string& db, const std::string& user, int64_t top, bool as_json) {
  if (top < 1) return Status::InvalidArgument(fmt::format("--top must be at least 1, got {}", top));
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(db));
  access::AuditedAccess audited(*store);
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, store->FindUser(user));
  if (!account || account->disabled || account->must_enrol) {
    const store::Actor actor{user, "", "", "network priorities"};
    RR_RETURN_IF_ERROR(audited.RecordRefusal(actor, "list_person_priorities", "person_priorities"));
    return Status::PermissionDenied(fmt::format(
        "--user {}: no enabled account of that name in {}; the list shows what an account may see", user, db));
  }
  const Viewer viewer{account->id, account->name, account->agency_code, account->role};
  const store::Actor actor{account->name, account->agency_code, std::string(ToString(account->role)),
                           "network priorities (command line)"};
  const int64_t now_s = UnixNow();
  RR_ASSIGN_OR_RETURN(const auto list, audited.ReadPriorityList(viewer, now_s, top, actor));
  if (as_json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : list) out.push_back(access::PersonPriorityJson(v));
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << fmt::format("{:>4}  {:>8}  {:>8}  {:<10}  {}\n", "rank", "person", "priority", "network", "name");
  int rank = 0;
  for (const auto& v : list) {
    const store::PersonPriority& p = *v.priority;
    std::cout << fmt::format("{:>4}  {:>8}  {:>8g}  {:<10}  {}{}\n", ++rank, v.person.id, p.priority,
                             p.network_id == 0 ? std::string("-") : fmt::format("{} {}", p.network_id, p.role),
                             v.person.display_name, p.suspected_offender ? "" : " (below the offender score)");
  }
  return Status::Ok();
}

// `network export`: the graph of one network, one person's ego network or the whole latest run, as GraphML or
// nodes.csv + edges.csv, pseudonymous unless --identities (access layer: audited before the file is written).
struct ExportArgs {
  std::string db, user, format, out;
  int64_t network = 0, person = 0;
  int hops = 1;
  bool identities = false;
};

Status RunExport(const ExportArgs& args) {
  if (args.format != "graphml" && args.format != "csv") {
    return Status::InvalidArgument(fmt::format("--format is graphml or csv, got '{}'", args.format));
  }
  if (args.out.empty()) return Status::InvalidArgument("--out needs a file (graphml) or a directory (csv)");
  if (args.network != 0 && args.person != 0) {
    return Status::InvalidArgument("--network and --person: give one of them (or neither for the whole graph)");
  }
  access::GraphExportRequest request;
  request.scope = args.network != 0 ? "network" : args.person != 0 ? "person" : "all";
  request.id = args.network != 0 ? args.network : args.person;
  request.hops = args.hops;
  request.identities = args.identities;
  request.format = args.format;
  const std::filesystem::path out(args.out);
  request.destination = std::filesystem::absolute(out).string();
  if (args.format == "csv" && std::filesystem::exists(out) && !std::filesystem::is_directory(out)) {
    return Status::InvalidArgument(
        fmt::format("--out {}: csv writes nodes.csv and edges.csv into a directory, and this is a file", args.out));
  }
  if (args.format == "graphml" && std::filesystem::is_directory(out)) {
    return Status::InvalidArgument(fmt::format("--out {}: graphml writes one file, and this is a directory", args.out));
  }
  RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(args.db));
  access::AuditedAccess audited(*store);
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, store->FindUser(args.user));
  if (!account || account->disabled || account->must_enrol) {
    const store::Actor actor{args.user, "", "", "network export"};
    RR_RETURN_IF_ERROR(audited.RecordRefusal(actor, "export_network", request.destination));
    return Status::PermissionDenied(
        fmt::format("--user {}: no enabled account of that name in {}; an export holds what an account may see",
                    args.user, args.db));
  }
  const Viewer viewer{account->id, account->name, account->agency_code, account->role};
  const store::Actor actor{account->name, account->agency_code, std::string(ToString(account->role)),
                           "network export (command line)"};
  const int64_t now_s = UnixNow();
  RR_ASSIGN_OR_RETURN(const access::NetworkGraph graph, audited.ExportNetworkGraph(request, viewer, now_s, actor));
  int identified = 0;
  for (const auto& n : graph.nodes) identified += n.identified;
  if (args.format == "graphml") {
    RR_RETURN_IF_ERROR(WriteFileAtomically(out, access::NetworkGraphMl(graph), 0600));
  } else {
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (ec) return Status::IoError(fmt::format("--out {}: cannot create the directory: {}", args.out, ec.message()));
    const access::GraphCsv csv = access::NetworkGraphCsv(graph);
    RR_RETURN_IF_ERROR(WriteFileAtomically(out / "nodes.csv", csv.nodes, 0600));
    RR_RETURN_IF_ERROR(WriteFileAtomically(out / "edges.csv", csv.edges, 0600));
  }
  std::cout << fmt::format("exported {} nodes ({} identified) and {} edges as {} to {}{}\n", graph.nodes.size(),
                           identified, graph.edges.size(), args.format, args.out,
                           graph.truncated ? " (truncated: the ego network reached its size limit)" : "");
  return Status::Ok();
}

}  // namespace

void RegisterNetworkCommands(CLI::App& app, int& exit_code) {
  CLI::App* explain = app.get_subcommand_ptr("explain").get();
  auto db = std::make_shared<std::string>(DefaultDbPath());
  auto id = std::make_shared<int64_t>(0);
  auto user = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  auto* person = explain->add_subcommand(
      "person", "A person of concern's offender priority: the score, network role, measures and every reason");
  person->add_option("id", *id, "Person id")->required();
  person->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  person->add_option("--user", *user, "The account whose need-to-know applies")->required();
  person->add_flag("--json", *as_json, "The same structure as JSON");
  person->callback([=, &exit_code] {
    const Status s = RunExplainPerson(*db, *id, *user, *as_json);
    exit_code = s.ok() ? 0 : Fail(s);
  });

  CLI::App* network = app.get_subcommand_ptr("network").get();
  auto top = std::make_shared<int64_t>(20);
  auto list_user = std::make_shared<std::string>();
  auto list_json = std::make_shared<bool>(false);
  auto* priorities = network->add_subcommand(
      "priorities", "The offender priority list of the latest run, highest first, as an account may see it");
  priorities->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  priorities->add_option("--user", *list_user, "The account whose need-to-know applies")->required();
  priorities->add_option("--top", *top, "How many")->capture_default_str();
  priorities->add_flag("--json", *list_json, "Each entry as `explain person --json` prints it");
  priorities->callback([=, &exit_code] {
    const Status s = RunPriorities(*db, *list_user, *top, *list_json);
    exit_code = s.ok() ? 0 : Fail(s);
  });

  auto ex = std::make_shared<ExportArgs>();
  ex->db = DefaultDbPath();
  auto* exporter = network->add_subcommand(
      "export", "The graph (a network, a person's ego network or all) as GraphML or CSV, pseudonymous by default");
  exporter->add_option("--db", ex->db, "Store (SQLite file)")->capture_default_str();
  exporter->add_option("--user", ex->user, "The account whose need-to-know applies")->required();
  exporter->add_option("--format", ex->format, "graphml (Gephi, Cytoscape) or csv (nodes.csv + edges.csv, i2)")
      ->required();
  exporter->add_option("--out", ex->out, "The GraphML file, or the directory for the CSV files")->required();
  exporter->add_option("--network", ex->network, "One network of the latest run");
  exporter->add_option("--person", ex->person, "One person's ego network");
  exporter->add_option("--hops", ex->hops, "The ego network's radius (1 to 3)")->capture_default_str();
  exporter->add_flag("--identities", ex->identities,
                     "Identify the people the account may see (roles that may see identities only; audited)");
  exporter->callback([ex, &exit_code] {
    const Status s = RunExport(*ex);
    exit_code = s.ok() ? 0 : Fail(s);
  });
}

}  // namespace riskradar::cli

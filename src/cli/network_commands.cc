// Network subcommands: `network priorities --db F --user NAME [--top N] [--json]` and
// `explain person ID --db F --user NAME [--json]`, the offender priority of a person of
// concern with its breakdown, as the account NAME may see it (access layer, audited as read_person_priority).
#include "network_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/person_priority.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

// An unknown, disabled or not yet enrolled account is refused (audited as forbidden) before anything is read.
Status RunExplainPerson(const std::string& db, int64_t person_id, const std::string& user, bool as_json) {
  if (user.empty()) return Status::InvalidArgument("explain person needs --user NAME, an account in the store");
  RR_ASSIGN_OR_RETURN(auto store, store::OpenStore(db));
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
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
  RR_ASSIGN_OR_RETURN(auto store, store::OpenStore(db));
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
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
}

}  // namespace riskradar::cli

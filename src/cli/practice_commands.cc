// `alerts raise|list`, `disruptions import|list`, `actions list`, `mase list|show`: the practice stage and the
// practice workflow's reads for the account --user, through the access layer (access/practice.h).
#include "practice_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/practice.h"
#include "riskradar/practice/practice.h"

namespace riskradar::cli {
namespace {

// The account --user as a viewer, or a refusal (audited) for an unknown or disabled one.
Result<std::pair<Viewer, store::Actor>> Account(store::Store& store, const std::string& user,
                                                const std::string& command, const std::string& action,
                                                const std::string& target) {
  if (user.empty()) return Status::InvalidArgument(command + " needs --user NAME, an account in the store");
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, store.FindUser(user));
  if (!account || account->disabled || account->must_enrol) {
    RR_RETURN_IF_ERROR(access::AuditedAccess(store).RecordRefusal(store::Actor{user, "", "", command}, action, target));
    return Status::PermissionDenied(fmt::format("--user {}: no enabled account of that name", user));
  }
  return std::pair(Viewer{account->id, account->name, account->agency_code, account->role},
                   store::Actor{account->name, account->agency_code, std::string(ToString(account->role)),
                                command + " (command line)"});
}

Result<Date> TodayOr(const std::string& text) {
  if (text.empty()) return Date::FromUnixSeconds(UnixNow());
  auto d = Date::ParseIso(text);
  if (!d.ok()) return d.status().WithContext("--today");
  return d;
}

}  // namespace

Status RunPracticeStage(store::Store& store, Date today, int expiry_warning_days, const store::Actor& actor) {
  const auto start = std::chrono::steady_clock::now();
  practice::AlertOptions options;
  options.expiry_warning_days = expiry_warning_days;
  RR_ASSIGN_OR_RETURN(const auto summary, practice::RunPracticeStage(store, today, options, actor));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << fmt::format(
      "practice: {} police disruption events newly tracked; {} alerts raised as of {}{} ({:.2f} s)\n",
      summary.disruptions_tracked, summary.alerts.raised, today.ToIso(),
      summary.alerts.baseline_was_set ? "" : " (first run: baseline recorded)", seconds);
  return Status::Ok();
}

void RegisterPracticeCommands(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  auto db = std::make_shared<std::string>(DefaultDbPath());
  auto user = std::make_shared<std::string>();
  auto today = std::make_shared<std::string>();
  auto expiry_days = std::make_shared<int>(28);
  auto all = std::make_shared<bool>(false);
  auto overdue = std::make_shared<bool>(false);
  auto meeting_id = std::make_shared<int64_t>(0);

  auto* alerts = app.add_subcommand("alerts", "Practitioner alerts: raise them after the stages, list your own");
  alerts->require_subcommand(1);
  auto* raise = alerts->add_subcommand(
      "raise", "The practice stage: track police disruption events, then raise practitioner alerts (idempotent)");
  raise->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  raise->add_option("--today", *today, "YYYY-MM-DD (default: today's date)");
  raise->add_option("--expiry-days", *expiry_days, "Alert disruption orders expiring within this many days")
      ->capture_default_str()
      ->check(CLI::Range(1, 365));
  raise->callback([=] {
    auto store = OpenConfiguredStore(*db);
    if (!store.ok()) return fail_or(store.status());
    auto d = TodayOr(*today);
    if (!d.ok()) return fail_or(d.status());
    fail_or(RunPracticeStage(**store, *d, *expiry_days, store::Actor{}));
  });
  auto* alerts_list = alerts->add_subcommand("list", "Your practitioner alerts (audited)");
  alerts_list->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  alerts_list->add_option("--user", *user, "The account whose alerts and need-to-know apply")->required();
  alerts_list->add_flag("--all", *all, "Acknowledged ones too");
  alerts_list->callback([=] {
    auto run = [&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(*db));
      RR_ASSIGN_OR_RETURN(auto account, Account(*store, *user, "alerts list", "list_my_alerts", "alerts"));
      RR_ASSIGN_OR_RETURN(auto rows,
                          access::Practice(*store).ListMyAlerts(account.first, !*all, UnixNow(), account.second));
      std::cout << fmt::format("{} alert(s) for {}\n", rows.size(), *user);
      for (const auto& a : rows) {
        std::cout << fmt::format("  #{} {} child {}: {} [{} {}] {}{}\n", a.id, a.kind, a.person_id, a.detail,
                                 a.evidence_kind, nlohmann::json(a.evidence).dump(), a.why,
                                 a.acknowledged_at.empty() ? "" : " (acknowledged)");
      }
      return Status::Ok();
    };
    fail_or(run());
  });

  auto* disruptions = app.add_subcommand("disruptions", "The disruption tracker");
  disruptions->require_subcommand(1);
  auto* import = disruptions->add_subcommand("import", "Track imported police disruption events (idempotent)");
  import->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  import->callback([=] {
    auto run = [&]() -> Status {
      RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(*db));
  RR_ASSIGN_OR_RETURN(const int64_t n, practice::ImportDisruptions(*store, store::Actor{}));
  std::cout << fmt::format("disruptions: {} police disruption events newly tracked\n", n);
  return Status::Ok();
};
fail_or(run());
}  // namespace riskradar::cli
);
auto* d_list = disruptions->add_subcommand("list", "Disruptions the account may see (audited)");
d_list->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
d_list->add_option("--user", *user, "The account whose need-to-know applies")->required();
d_list->callback([=] {
  auto run = [&]() -> Status {
    RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(*db));
    RR_ASSIGN_OR_RETURN(auto account, Account(*store, *user, "disruptions list", "list_disruptions", "disruptions"));
    RR_ASSIGN_OR_RETURN(auto rows, access::Practice(*store).ListDisruptions(account.first, UnixNow(), account.second));
    std::cout << fmt::format("{} disruption(s)\n", rows.size());
    for (const auto& d : rows) {
      std::cout << fmt::format("  #{} {} {} person {} place {} issued {} expires {} by {}; {} breach(es)\n", d.id,
                               d.kind, d.status, d.person_id, d.place_id, d.issued.ToIso(),
                               d.expires ? d.expires->ToIso() : "-", d.issuing_agency, d.breaches.size());
    }
    return Status::Ok();
  };
  fail_or(run());
});

auto* actions = app.add_subcommand("actions", "MASE and practice actions");
actions->require_subcommand(1);
auto* a_list = actions->add_subcommand("list", "Actions the account may see (audited)");
a_list->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
a_list->add_option("--user", *user, "The account whose need-to-know applies")->required();
a_list->add_flag("--overdue", *overdue, "Open actions past their due date only");
a_list->add_option("--today", *today, "YYYY-MM-DD for --overdue (default: today's date)");
a_list->callback([=] {
  auto run = [&]() -> Status {
    RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(*db));
    RR_ASSIGN_OR_RETURN(auto account, Account(*store, *user, "actions list", "list_actions", "actions"));
    access::ActionQuery q;
    q.overdue_only = *overdue;
    RR_ASSIGN_OR_RETURN(q.today, TodayOr(*today));
    RR_ASSIGN_OR_RETURN(auto rows, access::Practice(*store).ListActions(account.first, q, UnixNow(), account.second));
    std::cout << fmt::format("{} action(s)\n", rows.size());
    for (const auto& a : rows) {
      std::cout << fmt::format("  #{} [{}] due {} {} ({} / {}) on {} {}\n", a.id, a.status, a.due.ToIso(), a.title,
                               a.owner_agency, a.owner_user, a.link_kind, a.link_id);
    }
    return Status::Ok();
  };
  fail_or(run());
});

auto* mase = app.add_subcommand("mase", "MASE meetings");
mase->require_subcommand(1);
auto* m_list = mase->add_subcommand("list", "Meetings (audited)");
m_list->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
m_list->add_option("--user", *user, "The account whose need-to-know applies")->required();
m_list->callback([=] {
  auto run = [&]() -> Status {
    RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(*db));
    RR_ASSIGN_OR_RETURN(auto account, Account(*store, *user, "mase list", "list_meetings", "meetings"));
    RR_ASSIGN_OR_RETURN(auto rows, access::Practice(*store).ListMeetings(account.first, UnixNow(), account.second));
    std::cout << fmt::format("{} meeting(s)\n", rows.size());
    for (const auto& m : rows) {
      std::cout << fmt::format("  #{} {} {} chair {} ({} on the panel) {}\n", m.id, m.date.ToIso(), m.district, m.chair,
                               m.panel.size(), m.status);
    }
    return Status::Ok();
  };
  fail_or(run());
});
auto* m_show = mase->add_subcommand("show", "One meeting's agenda and minutes (audited)");
m_show->add_option("id", *meeting_id, "Meeting id")->required();
m_show->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
m_show->add_option("--user", *user, "The account whose need-to-know applies")->required();
m_show->callback([=] {
  auto run = [&]() -> Status {
    RR_ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(*db));
    RR_ASSIGN_OR_RETURN(auto account,
                        Account(*store, *user, "mase show", "read_meeting", "meeting:" + std::to_string(*meeting_id)));
    RR_ASSIGN_OR_RETURN(auto v,
                        access::Practice(*store).ReadMeeting(account.first, *meeting_id, UnixNow(), account.second));
    const auto& m = v.meeting;
    std::cout << fmt::format("MASE meeting #{}: {} on {} (chair {}, {}), listings until {}\n", m.id, m.district,
                             m.date.ToIso(), m.chair, m.status, m.period_end.ToIso());
    for (const auto& i : m.agenda) {
      std::cout << fmt::format("  item {}: {} {} — {}{}\n", i.id, i.person_id ? "child" : "place",
                               i.person_id ? i.person_id : i.place_id, i.reasons,
                               i.removed ? " (removed: " + i.removal_reason + ")" : "");
      if (!i.minutes.empty()) std::cout << "    minutes: " << i.minutes << "\n";
    }
    return Status::Ok();
  };
  fail_or(run());
});
}

Status SeedDemoPractice(store::Store& store, const std::vector<Agency>& agencies,
                        const std::map<std::string, int64_t>& created) {
  const Agency* council = nullptr;
  const Agency* police = nullptr;
  for (const Agency& a : agencies) {
    if (!council && a.kind == AgencyKind::kCouncil) council = &a;
    if (!police && a.kind == AgencyKind::kPolice) police = &a;
  }
  if (!council || !police || store::PracticeOf(store) == nullptr) return Status::Ok();
  const std::string chair = council->code + "-manager", worker = council->code + "-practitioner",
                    officer = police->code + "-practitioner";
  if (!created.count(chair) || !created.count(worker) || !created.count(officer)) return Status::Ok();
  const Viewer chair_v{created.at(chair), chair, council->code, Role::kManager};
  const Viewer officer_v{created.at(officer), officer, police->code, Role::kPractitioner};
  auto actor_of = [](const Viewer& v) {
    return store::Actor{v.user_name, v.agency_code, std::string(ToString(v.role)), "demo seed (command line)"};
  };
  const int64_t now = UnixNow();
  const Date today = Date::FromUnixSeconds(now);
  access::Practice practice(store);
  // The district with most children on the radar.
  RR_ASSIGN_OR_RETURN(const auto radar, store::PracticeOf(store)->LoadRadarFacts());
  std::map<std::string, int> by_district;
  for (const auto& f : radar) {
    if (f.is_child && f.level && *f.level >= RiskLevel::kSignificant && !f.district.empty()) ++by_district[f.district];
  }
  if (by_district.empty()) return Status::Ok();
  const std::string district =
      std::max_element(by_district.begin(), by_district.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  access::MeetingInput in;
  in.district = district;
  in.chair = chair;
  in.panel = {worker, officer};
  in.date = today.AddDays(7);
  RR_ASSIGN_OR_RETURN(auto meeting, practice.CreateMeeting(chair_v, in, now, actor_of(chair_v)));
  const auto& m = meeting.meeting;
  int64_t child = 0;
  for (const auto& item : m.agenda) {
    if (item.person_id != 0) {
      child = item.person_id;
      RR_RETURN_IF_ERROR(practice
                             .RecordMinutes(chair_v, m.id, item.id,
                                            "Strategy discussion agreed; return home interview and school liaison.",
                                            now, actor_of(chair_v))
                             .status());
      break;
    }
  }
  access::ActionInput a;
  a.owner_agency = council->code;
  a.owner_user = worker;
  a.link_kind = child ? "child" : "meeting";
  a.link_id = child ? child : m.id;
  a.title = "Return home interview after the latest missing episode";
  a.due = today.AddDays(-3);  // overdue: it raises an alert
  RR_RETURN_IF_ERROR(practice.CreateAction(chair_v, a, now, actor_of(chair_v)).status());
  a.title = "Agree a safety plan with the school";
  a.due = today.AddDays(14);
  RR_RETURN_IF_ERROR(practice.CreateAction(chair_v, a, now, actor_of(chair_v)).status());
  RR_ASSIGN_OR_RETURN(const int64_t imported, practice::ImportDisruptions(store, store::Actor{}));
  RR_ASSIGN_OR_RETURN(const auto places, store.ListPlacesOfConcern());
  int64_t notices = 0;
  if (!places.places.empty()) {
    access::DisruptionInput d;
    d.kind = "hotel_notice";
    d.place_id = places.places.front().place.id;
    d.issuing_agency = police->code;
    d.issued = today.AddDays(-170);
    d.expires = today.AddDays(13);  // expiring: it raises an alert for the children seen there
    d.note = "Hotel and B&B notice served on the manager (synthetic demo)";
    RR_RETURN_IF_ERROR(practice.CreateDisruption(officer_v, d, now, actor_of(officer_v)).status());
    ++notices;
  }
  RR_ASSIGN_OR_RETURN(const auto alerts, practice::RunAlertStage(store, today, {}, store::Actor{}));
  // What the newcomer will find, as the accounts that will look (read through the access layer, audited).
  const Viewer worker_v{created.at(worker), worker, council->code, Role::kPractitioner};
  access::ActionQuery everything;
  everything.today = today;
  RR_ASSIGN_OR_RETURN(const auto actions, practice.ListActions(worker_v, everything, now, actor_of(worker_v)));
  RR_ASSIGN_OR_RETURN(const auto tracked, practice.ListDisruptions(officer_v, now, actor_of(officer_v)));
  std::cout << fmt::format(
      "MASE meeting #{} ({} on {}, chair {}): {} agenda items, {} panel listing requests to approve "
      "(GET /api/approvals); 2 actions (one overdue), {} in all for {} (GET /api/actions); {} police disruption "
      "events newly tracked and {} notice added, {} disruptions in the tracker for {} (GET /api/disruptions); "
      "{} alerts raised (GET /api/alerts/mine as {} or {}).\n",
      m.id, district, m.date.ToIso(), chair, m.agenda.size(), meeting.listing_requests, actions.size(), worker,
      imported, notices, tracked.size(), officer, alerts.raised, worker, chair);
  return Status::Ok();
}

}  // namespace riskradar::cli

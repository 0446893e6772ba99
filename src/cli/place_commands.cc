// `explain place`: a place of concern's score, time profile, trend and hotspot as the account --user may see
// it, through the access layer (audited as "read_place" with "explain": true).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli_support.h"
#include "exit_codes.h"
#include "riskradar/access/audited_access.h"
#include "riskradar/access/place_explanation.h"
#include "riskradar/network/places.h"
#include "riskradar/store/store.h"

namespace riskradar::cli {
namespace {

// The account --user as a viewer, or a refusal (audited) for an unknown or disabled one.
Result<std::pair<Viewer, store::Actor>> Account(store::Store& store, access::AuditedAccess& audited,
                                                const std::string& db, const std::string& user,
                                                const std::string& command, const std::string& action,
                                                const std::string& target) {
  if (user.empty()) return Status::InvalidArgument(command + " needs --user NAME, an account in the store");
  RR_ASSIGN_OR_RETURN(const std::optional<store::User> account, store.FindUser(user));
  if (!account || account->disabled || account->must_enrol) {
    RR_RETURN_IF_ERROR(audited.RecordRefusal(store::Actor{user, "", "", command}, action, target));
    return Status::PermissionDenied(fmt::format("--user {}: no enabled account of that name in {}", user, db));
  }
  return std::pair(Viewer{account->id, account->name, account->agency_code, account->role},
                   store::Actor{account->name, account->agency_code, std::string(ToString(account->role)),
                                command + " (command line)"});
}

Status RunExplainPlace(const std::string& db, int64_t place_id, const std::string& user, bool as_json) {
  auto store = OpenConfiguredStore(db);
  if (!store.ok()) return store.status();
  access::AuditedAccess audited(**store);
  RR_ASSIGN_OR_RETURN(const auto account, Account(**store, audited, db, user, "explain place", "read_place",
                                                  "place:" + std::to_string(place_id)));
  const auto& [viewer, actor] = account;
  const int64_t now_s = UnixNow();
  auto x = audited.ExplainPlaceOfConcern(place_id, viewer, now_s, actor);
  if (!x.ok()) {
    if (x.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(fmt::format(
          "place {} is not a place of concern in the latest network run (or does not exist); run `riskradar network` "
          "first",
          place_id));
    }
    return x.status();
  }
  std::cout << (as_json ? access::PlaceExplanationJson(*x).dump(2) + "\n" : access::PlaceExplanationText(*x));
  return Status::Ok();
}

// `places`: the hotspots (places of concern by type and district, with when they are busiest) and the ranked
// places of concern, from the latest network run (aggregates and place details, no person: audited as
// "list_places").
Status RunPlaces(const std::string& db, const std::string& user, int top, bool as_json) {
  auto store = OpenConfiguredStore(db);
  if (!store.ok()) return store.status();
  access::AuditedAccess audited(**store);
  RR_ASSIGN_OR_RETURN(const auto account, Account(**store, audited, db, user, "places", "list_places", "places"));
  RR_ASSIGN_OR_RETURN(const std::vector<store::PlaceOfConcern> places, audited.ReadPlacesOfConcern(account.second));
  std::vector<network::PlaceRank> ranks;
  for (const store::PlaceOfConcern& p : places) {
    network::PlaceRank r;
    r.place_id = p.place.id;
    r.type = p.place.type;
    r.district = p.place.district;
    r.score = p.score.score;
    r.of_concern = p.score.of_concern;
    r.profile.by_weekday = p.score.profile.by_weekday;
    r.profile.by_hour = p.score.profile.by_hour;
    r.profile.occasions = p.score.profile.occasions;
    r.profile.timed = p.score.profile.timed;
    r.trend = p.score.profile.trend == "emerging"    ? network::PlaceTrend::kEmerging
              : p.score.profile.trend == "declining" ? network::PlaceTrend::kDeclining
                                                     : network::PlaceTrend::kSteady;
    ranks.push_back(std::move(r));
  }
  const std::vector<network::Hotspot> hotspots = network::SummariseHotspots(ranks);
  const size_t shown = std::min(places.size(), static_cast<size_t>(std::max(top, 0)));
  if (as_json) {
    nlohmann::json out = {{"hotspots", nlohmann::json::array()}, {"places", nlohmann::json::array()}};
    for (const network::Hotspot& h : hotspots) {
      out["hotspots"].push_back({{"type", ToString(h.type)},
                                 {"district", h.district},
                                 {"places_of_concern", h.places_of_concern},
                                 {"score", h.score},
                                 {"emerging", h.emerging},
                                 {"declining", h.declining},
                                 {"by_weekday", h.profile.by_weekday},
                                 {"by_hour", h.profile.by_hour},
                                 {"peak_days", network::PeakDays(h.profile)},
                                 {"peak_hours", network::PeakHours(h.profile)}});
    }
    for (size_t i = 0; i < shown; ++i) {
      const store::PlaceOfConcern& p = places[i];
      out["places"].push_back({{"rank", i + 1},
                               {"id", p.place.id},
                               {"name", p.place.name},
                               {"type", ToString(p.place.type)},
                               {"district", p.place.district},
                               {"score", p.score.score},
                               {"trend", p.score.profile.trend}});
    }
    std::cout << out.dump(2) << "\n";
    return Status::Ok();
  }
  std::cout << fmt::format("Hotspots: {} places of concern by type and district (summed score; busiest days, hours)\n",
                           places.size());
  for (const network::Hotspot& h : hotspots) {
    std::cout << fmt::format("  {:<16} {:<30} {:>3} places  score {:>7.2f}  {}{}{}\n", ToString(h.type),
                             h.district.empty() ? "(district unknown)" : h.district, h.places_of_concern, h.score,
                             network::PeakDays(h.profile), h.profile.timed ? "; " : "", network::PeakHours(h.profile));
    if (h.emerging + h.declining > 0)
      std::cout << fmt::format("  {:<16} {:<30} {} emerging, {} declining\n", "", "", h.emerging, h.declining);
  }
  std::cout << fmt::format("Places of concern, highest score first (top {}; `riskradar explain place ID` for one):\n",
                           shown);
  for (size_t i = 0; i < shown; ++i) {
    const store::PlaceOfConcern& p = places[i];
    std::cout << fmt::format("  {:>3}. place {} {} ({}, {}): score {:g}, {}\n", i + 1, p.place.id, p.place.name,
                             ToString(p.place.type), p.place.district, p.score.score, p.score.profile.trend);
  }
  return Status::Ok();
}

}  // namespace

// Registers `explain place` on the `explain` command (linkage_commands.cc creates it).
void RegisterPlaceCommands(CLI::App& explain, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  auto db = std::make_shared<std::string>(DefaultDbPath());
  auto place_id = std::make_shared<int64_t>(0);
  auto as_json = std::make_shared<bool>(false);
  auto user = std::make_shared<std::string>();
  auto* place = explain.add_subcommand(
      "place", "A place of concern's score and its breakdown, when it is used (day and hour), its trend and hotspot");
  place->add_option("id", *place_id, "Place id")->required();
  place->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  place->add_option("--user", *user, "The account whose need-to-know applies")->required();
  place->add_flag("--json", *as_json, "As JSON");
  place->callback([=] { fail_or(RunExplainPlace(*db, *place_id, *user, *as_json)); });
}

// Registers `places` on the application.
void RegisterPlacesCommand(CLI::App& app, int& exit_code) {
  auto fail_or = [&exit_code](const Status& s) { exit_code = s.ok() ? 0 : Fail(s); };
  auto db = std::make_shared<std::string>(DefaultDbPath());
  auto user = std::make_shared<std::string>();
  auto top = std::make_shared<int>(20);
  auto as_json = std::make_shared<bool>(false);
  auto* places = app.add_subcommand(
      "places", "Hotspots (places of concern by type and district, busiest days and hours) and the top places");
  places->add_option("--db", *db, "Store (SQLite file)")->capture_default_str();
  places->add_option("--user", *user, "Who is looking (an account in the store)")->required();
  places->add_option("--top", *top, "How many places of concern to list")->capture_default_str();
  places->add_flag("--json", *as_json, "As JSON");
  places->callback([=] { fail_or(RunPlaces(*db, *user, *top, *as_json)); });
}

}  // namespace riskradar::cli

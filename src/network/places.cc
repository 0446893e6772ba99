// Place ranking: who was seen at each place, and when, scored with one reason
// line per part of the score.
#include "riskradar/network/places.h"

#include "occasions.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace riskradar::network {
namespace {

using internal::GroupOccasions;
using internal::Occasion;
using internal::Plural;

// Monday 0 .. Sunday 6 (day 0, 1970-01-01, was a Thursday).
int Weekday(Date date) { return ((date.days() % 7) + 7 + 3) % 7; }

constexpr std::array<std::string_view, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};

// The indices of a profile's busiest slots: within three quarters of the busiest (none when all are 0).
template <size_t N>
std::vector<size_t> Peaks(const std::array<int, N>& counts) {
  const int top = *std::max_element(counts.begin(), counts.end());
  std::vector<size_t> out;
  if (top == 0) return out;
  for (size_t i = 0; i < N; ++i) {
    if (counts[i] * 4 >= top * 3) out.push_back(i);
  }
  return out;
}

void Add(TimeProfile& into, const TimeProfile& from) {
  for (size_t i = 0; i < into.by_weekday.size(); ++i) into.by_weekday[i] += from.by_weekday[i];
  for (size_t i = 0; i < into.by_hour.size(); ++i) into.by_hour[i] += from.by_hour[i];
  into.occasions += from.occasions;
  into.timed += from.timed;
}

}  // namespace

std::string_view ToString(PlaceTrend trend) {
  switch (trend) {
    case PlaceTrend::kSteady:
      return "steady";
    case PlaceTrend::kEmerging:
      return "emerging";
    case PlaceTrend::kDeclining:
      return "declining";
  }
  return "steady";
}

std::string PeakDays(const TimeProfile& profile) {
  std::string out;
  for (size_t day : Peaks(profile.by_weekday)) out += (out.empty() ? "" : ", ") + std::string(kWeekdays[day]);
  return out;
}

std::string PeakHours(const TimeProfile& profile) {
  // Runs of consecutive peak hours as ranges: "21:00-23:59".
  const std::vector<size_t> peaks = Peaks(profile.by_hour);
  std::string out;
  for (size_t i = 0; i < peaks.size();) {
    size_t j = i;
    while (j + 1 < peaks.size() && peaks[j + 1] == peaks[j] + 1) ++j;
    out += fmt::format("{}{:02}:00-{:02}:59", out.empty() ? "" : ", ", peaks[i], peaks[j]);
    i = j + 1;
  }
  return out;
}

std::vector<PlaceRank> RankPlaces(const PlaceInput& input, const PlaceOptions& options) {
  const std::vector<Occasion> occasions = GroupOccasions(input.associations);
  struct Tally {
    std::set<int64_t> children, offenders, events, context;
    int child_with_offender = 0;
    int occasions = 0;
    Date last_seen;
    TimeProfile profile;
    int last_quarter = 0, previous_quarter = 0;
  };
  std::map<int64_t, Tally> tallies;
  Date latest;
  for (const Occasion& occasion : occasions) latest = std::max(latest, occasion.date);
  const Date as_of = options.as_of.value_or(latest);

  // A child's own home or placement is context: the child counts there only on an occasion that points to
  // exploitation there, i.e. with a person of concern present (a missing episode from home does not).
  const auto at_home = [&](int64_t child, int64_t place) {
    auto it = input.homes.find(child);
    return it != input.homes.end() && it->second.contains(place);
  };

  for (const Occasion& occasion : occasions) {
    int minute = -1;
    if (auto it = input.event_minutes.find(occasion.event_id);
        occasion.event_id != 0 && it != input.event_minutes.end() && it->second >= 0 && it->second < 24 * 60)
      minute = it->second;
    bool with_offender = false;
    for (int64_t person : occasion.persons) with_offender |= input.persons_of_concern.contains(person);
    for (int64_t place : occasion.places) {
      Tally& tally = tallies[place];
      bool has_child = false, has_offender = false, context = false;
      for (int64_t person : occasion.persons) {
        if (input.children_on_radar.contains(person)) {
          if (!with_offender && at_home(person, place)) {
            tally.context.insert(person);
            context = true;
            continue;
          }
          has_child = true;
          tally.children.insert(person);
        }
        if (input.persons_of_concern.contains(person)) {
          has_offender = true;
          tally.offenders.insert(person);
        }
      }
      // An occasion of children only at their own home, with nobody else of note, is context: not counted.
      if (context && !has_child && !has_offender) continue;
      ++tally.occasions;
      if (occasion.event_id != 0) tally.events.insert(occasion.event_id);
      if (has_child && has_offender) ++tally.child_with_offender;
      tally.last_seen = std::max(tally.last_seen, occasion.date);
      ++tally.profile.occasions;
      ++tally.profile.by_weekday[static_cast<size_t>(Weekday(occasion.date))];
      if (minute >= 0) {
        ++tally.profile.timed;
        ++tally.profile.by_hour[static_cast<size_t>(minute / 60)];
      }
      const int age = as_of - occasion.date;
      if (age >= 0 && age < options.trend_days) {
        ++tally.last_quarter;
      } else if (age >= options.trend_days && age < 2 * options.trend_days) {
        ++tally.previous_quarter;
      }
    }
  }

  std::vector<PlaceRank> ranks;
  for (const auto& [place_id, tally] : tallies) {
    if (tally.children.empty() && tally.offenders.empty()) continue;
    PlaceRank rank;
    rank.place_id = place_id;
    auto type = input.place_types.find(place_id);
    rank.type = type == input.place_types.end() ? PlaceType::kOther : type->second;
    auto district = input.place_districts.find(place_id);
    if (district != input.place_districts.end()) rank.district = district->second;
    rank.children_at_risk = static_cast<int>(tally.children.size());
    rank.persons_of_concern = static_cast<int>(tally.offenders.size());
    for (int64_t child : tally.context) rank.context_children += tally.children.contains(child) ? 0 : 1;
    // Occasions without an event id still count as events here.
    rank.events = std::max(static_cast<int>(tally.events.size()), tally.occasions);
    rank.last_seen = tally.last_seen;
    rank.profile = tally.profile;
    rank.last_quarter = tally.last_quarter;
    rank.previous_quarter = tally.previous_quarter;
    if (tally.last_quarter >= options.trend_min_occasions && tally.last_quarter >= 2 * tally.previous_quarter) {
      rank.trend = PlaceTrend::kEmerging;
    } else if (tally.previous_quarter >= options.trend_min_occasions &&
               2 * tally.last_quarter <= tally.previous_quarter) {
      rank.trend = PlaceTrend::kDeclining;
    }

    auto add = [&](double points, std::string reason) {
      if (points <= 0) return;
      rank.score += points;
      rank.reasons.push_back(fmt::format("{} (+{:g})", reason, points));
    };
    add(options.weight_child * rank.children_at_risk,
        Plural(rank.children_at_risk, "child on the radar", "children on the radar") + " seen here");
    add(options.weight_offender * rank.persons_of_concern,
        Plural(rank.persons_of_concern, "person of concern", "persons of concern") + " seen here");
    add(options.weight_child_with_offender * tally.child_with_offender,
        Plural(tally.child_with_offender, "occasion", "occasions") + " of a child seen with a person of concern here");
    add(std::min(options.weight_event * rank.events, options.max_event_points),
        Plural(rank.events, "event", "events") + " recorded here");
    if (as_of - tally.last_seen <= options.recent_days) {
      add(options.weight_recent,
          fmt::format("last seen {}, within {} days", tally.last_seen.ToIso(), options.recent_days));
    }
    const std::string quarters = fmt::format("{} in the last {} days against {} in the {} before", rank.last_quarter,
                                             options.trend_days, rank.previous_quarter, options.trend_days);
    if (rank.trend == PlaceTrend::kEmerging) add(options.weight_emerging, "emerging: " + quarters);
    if (rank.trend == PlaceTrend::kDeclining) rank.reasons.push_back("declining: " + quarters + " (+0)");
    if (rank.context_children > 0) {
      rank.reasons.push_back(
          Plural(rank.context_children, "child on the radar", "children on the radar") +
          " seen here only at their own home or placement, with no person of concern: context, not counted (+0)");
    }
    rank.of_concern = (rank.persons_of_concern >= options.concern_min_offenders_with_child &&
                       rank.children_at_risk >= options.concern_min_children_with_offender) ||
                      rank.children_at_risk >= options.concern_min_children;
    ranks.push_back(std::move(rank));
  }
  std::sort(ranks.begin(), ranks.end(), [](const PlaceRank& a, const PlaceRank& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.place_id < b.place_id;
  });
  return ranks;
}

std::vector<int64_t> PlacesOfConcern(const std::vector<PlaceRank>& ranks) {
  std::vector<int64_t> out;
  for (const PlaceRank& place : ranks) {
    if (place.of_concern) out.push_back(place.place_id);
  }
  return out;
}

std::vector<Hotspot> SummariseHotspots(const std::vector<PlaceRank>& ranks) {
  std::map<std::pair<PlaceType, std::string>, Hotspot> cells;
  for (const PlaceRank& rank : ranks) {
    Hotspot& cell = cells[{rank.type, rank.district}];
    cell.type = rank.type;
    cell.district = rank.district;
    ++cell.places;
    cell.places_of_concern += rank.of_concern ? 1 : 0;
    cell.score += rank.score;
    cell.emerging += rank.trend == PlaceTrend::kEmerging ? 1 : 0;
    cell.declining += rank.trend == PlaceTrend::kDeclining ? 1 : 0;
    Add(cell.profile, rank.profile);
  }
  std::vector<Hotspot> out;
  for (auto& [key, cell] : cells) out.push_back(std::move(cell));
  std::stable_sort(out.begin(), out.end(), [](const Hotspot& a, const Hotspot& b) { return a.score > b.score; });
  return out;
}

}  // namespace riskradar::network

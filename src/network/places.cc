// Place ranking: who was seen at each place, and when, scored with one reason
// line per part of the score.
#include "riskradar/network/places.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace riskradar::network {
namespace {

// Everyone present at one occasion (an event, or one association without an event id).
struct Occasion {
  std::vector<int64_t> event_ids;
  std::set<int64_t> persons;
  std::set<int64_t> places;
  Date date;
};

std::vector<Occasion> GroupOccasions(const std::vector<Association>& associations) {
  std::map<int64_t, Occasion> by_event;
  std::vector<Occasion> out;
  for (const Association& a : associations) {
    Occasion* occasion;
    if (a.event_id != 0) {
      occasion = &by_event[a.event_id];
      if (occasion->event_ids.empty()) {
        occasion->event_ids.push_back(a.event_id);
        occasion->date = a.date;
      }
      occasion->date = std::max(occasion->date, a.date);
    } else {
      out.emplace_back();
      occasion = &out.back();
      occasion->date = a.date;
    }
    if (a.person_id != 0) occasion->persons.insert(a.person_id);
    if (a.other_person_id != 0) occasion->persons.insert(a.other_person_id);
    if (a.place_id != 0) occasion->places.insert(a.place_id);
  }
  for (auto& [event_id, occasion] : by_event) out.push_back(std::move(occasion));
  return out;
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

std::vector<PlaceRank> RankPlaces(const PlaceInput& input, const PlaceOptions& options) {
  const std::vector<Occasion> occasions = GroupOccasions(input.associations);
  struct Tally {
    std::set<int64_t> children, offenders, events;
    int child_with_offender = 0;
    int occasions = 0;
    Date last_seen;
  };
  std::map<int64_t, Tally> tallies;
  Date latest;
  for (const Occasion& occasion : occasions) latest = std::max(latest, occasion.date);
  Date as_of = options.as_of.value_or(latest);

  for (const Occasion& occasion : occasions) {
    bool has_child = false, has_offender = false;
    for (int64_t person : occasion.persons) {
      has_child |= input.children_on_radar.contains(person);
      has_offender |= input.persons_of_concern.contains(person);
    }
    for (int64_t place : occasion.places) {
      Tally& tally = tallies[place];
      ++tally.occasions;
      for (int64_t person : occasion.persons) {
        if (input.children_on_radar.contains(person)) tally.children.insert(person);
        if (input.persons_of_concern.contains(person)) tally.offenders.insert(person);
      }
      tally.events.insert(occasion.event_ids.begin(), occasion.event_ids.end());
      if (has_child && has_offender) ++tally.child_with_offender;
      tally.last_seen = std::max(tally.last_seen, occasion.date);
    }
  }

  std::vector<PlaceRank> ranks;
  for (const auto& [place_id, tally] : tallies) {
    if (tally.children.empty() && tally.offenders.empty()) continue;
    PlaceRank rank;
    rank.place_id = place_id;
    auto type = input.place_types.find(place_id);
    rank.type = type == input.place_types.end() ? PlaceType::kOther : type->second;
    rank.children_at_risk = static_cast<int>(tally.children.size());
    rank.persons_of_concern = static_cast<int>(tally.offenders.size());
    // Occasions without an event id still count as events here.
    rank.events = std::max(static_cast<int>(tally.events.size()), tally.occasions);
    rank.last_seen = tally.last_seen;

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

}  // namespace riskradar::network

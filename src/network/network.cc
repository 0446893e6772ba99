// Offender networks by union-find over "seen together" evidence, and place
// ranking. Places are deliberately not union-find nodes: see NetworkOptions.
#include "riskradar/network/network.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace riskradar::network {
namespace {

class UnionFind {
 public:
  int Add(int64_t person_id) {
    auto [it, inserted] = index_.try_emplace(person_id, static_cast<int>(parent_.size()));
    if (inserted) parent_.push_back(it->second);
    return it->second;
  }
  int Find(int node) {
    while (parent_[node] != node) {
      parent_[node] = parent_[parent_[node]];
      node = parent_[node];
    }
    return node;
  }
  void Union(int64_t a, int64_t b) {
    int root_a = Find(Add(a));
    int root_b = Find(Add(b));
    // The lower index wins so roots do not depend on hash order.
    if (root_a != root_b) parent_[std::max(root_a, root_b)] = std::min(root_a, root_b);
  }
  int RootOf(int64_t person_id) { return Find(Add(person_id)); }

 private:
  std::unordered_map<int64_t, int> index_;
  std::vector<int> parent_;
};

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

// Links persons of concern seen at the same place within the window on enough distinct dates.
void LinkByCoPresence(const NetworkInput& input, const NetworkOptions& options, const std::vector<Occasion>& occasions,
                      UnionFind& union_find) {
  std::map<int64_t, std::vector<std::pair<Date, int64_t>>> visits;  // place -> (date, offender)
  for (const Occasion& occasion : occasions) {
    for (int64_t person : occasion.persons) {
      if (!input.persons_of_concern.contains(person)) continue;
      for (int64_t place : occasion.places) visits[place].emplace_back(occasion.date, person);
    }
  }
  std::map<std::pair<int64_t, int64_t>, std::set<int32_t>> pair_dates;
  for (auto& [place, list] : visits) {
    std::sort(list.begin(), list.end());
    size_t first = 0;
    for (size_t last = 0; last < list.size(); ++last) {
      while (list[last].first - list[first].first > options.place_co_presence_window_days) ++first;
      for (size_t other = first; other < last; ++other) {
        int64_t a = list[other].second;
        int64_t b = list[last].second;
        if (a == b) continue;
        pair_dates[{std::min(a, b), std::max(a, b)}].insert(list[last].first.days());
      }
    }
  }
  for (const auto& [pair, dates] : pair_dates) {
    if (static_cast<int>(dates.size()) >= options.place_co_presence_min_occasions) {
      union_find.Union(pair.first, pair.second);
    }
  }
}

std::vector<Network> BuildNetworks(const NetworkInput& input, const NetworkOptions& options,
                                   const std::vector<Occasion>& occasions, UnionFind& union_find,
                                   std::vector<int64_t>& lone_offenders) {
  std::vector<int64_t> offenders(input.persons_of_concern.begin(), input.persons_of_concern.end());
  std::sort(offenders.begin(), offenders.end());
  std::map<int, Network> by_root;
  for (int64_t offender : offenders) by_root[union_find.RootOf(offender)].offenders.push_back(offender);

  std::map<int, std::set<int64_t>> children, places, events;
  for (const Occasion& occasion : occasions) {
    for (int64_t person : occasion.persons) {
      if (!input.persons_of_concern.contains(person)) continue;
      int root = union_find.RootOf(person);
      for (int64_t other : occasion.persons) {
        if (input.children_on_radar.contains(other)) children[root].insert(other);
      }
      places[root].insert(occasion.places.begin(), occasion.places.end());
      events[root].insert(occasion.event_ids.begin(), occasion.event_ids.end());
    }
  }

  std::vector<Network> networks;
  for (auto& [root, network] : by_root) {
    if (static_cast<int>(network.offenders.size()) < options.min_offenders) {
      lone_offenders.insert(lone_offenders.end(), network.offenders.begin(), network.offenders.end());
      continue;
    }
    network.children.assign(children[root].begin(), children[root].end());
    network.places.assign(places[root].begin(), places[root].end());
    network.event_ids.assign(events[root].begin(), events[root].end());
    networks.push_back(std::move(network));
  }
  std::sort(lone_offenders.begin(), lone_offenders.end());
  std::sort(networks.begin(), networks.end(), [](const Network& a, const Network& b) {
    if (a.offenders.size() != b.offenders.size()) return a.offenders.size() > b.offenders.size();
    return a.offenders.front() < b.offenders.front();
  });
  for (size_t i = 0; i < networks.size(); ++i) networks[i].id = static_cast<int32_t>(i + 1);
  return networks;
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::vector<PlaceRank> RankPlaces(const NetworkInput& input, const NetworkOptions& options,
                                  const std::vector<Occasion>& occasions) {
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

}  // namespace

NetworkResult AnalyseNetworks(const NetworkInput& input, const NetworkOptions& options) {
  std::vector<Occasion> occasions = GroupOccasions(input.associations);
  UnionFind union_find;
  for (const Occasion& occasion : occasions) {
    // Offenders together link directly; through a person, only if that
    // person may link (a child on the radar, or anyone when so configured).
    std::vector<int64_t> offenders, linkers;
    for (int64_t person : occasion.persons) {
      if (input.persons_of_concern.contains(person)) {
        offenders.push_back(person);
      } else if (options.link_through_persons_off_radar || input.children_on_radar.contains(person)) {
        linkers.push_back(person);
      }
    }
    if (offenders.empty()) continue;
    for (int64_t offender : offenders) union_find.Union(offenders.front(), offender);
    for (int64_t linker : linkers) union_find.Union(offenders.front(), linker);
  }
  if (options.place_co_presence_min_occasions > 0) LinkByCoPresence(input, options, occasions, union_find);

  NetworkResult result;
  result.networks = BuildNetworks(input, options, occasions, union_find, result.lone_offenders);
  result.places = RankPlaces(input, options, occasions);
  for (const PlaceRank& place : result.places) {
    if (place.of_concern) result.places_of_concern.push_back(place.place_id);
  }
  return result;
}

}  // namespace riskradar::network

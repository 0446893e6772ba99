// Offender networks by union-find over "seen together" evidence. Places are
// deliberately not union-find nodes: see NetworkOptions. Place ranking is in places.cc.
#include "riskradar/network/network.h"

#include "occasions.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace riskradar::network {
namespace {

using internal::GroupOccasions;
using internal::Occasion;

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
  return result;
}

namespace internal {

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

}  // namespace internal
}  // namespace riskradar::network

// The VOLT graph with igraph: edges from occasions, Leiden communities, betweenness, and the priority score.
#include "riskradar/network/volt.h"

#include "occasions.h"

#include <fmt/format.h>
#include <igraph/igraph.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace riskradar::network {

std::string_view ToString(VoltEdgeKind kind) {
  switch (kind) {
    case VoltEdgeKind::kChildAdult:
      return "child_adult";
    case VoltEdgeKind::kCoOffending:
      return "co_offending";
    case VoltEdgeKind::kPersonPlace:
      return "person_place";
  }
  return "unknown";
}

namespace {

using internal::GroupOccasions;
using internal::Occasion;
using internal::Plural;

struct EdgeTally {
  std::set<int64_t> occasions;  // event ids, or negative indexes for occasions without one
  Date first, last;
  bool seen = false;
  void Add(int64_t occasion, Date date) {
    occasions.insert(occasion);
    first = seen ? std::min(first, date) : date;
    last = seen ? std::max(last, date) : date;
    seen = true;
  }
};

using EdgeKey = std::tuple<VoltEdgeKind, int64_t, int64_t>;

// RAII for igraph objects; igraph reports errors through return codes here (the abort handler is swapped for
// the ignoring one while AnalyseVolt runs).
struct Graph {
  igraph_t g;
  bool made = false;
  ~Graph() {
    if (made) igraph_destroy(&g);
  }
};
struct IntVector {
  igraph_vector_int_t v;
  explicit IntVector(igraph_integer_t n) { igraph_vector_int_init(&v, n); }
  ~IntVector() { igraph_vector_int_destroy(&v); }
};
struct RealVector {
  igraph_vector_t v;
  explicit RealVector(igraph_integer_t n) { igraph_vector_init(&v, n); }
  ~RealVector() { igraph_vector_destroy(&v); }
};
class ErrorHandlerScope {
 public:
  ErrorHandlerScope() : previous_(igraph_set_error_handler(igraph_error_handler_ignore)) {}
  ~ErrorHandlerScope() { igraph_set_error_handler(previous_); }

 private:
  igraph_error_handler_t* previous_;
};

Status IgraphError(std::string_view what, igraph_error_t code) {
  return Status::Internal(fmt::format("igraph {} failed: {}", what, igraph_strerror(code)));
}

bool Matches(const GravityRule& rule, const PersonEvent& event) {
  if (rule.kind != event.kind) return false;
  return rule.categories.empty() ||
         std::find(rule.categories.begin(), rule.categories.end(), event.category) != rule.categories.end();
}

void Score(const VoltModel& model, Date as_of, const std::vector<const PersonEvent*>& events, PersonMeasures& m) {
  auto add = [&](double points, std::string reason) {
    if (points <= 0) return;
    points = std::round(points * 100) / 100;
    m.priority += points;
    m.reasons.push_back(fmt::format("{} (+{:g})", reason, points));
  };
  if (m.last_contact) {
    const int days = std::max(0, as_of - *m.last_contact);
    const double share =
        model.recency_horizon_days > 0 ? 1.0 - static_cast<double>(days) / model.recency_horizon_days : 0;
    add(model.recency_points * std::max(0.0, share),
        fmt::format("last seen with a child on the radar {}, {} days before {}", m.last_contact->ToIso(), days,
                    as_of.ToIso()));
  }
  add(std::min(model.per_contact * m.contacts, model.max_contact_points),
      Plural(m.contacts, "occasion", "occasions") + " with a child on the radar");
  if (m.children_linked > 0) {
    const double points =
        std::min(model.child_serious * m.children_serious + model.child_significant * m.children_significant +
                     model.child_at_risk * m.children_at_risk,
                 model.max_child_points);
    add(points, fmt::format("{} linked (serious {}, significant {}, at risk {})",
                            Plural(m.children_linked, "child on the radar", "children on the radar"),
                            m.children_serious, m.children_significant, m.children_at_risk));
  }
  for (const GravityRule& rule : model.gravity) {
    int n = 0;
    for (const PersonEvent* e : events) n += Matches(rule, *e);
    if (n > 0) add(std::min(rule.points * n, rule.max), fmt::format("{} x {}", n, rule.label));
  }
  add(std::min(model.per_co_offender * m.co_offenders, model.max_co_offender_points),
      Plural(m.co_offenders, "co-offender", "co-offenders") + " seen with them");
  if (m.network_id != 0) {
    add(model.centrality_points * m.betweenness,
        fmt::format("{} of network {} (betweenness {:.2f})", m.role, m.network_id, m.betweenness));
  }
  m.priority = std::round(m.priority * 100) / 100;  // the sum of the parts as printed, without float noise
  m.suspected_offender = m.priority >= model.offender_min_score;
}

}  // namespace

Result<VoltResult> AnalyseVolt(const VoltInput& input, const VoltOptions& options) {
  const std::vector<Occasion> occasions = GroupOccasions(input.associations);
  VoltResult result;

  Date latest;
  for (const Occasion& o : occasions) latest = std::max(latest, o.date);
  for (const PersonEvent& e : input.person_events) latest = std::max(latest, e.date);
  result.as_of = options.as_of.value_or(latest);

  // Edges, aggregated over occasions.
  std::map<EdgeKey, EdgeTally> tallies;
  std::map<int64_t, std::set<int64_t>> places_of;
  std::map<int64_t, std::set<int64_t>> occasions_of;  // person of concern -> occasion keys (event ids)
  for (size_t i = 0; i < occasions.size(); ++i) {
    const Occasion& o = occasions[i];
    const int64_t key = o.event_id != 0 ? o.event_id : -static_cast<int64_t>(i) - 1;
    std::vector<int64_t> children, offenders;
    for (int64_t p : o.persons) {
      if (input.persons_of_concern.contains(p)) {
        offenders.push_back(p);
        occasions_of[p].insert(key);
      } else if (input.children_on_radar.contains(p)) {
        children.push_back(p);
      }
    }
    for (int64_t c : children) {
      for (int64_t a : offenders) tallies[{VoltEdgeKind::kChildAdult, c, a}].Add(key, o.date);
    }
    for (size_t x = 0; x < offenders.size(); ++x) {
      for (size_t y = x + 1; y < offenders.size(); ++y) {
        tallies[{VoltEdgeKind::kCoOffending, offenders[x], offenders[y]}].Add(key, o.date);
      }
    }
    for (int64_t place : o.places) {
      for (int64_t p : children) tallies[{VoltEdgeKind::kPersonPlace, p, place}].Add(key, o.date);
      for (int64_t p : offenders) {
        tallies[{VoltEdgeKind::kPersonPlace, p, place}].Add(key, o.date);
        places_of[p].insert(place);
      }
    }
  }
  for (const auto& [key, tally] : tallies) {
    VoltEdge e;
    std::tie(e.kind, e.a, e.b) = key;
    e.occasions = static_cast<int>(tally.occasions.size());
    e.weight = e.occasions;
    e.first_seen = tally.first;
    e.last_seen = tally.last;
    result.edges.push_back(e);
  }

  // The person graph: persons of concern (every one, seen or not) and the children on the radar seen with them.
  std::vector<int64_t> nodes(input.persons_of_concern.begin(), input.persons_of_concern.end());
  for (const VoltEdge& e : result.edges) {
    if (e.kind == VoltEdgeKind::kChildAdult) nodes.push_back(e.a);
  }
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  std::unordered_map<int64_t, igraph_integer_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i]] = static_cast<igraph_integer_t>(i);
  const auto n = static_cast<igraph_integer_t>(nodes.size());

  std::vector<const VoltEdge*> person_edges;
  for (const VoltEdge& e : result.edges) {
    if (e.kind != VoltEdgeKind::kPersonPlace) person_edges.push_back(&e);
  }
  ErrorHandlerScope error_scope;
  IntVector edge_list(static_cast<igraph_integer_t>(person_edges.size() * 2));
  RealVector weights(static_cast<igraph_integer_t>(person_edges.size()));
  for (size_t i = 0; i < person_edges.size(); ++i) {
    VECTOR(edge_list.v)[2 * i] = index.at(person_edges[i]->a);
    VECTOR(edge_list.v)[2 * i + 1] = index.at(person_edges[i]->b);
    VECTOR(weights.v)[i] = person_edges[i]->weight;
  }
  Graph graph;
  if (igraph_error_t rc = igraph_create(&graph.g, &edge_list.v, n, IGRAPH_UNDIRECTED); rc != IGRAPH_SUCCESS)
    return IgraphError("create", rc);
  graph.made = true;

  IntVector component(n), component_sizes(0);
  igraph_integer_t component_count = 0;
  if (igraph_error_t rc =
          igraph_connected_components(&graph.g, &component.v, &component_sizes.v, &component_count, IGRAPH_WEAK);
      rc != IGRAPH_SUCCESS)
    return IgraphError("connected components", rc);

  IntVector community(n);
  if (n > 0) {
    RealVector node_weights(n);
    igraph_vector_fill(&node_weights.v, 1.0);
    igraph_rng_seed(igraph_rng_default(), options.seed);
    igraph_integer_t clusters = 0;
    igraph_real_t quality = 0;
    // A fixed number of Leiden iterations, never -1 ("until stable"): in igraph 0.10.2 (Debian 12) -1 loops until
    // an iteration *changes* the partition (igraph issue 2798), so a graph whose singleton partition is already
    // optimal, e.g. persons of concern with no edges, never returns.
    constexpr igraph_integer_t kLeidenIterations = 2;
    if (igraph_error_t rc = igraph_community_leiden(&graph.g, &weights.v, &node_weights.v,
                                                    options.model.community_resolution, options.model.community_beta,
                                                    false, kLeidenIterations, &community.v, &clusters, &quality);
        rc != IGRAPH_SUCCESS)
      return IgraphError("Leiden community detection", rc);
  }

  RealVector betweenness(n);
  if (n > 0) {
    if (igraph_error_t rc = igraph_betweenness(&graph.g, &betweenness.v, igraph_vss_all(), false, nullptr);
        rc != IGRAPH_SUCCESS)
      return IgraphError("betweenness", rc);
  }

  // A community with fewer persons of concern than a network needs (a peripheral offender Leiden cut off) joins
  // the neighbouring community it shares most edge weight with, if that one is a network: CPM cuts the weakest
  // edges, which is right between two networks and wrong for one member seen once.
  {
    std::map<igraph_integer_t, int> offenders_in;
    for (int64_t p : nodes) {
      if (input.persons_of_concern.contains(p)) ++offenders_in[VECTOR(community.v)[index.at(p)]];
    }
    std::map<igraph_integer_t, std::map<igraph_integer_t, double>> between;  // small community -> other -> weight
    for (const VoltEdge* e : person_edges) {
      const igraph_integer_t ca = VECTOR(community.v)[index.at(e->a)], cb = VECTOR(community.v)[index.at(e->b)];
      if (ca == cb) continue;
      if (offenders_in[ca] < options.model.min_offenders && offenders_in[cb] >= options.model.min_offenders)
        between[ca][cb] += e->weight;
      if (offenders_in[cb] < options.model.min_offenders && offenders_in[ca] >= options.model.min_offenders)
        between[cb][ca] += e->weight;
    }
    std::map<igraph_integer_t, igraph_integer_t> moved;
    for (const auto& [small, targets] : between) {
      auto best = targets.begin();
      for (auto it = targets.begin(); it != targets.end(); ++it) {
        if (it->second > best->second) best = it;  // ties: the lowest community label
      }
      moved[small] = best->first;
    }
    for (igraph_integer_t v = 0; v < n; ++v) {
      if (auto it = moved.find(VECTOR(community.v)[v]); it != moved.end()) VECTOR(community.v)[v] = it->second;
    }
  }

  // Communities -> networks. Communities never span components (CPM gains nothing from unconnected members).
  std::map<igraph_integer_t, std::vector<int64_t>> offenders_by_community;
  for (int64_t p : nodes) {
    if (input.persons_of_concern.contains(p)) offenders_by_community[VECTOR(community.v)[index.at(p)]].push_back(p);
  }
  std::unordered_map<int64_t, size_t> network_of;  // person of concern -> index into result.networks
  for (auto& [label, offenders] : offenders_by_community) {
    if (static_cast<int>(offenders.size()) < options.model.min_offenders) continue;
    Network network;
    network.offenders = offenders;
    result.networks.push_back(std::move(network));
  }
  std::sort(result.networks.begin(), result.networks.end(), [](const Network& a, const Network& b) {
    if (a.offenders.size() != b.offenders.size()) return a.offenders.size() > b.offenders.size();
    return a.offenders.front() < b.offenders.front();
  });
  for (size_t i = 0; i < result.networks.size(); ++i) {
    result.networks[i].id = static_cast<int32_t>(i + 1);
    for (int64_t p : result.networks[i].offenders) network_of[p] = i;
  }
  {
    std::vector<std::set<int64_t>> children(result.networks.size()), places(result.networks.size()),
        events(result.networks.size());
    for (const VoltEdge& e : result.edges) {
      if (e.kind == VoltEdgeKind::kChildAdult) {
        if (auto it = network_of.find(e.b); it != network_of.end()) children[it->second].insert(e.a);
      } else if (e.kind == VoltEdgeKind::kPersonPlace) {
        if (auto it = network_of.find(e.a); it != network_of.end()) places[it->second].insert(e.b);
      }
    }
    for (const auto& [person, keys] : occasions_of) {
      auto it = network_of.find(person);
      if (it == network_of.end()) continue;
      for (int64_t key : keys) {
        if (key > 0) events[it->second].insert(key);
      }
    }
    for (size_t i = 0; i < result.networks.size(); ++i) {
      result.networks[i].children.assign(children[i].begin(), children[i].end());
      result.networks[i].places.assign(places[i].begin(), places[i].end());
      result.networks[i].event_ids.assign(events[i].begin(), events[i].end());
    }
  }

  // Per-person measures.
  std::unordered_map<int64_t, PersonMeasures> measures;
  for (int64_t p : input.persons_of_concern) {
    PersonMeasures& m = measures[p];
    m.person_id = p;
    const igraph_integer_t v = index.at(p);
    const double size = static_cast<double>(VECTOR(component_sizes.v)[VECTOR(component.v)[v]]);
    const double pairs = (size - 1) * (size - 2) / 2;
    m.betweenness = pairs > 0 ? VECTOR(betweenness.v)[v] / pairs : 0;
    if (auto it = network_of.find(p); it != network_of.end()) m.network_id = result.networks[it->second].id;
    m.places = static_cast<int>(places_of[p].size());
  }
  std::unordered_map<int64_t, std::set<int64_t>> neighbours;
  std::unordered_map<int64_t, std::set<int64_t>> contact_occasions;
  for (const VoltEdge& e : result.edges) {
    if (e.kind == VoltEdgeKind::kChildAdult) {
      PersonMeasures& m = measures.at(e.b);
      ++m.children_linked;
      const RiskLevel level = input.children_on_radar.at(e.a);
      m.children_serious += level == RiskLevel::kSerious;
      m.children_significant += level == RiskLevel::kSignificant;
      m.children_at_risk += level == RiskLevel::kAtRisk;
      m.last_contact = m.last_contact ? std::max(*m.last_contact, e.last_seen) : e.last_seen;
      contact_occasions[e.b].insert(tallies.at({e.kind, e.a, e.b}).occasions.begin(),
                                    tallies.at({e.kind, e.a, e.b}).occasions.end());
      neighbours[e.b].insert(e.a);
    } else if (e.kind == VoltEdgeKind::kCoOffending) {
      ++measures.at(e.a).co_offenders;
      ++measures.at(e.b).co_offenders;
      neighbours[e.a].insert(e.b);
      neighbours[e.b].insert(e.a);
    }
  }
  std::unordered_map<int64_t, std::vector<const PersonEvent*>> events_of;
  for (const PersonEvent& e : input.person_events) {
    if (!input.persons_of_concern.contains(e.person_id)) continue;
    events_of[e.person_id].push_back(&e);
    measures.at(e.person_id).disruptions += e.kind == EventKind::kDisruption;
  }
  // The hub of each network: its member with the highest betweenness (ties: lowest id).
  std::vector<std::pair<double, int64_t>> hub(result.networks.size(), {-1.0, 0});
  for (const auto& [p, m] : measures) {
    if (m.network_id == 0) continue;
    auto& best = hub[static_cast<size_t>(m.network_id - 1)];
    if (m.betweenness > best.first || (m.betweenness == best.first && p < best.second)) best = {m.betweenness, p};
  }
  for (auto& [p, m] : measures) {
    m.degree = static_cast<int>(neighbours[p].size());
    m.contacts = static_cast<int>(contact_occasions[p].size());
    m.role = m.network_id == 0 ? "lone" : (hub[static_cast<size_t>(m.network_id - 1)].second == p ? "hub" : "member");
    Score(options.model, result.as_of, events_of[p], m);
    result.persons.push_back(std::move(m));
  }
  std::sort(result.persons.begin(), result.persons.end(), [](const PersonMeasures& a, const PersonMeasures& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.person_id < b.person_id;
  });
  for (const PersonMeasures& m : result.persons) {
    if (m.network_id == 0 && m.suspected_offender) result.lone_offenders.push_back(m.person_id);
  }
  std::sort(result.lone_offenders.begin(), result.lone_offenders.end());
  return result;
}

}  // namespace riskradar::network

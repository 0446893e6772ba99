// The VOLT graph (victims, offenders, locations, themes): people and places as a graph with weighted, typed,
// time-stamped edges; offender networks as communities (Leiden, igraph) inside connected components; per-person
// measures; and the offender priority score with its breakdown. Pure functions of their input (igraph's random
// number generator is seeded from the options, so the output is deterministic); tested alone in
// tests/network/volt_test.cc. The network stage (network_stage.cc) is the thin adapter to the store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"
#include "riskradar/network/network.h"

namespace riskradar::network {

enum class VoltEdgeKind {
  kChildAdult,   // a child on the radar and a person of concern seen together
  kCoOffending,  // two persons of concern seen together
  kPersonPlace,  // a child on the radar or a person of concern seen at a place
};
std::string_view ToString(VoltEdgeKind kind);

// One edge, aggregated over every occasion its two ends were seen together. For kChildAdult `a` is the child
// and `b` the person of concern; for kCoOffending a < b; for kPersonPlace `a` is the person, `b` the place.
struct VoltEdge {
  VoltEdgeKind kind = VoltEdgeKind::kChildAdult;
  int64_t a = 0;
  int64_t b = 0;
  int occasions = 0;  // distinct occasions (events) behind the edge
  double weight = 0;  // = occasions
  Date first_seen, last_seen;
};

// Something recorded about a person (as subject or associate) that the priority score may weigh: an arrest, a
// charge, a disruption, intelligence, an offence.
struct PersonEvent {
  int64_t person_id = 0;
  int64_t event_id = 0;
  EventKind kind = EventKind::kIntelligence;
  std::string category;
  Date date;
};

struct VoltInput {
  std::vector<Association> associations;                     // network.h: one occasion per event id
  std::unordered_map<int64_t, RiskLevel> children_on_radar;  // child -> current level (above no current risk)
  std::unordered_set<int64_t> persons_of_concern;
  std::vector<PersonEvent> person_events;  // about persons of concern (others are ignored)
};

// One weighted line of the gravity part of the score: every event of `kind` (and one of `categories`, when
// given) recorded about the person scores `points`, up to `max`.
struct GravityRule {
  std::string label;  // "sexual offence against a child"
  EventKind kind = EventKind::kPoliceIncident;
  std::vector<std::string> categories;  // empty: any category
  double points = 0;
  double max = 0;
};

// The VOLT model (config/network/volt.toml): how communities are found and the offender priority score, in the
// spirit of the recency-frequency-gravity (RFG) and MoRiLE matrices: every part is one reason line.
struct VoltModel {
  std::string version = "built-in";
  // Leiden community detection inside each component, with the constant Potts model: a community splits where
  // its internal weight falls below `community_resolution` per pair of members. A community left with fewer
  // than `min_offenders` persons of concern joins the network it shares most edge weight with.
  double community_resolution = 0.01;
  double community_beta = 0.01;
  int min_offenders = 2;  // a community with fewer persons of concern is not a network
  // Recency: `recency_points` for contact with a child on the radar on the as-of date, falling linearly to 0 at
  // `recency_horizon_days` before it.
  double recency_points = 6;
  int recency_horizon_days = 365;
  // Frequency: points per occasion with a child on the radar, up to a maximum.
  double per_contact = 1;
  double max_contact_points = 10;
  // Number and levels of the children on the radar linked to the person.
  double child_serious = 6, child_significant = 4, child_at_risk = 2;
  double max_child_points = 40;
  std::vector<GravityRule> gravity;
  // Network role: per co-offender seen with the person (up to a maximum) and the person's betweenness within
  // their network (0..1, normalised) times `centrality_points`.
  double per_co_offender = 1;
  double max_co_offender_points = 5;
  double centrality_points = 5;
  // A person of concern is counted as a suspected offender when their score reaches this.
  double offender_min_score = 3;

  static Result<VoltModel> FromToml(std::string_view text, std::string_view source);
  static Result<VoltModel> FromFile(const std::filesystem::path& path);
  static Result<VoltModel> Default();  // config/network/volt.toml
};

struct VoltOptions {
  uint64_t seed = 12;         // igraph's random number generator (Leiden's refinement), for a repeatable result
  std::optional<Date> as_of;  // default: the latest association or person event
  VoltModel model;
};

struct PersonMeasures {
  int64_t person_id = 0;
  int32_t network_id = 0;   // 0: in no network
  int children_linked = 0;  // distinct children on the radar seen with the person
  int children_serious = 0, children_significant = 0, children_at_risk = 0;
  int contacts = 0;                  // occasions with a child on the radar
  int co_offenders = 0;              // distinct persons of concern seen with the person
  int degree = 0;                    // distinct people adjacent in the graph (children and persons of concern)
  int places = 0;                    // distinct places the person was seen at
  double betweenness = 0;            // within the person's component, normalised to 0..1
  std::optional<Date> last_contact;  // latest occasion with a child on the radar
  int disruptions = 0;               // disruption events recorded about the person
  std::string role;                  // "hub" (highest betweenness of a network), "member", "lone"
  double priority = 0;
  std::vector<std::string> reasons;  // one per part of the score, "... (+n)"
  bool suspected_offender = false;   // priority >= offender_min_score
};

struct VoltResult {
  std::vector<VoltEdge> edges;          // by kind, then a, then b
  std::vector<Network> networks;        // largest first, then lowest offender id; ids 1..
  std::vector<int64_t> lone_offenders;  // suspected offenders in no network, ascending
  std::vector<PersonMeasures> persons;  // every person of concern, highest priority first, then id
  Date as_of;
};

// Builds the graph, finds the networks and measures and scores every person of concern.
Result<VoltResult> AnalyseVolt(const VoltInput& input, const VoltOptions& options = {});

}  // namespace riskradar::network

// Evaluation of the pipeline's output against a synthetic partnership's
// ground truth (DIR/truth/, written by `riskradar synth`). Only evaluation reads
// the truth; no pipeline stage does.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "riskradar/core/status.h"
#include "riskradar/store/store.h"

namespace riskradar::eval {

struct PairwiseScores {
  int64_t true_pairs = 0;       // pairs of mentions of the same true entity
  int64_t predicted_pairs = 0;  // pairs put in the same resolved entity
  int64_t correct_pairs = 0;
  double precision() const { return predicted_pairs ? static_cast<double>(correct_pairs) / predicted_pairs : 1.0; }
  double recall() const { return true_pairs ? static_cast<double>(correct_pairs) / true_pairs : 1.0; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
};

// Event linkage against truth/events.csv: pairwise over the source event records the store holds (a pair is
// two records put in one resolved event; truly, two records of one real-world event).
struct EventLinkageScores {
  int64_t source_records = 0;  // stored event records with a truth row
  int64_t resolved = 0;        // resolved events they make
  int64_t true_events = 0;     // real-world events they record
  PairwiseScores merges;
  double merge_precision() const { return merges.precision(); }
  double merge_recall() const { return merges.recall(); }
};

struct Evaluation {
  PairwiseScores people;
  EventLinkageScores events;                               // absent truth/events.csv (older synthetic data): all zero
  std::map<std::string, PairwiseScores> people_by_origin;  // recall per name-origin group
  PairwiseScores places;
  int64_t true_people = 0;
  int64_t resolved_people = 0;
  // confusion[true level][assessed level], levels in RiskLevel order.
  std::array<std::array<int64_t, 4>, 4> confusion{};
  int64_t truth_on_radar = 0, assessed_on_radar = 0, both_on_radar = 0;
  std::map<std::string, std::pair<int64_t, int64_t>> radar_recall_by_sex;  // sex -> (found, truly at risk)
  int64_t planted_networks = 0, networks_recovered = 0;
  // VOLT (issue 12 items 4 and 5). Offenders: true = planted offenders (network members and lone offenders);
  // found = persons the network stage counts as suspected offenders (priority at or above the model's
  // offender score); of those, found_true are the person most of a true offender's records became,
  // found_split further pieces of a true offender that linkage did not join, the rest no offender at all.
  // top20_true: of the 20 highest priorities, how many are (pieces of) true offenders.
  struct Offenders {
    int64_t truth = 0, found = 0, found_true = 0, found_split = 0, top20_true = 0, top20 = 0;
  } offenders;
  // Networks: a planted network is recovered when some detected network's members, as true people (each
  // resolved person counted as the true person most of its records belong to, so a linkage split counts once),
  // have a Jaccard index >= 0.8 with the planted offenders. recovered_jaccard_0_8_resolved compares resolved
  // people instead (a split offender then counts twice), the stricter figure.
  int64_t recovered_jaccard_0_8 = 0, recovered_jaccard_0_8_resolved = 0;
  int64_t truth_places_of_concern = 0, places_of_concern_found = 0, places_of_concern_flagged = 0;
  // True places of concern with a resolved place among the top N by score, N = truth_places_of_concern
  // (evaluate --json: places.{true, flagged, top_n_true}).
  int64_t places_top_n_true = 0;

  double radar_precision() const {
    return assessed_on_radar ? static_cast<double>(both_on_radar) / assessed_on_radar : 1;
  }
  double radar_recall() const { return truth_on_radar ? static_cast<double>(both_on_radar) / truth_on_radar : 1; }
  // Among the children truly at risk (true level above "no current risk"): the share assessed at exactly their
  // true level. Not over every child: children with no risk are most of them and almost all agree, so a share
  // over everyone says little about the children the radar is for (issue 12).
  double level_agreement_at_risk() const;
};

Result<Evaluation> EvaluateAgainstTruth(store::Store& store, const std::filesystem::path& truth_dir);

std::string RenderEvaluation(const Evaluation& e);

// The same figures as one JSON object (`riskradar evaluate --json`), for scripts and benchmarks: "screening",
// "linkage", "networks" and "places" objects; every ratio comes with the counts it was computed from. Documented
// in docs/analyst-guide.md ("Checking against a synthetic partnership").
std::string RenderEvaluationJson(const Evaluation& e);

}  // namespace riskradar::eval

// Incremental linkage (issue 17 item 4): a batch of new records linked against people already known, with
// the model and blocking rules of the run that made them. A pure kernel beside Link (engine.h); the link
// stage (link_stage.h, LinkStageOptions::batch) is its adapter.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

// Incremental linkage (a daily batch against records linked before): records
// whose person is known keep it; only pairs with at least one new record are
// made, with the trained model's blocking rules (no re-planning), and scored
// with its parameters (no re-training). New records join known people or form
// new ones; a new record (or a confirmed review pair) that links two known people
// merges them, which is reported. Known people are never split here: a full Link
// does that, and a rejected pair inside one known person is FailedPrecondition.
struct IncrementalLinkResult {
  // Per input record: its known person id (> 0; the kept id after a merge), or
  // -k for the k-th new person (k = 1, 2, ... in order of their first record).
  std::vector<int64_t> person_of;
  int64_t new_records = 0;
  int32_t new_persons = 0;
  std::vector<ScoredPair> matches;    // pairs with a new record, at or above match_probability
  std::vector<ScoredPair> possibles;  // pairs with a new record, possible_probability <= p < match_probability
  struct Merge {
    int64_t kept = 0;               // the id that stays (the person with most records; ties: the smallest id)
    std::vector<int64_t> absorbed;  // known people now part of it, ascending
  };
  std::vector<Merge> merged;
  std::vector<BlockingRuleReport> blocking;  // per rule of the model: pairs with a new record
  int64_t candidate_pairs = 0;               // distinct pairs compared
  int32_t match_edges_rejected = 0;
  int32_t must_links_applied = 0;
  int32_t must_links_refused = 0;
  int32_t singletons_attached = 0;
  int32_t singletons_kept_apart = 0;
  std::vector<std::pair<std::string, double>> timings;  // prepare, block, score, cluster
};

// known_person[i] > 0: record i belongs to that person; 0: record i is new.
// model: as returned by Link or ModelFromJson (its spec names the blocking rules
// and fields; records hold model.spec's fields). options: thresholds,
// max_block_size, cross_source_only and the clustering settings are used as in Link.
Result<IncrementalLinkResult> LinkIncremental(const std::vector<Record>& records,
                                              const std::vector<int64_t>& known_person, const Model& model,
                                              const LinkageOptions& options, const LinkConstraints& constraints = {});

}  // namespace riskradar::linkage

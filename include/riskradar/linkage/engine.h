// The generic probabilistic record-linkage engine: records are lists of typed
// fields; blocking -> comparison vectors -> Fellegi-Sunter (u by random
// sampling, m and the prior by EM, term-frequency adjustments) -> match /
// possible / non-match -> clusters that a weak chain cannot merge.
// LinkPersons (person.h) and the link-csv command are front-ends to this.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/linkage/names.h"

namespace riskradar::linkage {

// How a field is normalised and which comparison levels it has (best first;
// a missing value on either side is neutral, weight 0):
//   forename     exact | swapped with surname | variant (nickname, spelling, shared token) | JW>=0.92 | JW>=0.85 | else
//   surname      exact | variant | JW>=0.92 | JW>=0.85 | else
//   date_of_birth exact | day/month transposed | one of day, month, year differs | else
//                (ISO YYYY-MM-DD or YYYYMMDD; an impossible date is missing)
//   postcode     unit | sector | district | else  (UK; unparseable values compare as units only)
//   identifier   exact | else  (NHS number, UPN: spaces and hyphens ignored)
//   sex          exact | else  ("unknown" is missing)
//   string       exact | one edit or transposition | else  (short codes: a foreign postcode, a typo-prone id)
//   text         exact | JW>=0.92 | JW>=0.80 | else  (suburb, address line)
enum class FieldKind { kForename, kSurname, kDateOfBirth, kPostcode, kIdentifier, kSex, kString, kText };
std::string_view ToString(FieldKind kind);
Result<FieldKind> ParseFieldKind(std::string_view name);

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::kText;
  // Weight exact agreement by the value's frequency (rare surnames count more
  // than Smith or Khan). Forename and surname fields always use it.
  bool term_frequency = false;
  // Different non-empty values mean different people (valid NHS numbers): such
  // records are never put in one cluster, whatever else agrees.
  bool cannot_link_on_mismatch = false;
  // Forename field only: the surname field it may be swapped with.
  std::string swap_with;
};

// How a blocking key is made from a field's normalised value.
// kNamePair (forename fields with swap_with only): the forename and surname in
// either order, so a record with its names swapped meets the unswapped ones.
enum class KeyTransform { kValue, kSoundex, kNysiis, kMetaphone, kPrefix, kYear, kDistrict, kSector, kNamePair };
struct BlockingKeyPart {
  std::string field;
  KeyTransform transform = KeyTransform::kValue;
  int length = 0;  // kPrefix only
};
// Records whose every part agrees (and is non-empty) become candidate pairs.
struct BlockingRule {
  std::string name;
  std::vector<BlockingKeyPart> parts;
  // Blocks of more records than this are skipped (0: LinkageOptions::max_block_size).
  // The planner caps a rule whose pairs sit in a few huge blocks (common name
  // pairs) instead of dropping it; the name then ends in " (blocks <= N)".
  int64_t max_block_size = 0;
};
// Parses "surname:soundex & date_of_birth:year". Transforms: value (default),
// soundex, nysiis, metaphone, initial, prefixN (N code points), year, district, sector, namepair.
Result<BlockingRule> ParseBlockingRule(std::string_view text);

struct LinkageSpec {
  std::vector<FieldSpec> fields;
  // Empty: chosen by the planner within LinkageOptions::blocking_budget
  // (blocking_plan.h); given: honoured as written (a warning for a rule that
  // alone exceeds the budget).
  std::vector<BlockingRule> blocking_rules;
  // Checks names, kinds, swap partners and that blocking rules name real fields.
  Status Validate() const;
};

// One input row: values[i] is the raw value of spec.fields[i]; empty = missing.
struct Record {
  int64_t id = 0;
  std::string source;
  std::vector<std::string> values;
};

struct LinkageOptions {
  // Decisions on the posterior match probability.
  double match_probability = 0.95;
  double possible_probability = 0.50;
  int max_em_iterations = 100;
  double em_tolerance = 1e-6;
  // Record pairs drawn at random to estimate u (all pairs when there are fewer).
  int64_t u_sample_pairs = 1'000'000;
  uint64_t seed = 20240601;
  // Blocks with more records than this are skipped (too generic a key) and reported.
  int64_t max_block_size = 2000;
  // Only compare records from different sources (linking, not de-duplicating).
  bool cross_source_only = false;
  // Directory holding names/*.csv; empty = DefaultReferenceDir(). Unreadable =
  // NotFound, unless allow_builtin_names, which falls back to the built-in table.
  std::string reference_dir;
  bool allow_builtin_names = false;
  bool term_frequency_adjustments = true;
  // Clustering: two members of one cluster may not be confidently different
  // people, nor disagree on a cannot-link field. Confidently different means both:
  // the pair's match weight is below contradiction_weight (p ~ 0.015), and the
  // fields on which it disagrees weigh at least contradiction_disagreement bits
  // against (the sum of the negative level weights; 11 bits is 2,000 to 1). On
  // agency person records a wholly different date of birth (11.3 to 14 bits), a
  // different sex, or a forename and an address are that; a surname change with
  // a move (9.7 to 10.2 bits) is not. A sparse record (a name in a case note)
  // scores low against a record with a typo in that name only for lack of
  // agreement, which is not a contradiction either.
  // Wrongly merging two children is worse than a split a reviewer can join.
  double contradiction_weight = -6.0;
  double contradiction_disagreement = 11.0;
  // After clustering, a record left on its own whose every possible (or refused
  // match) link leads into one cluster of two or more records joins it, unless
  // another record with at least as much information is an alternative, a
  // member contradicts it, or it differs from the whole cluster: some field of
  // it disagrees with every member that has that field while nothing but names
  // and sex agree (no date of birth, postcode or identifier corroborates). "The
  // only Jack Hussain we know" (a name-only mention in a case note) joins him; a
  // Jack Hussain at another address does not. Such records stay apart, for review.
  bool attach_unambiguous_singletons = true;
  // Largest term-frequency adjustment in either direction, in bits.
  double max_tf_adjustment = 10.0;
  // Candidate pairs the blocking planner may spend; 0 = DefaultBlockingBudget(records).
  int64_t blocking_budget = 0;
  // EM learns m from the candidate pairs' comparison patterns: at most this many
  // (rule, pair) comparisons, drawn uniformly (with counts scaled back) when the
  // rules produce more. Pairs are streamed: only pairs at or above
  // possible_probability are kept, so memory does not grow with candidate pairs.
  int64_t em_sample_pairs = 4'000'000;
  // Called from the calling thread as phases advance (phase, done, total), e.g.
  // ("compare", pairs so far, pairs in all), ("EM", iteration, max iterations).
  std::function<void(const std::string& phase, int64_t done, int64_t total)> progress;
};

struct ComparisonLevel {
  std::string label;
  double m = 0;       // P(level | same person)
  double u = 0;       // P(level | different people), from random pairs
  double weight = 0;  // log2(m / u)
};

struct FieldModel {
  std::string field;
  FieldKind kind = FieldKind::kText;
  std::vector<ComparisonLevel> levels;
  bool m_estimated = false;  // false: EM saw no informative pairs, m is the starting guess
};

struct BlockingRuleReport {
  std::string rule;
  int64_t estimated_pairs = 0;   // the planner's estimate before any pair was made
  int64_t candidate_pairs = 0;   // pairs the rule produced
  int64_t new_pairs = 0;         // of those, pairs no earlier rule produced
  int64_t oversized_blocks = 0;  // blocks skipped for exceeding max_block_size
  int64_t skipped_pairs = 0;     // pairs those blocks would have produced
  double lambda = 0;             // EM: share of this rule's pairs that match
};

struct FieldContribution {
  std::string field;
  std::string level;
  double weight = 0;
};

class PreparedData;   // internal: normalised, interned columns
struct BlockingPlan;  // blocking_plan.h

// A trained Fellegi-Sunter model. Can score and explain any two records.
class Model {
 public:
  LinkageSpec spec;
  std::vector<FieldModel> fields;
  double lambda = 0;        // P(two random records match)
  double prior_weight = 0;  // log2(lambda / (1 - lambda))
  int em_iterations = 0;
  bool em_converged = false;
  int64_t u_pairs_sampled = 0;
  double max_tf_adjustment = 10.0;
  bool term_frequency_adjustments = true;
  // Per field (empty unless term-frequency adjusted): normalised value -> share of records.
  std::vector<std::unordered_map<std::string, double>> term_frequencies;
  // Per field: the frequency assumed for a value the training data never had.
  std::vector<double> term_frequency_floor;
  std::shared_ptr<const NameVariants> names;

  // Prior, one entry per field (level and weight; term-frequency adjustments as
  // their own entries), then {"total", "probability=...", match weight}.
  std::vector<FieldContribution> Explain(const Record& a, const Record& b) const;
  // Total match weight (prior included) and its probability.
  double MatchWeight(const Record& a, const Record& b) const;
  static double Probability(double match_weight);
};

struct ScoredPair {
  size_t left = 0;  // indices into the input
  size_t right = 0;
  double match_weight = 0;  // prior included: probability = 1 / (1 + 2^-weight)
  double match_probability = 0;
};

// Human decisions on record pairs (indices into the input), honoured by clustering:
// a must-link pair is joined before any model link (a reviewer confirmed it); a
// cannot-link pair never ends in one cluster, whatever chain of links would join it.
struct LinkConstraints {
  std::vector<std::pair<size_t, size_t>> must_link;
  std::vector<std::pair<size_t, size_t>> cannot_link;
};

struct LinkResult {
  std::vector<int32_t> cluster_of;    // per input record, cluster index 0..k-1
  std::vector<ScoredPair> matches;    // at or above match_probability
  std::vector<ScoredPair> possibles;  // possible_probability <= p < match_probability
  Model model;
  std::vector<BlockingRuleReport> blocking;
  // How the rules were chosen (or, when given, estimated): see blocking_plan.h.
  std::shared_ptr<const BlockingPlan> plan;
  int64_t candidate_pairs = 0;  // distinct pairs compared
  int32_t cluster_count = 0;
  int32_t clusters_split = 0;         // match components re-formed because of a contradiction
  int32_t match_edges_rejected = 0;   // match pairs not honoured by clustering
  int32_t must_links_applied = 0;     // confirmed pairs that joined two clusters
  int32_t must_links_refused = 0;     // confirmed pairs that would have joined a rejected pair
  int32_t singletons_attached = 0;    // see LinkageOptions::attach_unambiguous_singletons
  int32_t singletons_kept_apart = 0;  // lone records with one candidate person that they differ from
  // Wall seconds per phase (prepare, block, sample u, compare, EM, score, cluster), for benchmarks.
  std::vector<std::pair<std::string, double>> timings;
};

Result<LinkResult> Link(const std::vector<Record>& records, const LinkageSpec& spec, const LinkageOptions& options,
                        const LinkConstraints& constraints = {});

// The trained model as JSON (spec, levels, prior, term-frequency tables), and back,
// so a stored model can score and explain pairs later without re-training.
std::string ModelToJson(const Model& model);
// reference_dir as in LinkageOptions (empty = DefaultReferenceDir()).
Result<Model> ModelFromJson(std::string_view json, const std::string& reference_dir = "");

struct WeightTable;  // internal

// Scores pairs of one record set with a trained model: the comparison kernel
// behind Link, for re-scoring (review queues) and benchmarking. Records are
// normalised once; MatchWeight is thread-safe.
class PairScorer {
 public:
  // records must have model.spec's fields; REQUIRES: model.names is set (any
  // model returned by Link).
  PairScorer(const Model& model, const std::vector<Record>& records);
  ~PairScorer();
  PairScorer(PairScorer&&) noexcept;
  PairScorer& operator=(PairScorer&&) noexcept;

  size_t size() const;
  double MatchWeight(size_t i, size_t j) const;  // prior included

 private:
  std::unique_ptr<const PreparedData> data_;
  std::unique_ptr<const WeightTable> table_;
};

}  // namespace riskradar::linkage

// Scoring a clustering against ground truth: pairwise precision, recall and F1
// and B-cubed precision and recall, for link-csv output (FEBRL and any CSV with
// a truth column) and for the people a store resolved (synthetic partnership).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "riskradar/core/status.h"
#include "riskradar/eval/evaluate.h"
#include "riskradar/store/store.h"

namespace riskradar::eval {

struct LabelledRecord {
  std::string source;     // input file or agency; used by cross-source-only scoring
  std::string predicted;  // cluster the linker put the record in
  std::string truth;      // true entity
  std::string group;      // optional breakdown (name origin); empty = none
  bool offender = false;  // synthetic partnership: the true person is an offender
};

struct ClusterScores {
  int64_t records = 0;
  int64_t predicted_clusters = 0;
  int64_t true_entities = 0;
  PairwiseScores pairwise;
  // B-cubed: per record, the share of its cluster that is its entity (precision)
  // and of its entity that is in its cluster (recall), averaged over records.
  double bcubed_precision = 1.0;
  double bcubed_recall = 1.0;
  double bcubed_f1() const {
    const double p = bcubed_precision, r = bcubed_recall;
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
};

// The unordered pairs among n records: n(n-1)/2.
constexpr int64_t PairCount(int64_t n) { return n * (n - 1) / 2; }

// cross_source_only: pairs within one source are neither predicted nor true
// pairs (linking two files that are each free of duplicates). B-cubed uses every record.
ClusterScores ScoreClusters(const std::vector<LabelledRecord>& records, bool cross_source_only);
// The same per group (records with an empty group are left out).
std::map<std::string, ClusterScores> ScoreClustersByGroup(const std::vector<LabelledRecord>& records,
                                                          bool cross_source_only);

struct TruthFiles {
  std::vector<std::filesystem::path>
      files;  // CSVs holding the truth (several: source = file stem, as link-csv names them)
  std::string id_column = "record_id";
  std::string truth_column;  // the entity column
  std::string truth_regex;   // optional: the entity is the first capture group ("^rec-(\\d+)-" for FEBRL)
};

struct CsvLabels {
  std::vector<LabelledRecord> records;
  int64_t unmatched_clusters_rows = 0;  // clusters.csv rows with no truth
  int64_t unmatched_truth_rows = 0;     // truth rows with no clusters.csv row
};

// Joins link-csv's clusters.csv with the truth on (source, record id). Values are trimmed.
Result<CsvLabels> LabelCsvClusters(const std::filesystem::path& clusters_csv, const TruthFiles& truth);

// People in a store vs a synthetic partnership's truth/ (group = name origin).
Result<std::vector<LabelledRecord>> LabelStorePeople(store::Store& store, const std::filesystem::path& truth_dir);

std::string RenderClusterScores(const std::string& title, const ClusterScores& s);

}  // namespace riskradar::eval

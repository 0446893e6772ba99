// Pairwise and B-cubed scoring of clusterings against truth (see linkage_eval.h).
#include "riskradar/eval/linkage_eval.h"
#include "riskradar/core/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <unordered_map>

#include "riskradar/ingest/readers.h"

namespace riskradar::eval {
namespace {

// Pairs among `members` (indices into records), optionally only across sources.
int64_t PairsAmong(const std::vector<size_t>& members, const std::vector<LabelledRecord>& records, bool cross_only) {
  int64_t pairs = PairCount(static_cast<int64_t>(members.size()));
  if (!cross_only) return pairs;
  std::unordered_map<std::string_view, int64_t> per_source;
  for (size_t i : members) ++per_source[records[i].source];
  for (const auto& [s, n] : per_source) pairs -= PairCount(n);
  return pairs;
}

// Reads a CSV with a header through the ingest reader; fn(header index, fields, line).
Status ReadCsv(
    const std::filesystem::path& path,
    const std::function<Status(const std::vector<std::string>&, const std::vector<std::string>&, int64_t)>& fn) {
  RR_ASSIGN_OR_RETURN(auto reader, ingest::CsvReader::Open(path.string(), ingest::Encoding::kUtf8, ','));
  ingest::CsvRecord record;
  if (!reader->Next(record)) return Status::InvalidArgument(path.string() + ": empty file");
  std::vector<std::string> header;
  for (const auto& h : record.fields) header.emplace_back(Trim(h));
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0] = header[0].substr(3);
  reader->set_expected_fields(header.size());
  std::vector<std::string> fields;
  while (reader->Next(record)) {
    if (record.fields.size() == 1 && Trim(record.fields[0]).empty()) continue;
    if (!record.error.empty() || record.fields.size() != header.size()) {
      return Status::InvalidArgument(
          path.string() + ": line " + std::to_string(record.line) + ": " +
          (record.error.empty()
               ? std::to_string(record.fields.size()) + " fields but the header has " + std::to_string(header.size())
               : record.error));
    }
    fields.clear();
    for (const auto& f : record.fields) fields.emplace_back(Trim(f));
    RR_RETURN_IF_ERROR(fn(header, fields, record.line));
  }
  return Status::Ok();
}

Result<size_t> ColumnOf(const std::vector<std::string>& header, const std::string& name, const std::string& file) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return Status::InvalidArgument(file + ": no column '" + name + "'");
  return static_cast<size_t>(it - header.begin());
}

}  // namespace

ClusterScores ScoreClusters(const std::vector<LabelledRecord>& records, bool cross_source_only) {
  ClusterScores s;
  s.records = static_cast<int64_t>(records.size());
  std::unordered_map<std::string_view, std::vector<size_t>> clusters, entities;
  std::map<std::pair<std::string_view, std::string_view>, std::vector<size_t>> cells;
  for (size_t i = 0; i < records.size(); ++i) {
    clusters[records[i].predicted].push_back(i);
    entities[records[i].truth].push_back(i);
    cells[{records[i].predicted, records[i].truth}].push_back(i);
  }
  s.predicted_clusters = static_cast<int64_t>(clusters.size());
  s.true_entities = static_cast<int64_t>(entities.size());
  for (const auto& [k, m] : clusters) s.pairwise.predicted_pairs += PairsAmong(m, records, cross_source_only);
  for (const auto& [k, m] : entities) s.pairwise.true_pairs += PairsAmong(m, records, cross_source_only);
  double precision_sum = 0;
  double recall_sum = 0;
  for (const auto& [key, m] : cells) {
    s.pairwise.correct_pairs += PairsAmong(m, records, cross_source_only);
    // Each of the cell's records has |cell| / |cluster| precision and |cell| / |entity| recall.
    const double cell = static_cast<double>(m.size());
    precision_sum += cell * cell / static_cast<double>(clusters[key.first].size());
    recall_sum += cell * cell / static_cast<double>(entities[key.second].size());
  }
  if (!records.empty()) {
    s.bcubed_precision = precision_sum / static_cast<double>(records.size());
    s.bcubed_recall = recall_sum / static_cast<double>(records.size());
  }
  return s;
}

std::map<std::string, ClusterScores> ScoreClustersByGroup(const std::vector<LabelledRecord>& records,
                                                          bool cross_source_only) {
  std::map<std::string, std::vector<LabelledRecord>> by_group;
  for (const auto& r : records) {
    if (!r.group.empty()) by_group[r.group].push_back(r);
  }
  std::map<std::string, ClusterScores> out;
  for (const auto& [g, rs] : by_group) out[g] = ScoreClusters(rs, cross_source_only);
  return out;
}

Result<CsvLabels> LabelCsvClusters(const std::filesystem::path& clusters_csv, const TruthFiles& truth) {
  if (truth.files.empty()) return Status::InvalidArgument("no truth file given");
  if (truth.truth_column.empty()) return Status::InvalidArgument("no truth column given");
  std::optional<std::regex> pattern;
  if (!truth.truth_regex.empty()) {
    try {
      pattern.emplace(truth.truth_regex);
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("truth regex '" + truth.truth_regex + "': " + e.what());
    }
  }
  // Source names as link-csv gives them: file stems, made unique in order.
  std::vector<std::string> sources;
  std::set<std::string> names;
  for (const auto& path : truth.files) {
    std::string name = path.stem().string();
    for (int k = 2; !names.insert(name).second; ++k) name = path.stem().string() + "#" + std::to_string(k);
    sources.push_back(name);
  }
  const bool several = truth.files.size() > 1;
  std::unordered_map<std::string, std::string> entity_of;  // source \x1f id -> entity
  bool truth_has_source = several;
  for (size_t f = 0; f < truth.files.size(); ++f) {
    const std::string file = truth.files[f].string();
    size_t id_col = 0, truth_col = 0;
    std::optional<size_t> source_col;
    bool first = true;
    RR_RETURN_IF_ERROR(ReadCsv(truth.files[f], [&](const auto& header, const auto& fields, int64_t line) -> Status {
      if (first) {
        RR_ASSIGN_OR_RETURN(id_col, ColumnOf(header, truth.id_column, file));
        RR_ASSIGN_OR_RETURN(truth_col, ColumnOf(header, truth.truth_column, file));
        if (!several) {
          if (auto c = ColumnOf(header, "source", file); c.ok()) source_col = *c;
          truth_has_source = source_col.has_value();
        }
        first = false;
      }
      std::string entity = fields[truth_col];
      if (pattern) {
        std::smatch m;
        if (!std::regex_search(entity, m, *pattern) || m.size() < 2) {
          return Status::InvalidArgument(file + ": line " + std::to_string(line) + ": field '" + truth.truth_column +
                                         "' value '" + entity + "' does not match " + truth.truth_regex);
        }
        entity = m[1].str();
      }
      const std::string source = several ? sources[f] : source_col ? fields[*source_col] : "";
      entity_of[source + '\x1f' + fields[id_col]] = entity;
      return Status::Ok();
    }));
  }
  CsvLabels out;
  const std::string cfile = clusters_csv.string();
  size_t id_col = 0, cluster_col = 0;
  std::optional<size_t> source_col;
  bool first = true;
  std::unordered_map<std::string, bool> used;
  RR_RETURN_IF_ERROR(ReadCsv(clusters_csv, [&](const auto& header, const auto& fields, int64_t) -> Status {
    if (first) {
      RR_ASSIGN_OR_RETURN(id_col, ColumnOf(header, "record_id", cfile));
      RR_ASSIGN_OR_RETURN(cluster_col, ColumnOf(header, "cluster_id", cfile));
      if (auto c = ColumnOf(header, "source", cfile); c.ok()) source_col = *c;
      if (truth_has_source && !source_col) {
        return Status::InvalidArgument(cfile + ": no column 'source' (the truth names records by source and id)");
      }
      first = false;
    }
    const std::string source = source_col ? fields[*source_col] : "";
    const auto it = entity_of.find((truth_has_source ? source : std::string()) + '\x1f' + fields[id_col]);
    if (it == entity_of.end()) {
      ++out.unmatched_clusters_rows;
      return Status::Ok();
    }
    used[it->first] = true;
    out.records.push_back({source, fields[cluster_col], it->second, "", false});
    return Status::Ok();
  }));
  out.unmatched_truth_rows = static_cast<int64_t>(entity_of.size()) - static_cast<int64_t>(used.size());
  if (out.records.empty()) {
    return Status::InvalidArgument("no record of " + cfile + " has a truth value (do the ids and sources match?)");
  }
  return out;
}

Result<std::vector<LabelledRecord>> LabelStorePeople(store::Store& store, const std::filesystem::path& truth_dir) {
  struct TruePerson {
    std::string origin;
    bool offender = false;
  };
  std::unordered_map<std::string, TruePerson> people;
  const std::filesystem::path people_csv = truth_dir / "people.csv";
  size_t key_col = 0, origin_col = 0;
  std::optional<size_t> offender_col;
  bool first = true;
  RR_RETURN_IF_ERROR(ReadCsv(people_csv, [&](const auto& header, const auto& fields, int64_t) -> Status {
    if (first) {
      RR_ASSIGN_OR_RETURN(key_col, ColumnOf(header, "person_key", people_csv.string()));
      RR_ASSIGN_OR_RETURN(origin_col, ColumnOf(header, "name_origin", people_csv.string()));
      if (auto c = ColumnOf(header, "offender", people_csv.string()); c.ok()) offender_col = *c;
      first = false;
    }
    people[fields[key_col]] = {fields[origin_col], offender_col && fields[*offender_col] == "1"};
    return Status::Ok();
  }));
  std::unordered_map<std::string, std::string> mention_truth;
  const std::filesystem::path mentions_csv = truth_dir / "mentions.csv";
  size_t a = 0, l = 0, s = 0, p = 0;
  first = true;
  RR_RETURN_IF_ERROR(ReadCsv(mentions_csv, [&](const auto& header, const auto& fields, int64_t) -> Status {
    if (first) {
      RR_ASSIGN_OR_RETURN(a, ColumnOf(header, "agency", mentions_csv.string()));
      RR_ASSIGN_OR_RETURN(l, ColumnOf(header, "local_id", mentions_csv.string()));
      RR_ASSIGN_OR_RETURN(s, ColumnOf(header, "slot", mentions_csv.string()));
      RR_ASSIGN_OR_RETURN(p, ColumnOf(header, "person_key", mentions_csv.string()));
      first = false;
    }
    mention_truth[fields[a] + '\x1f' + fields[l] + '\x1f' + fields[s]] = fields[p];
    return Status::Ok();
  }));
  RR_ASSIGN_OR_RETURN(auto mentions, store.LoadPersonMentions());
  RR_ASSIGN_OR_RETURN(auto mention_person, store.LoadMentionPersons());
  std::unordered_map<int64_t, int64_t> person_of(mention_person.begin(), mention_person.end());
  std::vector<LabelledRecord> out;
  for (const auto& m : mentions) {
    const auto t = mention_truth.find(m.agency_code + '\x1f' + m.local_id + '\x1f' + m.slot);
    const auto pid = person_of.find(m.mention.id);
    if (t == mention_truth.end() || pid == person_of.end()) continue;
    const auto tp = people.find(t->second);
    out.push_back({m.agency_code, std::to_string(pid->second), t->second,
                   tp == people.end() ? std::string() : tp->second.origin, tp != people.end() && tp->second.offender});
  }
  if (out.empty()) return Status::InvalidArgument("no linked mention of the store appears in " + mentions_csv.string());
  return out;
}

std::string RenderClusterScores(const std::string& title, const ClusterScores& s) {
  return fmt::format(
      "{}: records {}, clusters {} (true {}); pairwise precision {:.4f} recall {:.4f} F1 {:.4f} "
      "(true pairs {}, predicted {}, correct {}); B-cubed precision {:.4f} recall {:.4f} F1 {:.4f}\n",
      title, s.records, s.predicted_clusters, s.true_entities, s.pairwise.precision(), s.pairwise.recall(),
      s.pairwise.f1(), s.pairwise.true_pairs, s.pairwise.predicted_pairs, s.pairwise.correct_pairs, s.bcubed_precision,
      s.bcubed_recall, s.bcubed_f1());
}

}  // namespace riskradar::eval

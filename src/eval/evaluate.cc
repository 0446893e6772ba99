// Scoring linkage, screening and network recovery against the generator's truth.
#include "riskradar/eval/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "riskradar/ingest/readers.h"

namespace riskradar::eval {
namespace {

using Row = std::unordered_map<std::string, std::string>;

// Reads a truth CSV by header name.
Status ReadTruthCsv(const std::filesystem::path& path, const std::vector<std::string>& required,
                    const std::function<void(const Row&)>& fn) {
  RR_ASSIGN_OR_RETURN(auto reader, ingest::CsvReader::Open(path.string(), ingest::Encoding::kUtf8, ','));
  ingest::CsvRecord record;
  if (!reader->Next(record)) return Status::InvalidArgument(path.string() + ": empty truth file");
  const std::vector<std::string> header = record.fields;
  for (const std::string& col : required) {
    if (std::find(header.begin(), header.end(), col) == header.end()) {
      return Status::InvalidArgument(path.string() + ": truth file lacks column '" + col + "'");
    }
  }
  Row row;
  while (reader->Next(record)) {
    if (!record.error.empty() || record.fields.size() != header.size()) {
      return Status::InvalidArgument(path.string() + ": line " + std::to_string(record.line) + " is malformed");
    }
    row.clear();
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = record.fields[i];
    fn(row);
  }
  return Status::Ok();
}

int64_t Choose2(int64_t n) { return n * (n - 1) / 2; }

// Pairwise scores from (predicted cluster, true entity) labels of the same items.
PairwiseScores Pairwise(const std::vector<std::pair<int64_t, std::string>>& labels) {
  std::unordered_map<int64_t, int64_t> predicted;
  std::unordered_map<std::string, int64_t> truth;
  std::map<std::pair<int64_t, std::string>, int64_t> both;
  for (const auto& [p, t] : labels) {
    ++predicted[p];
    ++truth[t];
    ++both[{p, t}];
  }
  PairwiseScores s;
  for (const auto& [k, n] : predicted) s.predicted_pairs += Choose2(n);
  for (const auto& [k, n] : truth) s.true_pairs += Choose2(n);
  for (const auto& [k, n] : both) s.correct_pairs += Choose2(n);
  return s;
}

std::string Key(const std::string& agency, const std::string& local_id, const std::string& slot) {
  return agency + '\x1f' + local_id + '\x1f' + slot;
}

}  // namespace

double Evaluation::level_agreement_at_risk() const {
  int64_t total = 0, same = 0;
  for (size_t t = 1; t < 4; ++t) {
    for (size_t a = 0; a < 4; ++a) total += confusion[t][a];
    same += confusion[t][t];
  }
  return total ? static_cast<double>(same) / total : 1.0;
}

Result<Evaluation> EvaluateAgainstTruth(store::Store& store, const std::filesystem::path& truth_dir) {
  Evaluation e;
  // Truth about people.
  struct TruePerson {
    std::string kind, sex, origin, level, network;
    bool offender = false;
  };
  std::unordered_map<std::string, TruePerson> people;
  RR_RETURN_IF_ERROR(ReadTruthCsv(truth_dir / "people.csv", {"person_key", "kind", "sex", "name_origin", "true_level"},
                                  [&](const Row& r) {
                                    TruePerson p;
                                    p.kind = r.at("kind");
                                    p.sex = r.at("sex");
                                    p.origin = r.at("name_origin");
                                    p.level = r.at("true_level");
                                    if (auto it = r.find("network_id"); it != r.end()) p.network = it->second;
                                    if (auto it = r.find("offender"); it != r.end()) p.offender = it->second == "1";
                                    people[r.at("person_key")] = p;
                                  }));
  std::unordered_map<std::string, std::string> mention_truth;
  RR_RETURN_IF_ERROR(ReadTruthCsv(
      truth_dir / "mentions.csv", {"agency", "local_id", "slot", "person_key"},
      [&](const Row& r) { mention_truth[Key(r.at("agency"), r.at("local_id"), r.at("slot"))] = r.at("person_key"); }));

  // People: pairwise over mentions the store holds.
  RR_ASSIGN_OR_RETURN(auto mentions, store.LoadPersonMentions());
  RR_ASSIGN_OR_RETURN(auto mention_person, store.LoadMentionPersons());
  std::unordered_map<int64_t, int64_t> person_of(mention_person.begin(), mention_person.end());
  std::vector<std::pair<int64_t, std::string>> labels;
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> labels_by_origin;
  // Which resolved person each true person mostly became.
  std::unordered_map<std::string, std::unordered_map<int64_t, int>> votes;
  for (const auto& m : mentions) {
    auto t = mention_truth.find(Key(m.agency_code, m.local_id, m.slot));
    auto p = person_of.find(m.mention.id);
    if (t == mention_truth.end() || p == person_of.end()) continue;
    labels.emplace_back(p->second, t->second);
    ++votes[t->second][p->second];
    auto tp = people.find(t->second);
    if (tp != people.end()) labels_by_origin[tp->second.origin].emplace_back(p->second, t->second);
  }
  e.people = Pairwise(labels);
  for (const auto& [origin, l] : labels_by_origin) e.people_by_origin[origin] = Pairwise(l);
  std::unordered_set<int64_t> resolved;
  for (const auto& [pid, t] : labels) resolved.insert(pid);
  e.resolved_people = static_cast<int64_t>(resolved.size());
  e.true_people = static_cast<int64_t>(votes.size());
  auto majority = [&](const std::string& key) -> int64_t {
    auto it = votes.find(key);
    if (it == votes.end()) return 0;
    int64_t best = 0;
    int best_n = 0;
    for (const auto& [pid, n] : it->second) {
      if (n > best_n || (n == best_n && pid < best)) {
        best = pid;
        best_n = n;
      }
    }
    return best;
  };

  // Events: pairwise over stored event records (truth/events.csv; older synthetic data has none).
  if (std::filesystem::exists(truth_dir / "events.csv")) {
    std::unordered_map<std::string, std::string> event_truth;
    RR_RETURN_IF_ERROR(ReadTruthCsv(truth_dir / "events.csv", {"agency", "local_id", "event_key"}, [&](const Row& r) {
      event_truth[Key(r.at("agency"), r.at("local_id"), "")] = r.at("event_key");
    }));
    RR_ASSIGN_OR_RETURN(auto events, store.LoadEvents());
    std::vector<std::pair<int64_t, std::string>> event_labels;
    std::unordered_set<int64_t> resolved_events;
    std::unordered_set<std::string> true_events;
    for (const auto& row : events) {
      auto t = event_truth.find(Key(row.agency_code, row.local_id, ""));
      if (t == event_truth.end()) continue;
      const int64_t resolved_id = row.resolved_event_id != 0 ? row.resolved_event_id : row.event.id;
      event_labels.emplace_back(resolved_id, t->second);
      resolved_events.insert(resolved_id);
      true_events.insert(t->second);
    }
    e.events.source_records = static_cast<int64_t>(event_labels.size());
    e.events.resolved = static_cast<int64_t>(resolved_events.size());
    e.events.true_events = static_cast<int64_t>(true_events.size());
    e.events.merges = Pairwise(event_labels);
  }

  // Screening: true level vs the latest assessed level of the person the child became.
  RR_ASSIGN_OR_RETURN(auto assessments, store.LatestAssessments());
  std::unordered_map<int64_t, RiskLevel> level_of;
  for (const Assessment& a : assessments) level_of[a.person_id] = a.override_level.value_or(a.level);
  for (const auto& [key, p] : people) {
    if (p.kind != "child" || !votes.count(key)) continue;
    auto truth_level = ParseRiskLevel(p.level.empty() ? "none" : p.level);
    if (!truth_level.ok()) return truth_level.status().WithContext("truth/people.csv true_level");
    const auto found = level_of.find(majority(key));
    const RiskLevel assessed = found == level_of.end() ? RiskLevel::kNoCurrentRisk : found->second;
    ++e.confusion[static_cast<size_t>(*truth_level)][static_cast<size_t>(assessed)];
    const bool truly = *truth_level != RiskLevel::kNoCurrentRisk, flagged = assessed != RiskLevel::kNoCurrentRisk;
    e.truth_on_radar += truly;
    e.both_on_radar += truly && flagged;
    if (truly) {
      auto& [hit, total] = e.radar_recall_by_sex[p.sex];
      ++total;
      hit += flagged;
    }
  }
  for (const auto& [pid, level] : level_of) e.assessed_on_radar += level != RiskLevel::kNoCurrentRisk;

  // Networks: a planted network is recovered when one detected network holds a
  // majority of its offenders and they are a majority of that network.
  auto networks = store.LoadNetworks();
  if (networks.ok()) {
    std::map<std::string, std::vector<int64_t>> planted;
    for (const auto& [key, p] : people) {
      if (p.offender && !p.network.empty()) planted[p.network].push_back(majority(key));
    }
    std::unordered_map<int64_t, std::pair<int32_t, size_t>> network_of;  // person -> (network id, size)
    for (const auto& n : networks->networks) {
      for (int64_t o : n.offenders) network_of[o] = {n.id, n.offenders.size()};
    }
    e.planted_networks = static_cast<int64_t>(planted.size());
    for (const auto& [id, members] : planted) {
      std::map<int32_t, size_t> overlap;
      size_t detected_size = 0;
      for (int64_t pid : members) {
        auto it = network_of.find(pid);
        if (it != network_of.end()) ++overlap[it->second.first];
      }
      int32_t best = -1;
      size_t best_n = 0;
      for (const auto& [nid, n] : overlap) {
        if (n > best_n) {
          best = nid;
          best_n = n;
        }
      }
      if (best < 0) continue;
      for (const auto& [pid, info] : network_of) {
        if (info.first == best) detected_size = info.second;
      }
      if (best_n * 2 > members.size() && best_n * 2 > detected_size) ++e.networks_recovered;
    }
  }

  // Places.
  std::unordered_map<std::string, bool> place_concern;
  RR_RETURN_IF_ERROR(ReadTruthCsv(truth_dir / "places.csv", {"place_key", "of_concern"},
                                  [&](const Row& r) { place_concern[r.at("place_key")] = r.at("of_concern") == "1"; }));
  std::unordered_map<std::string, std::string> place_mention_truth;
  RR_RETURN_IF_ERROR(ReadTruthCsv(
      truth_dir / "place_mentions.csv", {"agency", "local_id", "place_key"},
      [&](const Row& r) { place_mention_truth[Key(r.at("agency"), r.at("local_id"), "")] = r.at("place_key"); }));
  RR_ASSIGN_OR_RETURN(auto place_mentions, store.LoadPlaceMentions());
  RR_ASSIGN_OR_RETURN(auto place_mention_place, store.LoadPlaceMentionPlaces());
  std::unordered_map<int64_t, int64_t> place_of(place_mention_place.begin(), place_mention_place.end());
  std::vector<std::pair<int64_t, std::string>> place_labels;
  std::unordered_map<std::string, std::unordered_map<int64_t, int>> place_votes;
  for (const auto& m : place_mentions) {
    auto t = place_mention_truth.find(Key(m.agency_code, m.local_id, ""));
    auto p = place_of.find(m.mention.id);
    if (t == place_mention_truth.end() || p == place_of.end()) continue;
    place_labels.emplace_back(p->second, t->second);
    ++place_votes[t->second][p->second];
  }
  e.places = Pairwise(place_labels);
  if (networks.ok()) {
    std::unordered_set<int64_t> flagged;
    for (const auto& ps : networks->places) {
      if (ps.of_concern) flagged.insert(ps.place_id);
    }
    e.places_of_concern_flagged = static_cast<int64_t>(flagged.size());
    for (const auto& [key, concern] : place_concern) {
      if (!concern) continue;
      ++e.truth_places_of_concern;
      auto it = place_votes.find(key);
      if (it == place_votes.end()) continue;
      for (const auto& [pid, n] : it->second) {
        if (flagged.count(pid)) {
          ++e.places_of_concern_found;
          break;
        }
      }
    }
  }
  return e;
}

std::string RenderEvaluation(const Evaluation& e) {
  std::string out = "Evaluation against the generator's truth\n";
  out += fmt::format("  People linkage: precision {:.4f}, recall {:.4f}, F1 {:.4f} ({} true people -> {} resolved)\n",
                     e.people.precision(), e.people.recall(), e.people.f1(), e.true_people, e.resolved_people);
  out += "    recall by name origin:";
  for (const auto& [origin, s] : e.people_by_origin) out += fmt::format(" {} {:.4f};", origin, s.recall());
  out += "\n";
  out += fmt::format(
      "  Event linkage: {} source records -> {} events ({} true); merge precision {:.4f}, recall {:.4f} ({} of {} "
      "true pairs merged, {} pairs merged)\n",
      e.events.source_records, e.events.resolved, e.events.true_events, e.events.merge_precision(),
      e.events.merge_recall(), e.events.merges.correct_pairs, e.events.merges.true_pairs,
      e.events.merges.predicted_pairs);
  out += fmt::format("  Place linkage: precision {:.4f}, recall {:.4f}, F1 {:.4f}\n", e.places.precision(),
                     e.places.recall(), e.places.f1());
  out += fmt::format("  Risk radar: precision {:.3f}, recall {:.3f} (truly at risk {}, flagged {})\n",
                     e.radar_precision(), e.radar_recall(), e.truth_on_radar, e.assessed_on_radar);
  // Level agreement among the truly at risk, per true level (serious first), not over every child.
  const auto row = [&](size_t t) {
    int64_t n = 0;
    for (int64_t c : e.confusion[t]) n += c;
    return std::pair<int64_t, int64_t>(e.confusion[t][t], n);
  };
  const auto [serious, serious_n] = row(3);
  const auto [significant, significant_n] = row(2);
  const auto [at_risk, at_risk_n] = row(1);
  out += fmt::format(
      "    level agreement among the truly at risk: {:.3f} ({}/{}; serious {}/{}, significant {}/{}, at risk {}/{})\n",
      e.level_agreement_at_risk(), serious + significant + at_risk, serious_n + significant_n + at_risk_n, serious,
      serious_n, significant, significant_n, at_risk, at_risk_n);
  out += "    recall by sex:";
  for (const auto& [sex, hit_total] : e.radar_recall_by_sex) {
    out += fmt::format(" {} {:.3f} ({}/{});", sex.empty() ? "unknown" : sex,
                       hit_total.second ? static_cast<double>(hit_total.first) / hit_total.second : 1.0,
                       hit_total.first, hit_total.second);
  }
  out += "\n    confusion (rows: true none/at_risk/significant/serious; columns: assessed)\n";
  static constexpr const char* kNames[] = {"none", "at_risk", "significant", "serious"};
  for (size_t t = 0; t < 4; ++t) {
    out += fmt::format("      {:<12}", kNames[t]);
    for (size_t a = 0; a < 4; ++a) out += fmt::format("{:>8}", e.confusion[t][a]);
    out += "\n";
  }
  out += fmt::format("  Networks: {} of {} planted networks recovered\n", e.networks_recovered, e.planted_networks);
  out += fmt::format("  Places of concern: {} of {} true places flagged ({} flagged in all)\n",
                     e.places_of_concern_found, e.truth_places_of_concern, e.places_of_concern_flagged);
  return out;
}

}  // namespace riskradar::eval

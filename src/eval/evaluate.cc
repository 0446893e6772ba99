// Scoring linkage, screening and network recovery against the generator's truth.
#include "riskradar/eval/evaluate.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "riskradar/eval/linkage_eval.h"
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
  for (const auto& [k, n] : predicted) s.predicted_pairs += PairCount(n);
  for (const auto& [k, n] : truth) s.true_pairs += PairCount(n);
  for (const auto& [k, n] : both) s.correct_pairs += PairCount(n);
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
    // VOLT: the true person each resolved person mostly is.
    std::unordered_map<int64_t, std::unordered_map<std::string, int>> person_votes;
    for (const auto& [pid, key] : labels) ++person_votes[pid][key];
    auto true_key = [&](int64_t pid) -> std::string {
      auto it = person_votes.find(pid);
      if (it == person_votes.end()) return "";
      std::string best;
      int best_n = 0;
      for (const auto& [key, n] : it->second) {
        if (n > best_n || (n == best_n && key < best)) {
          best = key;
          best_n = n;
        }
      }
      return best;
    };
    auto is_offender = [&](const std::string& key) {
      auto it = people.find(key);
      return it != people.end() && it->second.offender;
    };
    for (const auto& [key, p] : people) e.offenders.truth += p.offender;
    for (const auto& person : networks->persons) {
      const std::string key = true_key(person.person_id);
      if (person.suspected_offender) {
        ++e.offenders.found;
        if (is_offender(key)) ++(majority(key) == person.person_id ? e.offenders.found_true : e.offenders.found_split);
      }
    }
    for (size_t i = 0; i < networks->persons.size() && i < 20; ++i) {
      ++e.offenders.top20;
      e.offenders.top20_true += is_offender(true_key(networks->persons[i].person_id));
    }
    std::map<std::string, std::set<std::string>> planted_keys;
    std::map<std::string, std::set<int64_t>> planted_ids;
    for (const auto& [key, p] : people) {
      if (p.offender && !p.network.empty()) {
        planted_keys[p.network].insert(key);
        if (votes.count(key)) planted_ids[p.network].insert(majority(key));
      }
    }
    auto jaccard = [](const auto& a, const auto& b) {
      size_t both = 0;
      for (const auto& x : a) both += b.count(x);
      const size_t either = a.size() + b.size() - both;
      return either ? static_cast<double>(both) / static_cast<double>(either) : 0.0;
    };
    for (const auto& [id, keys] : planted_keys) {
      double best = 0, best_resolved = 0;
      for (const auto& n : networks->networks) {
        std::set<std::string> detected_keys;
        for (int64_t o : n.offenders) detected_keys.insert(true_key(o));
        const std::set<int64_t> detected_ids(n.offenders.begin(), n.offenders.end());
        best = std::max(best, jaccard(keys, detected_keys));
        best_resolved = std::max(best_resolved, jaccard(planted_ids[id], detected_ids));
      }
      e.recovered_jaccard_0_8 += best >= 0.8;
      e.recovered_jaccard_0_8_resolved += best_resolved >= 0.8;
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
    for (const auto& [key, concern] : place_concern) e.truth_places_of_concern += concern ? 1 : 0;
    // The top N by score (LoadNetworks returns them highest first), N = as many as there are true places.
    std::unordered_set<int64_t> top;
    for (const auto& ps : networks->places) {
      if (static_cast<int64_t>(top.size()) >= e.truth_places_of_concern) break;
      top.insert(ps.place_id);
    }
    for (const auto& [key, concern] : place_concern) {
      if (!concern) continue;
      auto it = place_votes.find(key);
      if (it == place_votes.end()) continue;
      bool found = false, in_top = false;
      for (const auto& [pid, n] : it->second) {
        found |= flagged.count(pid) > 0;
        in_top |= top.count(pid) > 0;
      }
      e.places_of_concern_found += found ? 1 : 0;
      e.places_top_n_true += in_top ? 1 : 0;
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
  out += fmt::format(
      "    recovered with Jaccard >= 0.8: {} of {} (as true people; {} comparing resolved people, where a linkage "
      "split counts twice)\n",
      e.recovered_jaccard_0_8, e.planted_networks, e.recovered_jaccard_0_8_resolved);
  const auto& o = e.offenders;
  out += fmt::format(
      "  Offenders: {} suspected against {} true ({:+.1f}%): {} true offenders, {} further pieces of a split "
      "offender, {} no offender\n",
      o.found, o.truth, o.truth ? 100.0 * static_cast<double>(o.found - o.truth) / static_cast<double>(o.truth) : 0.0,
      o.found_true, o.found_split, o.found - o.found_true - o.found_split);
  out += fmt::format("    top {} by priority: {} true offenders\n", o.top20, o.top20_true);
  out += fmt::format(
      "  Places of concern: {} of {} true places flagged ({} flagged in all); {} of {} in the top {} by score\n",
      e.places_of_concern_found, e.truth_places_of_concern, e.places_of_concern_flagged, e.places_top_n_true,
      e.truth_places_of_concern, e.truth_places_of_concern);
  return out;
}

namespace {

nlohmann::json PairwiseJson(const PairwiseScores& s) {
  return {{"precision", s.precision()},
          {"recall", s.recall()},
          {"f1", s.f1()},
          {"true_pairs", s.true_pairs},
          {"predicted_pairs", s.predicted_pairs},
          {"correct_pairs", s.correct_pairs}};
}

}  // namespace

std::string RenderEvaluationJson(const Evaluation& e) {
  static constexpr const char* kLevels[] = {"none", "at_risk", "significant", "serious"};
  nlohmann::json screening = {{"precision", e.radar_precision()},
                              {"recall", e.radar_recall()},
                              {"truly_at_risk", e.truth_on_radar},
                              {"flagged", e.assessed_on_radar},
                              {"flagged_and_truly_at_risk", e.both_on_radar},
                              {"level_agreement_at_risk", e.level_agreement_at_risk()}};
  nlohmann::json by_level = nlohmann::json::object();
  for (size_t t = 1; t < 4; ++t) {
    int64_t n = 0;
    for (int64_t c : e.confusion[t]) n += c;
    by_level[kLevels[t]] = {{"agree", e.confusion[t][t]}, {"children", n}};
  }
  screening["level_agreement_by_true_level"] = std::move(by_level);
  nlohmann::json by_sex = nlohmann::json::object();
  for (const auto& [sex, found_total] : e.radar_recall_by_sex) {
    const auto [found, total] = found_total;
    by_sex[sex.empty() ? "unknown" : sex] = {
        {"recall", total ? static_cast<double>(found) / static_cast<double>(total) : 1.0},
        {"found", found},
        {"truly_at_risk", total}};
  }
  screening["recall_by_sex"] = std::move(by_sex);
  nlohmann::json confusion = nlohmann::json::object();
  for (size_t t = 0; t < 4; ++t) {
    nlohmann::json row = nlohmann::json::object();
    for (size_t a = 0; a < 4; ++a) row[kLevels[a]] = e.confusion[t][a];
    confusion[kLevels[t]] = std::move(row);
  }
  screening["confusion"] = std::move(confusion);  // confusion[true level][assessed level]

  nlohmann::json people = PairwiseJson(e.people);
  people["true_people"] = e.true_people;
  people["resolved_people"] = e.resolved_people;
  nlohmann::json by_origin = nlohmann::json::object();
  for (const auto& [origin, s] : e.people_by_origin) by_origin[origin] = s.recall();
  people["recall_by_origin"] = std::move(by_origin);

  nlohmann::json out = {
      {"screening", std::move(screening)},
      {"linkage", {{"people", std::move(people)}, {"places", PairwiseJson(e.places)}}},
      {"events",
       {{"source_records", e.events.source_records},
        {"resolved", e.events.resolved},
        {"true_events", e.events.true_events},
        {"merge_precision", e.events.merge_precision()},
        {"merge_recall", e.events.merge_recall()},
        {"merges", PairwiseJson(e.events.merges)}}},
      {"networks",
       {{"planted", e.planted_networks},
        {"recovered_jaccard_0_8", e.recovered_jaccard_0_8},
        {"recovered_jaccard_0_8_resolved", e.recovered_jaccard_0_8_resolved},
        {"recovered_majority", e.networks_recovered}}},
      {"offenders",
       {{"true", e.offenders.truth},
        {"found", e.offenders.found},
        {"found_true", e.offenders.found_true},
        {"found_split", e.offenders.found_split},
        {"top20_true", e.offenders.top20_true},
        {"top20", e.offenders.top20}}},
      {"places",
       {{"true", e.truth_places_of_concern},
        {"flagged", e.places_of_concern_flagged},
        {"true_flagged", e.places_of_concern_found},
        {"top_n_true", e.places_top_n_true}}},  // N = as many as there are true places
  };
  return out.dump(2) + "\n";
}

}  // namespace riskradar::eval

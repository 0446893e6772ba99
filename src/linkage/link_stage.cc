// The link stage: store mentions -> linkage engine -> stable persons and places.
#include "riskradar/linkage/link_stage.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "riskradar/linkage/blocking_plan.h"
#include "riskradar/linkage/person.h"
#include "riskradar/linkage/places.h"
#include "riskradar/store/linkage_changes.h"

namespace riskradar::linkage {
namespace {

// Most frequent value (ties: the smallest), ignoring empty ones.
template <typename T, typename Empty>
T Mode(const std::vector<T>& values, Empty is_empty) {
  std::map<T, int> counts;
  for (const T& v : values) {
    if (!is_empty(v)) ++counts[v];
  }
  T best{};
  int best_count = 0;
  for (const auto& [v, c] : counts) {
    if (c > best_count) {
      best = v;
      best_count = c;
    }
  }
  return best;
}

// Gives each cluster a stable id: the previous id most of its members had,
// claimed by the largest cluster first; otherwise a new id past every old one.
std::vector<int64_t> AssignStableIds(const std::vector<std::vector<size_t>>& clusters,
                                     const std::vector<int64_t>& member_previous_id, int64_t max_issued,
                                     int64_t& kept) {
  std::vector<size_t> order(clusters.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return clusters[a].size() > clusters[b].size(); });
  std::vector<int64_t> ids(clusters.size(), 0);
  std::unordered_map<int64_t, bool> claimed;
  for (size_t c : order) {
    std::map<int64_t, int> votes;
    for (size_t m : clusters[c]) {
      if (member_previous_id[m] > 0) ++votes[member_previous_id[m]];
    }
    std::vector<std::pair<int, int64_t>> ranked;
    for (const auto& [id, n] : votes) ranked.emplace_back(-n, id);
    std::sort(ranked.begin(), ranked.end());
    for (const auto& [neg, id] : ranked) {
      if (!claimed[id]) {
        ids[c] = id;
        claimed[id] = true;
        ++kept;
        break;
      }
    }
  }
  // New ids in cluster order so the assignment is deterministic.
  for (size_t c = 0; c < clusters.size(); ++c) {
    if (ids[c] == 0) ids[c] = ++max_issued;
  }
  return ids;
}

// A person's attributes from its mentions: the commonest name, date of birth, sex,
// district and ethnicity; a child by age on as_of (by role without a date of birth).
Person MakePerson(const std::vector<store::MentionRow>& mentions, const std::vector<size_t>& members, int64_t id,
                  const Geography& geography, Date as_of) {
  std::vector<std::string> names, postcodes, ethnicities;
  std::vector<int32_t> dobs;
  std::vector<int> sexes;
  int child_roles = 0, concern_roles = 0;
  for (size_t m : members) {
    const PersonMention& pm = mentions[m].mention;
    names.push_back(pm.forename + (pm.forename.empty() || pm.surname.empty() ? "" : " ") + pm.surname);
    postcodes.push_back(pm.postcode);
    ethnicities.push_back(pm.ethnicity);
    if (pm.dob) dobs.push_back(pm.dob->days());
    if (pm.sex != Sex::kUnknown) sexes.push_back(static_cast<int>(pm.sex));
    child_roles += pm.role == PersonRole::kChild;
    concern_roles += pm.role == PersonRole::kPersonOfConcern;
  }
  Person p;
  p.id = id;
  p.display_name = Mode(names, [](const std::string& s) { return s.empty(); });
  if (!dobs.empty()) p.dob = Date::FromDays(Mode(dobs, [](int32_t) { return false; }));
  p.sex = sexes.empty() ? Sex::kUnknown : static_cast<Sex>(Mode(sexes, [](int) { return false; }));
  p.district = geography.DistrictOf(Mode(postcodes, [](const std::string& s) { return s.empty(); }));
  p.is_child = p.dob ? Date::AgeOn(*p.dob, as_of) < 18 : child_roles * 2 >= static_cast<int>(members.size());
  p.person_of_concern = concern_roles > 0;
  p.mention_count = static_cast<int>(members.size());
  p.ethnicity = Mode(ethnicities, [](const std::string& s) { return s.empty(); });
  return p;
}

// The trained model as stored with each linkage run (ModelToJson: enough to
// rebuild it and score any pair), with the run's blocking and clustering figures.
nlohmann::json RunToJson(const PersonLinkage& linkage, PersonBlocking person_blocking) {
  nlohmann::json run = nlohmann::json::parse(ModelToJson(linkage.model));
  run["person_blocking"] = std::string(ToString(person_blocking));
  nlohmann::json blocking = nlohmann::json::array();
  for (const BlockingRuleReport& b : linkage.blocking) {
    blocking.push_back({{"rule", b.rule},
                        {"candidate_pairs", b.candidate_pairs},
                        {"new_pairs", b.new_pairs},
                        {"oversized_blocks", b.oversized_blocks},
                        {"skipped_pairs", b.skipped_pairs},
                        {"lambda", b.lambda}});
  }
  run["blocking"] = std::move(blocking);
  run["candidate_pairs"] = linkage.candidate_pairs;
  run["clusters_split"] = linkage.clusters_split;
  run["match_edges_rejected"] = linkage.match_edges_rejected;
  run["must_links_applied"] = linkage.must_links_applied;
  run["must_links_refused"] = linkage.must_links_refused;
  return run;
}

std::vector<std::vector<size_t>> Group(const std::vector<int32_t>& cluster_of) {
  int32_t k = 0;
  for (int32_t c : cluster_of) k = std::max(k, c + 1);
  std::vector<std::vector<size_t>> clusters(static_cast<size_t>(k));
  for (size_t i = 0; i < cluster_of.size(); ++i) clusters[static_cast<size_t>(cluster_of[i])].push_back(i);
  clusters.erase(std::remove_if(clusters.begin(), clusters.end(), [](const auto& c) { return c.empty(); }),
                 clusters.end());
  return clusters;
}

// Places: every place mention linked (LinkPlaces), each place with a stable id
// (AssignStableIds) and its attributes from its mentions.
struct LinkedPlaces {
  std::vector<std::vector<size_t>> clusters;  // place mention indices per place
  std::vector<int64_t> ids;                   // per place
  std::vector<Place> places;                  // per place
  std::vector<int64_t> previous;              // per place mention: its place before (0: none)
};

LinkedPlaces LinkStorePlaces(const std::vector<store::PlaceMentionRow>& place_mentions,
                             const std::vector<std::pair<int64_t, int64_t>>& previous_place, int64_t max_place_id,
                             const Geography& geography) {
  std::vector<PlaceRecord> place_records;
  place_records.reserve(place_mentions.size());
  for (const auto& row : place_mentions) {
    const PlaceMention& m = row.mention;
    place_records.push_back({m.id, m.name, m.type, m.postcode, m.lat, m.lon});
  }
  LinkedPlaces out;
  const std::vector<int32_t> place_cluster = LinkPlaces(place_records);
  std::unordered_map<int64_t, int64_t> prev_place(previous_place.begin(), previous_place.end());
  out.previous.resize(place_mentions.size());
  for (size_t i = 0; i < place_mentions.size(); ++i) {
    auto it = prev_place.find(place_mentions[i].mention.id);
    out.previous[i] = it == prev_place.end() ? 0 : it->second;
  }
  out.clusters = Group(place_cluster);
  int64_t places_kept = 0;
  out.ids = AssignStableIds(out.clusters, out.previous, max_place_id, places_kept);
  for (size_t c = 0; c < out.clusters.size(); ++c) {
    std::vector<std::string> names, postcodes;
    std::vector<int> types;
    double lat_sum = 0, lon_sum = 0;
    int located = 0;
    for (size_t m : out.clusters[c]) {
      const PlaceMention& pm = place_mentions[m].mention;
      names.push_back(pm.name);
      postcodes.push_back(pm.postcode);
      types.push_back(static_cast<int>(pm.type));
      if (pm.lat && pm.lon) {
        lat_sum += *pm.lat;
        lon_sum += *pm.lon;
        ++located;
      }
    }
    Place p;
    p.id = out.ids[c];
    p.name = Mode(names, [](const std::string& s) { return s.empty(); });
    p.type = static_cast<PlaceType>(Mode(types, [](int) { return false; }));
    p.postcode = Mode(postcodes, [](const std::string& s) { return s.empty(); });
    p.district = geography.DistrictOf(p.postcode);
    if (located > 0) {
      p.lat = lat_sum / located;
      p.lon = lon_sum / located;
    } else if (auto ll = geography.Locate(p.postcode)) {
      p.lat = ll->lat;
      p.lon = ll->lon;
    }
    out.places.push_back(std::move(p));
  }
  return out;
}

struct BatchInput {
  const std::vector<store::MentionRow>& mentions;
  const std::vector<PersonRecord>& records;
  const std::vector<store::PlaceMentionRow>& place_mentions;
  const std::vector<std::pair<int64_t, int64_t>>& previous_person;
  const std::vector<std::pair<int64_t, int64_t>>& previous_place;
  std::pair<int64_t, int64_t> max_ids;
  const LinkConstraints& constraints;
};

// The incremental run (LinkStageOptions::batch). false (report.full_run_reason
// set, nothing written): the batch cannot be linked on its own.
Result<bool> LinkBatch(store::Store& store, const Geography& geography, const LinkStageOptions& options,
                       const store::Actor& actor, const BatchInput& in,
                       const std::function<void(const std::string&)>& say, const std::function<std::string()>& lap,
                       LinkStageReport& report) {
  store::LinkageChangesStore* changes_store = store::LinkageChangesOf(store);
  if (changes_store == nullptr) {
    report.full_run_reason = "this store cannot save a batch";
    return false;
  }
  if (in.previous_person.empty()) {
    report.full_run_reason = "no person has been linked yet";
    return false;
  }
  auto model_json = store.LatestLinkageModel();
  if (!model_json.ok()) {
    if (model_json.status().code() != StatusCode::kNotFound) return model_json.status();
    report.full_run_reason = "no linkage run yet";
    return false;
  }
  nlohmann::json run = nlohmann::json::parse(*model_json, nullptr, false);
  auto model = ModelFromJson(*model_json);
  if (run.is_discarded() || !run.is_object() || !model.ok()) {
    report.full_run_reason = "the stored model cannot be read" + (model.ok() ? "" : ": " + model.status().message());
    return false;
  }
  const std::string stored_blocking = run.value("person_blocking", "");
  report.blocking = options.blocking.value_or(PersonBlocking::kAutomatic);
  if (options.blocking && stored_blocking != ToString(*options.blocking)) {
    report.full_run_reason =
        fmt::format("the last run used {} blocking, {} was asked for",
                    stored_blocking.empty() ? "unknown" : stored_blocking, ToString(*options.blocking));
    return false;
  }
  const LinkageSpec person_spec = PersonLinkageSpec(PersonBlocking::kAutomatic);
  bool same_fields = model->spec.fields.size() == person_spec.fields.size();
  for (size_t c = 0; same_fields && c < person_spec.fields.size(); ++c) {
    same_fields = model->spec.fields[c].name == person_spec.fields[c].name &&
                  model->spec.fields[c].kind == person_spec.fields[c].kind;
  }
  if (!same_fields) {
    report.full_run_reason = "the stored model has other fields than person linkage";
    return false;
  }
  if (stored_blocking == ToString(PersonBlocking::kLarge)) report.blocking = PersonBlocking::kLarge;
  if (stored_blocking == ToString(PersonBlocking::kRegional)) report.blocking = PersonBlocking::kRegional;

  const size_t n = in.mentions.size();
  std::unordered_map<int64_t, int64_t> prev_person(in.previous_person.begin(), in.previous_person.end());
  std::vector<int64_t> known(n, 0);
  for (size_t i = 0; i < n; ++i) {
    auto it = prev_person.find(in.mentions[i].mention.id);
    if (it != prev_person.end()) known[i] = it->second;
  }
  std::vector<Record> records;
  records.reserve(n);
  for (const PersonRecord& r : in.records) records.push_back(ToRecord(r));
  LinkageOptions link_options;
  if (report.blocking == PersonBlocking::kLarge) link_options.max_block_size = kLargeMaxBlockSize;
  say(
      fmt::format("linking a batch against {} linked person mentions with the last run's model and {} rules "
                  "(loaded in {})",
                  prev_person.size(), model->spec.blocking_rules.size(), lap()));
  auto linked = LinkIncremental(records, known, *model, link_options, in.constraints);
  if (!linked.ok()) {
    if (linked.status().code() != StatusCode::kFailedPrecondition) return linked.status();
    report.full_run_reason = linked.status().message();
    return false;
  }
  const IncrementalLinkResult& inc = *linked;
  report.batch = true;
  report.new_mentions = inc.new_records;
  report.new_persons = inc.new_persons;
  report.merged = inc.merged;
  report.candidate_pairs = inc.candidate_pairs;
  report.matches = static_cast<int64_t>(inc.matches.size());
  report.possibles = static_cast<int64_t>(inc.possibles.size());

  // Final ids: new people numbered past every id issued before.
  std::vector<int64_t> person_of(n);
  for (size_t i = 0; i < n; ++i)
    person_of[i] = inc.person_of[i] > 0 ? inc.person_of[i] : in.max_ids.first - inc.person_of[i];
  std::unordered_set<int64_t> changed;
  for (size_t i = 0; i < n; ++i) {
    if (known[i] == 0 || known[i] != person_of[i]) changed.insert(person_of[i]);
  }
  std::unordered_set<int64_t> retired;
  for (const auto& merge : inc.merged) {
    changed.insert(merge.kept);
    retired.insert(merge.absorbed.begin(), merge.absorbed.end());
  }
  // People untouched by the batch but grown up since the last run are written again too.
  RR_ASSIGN_OR_RETURN(const std::vector<Person> stored, store.ListPersons());
  for (const Person& p : stored) {
    if (p.dob && (Date::AgeOn(*p.dob, options.as_of) < 18) != p.is_child && !retired.count(p.id)) {
      changed.insert(p.id);
    }
  }
  std::unordered_map<int64_t, std::vector<size_t>> members;
  for (size_t i = 0; i < n; ++i) {
    if (changed.count(person_of[i])) members[person_of[i]].push_back(i);
  }
  store::LinkageChanges out;
  for (size_t i = 0; i < n; ++i) {
    if (known[i] != person_of[i]) out.mention_person.emplace_back(in.mentions[i].mention.id, person_of[i]);
  }
  std::vector<int64_t> changed_ids(changed.begin(), changed.end());
  std::sort(changed_ids.begin(), changed_ids.end());
  std::unordered_map<int64_t, Person> written;
  for (int64_t id : changed_ids) {
    auto it = members.find(id);
    if (it == members.end()) continue;  // a stored person without mentions: left as it is
    Person p = MakePerson(in.mentions, it->second, id, geography, options.as_of);
    written.emplace(id, p);
    out.persons.push_back(std::move(p));
  }
  out.retired_persons.assign(retired.begin(), retired.end());
  std::sort(out.retired_persons.begin(), out.retired_persons.end());
  report.persons_written = static_cast<int64_t>(out.persons.size());
  for (const Person& p : stored) {
    if (retired.count(p.id)) continue;
    auto it = written.find(p.id);
    const Person& now = it == written.end() ? p : it->second;
    ++report.persons;
    report.children += now.is_child;
    report.persons_of_concern += now.person_of_concern;
  }
  for (const auto& [id, p] : written) {
    if (id > in.max_ids.first) {
      ++report.persons;
      report.children += p.is_child;
      report.persons_of_concern += p.person_of_concern;
    }
  }
  report.persons_kept_id = report.persons - report.new_persons;
  for (const auto* pairs : {&inc.possibles}) {
    for (const ScoredPair& pair : *pairs) {
      store::ReviewItem item;
      item.left_mention_id = in.mentions[pair.left].mention.id;
      item.right_mention_id = in.mentions[pair.right].mention.id;
      item.match_weight = pair.match_weight;
      item.match_probability = pair.match_probability;
      out.review.push_back(item);
    }
  }
  nlohmann::json batch = {{"new_mentions", inc.new_records},
                          {"new_persons", inc.new_persons},
                          {"candidate_pairs", inc.candidate_pairs},
                          {"persons_written", out.persons.size()}};
  nlohmann::json merges = nlohmann::json::array();
  for (const auto& merge : inc.merged) merges.push_back({{"kept", merge.kept}, {"absorbed", merge.absorbed}});
  batch["merged"] = std::move(merges);
  run["batch"] = std::move(batch);
  out.model_json = run.dump();
  std::string phases;
  for (const auto& [phase, seconds] : inc.timings) phases += fmt::format(", {} {:.1f}", phase, seconds);

  // Places: linked again only when there are new place mentions; only what changed is written.
  bool new_places = false;
  {
    std::unordered_set<int64_t> linked_place_mentions;
    for (const auto& [mention, place] : in.previous_place) linked_place_mentions.insert(mention);
    for (const auto& row : in.place_mentions) new_places = new_places || !linked_place_mentions.count(row.mention.id);
    new_places = new_places || linked_place_mentions.size() != in.place_mentions.size();
  }
  report.place_mentions = static_cast<int64_t>(in.place_mentions.size());
  say(fmt::format("{} new person mentions: {} new people, {} merges, {} candidate pairs; places {} (people in {}{})",
                  inc.new_records, inc.new_persons, inc.merged.size(), inc.candidate_pairs,
                  new_places ? "linked again" : "unchanged", lap(), phases));
  if (new_places) {
    const LinkedPlaces linked_places =
        LinkStorePlaces(in.place_mentions, in.previous_place, in.max_ids.second, geography);
    std::unordered_map<int64_t, int64_t> previous_size;
    for (const auto& [mention, place] : in.previous_place) ++previous_size[place];
    std::unordered_set<int64_t> kept_places;
    for (size_t c = 0; c < linked_places.clusters.size(); ++c) {
      const int64_t id = linked_places.ids[c];
      kept_places.insert(id);
      bool place_changed = previous_size[id] != static_cast<int64_t>(linked_places.clusters[c].size());
      for (size_t m : linked_places.clusters[c]) {
        if (linked_places.previous[m] != id) {
          place_changed = true;
          out.place_mention_place.emplace_back(in.place_mentions[m].mention.id, id);
        }
      }
      if (place_changed) out.places.push_back(linked_places.places[c]);
    }
    for (const auto& [id, size] : previous_size) {
      if (!kept_places.count(id)) out.retired_places.push_back(id);
    }
    std::sort(out.retired_places.begin(), out.retired_places.end());
    report.places = static_cast<int64_t>(linked_places.places.size());
  } else {
    std::unordered_set<int64_t> places;
    for (const auto& [mention, place] : in.previous_place) places.insert(place);
    report.places = static_cast<int64_t>(places.size());
  }
  say(fmt::format("saving {} people ({} retired) and {} places (places in {})", out.persons.size(),
                  out.retired_persons.size(), out.places.size(), lap()));
  RR_RETURN_IF_ERROR(changes_store->SaveLinkageChanges(out, actor));
  say(fmt::format("saved in {}", lap()));
  return true;
}

// Events, over the people and places just saved (the last step of either kind of run).
Status ResolveEventsAfterLinkage(store::Store& store, const LinkStageOptions& options, const store::Actor& actor,
                                 const std::function<void(const std::string&)>& say,
                                 const std::function<std::string()>& lap, LinkStageReport& report) {
  EventLinkRules rules;
  if (options.event_rules) {
    rules = *options.event_rules;
  } else {
    RR_ASSIGN_OR_RETURN(rules, EventLinkRules::Default());
  }
  RR_ASSIGN_OR_RETURN(report.events, RunEventLinkage(store, rules, actor));
  say(fmt::format("{} events resolved from {} source records ({})", report.events.resolved_events,
                  report.events.source_records, lap()));
  return Status::Ok();
}

}  // namespace

PersonRecord ToPersonRecord(const store::MentionRow& row) {
  const PersonMention& m = row.mention;
  PersonRecord r;
  r.id = m.id;
  r.source = row.agency_code;
  r.forename = m.forename;
  r.surname = m.surname;
  r.dob = m.dob;
  r.sex = m.sex;
  r.postcode = m.postcode;
  r.nhs_number = m.nhs_number;
  r.upn = m.upn;
  return r;
}

Result<MentionPairExplanation> ExplainMentionPair(store::Store& store, int64_t left_mention, int64_t right_mention) {
  RR_ASSIGN_OR_RETURN(const std::string model_json, store.LatestLinkageModel());
  RR_ASSIGN_OR_RETURN(const Model model, ModelFromJson(model_json));
  RR_ASSIGN_OR_RETURN(auto mentions, store.LoadPersonMentions());
  MentionPairExplanation out;
  bool found_left = false, found_right = false;
  for (auto& row : mentions) {
    if (row.mention.id == left_mention) {
      out.left = row;
      found_left = true;
    }
    if (row.mention.id == right_mention) {
      out.right = row;
      found_right = true;
    }
  }
  if (!found_left) return Status::NotFound("no person mention " + std::to_string(left_mention));
  if (!found_right) return Status::NotFound("no person mention " + std::to_string(right_mention));
  RR_ASSIGN_OR_RETURN(auto mention_person, store.LoadMentionPersons());
  for (const auto& [mention, person] : mention_person) {
    if (mention == left_mention) out.left_person = person;
    if (mention == right_mention) out.right_person = person;
  }
  RR_ASSIGN_OR_RETURN(auto review, store.FindReviewPair(left_mention, right_mention));
  if (review) {
    out.review_status = review->item.status;
    out.review_reason = review->item.reason;
  }
  out.contributions = model.Explain(ToRecord(ToPersonRecord(out.left)), ToRecord(ToPersonRecord(out.right)));
  if (out.contributions.empty()) return Status::Internal("the stored model cannot score person mentions");
  out.match_weight = out.contributions.back().weight;
  out.match_probability = Model::Probability(out.match_weight);
  return out;
}

Result<LinkStageReport> RunLinkStage(store::Store& store, const Geography& geography, const LinkStageOptions& options,
                                     const store::Actor& actor) {
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  // Seconds since the previous lap: progress lines say where a run's time goes.
  auto lap_start = std::chrono::steady_clock::now();
  auto lap = [&] {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - lap_start).count();
    lap_start = now;
    return fmt::format("{:.1f} s", seconds);
  };
  LinkStageReport report;
  RR_ASSIGN_OR_RETURN(auto mentions, store.LoadPersonMentions());
  RR_ASSIGN_OR_RETURN(auto place_mentions, store.LoadPlaceMentions());
  RR_ASSIGN_OR_RETURN(auto previous_person, store.LoadMentionPersons());
  RR_ASSIGN_OR_RETURN(auto previous_place, store.LoadPlaceMentionPlaces());
  RR_ASSIGN_OR_RETURN(const auto max_ids, store.MaxEntityIds());
  report.person_mentions = static_cast<int64_t>(mentions.size());
  report.place_mentions = static_cast<int64_t>(place_mentions.size());

  // People.
  std::vector<PersonRecord> records;
  records.reserve(mentions.size());
  for (const auto& row : mentions) records.push_back(ToPersonRecord(row));
  // Review decisions: a confirmed pair is joined and a rejected pair kept apart
  // by clustering itself, so a decision holds however the model changes.
  RR_ASSIGN_OR_RETURN(auto decisions, store.LoadReviewDecisions());
  LinkConstraints constraints;
  {
    std::unordered_map<int64_t, size_t> index_of;
    for (size_t i = 0; i < mentions.size(); ++i) index_of[mentions[i].mention.id] = i;
    for (const auto& d : decisions) {
      const auto a = index_of.find(d.left_mention_id);
      const auto b = index_of.find(d.right_mention_id);
      if (a == index_of.end() || b == index_of.end() || a->second == b->second) continue;
      if (d.status == "confirmed") constraints.must_link.emplace_back(a->second, b->second);
      if (d.status == "rejected") constraints.cannot_link.emplace_back(a->second, b->second);
    }
  }
  if (options.batch) {
    const BatchInput in{mentions, records, place_mentions, previous_person, previous_place, max_ids, constraints};
    RR_ASSIGN_OR_RETURN(const bool done, LinkBatch(store, geography, options, actor, in, say, lap, report));
    if (done) {
      RR_RETURN_IF_ERROR(ResolveEventsAfterLinkage(store, options, actor, say, lap, report));
      return report;
    }
    say("a full run instead of a batch: " + report.full_run_reason);
  }
  report.blocking = options.blocking.value_or(PersonBlocking::kAutomatic);
  say(fmt::format("linking {} person mentions, {} blocking (loaded in {})", records.size(), ToString(report.blocking),
                  lap()));
  RR_ASSIGN_OR_RETURN(PersonLinkage linkage, LinkPersons(records, report.blocking, LinkageOptions{}, constraints));
  report.candidate_pairs = linkage.candidate_pairs;
  if (linkage.plan) {
    // The rules chosen, estimated and actual pairs per rule, and why a rule was refined or dropped.
    std::string text = RenderBlockingPlan(*linkage.plan, linkage.blocking);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    say(text);
  }
  report.matches = static_cast<int64_t>(linkage.matches.size());

  std::unordered_map<int64_t, int64_t> prev_person(previous_person.begin(), previous_person.end());
  std::vector<int64_t> member_prev(mentions.size());
  for (size_t i = 0; i < mentions.size(); ++i) {
    auto it = prev_person.find(mentions[i].mention.id);
    member_prev[i] = it == prev_person.end() ? 0 : it->second;
  }
  const auto clusters = Group(linkage.cluster_of);
  const auto person_ids = AssignStableIds(clusters, member_prev, max_ids.first, report.persons_kept_id);

  store::LinkageOutput out;
  for (size_t c = 0; c < clusters.size(); ++c) {
    for (size_t m : clusters[c]) out.mention_person.emplace_back(mentions[m].mention.id, person_ids[c]);
    Person p = MakePerson(mentions, clusters[c], person_ids[c], geography, options.as_of);
    report.children += p.is_child;
    report.persons_of_concern += p.person_of_concern;
    out.persons.push_back(std::move(p));
  }
  report.persons = static_cast<int64_t>(out.persons.size());
  // A pair a reviewer already decided keeps its decision and is not queued again: only the others are pairs
  // for review (the store ignores a decided pair anyway; counting it here made `link` print more pairs for
  // review than `status` and `review list` then showed).
  std::set<std::pair<int64_t, int64_t>> decided;
  for (const auto& d : decisions) {
    decided.insert({std::min(d.left_mention_id, d.right_mention_id), std::max(d.left_mention_id, d.right_mention_id)});
  }
  for (const auto* pairs : {&linkage.possibles}) {
    for (const ScoredPair& pair : *pairs) {
      const int64_t left = mentions[pair.left].mention.id, right = mentions[pair.right].mention.id;
      if (decided.count({std::min(left, right), std::max(left, right)})) {
        ++report.possibles_decided;
        continue;
      }
      ++report.possibles;
      store::ReviewItem item;
      item.left_mention_id = mentions[pair.left].mention.id;
      item.right_mention_id = mentions[pair.right].mention.id;
      item.match_weight = pair.match_weight;
      item.match_probability = pair.match_probability;
      out.review.push_back(item);
    }
  }
  out.model_json = RunToJson(linkage, report.blocking).dump();

  // Places.
  std::string phases;
  for (const auto& [phase, seconds] : linkage.timings) phases += fmt::format(", {} {:.1f}", phase, seconds);
  say(fmt::format("linking {} place mentions (people linked in {}{})", place_mentions.size(), lap(), phases));
  const LinkedPlaces linked_places = LinkStorePlaces(place_mentions, previous_place, max_ids.second, geography);
  for (size_t c = 0; c < linked_places.clusters.size(); ++c) {
    for (size_t m : linked_places.clusters[c]) {
      out.place_mention_place.emplace_back(place_mentions[m].mention.id, linked_places.ids[c]);
    }
  }
  out.places = linked_places.places;
  report.places = static_cast<int64_t>(out.places.size());
  say(fmt::format("saving {} people and {} places (places linked in {})", report.persons, report.places, lap()));
  RR_RETURN_IF_ERROR(store.SaveLinkage(out, actor));
  say(fmt::format("saved in {}", lap()));

  RR_RETURN_IF_ERROR(ResolveEventsAfterLinkage(store, options, actor, say, lap, report));
  return report;
}

Result<EventMergeReport> RunEventLinkage(store::Store& store, const EventLinkRules& rules, const store::Actor& actor) {
  RR_ASSIGN_OR_RETURN(auto events, store.LoadEvents());
  RR_ASSIGN_OR_RETURN(auto agencies, store.ListAgencies());
  std::unordered_map<std::string, std::string> kind_of;
  for (const Agency& agency : agencies) kind_of[agency.code] = std::string(ToString(agency.kind));
  std::vector<EventRecord> records;
  records.reserve(events.size());
  for (const store::EventRow& row : events) {
    records.push_back({row.event.id, row.agency_code, row.subject_person_id, row.event.kind, row.event.category,
                       row.event.date, row.place_id, kind_of[row.agency_code]});
  }
  const EventResolution resolution = ResolveEvents(records, rules);
  store::EventLinkOutput out;
  out.rules_version = rules.version;
  out.source_records = static_cast<int64_t>(records.size());
  out.resolved_events = resolution.resolved_events;
  for (const EventMerge& merge : resolution.merges) {
    out.links.push_back({merge.event_id, merge.resolved_event_id, merge.reason});
  }
  RR_RETURN_IF_ERROR(store.SaveEventLinks(out, actor));
  return SummariseMerges(records, resolution);
}

}  // namespace riskradar::linkage

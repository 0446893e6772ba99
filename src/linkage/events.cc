// Event linkage: the rule (read strictly from TOML) and the pure kernel that resolves source events.
#include "riskradar/linkage/events.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "riskradar/core/paths.h"
#include "riskradar/core/toml_text.h"
#include "riskradar/core/vocabulary.h"

namespace riskradar::linkage {

bool EventKindRule::CategoriesCompatible(std::string_view a, std::string_view b) const {
  if (a == b) return true;
  for (const auto& group : compatible) {
    const bool has_a = std::find(group.begin(), group.end(), a) != group.end();
    const bool has_b = std::find(group.begin(), group.end(), b) != group.end();
    if (has_a && has_b) return true;
  }
  return false;
}

bool EventKindRule::OrderAllows(const EventRecord& a, const EventRecord& b) const {
  if (reported_first.empty()) return true;
  const bool a_first = a.agency_kind == reported_first, b_first = b.agency_kind == reported_first;
  if (a_first && !b_first) return !(b.date < a.date);
  if (b_first && !a_first) return !(a.date < b.date);
  return true;
}

const EventKindRule* EventLinkRules::For(EventKind kind) const {
  for (const EventKindRule& rule : kinds) {
    if (rule.kind == kind) return &rule;
  }
  return nullptr;
}

namespace {

class RulesParser {
 public:
  explicit RulesParser(std::string_view source) : source_(source) {}

  Result<EventLinkRules> Parse(std::string_view text) {
    RR_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, std::string(source_)));
    RR_RETURN_IF_ERROR(CheckKeys(root, "", {"version", "merge_same_agency", "kind"}));
    EventLinkRules rules;
    const toml::node* version = root.get("version");
    if (version == nullptr || !version->is_string() || version->as_string()->get().empty()) {
      return Error(version != nullptr ? version : &root, "version", "a non-empty string is required");
    }
    rules.version = version->as_string()->get();
    if (const toml::node* same = root.get("merge_same_agency")) {
      if (!same->is_boolean()) return Error(same, "merge_same_agency", "must be true or false");
      rules.merge_same_agency = same->as_boolean()->get();
    }
    const toml::node* kinds = root.get("kind");
    if (kinds == nullptr) return rules;  // no kind merges: every record is its own event
    const toml::array* array = kinds->as_array();
    if (array == nullptr) return Error(kinds, "kind", "must be an array of tables ([[kind]])");
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& item = *array->get(i);
      const std::string where = fmt::format("kind[{}]", i);
      if (!item.is_table()) return Error(&item, where, "must be a table");
      const toml::table& table = *item.as_table();
      RR_RETURN_IF_ERROR(
          CheckKeys(table, where, {"kind", "window_days", "compatible", "places_must_agree", "reported_first"}));
      EventKindRule rule;
      const toml::node* kind = table.get("kind");
      if (kind == nullptr || !kind->is_string()) return Error(&table, where + ".kind", "a kind name is required");
      auto parsed = ParseEventKind(kind->as_string()->get());
      if (!parsed.ok()) return Error(kind, where + ".kind", parsed.status().message());
      rule.kind = *parsed;
      if (rules.For(rule.kind) != nullptr) {
        return Error(kind, where + ".kind", fmt::format("'{}' is listed twice", kind->as_string()->get()));
      }
      const toml::node* window = table.get("window_days");
      if (window == nullptr || !window->is_integer()) {
        return Error(window != nullptr ? window : &table, where + ".window_days",
                     "an integer number of days is required");
      }
      const int64_t days = window->as_integer()->get();
      if (days < 0 || days > 366) {
        return Error(window, where + ".window_days", fmt::format("must be from 0 to 366, got {}", days));
      }
      rule.window_days = static_cast<int>(days);
      if (const toml::node* place = table.get("places_must_agree")) {
        if (!place->is_boolean()) return Error(place, where + ".places_must_agree", "must be true or false");
        rule.places_must_agree = place->as_boolean()->get();
      }
      if (const toml::node* first = table.get("reported_first")) {
        const std::string kind_name = first->is_string() ? first->as_string()->get() : std::string();
        auto agency_kind = ParseAgencyKind(kind_name);
        if (!agency_kind.ok()) {
          return Error(first, where + ".reported_first",
                       fmt::format("must be an agency kind ({})", agency_kind.status().message()));
        }
        rule.reported_first = kind_name;
      }
      if (const toml::node* compatible = table.get("compatible")) {
        const toml::array* groups = compatible->as_array();
        if (groups == nullptr)
          return Error(compatible, where + ".compatible", "must be an array of arrays of categories");
        for (const toml::node& group_node : *groups) {
          const toml::array* group = group_node.as_array();
          if (group == nullptr) {
            return Error(&group_node, where + ".compatible", "must be an array of arrays of categories");
          }
          std::vector<std::string> categories;
          for (const toml::node& category : *group) {
            if (!category.is_string()) return Error(&category, where + ".compatible", "categories must be strings");
            const std::string name = category.as_string()->get();
            if (!IsKnownCategory(rule.kind, name)) {
              return Error(&category, where + ".compatible",
                           fmt::format("unknown category '{}' for kind '{}' (expected one of: {})", name,
                                       ToString(rule.kind), fmt::join(CategoriesOf(rule.kind), ", ")));
            }
            categories.push_back(name);
          }
          rule.compatible.push_back(std::move(categories));
        }
      }
      rules.kinds.push_back(std::move(rule));
    }
    return rules;
  }

 private:
  Status Error(const toml::node* node, std::string_view key, std::string_view why) const {
    std::string location(source_);
    if (node != nullptr && node->source().begin.line > 0) location += fmt::format(":{}", node->source().begin.line);
    return Status::InvalidArgument(fmt::format("{}: {}: {}", location, key, why));
  }

  Status CheckKeys(const toml::table& table, std::string_view where,
                   std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        const std::string name = where.empty() ? std::string(key.str()) : fmt::format("{}.{}", where, key.str());
        return Error(&node, name, fmt::format("unknown key (expected one of: {})", fmt::join(allowed, ", ")));
      }
    }
    return Status::Ok();
  }

  std::string_view source_;
};

// An event under construction: what the rule must still hold for after a merge.
struct Cluster {
  std::vector<size_t> members;
  Date first, last;
  int64_t place = 0;
};

std::string Describe(const EventRecord& r) {
  return fmt::format("event {} ({} {} {})", r.id, r.agency, r.category, r.date.ToIso());
}

}  // namespace

Result<EventLinkRules> EventLinkRules::FromToml(std::string_view text, std::string_view source_name) {
  return RulesParser(source_name).Parse(text);
}

Result<EventLinkRules> EventLinkRules::FromFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("{}: cannot open event linkage rules", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(fmt::format("{}: read failed", path.string()));
  return FromToml(text.str(), path.string());
}

Result<EventLinkRules> EventLinkRules::Default() { return FromFile(ConfigPath("linkage/events.toml")); }

EventResolution ResolveEvents(const std::vector<EventRecord>& records, const EventLinkRules& rules) {
  const size_t n = records.size();
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<Cluster> clusters(n);
  for (size_t i = 0; i < n; ++i) clusters[i] = {{i}, records[i].date, records[i].date, records[i].place};
  auto find = [&](size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };

  // Candidate links: records of one child and one kind with a rule, within the window, by date distance.
  std::unordered_map<int64_t, std::vector<size_t>> by_subject;
  for (size_t i = 0; i < n; ++i) {
    if (records[i].subject != 0 && rules.For(records[i].kind) != nullptr) by_subject[records[i].subject].push_back(i);
  }
  struct Edge {
    int distance;
    int32_t date;
    int64_t a, b;  // event ids, a < b
    size_t i, j;
  };
  std::vector<Edge> edges;
  for (auto& [subject, idx] : by_subject) {
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) {
      return std::tie(records[x].date, records[x].id) < std::tie(records[y].date, records[y].id);
    });
    for (size_t x = 0; x < idx.size(); ++x) {
      const EventRecord& r = records[idx[x]];
      const EventKindRule& rule = *rules.For(r.kind);
      for (size_t y = x + 1; y < idx.size(); ++y) {
        const EventRecord& s = records[idx[y]];
        const int distance = s.date - r.date;
        if (distance > rule.window_days) break;
        if (s.kind != r.kind) continue;
        if (!rules.merge_same_agency && s.agency == r.agency) continue;
        if (!rule.CategoriesCompatible(r.category, s.category)) continue;
        if (!rule.OrderAllows(r, s)) continue;
        if (rule.places_must_agree && r.place != 0 && s.place != 0 && r.place != s.place) continue;
        const bool r_first = r.id < s.id;
        edges.push_back({distance, r.date.days(), r_first ? r.id : s.id, r_first ? s.id : r.id,
                         r_first ? idx[x] : idx[y], r_first ? idx[y] : idx[x]});
      }
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    return std::tie(x.distance, x.date, x.a, x.b) < std::tie(y.distance, y.date, y.a, y.b);
  });

  std::vector<std::pair<size_t, size_t>> taken;  // (joined record, the record it joined with)
  for (const Edge& edge : edges) {
    size_t ci = find(edge.i), cj = find(edge.j);
    if (ci == cj) continue;
    const Cluster& a = clusters[ci];
    const Cluster& b = clusters[cj];
    const EventKindRule& rule = *rules.For(records[edge.i].kind);
    const Date first = std::min(a.first, b.first), last = std::max(a.last, b.last);
    if (last - first > rule.window_days) continue;
    if (rule.places_must_agree && a.place != 0 && b.place != 0 && a.place != b.place) continue;
    bool ok = true;
    for (size_t x : a.members) {
      for (size_t y : b.members) {
        if ((!rules.merge_same_agency && records[x].agency == records[y].agency) ||
            !rule.CategoriesCompatible(records[x].category, records[y].category) ||
            !rule.OrderAllows(records[x], records[y])) {
          ok = false;
        }
      }
    }
    if (!ok) continue;
    // The cluster whose representative (smallest id) is smaller absorbs the other.
    auto smallest = [&](const Cluster& c) {
      int64_t m = records[c.members.front()].id;
      for (size_t x : c.members) m = std::min(m, records[x].id);
      return m;
    };
    size_t keep = ci, gone = cj;
    if (smallest(b) < smallest(a)) std::swap(keep, gone);
    Cluster& kept = clusters[keep];
    Cluster& other = clusters[gone];
    kept.members.insert(kept.members.end(), other.members.begin(), other.members.end());
    kept.first = first;
    kept.last = last;
    if (kept.place == 0) kept.place = other.place;
    other.members.clear();
    parent[gone] = keep;
    taken.emplace_back(edge.j, edge.i);
  }

  EventResolution out;
  out.resolved.resize(n);
  std::unordered_map<size_t, int64_t> representative;
  for (size_t i = 0; i < n; ++i) {
    const size_t root = find(i);
    if (clusters[root].members.empty()) continue;
    int64_t m = records[clusters[root].members.front()].id;
    for (size_t x : clusters[root].members) m = std::min(m, records[x].id);
    representative[root] = m;
  }
  for (size_t i = 0; i < n; ++i) out.resolved[i] = representative[find(i)];
  out.resolved_events = static_cast<int64_t>(representative.size());

  // One reason per record that is not its event's representative: the link that brought it in. A link's two
  // records are (joined, partner); when the joined record is the representative, the partner is the one
  // that gets the reason (every non-representative gets exactly one: links form a tree over each event).
  std::unordered_map<int64_t, size_t> index_of;
  for (size_t i = 0; i < n; ++i) index_of[records[i].id] = i;
  std::set<int64_t> explained;
  // Orient each link away from the representative: walk from the representative over the links.
  std::unordered_map<size_t, std::vector<size_t>> adjacent;
  for (const auto& [x, y] : taken) {
    adjacent[x].push_back(y);
    adjacent[y].push_back(x);
  }
  for (auto& [root, rep_id] : representative) {
    const size_t rep = index_of[rep_id];
    std::vector<size_t> stack{rep};
    std::set<size_t> seen{rep};
    while (!stack.empty()) {
      const size_t from = stack.back();
      stack.pop_back();
      auto it = adjacent.find(from);
      if (it == adjacent.end()) continue;
      for (size_t to : it->second) {
        if (!seen.insert(to).second) continue;
        stack.push_back(to);
        const EventRecord& r = records[to];
        const EventRecord& s = records[from];
        const EventKindRule& rule = *rules.For(r.kind);
        const int apart = std::abs(r.date - s.date);
        std::string place = r.place != 0 && s.place != 0   ? "the same place"
                            : r.place != 0 || s.place != 0 ? "a place named by one record only"
                                                           : "no place named";
        out.merges.push_back(
            {r.id, rep_id, s.id,
             fmt::format("same event as {}: same child, {} {}, {} {} apart (window {} day{}), {}", Describe(s),
                         ToString(r.kind), r.category == s.category ? "same category" : "compatible categories", apart,
                         apart == 1 ? "day" : "days", rule.window_days, rule.window_days == 1 ? "" : "s", place)});
      }
    }
  }
  std::sort(out.merges.begin(), out.merges.end(),
            [](const EventMerge& x, const EventMerge& y) { return x.event_id < y.event_id; });
  return out;
}

EventMergeReport SummariseMerges(const std::vector<EventRecord>& records, const EventResolution& resolution) {
  EventMergeReport report;
  report.source_records = static_cast<int64_t>(records.size());
  report.resolved_events = resolution.resolved_events;
  std::unordered_map<int64_t, size_t> index_of;
  for (size_t i = 0; i < records.size(); ++i) index_of[records[i].id] = i;
  for (const EventMerge& merge : resolution.merges) {
    const EventRecord& r = records[index_of.at(merge.event_id)];
    const EventRecord& s = records[index_of.at(merge.joined_with)];
    ++report.merged_by_kind[std::string(ToString(r.kind))];
    ++report.merged_by_agency_pair[std::minmax(r.agency, s.agency)];
  }
  return report;
}

std::string RenderMergeReport(const EventMergeReport& report) {
  std::string out = fmt::format("{} source event records -> {} events ({} merged", report.source_records,
                                report.resolved_events, report.merged());
  if (!report.merged_by_kind.empty()) {
    std::vector<std::string> kinds, pairs;
    for (const auto& [kind, count] : report.merged_by_kind) kinds.push_back(fmt::format("{} {}", kind, count));
    std::vector<std::pair<int64_t, std::string>> ranked;
    for (const auto& [pair, count] : report.merged_by_agency_pair) {
      ranked.emplace_back(-count, pair.first + "+" + pair.second);
    }
    std::sort(ranked.begin(), ranked.end());
    for (const auto& [neg, name] : ranked) pairs.push_back(fmt::format("{} {}", name, -neg));
    out += fmt::format(": {}; by agency pair: {}", fmt::join(kinds, ", "), fmt::join(pairs, ", "));
  }
  return out + ")";
}

}  // namespace riskradar::linkage

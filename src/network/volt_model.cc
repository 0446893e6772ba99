// Reads the offender priority model from TOML, strictly: an unknown key or event kind, a negative number or a
// missing label is an error naming the file, the line and the key, because a silently ignored typo would
// reorder the people a partnership works on first.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "riskradar/core/paths.h"
#include "riskradar/core/toml_text.h"
#include "riskradar/network/volt.h"

namespace riskradar::network {
namespace {

class VoltModelParser {
 public:
  explicit VoltModelParser(std::string_view source) : source_(source) {}

  Result<VoltModel> Parse(std::string_view text) {
    RR_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, std::string(source_)));
    VoltModel model;
    model.gravity.clear();
    RR_RETURN_IF_ERROR(CheckKeys(
        root, "", {"version", "communities", "recency", "frequency", "children", "gravity", "network", "offender"}));
    const toml::node* version = root.get("version");
    if (version == nullptr || !version->is_string() || version->as_string()->get().empty())
      return Error(version != nullptr ? version : &root, "version", "missing (a non-empty string is required)");
    model.version = version->as_string()->get();

    if (const toml::table* t = Table(root, "communities")) {
      RR_RETURN_IF_ERROR(CheckKeys(*t, "communities", {"resolution", "beta", "min_offenders"}));
      RR_RETURN_IF_ERROR(Number(*t, "communities", "resolution", model.community_resolution));
      RR_RETURN_IF_ERROR(Number(*t, "communities", "beta", model.community_beta));
      double min_offenders = model.min_offenders;
      RR_RETURN_IF_ERROR(Number(*t, "communities", "min_offenders", min_offenders));
      if (min_offenders < 2) return Error(t->get("min_offenders"), "communities.min_offenders", "must be at least 2");
      model.min_offenders = static_cast<int>(min_offenders);
    }
    if (const toml::table* t = Table(root, "recency")) {
      RR_RETURN_IF_ERROR(CheckKeys(*t, "recency", {"points", "horizon_days"}));
      RR_RETURN_IF_ERROR(Number(*t, "recency", "points", model.recency_points));
      double horizon = model.recency_horizon_days;
      RR_RETURN_IF_ERROR(Number(*t, "recency", "horizon_days", horizon));
      if (horizon < 1) return Error(t->get("horizon_days"), "recency.horizon_days", "must be at least 1");
      model.recency_horizon_days = static_cast<int>(horizon);
    }
    if (const toml::table* t = Table(root, "frequency")) {
      RR_RETURN_IF_ERROR(CheckKeys(*t, "frequency", {"per_contact", "max"}));
      RR_RETURN_IF_ERROR(Number(*t, "frequency", "per_contact", model.per_contact));
      RR_RETURN_IF_ERROR(Number(*t, "frequency", "max", model.max_contact_points));
    }
    if (const toml::table* t = Table(root, "children")) {
      RR_RETURN_IF_ERROR(CheckKeys(*t, "children", {"serious", "significant", "at_risk", "max"}));
      RR_RETURN_IF_ERROR(Number(*t, "children", "serious", model.child_serious));
      RR_RETURN_IF_ERROR(Number(*t, "children", "significant", model.child_significant));
      RR_RETURN_IF_ERROR(Number(*t, "children", "at_risk", model.child_at_risk));
      RR_RETURN_IF_ERROR(Number(*t, "children", "max", model.max_child_points));
    }
    if (const toml::table* t = Table(root, "network")) {
      RR_RETURN_IF_ERROR(CheckKeys(*t, "network", {"per_co_offender", "max_co_offender", "centrality"}));
      RR_RETURN_IF_ERROR(Number(*t, "network", "per_co_offender", model.per_co_offender));
      RR_RETURN_IF_ERROR(Number(*t, "network", "max_co_offender", model.max_co_offender_points));
      RR_RETURN_IF_ERROR(Number(*t, "network", "centrality", model.centrality_points));
    }
    if (const toml::table* t = Table(root, "offender")) {
      RR_RETURN_IF_ERROR(CheckKeys(*t, "offender", {"min_score"}));
      RR_RETURN_IF_ERROR(Number(*t, "offender", "min_score", model.offender_min_score));
    }
    for (const std::string_view key : {"communities", "recency", "frequency", "children", "network", "offender"}) {
      if (const toml::node* node = root.get(key); node != nullptr && !node->is_table())
        return Error(node, key, "must be a table");
    }
    if (const toml::node* node = root.get("gravity")) {
      const toml::array* rules = node->as_array();
      if (rules == nullptr) return Error(node, "gravity", "must be an array of tables ([[gravity]])");
      for (size_t i = 0; i < rules->size(); ++i) {
        const std::string where = fmt::format("gravity[{}]", i);
        const toml::table* t = (*rules)[i].as_table();
        if (t == nullptr) return Error(&(*rules)[i], where, "must be a table");
        RR_RETURN_IF_ERROR(CheckKeys(*t, where, {"label", "kind", "categories", "points", "max"}));
        GravityRule rule;
        const toml::node* label = t->get("label");
        if (label == nullptr || !label->is_string() || label->as_string()->get().empty())
          return Error(label != nullptr ? label : t, where + ".label", "missing (a non-empty string is required)");
        rule.label = label->as_string()->get();
        const toml::node* kind = t->get("kind");
        if (kind == nullptr || !kind->is_string()) return Error(t, where + ".kind", "missing (an event kind)");
        auto parsed = ParseEventKind(kind->as_string()->get());
        if (!parsed.ok()) return Error(kind, where + ".kind", parsed.status().message());
        rule.kind = *parsed;
        if (const toml::node* categories = t->get("categories")) {
          const toml::array* list = categories->as_array();
          if (list == nullptr) return Error(categories, where + ".categories", "must be an array of strings");
          for (const toml::node& c : *list) {
            if (!c.is_string() || c.as_string()->get().empty())
              return Error(&c, where + ".categories", "every category must be a non-empty string");
            rule.categories.push_back(c.as_string()->get());
          }
        }
        if (t->get("points") == nullptr) return Error(t, where + ".points", "missing (a number is required)");
        if (t->get("max") == nullptr) return Error(t, where + ".max", "missing (a number is required)");
        RR_RETURN_IF_ERROR(Number(*t, where, "points", rule.points));
        RR_RETURN_IF_ERROR(Number(*t, where, "max", rule.max));
        model.gravity.push_back(std::move(rule));
      }
    }
    return model;
  }

 private:
  Status Error(const toml::node* node, std::string_view where, std::string_view why) const {
    std::string location(source_);
    if (node != nullptr && node->source().begin.line > 0) location += fmt::format(":{}", node->source().begin.line);
    return Status::InvalidArgument(fmt::format("{}: {}: {}", location, where, why));
  }

  static std::string Join(std::string_view where, std::string_view key) {
    return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
  }

  Status CheckKeys(const toml::table& table, std::string_view where,
                   std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
        return Error(&node, Join(where, key.str()),
                     fmt::format("unknown key (expected one of: {})", fmt::join(allowed, ", ")));
      }
    }
    return Status::Ok();
  }

  static const toml::table* Table(const toml::table& root, std::string_view key) {
    const toml::node* node = root.get(key);
    return node == nullptr ? nullptr : node->as_table();
  }

  // Sets `out` when the key is present; absent keys keep the built-in value.
  Status Number(const toml::table& table, std::string_view where, std::string_view key, double& out) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Status::Ok();
    if (!(node->is_integer() || node->is_floating_point())) return Error(node, Join(where, key), "must be a number");
    const double value = *node->value<double>();
    if (value < 0) return Error(node, Join(where, key), fmt::format("must not be negative, got {}", value));
    out = value;
    return Status::Ok();
  }

  std::string source_;
};

}  // namespace

Result<VoltModel> VoltModel::FromToml(std::string_view text, std::string_view source) {
  return VoltModelParser(source).Parse(text);
}

Result<VoltModel> VoltModel::FromFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(fmt::format("{}: cannot open the priority model", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return FromToml(text.str(), path.string());
}

Result<VoltModel> VoltModel::Default() { return FromFile(ConfigPath("network/volt.toml")); }

}  // namespace riskradar::network

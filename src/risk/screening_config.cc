// Reads a screening model from TOML, strictly: an unknown key, kind, category
// or indicator code, or a gap or overlap in the bands, is an error naming the
// file, the line, the key and why, because a silently ignored typo in a risk
// model would change children's levels without anyone noticing.
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "riskradar/core/paths.h"
#include "riskradar/core/toml_text.h"
#include "riskradar/core/vocabulary.h"
#include "riskradar/risk/screening.h"

namespace riskradar::risk {

std::string_view ToString(IndicatorGroup group) {
  switch (group) {
    case IndicatorGroup::kSignificant:
      return "significant";
    case IndicatorGroup::kRisk:
      return "risk";
    case IndicatorGroup::kVulnerability:
      return "vulnerability";
  }
  return "unknown";
}

namespace {

Result<IndicatorGroup> ParseGroup(std::string_view s) {
  if (s == "significant") return IndicatorGroup::kSignificant;
  if (s == "risk") return IndicatorGroup::kRisk;
  if (s == "vulnerability") return IndicatorGroup::kVulnerability;
  return Status::InvalidArgument(fmt::format("unknown group '{}' (expected significant, risk or vulnerability)", s));
}

}  // namespace

// Holds the source name so every error can say where it came from.
class ModelParser {
 public:
  explicit ModelParser(std::string_view source) : source_(source) {}

  Result<ScreeningModel> Parse(std::string_view text) {
    RR_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, std::string(source_)));
    ScreeningModel model;
    RR_RETURN_IF_ERROR(
        CheckKeys(root, "", {"version", "name", "windows", "groups", "bands", "indicators", "overrides", "review"}));
    RR_ASSIGN_OR_RETURN(model.version_, RequiredString(root, "version", ""));
    RR_ASSIGN_OR_RETURN(auto name, OptionalString(root, "name", ""));
    model.name_ = name.value_or(model.version_);
    RR_RETURN_IF_ERROR(ParseWindows(root, model));
    RR_RETURN_IF_ERROR(ParseGroups(root, model));
    RR_RETURN_IF_ERROR(ParseBands(root, model));
    RR_RETURN_IF_ERROR(ParseIndicators(root, model));
    RR_RETURN_IF_ERROR(ParseOverrides(root, model));
    RR_RETURN_IF_ERROR(ParseReview(root, model));
    return model;
  }

 private:
  Status Error(const toml::node* node, std::string_view where, std::string_view why) const {
    std::string location(source_);
    if (node != nullptr && node->source().begin.line > 0) location += fmt::format(":{}", node->source().begin.line);
    if (where.empty()) return Status::InvalidArgument(fmt::format("{}: {}", location, why));
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

  Result<const toml::table*> RequiredTable(const toml::table& table, std::string_view key,
                                           std::string_view where) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return Error(&table, Join(where, key), "missing (a table is required)");
    if (!node->is_table()) return Error(node, Join(where, key), "must be a table");
    return node->as_table();
  }

  Result<std::string> RequiredString(const toml::table& table, std::string_view key, std::string_view where) const {
    RR_ASSIGN_OR_RETURN(auto value, OptionalString(table, key, where));
    if (!value) return Error(&table, Join(where, key), "missing (a string is required)");
    if (value->empty()) return Error(table.get(key), Join(where, key), "must not be empty");
    return *value;
  }

  Result<std::optional<std::string>> OptionalString(const toml::table& table, std::string_view key,
                                                    std::string_view where) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::optional<std::string>();
    if (!node->is_string()) return Error(node, Join(where, key), "must be a string");
    return std::optional<std::string>(node->as_string()->get());
  }

  Result<std::optional<int64_t>> OptionalInt(const toml::table& table, std::string_view key, std::string_view where,
                                             int64_t min_value) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::optional<int64_t>();
    if (!node->is_integer()) return Error(node, Join(where, key), "must be an integer");
    int64_t value = node->as_integer()->get();
    if (value < min_value) return Error(node, Join(where, key), fmt::format("must be >= {}, got {}", min_value, value));
    return std::optional<int64_t>(value);
  }

  Result<std::optional<double>> OptionalNumber(const toml::table& table, std::string_view key,
                                               std::string_view where) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::optional<double>();
    std::optional<double> value = node->value<double>();
    if (!value || !(node->is_integer() || node->is_floating_point())) {
      return Error(node, Join(where, key), "must be a number");
    }
    if (*value < 0) return Error(node, Join(where, key), fmt::format("must not be negative, got {}", *value));
    return value;
  }

  Result<std::optional<bool>> OptionalBool(const toml::table& table, std::string_view key,
                                           std::string_view where) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::optional<bool>();
    if (!node->is_boolean()) return Error(node, Join(where, key), "must be true or false");
    return std::optional<bool>(node->as_boolean()->get());
  }

  Result<std::vector<std::string>> StringList(const toml::table& table, std::string_view key,
                                              std::string_view where) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) return out;
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(node, Join(where, key), "must be an array of strings");
    for (const toml::node& item : *array) {
      if (!item.is_string()) return Error(&item, Join(where, key), "must be an array of strings");
      out.push_back(item.as_string()->get());
    }
    return out;
  }

  // Array of tables; `[[x]]` and inline `x = [{...}]` both work.
  Result<std::vector<const toml::table*>> TableList(const toml::table& table, std::string_view key,
                                                    std::string_view where, bool required) const {
    std::vector<const toml::table*> out;
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) return Error(&table, Join(where, key), "missing (at least one entry is required)");
      return out;
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) return Error(node, Join(where, key), "must be an array of tables");
    for (const toml::node& item : *array) {
      if (!item.is_table()) return Error(&item, Join(where, key), "must be an array of tables");
      out.push_back(item.as_table());
    }
    if (required && out.empty()) return Error(node, Join(where, key), "must have at least one entry");
    return out;
  }

  // [review]: optional; each key optional (the ReviewPolicy default), 1 to 366 days, and never later for a
  // higher level than for a lower one.
  Status ParseReview(const toml::table& root, ScreeningModel& model) const {
    const toml::node* node = root.get("review");
    if (node == nullptr) return Status::Ok();
    if (!node->is_table()) return Error(node, "review", "must be a table");
    const toml::table& review = *node->as_table();
    RR_RETURN_IF_ERROR(CheckKeys(review, "review", {"none_days", "at_risk_days", "significant_days", "serious_days"}));
    ReviewPolicy& policy = model.review_;
    const std::pair<const char*, int*> keys[] = {{"none_days", &policy.none_days},
                                                 {"at_risk_days", &policy.at_risk_days},
                                                 {"significant_days", &policy.significant_days},
                                                 {"serious_days", &policy.serious_days}};
    for (const auto& [key, field] : keys) {
      RR_ASSIGN_OR_RETURN(auto days, OptionalInt(review, key, "review", 1));
      if (!days) continue;
      if (*days > 366) return Error(review.get(key), Join("review", key), fmt::format("must be <= 366, got {}", *days));
      *field = static_cast<int>(*days);
    }
    for (size_t i = 1; i < std::size(keys); ++i) {
      if (*keys[i].second > *keys[i - 1].second) {
        return Error(review.get(keys[i].first), Join("review", keys[i].first),
                     fmt::format("a higher level must not be reviewed later than a lower one ({} is {} days, {} {})",
                                 keys[i].first, *keys[i].second, keys[i - 1].first, *keys[i - 1].second));
      }
    }
    return Status::Ok();
  }

  Status ParseWindows(const toml::table& root, ScreeningModel& model) const {
    RR_ASSIGN_OR_RETURN(const toml::table* windows, RequiredTable(root, "windows", ""));
    RR_RETURN_IF_ERROR(CheckKeys(*windows, "windows", {"current_days"}));
    RR_ASSIGN_OR_RETURN(auto current, OptionalInt(*windows, "current_days", "windows", 1));
    if (!current) return Error(windows, "windows.current_days", "missing (an integer number of days is required)");
    model.current_days_ = static_cast<int>(*current);
    return Status::Ok();
  }

  Status ParseGroups(const toml::table& root, ScreeningModel& model) const {
    RR_ASSIGN_OR_RETURN(const toml::table* groups, RequiredTable(root, "groups", ""));
    RR_RETURN_IF_ERROR(CheckKeys(*groups, "groups", {"significant", "risk", "vulnerability"}));
    for (IndicatorGroup group : {IndicatorGroup::kSignificant, IndicatorGroup::kRisk, IndicatorGroup::kVulnerability}) {
      std::string where = Join("groups", ToString(group));
      RR_ASSIGN_OR_RETURN(const toml::table* table, RequiredTable(*groups, ToString(group), "groups"));
      RR_RETURN_IF_ERROR(CheckKeys(
          *table, where,
          {"current_points", "earlier_points", "lookback_days", "max_points", "repeat_points", "max_repeats"}));
      GroupScoring& scoring = model.scoring_[static_cast<int>(group)];
      RR_ASSIGN_OR_RETURN(auto current, OptionalNumber(*table, "current_points", where));
      RR_ASSIGN_OR_RETURN(auto earlier, OptionalNumber(*table, "earlier_points", where));
      RR_ASSIGN_OR_RETURN(auto lookback, OptionalInt(*table, "lookback_days", where, 1));
      RR_ASSIGN_OR_RETURN(scoring.max_points, OptionalNumber(*table, "max_points", where));
      RR_ASSIGN_OR_RETURN(auto repeat_points, OptionalNumber(*table, "repeat_points", where));
      RR_ASSIGN_OR_RETURN(auto max_repeats, OptionalInt(*table, "max_repeats", where, 0));
      scoring.repeat_points = repeat_points.value_or(0);
      scoring.max_repeats = static_cast<int>(max_repeats.value_or(0));
      if (scoring.repeat_points > 0 && scoring.max_repeats == 0) {
        return Error(table, Join(where, "max_repeats"), "missing (repeat_points needs a cap on the repeats counted)");
      }
      if (!current) return Error(table, Join(where, "current_points"), "missing (a number is required)");
      scoring.current_points = *current;
      scoring.earlier_points = earlier.value_or(0);
      scoring.lookback_days = static_cast<int>(lookback.value_or(365));
      if (scoring.lookback_days < model.current_days_) {
        return Error(table->get("lookback_days"), Join(where, "lookback_days"),
                     fmt::format("must be at least windows.current_days ({}), got {}", model.current_days_,
                                 scoring.lookback_days));
      }
    }
    return Status::Ok();
  }

  // Bands must tile [0, infinity) in rising level order, so every score has exactly one level.
  Status ParseBands(const toml::table& root, ScreeningModel& model) const {
    RR_ASSIGN_OR_RETURN(auto tables, TableList(root, "bands", "", true));
    for (size_t i = 0; i < tables.size(); ++i) {
      const toml::table& table = *tables[i];
      std::string where = fmt::format("bands[{}]", i);
      RR_RETURN_IF_ERROR(CheckKeys(table, where, {"level", "min_points", "max_points"}));
      RR_ASSIGN_OR_RETURN(std::string level_name, RequiredString(table, "level", where));
      auto level = ParseRiskLevel(level_name);
      if (!level.ok()) return Error(table.get("level"), Join(where, "level"), level.status().message());
      LevelBand band;
      band.level = *level;
      RR_ASSIGN_OR_RETURN(auto min_points, OptionalNumber(table, "min_points", where));
      if (!min_points) return Error(&table, Join(where, "min_points"), "missing (a number is required)");
      band.min_points = *min_points;
      RR_ASSIGN_OR_RETURN(band.max_points, OptionalNumber(table, "max_points", where));
      if (band.max_points && *band.max_points <= band.min_points) {
        return Error(table.get("max_points"), Join(where, "max_points"),
                     fmt::format("must be greater than min_points ({})", band.min_points));
      }
      model.bands_.push_back(band);
    }
    const auto& bands = model.bands_;
    if (bands.front().min_points != 0) {
      return Error(tables.front()->get("min_points"), "bands[0].min_points",
                   fmt::format("the first band must start at 0 points, got {} (scores below it would have no level)",
                               bands.front().min_points));
    }
    for (size_t i = 0; i + 1 < bands.size(); ++i) {
      std::string where = fmt::format("bands[{}]", i + 1);
      const toml::node* node = tables[i + 1]->get("min_points");
      if (!bands[i].max_points) {
        return Error(tables[i], fmt::format("bands[{}].max_points", i),
                     "missing: only the last band may be open-ended");
      }
      if (bands[i + 1].level <= bands[i].level) {
        return Error(tables[i + 1]->get("level"), Join(where, "level"),
                     fmt::format("'{}' must be a higher level than the band before it ('{}')",
                                 ToString(bands[i + 1].level), ToString(bands[i].level)));
      }
      double end = *bands[i].max_points;
      double start = bands[i + 1].min_points;
      if (start > end) {
        return Error(
            node, Join(where, "min_points"),
            fmt::format("gap: scores from {} up to {} fall in no band (bands[{}] ends at {})", end, start, i, end));
      }
      if (start < end) {
        return Error(node, Join(where, "min_points"),
                     fmt::format("overlap: scores from {} up to {} fall in two bands (bands[{}] ends at {})", start,
                                 end, i, end));
      }
    }
    if (bands.back().max_points) {
      return Error(tables.back()->get("max_points"), fmt::format("bands[{}].max_points", bands.size() - 1),
                   "the last band must have no max_points, so every score has a level");
    }
    return Status::Ok();
  }

  Result<EventMatcher> ParseMatcher(const toml::table& table, std::string_view where) const {
    RR_RETURN_IF_ERROR(CheckKeys(table, where, {"kind", "categories", "place_types", "with_person_of_concern"}));
    EventMatcher matcher;
    RR_ASSIGN_OR_RETURN(std::string kind_name, RequiredString(table, "kind", where));
    auto kind = ParseEventKind(kind_name);
    if (!kind.ok()) return Error(table.get("kind"), Join(where, "kind"), kind.status().message());
    matcher.kind = *kind;
    RR_ASSIGN_OR_RETURN(matcher.categories, StringList(table, "categories", where));
    for (const std::string& category : matcher.categories) {
      if (!IsKnownCategory(matcher.kind, category)) {
        return Error(table.get("categories"), Join(where, "categories"),
                     fmt::format("unknown category '{}' for kind '{}' (expected one of: {})", category, kind_name,
                                 fmt::join(CategoriesOf(matcher.kind), ", ")));
      }
    }
    RR_ASSIGN_OR_RETURN(auto place_names, StringList(table, "place_types", where));
    for (const std::string& place_name : place_names) {
      auto place = ParsePlaceType(place_name);
      if (!place.ok()) return Error(table.get("place_types"), Join(where, "place_types"), place.status().message());
      matcher.place_types.push_back(*place);
    }
    RR_ASSIGN_OR_RETURN(matcher.with_person_of_concern, OptionalBool(table, "with_person_of_concern", where));
    return matcher;
  }

  Status ParseIndicators(const toml::table& root, ScreeningModel& model) const {
    RR_ASSIGN_OR_RETURN(auto tables, TableList(root, "indicators", "", true));
    std::set<std::string> codes;
    for (size_t i = 0; i < tables.size(); ++i) {
      const toml::table& table = *tables[i];
      std::string where = fmt::format("indicators[{}]", i);
      IndicatorDefinition def;
      RR_ASSIGN_OR_RETURN(def.code, RequiredString(table, "code", where));
      where = fmt::format("indicators[{}] ({})", i, def.code);
      RR_RETURN_IF_ERROR(CheckKeys(table, where, {"code", "group", "label", "evidence", "min_count", "within_days"}));
      if (!codes.insert(def.code).second) return Error(table.get("code"), where, "duplicate indicator code");
      RR_ASSIGN_OR_RETURN(std::string group_name, RequiredString(table, "group", where));
      auto group = ParseGroup(group_name);
      if (!group.ok()) return Error(table.get("group"), Join(where, "group"), group.status().message());
      def.group = *group;
      RR_ASSIGN_OR_RETURN(def.label, RequiredString(table, "label", where));
      RR_ASSIGN_OR_RETURN(auto min_count, OptionalInt(table, "min_count", where, 1));
      def.min_count = static_cast<int>(min_count.value_or(1));
      RR_ASSIGN_OR_RETURN(auto within, OptionalInt(table, "within_days", where, 1));
      if (within) def.within_days = static_cast<int>(*within);
      RR_ASSIGN_OR_RETURN(auto matchers, TableList(table, "evidence", where, true));
      for (size_t m = 0; m < matchers.size(); ++m) {
        RR_ASSIGN_OR_RETURN(EventMatcher matcher, ParseMatcher(*matchers[m], fmt::format("{}.evidence[{}]", where, m)));
        def.evidence.push_back(std::move(matcher));
      }
      model.indicators_.push_back(std::move(def));
    }
    return Status::Ok();
  }

  Status CheckCodes(const ScreeningModel& model, const toml::table& table, std::string_view key, std::string_view where,
                    const std::vector<std::string>& codes) const {
    for (const std::string& code : codes) {
      bool known = std::any_of(model.indicators_.begin(), model.indicators_.end(),
                               [&](const IndicatorDefinition& def) { return def.code == code; });
      if (!known) return Error(table.get(key), Join(where, key), fmt::format("unknown indicator code '{}'", code));
    }
    return Status::Ok();
  }

  Status ParseOverrides(const toml::table& root, ScreeningModel& model) const {
    RR_ASSIGN_OR_RETURN(auto tables, TableList(root, "overrides", "", false));
    std::set<std::string> codes;
    for (size_t i = 0; i < tables.size(); ++i) {
      const toml::table& table = *tables[i];
      std::string where = fmt::format("overrides[{}]", i);
      OverrideRule rule;
      RR_ASSIGN_OR_RETURN(rule.code, RequiredString(table, "code", where));
      where = fmt::format("overrides[{}] ({})", i, rule.code);
      RR_RETURN_IF_ERROR(CheckKeys(table, where, {"code", "level", "explanation", "who", "when"}));
      if (!codes.insert(rule.code).second) return Error(table.get("code"), where, "duplicate rule code");
      RR_ASSIGN_OR_RETURN(std::string level_name, RequiredString(table, "level", where));
      auto level = ParseRiskLevel(level_name);
      if (!level.ok()) return Error(table.get("level"), Join(where, "level"), level.status().message());
      rule.level = *level;
      RR_ASSIGN_OR_RETURN(rule.explanation, RequiredString(table, "explanation", where));

      if (const toml::node* who_node = table.get("who")) {
        std::string who_where = Join(where, "who");
        const toml::table* who = who_node->as_table();
        if (who == nullptr) return Error(who_node, who_where, "must be a table");
        RR_RETURN_IF_ERROR(CheckKeys(*who, who_where, {"age_at_most", "indicators_any", "sex_any"}));
        RR_ASSIGN_OR_RETURN(auto age, OptionalInt(*who, "age_at_most", who_where, 0));
        if (age) rule.age_at_most = static_cast<int>(*age);
        RR_ASSIGN_OR_RETURN(rule.who_indicators_any, StringList(*who, "indicators_any", who_where));
        RR_RETURN_IF_ERROR(CheckCodes(model, *who, "indicators_any", who_where, rule.who_indicators_any));
        RR_ASSIGN_OR_RETURN(auto sexes, StringList(*who, "sex_any", who_where));
        for (const std::string& sex_name : sexes) {
          auto sex = ParseSex(sex_name);
          if (!sex.ok()) return Error(who->get("sex_any"), Join(who_where, "sex_any"), sex.status().message());
          rule.sex_any.push_back(*sex);
        }
      }

      RR_ASSIGN_OR_RETURN(const toml::table* when, RequiredTable(table, "when", where));
      std::string when_where = Join(where, "when");
      RR_RETURN_IF_ERROR(
          CheckKeys(*when, when_where, {"indicators_any", "groups", "min_indicators", "current_only", "current_days"}));
      RR_ASSIGN_OR_RETURN(rule.indicators_any, StringList(*when, "indicators_any", when_where));
      RR_RETURN_IF_ERROR(CheckCodes(model, *when, "indicators_any", when_where, rule.indicators_any));
      RR_ASSIGN_OR_RETURN(auto group_names, StringList(*when, "groups", when_where));
      for (const std::string& group_name : group_names) {
        auto group = ParseGroup(group_name);
        if (!group.ok()) return Error(when->get("groups"), Join(when_where, "groups"), group.status().message());
        rule.groups.push_back(*group);
      }
      RR_ASSIGN_OR_RETURN(auto min_indicators, OptionalInt(*when, "min_indicators", when_where, 1));
      rule.min_indicators = static_cast<int>(min_indicators.value_or(rule.groups.empty() ? 0 : 1));
      if (min_indicators && rule.groups.empty()) {
        return Error(when->get("min_indicators"), Join(when_where, "min_indicators"),
                     "needs `groups` to say which indicators to count");
      }
      RR_ASSIGN_OR_RETURN(auto current_only, OptionalBool(*when, "current_only", when_where));
      rule.current_only = current_only.value_or(false);
      RR_ASSIGN_OR_RETURN(auto current_days, OptionalInt(*when, "current_days", when_where, 1));
      if (current_days) rule.current_days = static_cast<int>(*current_days);
      // A rule with no condition would fire for every child with no evidence at all.
      if (rule.indicators_any.empty() && rule.groups.empty()) {
        return Error(when, when_where, "needs `indicators_any` or `groups`: a rule must depend on some evidence");
      }
      model.overrides_.push_back(std::move(rule));
    }
    return Status::Ok();
  }

  std::string_view source_;
};

Result<ScreeningModel> ScreeningModel::FromToml(std::string_view text, std::string_view source_name) {
  return ModelParser(source_name).Parse(text);
}

Result<ScreeningModel> ScreeningModel::FromFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("{}: cannot open screening model file", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(fmt::format("{}: read failed", path.string()));
  return FromToml(text.str(), path.string());
}

Result<ScreeningModel> ScreeningModel::Default() { return FromFile(ConfigPath("screening/west-midlands.toml")); }

}  // namespace riskradar::risk

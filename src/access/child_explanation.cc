// ExplainChild: the evidence and what-would-change of a child's assessment (see child_explanation.h).
#include "riskradar/access/child_explanation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>

#include "riskradar/risk/screening.h"

namespace riskradar::access {
namespace {

using json = nlohmann::json;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// The rule's who and when conditions in words, exactly as configured.
std::string RuleCondition(const risk::OverrideRule& rule) {
  std::vector<std::string> who, when;
  if (rule.age_at_most) who.push_back(fmt::format("aged {} or under", *rule.age_at_most));
  if (!rule.who_indicators_any.empty()) who.push_back("with any of " + Join(rule.who_indicators_any));
  if (!rule.sex_any.empty()) {
    std::vector<std::string> sexes;
    for (Sex sex : rule.sex_any) sexes.emplace_back(ToString(sex));
    who.push_back("of sex " + Join(sexes));
  }
  if (!rule.indicators_any.empty()) when.push_back("any of " + Join(rule.indicators_any));
  if (rule.min_indicators > 0) {
    std::vector<std::string> groups;
    for (risk::IndicatorGroup group : rule.groups) groups.emplace_back(risk::ToString(group));
    when.push_back(fmt::format("at least {} {}indicator{}{}", rule.min_indicators, rule.current_only ? "current " : "",
                               rule.min_indicators == 1 ? "" : "s",
                               groups.empty() ? std::string() : " in " + Join(groups)));
  }
  std::string who_text = who.empty() ? "every child" : "a child ";
  for (size_t i = 0; i < who.size(); ++i) who_text += (i == 0 ? "" : " or ") + who[i];
  std::string when_text = when.empty() ? "always" : "";
  for (size_t i = 0; i < when.size(); ++i) when_text += (i == 0 ? "" : " and ") + when[i];
  if (rule.current_days) when_text += fmt::format(", with evidence less than {} days old", *rule.current_days);
  return "applies to " + who_text + " when " + when_text;
}

std::string Number(double points) { return fmt::format("{}", points); }

}  // namespace

ChildExplanation ExplainChild(const store::ChildView& view, const risk::ScreeningModel* model) {
  ChildExplanation out;
  if (!view.latest) return out;
  const Assessment& a = *view.latest;
  out.as_of = a.as_of.ToIso();
  out.model_version = a.model_version;
  out.level = a.level;
  out.score = a.score;
  out.complete = view.explanation_complete;
  out.override_level = a.override_level;
  out.override_reason = a.override_reason;
  if (out.complete) out.decided_by = a.explanation;

  std::map<int64_t, const store::ChildEventView*> visible;
  for (const store::ChildEventView& event : view.events) visible[event.event_id] = &event;
  for (const Indicator& indicator : a.indicators) {
    ExplainedIndicator shown{indicator.code, indicator.group, indicator.label, indicator.current, indicator.points, {}};
    for (int64_t id : indicator.evidence_event_ids) {
      auto it = visible.find(id);
      if (it == visible.end()) continue;  // hidden from this viewer: neither listed nor counted
      const store::ChildEventView& e = *it->second;
      shown.evidence.push_back({e.event_id, e.date, e.kind, e.category, e.agency_code, e.record_class, e.local_id});
    }
    // An indicator none of whose evidence is visible is not this viewer's to see (FilterChildView drops it).
    if (shown.evidence.empty()) continue;
    std::sort(shown.evidence.begin(), shown.evidence.end(), [](const EvidenceEvent& x, const EvidenceEvent& y) {
      return std::pair(x.date.days(), x.event_id) < std::pair(y.date.days(), y.event_id);
    });
    out.indicators.push_back(std::move(shown));
  }

  if (model == nullptr) {
    out.model_note = "the screening model is not available: what would change the level is not shown";
    return out;
  }
  if (model->version() != a.model_version) {
    out.model_note = fmt::format(
        "the assessment was made with model {}, the configured model is {}: what would change the level is shown "
        "after the next assessment",
        a.model_version, model->version());
    return out;
  }
  std::vector<risk::LevelBand> bands = model->bands();
  std::sort(bands.begin(), bands.end(),
            [](const risk::LevelBand& x, const risk::LevelBand& y) { return x.min_points < y.min_points; });
  for (size_t i = 0; i < bands.size(); ++i) {
    const risk::LevelBand& band = bands[i];
    if (a.score < band.min_points || (band.max_points && a.score >= *band.max_points)) continue;
    out.score_band = band.level;
    if (i + 1 < bands.size()) {
      out.up = BandStep{bands[i + 1].level, bands[i + 1].min_points, bands[i + 1].min_points - a.score};
    }
    if (i > 0) out.down = BandStep{bands[i - 1].level, band.min_points, a.score - band.min_points};
    break;
  }
  if (!out.complete) return out;
  for (const risk::OverrideRule& rule : model->overrides()) {
    RuleStatus status{rule.code, rule.level, rule.explanation, RuleCondition(rule), false};
    const std::string prefix = "Rule " + rule.code + ":";
    for (const std::string& line : a.explanation) status.applies = status.applies || line.rfind(prefix, 0) == 0;
    out.rules.push_back(std::move(status));
  }
  return out;
}

const risk::ScreeningModel* ConfiguredScreeningModel() {
  static const std::optional<risk::ScreeningModel> model = []() -> std::optional<risk::ScreeningModel> {
    auto loaded = risk::ScreeningModel::Default();
    if (!loaded.ok()) return std::nullopt;
    return std::move(*loaded);
  }();
  return model ? &*model : nullptr;
}

json EvidenceJson(const std::vector<EvidenceEvent>& evidence) {
  json out = json::array();
  for (const EvidenceEvent& e : evidence) {
    out.push_back({{"event_id", e.event_id},
                   {"date", e.date.ToIso()},
                   {"kind", e.kind},
                   {"category", e.category},
                   {"agency", e.agency},
                   {"record_class", e.record_class},
                   {"source_record", e.source_record}});
  }
  return out;
}

json ExplanationJson(const ChildExplanation& x) {
  json indicators = json::array();
  for (const ExplainedIndicator& i : x.indicators) {
    indicators.push_back({{"code", i.code},
                          {"group", i.group},
                          {"label", i.label},
                          {"current", i.current},
                          {"points", i.points},
                          {"evidence", EvidenceJson(i.evidence)}});
  }
  auto step = [](const std::optional<BandStep>& s) -> json {
    if (!s) return nullptr;
    return {{"level", ToString(s->level)}, {"threshold", s->threshold}, {"points", s->points}};
  };
  json rules = json::array();
  for (const RuleStatus& r : x.rules) {
    rules.push_back({{"code", r.code},
                     {"level", ToString(r.level)},
                     {"explanation", r.explanation},
                     {"condition", r.condition},
                     {"applies", r.applies}});
  }
  json change = {{"score_band", x.score_band ? json(ToString(*x.score_band)) : json(nullptr)},
                 {"up", step(x.up)},
                 {"down", step(x.down)},
                 {"rules", rules},
                 {"note", x.model_note}};
  return {{"as_of", x.as_of},
          {"level", ToString(x.level)},
          {"score", x.score},
          {"model_version", x.model_version},
          {"complete", x.complete},
          {"indicators", indicators},
          {"explanation", x.decided_by},
          {"what_would_change", change},
          {"override_level", x.override_level ? json(ToString(*x.override_level)) : json(nullptr)},
          {"override_reason", x.override_reason}};
}

std::string ExplanationText(const ChildExplanation& x) {
  std::string out = fmt::format("Level: {} (score {}, model {}, as of {})\n", Label(x.level), Number(x.score),
                                x.model_version, x.as_of);
  if (x.override_level) {
    out += fmt::format("Practitioner override: {} ({})\n", Label(*x.override_level), x.override_reason);
  }
  out += "Indicators:\n";
  if (x.indicators.empty()) out += "  none visible to you\n";
  for (const ExplainedIndicator& i : x.indicators) {
    out += fmt::format("  {} [{}, {}, {} point{}]: {}\n", i.code, i.group, i.current ? "current" : "earlier",
                       Number(i.points), i.points == 1 ? "" : "s", i.label);
    for (const EvidenceEvent& e : i.evidence) {
      out += fmt::format("    event {} {} {}/{} by {} ({}, record {})\n", e.event_id, e.date.ToIso(), e.kind,
                         e.category, e.agency, e.record_class, e.source_record);
    }
  }
  if (x.complete) {
    out += "Decided by:\n";
    for (const std::string& line : x.decided_by) out += "  " + line + "\n";
  } else {
    out += "Some records behind this assessment are not visible to you: the model's reasoning is not shown\n";
  }
  out += "What would change the level:\n";
  if (!x.model_note.empty()) out += "  " + x.model_note + "\n";
  if (x.score_band) out += fmt::format("  the score alone gives {}\n", Label(*x.score_band));
  if (x.up) {
    out += fmt::format("  up: {} from {} points ({} more)\n", Label(x.up->level), Number(x.up->threshold),
                       Number(x.up->points));
  }
  if (x.down) {
    out += fmt::format("  down: {} below {} points (more than {} fewer)\n", Label(x.down->level),
                       Number(x.down->threshold), Number(x.down->points));
  }
  for (const RuleStatus& r : x.rules) {
    out += fmt::format("  rule {} ({}): {}; {}\n", r.code, Label(r.level),
                       r.applies ? "applies now and lapses when its condition no longer holds" : "does not apply",
                       r.condition);
  }
  return out;
}

}  // namespace riskradar::access

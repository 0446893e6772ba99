// Assessing one child with a screening model: indicators from events, points,
// the band, then override rules; every step leaves an explanation line so a
// practitioner can see why the level is what it is.
#include "riskradar/risk/screening.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace riskradar::risk {

bool EventMatcher::Matches(const EventFact& event) const {
  if (event.kind != kind) return false;
  if (!categories.empty() && std::find(categories.begin(), categories.end(), event.category) == categories.end()) {
    return false;
  }
  if (!place_types.empty()) {
    if (!event.place_type) return false;
    if (std::find(place_types.begin(), place_types.end(), *event.place_type) == place_types.end()) return false;
  }
  if (with_person_of_concern && event.with_person_of_concern != *with_person_of_concern) return false;
  return true;
}

int ReviewPolicy::DaysFor(RiskLevel level) const {
  switch (level) {
    case RiskLevel::kNoCurrentRisk:
      return none_days;
    case RiskLevel::kAtRisk:
      return at_risk_days;
    case RiskLevel::kSignificant:
      return significant_days;
    case RiskLevel::kSerious:
      return serious_days;
  }
  return none_days;
}

const IndicatorDefinition* ScreeningModel::FindIndicator(std::string_view code) const {
  for (const IndicatorDefinition& def : indicators_) {
    if (def.code == code) return &def;
  }
  return nullptr;
}

namespace {

std::string_view GroupTitle(IndicatorGroup group) {
  switch (group) {
    case IndicatorGroup::kSignificant:
      return "Significant indicator";
    case IndicatorGroup::kRisk:
      return "Risk indicator";
    case IndicatorGroup::kVulnerability:
      return "Vulnerability";
  }
  return "Indicator";
}

std::string Points(double points) { return fmt::format("{} point{}", points, points == 1 ? "" : "s"); }

struct Found {
  const IndicatorDefinition* def;
  Indicator indicator;
  int events = 0;        // resolved events (evidence_event_ids lists every source record of them)
  Date newest;           // the newest evidence event's (or observation's) date
  int repeats = 0;       // evidence events beyond min_count that added repeat points
  int observed = 0;      // a practitioner's observations of it (ChildFacts::observed)
  Date observed_newest;  // the newest of them (when observed > 0)
};

// Whether min_count matching events fall within within_days of each other,
// and whether such a run ends in the current window. `dates` is sorted.
struct Qualification {
  bool any = false;
  bool current = false;
};
Qualification Qualify(const std::vector<Date>& dates, const IndicatorDefinition& def, Date as_of, int current_days) {
  Qualification q;
  size_t first = 0;
  for (size_t last = 0; last < dates.size(); ++last) {
    if (def.within_days) {
      while (dates[last] - dates[first] > *def.within_days) ++first;
    }
    if (static_cast<int>(last - first + 1) >= def.min_count) {
      q.any = true;
      if (as_of - dates[last] < current_days) q.current = true;
    }
  }
  return q;
}

// Whether the rule fires; with `currency` false, as if its evidence never aged (to tell the practitioner a rule
// has stopped applying because its evidence is no longer current).
bool RuleFires(const OverrideRule& rule, const ChildFacts& child, std::optional<int> age,
               const std::vector<Found>& found, Date as_of, bool currency) {
  auto fresh = [&](const Found& f) { return !currency || !rule.current_days || as_of - f.newest < *rule.current_days; };
  auto has = [&](const std::string& code, bool current_only) {
    return std::any_of(found.begin(), found.end(), [&](const Found& f) {
      return f.def->code == code && (!current_only || f.indicator.current) && fresh(f);
    });
  };
  bool has_who = rule.age_at_most || !rule.who_indicators_any.empty() || !rule.sex_any.empty();
  if (has_who) {
    bool who = (rule.age_at_most && age && *age <= *rule.age_at_most) ||
               std::any_of(rule.who_indicators_any.begin(), rule.who_indicators_any.end(),
                           [&](const std::string& code) {
                             return std::any_of(found.begin(), found.end(),
                                                [&](const Found& f) { return f.def->code == code; });
                           }) ||
               std::find(rule.sex_any.begin(), rule.sex_any.end(), child.sex) != rule.sex_any.end();
    if (!who) return false;
  }
  if (!rule.indicators_any.empty()) {
    bool any = std::any_of(rule.indicators_any.begin(), rule.indicators_any.end(),
                           [&](const std::string& code) { return has(code, rule.current_only); });
    if (!any) return false;
  }
  if (!rule.groups.empty()) {
    int count = static_cast<int>(std::count_if(found.begin(), found.end(), [&](const Found& f) {
      return std::find(rule.groups.begin(), rule.groups.end(), f.def->group) != rule.groups.end() &&
             (!rule.current_only || f.indicator.current) && fresh(f);
    }));
    if (count < rule.min_indicators) return false;
  }
  return true;
}

}  // namespace

Assessment ScreeningModel::Assess(const ChildFacts& child, Date as_of) const {
  Assessment assessment;
  assessment.person_id = child.person_id;
  assessment.as_of = as_of;
  assessment.model_version = version_;

  std::optional<int> age;
  if (child.dob && *child.dob <= as_of) age = Date::AgeOn(*child.dob, as_of);

  std::vector<Found> found;
  for (const IndicatorDefinition& def : indicators_) {
    const GroupScoring& group_scoring = scoring(def.group);
    std::vector<const EventFact*> evidence;
    for (const EventFact& event : child.events) {
      int age_days = as_of - event.date;
      if (age_days < 0 || age_days >= group_scoring.lookback_days) continue;
      if (std::any_of(def.evidence.begin(), def.evidence.end(),
                      [&](const EventMatcher& m) { return m.Matches(event); })) {
        evidence.push_back(&event);
      }
    }
    // A practitioner's observation makes the indicator present on its date (within the lookback, not after
    // as_of); min_count is for events only.
    std::optional<Date> observed_newest;
    int observed = 0;
    for (const ObservedIndicator& o : child.observed) {
      const int age_days = as_of - o.date;
      if (o.code != def.code || age_days < 0 || age_days >= group_scoring.lookback_days) continue;
      ++observed;
      if (!observed_newest || o.date > *observed_newest) observed_newest = o.date;
    }
    if (static_cast<int>(evidence.size()) < def.min_count && observed == 0) continue;
    std::sort(evidence.begin(), evidence.end(), [](const EventFact* a, const EventFact* b) {
      return a->date != b->date ? a->date < b->date : a->event_id < b->event_id;
    });
    std::vector<Date> dates;
    for (const EventFact* event : evidence) dates.push_back(event->date);
    Qualification q = Qualify(dates, def, as_of, current_days_);
    if (observed > 0) {
      q.any = true;
      q.current = q.current || as_of - *observed_newest < current_days_;
    }
    if (!q.any) continue;
    Indicator indicator;
    indicator.code = def.code;
    indicator.group = std::string(ToString(def.group));
    indicator.label = def.label;
    indicator.current = q.current;
    indicator.points = q.current ? group_scoring.current_points : group_scoring.earlier_points;
    const int repeats = group_scoring.repeat_points > 0
                            ? std::clamp(static_cast<int>(dates.size()) - def.min_count, 0, group_scoring.max_repeats)
                            : 0;
    indicator.points += repeats * group_scoring.repeat_points;
    for (const EventFact* event : evidence) {
      indicator.evidence_event_ids.push_back(event->event_id);
      auto merged = child.merged_event_ids.find(event->event_id);
      if (merged != child.merged_event_ids.end()) {
        indicator.evidence_event_ids.insert(indicator.evidence_event_ids.end(), merged->second.begin(),
                                            merged->second.end());
      }
    }
    Date newest = dates.empty() ? *observed_newest : dates.back();
    if (observed_newest && *observed_newest > newest) newest = *observed_newest;
    found.push_back({&def, std::move(indicator), static_cast<int>(evidence.size()), newest, repeats, observed,
                     observed_newest.value_or(Date())});
  }

  // Significant first, then risk, then vulnerabilities; the model's order within a group.
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return a.def->group < b.def->group; });

  std::array<double, 3> group_points{};
  for (const Found& f : found) {
    group_points[static_cast<int>(f.def->group)] += f.indicator.points;
    const size_t records = f.indicator.evidence_event_ids.size();
    const std::string count = static_cast<size_t>(f.events) == records
                                  ? fmt::format("{} event{}", f.events, f.events == 1 ? "" : "s")
                                  : fmt::format("{} event{} ({} records from more than one agency)", f.events,
                                                f.events == 1 ? "" : "s", records);
    std::string seen = count;
    if (f.observed > 0) {
      const std::string observations = fmt::format("observed by a practitioner {} time{} (newest {})", f.observed,
                                                   f.observed == 1 ? "" : "s", f.observed_newest.ToIso());
      seen = f.events == 0 ? observations : count + ", " + observations;
    }
    const std::string repeated = f.repeats > 0 ? fmt::format(" (with {} for {} repeat{})",
                                                             Points(f.repeats * scoring(f.def->group).repeat_points),
                                                             f.repeats, f.repeats == 1 ? "" : "s")
                                               : "";
    std::string line =
        fmt::format("{} ({}): {}: {}, {}{}", GroupTitle(f.def->group), f.indicator.current ? "current" : "earlier",
                    f.def->label, seen, Points(f.indicator.points), repeated);
    assessment.explanation.push_back(std::move(line));
  }
  if (found.empty()) {
    assessment.explanation.push_back("No indicators found in the events available");
  }

  double score = 0;
  for (IndicatorGroup group : {IndicatorGroup::kSignificant, IndicatorGroup::kRisk, IndicatorGroup::kVulnerability}) {
    double points = group_points[static_cast<int>(group)];
    const auto& cap = scoring(group).max_points;
    if (cap && points > *cap) {
      assessment.explanation.push_back(fmt::format("Group {} is capped at {}: its {} count as {}", ToString(group),
                                                   Points(*cap), Points(points), *cap));
      points = *cap;
    }
    score += points;
  }
  assessment.score = score;

  for (const LevelBand& band : bands_) {
    if (score < band.min_points || (band.max_points && score >= *band.max_points)) continue;
    assessment.level = band.level;
    std::string range = band.max_points ? fmt::format("{} to under {} points", band.min_points, *band.max_points)
                                        : fmt::format("{} points or more", band.min_points);
    assessment.explanation.push_back(
        fmt::format("Score {}: band {} gives {}", Points(score), range, Label(band.level)));
    break;
  }

  bool uses_age = std::any_of(overrides_.begin(), overrides_.end(),
                              [](const OverrideRule& rule) { return rule.age_at_most.has_value(); });
  if (uses_age && !age && !found.empty()) {
    assessment.explanation.push_back("Date of birth unknown: rules that depend on age could not be applied");
  }

  for (const OverrideRule& rule : overrides_) {
    if (!RuleFires(rule, child, age, found, as_of, true)) {
      if (rule.current_days && RuleFires(rule, child, age, found, as_of, false)) {
        assessment.explanation.push_back(
            fmt::format("Lapsed rule {}: {}: no longer applies, its newest evidence is {} days old or more (the "
                        "rule holds for {} days)",
                        rule.code, rule.explanation, *rule.current_days, *rule.current_days));
      }
      continue;
    }
    std::string effect = rule.level > assessment.level
                             ? fmt::format("level raised from {} to {}", Label(assessment.level), Label(rule.level))
                             : fmt::format("level already {}", Label(assessment.level));
    assessment.explanation.push_back(fmt::format("Rule {}: {}: {}", rule.code, rule.explanation, effect));
    assessment.level = std::max(assessment.level, rule.level);
  }

  for (Found& f : found) assessment.indicators.push_back(std::move(f.indicator));
  return assessment;
}

}  // namespace riskradar::risk

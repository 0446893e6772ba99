// The CSE screening model: indicators derived from a child's linked events,
// points, level bands and override rules, all read from a versioned TOML file
// (config/screening/*.toml) so a partnership can change its model without code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/core/status.h"

namespace riskradar::risk {

// One event as the model sees it: vocabulary kind/category, date, and the two
// facts from linkage that matter for screening (where, and with whom). After
// event linkage one fact is one real-world event: ChildFacts::merged_event_ids
// lists the other source records of the same event (evidence, never counted again).
struct EventFact {
  int64_t event_id = 0;
  EventKind kind = EventKind::kReferral;
  std::string category;
  Date date;
  std::string agency;
  std::optional<PlaceType> place_type;
  bool with_person_of_concern = false;
};

// An indicator a practitioner observed (a screening, store/judgement.h): the model's indicator `code`, seen on
// `date`, and who or what reported it (`source`, free text). It makes its indicator present on that date whatever
// the events give (min_count does not apply to a professional's observation); points, bands and rules then
// apply to it as to a derived indicator.
struct ObservedIndicator {
  std::string code;
  Date date;
  std::string source;
};

struct ChildFacts {
  int64_t person_id = 0;
  std::optional<Date> dob;
  Sex sex = Sex::kUnknown;
  std::vector<EventFact> events;
  // event_id of a fact -> the other source records of the same real-world event (event linkage).
  std::map<int64_t, std::vector<int64_t>> merged_event_ids;
  // Observations recorded by a practitioner's screening (empty for the pipeline's assessments).
  std::vector<ObservedIndicator> observed;
};

enum class IndicatorGroup { kSignificant, kRisk, kVulnerability };
std::string_view ToString(IndicatorGroup group);  // "significant" | "risk" | "vulnerability"

// Which events evidence an indicator. Empty lists match anything.
struct EventMatcher {
  EventKind kind = EventKind::kReferral;
  std::vector<std::string> categories;
  std::vector<PlaceType> place_types;  // when set, events without a place never match
  std::optional<bool> with_person_of_concern;
  bool Matches(const EventFact& event) const;
};

struct IndicatorDefinition {
  std::string code;
  IndicatorGroup group = IndicatorGroup::kRisk;
  std::string label;
  std::vector<EventMatcher> evidence;  // an event matching any one counts
  int min_count = 1;                   // events needed ...
  std::optional<int> within_days;      // ... all within this many days (else anywhere in the lookback)
};

struct GroupScoring {
  double current_points = 0;
  double earlier_points = 0;
  std::optional<double> max_points;  // cap on the group's total
  int lookback_days = 365;           // events older than this are not evidence
  // Repetition: each evidence event of an indicator (within lookback_days) beyond the ones it needs (min_count)
  // adds repeat_points, for at most max_repeats events: three separate concerns of one kind weigh more than one.
  double repeat_points = 0;
  int max_repeats = 0;
};

// A level band covers [min_points, max_points); the last band has no max.
struct LevelBand {
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  double min_points = 0;
  std::optional<double> max_points;
};

// Raises the level to at least `level` when the child matches `who` (any one
// condition; no conditions means every child) and the indicators match `when`
// (all conditions). Rules only raise: practitioners lower, with a reason.
struct OverrideRule {
  std::string code;
  RiskLevel level = RiskLevel::kAtRisk;
  std::string explanation;
  // who
  std::optional<int> age_at_most;
  std::vector<std::string> who_indicators_any;
  std::vector<Sex> sex_any;  // only when a partnership deliberately configures it
  // when
  std::vector<std::string> indicators_any;
  std::vector<IndicatorGroup> groups;  // count indicators in these groups ...
  int min_indicators = 0;              // ... and require at least this many
  bool current_only = false;           // count only current indicators
  // Currency of the rule's own evidence: when set, an indicator counts for this rule only while its newest
  // evidence event is under this many days old on the assessment date, so the level falls back to what the
  // points give once nothing current remains (the explanation says so).
  std::optional<int> current_days;
};

// How soon an assessment is reviewed, in days from its date, per level (`[review]` in the model's TOML; every
// key optional, strict): 3 months by default, sooner for higher levels. A higher level is never reviewed later
// than a lower one (checked when the model loads).
struct ReviewPolicy {
  int none_days = 91;
  int at_risk_days = 91;
  int significant_days = 56;
  int serious_days = 28;
  int DaysFor(RiskLevel level) const;
};

class ScreeningModel {
 public:
  // Errors name source_name, the key and why (unknown keys, kinds,
  // categories, codes; gapped or overlapping bands).
  static Result<ScreeningModel> FromToml(std::string_view text, std::string_view source_name);
  static Result<ScreeningModel> FromFile(const std::filesystem::path& path);
  // config/screening/west-midlands.toml in the source tree.
  static Result<ScreeningModel> Default();

  const std::string& version() const { return version_; }
  const std::string& name() const { return name_; }
  int current_days() const { return current_days_; }
  const std::vector<IndicatorDefinition>& indicators() const { return indicators_; }
  const std::vector<LevelBand>& bands() const { return bands_; }
  const std::vector<OverrideRule>& overrides() const { return overrides_; }
  const GroupScoring& scoring(IndicatorGroup group) const { return scoring_[static_cast<int>(group)]; }
  const ReviewPolicy& review() const { return review_; }
  // The indicator definition named `code`, or nullptr (a screening's observations are checked against these).
  const IndicatorDefinition* FindIndicator(std::string_view code) const;

  // Pure: the same facts and date always give the same assessment. Events
  // after as_of are ignored (they were not known then). Fills level, score,
  // model_version, indicators and explanation; not id or practitioner override.
  Assessment Assess(const ChildFacts& child, Date as_of) const;

 private:
  ScreeningModel() = default;
  friend class ModelParser;

  std::string version_;
  std::string name_;
  int current_days_ = 183;
  GroupScoring scoring_[3];
  std::vector<IndicatorDefinition> indicators_;
  std::vector<LevelBand> bands_;
  std::vector<OverrideRule> overrides_;
  ReviewPolicy review_;
};

}  // namespace riskradar::risk

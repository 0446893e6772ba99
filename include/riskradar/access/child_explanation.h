// The explanation of a child's assessment as one viewer may see it (issue 12 item 2): the level, every visible
// indicator with the events that evidence it, the lines of the model that decided the level, and what would
// change the level (the score's distance to the bands above and below, and the model's override rules).
// Built by a pure function from an already filtered child view (FilterChildView) and the screening model;
// the server's child view and `riskradar explain child` print the same structure (ExplanationJson).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/date.h"
#include "riskradar/core/domain.h"
#include "riskradar/store/directory.h"

namespace riskradar::risk {
class ScreeningModel;
}

namespace riskradar::access {

// One event behind an indicator, as the chronology shows it.
struct EvidenceEvent {
  int64_t event_id = 0;
  Date date;
  std::string kind, category, agency, record_class;
  std::string source_record;  // the agency's own reference of the record (its local id)
};

struct ExplainedIndicator {
  std::string code, group, label;
  bool current = true;
  double points = 0;
  std::vector<EvidenceEvent> evidence;  // visible evidence only, oldest first
};

// A step to the next level band: its level, the threshold (up: the next band's lowest score; down: the
// current band's lowest score, which the score must fall below) and the points the score would have to gain
// (up: at least this many) or lose (down: more than this many).
struct BandStep {
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  double threshold = 0;
  double points = 0;
};

// One override rule of the model: its conditions in words, and whether it applied to this assessment.
struct RuleStatus {
  std::string code;
  RiskLevel level = RiskLevel::kAtRisk;
  std::string explanation;
  std::string condition;  // who and when, from the model configuration
  bool applies = false;
};

struct ChildExplanation {
  std::string as_of, model_version;
  RiskLevel level = RiskLevel::kNoCurrentRisk;
  double score = 0;
  bool complete = false;  // every record behind the assessment is visible (the view's explanation_complete)
  std::vector<ExplainedIndicator> indicators;
  std::vector<std::string> decided_by;  // the model's lines; empty when not complete
  // What would change the level; absent when the model that made the assessment is not the configured one
  // (model_note says why). Bands follow from the score, which every viewer of the assessment sees; rules
  // only when complete (whether one applied depends on indicators the viewer may not see).
  std::optional<RiskLevel> score_band;  // the band the score alone falls in
  std::optional<BandStep> up, down;
  std::vector<RuleStatus> rules;
  std::string model_note;
  std::optional<RiskLevel> override_level;  // a practitioner's override
  std::string override_reason;
};

// Pure. `view.latest` must be set. Evidence ids of events not in `view.events` (hidden from the viewer) are
// never listed nor counted: a per-indicator count of hidden records would say more than explanation_complete.
// `model` may be null (no what-would-change, with a note).
ChildExplanation ExplainChild(const store::ChildView& view, const risk::ScreeningModel* model);

// The configured screening model (config/screening/west-midlands.toml), loaded once; null if it cannot be read.
const risk::ScreeningModel* ConfiguredScreeningModel();

nlohmann::json ExplanationJson(const ChildExplanation& explanation);
nlohmann::json EvidenceJson(const std::vector<EvidenceEvent>& evidence);
// Plain text for a practitioner at the command line, one fact a line.
std::string ExplanationText(const ChildExplanation& explanation);

}  // namespace riskradar::access

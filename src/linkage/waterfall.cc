// WaterfallJson (linkage/waterfall.h).
#include "riskradar/linkage/waterfall.h"

namespace riskradar::linkage {

nlohmann::json WaterfallJson(const std::vector<FieldContribution>& contributions) {
  if (contributions.empty()) return nullptr;
  nlohmann::json steps = nlohmann::json::array();
  double running = 0;
  for (const auto& c : contributions) {
    if (c.field == "total") continue;
    running += c.weight;
    steps.push_back({{"field", c.field},
                     {"level", c.level},
                     {"weight", c.weight},
                     {"cumulative", running},
                     {"term_frequency", c.level == "term frequency adjustment"}});
  }
  const double weight = contributions.back().weight;
  return {{"steps", steps}, {"match_weight", weight}, {"match_probability", Model::Probability(weight)}};
}

}  // namespace riskradar::linkage

// The match-weight waterfall as JSON, one builder for `riskradar explain --json` and the server's review item.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "riskradar/linkage/engine.h"

namespace riskradar::linkage {

// {"steps": [{field, level, weight, cumulative, term_frequency}...], "match_weight", "match_probability"} from
// Model::Explain's contributions (prior, fields, term-frequency adjustments, then "total", which gives the
// match weight). Null for no contributions.
nlohmann::json WaterfallJson(const std::vector<FieldContribution>& contributions);

}  // namespace riskradar::linkage

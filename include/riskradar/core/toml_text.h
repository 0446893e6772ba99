// Parsing TOML configuration text (screening models, VOLT models, event-linkage rules, retention schedules,
// the configuration file, agencies files): one place that turns a syntax error into "SOURCE:LINE: not valid
// TOML: ...". What each file may contain is checked by its own reader, strictly, naming file, line and key.
#pragma once

#include <toml++/toml.h>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// `source` names the text in messages (a path, or "<embedded>").
Result<toml::table> ParseTomlText(std::string_view text, const std::string& source);

}  // namespace riskradar

#include "riskradar/core/toml_text.h"

#include <fmt/format.h>

namespace riskradar {

Result<toml::table> ParseTomlText(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}: not valid TOML: {}", source, e.source().begin.line, e.description()));
  }
}

}  // namespace riskradar

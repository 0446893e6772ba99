// Writing JSON text directly, byte for byte as nlohmann::json::dump() would (for the places where building a
// json tree first costs too much: content hashes of imported rows, the MASE agenda's answer).
#pragma once

#include <string>
#include <string_view>

namespace riskradar {

// Appends `utf8` as a JSON string literal, escaped exactly as nlohmann::json::dump() does (UTF-8 kept; quote,
// backslash and control characters escaped, those without a short form as \u00xx in lower-case hex). The text
// must be valid UTF-8: the caller checks (dump() refuses invalid text; this would copy it through).
void AppendJsonString(std::string& out, std::string_view utf8);

}  // namespace riskradar

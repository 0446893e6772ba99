// Small ASCII text helpers shared by every stage (one copy instead of one per file).
#pragma once

#include <string>
#include <string_view>

namespace riskradar {

// `text` without leading and trailing ASCII white space (space, \t, \n, \v, \f, \r); a view into `text`.
std::string_view Trim(std::string_view text);

// `text` with A-Z mapped to a-z; every other byte (UTF-8 included) unchanged.
std::string AsciiLower(std::string_view text);

}  // namespace riskradar

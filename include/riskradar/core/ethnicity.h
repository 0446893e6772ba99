// Ethnicity in the Census 2021 (ONS) high-level groups, which the DfE school census and the NHS ethnic category
// codes both roll up to. Agencies' own codes are mapped to these in config/mappings/ (the `ethnicity` field).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

struct EthnicGroup {
  std::string_view code;   // stored
  std::string_view label;  // reports
};

// In the order reports show them (the ONS order), then "not recorded".
inline constexpr std::array<EthnicGroup, 5> kEthnicGroups = {{{"asian", "Asian or Asian British"},
                                                              {"black", "Black, Black British, Caribbean or African"},
                                                              {"mixed", "Mixed or multiple ethnic groups"},
                                                              {"white", "White"},
                                                              {"other", "Other ethnic group"}}};
inline constexpr std::string_view kEthnicityNotRecorded = "Not recorded";

inline bool IsEthnicGroupCode(std::string_view code) {
  for (const EthnicGroup& g : kEthnicGroups) {
    if (g.code == code) return true;
  }
  return false;
}

// A mapping target: one of the codes above.
inline Result<std::string> ParseEthnicGroup(std::string_view code) {
  if (IsEthnicGroupCode(code)) return std::string(code);
  return Status::InvalidArgument("'" + std::string(code) +
                                 "' is not a Census 2021 ethnic group (asian, black, mixed, white, other)");
}

}  // namespace riskradar

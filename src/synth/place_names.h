// Fictional place names (no real business is ever named) and the small
// spelling drift between agencies that makes place linkage non-trivial.
#pragma once

#include <string>
#include <string_view>

#include "random.h"
#include "riskradar/core/domain.h"

namespace riskradar::synth {

// A fictional name for a place of the type, e.g. "Larchfield Lodge Hotel".
std::string FictionalPlaceName(PlaceType type, Rng& rng);
// How one agency might write the name: "The" dropped or added, abbreviations,
// a typo, upper case, the district appended. Usually returns the name unchanged.
std::string PlaceNameVariant(std::string_view name, std::string_view district, Rng& rng);

}  // namespace riskradar::synth

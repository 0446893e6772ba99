// The event vocabulary of config/vocabulary.md as data, so configuration that
// names kinds and categories (screening models) can be checked when loaded.
#pragma once

#include <span>
#include <string_view>

#include "riskradar/core/domain.h"

namespace riskradar::risk {

// The categories allowed for a kind, in the order vocabulary.md lists them.
std::span<const std::string_view> CategoriesOf(EventKind kind);
bool IsKnownCategory(EventKind kind, std::string_view category);
// Every kind, in declaration order.
std::span<const EventKind> AllEventKinds();

}  // namespace riskradar::risk

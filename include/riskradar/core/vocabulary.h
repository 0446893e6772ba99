// The event vocabulary (config/vocabulary.md): which categories each event kind allows.
#pragma once

#include <span>
#include <string_view>

#include "riskradar/core/domain.h"

namespace riskradar {

std::span<const std::string_view> CategoriesOf(EventKind kind);
bool IsKnownCategory(EventKind kind, std::string_view category);
// True when some kind allows this category.
bool IsAnyKnownCategory(std::string_view category);
// Every kind, in declaration order.
std::span<const EventKind> AllEventKinds();

}  // namespace riskradar

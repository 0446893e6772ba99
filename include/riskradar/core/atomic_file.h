// Writing an output file so that readers see either the old file or the whole new one, never a part.
#pragma once

#include <filesystem>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// Writes `content` to a temporary file in `path`'s directory, fsyncs it, gives it `permissions`, renames it
// over `path` and fsyncs the directory, so the new file survives a crash once this returns Ok. Every failure
// (no directory, no space, permissions) is an IoError naming `path` and the step; the temporary file is
// removed. Never throws.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned permissions = 0640);

}  // namespace riskradar

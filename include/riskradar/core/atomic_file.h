// Writing an output file so that readers see either the old file or the whole new one, never a part.
#pragma once

#include <filesystem>
#include <string_view>

#include "riskradar/core/status.h"

namespace riskradar {

// Writes `content` to a temporary file in `path`'s directory, fsyncs it, gives it `permissions`, renames it
// over `path` and fsyncs the directory, so the new file survives a crash once this returns Ok. Every failure
// (no directory, no space, permissions) is an IoError naming `path` and the step; the temporary file is
// removed. Never throws. Owner-only by default, whatever the umask: riskradar's outputs (exports, reports,
// profiles, linkage results) hold personal data or exact small counts; an operator publishes a copy.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view content, unsigned permissions = 0600);

}  // namespace riskradar

// Data directory lookup (core/paths.h): --data-dir, RISKRADAR_DATA_DIR, the install prefix, a developer tree.
#include "riskradar/core/paths.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace riskradar {
namespace {

namespace fs = std::filesystem;

struct DataDirState {
  std::mutex mutex;
  std::optional<fs::path> override_dir;
  std::optional<fs::path> resolved;
};

DataDirState& State() {
  static DataDirState state;
  return state;
}

// Why `dir` is not a data directory, or empty if it is one. Never throws.
std::string Rejection(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "not a directory";
  if (!fs::is_directory(dir / "config", ec)) return "no config/ in it";
  if (!fs::is_directory(dir / "data" / "reference", ec)) return "no data/reference/ in it";
  return {};
}

fs::path RunningBinary() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

// True if `path` lies inside `dir` (both made canonical where they exist).
bool IsInside(const fs::path& path, const fs::path& dir) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return false;
  const fs::path d = fs::weakly_canonical(dir, ec);
  if (ec) return false;
  auto [d_end, p_it] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return d_end == d.end();
}

Result<fs::path> Lookup(const std::optional<fs::path>& override_dir) {
  std::vector<std::string> tried;
  auto explicit_choice = [&](const fs::path& dir, const char* source) -> Result<fs::path> {
    if (const std::string why = Rejection(dir); !why.empty()) {
      return Status::NotFound(std::string(source) + " " + dir.string() + " is not a riskradar data directory (" + why +
                              "): it must hold config/ and data/reference/");
    }
    return dir;
  };
  if (override_dir) return explicit_choice(*override_dir, "--data-dir");
  if (const char* env = std::getenv("RISKRADAR_DATA_DIR"); env && *env) {
    return explicit_choice(env, "RISKRADAR_DATA_DIR");
  }
  std::vector<fs::path> candidates;
  const fs::path exe = RunningBinary();
  if (!exe.empty()) candidates.push_back((exe.parent_path() / RISKRADAR_BIN_TO_DATA_DIR).lexically_normal());
  candidates.emplace_back(RISKRADAR_INSTALL_DATA_DIR);
  for (const fs::path& dir : candidates) {
    const std::string why = Rejection(dir);
    if (why.empty()) return dir;
    tried.push_back(dir.string() + " (" + why + ")");
  }
  // A developer build: only a binary inside its own build tree may use the source tree it was built from.
  if (!exe.empty() && IsInside(exe, RISKRADAR_DEV_BUILD_DIR)) {
    const fs::path source = RISKRADAR_DEV_SOURCE_DIR;
    const std::string why = Rejection(source);
    if (why.empty()) return source;
    tried.push_back(source.string() + " (source tree of this build: " + why + ")");
  }
  std::string message =
      "no riskradar data directory (config/ and data/reference/) found; tried --data-dir (not "
      "given), RISKRADAR_DATA_DIR (not set)";
  for (const std::string& t : tried) message += ", " + t;
  return Status::NotFound(message + ". Pass --data-dir DIR or set RISKRADAR_DATA_DIR.");
}

}  // namespace

void SetDataDirOverride(fs::path dir) {
  DataDirState& state = State();
  std::lock_guard lock(state.mutex);
  state.override_dir = std::move(dir);
  state.resolved.reset();
}

Result<fs::path> DataDir() {
  DataDirState& state = State();
  std::lock_guard lock(state.mutex);
  if (state.resolved) return *state.resolved;
  Result<fs::path> found = Lookup(state.override_dir);
  if (found.ok()) state.resolved = *found;  // failures are not cached: the caller may fix and retry
  return found;
}

fs::path DataPath(std::string_view relative) {
  Result<fs::path> dir = DataDir();
  return dir.ok() ? *dir / relative : fs::path(relative);
}

}  // namespace riskradar

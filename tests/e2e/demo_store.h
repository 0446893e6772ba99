// End-to-end helpers shared by the suites that run the `riskradar` binary: running a command, and one small
// demo store (`demo --scale 0.1 --seed 7` then `demo-users`) built once per process for the suites that only
// read it (explain child, explain person, explain place).
#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace riskradar::e2e {

struct CommandRun {
  int exit_code = -1;
  std::string output;
};

// stdout, and stderr too unless with_stderr is false (for output parsed as JSON).
inline CommandRun RunCommand(const std::string& command, bool with_stderr = true) {
  CommandRun run;
  FILE* pipe = popen((command + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.output.append(buf.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline std::string Cli(const std::string& args) { return std::string(RISKRADAR_BINARY) + " " + args; }

// The shared read-only demo store; removed when the process ends.
class DemoStore {
 public:
  static const DemoStore& Get() {
    static const DemoStore store;
    return store;
  }
  DemoStore(const DemoStore&) = delete;
  DemoStore& operator=(const DemoStore&) = delete;
  ~DemoStore() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string Db() const { return "--db " + (dir / "riskradar.db").string(); }

  std::filesystem::path dir;
  CommandRun demo;   // `riskradar demo` output
  CommandRun users;  // `riskradar demo-users` output (accounts, care relationships)

 private:
  DemoStore() : dir(std::filesystem::temp_directory_path() / ("rr-e2e-store-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    demo = RunCommand(Cli("demo --scale 0.1 --seed 7 --dir " + dir.string()));
    users = RunCommand(Cli("demo-users " + Db()));
  }
};

}  // namespace riskradar::e2e

// End-to-end helpers shared by the suites that run the `riskradar` binary: running a command, and the demo stores
// they start from, made once per ctest run (tests/e2e/make_fixture.sh) and copied for each test process.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>

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

inline std::string ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A `riskradar serve` started by a test: `/bin/sh -c "exec COMMAND"` with its output in `log`, listening on a port
// the kernel chose (the command says `--listen 127.0.0.1:0`), read from its banner. A fixed port could be taken by
// another test of the same ctest run. Waits up to a minute for the banner on a loaded machine; port stays 0 if the
// server exited or never said where it listens (the log says why: Log()).
class ServedProcess {
 public:
  ServedProcess(const std::string& command, std::filesystem::path log) : log_(std::move(log)) {
    const std::string shell = "exec " + command, log_path = log_.string();
    pid_ = ::fork();
    if (pid_ == 0) {  // only async-signal-safe calls until exec
      const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl("/bin/sh", "sh", "-c", shell.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const std::regex serving(R"(on https?://127\.0\.0\.1:([0-9]+))");
    for (int i = 0; i < 600 && port_ == 0 && pid_ > 0; ++i) {
      std::smatch m;
      const std::string text = Log();
      if (std::regex_search(text, m, serving)) {
        port_ = std::stoi(m[1].str());
      } else if (int status = 0; ::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;  // exited before it served
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
  ServedProcess(const ServedProcess&) = delete;
  ServedProcess& operator=(const ServedProcess&) = delete;
  ~ServedProcess() { Stop(); }

  int port() const { return port_; }
  std::string Log() const { return ReadWhole(log_); }

  // SIGTERM, then up to 60 s for the process to exit; a server that does not stop is killed. True if it exited
  // of its own accord (or was never running).
  bool Stop() {
    if (pid_ <= 0) return true;
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool exited = false;
    for (int i = 0; i < 600 && !exited; ++i) {
      exited = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!exited) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = 0;
    return exited;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// A demo store a suite starts from, as a private copy of the one tests/e2e/make_fixture.sh made for this ctest run
// (the e2e.fixture.NAME tests, into the build's e2e-fixtures directory; $RISKRADAR_E2E_FIXTURES names another).
// Without a finished fixture there (a test binary run by hand before ctest ran), the binary makes its own with
// the same script. A fixture stays until ctest makes it again: after changing the demo, run the fixture tests. The
// copy's outputs name the copy's directory, as if the demo had run there.
struct PreparedDemo {
  std::filesystem::path dir;     // the copy: riskradar.db, its keys, the reports
  std::filesystem::path origin;  // where the demo ran (the store names the extracts it ingested there)
  CommandRun demo;               // `riskradar demo` output and exit code
  CommandRun users;              // `riskradar demo-users` output (fixtures with accounts only)
};

inline std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); !from.empty() && at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Copies fixture `name` into `dest` (removed first) and returns it.
inline PreparedDemo CopyFixture(const std::string& name, const std::filesystem::path& dest) {
  namespace fs = std::filesystem;
  fs::path root;
  if (const char* env = std::getenv("RISKRADAR_E2E_FIXTURES"); env && *env) {
    root = env;
  } else {
    root = RISKRADAR_E2E_FIXTURES;  // the build's e2e-fixtures directory (tests/CMakeLists.txt)
  }
  if (root.empty() || !fs::exists(root / name / "ready")) {
    static const fs::path own = fs::temp_directory_path() / ("rr-e2e-fixtures-" + std::to_string(::getpid()));
    static const struct Cleanup {
      ~Cleanup() {
        std::error_code ec;
        fs::remove_all(own, ec);
      }
    } cleanup;
    root = own;
    if (!fs::exists(root / name / "ready")) {
      RunCommand(std::string(RISKRADAR_SOURCE_DIR) + "/tests/e2e/make_fixture.sh " + RISKRADAR_BINARY + " " +
                 root.string() + " " + name);
    }
  }
  PreparedDemo prepared;
  prepared.dir = dest;
  std::error_code ec;
  fs::remove_all(dest, ec);
  const fs::path fixture = root / name;
  prepared.origin = fixture / "store";
  if (!fs::exists(fixture / "ready")) {
    prepared.demo.output = "fixture " + name + " was not made in " + root.string();
    return prepared;
  }
  fs::copy(fixture / "store", dest, fs::copy_options::recursive);
  const std::string from = (fixture / "store").string();
  prepared.demo.exit_code = std::stoi(ReadWhole(fixture / "demo.rc"));
  prepared.demo.output = ReplaceAll(ReadWhole(fixture / "demo.out"), from, dest.string());
  if (fs::exists(fixture / "users.rc")) {
    prepared.users.exit_code = std::stoi(ReadWhole(fixture / "users.rc"));
    prepared.users.output = ReplaceAll(ReadWhole(fixture / "users.out"), from, dest.string());
  }
  return prepared;
}

// The small demo store (`demo --scale 0.1 --seed 7` then `demo-users`) shared by the suites of one process that
// only read it (explain child, explain person, explain place); removed when the process ends.
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
  DemoStore() {
    PreparedDemo prepared =
        CopyFixture("s7", std::filesystem::temp_directory_path() / ("rr-e2e-store-" + std::to_string(::getpid())));
    dir = prepared.dir;
    demo = std::move(prepared.demo);
    users = std::move(prepared.users);
  }
};

}  // namespace riskradar::e2e

// Small helpers shared by the CLI's command files (see cli_support.h).
#include "cli_support.h"

#include <chrono>
#include <cstdlib>

namespace riskradar::cli {

std::string DefaultDbPath() {
  const char* env = std::getenv("RISKRADAR_DB");
  return env && *env ? env : "riskradar.db";
}

store::Actor OperatorActor(std::string purpose) {
  const char* sudo = std::getenv("SUDO_USER");
  const char* user = std::getenv("USER");
  std::string name = sudo && *sudo ? sudo : user && *user ? user : "unknown";
  return {"cli:" + name, "", "administrator", std::move(purpose)};
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace riskradar::cli

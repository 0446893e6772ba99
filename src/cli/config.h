// The one configuration file every command reads (docs/operator-guide.md "Configuration").
//
// Where it is: --config FILE, else $RISKRADAR_CONFIG, else /etc/riskradar/riskradar.toml when that exists (a
// missing default is no error; a missing file named by --config or $RISKRADAR_CONFIG is). Each setting is
// resolved, first match wins: the command-line flag, the environment variable (where there is one), the file,
// the built-in default. Parsing is strict: an unknown key or a value of the wrong type stops the command with
// the file, line and key named.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "riskradar/core/status.h"

namespace riskradar::cli {

struct FileConfig {
  std::string source;  // the file read ("" when none)
  // Top level.
  std::string store;     // SQLite path or "sqlite:PATH"
  std::string data_dir;  // config/ and data/reference/
  std::string actor;     // who the command line acts as (audited)
  // [keys]
  std::string audit_key, totp_key, audit_witness, audit_public_key;
  // [server]
  std::string listen, tls_cert, tls_key, web, metrics_listen;
  std::optional<int64_t> workers;
  std::vector<std::string> ig_partnership_agencies;
  // [log]
  std::string log_destination;  // "stderr" (journald) or a file path
};

// Parses `text` (read from `source`, for messages). InvalidArgument naming source:line and the key.
Result<FileConfig> ParseConfig(const std::string& text, const std::string& source);
// Reads and parses the file at `path`. NotFound when it does not exist.
Result<FileConfig> LoadConfigFile(const std::filesystem::path& path);

// The default file (/etc/riskradar/riskradar.toml).
inline constexpr const char* kDefaultConfigPath = "/etc/riskradar/riskradar.toml";

// Finds the file as described above: `--config` from argv (scanned before the command line is parsed, so
// that every command's defaults come from it), else $RISKRADAR_CONFIG, else the default when it exists.
Result<FileConfig> LoadConfigForArgs(int argc, char** argv);

}  // namespace riskradar::cli

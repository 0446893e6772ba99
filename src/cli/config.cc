// The configuration file (see config.h): strict TOML reading with toml++.
#include "config.h"
#include "riskradar/core/toml_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <toml++/toml.h>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace riskradar::cli {
namespace {

class ConfigParser {
 public:
  explicit ConfigParser(std::string source) : source_(std::move(source)) {}

  Result<FileConfig> Parse(const std::string& text) {
    RR_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, source_));
    FileConfig c;
    c.source = source_;
    RR_RETURN_IF_ERROR(Table(root, "",
                             {{"store", Str(c.store)},
                              {"data_dir", Str(c.data_dir)},
                              {"actor", Str(c.actor)},
                              {"keys", Sub([&](const toml::table& t) {
                                 return Table(t, "keys",
                                              {{"audit", Str(c.audit_key)},
                                               {"totp", Str(c.totp_key)},
                                               {"audit_witness", Str(c.audit_witness)},
                                               {"audit_public", Str(c.audit_public_key)}});
                               })},
                              {"server", Sub([&](const toml::table& t) {
                                 return Table(t, "server",
                                              {{"listen", Str(c.listen)},
                                               {"tls_cert", Str(c.tls_cert)},
                                               {"tls_key", Str(c.tls_key)},
                                               {"web", Str(c.web)},
                                               {"metrics_listen", Str(c.metrics_listen)},
                                               {"workers", Int(c.workers)},
                                               {"ig_partnership_agencies", Strs(c.ig_partnership_agencies)}});
                               })},
                              {"log", Sub([&](const toml::table& t) {
                                 return Table(t, "log", {{"destination", Str(c.log_destination)}});
                               })}}));
    if (c.actor == "unknown") {
      return Status::InvalidArgument(
          fmt::format("{}: actor: \"unknown\" names nobody; give the operator's name", source_));
    }
    return c;
  }

 private:
  using Reader = std::function<Status(const toml::node&, const std::string& key)>;

  Status Error(const toml::node& node, const std::string& key, std::string_view why) const {
    std::string location = source_;
    if (node.source().begin.line > 0) location += fmt::format(":{}", node.source().begin.line);
    return Status::InvalidArgument(fmt::format("{}: {}: {}", location, key, why));
  }

  Reader Str(std::string& out) const {
    return [this, &out](const toml::node& node, const std::string& key) -> Status {
      if (!node.is_string()) return Error(node, key, "must be a string");
      out = node.as_string()->get();
      if (out.empty()) return Error(node, key, "must not be empty (leave the key out for the default)");
      return Status::Ok();
    };
  }
  Reader Int(std::optional<int64_t>& out) const {
    return [this, &out](const toml::node& node, const std::string& key) -> Status {
      if (!node.is_integer()) return Error(node, key, "must be an integer");
      out = node.as_integer()->get();
      if (*out < 1) return Error(node, key, "must be at least 1");
      return Status::Ok();
    };
  }
  Reader Strs(std::vector<std::string>& out) const {
    return [this, &out](const toml::node& node, const std::string& key) -> Status {
      if (!node.is_array()) return Error(node, key, "must be an array of strings");
      for (const toml::node& item : *node.as_array()) {
        if (!item.is_string()) return Error(item, key, "must be an array of strings");
        out.push_back(item.as_string()->get());
      }
      return Status::Ok();
    };
  }
  Reader Sub(std::function<Status(const toml::table&)> parse) const {
    return [this, parse](const toml::node& node, const std::string& key) -> Status {
      if (!node.is_table()) return Error(node, key, "must be a table ([" + key + "])");
      return parse(*node.as_table());
    };
  }

  Status Table(const toml::table& table, const std::string& where,
               const std::vector<std::pair<std::string, Reader>>& keys) const {
    for (const auto& [key, node] : table) {
      const std::string name = where.empty() ? std::string(key.str()) : where + "." + std::string(key.str());
      auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.first == key.str(); });
      if (it == keys.end()) {
        std::vector<std::string> allowed;
        for (const auto& k : keys) allowed.push_back(k.first);
        return Error(node, name, fmt::format("unknown key (expected one of: {})", fmt::join(allowed, ", ")));
      }
      RR_RETURN_IF_ERROR(it->second(node, name));
    }
    return Status::Ok();
  }

  std::string source_;
};

}  // namespace

Result<FileConfig> ParseConfig(const std::string& text, const std::string& source) {
  return ConfigParser(source).Parse(text);
}

Result<FileConfig> LoadConfigFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      return Status::NotFound("configuration file " + path.string() + " not found");
    return Status::IoError("cannot read configuration file " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path.string());
}

Result<FileConfig> LoadConfigForArgs(int argc, char** argv) {
  std::string named;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--config") {
      if (i + 1 >= argc) return Status::InvalidArgument("--config needs a FILE");
      named = argv[i + 1];
    } else if (arg.rfind("--config=", 0) == 0) {
      named = std::string(arg.substr(9));
    }
  }
  if (named.empty()) {
    const char* env = std::getenv("RISKRADAR_CONFIG");
    if (env && *env) named = env;
  }
  if (!named.empty()) {
    auto c = LoadConfigFile(named);
    if (!c.ok() && c.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("configuration file " + named + " (from --config or $RISKRADAR_CONFIG) not found");
    }
    return c;
  }
  auto c = LoadConfigFile(kDefaultConfigPath);
  if (!c.ok() && c.status().code() == StatusCode::kNotFound) return FileConfig{};
  return c;
}

}  // namespace riskradar::cli

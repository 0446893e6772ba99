// Tests for riskradar synth: determinism, extract/manifest/truth consistency,
// identifier validity, population proportions, and that every extract conforms to its mapping file.
#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../../src/synth/text.h"
#include "riskradar/core/date.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/synth/synth.h"

namespace riskradar::synth {
namespace synth_test {

namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("riskradar_synth_test_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  return dir;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Lines listed in truth/defects.csv are broken on purpose (ingest must quarantine them): skipped here, and
// checked to be broken.
std::vector<Json> ReadJsonLines(const fs::path& path, const std::set<int>& defects = {}) {
  std::vector<Json> rows;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (defects.count(number)) {
      EXPECT_TRUE(Json::parse(line, nullptr, false).is_discarded()) << path << ":" << number << " should be broken";
      continue;
    }
    if (!line.empty()) rows.push_back(Json::parse(line));
  }
  return rows;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// A dotted path into a JSON object; empty when absent or null.
std::string JsonPath(const Json& row, const std::string& path) {
  const Json* node = &row;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key)) return "";
    node = &(*node)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_null()) return "";
  if (node->is_string()) return node->get<std::string>();
  return node->dump();
}

void LeafPaths(const Json& node, const std::string& prefix, std::set<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      LeafPaths(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    }
  } else {
    out.insert(prefix);
  }
}

// One loaded extract: its rows as column -> value, for CSV and JSON Lines alike.
struct Extract {
  std::string agency;
  fs::path file;
  std::string mapping;
  std::vector<std::string> header;  // CSV only
  std::vector<std::map<std::string, std::string>> rows;
  std::set<std::string> json_paths;  // every leaf path seen (JSON Lines)
};

struct Generated {
  fs::path dir;
  Json manifest;
  std::vector<Extract> extracts;
};

Generated Load(const fs::path& dir, const std::map<std::string, toml::table>& mappings) {
  Generated g;
  g.dir = dir;
  g.manifest = Json::parse(ReadAll(dir / "manifest.json"));
  std::map<std::string, std::set<int>> defects;  // file (as in the manifest) -> line numbers
  if (auto table = ReadCsv(dir / "truth" / "defects.csv"); table.ok()) {
    for (const auto& row : table->rows) defects[row.at(0)].insert(std::stoi(row.at(1)));
  } else {
    ADD_FAILURE() << "truth/defects.csv: " << table.status().ToString();
  }
  for (const Json& agency : g.manifest["agencies"]) {
    for (const Json& entry : agency["extracts"]) {
      Extract e;
      e.agency = agency["code"].get<std::string>();
      const std::string file = entry["file"].get<std::string>();
      e.file = dir / file;
      e.mapping = entry["mapping"].get<std::string>();
      const toml::table& mapping = mappings.at(e.mapping);
      std::set<std::string> columns;
      // Collect every column the mapping reads.
      for (const char* section : {"event", "subject", "associate", "place"}) {
        const toml::table* table = mapping[section].as_table();
        if (table == nullptr) continue;
        for (auto&& [key, field] : *table) {
          if (auto column = field.as_table() ? (*field.as_table())["column"].value<std::string>() : std::nullopt) {
            columns.insert(*column);
          }
        }
      }
      if (mapping["file_type"].value_or(std::string()) == "csv") {
        auto table = ReadCsv(e.file);
        EXPECT_TRUE(table.ok()) << e.file;
        if (!table.ok()) continue;
        e.header = table->header;
        int line = 1;  // the header; no generated field spans lines
        for (const auto& raw : table->rows) {
          if (defects[file].count(++line)) continue;
          std::map<std::string, std::string> row;
          for (size_t i = 0; i < e.header.size() && i < raw.size(); ++i) row[e.header[i]] = raw[i];
          EXPECT_EQ(raw.size(), e.header.size()) << e.file;
          e.rows.push_back(std::move(row));
        }
      } else {
        const std::string local_id = mapping["local_id"].value_or(std::string());
        columns.insert(local_id);
        for (const Json& json : ReadJsonLines(e.file, defects[file])) {
          LeafPaths(json, "", e.json_paths);
          std::map<std::string, std::string> row;
          for (const std::string& column : columns) row[column] = JsonPath(json, column);
          e.rows.push_back(std::move(row));
        }
      }
      g.extracts.push_back(std::move(e));
    }
  }
  return g;
}

std::map<std::string, toml::table> LoadMappings() {
  std::map<std::string, toml::table> mappings;
  for (const auto& entry : fs::directory_iterator(fs::path(RISKRADAR_SOURCE_DIR) / "config" / "mappings")) {
    if (entry.path().extension() != ".toml") continue;
    try {
      mappings[entry.path().filename().string()] = toml::parse_file(entry.path().string());
    } catch (const toml::parse_error& error) {
      ADD_FAILURE() << entry.path() << ": " << error.description();
    }
  }
  return mappings;
}

void CheckConformance(const Generated& generated, const std::map<std::string, toml::table>& mappings);

class SynthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mappings_ = new std::map<std::string, toml::table>(LoadMappings());
    small_dir_ = new fs::path(TempDir("small"));
    SynthOptions options;
    options.scale = 0.05;
    auto summary = GenerateSynthetic(options, *small_dir_);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    small_summary_ = new SynthSummary(*summary);
    small_ = new Generated(Load(*small_dir_, *mappings_));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*small_dir_);
    delete small_;
    delete small_summary_;
    delete small_dir_;
    delete mappings_;
  }
  static std::map<std::string, toml::table>* mappings_;
  static fs::path* small_dir_;
  static SynthSummary* small_summary_;
  static Generated* small_;
};
std::map<std::string, toml::table>* SynthTest::mappings_ = nullptr;
fs::path* SynthTest::small_dir_ = nullptr;
SynthSummary* SynthTest::small_summary_ = nullptr;
Generated* SynthTest::small_ = nullptr;

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir));
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_F(SynthTest, SameSeedGivesIdenticalFilesAndOtherSeedDiffers) {
  const fs::path again = TempDir("again"), other = TempDir("other");
  SynthOptions options;
  options.scale = 0.05;
  ASSERT_TRUE(GenerateSynthetic(options, again).ok());
  options.seed = 7;
  ASSERT_TRUE(GenerateSynthetic(options, other).ok());
  const auto files = FilesUnder(*small_dir_);
  ASSERT_EQ(files, FilesUnder(again));
  bool any_difference = false;
  for (const fs::path& file : files) {
    EXPECT_EQ(ReadAll(*small_dir_ / file), ReadAll(again / file)) << file;
    if (file.filename() != "README.md" && ReadAll(*small_dir_ / file) != ReadAll(other / file)) any_difference = true;
  }
  EXPECT_TRUE(any_difference);
  fs::remove_all(again);
  fs::remove_all(other);
}

TEST_F(SynthTest, RejectsBadOptions) {
  SynthOptions options;
  options.scale = 0;
  EXPECT_FALSE(GenerateSynthetic(options, TempDir("bad")).ok());
  options.scale = 0.05;
  options.data_dir = "/nonexistent/reference";
  auto result = GenerateSynthetic(options, TempDir("bad"));
  EXPECT_FALSE(result.ok());
  fs::remove_all(TempDir("bad"));
}

TEST_F(SynthTest, ManifestListsExistingFilesAndKnownMappings) {
  const Json& manifest = small_->manifest;
  EXPECT_EQ(manifest["partnership"], "West Midlands (synthetic)");
  EXPECT_EQ(manifest["period"]["start"], "2025-01-01");
  EXPECT_EQ(manifest["period"]["end"], "2025-12-31");
  EXPECT_EQ(manifest["seed"], 42);
  std::set<std::string> kinds, council_areas;
  size_t files = 0;
  for (const Json& agency : manifest["agencies"]) {
    kinds.insert(agency["kind"].get<std::string>());
    if (agency["kind"] == "council") council_areas.insert(agency["area"].get<std::string>());
    for (const Json& extract : agency["extracts"]) {
      ++files;
      EXPECT_TRUE(fs::exists(*small_dir_ / extract["file"].get<std::string>())) << extract["file"];
      EXPECT_EQ(extract["file"].get<std::string>().rfind("extracts/" + agency["code"].get<std::string>() + "/", 0), 0u);
      EXPECT_TRUE(mappings_->count(extract["mapping"].get<std::string>())) << extract["mapping"];
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"council", "education", "nhs", "police"}));
  EXPECT_EQ(council_areas.size(), 7u);
  EXPECT_EQ(files, small_summary_->files);
}

TEST_F(SynthTest, IdentifiersAreValid) {
  size_t nhs_checked = 0, upn_checked = 0;
  for (const Extract& e : small_->extracts) {
    const toml::table& mapping = mappings_->at(e.mapping);
    const auto nhs_column = mapping["subject"]["nhs_number"]["column"].value<std::string>();
    const auto upn_column = mapping["subject"]["upn"]["column"].value<std::string>();
    const bool health = e.mapping.rfind("nhs-", 0) == 0;
    for (const auto& row : e.rows) {
      if (nhs_column) {
        const std::string& nhs = row.at(*nhs_column);
        if (health) {
          EXPECT_FALSE(nhs.empty()) << e.file;
        }
        if (!nhs.empty()) {
          auto normalised = NormaliseNhsNumber(nhs);
          ASSERT_TRUE(normalised.ok()) << nhs;
          EXPECT_TRUE(IsValidNhsNumber(*normalised)) << nhs;
          ++nhs_checked;
        }
      }
      if (upn_column) {
        EXPECT_TRUE(NormaliseUpn(row.at(*upn_column)).ok()) << row.at(*upn_column);
        ++upn_checked;
      }
    }
  }
  EXPECT_GT(nhs_checked, 100u);
  EXPECT_GT(upn_checked, 50u);
}

TEST_F(SynthTest, LocalIdsAreUniquePerAgencyAndTruthMentionsReferToRows) {
  std::map<std::string, std::set<std::string>> ids;
  size_t rows = 0;
  for (const Extract& e : small_->extracts) {
    const std::string local_id = mappings_->at(e.mapping)["local_id"].value_or(std::string());
    for (const auto& row : e.rows) {
      const std::string& id = row.at(local_id);
      EXPECT_FALSE(id.empty());
      EXPECT_TRUE(ids[e.agency].insert(id).second) << e.agency << " duplicate " << id;
      ++rows;
    }
  }
  // Every written row is either a row with its truth or a deliberate defect listed in truth/defects.csv.
  auto defects = ReadCsv(*small_dir_ / "truth" / "defects.csv");
  ASSERT_TRUE(defects.ok());
  EXPECT_GE(defects->rows.size(), 1u);
  EXPECT_LE(defects->rows.size() * 100, rows);  // few: at most 1%
  EXPECT_EQ(rows + defects->rows.size(), small_summary_->records);
  auto people = ReadCsv(*small_dir_ / "truth" / "people.csv");
  ASSERT_TRUE(people.ok());
  std::set<std::string> person_keys;
  for (const auto& row : people->rows) person_keys.insert(row[0]);
  auto mentions = ReadCsv(*small_dir_ / "truth" / "mentions.csv");
  ASSERT_TRUE(mentions.ok());
  std::set<std::string> subjects;
  for (const auto& row : mentions->rows) {
    ASSERT_EQ(row.size(), 4u);
    EXPECT_TRUE(ids[row[0]].count(row[1])) << row[0] << " " << row[1];
    EXPECT_TRUE(row[2] == "subject" || row[2] == "associate");
    EXPECT_TRUE(person_keys.count(row[3])) << row[3];
    if (row[2] == "subject") subjects.insert(row[0] + "|" + row[1]);
  }
  EXPECT_EQ(subjects.size(), rows);  // every row has exactly one true subject
  auto places = ReadCsv(*small_dir_ / "truth" / "places.csv");
  ASSERT_TRUE(places.ok());
  std::set<std::string> place_keys;
  for (const auto& row : places->rows) place_keys.insert(row[0]);
  auto place_mentions = ReadCsv(*small_dir_ / "truth" / "place_mentions.csv");
  ASSERT_TRUE(place_mentions.ok());
  EXPECT_FALSE(place_mentions->rows.empty());
  for (const auto& row : place_mentions->rows) {
    EXPECT_TRUE(ids[row[0]].count(row[1])) << row[1];
    EXPECT_TRUE(place_keys.count(row[2])) << row[2];
  }
  EXPECT_TRUE(fs::exists(*small_dir_ / "truth" / "README.md"));
  EXPECT_TRUE(fs::exists(*small_dir_ / "truth" / "networks.csv"));
  EXPECT_TRUE(fs::exists(*small_dir_ / "truth" / "network_places.csv"));
}

// truth/events.csv: one row per extract row; rows sharing an event key are one missing episode recorded by the
// police and by children's services, at most two days apart (what event linkage is scored against).
TEST_F(SynthTest, EventTruthHasEveryRowAndSharedKeysAreOneEpisodeByTwoAgencies) {
  std::map<std::string, std::map<std::string, std::map<std::string, std::string>>> row_of;  // agency, id -> row
  size_t rows = 0;
  for (const Extract& e : small_->extracts) {
    const std::string local_id = mappings_->at(e.mapping)["local_id"].value_or(std::string());
    for (const auto& row : e.rows) {
      row_of[e.agency][row.at(local_id)] = row;
      ++rows;
    }
  }
  auto events = ReadCsv(*small_dir_ / "truth" / "events.csv");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->header, (std::vector<std::string>{"agency", "local_id", "event_key"}));
  EXPECT_EQ(events->rows.size(), rows) << "one truth row per written row";
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_key;
  for (const auto& row : events->rows) {
    ASSERT_EQ(row.size(), 3u);
    EXPECT_TRUE(row_of[row[0]].count(row[1])) << row[0] << " " << row[1];
    by_key[row[2]].emplace_back(row[0], row[1]);
  }
  size_t shared = 0;
  for (const auto& [key, records] : by_key) {
    ASSERT_LE(records.size(), 2u) << key;
    if (records.size() < 2) continue;
    ++shared;
    EXPECT_NE(records[0].first, records[1].first) << key << ": two agencies";
    const bool police = records[0].first == "wmp" || records[1].first == "wmp";
    EXPECT_TRUE(police) << key << ": " << records[0].first << " and " << records[1].first;
  }
  EXPECT_GT(shared, 10u) << "many episodes are recorded twice";
}

// Only keys the mapping-file format documents (docs/mapping-files.md).
TEST_F(SynthTest, MappingFilesUseOnlyDocumentedKeys) {
  const std::set<std::string> top = {"format",       "description",  "file_type", "encoding", "delimiter",
                                     "record_class", "lawful_basis", "local_id",  "ignore",   "event",
                                     "subject",      "associate",    "place"};
  const std::set<std::string> field_keys = {"column", "value", "format", "map", "default", "required", "max_length"};
  const std::map<std::string, std::set<std::string>> section_fields = {
      {"event", {"kind", "category", "date", "detail", "time"}},
      {"subject",
       {"role", "local_person_id", "forename", "surname", "dob", "sex", "postcode", "nhs_number", "upn", "ethnicity"}},
      {"associate",
       {"role", "local_person_id", "forename", "surname", "dob", "sex", "postcode", "nhs_number", "upn", "ethnicity"}},
      {"place", {"name", "type", "postcode"}}};
  EXPECT_GE(mappings_->size(), 8u);
  for (const auto& [name, mapping] : *mappings_) {
    for (auto&& [key, node] : mapping) {
      EXPECT_TRUE(top.count(std::string(key.str()))) << name << ": " << key.str();
      auto section = section_fields.find(std::string(key.str()));
      if (section == section_fields.end()) continue;
      ASSERT_TRUE(node.is_table()) << name;
      for (auto&& [field, spec] : *node.as_table()) {
        EXPECT_TRUE(section->second.count(std::string(field.str()))) << name << ": " << key.str() << "." << field.str();
        ASSERT_TRUE(spec.is_table()) << name << ": " << field.str();
        for (auto&& [attribute, value] : *spec.as_table()) {
          EXPECT_TRUE(field_keys.count(std::string(attribute.str())))
              << name << ": " << field.str() << "." << attribute.str();
        }
      }
    }
    EXPECT_TRUE(mapping["local_id"].is_string()) << name;
    EXPECT_TRUE(mapping["subject"].is_table()) << name;
    EXPECT_TRUE(mapping["record_class"].is_string()) << name;
    EXPECT_TRUE(mapping["lawful_basis"].is_string()) << name;
  }
}

// A small conformance check of each extract against its mapping: every CSV column is
// used or ignored, every coded value is in its map, dates parse, required fields are present.
void CheckConformance(const Generated& generated, const std::map<std::string, toml::table>& mappings) {
  static const std::set<std::string> kKinds = {
      "missing_episode", "referral", "health_attendance", "police_incident", "intelligence", "school_exclusion",
      "school_absence",  "sighting", "disruption",        "arrest",          "charge"};
  for (const Extract& e : generated.extracts) {
    const toml::table& mapping = mappings.at(e.mapping);
    std::set<std::string> used, ignored;
    used.insert(mapping["local_id"].value_or(std::string()));
    if (const toml::array* ignore = mapping["ignore"].as_array()) {
      for (auto&& item : *ignore) ignored.insert(item.value_or(std::string()));
    }
    struct Field {
      std::string section, name, column;
      const toml::table* spec;
    };
    std::vector<Field> fields;
    for (const char* section : {"event", "subject", "associate", "place"}) {
      const toml::table* table = mapping[section].as_table();
      if (table == nullptr) continue;
      for (auto&& [key, node] : *table) {
        const toml::table* spec = node.as_table();
        auto column = (*spec)["column"].value<std::string>();
        if (column) used.insert(*column);
        fields.push_back({section, std::string(key.str()), column.value_or(""), spec});
      }
    }
    if (!e.header.empty()) {
      for (const std::string& column : e.header) {
        EXPECT_TRUE(used.count(column) || ignored.count(column))
            << e.mapping << ": column '" << column << "' not covered";
      }
      for (const std::string& column : used) {
        EXPECT_NE(std::find(e.header.begin(), e.header.end(), column), e.header.end())
            << e.mapping << ": no column " << column;
      }
    } else {
      for (const std::string& path : e.json_paths) {
        EXPECT_TRUE(used.count(path) || ignored.count(path)) << e.mapping << ": path '" << path << "' not covered";
      }
      for (const std::string& path : used) {
        EXPECT_TRUE(e.json_paths.count(path)) << e.mapping << ": path " << path << " never present";
      }
    }
    for (const Field& field : fields) {
      std::map<std::string, std::string> map;
      if (const toml::table* m = (*field.spec)["map"].as_table()) {
        for (auto&& [source, target] : *m) map[Lower(std::string(source.str()))] = target.value_or(std::string());
      }
      const auto format = (*field.spec)["format"].value<std::string>();
      const bool required = (*field.spec)["required"].value_or(false);
      if (field.section == "event" && field.name == "kind") {
        for (const auto& [source, target] : map) EXPECT_TRUE(kKinds.count(target)) << e.mapping << ": " << target;
        if (auto value = (*field.spec)["value"].value<std::string>()) {
          EXPECT_TRUE(kKinds.count(*value));
        }
      }
      if (field.column.empty()) continue;
      for (const auto& row : e.rows) {
        const std::string value = Trim(row.at(field.column));
        if (required) {
          EXPECT_FALSE(value.empty()) << e.mapping << ": " << field.column << " required";
        }
        if (value.empty()) continue;
        // A field with a default takes every value it does not map (e.g. ethnicity's "not stated" codes).
        if (!map.empty() && !(*field.spec)["default"]) {
          EXPECT_TRUE(map.count(Lower(value)))
              << e.mapping << ": " << field.column << " value '" << value << "' unmapped";
        }
        if (format) {
          EXPECT_TRUE(Date::Parse(value, *format).ok()) << e.mapping << ": " << value << " vs " << *format;
        }
        if (field.name == "postcode") {
          EXPECT_TRUE(NormalisePostcode(value).ok()) << value;
        }
      }
    }
  }
}

TEST_F(SynthTest, ExtractsConformToTheirMappings) { CheckConformance(*small_, *mappings_); }

TEST_F(SynthTest, PlaceNamesAreFictional) {
  static const char* const kBrands[] = {
      "premier inn",  "travelodge", "holiday inn",     "hilton",   "ibis",      "marriott",    "radisson", "novotel",
      "best western", "tesco",      "sainsbury",       "asda",     "morrisons", "aldi",        "lidl",     "co-op",
      "spar",         "iceland",    "waitrose",        "mcdonald", "kfc",       "burger king", "subway",   "domino",
      "greggs",       "nando",      "pizza hut",       "costa",    "starbucks", "uber",        "bullring", "merry hill",
      "touchwood",    "mailbox",    "chicken cottage", "dixy"};
  auto places = ReadCsv(*small_dir_ / "truth" / "places.csv");
  ASSERT_TRUE(places.ok());
  for (const auto& row : places->rows) {
    const std::string name = Lower(row[1]);
    for (const char* brand : kBrands) EXPECT_EQ(name.find(brand), std::string::npos) << row[1];
  }
}

TEST_F(SynthTest, CountsScaleLinearly) {
  const fs::path dir = TempDir("double");
  SynthOptions options;
  options.scale = 0.1;
  auto doubled = GenerateSynthetic(options, dir);
  ASSERT_TRUE(doubled.ok());
  const double people_ratio = static_cast<double>(doubled->people) / small_summary_->people;
  const double records_ratio = static_cast<double>(doubled->records) / small_summary_->records;
  EXPECT_NEAR(people_ratio, 2.0, 0.1);
  EXPECT_NEAR(records_ratio, 2.0, 0.25);
  fs::remove_all(dir);
}

// The regional picture at scale 1 (generation takes well under a second).
TEST(SynthScaleOne, ProportionsMatchTheRegionalPicture) {
  const fs::path dir = TempDir("scale1");
  SynthOptions options;
  auto summary = GenerateSynthetic(options, dir);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GE(summary->children, 12000u);
  EXPECT_LE(summary->children, 15000u);
  EXPECT_GE(summary->adults, 6000u);
  EXPECT_LE(summary->adults, 8000u);
  EXPECT_GE(summary->records, 50000u);
  EXPECT_LE(summary->records, 70000u);
  EXPECT_GE(summary->offenders, 360u);
  EXPECT_LE(summary->offenders, 380u);
  EXPECT_GE(summary->networks, 35u);
  EXPECT_LE(summary->networks, 45u);
  // 96 planted venues and children's homes, less the homes no offender is seen at (placements are context).
  EXPECT_GE(summary->places_of_concern, 80u);
  EXPECT_LE(summary->places_of_concern, 96u);

  auto people = ReadCsv(dir / "truth" / "people.csv");
  ASSERT_TRUE(people.ok());
  std::map<std::string, int> levels;
  int boys_at_risk = 0, at_risk = 0;
  std::map<std::string, std::map<std::string, int>> origin_by_district;
  for (const auto& row : people->rows) {
    if (row[1] != "child") {
      EXPECT_EQ(row[6], "");
      continue;
    }
    ++levels[row[6]];
    origin_by_district[row[4]][row[5]]++;
    const Date dob = *Date::ParseIso(row[3]);
    const int age = Date::AgeOn(dob, *Date::FromYmd(2025, 12, 31));
    EXPECT_GE(age, 10);
    EXPECT_LE(age, 17);
    if (row[6] != "none") {
      ++at_risk;
      if (row[2] == "male") ++boys_at_risk;
    }
  }
  EXPECT_GE(at_risk, 720);
  EXPECT_LE(at_risk, 760);
  EXPECT_NEAR(levels["serious"] / static_cast<double>(at_risk), 0.12, 0.03);
  EXPECT_NEAR(levels["significant"] / static_cast<double>(at_risk), 0.28, 0.04);
  EXPECT_NEAR(levels["at_risk"] / static_cast<double>(at_risk), 0.60, 0.05);
  EXPECT_NEAR(boys_at_risk / static_cast<double>(at_risk), 0.30, 0.05);
  const auto& birmingham = origin_by_district["Birmingham"];
  int bham_total = 0;
  for (const auto& [origin, n] : birmingham) bham_total += n;
  EXPECT_NEAR(birmingham.at("white_british") / static_cast<double>(bham_total), 0.5, 0.06);

  // Networks: each has 3-15 offenders and victims; no place is used by more than two networks.
  auto networks = ReadCsv(dir / "truth" / "networks.csv");
  ASSERT_TRUE(networks.ok());
  std::map<std::string, int> offenders_per_network;
  for (const auto& row : networks->rows) {
    if (row[2] == "offender") ++offenders_per_network[row[0]];
  }
  for (const auto& [network, n] : offenders_per_network) {
    EXPECT_GE(n, 3) << network;
    EXPECT_LE(n, 15) << network;
  }
  auto network_places = ReadCsv(dir / "truth" / "network_places.csv");
  ASSERT_TRUE(network_places.ok());
  std::map<std::string, int> networks_per_place;
  for (const auto& row : network_places->rows) ++networks_per_place[row[1]];
  int shared = 0;
  for (const auto& [place, n] : networks_per_place) {
    EXPECT_LE(n, 2) << place;
    shared += n > 1 ? 1 : 0;
  }
  EXPECT_LT(shared, static_cast<int>(networks_per_place.size()) / 5);
  // A children's home is of concern when a network uses it (or an offender is seen there with a child); most
  // homes are only where looked-after children live, and are not.
  auto places = ReadCsv(dir / "truth" / "places.csv");
  ASSERT_TRUE(places.ok());
  int homes = 0, homes_of_concern = 0;
  for (const auto& row : places->rows) {
    if (row[2] != "childrens_home") continue;
    ++homes;
    homes_of_concern += row[7] == "1" ? 1 : 0;
    if (networks_per_place.contains(row[0])) {
      EXPECT_EQ(row[7], "1") << row[0];
    }
  }
  EXPECT_GT(homes, 0);
  EXPECT_LT(homes_of_concern, homes);
  // Rare codes (sexual risk orders, permanent exclusions) appear at this size: check them too.
  CheckConformance(Load(dir, LoadMappings()), LoadMappings());
  fs::remove_all(dir);
}

}  // namespace synth_test
}  // namespace riskradar::synth

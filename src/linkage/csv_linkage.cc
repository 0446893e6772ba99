// Linking arbitrary CSV files: settings, validated reading, result files (see csv_linkage.h).
#include "riskradar/linkage/csv_linkage.h"
#include "riskradar/core/toml_text.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_set>

#include "riskradar/core/atomic_file.h"
#include "riskradar/core/date.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/core/text.h"
#include "riskradar/ingest/readers.h"
#include "riskradar/linkage/blocking_plan.h"

namespace riskradar::linkage {
namespace {

// Settings kinds -> engine kinds. The issue's names plus the engine's own.
struct KindInfo {
  const char* name;
  FieldKind kind;
  bool term_frequency;
};
constexpr KindInfo kKinds[] = {
    {"forename", FieldKind::kForename, true},  {"surname", FieldKind::kSurname, true},
    {"full_name", FieldKind::kText, true},     {"date_of_birth", FieldKind::kDateOfBirth, false},
    {"postcode", FieldKind::kPostcode, false}, {"email", FieldKind::kString, true},
    {"town", FieldKind::kText, true},          {"identifier", FieldKind::kIdentifier, false},
    {"sex", FieldKind::kSex, false},           {"text", FieldKind::kText, false},
    {"string", FieldKind::kString, false},
};

std::string KindList() {
  std::string out;
  for (const auto& k : kKinds) out += (out.empty() ? "" : " | ") + std::string(k.name);
  return out;
}

class SettingsLoader {
 public:
  explicit SettingsLoader(std::string source) : source_(std::move(source)) {}

  Status Error(const toml::node* node, std::string_view key, std::string_view why) const {
    std::string where = source_;
    if (node != nullptr && node->source().begin.line > 0) where += ":" + std::to_string(node->source().begin.line);
    return Status::InvalidArgument("settings " + where + ": " + std::string(key) + ": " + std::string(why));
  }

  Status CheckKeys(const toml::table& table, std::string_view where, const std::set<std::string>& allowed) const {
    for (const auto& [key, node] : table) {
      if (!allowed.count(std::string(key.str()))) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Error(&node, std::string(where) + (where.empty() ? "" : ".") + std::string(key.str()),
                     "unknown key (allowed here: " + list + ")");
      }
    }
    return Status::Ok();
  }

  // An optional value of type T; present with another type is an error.
  template <typename T>
  Status Optional(const toml::table& t, std::string_view where, std::string_view key, T& out) const {
    const toml::node* node = t.get(key);
    if (node == nullptr) return Status::Ok();
    if constexpr (std::is_same_v<T, double>) {
      if (auto v = node->value<double>()) {
        out = *v;
        return Status::Ok();
      }
      return Error(node, std::string(where) + std::string(key), "must be a number");
    } else if constexpr (std::is_same_v<T, int64_t>) {
      if (auto v = node->value<int64_t>()) {
        out = *v;
        return Status::Ok();
      }
      return Error(node, std::string(where) + std::string(key), "must be an integer");
    } else if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value<bool>()) {
        out = *v;
        return Status::Ok();
      }
      return Error(node, std::string(where) + std::string(key), "must be true or false");
    } else {
      if (auto v = node->value<std::string>()) {
        out = *v;
        return Status::Ok();
      }
      return Error(node, std::string(where) + std::string(key), "must be a string");
    }
  }

  Result<CsvLinkSettings> Load(std::string_view text) {
    RR_ASSIGN_OR_RETURN(const toml::table root, ParseTomlText(text, source_));
    RR_RETURN_IF_ERROR(CheckKeys(root, "", {"id_column", "link_only", "field", "blocking", "thresholds", "options"}));
    CsvLinkSettings s;
    s.source = source_;
    RR_RETURN_IF_ERROR(Optional(root, "", "id_column", s.id_column));
    if (Trim(s.id_column).empty())
      return Error(root.get("id_column"), "id_column", "is required (the column naming each record)");
    if (root.get("link_only")) {
      bool link_only = false;
      RR_RETURN_IF_ERROR(Optional(root, "", "link_only", link_only));
      s.link_only = link_only;
    }
    const toml::node* fields_node = root.get("field");
    const toml::array* fields = fields_node ? fields_node->as_array() : nullptr;
    if (fields == nullptr || fields->empty()) {
      return Error(fields_node, "field", "at least one [[field]] table is required");
    }
    std::set<std::string> columns;
    for (size_t i = 0; i < fields->size(); ++i) {
      const toml::node& node = *fields->get(i);
      const std::string where = "field[" + std::to_string(i + 1) + "].";
      const toml::table* t = node.as_table();
      if (t == nullptr) return Error(&node, "field[" + std::to_string(i + 1) + "]", "must be a table ([[field]])");
      RR_RETURN_IF_ERROR(
          CheckKeys(*t, where.substr(0, where.size() - 1),
                    {"column", "kind", "date_format", "check", "swap_with", "cannot_link", "term_frequency"}));
      CsvField field;
      FieldSpec spec;
      RR_RETURN_IF_ERROR(Optional(*t, where, "column", field.column));
      if (Trim(field.column).empty()) return Error(&node, where + "column", "is required");
      if (!columns.insert(field.column).second)
        return Error(t->get("column"), where + "column", "'" + field.column + "' is used twice");
      RR_RETURN_IF_ERROR(Optional(*t, where, "kind", field.kind_name));
      const KindInfo* kind = nullptr;
      for (const auto& k : kKinds) {
        if (field.kind_name == k.name) kind = &k;
      }
      if (kind == nullptr) {
        return Error(t->get("kind") ? t->get("kind") : &node, where + "kind",
                     "'" + field.kind_name + "' is not one of " + KindList());
      }
      spec.name = field.column;
      spec.kind = kind->kind;
      spec.term_frequency = kind->term_frequency;
      RR_RETURN_IF_ERROR(Optional(*t, where, "term_frequency", spec.term_frequency));
      RR_RETURN_IF_ERROR(Optional(*t, where, "cannot_link", spec.cannot_link_on_mismatch));
      RR_RETURN_IF_ERROR(Optional(*t, where, "swap_with", spec.swap_with));
      if (!spec.swap_with.empty() && spec.kind != FieldKind::kForename) {
        return Error(t->get("swap_with"), where + "swap_with", "only a forename field can be swapped with a surname");
      }
      RR_RETURN_IF_ERROR(Optional(*t, where, "date_format", field.date_format));
      if (!field.date_format.empty()) {
        if (spec.kind != FieldKind::kDateOfBirth) {
          return Error(t->get("date_format"), where + "date_format", "only a date_of_birth field has a date format");
        }
        if (field.date_format.find("%Y") == std::string::npos && field.date_format.find("%y") == std::string::npos) {
          return Error(t->get("date_format"), where + "date_format", "'" + field.date_format + "' has no year (%Y)");
        }
      }
      std::string check;
      RR_RETURN_IF_ERROR(Optional(*t, where, "check", check));
      if (!check.empty()) {
        if (spec.kind != FieldKind::kIdentifier) {
          return Error(t->get("check"), where + "check", "only an identifier field has a check digit");
        }
        if (check == "nhs_number")
          field.check = ValueCheck::kNhsNumber;
        else if (check == "upn")
          field.check = ValueCheck::kUpn;
        else
          return Error(t->get("check"), where + "check", "'" + check + "' is not nhs_number or upn");
      }
      s.fields.push_back(field);
      s.spec.fields.push_back(spec);
    }
    for (size_t i = 0; i < s.spec.fields.size(); ++i) {
      const FieldSpec& f = s.spec.fields[i];
      if (f.swap_with.empty()) continue;
      const auto it = std::find_if(s.spec.fields.begin(), s.spec.fields.end(),
                                   [&](const FieldSpec& g) { return g.name == f.swap_with; });
      if (it == s.spec.fields.end() || it->kind != FieldKind::kSurname) {
        return Error(fields->get(i), "field[" + std::to_string(i + 1) + "].swap_with",
                     "'" + f.swap_with + "' is not a surname field");
      }
    }

    if (const toml::node* node = root.get("blocking")) {
      const toml::table* t = node->as_table();
      if (t == nullptr) return Error(node, "blocking", "must be a table with rules = [...] and/or budget = N");
      RR_RETURN_IF_ERROR(CheckKeys(*t, "blocking", {"rules", "budget"}));
      RR_RETURN_IF_ERROR(Optional(*t, "blocking.", "budget", s.options.blocking_budget));
      if (t->get("budget") && s.options.blocking_budget < 1) {
        return Error(t->get("budget"), "blocking.budget", "must be a positive number of candidate pairs");
      }
      if (const toml::node* rules_node = t->get("rules")) {
        const toml::array* rules = rules_node->as_array();
        if (rules == nullptr || rules->empty())
          return Error(rules_node, "blocking.rules", "must be a non-empty array of strings");
        for (size_t i = 0; i < rules->size(); ++i) {
          const auto text = rules->get(i)->value<std::string>();
          const std::string key = "blocking.rules[" + std::to_string(i + 1) + "]";
          if (!text) return Error(rules->get(i), key, "must be a string like \"surname:soundex & dob:year\"");
          auto rule = ParseBlockingRule(*text);
          if (!rule.ok()) return Error(rules->get(i), key, rule.status().message());
          for (const auto& part : rule->parts) {
            if (!columns.count(part.field)) {
              return Error(rules->get(i), key, "'" + part.field + "' is not a [[field]] column");
            }
          }
          s.spec.blocking_rules.push_back(std::move(*rule));
        }
      } else if (!t->get("budget")) {
        return Error(node, "blocking", "needs rules = [...] or budget = N (leave [blocking] out for the default)");
      }
    }
    // No rules: the engine plans them within the budget from the field kinds (blocking_plan.h).
    s.default_blocking = s.spec.blocking_rules.empty();

    if (const toml::node* node = root.get("thresholds")) {
      const toml::table* t = node->as_table();
      if (t == nullptr) return Error(node, "thresholds", "must be a table");
      RR_RETURN_IF_ERROR(CheckKeys(
          *t, "thresholds",
          {"match_probability", "possible_probability", "contradiction_weight", "contradiction_disagreement"}));
      RR_RETURN_IF_ERROR(Optional(*t, "thresholds.", "match_probability", s.options.match_probability));
      RR_RETURN_IF_ERROR(Optional(*t, "thresholds.", "possible_probability", s.options.possible_probability));
      RR_RETURN_IF_ERROR(Optional(*t, "thresholds.", "contradiction_weight", s.options.contradiction_weight));
      RR_RETURN_IF_ERROR(
          Optional(*t, "thresholds.", "contradiction_disagreement", s.options.contradiction_disagreement));
      if (!(s.options.possible_probability > 0 && s.options.possible_probability <= s.options.match_probability &&
            s.options.match_probability < 1)) {
        return Error(node, "thresholds", "need 0 < possible_probability <= match_probability < 1");
      }
    }
    if (const toml::node* node = root.get("options")) {
      const toml::table* t = node->as_table();
      if (t == nullptr) return Error(node, "options", "must be a table");
      RR_RETURN_IF_ERROR(CheckKeys(
          *t, "options",
          {"max_block_size", "delimiter", "encoding", "u_sample_pairs", "seed", "term_frequency_adjustments"}));
      RR_RETURN_IF_ERROR(Optional(*t, "options.", "max_block_size", s.options.max_block_size));
      if (s.options.max_block_size < 2)
        return Error(t->get("max_block_size"), "options.max_block_size", "must be at least 2");
      RR_RETURN_IF_ERROR(Optional(*t, "options.", "u_sample_pairs", s.options.u_sample_pairs));
      if (s.options.u_sample_pairs < 1000) {
        return Error(t->get("u_sample_pairs"), "options.u_sample_pairs", "must be at least 1000");
      }
      int64_t seed = static_cast<int64_t>(s.options.seed);
      RR_RETURN_IF_ERROR(Optional(*t, "options.", "seed", seed));
      s.options.seed = static_cast<uint64_t>(seed);
      RR_RETURN_IF_ERROR(Optional(*t, "options.", "term_frequency_adjustments", s.options.term_frequency_adjustments));
      std::string delimiter = ",";
      RR_RETURN_IF_ERROR(Optional(*t, "options.", "delimiter", delimiter));
      if (delimiter == "\\t" || delimiter == "tab") delimiter = "\t";
      if (delimiter.size() != 1 || delimiter[0] == '"' || delimiter[0] == '\n') {
        return Error(t->get("delimiter"), "options.delimiter", "must be one character (or \"tab\")");
      }
      s.delimiter = delimiter[0];
      RR_RETURN_IF_ERROR(Optional(*t, "options.", "encoding", s.encoding));
      if (auto e = ingest::ParseEncoding(s.encoding); !e.ok()) {
        return Error(t->get("encoding"), "options.encoding", e.status().message());
      }
    }
    if (Status v = s.spec.Validate(); !v.ok())
      return Status::InvalidArgument("settings " + source_ + ": " + v.message());
    return s;
  }

 private:
  std::string source_;
};

std::string CsvQuote(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

// Renders the whole file, then writes it with core's WriteFileAtomically (readers never see half a file).
Status WriteAtomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream out;
  write(out);
  return WriteFileAtomically(path, out.view());
}

}  // namespace

Result<CsvLinkSettings> ParseCsvLinkSettings(std::string_view toml_text, std::string_view source_name) {
  return SettingsLoader(std::string(source_name)).Load(toml_text);
}

Result<CsvLinkSettings> LoadCsvLinkSettings(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read settings file " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return ParseCsvLinkSettings(text.str(), path.string());
}

std::vector<BlockingRule> DefaultBlockingRules(const LinkageSpec& spec) { return CandidateBlockingRules(spec); }

Result<CsvInputs> ReadCsvInputs(const CsvLinkSettings& settings, const std::vector<std::filesystem::path>& paths) {
  if (paths.empty()) return Status::InvalidArgument("no input files");
  RR_ASSIGN_OR_RETURN(const ingest::Encoding encoding, ingest::ParseEncoding(settings.encoding));
  CsvInputs out;
  std::set<std::string> names;
  for (const auto& path : paths) {
    std::string name = path.stem().string();
    for (int k = 2; !names.insert(name).second; ++k) name = path.stem().string() + "#" + std::to_string(k);
    out.source_names.push_back(name);
  }
  const size_t n_fields = settings.fields.size();
  for (size_t p = 0; p < paths.size(); ++p) {
    const std::string file = paths[p].string();
    auto reader = ingest::CsvReader::Open(file, encoding, settings.delimiter);
    if (!reader.ok()) return reader.status().WithContext("input " + file);
    ingest::CsvRecord record;
    if (!(*reader)->Next(record)) return Status::InvalidArgument(file + ": empty file (a header row is required)");
    if (!record.error.empty()) return Status::InvalidArgument(file + ": line 1 (header): " + record.error);
    std::vector<std::string> header;
    for (const auto& h : record.fields) header.emplace_back(Trim(h));
    if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0] = header[0].substr(3);
    auto column_of = [&](const std::string& name) -> Result<size_t> {
      const auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end()) {
        return Status::InvalidArgument(file + ": line 1 (header): no column '" + name + "' (named in " +
                                       settings.source + ")");
      }
      return static_cast<size_t>(it - header.begin());
    };
    RR_ASSIGN_OR_RETURN(const size_t id_col, column_of(settings.id_column));
    std::vector<size_t> cols(n_fields);
    for (size_t f = 0; f < n_fields; ++f) {
      RR_ASSIGN_OR_RETURN(cols[f], column_of(settings.fields[f].column));
    }
    (*reader)->set_expected_fields(header.size());
    std::unordered_set<std::string> ids;
    while ((*reader)->Next(record)) {
      const std::string where = file + ": line " + std::to_string(record.line);
      if (!record.error.empty()) return Status::InvalidArgument(where + ": " + record.error);
      if (record.fields.size() == 1 && Trim(record.fields[0]).empty()) continue;  // blank line
      if (record.fields.size() != header.size()) {
        const std::string detail = record.fields.size() < header.size()
                                       ? "field '" + header[record.fields.size()] + "' is missing"
                                       : "there is an extra field after '" + header.back() + "'";
        return Status::InvalidArgument(where + ": " + std::to_string(record.fields.size()) +
                                       " fields but the header has " + std::to_string(header.size()) + " (" + detail +
                                       ")");
      }
      std::string id(Trim(record.fields[id_col]));
      if (id.empty()) return Status::InvalidArgument(where + ": field '" + settings.id_column + "' (the id) is empty");
      if (!ids.insert(id).second) {
        return Status::InvalidArgument(where + ": field '" + settings.id_column + "': id '" + id + "' is used twice");
      }
      Record r;
      r.id = static_cast<int64_t>(out.records.size());
      r.source = out.source_names[p];
      r.values.resize(n_fields);
      for (size_t f = 0; f < n_fields; ++f) {
        std::string value(Trim(record.fields[cols[f]]));
        const CsvField& field = settings.fields[f];
        bool bad = false;
        if (!value.empty() && settings.spec.fields[f].kind == FieldKind::kDateOfBirth) {
          Result<Date> d = Status::InvalidArgument("");
          if (!field.date_format.empty()) {
            d = Date::Parse(value, field.date_format);
          } else {
            d = Date::ParseIso(value);
            if (!d.ok() && value.size() == 8) d = Date::Parse(value, "%Y%m%d");
          }
          bad = !d.ok();
          if (!bad) value = d->ToIso();
        } else if (!value.empty() && field.check != ValueCheck::kNone) {
          auto v = field.check == ValueCheck::kNhsNumber ? NormaliseNhsNumber(value) : NormaliseUpn(value);
          bad = !v.ok();
          if (!bad) value = *v;
        }
        if (bad) {
          if (out.unparsed[field.column]++ == 0) {
            out.unparsed_example[field.column] = file + ":" + std::to_string(record.line) + " '" + value + "'";
          }
          value.clear();
        }
        r.values[f] = std::move(value);
      }
      out.records.push_back(std::move(r));
      out.record_ids.push_back(std::move(id));
    }
  }
  return out;
}

Status WriteCsvLinkOutputs(const std::filesystem::path& dir, const CsvInputs& inputs, const LinkResult& result) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  const bool sources = inputs.source_names.size() > 1;
  RR_RETURN_IF_ERROR(WriteAtomically(dir / "clusters.csv", [&](std::ostream& out) {
    out << "record_id,cluster_id" << (sources ? ",source" : "") << "\n";
    for (size_t i = 0; i < inputs.records.size(); ++i) {
      out << CsvQuote(inputs.record_ids[i]) << ',' << result.cluster_of[i];
      if (sources) out << ',' << CsvQuote(inputs.records[i].source);
      out << '\n';
    }
  }));
  std::vector<const ScoredPair*> pairs;
  for (const auto& p : result.matches) pairs.push_back(&p);
  for (const auto& p : result.possibles) pairs.push_back(&p);
  std::sort(pairs.begin(), pairs.end(), [](const ScoredPair* a, const ScoredPair* b) {
    return a->left != b->left ? a->left < b->left : a->right < b->right;
  });
  return WriteAtomically(dir / "pairs.csv", [&](std::ostream& out) {
    out << "left_id,right_id,match_weight,match_probability" << (sources ? ",left_source,right_source" : "") << "\n";
    char number[64];
    for (const ScoredPair* p : pairs) {
      out << CsvQuote(inputs.record_ids[p->left]) << ',' << CsvQuote(inputs.record_ids[p->right]);
      std::snprintf(number, sizeof number, ",%.4f,%.6f", p->match_weight, p->match_probability);
      out << number;
      if (sources)
        out << ',' << CsvQuote(inputs.records[p->left].source) << ',' << CsvQuote(inputs.records[p->right].source);
      out << '\n';
    }
  });
}

}  // namespace riskradar::linkage

// Loading and checking mapping files.
#include "riskradar/ingest/mapping.h"
#include "riskradar/core/toml_text.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "riskradar/core/domain.h"
#include "riskradar/core/ethnicity.h"
#include "riskradar/core/text.h"
#include "riskradar/core/vocabulary.h"

namespace riskradar::ingest {
namespace {

class Loader {
 public:
  explicit Loader(std::string source) : source_(std::move(source)) {}

  Status Error(std::string_view key, std::string_view why) const {
    return Status::InvalidArgument("mapping " + source_ + ": " + std::string(key) + ": " + std::string(why));
  }

  Status CheckKeys(const toml::table& table, std::string_view where, const std::set<std::string>& allowed) const {
    for (const auto& [key, node] : table) {
      if (!allowed.count(std::string(key.str()))) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return Error(std::string(where) + (where.empty() ? "" : ".") + std::string(key.str()),
                     "unknown key (allowed here: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Result<std::string> RequiredString(const toml::table& t, std::string_view key) const {
    auto v = t[key].value<std::string>();
    if (!v || v->empty()) return Error(key, "is required and must be a non-empty string");
    return *v;
  }

  Result<FieldSpec> Field(const toml::table& parent, std::string_view where, std::string_view key) const {
    FieldSpec spec;
    const toml::node* node = parent.get(key);
    if (!node) return spec;
    const std::string path = std::string(where) + "." + std::string(key);
    const toml::table* t = node->as_table();
    if (!t) return Error(path, "must be a table like { column = \"...\" }");
    RR_RETURN_IF_ERROR(CheckKeys(*t, path, {"column", "value", "format", "map", "default", "required", "max_length"}));
    if (auto c = (*t)["column"].value<std::string>()) spec.column = *c;
    if (auto v = (*t)["value"].value<std::string>()) spec.value = *v;
    if (spec.column.empty() == !spec.value.has_value()) return Error(path, "needs exactly one of `column` or `value`");
    if (auto f = (*t)["format"].value<std::string>()) spec.format = *f;
    if (auto d = (*t)["default"].value<std::string>()) spec.default_value = *d;
    if (auto r = (*t)["required"].value<bool>()) spec.required = *r;
    if (auto m = (*t)["max_length"].value<int64_t>()) {
      if (*m <= 0) return Error(path + ".max_length", "must be positive");
      spec.max_length = static_cast<size_t>(*m);
    }
    if (const toml::node* m = t->get("map")) {
      const toml::table* mt = m->as_table();
      if (!mt) return Error(path + ".map", "must be a table of \"source value\" = \"riskradar value\"");
      for (const auto& [from, to] : *mt) {
        auto target = to.value<std::string>();
        if (!target) return Error(path + ".map." + std::string(from.str()), "target must be a string");
        spec.map.emplace_back(AsciiLower(from.str()), *target);
      }
    }
    return spec;
  }

  template <typename Parse>
  Status CheckTargets(const FieldSpec& spec, std::string_view path, Parse parse) const {
    auto check = [&](const std::string& v) -> Status {
      auto r = parse(v);
      if (!r.ok()) return Error(path, r.status().message());
      return Status::Ok();
    };
    for (const auto& [from, to] : spec.map) RR_RETURN_IF_ERROR(check(to));
    if (spec.value) RR_RETURN_IF_ERROR(check(*spec.value));
    if (spec.default_value && !spec.default_value->empty()) RR_RETURN_IF_ERROR(check(*spec.default_value));
    return Status::Ok();
  }

  Result<PersonSpec> Person(const toml::table& root, std::string_view key) const {
    PersonSpec p;
    const toml::table* t = root[key].as_table();
    if (!t) return p;
    p.defined = true;
    RR_RETURN_IF_ERROR(CheckKeys(*t, key,
                                 {"role", "local_person_id", "forename", "surname", "dob", "sex", "postcode",
                                  "nhs_number", "upn", "ethnicity"}));
    RR_ASSIGN_OR_RETURN(p.role, Field(*t, key, "role"));
    RR_ASSIGN_OR_RETURN(p.local_person_id, Field(*t, key, "local_person_id"));
    RR_ASSIGN_OR_RETURN(p.forename, Field(*t, key, "forename"));
    RR_ASSIGN_OR_RETURN(p.surname, Field(*t, key, "surname"));
    RR_ASSIGN_OR_RETURN(p.dob, Field(*t, key, "dob"));
    RR_ASSIGN_OR_RETURN(p.sex, Field(*t, key, "sex"));
    RR_ASSIGN_OR_RETURN(p.postcode, Field(*t, key, "postcode"));
    RR_ASSIGN_OR_RETURN(p.nhs_number, Field(*t, key, "nhs_number"));
    RR_ASSIGN_OR_RETURN(p.upn, Field(*t, key, "upn"));
    RR_ASSIGN_OR_RETURN(p.ethnicity, Field(*t, key, "ethnicity"));
    if (!p.role.defined()) return Error(std::string(key) + ".role", "is required (e.g. { value = \"child\" })");
    RR_RETURN_IF_ERROR(CheckTargets(p.role, std::string(key) + ".role", ParsePersonRole));
    RR_RETURN_IF_ERROR(CheckTargets(p.sex, std::string(key) + ".sex", ParseSex));
    RR_RETURN_IF_ERROR(CheckTargets(p.ethnicity, std::string(key) + ".ethnicity", ParseEthnicGroup));
    if (p.dob.defined() && p.dob.format.empty() && !p.dob.value) p.dob.format = "%Y-%m-%d";
    return p;
  }

  Result<PlaceSpec> Place(const toml::table& root) const {
    PlaceSpec p;
    const toml::table* t = root["place"].as_table();
    if (!t) return p;
    p.defined = true;
    RR_RETURN_IF_ERROR(CheckKeys(*t, "place", {"name", "type", "postcode", "lat", "lon"}));
    RR_ASSIGN_OR_RETURN(p.name, Field(*t, "place", "name"));
    RR_ASSIGN_OR_RETURN(p.type, Field(*t, "place", "type"));
    RR_ASSIGN_OR_RETURN(p.postcode, Field(*t, "place", "postcode"));
    RR_ASSIGN_OR_RETURN(p.lat, Field(*t, "place", "lat"));
    RR_ASSIGN_OR_RETURN(p.lon, Field(*t, "place", "lon"));
    RR_RETURN_IF_ERROR(CheckTargets(p.type, "place.type", ParsePlaceType));
    return p;
  }

 private:
  std::string source_;
};

}  // namespace

Result<Mapping> Mapping::FromToml(std::string_view text, std::string_view source_name) {
  Loader loader{std::string(source_name)};
  RR_ASSIGN_OR_RETURN(const toml::table root, ParseTomlText(text, std::string(source_name)));
  RR_RETURN_IF_ERROR(
      loader.CheckKeys(root, "",
                       {"format", "description", "file_type", "encoding", "delimiter", "record_class", "lawful_basis",
                        "local_id", "ignore", "event", "subject", "associate", "place"}));
  Mapping m;
  m.source = std::string(source_name);
  RR_ASSIGN_OR_RETURN(m.format, loader.RequiredString(root, "format"));
  m.description = root["description"].value_or(std::string());
  const std::string file_type = root["file_type"].value_or(std::string("csv"));
  if (file_type == "csv")
    m.file_type = FileType::kCsv;
  else if (file_type == "jsonl")
    m.file_type = FileType::kJsonLines;
  else if (file_type == "xlsx")
    m.file_type = FileType::kXlsx;
  else
    return loader.Error("file_type", "must be \"csv\", \"jsonl\" or \"xlsx\"");
  auto encoding = ParseEncoding(root["encoding"].value_or(std::string("utf-8")));
  if (!encoding.ok()) return loader.Error("encoding", encoding.status().message());
  m.encoding = *encoding;
  const std::string delimiter = root["delimiter"].value_or(std::string(","));
  if (delimiter.size() != 1 || delimiter[0] == '"' || delimiter[0] == '\n') {
    return loader.Error("delimiter", "must be one character other than a quote or newline");
  }
  m.delimiter = delimiter[0];
  RR_ASSIGN_OR_RETURN(m.record_class, loader.RequiredString(root, "record_class"));
  RR_ASSIGN_OR_RETURN(m.lawful_basis, loader.RequiredString(root, "lawful_basis"));
  RR_ASSIGN_OR_RETURN(m.local_id, loader.RequiredString(root, "local_id"));
  if (const toml::node* ignore = root.get("ignore")) {
    const toml::array* arr = ignore->as_array();
    if (!arr) return loader.Error("ignore", "must be an array of column names");
    for (const auto& item : *arr) {
      auto s = item.value<std::string>();
      if (!s) return loader.Error("ignore", "must contain only strings");
      m.ignore.push_back(*s);
    }
  }
  const toml::table* event = root["event"].as_table();
  if (!event) return loader.Error("event", "the [event] table is required");
  RR_RETURN_IF_ERROR(loader.CheckKeys(*event, "event", {"kind", "category", "date", "detail", "time"}));
  RR_ASSIGN_OR_RETURN(m.event.kind, loader.Field(*event, "event", "kind"));
  RR_ASSIGN_OR_RETURN(m.event.category, loader.Field(*event, "event", "category"));
  RR_ASSIGN_OR_RETURN(m.event.date, loader.Field(*event, "event", "date"));
  RR_ASSIGN_OR_RETURN(m.event.detail, loader.Field(*event, "event", "detail"));
  RR_ASSIGN_OR_RETURN(m.event.time, loader.Field(*event, "event", "time"));
  if (!m.event.kind.defined()) return loader.Error("event.kind", "is required");
  if (!m.event.category.defined()) return loader.Error("event.category", "is required");
  if (!m.event.date.defined()) return loader.Error("event.date", "is required");
  if (m.event.date.format.empty()) m.event.date.format = "%Y-%m-%d";
  m.event.date.required = true;
  if (m.event.time.defined()) {
    if (m.event.time.format.empty()) m.event.time.format = "%H:%M";
    if (m.event.time.format.find("%H") == std::string::npos || m.event.time.format.find("%M") == std::string::npos)
      return loader.Error("event.time", "format must contain %H and %M (e.g. \"%H:%M\" or \"%Y-%m-%dT%H:%M:%S\")");
  }
  RR_RETURN_IF_ERROR(loader.CheckTargets(m.event.kind, "event.kind", ParseEventKind));
  RR_RETURN_IF_ERROR(loader.CheckTargets(m.event.category, "event.category", [](const std::string& c) -> Result<bool> {
    if (IsAnyKnownCategory(c)) return true;
    return Status::InvalidArgument("'" + c + "' is not in the event vocabulary (config/vocabulary.md)");
  }));
  RR_ASSIGN_OR_RETURN(m.subject, loader.Person(root, "subject"));
  if (!m.subject.defined) return loader.Error("subject", "the [subject] table is required");
  RR_ASSIGN_OR_RETURN(m.associate, loader.Person(root, "associate"));
  RR_ASSIGN_OR_RETURN(m.place, loader.Place(root));
  m.IndexColumns();
  return m;
}

Result<Mapping> Mapping::FromFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open mapping file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return FromToml(text.str(), path.string());
}

namespace {

// Every field spec of a mapping (the local id is not a FieldSpec: it is read through a spec built per row).
template <typename MappingT, typename Fn>
void ForEachField(MappingT& m, Fn fn) {
  for (auto* f : {&m.event.kind, &m.event.category, &m.event.date, &m.event.detail, &m.event.time}) fn(*f);
  for (auto* p : {&m.subject, &m.associate}) {
    for (auto* f : {&p->role, &p->local_person_id, &p->forename, &p->surname, &p->dob, &p->sex, &p->postcode,
                    &p->nhs_number, &p->upn, &p->ethnicity}) {
      fn(*f);
    }
  }
  for (auto* f : {&m.place.name, &m.place.type, &m.place.postcode, &m.place.lat, &m.place.lon}) fn(*f);
}

}  // namespace

std::vector<std::string> Mapping::UsedColumns() const {
  std::vector<std::string> out{local_id};
  ForEachField(*this, [&](const FieldSpec& f) {
    if (!f.column.empty()) out.push_back(f.column);
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void Mapping::IndexColumns() {
  columns = UsedColumns();
  local_id_field = FieldSpec{};
  local_id_field.column = local_id;
  local_id_field.required = true;
  auto index = [&](FieldSpec& f) {
    f.slot = -1;
    if (f.column.empty()) return;
    f.slot = static_cast<int>(std::lower_bound(columns.begin(), columns.end(), f.column) - columns.begin());
  };
  index(local_id_field);
  ForEachField(*this, index);
}

bool Mapping::ColumnsIndexed() const {
  if (columns != UsedColumns() || local_id_field.column != local_id || !local_id_field.required) return false;
  bool ok = true;
  auto check = [&](const FieldSpec& f) {
    if (f.column.empty()) return;
    if (f.slot < 0 || static_cast<size_t>(f.slot) >= columns.size() || columns[f.slot] != f.column) ok = false;
  };
  check(local_id_field);
  ForEachField(*this, check);
  return ok;
}

bool Mapping::KnowsColumn(std::string_view column) const {
  // `columns` is sorted; a hand-edited mapping that was never indexed falls back to computing the list.
  if (!columns.empty() && std::binary_search(columns.begin(), columns.end(), column)) return true;
  if (columns.empty()) {
    const auto used = UsedColumns();
    if (std::find(used.begin(), used.end(), column) != used.end()) return true;
  }
  for (const std::string& ig : ignore) {
    if (column == ig) return true;
    if (column.size() > ig.size() && column.substr(0, ig.size()) == ig && column[ig.size()] == '.') return true;
  }
  return false;
}

Result<std::filesystem::path> ResolveMappingArgument(std::string_view argument,
                                                     const std::filesystem::path& mappings_dir) {
  if (argument.empty()) return Status::InvalidArgument("--mapping: give a mapping name or a mapping file");
  const bool is_path = argument.find('/') != std::string_view::npos ||
                       (argument.size() >= 5 && argument.substr(argument.size() - 5) == ".toml");
  if (is_path) return std::filesystem::path(argument);
  const std::filesystem::path shipped = mappings_dir / (std::string(argument) + ".toml");
  if (std::filesystem::is_regular_file(shipped)) return shipped;
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(mappings_dir, ec)) {
    if (entry.path().extension() == ".toml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return Status::NotFound("--mapping " + std::string(argument) + ": no shipped mapping of that name in " +
                          mappings_dir.string() + (list.empty() ? "" : " (shipped: " + list + ")") +
                          "; to use a file, give its path (e.g. ./" + std::string(argument) + ".toml)");
}

}  // namespace riskradar::ingest

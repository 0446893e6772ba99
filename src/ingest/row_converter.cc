// Row validation and normalisation: one source row -> record, people, place, event.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "riskradar/core/ethnicity.h"
#include "riskradar/core/hash.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/core/text.h"
#include "riskradar/core/vocabulary.h"
#include "riskradar/ingest/importer.h"
#include "riskradar/ingest/readers.h"

namespace riskradar::ingest {
namespace {

constexpr size_t kDefaultTextLimit = 200;     // names, ids, codes
constexpr size_t kDefaultDetailLimit = 4000;  // free text

// `lower` is already lower case (map keys are lower-cased when the mapping is loaded).
bool EqualsLowered(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))) != lower[i]) return false;
  }
  return true;
}

std::string ShowValue(std::string_view v) {
  if (v.size() <= 60) return std::string(v);
  return std::string(v.substr(0, 57)) + "...";
}

// A field's name in messages ("subject date of birth"); built only when a problem is reported.
struct Label {
  std::string_view prefix;  // "subject ", "associate " or empty
  std::string_view name;
  std::string str() const { return std::string(prefix) + std::string(name); }
};

// Reads one field: constant, or column value trimmed, mapped and defaulted. Problems are appended; the returned
// view (into the row, or the mapping for constants and mapped values) is empty when absent.
class FieldReader {
 public:
  FieldReader(const RowFields& fields, std::vector<RowProblem>& problems) : fields_(fields), problems_(problems) {}

  std::string_view Read(const FieldSpec& spec, Label label, bool identifying, size_t default_limit) {
    if (!spec.defined()) return {};
    if (spec.value) return *spec.value;
    const std::string_view raw = Trim(fields_.Get(spec).value_or(std::string_view()));
    auto shown = [&] { return identifying ? RedactValue(raw) : ShowValue(raw); };
    const size_t limit = spec.max_length ? spec.max_length : default_limit;
    if (raw.size() > limit) {
      Problem(spec.column, shown(),
              label.str() + " is " + std::to_string(raw.size()) + " bytes, over the limit of " + std::to_string(limit));
      return {};
    }
    if (raw.find('\0') != std::string_view::npos) {
      Problem(spec.column, shown(), label.str() + " contains a NUL character");
      return {};
    }
    if (raw.empty()) {
      if (spec.default_value) return *spec.default_value;
      if (spec.required) Problem(spec.column, "", label.str() + " is required but empty");
      return {};
    }
    if (!spec.map.empty()) {
      for (const auto& [from, to] : spec.map) {
        if (EqualsLowered(raw, from)) return to;
      }
      if (spec.default_value) return *spec.default_value;
      Problem(spec.column, shown(), label.str() + " value is not one the mapping knows");
      return {};
    }
    return raw;
  }

  void Problem(std::string column, std::string value, std::string reason) {
    problems_.push_back({std::move(column), std::move(value), std::move(reason)});
  }

 private:
  const RowFields& fields_;
  std::vector<RowProblem>& problems_;
};

std::optional<Date> ReadDate(FieldReader& reader, const FieldSpec& spec, Label label, bool identifying) {
  const std::string_view text = reader.Read(spec, label, identifying, kDefaultTextLimit);
  if (text.empty()) return std::nullopt;
  auto date = Date::Parse(text, spec.format);
  if (!date.ok()) {
    reader.Problem(spec.column, identifying ? RedactValue(text) : ShowValue(text),
                   label.str() + " is not a valid date in the format " + spec.format);
    return std::nullopt;
  }
  return *date;
}

// A time of day by a format of %H, %M, %S, %Y, %m, %d and literal characters (the date parts are skipped: the
// event's date is read by its own field); minutes after midnight, nullopt when the text does not fit.
std::optional<int> ParseMinuteOfDay(std::string_view text, std::string_view format) {
  size_t at = 0;
  int hour = -1, minute = -1;
  const auto number = [&](size_t max_digits, int& value) {
    size_t digits = 0;
    value = 0;
    while (at < text.size() && digits < max_digits && text[at] >= '0' && text[at] <= '9') {
      value = value * 10 + (text[at++] - '0');
      ++digits;
    }
    return digits > 0;
  };
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      if (at >= text.size() || text[at] != format[i]) return std::nullopt;
      ++at;
      continue;
    }
    int value = 0;
    const char spec = format[++i];
    if (!number(spec == 'Y' ? 4 : 2, value)) return std::nullopt;
    if (spec == 'H') hour = value;
    if (spec == 'M') minute = value;
    if (spec == 'S' && value > 59) return std::nullopt;
  }
  if (at != text.size() || hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
  return hour * 60 + minute;
}

std::optional<int> ReadTime(FieldReader& reader, const FieldSpec& spec) {
  if (!spec.defined()) return std::nullopt;
  const std::string_view text = reader.Read(spec, {"", "event time"}, false, kDefaultTextLimit);
  if (text.empty()) return std::nullopt;
  auto minute = ParseMinuteOfDay(text, spec.format);
  if (!minute)
    reader.Problem(spec.column, ShowValue(text), "event time is not a valid time in the format " + spec.format);
  return minute;
}

std::optional<double> ReadNumber(FieldReader& reader, const FieldSpec& spec, Label label, double lo, double hi) {
  const std::string_view text = reader.Read(spec, label, false, 40);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(value >= lo && value <= hi)) {
    reader.Problem(spec.column, ShowValue(text),
                   label.str() + " is not a number between " + std::to_string(static_cast<int>(lo)) + " and " +
                       std::to_string(static_cast<int>(hi)));
    return std::nullopt;
  }
  return value;
}

// Returns nullopt when the spec yields no person (all identifying fields empty).
std::optional<PersonMention> ReadPerson(FieldReader& reader, const PersonSpec& spec, std::string_view prefix,
                                        Date event_date, bool have_event_date) {
  if (!spec.defined) return std::nullopt;
  PersonMention m;
  m.local_person_id = reader.Read(spec.local_person_id, {prefix, "person id"}, true, kDefaultTextLimit);
  m.forename = reader.Read(spec.forename, {prefix, "forename"}, true, kDefaultTextLimit);
  m.surname = reader.Read(spec.surname, {prefix, "surname"}, true, kDefaultTextLimit);
  m.dob = ReadDate(reader, spec.dob, {prefix, "date of birth"}, true);
  const std::string_view nhs = reader.Read(spec.nhs_number, {prefix, "NHS number"}, true, kDefaultTextLimit);
  const std::string_view upn = reader.Read(spec.upn, {prefix, "UPN"}, true, kDefaultTextLimit);
  const std::string_view postcode = reader.Read(spec.postcode, {prefix, "postcode"}, true, kDefaultTextLimit);
  const bool described =
      !m.forename.empty() || !m.surname.empty() || m.dob || !nhs.empty() || !upn.empty() || !m.local_person_id.empty();
  if (!described) return std::nullopt;
  const std::string p(prefix);
  if (!nhs.empty()) {
    auto n = NormaliseNhsNumber(nhs);
    if (n.ok())
      m.nhs_number = std::move(*n);
    else
      reader.Problem(spec.nhs_number.column, RedactValue(nhs), p + "NHS number is invalid: " + n.status().message());
  }
  if (!upn.empty()) {
    auto u = NormaliseUpn(upn);
    if (u.ok())
      m.upn = std::move(*u);
    else
      reader.Problem(spec.upn.column, RedactValue(upn), p + "UPN is invalid: " + u.status().message());
  }
  if (!postcode.empty()) {
    auto pc = NormalisePostcode(postcode);
    if (pc.ok())
      m.postcode = std::move(*pc);
    else
      reader.Problem(spec.postcode.column, RedactValue(postcode), p + "postcode is malformed");
  }
  const std::string_view role = reader.Read(spec.role, {prefix, "role"}, false, kDefaultTextLimit);
  if (!role.empty()) {
    auto r = ParsePersonRole(role);
    if (r.ok())
      m.role = *r;
    else
      reader.Problem(spec.role.column, ShowValue(role), p + "role: " + r.status().message());
  }
  const std::string_view sex = reader.Read(spec.sex, {prefix, "sex"}, false, kDefaultTextLimit);
  if (!sex.empty()) {
    auto s = ParseSex(sex);
    if (s.ok())
      m.sex = *s;
    else
      reader.Problem(spec.sex.column, ShowValue(sex), p + "sex: " + s.status().message());
  }
  const std::string_view ethnicity = reader.Read(spec.ethnicity, {prefix, "ethnicity"}, false, kDefaultTextLimit);
  if (!ethnicity.empty()) {
    if (IsEthnicGroupCode(ethnicity))
      m.ethnicity = std::string(ethnicity);
    else
      reader.Problem(spec.ethnicity.column, ShowValue(ethnicity),
                     p + "ethnicity: '" + std::string(ethnicity) +
                         "' is not a Census 2021 group (asian, black, mixed, "
                         "white, other); map the agency's code in the mapping");
  }
  if (m.dob && have_event_date && *m.dob > event_date) {
    reader.Problem(spec.dob.column, RedactValue(m.dob->ToIso()), p + "date of birth is after the event date");
  }
  return m;
}

}  // namespace

std::string RedactValue(std::string_view value) {
  if (value.empty()) return "";
  // Keep the first UTF-8 character whole.
  size_t first = 1;
  while (first < value.size() && (static_cast<unsigned char>(value[first]) & 0xC0) == 0x80) ++first;
  return std::string(value.substr(0, first)) + "*** (" + std::to_string(value.size()) + " bytes)";
}

bool ConvertRow(const Mapping& mapping, const RowFields& fields, std::string_view agency_code, store::ParsedRow& out,
                std::vector<RowProblem>& problems) {
  const size_t problems_before = problems.size();
  FieldReader reader(fields, problems);
  out = store::ParsedRow{};
  out.record.agency_code = std::string(agency_code);
  out.record.record_class = mapping.record_class;
  out.record.lawful_basis = mapping.lawful_basis;
  // An indexed mapping carries the local id as a field; a hand-built one gets it here.
  FieldSpec built_local_id;
  const FieldSpec* local_id_spec = &mapping.local_id_field;
  if (mapping.local_id_field.column != mapping.local_id) {
    built_local_id.column = mapping.local_id;
    built_local_id.required = true;
    local_id_spec = &built_local_id;
  }
  out.record.local_id = reader.Read(*local_id_spec, {"", "record id"}, false, kDefaultTextLimit);

  // Event.
  const std::string_view kind = reader.Read(mapping.event.kind, {"", "event kind"}, false, kDefaultTextLimit);
  bool kind_ok = false;
  if (!kind.empty()) {
    auto k = ParseEventKind(kind);
    if (k.ok()) {
      out.event.kind = *k;
      kind_ok = true;
    } else {
      reader.Problem(mapping.event.kind.column, ShowValue(kind), "event kind: " + k.status().message());
    }
  } else {
    reader.Problem(mapping.event.kind.column, "", "event kind is empty");
  }
  out.event.category = reader.Read(mapping.event.category, {"", "event category"}, false, kDefaultTextLimit);
  if (kind_ok && !IsKnownCategory(out.event.kind, out.event.category)) {
    reader.Problem(
        mapping.event.category.column, ShowValue(out.event.category),
        "category '" + out.event.category + "' is not allowed for event kind " + std::string(ToString(out.event.kind)));
  }
  const auto event_date = ReadDate(reader, mapping.event.date, {"", "event date"}, false);
  if (event_date) out.event.date = *event_date;
  out.event.minute_of_day = ReadTime(reader, mapping.event.time);
  out.event.detail = reader.Read(mapping.event.detail, {"", "detail"}, false, kDefaultDetailLimit);

  auto subject = ReadPerson(reader, mapping.subject, "subject ", out.event.date, event_date.has_value());
  if (!subject) {
    reader.Problem("", "", "the row describes no subject person (no name, date of birth or identifier)");
  } else {
    out.subject = std::move(*subject);
  }
  out.associate = ReadPerson(reader, mapping.associate, "associate ", out.event.date, event_date.has_value());

  if (mapping.place.defined) {
    PlaceMention p;
    p.name = reader.Read(mapping.place.name, {"", "place name"}, false, kDefaultTextLimit);
    const std::string_view postcode =
        reader.Read(mapping.place.postcode, {"", "place postcode"}, false, kDefaultTextLimit);
    if (!p.name.empty() || !postcode.empty()) {
      if (!postcode.empty()) {
        auto pc = NormalisePostcode(postcode);
        if (pc.ok())
          p.postcode = std::move(*pc);
        else
          reader.Problem(mapping.place.postcode.column, ShowValue(postcode), "place postcode is malformed");
      }
      const std::string_view type = reader.Read(mapping.place.type, {"", "place type"}, false, kDefaultTextLimit);
      if (!type.empty()) {
        auto t = ParsePlaceType(type);
        if (t.ok())
          p.type = *t;
        else
          reader.Problem(mapping.place.type.column, ShowValue(type), "place type: " + t.status().message());
      }
      p.lat = ReadNumber(reader, mapping.place.lat, {"", "place latitude"}, -90, 90);
      p.lon = ReadNumber(reader, mapping.place.lon, {"", "place longitude"}, -180, 180);
      out.place = std::move(p);
    }
  }
  return problems.size() == problems_before;
}

}  // namespace riskradar::ingest

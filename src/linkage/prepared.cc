// Normalising records into interned columns, and the pair comparison kernel.
#include "prepared.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "riskradar/core/date.h"
#include "riskradar/core/identifiers.h"
#include "riskradar/core/text.h"
#include "riskradar/linkage/comparators.h"

namespace riskradar::linkage {
namespace {

std::string UpperNoSeparators(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::optional<Date> ParseDob(std::string_view raw) {
  const std::string s(Trim(raw));
  if (s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    auto d = Date::Parse(s, "%Y%m%d");
    if (d.ok()) return *d;
    return std::nullopt;
  }
  auto d = Date::ParseIso(s);
  if (d.ok()) return *d;
  return std::nullopt;
}

// "female", "male", "other"; empty for unknown.
std::string NormaliseSex(std::string_view raw) {
  std::string s(Trim(raw));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "f" || s == "female" || s == "girl") return "female";
  if (s == "m" || s == "male" || s == "boy") return "male";
  if (s.empty() || s == "u" || s == "unknown" || s == "not known" || s == "not stated" || s == "9" || s == "0")
    return "";
  if (s == "o" || s == "x" || s == "other" || s == "indeterminate") return "other";
  return s;
}

// Damerau-Levenshtein distance <= 1 without allocating (one substitution,
// insertion, deletion or adjacent transposition).
bool WithinOneEdit(std::u32string_view a, std::u32string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (i == a.size()) return true;  // equal, or b has one extra trailing character
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
  }
  return a.substr(i) == b.substr(i + 1);  // insertion into a
}

// Whether two sorted key lists share a key.
bool Intersects(const uint32_t* a, const uint32_t* a_end, const uint32_t* b, const uint32_t* b_end) {
  while (a < a_end && b < b_end) {
    if (*a == *b) return true;
    if (*a < *b)
      ++a;
    else
      ++b;
  }
  return false;
}

int32_t PackDate(const DateParts& d) { return (int32_t{d.year} << 9) | (int32_t{d.month} << 5) | int32_t{d.day}; }
int PackedYear(int32_t packed) { return packed >> 9; }
int PackedMonth(int32_t packed) { return (packed >> 5) & 0xF; }
int PackedDay(int32_t packed) { return packed & 0x1F; }

uint32_t TokenKey(const std::string& token) {
  return static_cast<uint32_t>(std::hash<std::string>{}(token)) | 0x80000000u;
}

bool IsName(FieldKind k) { return k == FieldKind::kForename || k == FieldKind::kSurname; }

}  // namespace

int32_t Dictionary::Intern(const std::string& value) {
  const auto [it, inserted] = index.emplace(value, static_cast<int32_t>(utf8.size()));
  if (inserted) {
    utf8.push_back(value);
    if (offset.empty()) offset.push_back(0);
    const std::u32string text = DecodeUtf8(value);
    uint64_t m = 0;
    for (char32_t c : text) m |= uint64_t{1} << (c & 63);
    flat.insert(flat.end(), text.begin(), text.end());
    offset.push_back(static_cast<uint32_t>(flat.size()));
    mask.push_back(m);
  }
  return it->second;
}

void Dictionary::FlattenKeys() {
  for (auto [keys, lists] : {std::pair{&forename_keys, &forename_lists}, std::pair{&surname_keys, &surname_lists}}) {
    lists->flat.clear();
    lists->offset.assign(1, 0);
    lists->signature.clear();
    for (const auto& k : *keys) {
      uint64_t signature = 0;
      for (uint32_t key : k) signature |= uint64_t{1} << ((key * 0x9E3779B1u) >> 26);
      lists->flat.insert(lists->flat.end(), k.begin(), k.end());
      lists->offset.push_back(static_cast<uint32_t>(lists->flat.size()));
      lists->signature.push_back(signature);
    }
    std::vector<std::vector<uint32_t>>().swap(*keys);  // only the flat copy is read from here on
  }
}

bool Dictionary::KeyLists::Share(int32_t x, int32_t y) const {
  const auto vx = static_cast<size_t>(x);
  const auto vy = static_cast<size_t>(y);
  if ((signature[vx] & signature[vy]) == 0) return false;
  return Intersects(flat.data() + offset[vx], flat.data() + offset[vx + 1], flat.data() + offset[vy],
                    flat.data() + offset[vy + 1]);
}

double Dictionary::JaroWinklerAtLeast(int32_t a, int32_t b, double floor) const {
  const std::u32string_view x = Text(a);
  const std::u32string_view y = Text(b);
  if (x.empty() || y.empty()) return 0.0;
  // Characters of x whose code (mod 64) occurs in y bound the matching characters
  // from above, and so bound Jaro; the Winkler boost adds at most 0.4 * (1 - Jaro).
  const uint64_t my = mask[static_cast<size_t>(b)];
  const uint64_t mx = mask[static_cast<size_t>(a)];
  size_t cx = 0;
  for (char32_t c : x) cx += (my >> (c & 63)) & 1;
  size_t cy = 0;
  for (char32_t c : y) cy += (mx >> (c & 63)) & 1;
  const double common = static_cast<double>(std::min(cx, cy));
  const double jaro_bound =
      (common / static_cast<double>(x.size()) + common / static_cast<double>(y.size()) + 1.0) / 3.0;
  const double bound = jaro_bound > 0.7 ? jaro_bound + 0.4 * (1.0 - jaro_bound) : jaro_bound;
  if (common == 0 || bound < floor) return std::min(bound, floor) - 1e-9;
  return JaroWinklerSimilarity(x, y);
}

std::vector<std::string> LevelLabels(const FieldSpec& field) {
  switch (field.kind) {
    case FieldKind::kForename:
      return {"exact", "swapped with surname", "variant", "jaro-winkler >= 0.92", "jaro-winkler >= 0.85", "else"};
    case FieldKind::kSurname:
      return {"exact", "variant", "jaro-winkler >= 0.92", "jaro-winkler >= 0.85", "else"};
    case FieldKind::kDateOfBirth:
      return {"exact", "day and month transposed", "one of day, month, year differs", "else"};
    case FieldKind::kPostcode:
      return {"same unit", "same sector", "same district", "else"};
    case FieldKind::kIdentifier:
    case FieldKind::kSex:
      return {"exact", "else"};
    case FieldKind::kString:
      return {"exact", "one edit or transposition", "else"};
    case FieldKind::kText:
      return {"exact", "jaro-winkler >= 0.92", "jaro-winkler >= 0.80", "else"};
  }
  return {};
}

PreparedData PreparedData::Build(const std::vector<Record>& records, const LinkageSpec& spec, const NameVariants& names,
                                 const Model* tf_model) {
  PreparedData data;
  data.size = records.size();
  data.source.reserve(records.size());
  for (const Record& r : records) data.source.push_back(r.source);
  const size_t n_fields = spec.fields.size();
  data.columns.resize(n_fields);
  int name_dict = -1;
  for (size_t c = 0; c < n_fields; ++c) {
    const FieldSpec& f = spec.fields[c];
    Column& col = data.columns[c];
    col.kind = f.kind;
    col.cannot_link = f.cannot_link_on_mismatch;
    col.tf = f.term_frequency || IsName(f.kind);
    // Name fields share one dictionary so a forename can be compared with a surname (swaps).
    if (IsName(f.kind)) {
      if (name_dict < 0) {
        name_dict = static_cast<int>(data.dicts.size());
        data.dicts.emplace_back();
      }
      col.dict = name_dict;
    } else {
      col.dict = static_cast<int>(data.dicts.size());
      data.dicts.emplace_back();
    }
  }
  for (size_t c = 0; c < n_fields; ++c) {
    const FieldSpec& f = spec.fields[c];
    if (f.kind != FieldKind::kForename || f.swap_with.empty()) continue;
    for (size_t s = 0; s < n_fields; ++s) {
      if (spec.fields[s].name == f.swap_with) {
        data.columns[c].swap_partner = static_cast<int>(s);
        data.columns[c].forename_side = true;
        data.columns[s].swap_partner = static_cast<int>(c);
      }
    }
  }

  // Columns with their own dictionary are independent and normalised in parallel;
  // name columns share one and are filled in order, so ids follow first appearance.
  std::vector<std::vector<size_t>> by_dict(data.dicts.size());
  for (size_t c = 0; c < n_fields; ++c) by_dict[static_cast<size_t>(data.columns[c].dict)].push_back(c);
  tbb::parallel_for(size_t{0}, by_dict.size(), [&](size_t d) {
    for (size_t c : by_dict[d]) {
      Column& col = data.columns[c];
      Dictionary& dict = data.dicts[static_cast<size_t>(col.dict)];
      col.id.assign(records.size(), -1);
      if (col.kind == FieldKind::kDateOfBirth) col.date.resize(records.size());
      if (col.kind == FieldKind::kPostcode) {
        col.sector.assign(records.size(), -1);
        col.district.assign(records.size(), -1);
      }
      // Raw values repeat (common names, shared postcodes): normalise each once.
      std::unordered_map<std::string_view, uint32_t> first_with;
      for (size_t r = 0; r < records.size(); ++r) {
        const std::string& raw = records[r].values[c];
        if (raw.empty()) continue;
        const auto [seen, fresh] = first_with.emplace(raw, static_cast<uint32_t>(r));
        if (!fresh) {
          const uint32_t f = seen->second;
          col.id[r] = col.id[f];
          if (!col.date.empty()) col.date[r] = col.date[f];
          if (!col.sector.empty()) {
            col.sector[r] = col.sector[f];
            col.district[r] = col.district[f];
          }
          continue;
        }
        switch (col.kind) {
          case FieldKind::kForename:
          case FieldKind::kSurname: {
            const NormalisedName n = NormaliseName(raw);
            if (n.joined.empty()) break;
            const size_t before = dict.utf8.size();
            col.id[r] = dict.Intern(n.joined);
            if (dict.utf8.size() > before) {
              std::vector<uint32_t> fkeys;
              std::vector<uint32_t> skeys;
              std::vector<std::string> parts = n.tokens;
              if (parts.size() > 1) parts.push_back(n.joined);
              for (const auto& t : parts) {
                const auto& fg = names.ForenameGroups(t);
                const auto& sg = names.SurnameGroups(t);
                fkeys.insert(fkeys.end(), fg.begin(), fg.end());
                skeys.insert(skeys.end(), sg.begin(), sg.end());
              }
              // Shared tokens ("Mary Jane" / "Mary", "Smith-Jones" / "Jones") count as variants.
              if (n.tokens.size() > 1) {
                for (const auto& t : n.tokens) {
                  fkeys.push_back(TokenKey(t));
                  skeys.push_back(TokenKey(t));
                }
              } else {
                fkeys.push_back(TokenKey(n.joined));
                skeys.push_back(TokenKey(n.joined));
              }
              for (auto* keys : {&fkeys, &skeys}) {
                std::sort(keys->begin(), keys->end());
                keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
              }
              dict.forename_keys.push_back(std::move(fkeys));
              dict.surname_keys.push_back(std::move(skeys));
            }
            break;
          }
          case FieldKind::kDateOfBirth: {
            const auto d = ParseDob(raw);
            if (!d) break;
            DateParts& p = col.date[r];
            p.year = static_cast<int16_t>(d->year());
            p.month = static_cast<int8_t>(d->month());
            p.day = static_cast<int8_t>(d->day());
            p.days = d->days();
            p.valid = true;
            col.id[r] = dict.Intern(d->ToIso());
            break;
          }
          case FieldKind::kPostcode: {
            const std::string s(Trim(raw));
            if (s.empty()) break;
            auto pc = NormalisePostcode(s);
            if (pc.ok()) {
              col.id[r] = dict.Intern(*pc);
              col.sector[r] = dict.Intern(PostcodeSector(*pc));
              col.district[r] = dict.Intern(PostcodeDistrict(*pc));
            } else {
              col.id[r] = dict.Intern(UpperNoSeparators(s));
            }
            break;
          }
          case FieldKind::kIdentifier: {
            const std::string s = UpperNoSeparators(std::string(Trim(raw)));
            if (!s.empty()) col.id[r] = dict.Intern(s);
            break;
          }
          case FieldKind::kSex: {
            const std::string s = NormaliseSex(raw);
            if (!s.empty()) col.id[r] = dict.Intern(s);
            break;
          }
          case FieldKind::kString:
          case FieldKind::kText: {
            const std::string s = NormaliseText(raw);
            if (!s.empty()) col.id[r] = dict.Intern(s);
            break;
          }
        }
      }
    }
  });

  for (Dictionary& dict : data.dicts) {
    if (!dict.forename_keys.empty()) dict.FlattenKeys();
  }
  data.BuildRows();

  // Term frequencies: share of the records with a value that have this value.
  for (size_t c = 0; c < n_fields; ++c) {
    Column& col = data.columns[c];
    if (!col.tf) continue;
    const Dictionary& dict = data.dicts[static_cast<size_t>(col.dict)];
    col.tf_by_value.assign(dict.utf8.size(), 0.0);
    if (tf_model != nullptr && c < tf_model->term_frequencies.size() && !tf_model->term_frequencies[c].empty()) {
      const auto& table = tf_model->term_frequencies[c];
      const double floor = c < tf_model->term_frequency_floor.size() ? tf_model->term_frequency_floor[c] : 1e-6;
      for (size_t v = 0; v < dict.utf8.size(); ++v) {
        const auto it = table.find(dict.utf8[v]);
        col.tf_by_value[v] = it == table.end() ? floor : it->second;
      }
    } else {
      std::vector<int64_t> counts(dict.utf8.size(), 0);
      int64_t total = 0;
      for (int32_t id : col.id) {
        if (id < 0) continue;
        ++counts[static_cast<size_t>(id)];
        ++total;
      }
      for (size_t v = 0; v < counts.size(); ++v) {
        col.tf_by_value[v] = total > 0 ? static_cast<double>(counts[v]) / static_cast<double>(total) : 0.0;
      }
    }
    col.log2_tf.resize(col.tf_by_value.size());
    for (size_t v = 0; v < col.tf_by_value.size(); ++v) col.log2_tf[v] = std::log2(std::max(col.tf_by_value[v], 1e-12));
  }
  return data;
}

void PreparedData::BuildRows() {
  const size_t n_cols = columns.size();
  aux_slot.assign(n_cols, 0);
  size_t slots = n_cols;
  for (size_t c = 0; c < n_cols; ++c) {
    if (columns[c].kind == FieldKind::kDateOfBirth) {
      aux_slot[c] = static_cast<uint8_t>(slots);
      slots += 1;
    } else if (columns[c].kind == FieldKind::kPostcode) {
      aux_slot[c] = static_cast<uint8_t>(slots);
      slots += 2;
    }
  }
  constexpr size_t kLine = 64 / sizeof(int32_t);
  row_stride = (slots + kLine - 1) / kLine * kLine;
  row_storage.assign(size * row_stride + kLine, -1);
  const auto address = reinterpret_cast<uintptr_t>(row_storage.data());
  row_offset = ((64 - address % 64) % 64) / sizeof(int32_t);
  tbb::parallel_for(size_t{0}, size, [&](size_t r) {
    int32_t* row = row_storage.data() + row_offset + r * row_stride;
    for (size_t c = 0; c < n_cols; ++c) {
      const Column& col = columns[c];
      row[c] = col.id[r];
      if (col.kind == FieldKind::kDateOfBirth) {
        row[aux_slot[c]] = col.date[r].valid ? PackDate(col.date[r]) : -1;
      } else if (col.kind == FieldKind::kPostcode) {
        row[aux_slot[c]] = col.sector[r];
        row[aux_slot[c] + 1] = col.district[r];
      }
    }
  });
}

void PreparedData::CompareLevels(uint32_t i, uint32_t j, uint8_t* levels) const {
  const int32_t* ri = Row(i);
  const int32_t* rj = Row(j);
  for (size_t c = 0; c < columns.size(); ++c) {
    const Column& col = columns[c];
    const int32_t a = ri[c];
    const int32_t b = rj[c];
    if (a < 0 || b < 0) {
      levels[c] = kNullLevel;
      continue;
    }
    switch (col.kind) {
      case FieldKind::kForename:
      case FieldKind::kSurname: {
        const bool forename = col.kind == FieldKind::kForename;
        const Dictionary& dict = dicts[static_cast<size_t>(col.dict)];
        // A swap is scored once, on the forename side; the surname is then neutral.
        bool swapped = false;
        if (col.swap_partner >= 0 && a != b) {
          const auto partner = static_cast<size_t>(col.swap_partner);
          const int32_t oa = ri[partner];
          const int32_t ob = rj[partner];
          // One name swapped exactly, the other swapped with a spelling variant or typo
          // ("Mahmood Lila" / "Lila Mahmud") is still a swap, not two disagreements.
          if (oa >= 0 && ob >= 0 && (a == ob || oa == b)) {
            auto close = [&](int32_t x, int32_t y) {
              if (x == y) return true;
              if (dict.forename_lists.Share(x, y) || dict.surname_lists.Share(x, y)) {
                return true;
              }
              return dict.JaroWinklerAtLeast(x, y, 0.92) >= 0.92;
            };
            swapped = (a == ob && close(oa, b)) || (oa == b && close(a, ob));
          }
        }
        if (swapped) {
          levels[c] = col.forename_side ? 1 : kNullLevel;
          break;
        }
        const uint8_t base = forename ? 1 : 0;  // forename has the extra swap level at 1
        if (a == b) {
          levels[c] = 0;
          break;
        }
        const bool variant = forename ? dict.forename_lists.Share(a, b) : dict.surname_lists.Share(a, b);
        if (variant) {
          levels[c] = static_cast<uint8_t>(base + 1);
          break;
        }
        const double jw = dict.JaroWinklerAtLeast(a, b, 0.85);
        levels[c] = static_cast<uint8_t>(base + (jw >= 0.92 ? 2 : jw >= 0.85 ? 3 : 4));
        break;
      }
      case FieldKind::kDateOfBirth: {
        const int32_t x = ri[aux_slot[c]];
        const int32_t y = rj[aux_slot[c]];
        if (x == y) {
          levels[c] = 0;
        } else if (PackedYear(x) == PackedYear(y) && PackedDay(x) == PackedMonth(y) && PackedMonth(x) == PackedDay(y)) {
          levels[c] = 1;
        } else {
          const int same =
              (PackedYear(x) == PackedYear(y)) + (PackedMonth(x) == PackedMonth(y)) + (PackedDay(x) == PackedDay(y));
          levels[c] = same == 2 ? 2 : 3;
        }
        break;
      }
      case FieldKind::kPostcode: {
        const int32_t sector = ri[aux_slot[c]];
        const int32_t district = ri[aux_slot[c] + 1];
        if (a == b)
          levels[c] = 0;
        else if (sector >= 0 && sector == rj[aux_slot[c]])
          levels[c] = 1;
        else if (district >= 0 && district == rj[aux_slot[c] + 1])
          levels[c] = 2;
        else
          levels[c] = 3;
        break;
      }
      case FieldKind::kIdentifier:
      case FieldKind::kSex:
        levels[c] = a == b ? 0 : 1;
        break;
      case FieldKind::kString: {
        const Dictionary& dict = dicts[static_cast<size_t>(col.dict)];
        if (a == b)
          levels[c] = 0;
        else if (WithinOneEdit(dict.Text(a), dict.Text(b)))
          levels[c] = 1;
        else
          levels[c] = 2;
        break;
      }
      case FieldKind::kText: {
        const Dictionary& dict = dicts[static_cast<size_t>(col.dict)];
        if (a == b) {
          levels[c] = 0;
          break;
        }
        const double jw = dict.JaroWinklerAtLeast(a, b, 0.80);
        levels[c] = jw >= 0.92 ? 1 : jw >= 0.80 ? 2 : 3;
        break;
      }
    }
  }
}

bool PreparedData::CannotLink(uint32_t i, uint32_t j) const {
  const int32_t* ri = Row(i);
  const int32_t* rj = Row(j);
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!columns[c].cannot_link) continue;
    if (ri[c] >= 0 && rj[c] >= 0 && ri[c] != rj[c]) return true;
  }
  return false;
}

WeightTable WeightTable::FromModel(const Model& model) {
  WeightTable t;
  t.prior = model.prior_weight;
  t.tf = model.term_frequency_adjustments;
  t.max_tf = model.max_tf_adjustment;
  t.weight.resize(model.fields.size());
  t.log2_u_exact.resize(model.fields.size(), 0.0);
  for (size_t c = 0; c < model.fields.size(); ++c) {
    t.weight[c].fill(0.0);
    const auto& levels = model.fields[c].levels;
    for (size_t l = 0; l < levels.size() && l < 15; ++l) t.weight[c][l] = levels[l].weight;
    if (!levels.empty()) t.log2_u_exact[c] = std::log2(levels[0].u);
  }
  return t;
}

}  // namespace riskradar::linkage
